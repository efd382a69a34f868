"""``--base host``: the interpreter running sizefloor, measured from its own files.

The floor counts what CPython needs to run: the standard library's source,
``lib-dynload`` (the extension modules), ``libpython`` (when the interpreter
is built shared) and the interpreter binary. Counted separately and left out
of the floor, because an image can drop them: the test suites (``test``,
``tests``, ``idle_test`` directories), IDLE, tkinter and turtle, ensurepip's
bundled wheels, the static ``libpython*.a``, the C headers, and bytecode
(``__pycache__``). The interpreter's ``site-packages`` is the dependencies'
place, not the runtime's, and is not walked.

Sizes are those of ``du``: ``bytes`` is the apparent size (``du -b``; a
symbolic link is the length of its target, a hard link counted once),
``disk_bytes`` the allocated blocks (``du -B1``) of the same files.
System libraries the interpreter loads (libc, OpenSSL, ...) are not its own
files and are not counted.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sizefloor.cache import Cache
from sizefloor.report import RuntimePart, RuntimeSize

__all__ = ["FLOOR_PARTS", "HostRuntime", "Part", "measure"]

FLOOR_PARTS: tuple[str, ...] = ("stdlib", "lib-dynload", "libpython", "binary")
"""The parts the floor counts; every other part is measured and left out."""

EXCLUDED_PARTS: tuple[str, ...] = (
    "tests",
    "idle",
    "tkinter",
    "ensurepip",
    "bytecode",
    "static library",
    "headers",
)

_TEST_DIRS = frozenset({"test", "tests", "idle_test"})


@dataclass(frozen=True)
class Part:
    """One kind of file of the interpreter, with every file's sizes."""

    name: str
    files: tuple[tuple[str, int, int], ...]
    """``(path, apparent bytes, allocated bytes)``, hard links once."""

    @property
    def in_floor(self) -> bool:
        return self.name in FLOOR_PARTS

    @property
    def bytes(self) -> int:
        return sum(size for _, size, _ in self.files)

    @property
    def disk_bytes(self) -> int:
        return sum(blocks for _, _, blocks in self.files)

    def to_part(self) -> RuntimePart:
        return RuntimePart(
            name=self.name,
            bytes=self.bytes,
            disk_bytes=self.disk_bytes,
            files=len(self.files),
            in_floor=self.in_floor,
        )


@dataclass(frozen=True)
class HostRuntime:
    """The interpreter's files, by part."""

    python: str
    prefix: str
    executable: str
    parts: tuple[Part, ...]
    download_bytes: int
    """The floor's files as one gzip -6 layer (contents only, no tar headers)."""

    def part(self, name: str) -> Part:
        for part in self.parts:
            if part.name == name:
                return part
        return Part(name, ())

    @property
    def floor_bytes(self) -> int:
        return sum(p.bytes for p in self.parts if p.in_floor)

    @property
    def floor_disk_bytes(self) -> int:
        return sum(p.disk_bytes for p in self.parts if p.in_floor)

    def to_runtime(self) -> RuntimeSize:
        left_out = [p for p in self.parts if not p.in_floor and p.files]
        note = "the interpreter's own files; system libraries (libc, OpenSSL, ...) not counted"
        if left_out:
            note += "; left out: " + ", ".join(p.name for p in left_out)
        return RuntimeSize(
            base="host",
            python=self.python,
            installed_bytes=self.floor_bytes,
            download_bytes=self.download_bytes,
            disk_bytes=self.floor_disk_bytes,
            source=f"measured: {self.executable} and its files under {self.prefix}",
            exact=True,
            image=None,
            method="measured",
            note=note,
            parts=tuple(p.to_part() for p in self.parts),
        )


@dataclass(frozen=True)
class InterpreterLayout:
    """Where an interpreter keeps its files."""

    stdlib: Path
    dynload: Path
    executable: Path
    libpython: Path | None
    static_libs: tuple[Path, ...]
    include: Path | None
    prefix: Path


def layout() -> InterpreterLayout:
    """This interpreter's layout, from ``sysconfig`` (the base installation, not a venv)."""
    stdlib = Path(sysconfig.get_path("stdlib"))
    dest = sysconfig.get_config_var("DESTSHARED")
    dynload = Path(dest) if dest and Path(dest).is_dir() else stdlib / "lib-dynload"
    executable = Path(os.path.realpath(getattr(sys, "_base_executable", sys.executable)))
    libpython: Path | None = None
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        libdir = sysconfig.get_config_var("LIBDIR") or ""
        soname = sysconfig.get_config_var("INSTSONAME") or sysconfig.get_config_var("LDLIBRARY")
        candidate = Path(libdir, soname or "")
        if soname and candidate.exists():
            libpython = Path(os.path.realpath(candidate))
    statics: list[Path] = []
    library = sysconfig.get_config_var("LIBRARY")
    if library:
        for directory in (sysconfig.get_config_var("LIBPL"), sysconfig.get_config_var("LIBDIR")):
            if directory and Path(directory, library).is_file():
                statics.append(Path(directory, library))
    include = Path(sysconfig.get_path("include"))
    return InterpreterLayout(
        stdlib=stdlib,
        dynload=dynload,
        executable=executable,
        libpython=libpython,
        static_libs=tuple(dict.fromkeys(statics)),
        include=include if include.is_dir() else None,
        prefix=Path(sys.base_prefix),
    )


