"""What shapes an estimate besides the requirements and the target: one immutable value.

The command line builds it from its flags, the library from :func:`sizefloor.estimate`'s
keywords; every stage reads the fields it needs and nothing else.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["Options", "Progress"]

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as work advances (total 0 = unknown)."""


@dataclass(frozen=True)
class Options:
    """Everything that shapes an estimate besides the requirements and target."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    use_pip_config: bool = True
    pre: bool = False
    uploaded_prior_to: datetime | None = None
    compile_bytecode: bool = True
    exact_bytecode: bool = False
    """Compile each wheel's ``.py`` members (fetched by range) instead of modelling
    the ``.pyc`` sizes: only when the target's Python is the one running sizefloor
    (:mod:`sizefloor.install.exact`); otherwise a warning, and the model."""
    sample_bytecode: bool = True
    """Calibrate the ``.pyc`` model on a small sample of each wheel's modules, compiled
    (:mod:`sizefloor.install.calibrate`), when a CPython of the target's version is at hand."""
    constraints: tuple[str | os.PathLike[str], ...] = ()
    cache_dir: Path | None = None
    use_cache: bool = True
    offline: bool = False
    prefix: str = "/usr/local"
    executable: str | None = None
    pip_version: tuple[int, int] = (26, 0)
    concurrency: int = 16
    timeout: float | None = None
    base: str | None = None
    """What the service runs on (``python:3.12-slim``, ``distroless``, ``host``, ``none``,
    see :mod:`sizefloor.runtime.catalogue`): it implies the target and adds the runtime to
    the floor."""
    refresh_runtime: bool = False
    """Recompute a Debian-derived base's size from the configured Debian mirror (cached)."""
    image_bytes: int | None = None
    """A real image's size, to compare with the floor."""
