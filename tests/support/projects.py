"""Sets of wheels and sdists the end-to-end tests serve, built with :mod:`wheelbuilder`.

Each ``build_*`` function writes into a directory and returns it; the test modules wrap them
in session-scoped fixtures. Everything is deterministic (fixed seeds, fixed timestamps).
"""

from __future__ import annotations

import random
import shutil
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path

from wheelbuilder import ZIP_EPOCH, build_sdist, build_wheel, make_files

__all__ = [
    "BIG_FILES",
    "BIG_FILE_SIZE",
    "DUP_FIRST",
    "DUP_SECOND",
    "build_big",
    "build_graph",
    "build_sdist_graph",
    "build_selection",
    "copy_wheels",
]

#: The duplicated member of ``app``: the zip holds ``app/dup.py`` twice; pip writes the
#: later one. Both two-digit sizes, so the RECORD row (written for the first) has the
#: length it would have for the second.
DUP_FIRST = b"a" * 10
DUP_SECOND = b"# second\n" + b"b" * 16

BIG_FILES = 200
BIG_FILE_SIZE = 17_500  # 200 x 17,500 = 3.5 MB of incompressible bytes


def build_graph(dest: Path) -> Path:
    """``app`` -> ``lib>=1`` and ``tool[cli]``; ``tool``'s ``cli`` extra adds ``clickish``.

    ``app`` has an entry point, a ``#!python`` script in ``.data/scripts``, ``.data/purelib``,
    ``.data/headers`` and ``.data/data`` members, and a member listed twice in its zip.
    ``lib`` has 1.0 and 2.0 (2.0 is picked); ``tool`` has an unused extra ``extra2``.
    """
    app = build_wheel(
        dest,
        "app",
        "1.0",
        files={
            "app/__init__.py": b"",
            "app/main.py": b"def run():\n    return 0\n",
            "app/dup.py": DUP_FIRST,
            **make_files(5, 700, "app/mod"),
        },
        requires_dist=["lib>=1", "tool[cli]"],
        entry_points={"console_scripts": {"app": "app.main:run"}},
        data={
            "scripts/x": b"#!python\nprint('x')\n",
            "purelib/app_extra.py": b"EXTRA = 1\n",
            "headers/app.h": b"#define APP 1\n",
            "data/share/app/x.txt": b"hello from app\n",
        },
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with zipfile.ZipFile(app, "a") as zf:
            info = zipfile.ZipInfo("app/dup.py", date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            zf.writestr(info, DUP_SECOND)
    if not any("Duplicate name" in str(w.message) for w in caught):
        raise RuntimeError("zipfile did not warn about the duplicate member")
    build_wheel(dest, "lib", "1.0", files={"lib/__init__.py": b"VERSION = 1\n"})
    build_wheel(dest, "lib", "2.0", files={"lib/__init__.py": b"VERSION = 2\n" * 10})
    build_wheel(
        dest,
        "tool",
        "1.0",
        files={"tool/__init__.py": b"TOOL = 1\n", "tool/cli.py": b"def main():\n    pass\n"},
        requires_dist=['clickish>=0.5; extra == "cli"', 'unused-dep; extra == "extra2"'],
        extra_metadata=["Provides-Extra: cli", "Provides-Extra: extra2"],
    )
    build_wheel(dest, "clickish", "0.4", files={"clickish/__init__.py": b"OLD = 1\n"})
    build_wheel(dest, "clickish", "0.5", files={"clickish/__init__.py": b"CLICK = 1\n" * 3})
    return dest


def build_big(dest: Path) -> Path:
    """``bigpkg`` 1.0: 200 files of incompressible bytes (3.5 MB), ``random.Random(0)``."""
    rng = random.Random(0)
    files = {f"bigpkg/blob{i:03d}.bin": rng.randbytes(BIG_FILE_SIZE) for i in range(BIG_FILES)}
    files["bigpkg/__init__.py"] = b"BIG = True\n"
    build_wheel(dest, "bigpkg", "1.0", files=files)
    return dest


def build_selection(dest: Path) -> Path:
    """Projects that exercise file selection: platforms, markers, Requires-Python, yanked,
    pre-releases and upload times."""
    # natx: two platform wheels of different sizes; arm64 pulls armhelper in by a marker
    native_deps = ['armhelper; platform_machine == "aarch64"']
    for arch, size in (("aarch64", 5_000), ("x86_64", 8_000)):
        build_wheel(
            dest,
            "natx",
            "1.0",
            files={"natx/__init__.py": b"", f"natx/_native.{arch}.so": bytes(size)},
            requires_dist=native_deps,
            tag=f"cp312-cp312-manylinux_2_17_{arch}",
        )
    build_wheel(dest, "armhelper", "1.0", files={"armhelper/__init__.py": b"ARM = 1\n" * 20})
    # compat: a backport only below 3.11
    build_wheel(
        dest,
        "compat",
        "1.0",
        files={"compat/__init__.py": b"C = 1\n"},
        requires_dist=['backport>=1; python_version < "3.11"'],
    )
    build_wheel(dest, "backport", "1.0", files={"backport/__init__.py": b"B = 1\n" * 50})
    # muslx: a musllinux wheel and a manylinux one
    build_wheel(
        dest,
        "muslx",
        "1.0",
        files={"muslx/__init__.py": b"", "muslx/_m.so": bytes(3_000)},
        tag="cp312-cp312-musllinux_1_2_x86_64",
    )
    build_wheel(
        dest,
        "muslx",
        "1.0",
        files={"muslx/__init__.py": b"", "muslx/_m.so": bytes(6_000)},
        tag="cp312-cp312-manylinux_2_17_x86_64",
    )
    # winonly: nothing for Linux
    build_wheel(
        dest,
        "winonly",
        "1.0",
        files={"winonly/__init__.py": b"", "winonly/_w.pyd": bytes(100)},
        tag="cp312-cp312-win_amd64",
    )
    # rp: the newest version needs Python 3.13
    build_wheel(dest, "rp", "1.0", files={"rp/__init__.py": b"R = 1\n"}, requires_python=">=3.8")
    build_wheel(
        dest, "rp", "2.0", files={"rp/__init__.py": b"R = 2\n" * 7}, requires_python=">=3.13"
    )
    # yk: 1.1 is yanked
    build_wheel(dest, "yk", "1.0", files={"yk/__init__.py": b"Y = 1\n"})
    build_wheel(dest, "yk", "1.1", files={"yk/__init__.py": b"Y = 11\n" * 9})
    # pr: 2.0b1 is a pre-release
    build_wheel(dest, "pr", "1.0", files={"pr/__init__.py": b"P = 1\n"})
    build_wheel(dest, "pr", "2.0b1", files={"pr/__init__.py": b"P = 2\n" * 11})
    # up: 2.0 uploaded later (the test server is told when)
    build_wheel(dest, "up", "1.0", files={"up/__init__.py": b"U = 1\n"})
    build_wheel(dest, "up", "2.0", files={"up/__init__.py": b"U = 2\n" * 13})
    return dest


#: What ``srconly``'s sdist ships, by member path under its top directory.
SDIST_FILES = {
    "srconly/__init__.py": b"from .core import *\n" * 10,
    "srconly/core.py": b"def f():\n    return 1\n" * 100,
    "srconly/data/table.txt": b"1,2,3\n" * 50,
    "tests/test_core.py": b"def test():\n    pass\n" * 20,
    "README.md": b"# srconly\n",
}


def build_sdist_graph(dest: Path) -> Path:
    """``usesrc`` (a wheel) needs ``srconly``, which has only an sdist needing ``lib``."""
    build_wheel(
        dest, "usesrc", "1.0", files={"usesrc/__init__.py": b"S = 1\n"}, requires_dist=["srconly"]
    )
    build_sdist(dest, "srconly", "1.0", files=SDIST_FILES, requires_dist=["lib>=2"])
    build_wheel(dest, "lib", "2.0", files={"lib/__init__.py": b"VERSION = 2\n" * 10})
    return dest


def copy_wheels(source: Path, dest: Path, names: Iterable[str]) -> Path:
    """Copy the files of ``source`` whose names start with one of ``names`` + ``-``."""
    dest.mkdir(parents=True, exist_ok=True)
    prefixes = tuple(f"{n}-" for n in names)
    for path in sorted(source.iterdir()):
        if path.name.startswith(prefixes):
            shutil.copy2(path, dest / path.name)
    return dest
