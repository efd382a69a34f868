"""``--compare-bases``: the floor of one requirements set on every base that can run it.

For one architecture, each base family (``python:3.X-slim``, ``-slim-bookworm``,
``-alpine``, the full image, distroless, ``debian:N-slim`` + apt, standalone,
and this interpreter when it is a Linux one of that architecture) is sized
with its own target: its Python, its C library and that library's version.
A base that cannot run the requirements (no wheel for its Python or libc,
clashing ``Requires-Python``) gets a row saying why instead of a floor.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sizefloor.errors import InputError, TargetError
from sizefloor.options import Progress
from sizefloor.report import Floor, Report, RuntimeSize, Totals
from sizefloor.runtime.bases import Base, choose_base, host_platform
from sizefloor.runtime.catalogue import FAMILIES, catalog
from sizefloor.runtime.sizes import runtime_size
from sizefloor.target import ARCHITECTURES, Target, parse_platform

__all__ = ["BaseFloor", "Comparison", "candidates", "compare_bases"]


@dataclass(frozen=True)
class BaseFloor:
    """One base's row: its floor, or why it cannot run the requirements."""

    base: str
    family: str
    python: str | None
    libc: str
    runtime: RuntimeSize | None = None
    totals: Totals | None = None
    floor: Floor | None = None
    packages: int = 0
    notes: tuple[str, ...] = ()
    error: str | None = None
    warnings: tuple[str, ...] = ()
    """What its estimate warned about (the comparison gathers them)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "family": self.family,
            "python": self.python,
            "libc": self.libc,
            "runtime": self.runtime.to_json() if self.runtime else None,
            "dependencies": self.totals.to_json() if self.totals else None,
            "floor": self.floor.to_json() if self.floor else None,
            "packages": self.packages,
            "notes": list(self.notes),
            "error": self.error,
        }


@dataclass(frozen=True)
class Comparison:
    platform: str
    python: str | None
    """The Python asked for (``--python``), else ``None``: each base's own where it has several."""
    rows: tuple[BaseFloor, ...]
    skipped: tuple[tuple[str, str], ...] = ()
    """``(base family, why)`` for families that have nothing for the asked Python or arch."""
    warnings: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "python": self.python,
            "bases": [row.to_json() for row in self.rows],
            "skipped": [{"family": f, "reason": r} for f, r in self.skipped],
            "warnings": list(self.warnings),
        }


def candidates(
    python: str | None, arch: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``([(base name, family)], [(family, why skipped)])`` for a Python and architecture.

    Without ``python`` the families with several Pythons use this interpreter's
    version when they have it (else their newest); distroless and
    ``debian:N-slim`` are listed for each Debian release.
    """
    asked = python is not None
    wanted = _minor(python) if python else (sys.version_info[0], sys.version_info[1])
    chosen: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    for family in FAMILIES.values():
        images = [i for i in catalog().family(family.name) if arch in i.sizes]
        if not images:
            skipped.append((family.name, f"no sizes for {arch}"))
            continue
        if family.name in ("distroless", "debian:slim"):
            for image in images:
                if asked and image.python_minor != wanted:
                    skipped.append((image.name, f"runs Python {image.python_xy}"))
                else:
                    chosen.append((image.name, family.name))
            continue
        exact = [i for i in images if i.python_minor == wanted]
        if exact:
            chosen.append((exact[0].name, family.name))
        elif asked:
            offered = ", ".join(i.python_xy for i in images)
            skipped.append((family.name, f"offers Python {offered}"))
        else:
            chosen.append((images[-1].name, family.name))
    try:
        host_arch, _libc, _version = host_platform()
    except TargetError:
        host_arch = ""
    if host_arch == arch and (not asked or wanted == sys.version_info[:2]):
        chosen.append(("host", "host"))
    return chosen, skipped


def _minor(python: str) -> tuple[int, int]:
    return Target.from_options(python=python).python_version


Estimate = Callable[[Target], Report]


def compare_bases(
    estimate_for: Estimate,
    *,
    python: str | None = None,
    platform: str | None = None,
    refresh: bool = False,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    offline: bool = False,
    progress: Progress | None = None,
) -> Comparison:
    """Size the requirements on every candidate base; ``estimate_for(target)`` runs one
    estimate (the caller binds the requirements and options)."""
    arch = "x86_64"
    warnings: list[str] = []
    if platform is not None:
        spec = parse_platform(platform)
        arch = spec.arch
        if spec.libc is not None:
            warnings.append(
                f"--compare-bases uses only the architecture of --platform {platform}: each "
                "base brings its own C library"
            )
    names, skipped = candidates(python, arch)
    docker = ARCHITECTURES[arch].platform

    def runtime_for(base: Base, target: Target) -> RuntimeSize:
        return runtime_size(
            base,
            target,
            refresh=refresh,
            cache_dir=cache_dir,
            use_cache=use_cache,
            offline=offline,
            progress=progress,
            warn=warnings.append,
        )

    estimates = _Estimates(estimate_for)
    rows = []
    for name, family in names:
        base, target = choose_base(name, python=python, platform=docker)
        row = _row(name, family, base, target, estimates.of(target), runtime_for)
        rows.append(row)
        warnings.extend(row.warnings)
    return Comparison(
        platform=docker,
        python=python,
        rows=tuple(rows),
        skipped=tuple(skipped),
        warnings=tuple(dict.fromkeys(warnings)),
    )


class _Estimates:
    """One estimate per distinct target: several bases share a Python and a C library."""

    def __init__(self, estimate_for: Estimate) -> None:
        self.estimate_for = estimate_for
        self.done: dict[tuple[Any, ...], Report | InputError] = {}

    def of(self, target: Target) -> Report | InputError:
        key = (target.python_version, target.python_full_version, target.arch, target.libc,
               target.libc_version)  # fmt: skip
        if key not in self.done:
            try:
                self.done[key] = self.estimate_for(target)
            except InputError as exc:
                self.done[key] = exc
        return self.done[key]


def _row(
    name: str,
    family: str,
    base: Base,
    target: Target,
    result: Report | InputError,
    runtime_for: Callable[[Base, Target], RuntimeSize],
) -> BaseFloor:
    """One base's row: its floor, or why the requirements cannot run on it."""
    python_shown = (
        base.image.python if base.image else ".".join(str(v) for v in sys.version_info[:3])
    )
    libc = f"{target.libc} {target.libc_version[0]}.{target.libc_version[1]}"
    if isinstance(result, InputError):
        return BaseFloor(name, family, python_shown, libc, error=result.message.splitlines()[0])
    runtime = runtime_for(base, target)
    report = replace(result, runtime=runtime)
    return BaseFloor(
        base=name,
        family=family,
        python=python_shown,
        libc=libc,
        runtime=runtime,
        totals=report.totals,
        floor=report.floor,
        packages=len(report.packages),
        notes=_notes(base, report),
        warnings=report.warnings,
    )


def _notes(base: Base, report: Report) -> tuple[str, ...]:
    notes: list[str] = []
    musl = sorted(p.name for p in report.packages if p.filename and "musllinux" in p.filename)
    if base.image is not None and base.image.libc == "musl":
        notes.append(
            "musl: musllinux wheels" + (f" ({', '.join(musl)})" if musl else " (all pure)")
        )
    sdists = [p.name for p in report.packages if not p.exact]
    if sdists:
        notes.append("no wheel for " + ", ".join(sdists) + " (sized from the sdist)")
    if report.unsized:
        notes.append("not sized: " + ", ".join(u.requirement for u in report.unsized))
    return tuple(notes)
