"""The independent oracle for installed sizes: a real ``pip install --target`` of the wheels.

:func:`pip_install_target` runs the pip of the interpreter running the tests, offline
(``--no-index --find-links WHEELDIR``), isolated from this machine's pip configuration
(``PIP_CONFIG_FILE=/dev/null``, ``--isolated``), for a target Python and platform, and
measures what it wrote: every regular file's size, their count and a ``du``-style disk use.

pip's ``--target`` layout is not an image's: site-packages content lands at the top of the
directory, scripts in ``bin/``, headers in ``include/python/<project>/`` and ``.data/data``
files at the top. :func:`image_path` maps a path from one layout to the other.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Measured", "image_path", "pip_install_target"]


@dataclass(frozen=True)
class Measured:
    """What an installation wrote."""

    files: dict[str, int]
    """Path relative to the install directory (``/``-separated) -> size in bytes."""
    total: int
    """Sum of the regular files' sizes."""
    count: int
    """Number of regular files."""
    disk: int
    """``du``-style: each regular file rounded up to whole 4 KiB blocks."""


def _measure(root: Path) -> Measured:
    files: dict[str, int] = {}
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath, name)
            if path.is_symlink() or not path.is_file():
                continue
            files[path.relative_to(root).as_posix()] = path.stat().st_size
    total = sum(files.values())
    disk = sum(-(-size // 4096) * 4096 for size in files.values())
    return Measured(files=files, total=total, count=len(files), disk=disk)


def pip_install_target(
    reqs: Sequence[str],
    wheel_dir: Path,
    *,
    python: str,
    platforms: Sequence[str],
    compile: bool = False,
    target: Path | None = None,
) -> Measured:
    """Install ``reqs`` from the wheels in ``wheel_dir`` with pip ``--target`` and measure it.

    ``platforms`` are pip platform tags (``manylinux_2_17_x86_64``, ``any`` is implied by
    pip). Raises :class:`subprocess.CalledProcessError` (with pip's output) on failure.
    """
    owned = target is None
    root = Path(tempfile.mkdtemp(prefix="oracle-")) if target is None else target
    cmd = [
        sys.executable, "-m", "pip", "install",
        "--isolated", "--disable-pip-version-check", "--no-input", "--quiet",
        "--target", str(root),
        "--no-index", "--find-links", str(wheel_dir),
        "--only-binary=:all:",
        "--python-version", python,
        "--implementation", "cp",
        *(arg for platform in platforms for arg in ("--platform", platform)),
        "--no-compile" if not compile else "--compile",
        *reqs,
    ]  # fmt: skip
    env = {
        **os.environ,
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_NO_CACHE_DIR": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env = {k: v for k, v in env.items() if not k.startswith("PIP_") or k in (
        "PIP_CONFIG_FILE", "PIP_NO_CACHE_DIR")}  # fmt: skip
    try:
        subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
        return _measure(root)
    finally:
        if owned:
            import shutil

            shutil.rmtree(root, ignore_errors=True)


def image_path(path: str, python: str) -> str:
    """A ``pip --target`` path as the same file's path in an image (relative to the prefix).

    ``bin/x`` stays; ``include/python/<project>/h`` becomes ``include/pythonX.Y/<project>/h``;
    everything else is site-packages content, unless it is one of ``data_tops`` (not knowable
    from the path alone: callers map ``.data/data`` files themselves).
    """
    if path.startswith("bin/"):
        return path
    if path.startswith("include/python/"):
        return f"include/python{python}/" + path[len("include/python/") :]
    return f"lib/python{python}/site-packages/{path}"
