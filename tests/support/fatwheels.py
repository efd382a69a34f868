"""Wheels with fat in them, and constructed reports, for the analysis tests.

:func:`build_fat` writes a small set whose findings are known to the byte:

* ``webapp 1.0`` requires ``alpha`` and ``common``; ``worker 1.0`` requires ``beta`` and
  ``common``. Dropping webapp saves webapp + alpha, dropping worker saves worker + beta;
  ``common`` belongs to neither.
* ``alpha 1.0``: a test suite (``alpha/tests/``: 5,000 + 20,000 bytes), a C header (700), a
  bundled ``alpha.libs/libgfortran-040039e1-0352e75f.so.5.0.0`` (30,000).
* ``beta 1.0``: the same library file in ``beta.libs/`` (30,000, identical), docs
  (``beta/docs/guide.txt``: 4,000) and a type stub (``beta/types.pyi``: 300).
* For the diff tests: ``webapp 2.0`` requires ``alpha>=2`` (60,000 more bytes in
  ``alpha/big.bin``), ``common`` and a new ``gamma``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from wheelbuilder import build_wheel

from sizefloor.analysis.summary import analysed
from sizefloor.report import InstalledFile, PackageSize, Report, RuntimeSize, Totals

__all__ = [
    "LIB",
    "build_fat",
    "make_report",
    "pkg",
]

LIB = "libgfortran-040039e1-0352e75f.so.5.0.0"
TESTS_BYTES = 25_000
HEADER_BYTES = 700
LIB_BYTES = 30_000
DOCS_BYTES = 4_000
STUB_BYTES = 300


def build_fat(dest: Path) -> Path:
    build_wheel(
        dest,
        "webapp",
        "1.0",
        files={"webapp/__init__.py": b"# web\n" * 50},
        requires_dist=["alpha<2", "common"],
    )
    build_wheel(
        dest,
        "webapp",
        "2.0",
        files={"webapp/__init__.py": b"# web\n" * 60},
        requires_dist=["alpha>=2", "common", "gamma"],
    )
    build_wheel(
        dest,
        "worker",
        "1.0",
        files={"worker/__init__.py": b"# work\n" * 30},
        requires_dist=["beta", "common"],
    )
    alpha = {
        "alpha/__init__.py": b"A = 1\n" * 20,
        "alpha/tests/__init__.py": b"",
        "alpha/tests/test_a.py": b"t" * 5_000,
        "alpha/tests/data.bin": b"\0" * 20_000,
        "alpha/core.h": b"h" * HEADER_BYTES,
        f"alpha.libs/{LIB}": b"\x7fELF" + b"L" * (LIB_BYTES - 4),
    }
    build_wheel(dest, "alpha", "1.0", files=alpha)
    build_wheel(dest, "alpha", "2.0", files={**alpha, "alpha/big.bin": b"B" * 60_000})
    build_wheel(
        dest,
        "beta",
        "1.0",
        files={
            "beta/__init__.py": b"B = 2\n" * 10,
            "beta/docs/guide.txt": b"d" * DOCS_BYTES,
            "beta/types.pyi": b"s" * STUB_BYTES,
            f"beta.libs/{LIB}": b"\x7fELF" + b"L" * (LIB_BYTES - 4),
        },
    )
    build_wheel(dest, "common", "1.0", files={"common/__init__.py": b"C = 3\n" * 100})
    build_wheel(dest, "gamma", "1.0", files={"gamma/__init__.py": b"G\n" * 5_000})
    return dest


SITE = "lib/python3.12/site-packages"


def pkg(
    name: str,
    size: int | None = None,
    *,
    required_by: tuple[str, ...] = (),
    requested: bool = False,
    version: str = "1.0",
    files: dict[str, int] | None = None,
    generated: tuple[str, ...] = (),
) -> PackageSize:
    """A package of a constructed report; ``files`` are site-packages paths -> sizes
    (``size`` defaults to their sum), ``generated`` those the installer writes."""
    contents = tuple(
        InstalledFile(f"{SITE}/{path}", n, path not in generated)
        for path, n in sorted((files or {}).items())
    )
    total = size if size is not None else sum(f.size for f in contents)
    return PackageSize(
        name=name,
        version=version,
        filename=f"{name}-{version}-py3-none-any.whl",
        installed_bytes=total,
        disk_bytes=total,
        download_bytes=total // 3,
        files=len(contents),
        exact=True,
        required_by=required_by,
        requested=requested,
        contents=contents,
    )


def make_report(*packages: PackageSize) -> Report:
    """A report as an estimate makes one: its packages largest first, analysed."""
    ordered = tuple(sorted(packages, key=lambda p: (-p.installed_bytes, p.name)))
    report = Report(
        sizefloor_version="test",
        target={
            "python": "3.12",
            "platform": "linux/amd64",
            "libc": "glibc",
            "libc_version": "2.41",
        },
        packages=ordered,
        totals=Totals.of(ordered),
        compile_bytecode=False,
        sources=("requirements.txt",),
    )
    return analysed(report)


def floor_report(
    packages: dict[str, int],
    runtime: int | None = None,
    *,
    runtime_name: str = "python:3.11-slim",
    target: dict[str, str] | None = None,
) -> Report:
    """An estimate of ``packages`` (name -> installed bytes) with a runtime of ``runtime``
    bytes under them, as the image audit compares an image with it."""
    report = make_report(*(pkg(name, size) for name, size in packages.items()))
    if target is not None:
        report = replace(report, target={**report.target, **target})
    if runtime is None:
        return report
    size = RuntimeSize(
        base=runtime_name,
        python="3.11",
        installed_bytes=runtime,
        download_bytes=0,
        disk_bytes=runtime,
        source="test",
        exact=True,
    )
    return replace(report, runtime=size)