def _walk(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every non-directory under ``root`` with its ``lstat``, in a stable order."""
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path))
            else:
                yield Path(entry.path), entry.stat(follow_symlinks=False)
        except OSError:
            continue


def classify(relative: str, *, dynload: bool) -> str:
    """The part a file under the standard library belongs to (``relative`` to it)."""
    parts = relative.split("/")
    name = parts[-1]
    if any(p in _TEST_DIRS for p in parts[:-1]):
        return "tests"
    top = parts[0]
    if top == "idlelib":
        return "idle"
    if (
        top in ("tkinter", "turtledemo")
        or name in ("turtle.py",)
        or (dynload and name.startswith("_tkinter"))
    ):
        return "tkinter"
    if top == "ensurepip":
        return "ensurepip"
    if "__pycache__" in parts or name.endswith((".pyc", ".pyo")):
        return "bytecode"
    if name.startswith("libpython") and name.endswith(".a"):
        return "static library"
    if dynload:
        return "lib-dynload"
    return "stdlib"


def measure(where: InterpreterLayout | None = None, *, compress: bool = True) -> HostRuntime:
    """Walk the interpreter's files once and sort them into parts."""
    lay = where or layout()
    seen: set[tuple[int, int]] = set()
    parts: dict[str, list[tuple[str, int, int]]] = {
        name: [] for name in (*FLOOR_PARTS, *EXCLUDED_PARTS)
    }

    def add(part: str, path: Path, st: os.stat_result | None = None) -> None:
        if st is None:
            try:
                st = path.lstat()
            except OSError:
                return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            return
        seen.add(key)
        parts[part].append((str(path), st.st_size, st.st_blocks * 512))

    skip = {"site-packages", "dist-packages"}
    if lay.dynload.is_dir():
        for path, st in _walk(lay.dynload):
            add(classify(path.relative_to(lay.dynload).as_posix(), dynload=True), path, st)
    static = {str(p) for p in lay.static_libs}
    stdlib = str(lay.stdlib) + os.sep
    for path, st in _walk(lay.stdlib):
        relative = str(path)[len(stdlib) :].replace(os.sep, "/")
        if relative.split("/")[0] in skip:
            continue
        if str(path) in static:
            add("static library", path, st)
            continue
        add(classify(relative, dynload=False), path, st)
    add("binary", lay.executable)
    if lay.libpython is not None:
        add("libpython", lay.libpython)
    for path in lay.static_libs:
        add("static library", path)
    if lay.include is not None:
        for path, st in _walk(lay.include):
            add("headers", path, st)
    floor_files = [f for name in FLOOR_PARTS for f in parts[name]]
    download = _gzip_size(path for path, _, _ in floor_files) if compress else 0
    version = ".".join(str(v) for v in sys.version_info[:3])
    return HostRuntime(
        python=version,
        prefix=str(lay.prefix),
        executable=str(lay.executable),
        parts=tuple(Part(name, tuple(files)) for name, files in parts.items()),
        download_bytes=download,
    )


def measure_cached(cache_dir: Path | None) -> RuntimeSize:
    """:func:`measure`, remembered in sizefloor's cache (``cache_dir``; ``None``: no cache)
    until the interpreter's binary, libpython, standard library or lib-dynload
    directory changes."""
    lay = layout()
    stamp = [sys.version, str(lay.stdlib)]
    for path in (lay.executable, lay.libpython, lay.stdlib, lay.dynload):
        if path is not None:
            try:
                st = path.stat()
            except OSError:
                continue
            stamp.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    key = "|".join(stamp)
    cache = Cache(cache_dir)
    try:
        stored = cache.get("host", key)
        if isinstance(stored, dict):
            try:
                return _runtime_from_json(stored)
            except (KeyError, TypeError, ValueError):
                pass
        runtime = measure(lay).to_runtime()
        cache.set("host", key, runtime.to_json())
        return runtime
    finally:
        cache.close()


def _runtime_from_json(data: dict[str, object]) -> RuntimeSize:
    parts = data.get("parts") or []
    assert isinstance(parts, list)
    return RuntimeSize(
        base=str(data["base"]),
        python=str(data["python"]),
        installed_bytes=int(str(data["installed_bytes"])),
        download_bytes=int(str(data["download_bytes"])),
        disk_bytes=int(str(data["disk_bytes"])),
        source=str(data["source"]),
        exact=bool(data["exact"]),
        method=str(data["method"]),
        note=str(data["note"]) if data.get("note") else None,
        arch=str(data["arch"]) if data.get("arch") else None,
        parts=tuple(
            RuntimePart(
                name=str(p["name"]),
                bytes=int(p["bytes"]),
                disk_bytes=int(p["disk_bytes"]),
                files=int(p["files"]),
                in_floor=bool(p["in_floor"]),
            )
            for p in parts
        ),
    )


def _gzip_size(paths: Iterator[str]) -> int:
    """Each file gzip -6 compressed (in parallel; gzip's window makes one stream
    per file within a few bytes of one stream for all)."""

    def one(path: str) -> int:
        if os.path.islink(path):
            return 0
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        total = 0
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    total += len(compressor.compress(chunk))
        except OSError:
            return 0
        return total + len(compressor.flush())

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return sum(pool.map(one, list(paths)))
