"""The independent oracles for installed sizes.

:func:`pip_install_target` runs a real ``pip install --target`` of wheels (the pip of the
interpreter running the tests), offline (``--no-index --find-links WHEELDIR``) and isolated
from this machine's pip configuration (``PIP_CONFIG_FILE=/dev/null``, ``--isolated``), for a
target Python and platform, and measures what it wrote.

pip's ``--target`` layout is not an image's. pip installs into a temporary ``--home`` and
moves its content: site-packages content (``<home>/lib/python``) lands at the top of the
directory, scripts in ``bin/``, headers in ``include/site/pythonA.B/<project>/`` (A.B being
the *running* interpreter's version) and ``.data/data`` files at the top. The installed
``RECORD`` names files relative to ``<home>/lib/python``, so a file outside site-packages is
``../../bin/x`` there, while in an image (site-packages = ``lib/pythonX.Y/site-packages``)
the same row reads ``../../../bin/x``. :meth:`Measured.image_files` maps the paths and
:meth:`Measured.record_delta` says exactly how many bytes longer the image's RECORD rows are.

:func:`expected_install` is a second, smaller oracle for pure wheels without scripts, data or
entry points: what pip writes, computed from the wheel's own member list and RECORD with
:mod:`zipfile` and :mod:`csv` (pip keeps the wheel's RECORD rows as written, adds rows for
``INSTALLER`` and ``REQUESTED`` and writes them sorted with CRLF line ends).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import Version

__all__ = ["Measured", "PipPackage", "expected_install", "pip_install_target", "pip_version"]

BLOCK = 4096


def pip_version() -> tuple[int, int]:
    """(major, minor) of the pip the oracle runs: its launcher template is the one to model."""
    from importlib.metadata import version

    release = Version(version("pip")).release
    return release[0], release[1] if len(release) > 1 else 0


_HOST_INCLUDE = f"include/site/python{sys.version_info[0]}.{sys.version_info[1]}/"


def blocks(size: int) -> int:
    """Disk use of a regular file of ``size`` bytes, in whole 4 KiB blocks."""
    return -(-size // BLOCK) * BLOCK


@dataclass(frozen=True)
class PipPackage:
    """The files one installed distribution's RECORD lists (paths as on disk)."""

    name: str
    """Canonical project name, from the ``.dist-info`` directory's name."""
    files: dict[str, int]
    record_rows: tuple[str, ...]
    """First column of every row of the installed RECORD, duplicates kept."""

    @property
    def total(self) -> int:
        return sum(self.files.values())

    @property
    def count(self) -> int:
        return len(self.files)


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
    """Each regular file rounded up to whole 4 KiB blocks (directories not counted)."""
    packages: dict[str, PipPackage] = field(default_factory=dict)
    """Canonical name -> the files its RECORD lists."""

    def image_path(self, path: str, python: str) -> str:
        """Where the file at ``path`` (as pip ``--target`` put it) lives in an image."""
        outside = self._outside()
        if path in outside:
            if path.startswith(_HOST_INCLUDE):
                return f"include/python{python}/" + path[len(_HOST_INCLUDE) :]
            return path
        return f"lib/python{python}/site-packages/{path}"

    def image_files(self, python: str) -> dict[str, int]:
        """Every file at its path in an image (``lib/pythonX.Y/site-packages/...``)."""
        return {self.image_path(p, python): size for p, size in self.files.items()}

    def record_delta(self, name: str, python: str) -> int:
        """How many bytes longer ``name``'s RECORD is in an image than under ``--target``.

        Only rows of files outside site-packages differ: ``../../bin/x`` (relative to
        ``<home>/lib/python``) becomes ``../../../bin/x`` (relative to
        ``lib/pythonX.Y/site-packages``), and headers move from ``include/site/pythonA.B/``
        to ``include/pythonX.Y/``.
        """
        delta = 0
        for row in self.packages[name].record_rows:
            if row.startswith("../../"):
                on_disk = row[len("../../") :]
                delta += len("../../../" + self.image_path(on_disk, python)) - len(row)
        return delta

    def _outside(self) -> set[str]:
        return {
            row[len("../../") :]
            for package in self.packages.values()
            for row in package.record_rows
            if row.startswith("../../")
        }


def _measure(root: Path) -> Measured:
    files: dict[str, int] = {}
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            path = Path(dirpath, name)
            if path.is_symlink() or not path.is_file():
                continue
            files[path.relative_to(root).as_posix()] = path.stat().st_size
    packages: dict[str, PipPackage] = {}
    for record in sorted(root.glob("*.dist-info/RECORD")):
        dist_info = record.parent.name
        with open(record, newline="", encoding="utf-8") as fh:
            rows = tuple(row[0] for row in csv.reader(fh) if row)
        mine = {}
        for row in dict.fromkeys(rows):
            path = row[len("../../") :] if row.startswith("../../") else row
            if path in files:
                mine[path] = files[path]
        name = canonicalize_name(dist_info[: -len(".dist-info")].rsplit("-", 1)[0])
        packages[name] = PipPackage(name, mine, rows)
    return Measured(
        files=files,
        total=sum(files.values()),
        count=len(files),
        disk=sum(blocks(size) for size in files.values()),
        packages=packages,
    )


