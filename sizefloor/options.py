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
    """The main index (``--index-url``); ``None``: the requirements file's, then pip's."""
    extra_index_urls: tuple[str, ...] = ()
    """More indexes to look in, as ``--extra-index-url``."""
    find_links: tuple[str, ...] = ()
    """Directories or pages of files to look in, as ``--find-links``."""
    no_index: bool = False
    """Look in ``find_links`` alone."""
    use_pip_config: bool = True
    """Read pip's configuration files and ``PIP_*`` variables (``False``: ``--isolated``)."""
    pre: bool = False
    """Allow pre-releases."""
    uploaded_prior_to: datetime | None = None
    """Ignore files uploaded at or after this time (PEP 700 upload times)."""
    compile_bytecode: bool = True
    """Count the ``.pyc`` files pip writes (``False``: ``pip install --no-compile``)."""
    exact_bytecode: bool = False
    """Compile each wheel's ``.py`` members (fetched by range) instead of modelling
    the ``.pyc`` sizes, with a CPython of the target's version
    (:mod:`sizefloor.install.exact`); without one, a warning, and the model."""
    sample_bytecode: bool = True
    """Calibrate the ``.pyc`` model on modules of the wheels, compiled
    (:mod:`sizefloor.install.calibrate`), when a CPython of the target's version is at hand."""
    python_exe: str | None = None
    """The CPython of the target's version that compiles (``--python-exe``); by default one
    is looked for where users keep them (:mod:`sizefloor.install.interpreters`)."""
    constraints: tuple[str | os.PathLike[str], ...] = ()
    """Constraints files, as ``-c``."""
    cache_dir: Path | None = None
    """Where the cache is (default: ``SIZEFLOOR_CACHE_DIR``, else the user cache folder)."""
    use_cache: bool = True
    """Read and write the cache."""
    offline: bool = False
    """Answer from the cache alone: no network."""
    prefix: str = "/usr/local"
    """Where pip installs in the image: the official images' prefix."""
    executable: str | None = None
    """The interpreter launchers name (default: the prefix's ``bin/pythonX.Y``)."""
    pip_version: tuple[int, int] = (26, 0)
    """The pip that installs in the image: its launchers differ by version."""
    concurrency: int = 16
    """Connections per host."""
    timeout: float | None = None
    """Seconds to wait on a connection or a read (default: pip's ``timeout``, else 30).
    A whole response may take 4 times as long (plus a second per 64 KiB received)."""
    run_timeout: float | None = None
    """Seconds the run may spend on the network in all (default: 60 x the timeout, at
    least 1800)."""
    max_page_bytes: int = 64 * 1024 * 1024
    """The largest index page or metadata file read: a larger one is refused as it
    streams in, and not cached (``--max-page-size``)."""
    base: str | None = None
    """What the service runs on (``python:3.12-slim``, ``distroless``, ``host``, ``none``,
    see :mod:`sizefloor.runtime.catalogue`): it implies the target and adds the runtime to
    the floor."""
    refresh_runtime: bool = False
    """Recompute a Debian-derived base's size from the configured Debian mirror (cached)."""
    image_bytes: int | None = None
    """A real image's size, to compare with the floor."""
    extras: tuple[str, ...] = ()
    """The project's extras to install (``--extra``): a ``pyproject.toml``'s optional
    dependencies, a lock file's extras."""
    all_extras: bool = False
    """Install every extra the project (or its lock file) declares (``--all-extras``)."""
    groups: tuple[str, ...] = ()
    """Dependency groups to install (``--group``): PEP 735 groups, Poetry's groups, uv's dev
    groups, a PEP 751 lock's groups, ``develop`` of a ``Pipfile.lock``. Without one, a lock
    installs its main dependencies (a PEP 751 lock: its ``default-groups``)."""
    alternatives: bool = True
    """Size the known lighter variants of the requirements (``opencv-python-headless`` for
    ``opencv-python``, ...) for the same target, as findings
    (:mod:`sizefloor.pipeline.alternatives`): a second estimate where one applies."""

    build_args: tuple[tuple[str, str], ...] = ()
    """A Dockerfile's ``--build-arg NAME=VALUE``: they override its ``ARG`` defaults."""
    context: str | None = None
    """A Dockerfile's build context, where its ``COPY`` sources are found (default: the
    Dockerfile's folder)."""

    def __post_init__(self) -> None:
        """Sequences become tuples and a cache folder a :class:`~pathlib.Path`, so that
        options built from lists and strings compare, hash and pickle as the same value."""
        for name in ("extra_index_urls", "find_links", "constraints", "extras", "groups"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "build_args", tuple(tuple(pair) for pair in self.build_args))
        if self.cache_dir is not None:
            object.__setattr__(self, "cache_dir", Path(self.cache_dir))
