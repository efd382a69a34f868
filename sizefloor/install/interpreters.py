"""CPython interpreters of a given version, found where users keep them.

A ``.pyc`` is what one CPython X.Y makes of a source, so calibrating the
bytecode model and ``--exact-bytecode`` need a CPython of the *target's*
X.Y, which is often not the one running sizefloor. :func:`find` looks, in
this order, and takes the first candidate that passes the check:

1. ``--python-exe PATH`` (:attr:`sizefloor.options.Options.python_exe`): that
   one alone; one that fails the check is an :class:`~sizefloor.errors.InterpreterError`;
2. the running interpreter;
3. ``pythonX.Y`` in each ``PATH`` folder, in order (all of them, not only the
   first: a version manager's shim that is not selected fails to run, as
   ``pyenv: python3.12: command not found`` does, and is skipped). Shim folders
   (``.../shims``) are tried last, after the managers' own folders below;
4. pyenv: ``$PYENV_ROOT/versions/X.Y*`` (default ``~/.pyenv``);
5. uv: its managed Pythons, ``$UV_PYTHON_INSTALL_DIR/cpython-X.Y*`` (default
   ``$XDG_DATA_HOME/uv/python``, ``~/.local/share/uv/python``; ``%APPDATA%\\uv\\data\\python``
   on Windows);
6. asdf (``$ASDF_DATA_DIR/installs/python/X.Y*``, default ``~/.asdf``) and mise
   (``$MISE_DATA_DIR/installs/python/X.Y*``, default ``~/.local/share/mise``);
7. conda: the active environment (``$CONDA_PREFIX``), the environments
   ``~/.conda/environments.txt`` lists, and the ``envs/`` of the usual
   installations (``$CONDA_EXE``'s, ``~/miniconda3``, ``~/anaconda3``,
   ``~/miniforge3``, ``~/mambaforge``, ``/opt/conda``);
8. ``/usr/local/bin``, ``/usr/bin``, ``/opt/python*`` (``/opt/python3.12/bin``,
   ``/opt/python/3.12.1/bin``);
9. the shim folders of step 3; then ``uv python find X.Y`` when uv is on ``PATH``.

Newer patch releases come first within a folder. **The check** runs the
candidate once (``-I -c``, isolated) and asks its implementation, version,
whether it is a free-threaded build (skipped: images run the default build)
and its real ``sys.executable`` (a shim that works is replaced by what it
runs). It must say CPython X.Y. The answer is kept for the process, and, for
an executable file that is a binary (not a script: a shim's answer depends on
the folder it runs in), in sizefloor's cache under the file's identity (its
resolved path, inode, size and modification time): a warm run lists a few
folders and runs nothing.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sizefloor.errors import InterpreterError

if TYPE_CHECKING:
    from sizefloor.cache import Cache
    from sizefloor.options import Options

__all__ = [
    "Interpreter",
    "Search",
    "find",
    "for_options",
    "install_command",
    "search",
]

PROBE = (
    "import sys, sysconfig; print(sys.implementation.name, '%d.%d.%d' % sys.version_info[:3], "
    "int(bool(sysconfig.get_config_var('Py_GIL_DISABLED'))), sys.executable)"
)
"""What a candidate is asked: ``cpython 3.12.1 0 /real/path/python3.12``."""

PROBE_TIMEOUT = 10.0
"""Seconds a candidate may take to answer (a shim runs a shell script first)."""

_BINARY_MAGIC = (
    b"\x7fELF",  # Linux, BSD
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit
    b"\xca\xfe\xba\xbe",  # Mach-O universal
    b"MZ",  # Windows
)


@dataclass(frozen=True)
class Interpreter:
    """A CPython that passed the check."""

    executable: str
    version: str
    """``3.12.1``: the full version, part of every cache key its sizes go under."""
    found: str = "running"
    """Where it was found: ``running``, ``--python-exe``, ``PATH``, ``pyenv``, ``uv``,
    ``asdf``, ``mise``, ``conda``, ``/usr/local/bin``, ``/usr/bin``, ``/opt``,
    ``shims`` or ``uv python find``."""

    @property
    def identity(self) -> str:
        major, minor = self.version.split(".")[:2]
        return f"cpython-{major}{minor}-{self.version}"

    def to_json(self) -> dict[str, str]:
        return {"executable": self.executable, "version": self.version, "found": self.found}


@dataclass(frozen=True)
class Search:
    """What :func:`search` found, and where it looked."""

    version: tuple[int, int]
    interpreter: Interpreter | None
    looked: tuple[str, ...]
    """The places tried, in order (``PATH``, ``pyenv``...): for the message when none."""
    rejected: tuple[str, ...] = ()
    """Candidates that ran but failed the check, and why (``path: CPython 3.11.7``)."""


_found: dict[tuple[tuple[int, int], str | None], Search] = {}
_probed: dict[str, tuple[str, str, bool, str] | None] = {}
_lock = threading.Lock()


def find(
    version: tuple[int, int], *, explicit: str | None = None, cache: Cache | None = None
) -> Interpreter | None:
    """A CPython of ``version`` (see the module's docstring), or ``None``."""
    return search(version, explicit=explicit, cache=cache).interpreter


def search(
    version: tuple[int, int], *, explicit: str | None = None, cache: Cache | None = None
) -> Search:
    """:func:`find`, with where it looked; asked once a process per version.

    Raises :class:`~sizefloor.errors.InterpreterError` when ``explicit`` does not
    name a CPython of ``version``."""
    version = (int(version[0]), int(version[1]))
    key = (version, explicit)
    with _lock:
        if key not in _found:
            _found[key] = _search(version, explicit, cache)
        return _found[key]


def for_options(
    options: Options, version: tuple[int, int], cache: Cache | None = None
) -> Search | None:
    """The search an estimate with ``options`` makes for its target's ``version``; ``None``
    when it compiles nothing (``--no-compile``, or ``--model-bytecode`` alone). Raises
    :class:`~sizefloor.errors.InterpreterError` for a ``--python-exe`` that is not one."""
    if not options.compile_bytecode:
        return None
    if not (options.exact_bytecode or options.sample_bytecode):
        return None
    return search(version, explicit=options.python_exe, cache=cache)


def forget() -> None:
    """Forget what was found and checked in this process (tests, long-lived callers)."""
    with _lock:
        _found.clear()
        _probed.clear()


def _search(version: tuple[int, int], explicit: str | None, cache: Cache | None) -> Search:
    xy = f"{version[0]}.{version[1]}"
    if explicit is not None:
        return _explicit(version, explicit, cache)
    if sys.implementation.name == "cpython" and sys.version_info[:2] == version and sys.executable:
        running = Interpreter(sys.executable, ".".join(map(str, sys.version_info[:3])), "running")
        return Search(version, running, ("running",))
    looked: list[str] = []
    rejected: list[str] = []
    seen: set[str] = set()
    for place, candidates in _places(version):
        looked.append(place)
        for candidate in candidates:
            real = os.path.realpath(candidate)
            if real in seen:
                continue
            seen.add(real)
            answer = _probe(candidate, cache)
            if answer is None:
                continue
            name, full, free_threaded, executable = answer
            if name != "cpython" or ".".join(full.split(".")[:2]) != xy or free_threaded:
                kind = "free-threaded " if free_threaded else ""
                rejected.append(f"{candidate}: {kind}{_label(name)} {full}")
                continue
            where = executable if executable and os.path.isfile(executable) else candidate
            return Search(version, Interpreter(where, full, place), tuple(looked), tuple(rejected))
    return Search(version, None, tuple(looked), tuple(rejected))


def _explicit(version: tuple[int, int], path: str, cache: Cache | None) -> Search:
    xy = f"{version[0]}.{version[1]}"
    executable = shutil.which(path) if os.sep not in path and "/" not in path else path
    if executable is None or not os.path.isfile(executable):
        raise InterpreterError(
            f"--python-exe {path}: no such file.",
            hint=f"Name the path of a CPython {xy} executable, or leave --python-exe out to "
            "let sizefloor look for one.",
        )
    answer = _probe(executable, cache)
    if answer is None:
        raise InterpreterError(
            f"--python-exe {path} does not run (or does not answer as a Python does).",
            hint=f"Name a CPython {xy} that runs, e.g. the output of `uv python find {xy}`.",
        )
    name, full, free_threaded, real = answer
    if name != "cpython" or ".".join(full.split(".")[:2]) != xy or free_threaded:
        kind = "a free-threaded " if free_threaded else ""
        raise InterpreterError(
            f"--python-exe {path} is {kind}{_label(name)} {full}; the target's Python is "
            f"CPython {xy}, whose .pyc files only a CPython {xy} can compile.",
            hint=f"Name a CPython {xy} (default build), or change the target's --python.",
        )
    where = real if real and os.path.isfile(real) else executable
    return Search(version, Interpreter(where, full, "--python-exe"), ("--python-exe",))


def _label(name: str) -> str:
    return {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}.get(name, name)


# -- where to look ------------------------------------------------------------------------


def _places(version: tuple[int, int]) -> Iterator[tuple[str, list[str]]]:
    """(place, candidate executables) in the order they are tried; each place's list
    is built only when the places before it had nothing."""
    xy = f"{version[0]}.{version[1]}"
    names = _names(xy)
    path_dirs = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    shims = [d for d in path_dirs if _is_shims(d)]
    yield "PATH", _in_dirs([d for d in path_dirs if d not in shims], names)
    home = Path.home()
    pyenv = Path(os.environ.get("PYENV_ROOT") or home / ".pyenv")
    yield "pyenv", _versions(pyenv / "versions", xy, names)
    yield "uv", _uv_managed(xy, names)
    asdf = Path(os.environ.get("ASDF_DATA_DIR") or home / ".asdf")
    yield "asdf", _versions(asdf / "installs" / "python", xy, names)
    mise = Path(os.environ.get("MISE_DATA_DIR") or _data_home() / "mise")
    yield "mise", _versions(mise / "installs" / "python", xy, names)
    yield "conda", _in_dirs([_bin(env) for env in _conda_environments()], names)
    yield "/usr/local/bin", _in_dirs(["/usr/local/bin"], names)
    yield "/usr/bin", _in_dirs(["/usr/bin"], names)
    opt = sorted(glob.glob("/opt/python*"), key=_newest_first)
    opt_bins = [f"{d}/bin" for d in opt] + [
        f"{sub}/bin"
        for d in opt
        for sub in sorted(glob.glob(f"{glob.escape(d)}/{xy}*"), key=_newest_first)
    ]
    yield "/opt", _in_dirs(opt_bins, names)
    yield "shims", _in_dirs(shims, names)
    yield "uv python find", _uv_find(xy)


def _names(xy: str) -> list[str]:
    if sys.platform == "win32":
        return [f"python{xy}.exe", "python.exe", f"python{xy}"]
    return [f"python{xy}"]


def _is_shims(directory: str) -> bool:
    return Path(directory).name == "shims"


def _bin(prefix: Path) -> str:
    return str(prefix) if sys.platform == "win32" else str(prefix / "bin")


def _in_dirs(directories: Sequence[str], names: Sequence[str]) -> list[str]:
    found: list[str] = []
    for directory in directories:
        for name in names:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                found.append(path)
    return found


def _versions(folder: Path, xy: str, names: Sequence[str]) -> list[str]:
    """The interpreters of the ``X.Y*`` installations in a version manager's folder."""
    if not _is_dir(folder):
        return []
    wanted = re.compile(rf"^{re.escape(xy)}(?:$|[.\-a-z])")
    try:
        entries = [e for e in os.listdir(folder) if wanted.match(e)]
    except OSError:
        return []
    entries.sort(key=_newest_first)
    return _in_dirs([_bin(folder / e) for e in entries], names)


def _uv_managed(xy: str, names: Sequence[str]) -> list[str]:
    """uv's managed Pythons: ``cpython-3.12.8-linux-x86_64-gnu/bin/python3.12``."""
    roots: list[Path] = []
    if os.environ.get("UV_PYTHON_INSTALL_DIR"):
        roots.append(Path(os.environ["UV_PYTHON_INSTALL_DIR"]))
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        roots.append(Path(os.environ["APPDATA"]) / "uv" / "data" / "python")
    roots.append(_data_home() / "uv" / "python")
    found: list[str] = []
    for root in roots:
        if not _is_dir(root):
            continue
        try:
            entries = [e for e in os.listdir(root) if re.match(rf"cpython-{re.escape(xy)}[.\-]", e)]
        except OSError:
            continue
        entries = [e for e in entries if "+freethreaded" not in e]
        entries.sort(key=_newest_first)
        found += _in_dirs([_bin(root / e) for e in entries], [*names, "python3"])
    return found


def _is_dir(path: Path) -> bool:
    """``path.is_dir()``, false where a folder on the way cannot be read (another user's
    home, a sandbox): a place to look that cannot be looked in is passed over."""
    try:
        return path.is_dir()
    except OSError:
        return False


def _data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def _conda_environments() -> list[Path]:
    envs: list[Path] = []
    if os.environ.get("CONDA_PREFIX"):
        envs.append(Path(os.environ["CONDA_PREFIX"]))
    listed = Path.home() / ".conda" / "environments.txt"
    with contextlib.suppress(OSError):
        envs += [Path(line.strip()) for line in listed.read_text().splitlines() if line.strip()]
    roots = [Path(os.environ["CONDA_EXE"]).parent.parent] if os.environ.get("CONDA_EXE") else []
    home = Path.home()
    roots += [home / n for n in ("miniconda3", "anaconda3", "miniforge3", "mambaforge")]
    roots.append(Path("/opt/conda"))
    for root in roots:
        if _is_dir(root):
            envs.append(root)
            envs_dir = root / "envs"
            if _is_dir(envs_dir):
                with contextlib.suppress(OSError):
                    envs += sorted(envs_dir / e for e in os.listdir(envs_dir))
    return list(dict.fromkeys(envs))


def _uv_find(xy: str) -> list[str]:
    """What ``uv python find X.Y`` answers, when uv is on ``PATH``."""
    uv = shutil.which("uv")
    if uv is None:
        return []
    try:
        done = subprocess.run(
            [uv, "python", "find", xy],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    path = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return [path] if done.returncode == 0 and path and os.path.isfile(path) else []


def _newest_first(name: str) -> tuple[int, ...]:
    """A sort key putting ``3.12.10`` before ``3.12.9`` before ``3.12``."""
    numbers = [int(n) for n in re.findall(r"\d+", os.path.basename(name))[:3]]
    return tuple(-n for n in numbers)


# -- the check -------------------------------------------------------------------------------


def _probe(executable: str, cache: Cache | None) -> tuple[str, str, bool, str] | None:
    """(implementation, full version, free-threaded, sys.executable) of a candidate, or
    ``None`` when it does not run or answer."""
    identity = _identity(executable)
    with_key = identity is not None
    key = identity or f"script:{executable}"
    if key in _probed:
        return _probed[key]
    if with_key and cache is not None:
        stored = cache.get("interpreter", key)
        if isinstance(stored, list) and len(stored) == 4:
            known = (str(stored[0]), str(stored[1]), bool(stored[2]), str(stored[3]))
            _probed[key] = known
            return known
        if stored == "none":
            _probed[key] = None
            return None
    answer = _ask(executable)
    _probed[key] = answer
    if with_key and cache is not None:
        cache.set("interpreter", key, list(answer) if answer is not None else "none")
    return answer


def _identity(executable: str) -> str | None:
    """The resolved file's identity when it is a binary (its answer then cannot change
    while the file does not); ``None`` for a script, such as a version manager's shim."""
    real = os.path.realpath(executable)
    try:
        info = os.stat(real)
        with open(real, "rb") as f:
            head = f.read(4)
    except OSError:
        return None
    if not head.startswith(_BINARY_MAGIC):
        return None
    return json.dumps([real, info.st_ino, info.st_size, info.st_mtime_ns])


def _ask(executable: str) -> tuple[str, str, bool, str] | None:
    try:
        done = subprocess.run(
            [executable, "-I", "-c", PROBE],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    words = done.stdout.strip().split(" ", 3)
    if done.returncode != 0 or len(words) < 3:
        return None
    if not re.fullmatch(r"\d+\.\d+\.\d+", words[1]):
        return None
    return words[0], words[1], words[2] == "1", words[3] if len(words) > 3 else ""


# -- when none is found -----------------------------------------------------------------------


def install_command(version: tuple[int, int]) -> str:
    """The command that installs a CPython ``version`` with the manager this machine has
    (uv's when none is here)."""
    xy = f"{version[0]}.{version[1]}"
    if shutil.which("uv"):
        return f"uv python install {xy}"
    if shutil.which("pyenv") or os.environ.get("PYENV_ROOT"):
        return f"pyenv install {xy}"
    if shutil.which("mise"):
        return f"mise install python@{xy}"
    if shutil.which("asdf"):
        return f"asdf install python latest:{xy}"
    if shutil.which("conda"):
        return f"conda create -n py{xy.replace('.', '')} python={xy}"
    return f"uv python install {xy}"