def pip_install_target(
    reqs: Sequence[str],
    wheel_dir: Path,
    *,
    python: str,
    platforms: Sequence[str],
    compile: bool = False,
    image_prefix: str | None = None,
) -> Measured:
    """Install ``reqs`` from the wheels in ``wheel_dir`` with pip ``--target`` and measure it.

    ``platforms`` are pip platform tags (``manylinux_2_17_x86_64``); ``any`` is implied.
    With ``image_prefix``, pip's byte-compilation names each source where a prefix
    install into ``image_prefix`` has it (see :data:`_COMPILE_AS_IMAGE`): the ``.pyc``
    files are then an image's, byte for byte.
    Fails the calling test with pip's output when pip fails.
    """
    root = Path(tempfile.mkdtemp(prefix="sizefloor-oracle-"))
    pip = [sys.executable, "-m", "pip"]
    if image_prefix is not None:
        pip = [sys.executable, "-c", _COMPILE_AS_IMAGE, image_prefix, python]
    cmd = [
        *pip, "install",
        "--isolated", "--disable-pip-version-check", "--no-input", "--quiet",
        "--no-cache-dir",
        "--target", str(root),
        "--no-index", "--find-links", str(wheel_dir),
        "--only-binary=:all:",
        "--python-version", python,
        "--implementation", "cp",
        *(arg for platform in platforms for arg in ("--platform", platform)),
        "--compile" if compile else "--no-compile",
        *reqs,
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise AssertionError(
                f"the pip oracle failed ({done.returncode}): {' '.join(cmd)}\n"
                f"{done.stdout}\n{done.stderr}"
            )
        return _measure(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


_COMPILE_AS_IMAGE = r"""
import compileall, os, re, sys

# pip compiles each file at site-packages joined with its RECORD path, not normalised,
# with compileall.compile_file(path, force=True, quiet=True); under --target that is
# HOME/lib/python/pkg/x.py or HOME/lib/python/../../bin/x.py, in a prefix install
# SITE/pkg/x.py or SITE/../../../bin/x.py. The same call with ddir= names the latter.
prefix, python = sys.argv[1], sys.argv[2]
site = f"{prefix}/lib/python{python}/site-packages"
home = re.compile(r"^.*/pip-target-[^/]+/lib/python/")
original = compileall.compile_file

def compile_file(fullname, *args, **kwargs):
    path = os.fspath(fullname)
    found = home.match(path)
    if found is not None and not args and "ddir" not in kwargs:
        inner = path[found.end():]
        if inner.startswith("../../"):
            image = f"{site}/../../../{inner[len('../../'):]}"
        else:
            image = f"{site}/{inner}"
        kwargs["ddir"] = os.path.dirname(image)
    return original(fullname, *args, **kwargs)

compileall.compile_file = compile_file
from pip._internal.cli.main import main
sys.exit(main(sys.argv[3:]))
"""
"""Runs pip (arguments: PREFIX, X.Y, then pip's) with its ``.pyc`` files naming their
sources as a prefix install into PREFIX does."""


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def expected_install(wheel: Path, *, requested: bool) -> tuple[int, int]:
    """(installed bytes, files) pip writes for a pure wheel without scripts, data or entry
    points, computed from the wheel alone (see the module docstring)."""
    with zipfile.ZipFile(wheel) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        record_name = next(i.filename for i in infos if i.filename.endswith(".dist-info/RECORD"))
        sizes = {i.filename: i.file_size for i in infos}  # a later duplicate wins, as in pip
        rows = list(csv.reader(io.StringIO(zf.read(record_name).decode("utf-8"))))
    dist_info = record_name.rsplit("/", 1)[0]
    rows = [r for r in rows if r]
    generated = {f"{dist_info}/INSTALLER": b"pip\n"}
    if requested:
        generated[f"{dist_info}/REQUESTED"] = b""
    rows += [[path, _record_hash(data), str(len(data))] for path, data in generated.items()]
    out = io.StringIO()
    csv.writer(out).writerows(sorted(rows))  # the default dialect ends lines with CRLF
    record_size = len(out.getvalue().encode("utf-8"))
    written = {n: s for n, s in sizes.items() if n != record_name}
    total = sum(written.values()) + sum(len(d) for d in generated.values()) + record_size
    return total, len(written) + len(generated) + 1
