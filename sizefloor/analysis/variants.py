"""Lighter variants of heavy requirements: which apply to a report, and the findings that
say what each swap saves.

``data/variants.json`` lists the known pairs (``opencv-python`` -> ``opencv-python-headless``,
``uvicorn[standard]`` -> ``uvicorn``, ``torch`` with CUDA -> PyTorch's CPU build, ...), each
with what the swap gives up and its source. :func:`swaps_for` picks those a report's
top-level requirements call for and writes the requirement line that would replace each;
:mod:`sizefloor.pipeline.alternatives` estimates the set with that line, for the same target
on the same indexes, and :func:`variant_finding` turns the two sizes into a ``variant``
finding: the exact saving in bytes, the line to write, what it gives up. A swap that cannot
be sized (not on the run's indexes, no file for the target, PyTorch's own index) says so,
and gives the source of what it states instead.

A ``variant`` finding is advice (:attr:`~sizefloor.report.Finding.saving` is ``False``): its
bytes overlap the other findings' (the test suites of the package it replaces, ...).
"""

from __future__ import annotations

import fnmatch
import functools
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from sizefloor.inputs.requirements import RequirementLine, RequirementSet
from sizefloor.report import Finding, Report
from sizefloor.units import human

__all__ = ["Swap", "Variant", "load_variants", "swaps_for", "unmeasured_finding", "variant_finding"]

DATA = Path(__file__).parent / "data" / "variants.json"


@dataclass(frozen=True)
class Variant:
    """One known pair: ``heavy`` (with ``extra``) and the lighter ``light``."""

    id: str
    heavy: str
    light: str
    swap: str
    """``rename`` (another project), ``drop-extra`` (the same without ``extra``) or
    ``index`` (the same project from another index: not measured here)."""
    gives_up: str
    source: str
    extra: str | None = None
    how: str | None = None
    when_present: tuple[str, ...] = ()
    """Name patterns of which one must be in the set for the variant to apply (torch's
    CUDA packages)."""
    cuda_files: tuple[str, ...] = ()
    """File name prefixes of the heavy package that the lighter one does not carry."""

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> Variant:
        return cls(
            id=entry["id"],
            heavy=entry["heavy"],
            light=entry["light"],
            swap=entry["swap"],
            gives_up=entry["gives_up"],
            source=entry["source"],
            extra=entry.get("extra"),
            how=entry.get("how"),
            when_present=tuple(entry.get("when_present", ())),
            cuda_files=tuple(entry.get("cuda_files", ())),
        )


@functools.cache
def load_variants() -> tuple[Variant, ...]:
    """The pairs ``data/variants.json`` lists."""
    document = json.loads(DATA.read_text(encoding="utf-8"))
    return tuple(Variant.from_json(entry) for entry in document["variants"])


@dataclass(frozen=True)
class Swap:
    """A variant that applies to one requirement line, and the set with it swapped."""

    variant: Variant
    line: RequirementLine
    replacement: str | None
    """The requirement to write instead (``None`` for an ``index`` swap)."""
    swapped: RequirementSet | None
    """The requirements with the line replaced, to estimate (``None``: not measured)."""


def _replacement(variant: Variant, requirement: Requirement) -> Requirement:
    new = Requirement(str(requirement))
    if variant.swap == "rename":
        new.name = variant.light
    elif variant.swap == "drop-extra":
        new.extras = {e for e in new.extras if canonicalize_name(e) != variant.extra}
    return new


def _applies(variant: Variant, line: RequirementLine, present: set[str]) -> bool:
    if line.name != canonicalize_name(variant.heavy) or line.requirement.url:
        return False
    if variant.extra is not None:
        extras = {canonicalize_name(e) for e in line.requirement.extras}
        if canonicalize_name(variant.extra) not in extras:
            return False
    if variant.when_present:
        return any(
            fnmatch.fnmatch(name, pattern) for name in present for pattern in variant.when_present
        )
    return True


def swaps_for(report: Report, reqs: RequirementSet) -> list[Swap]:
    """The known variants ``reqs``'s top-level requirements call for, each with the set
    to estimate in its place; only for packages the report holds."""
    present: set[str] = {canonicalize_name(p.name) for p in report.packages}
    result = []
    for variant in load_variants():
        for i, line in enumerate(reqs.requirements):
            if line.name not in present or not _applies(variant, line, present):
                continue
            if variant.swap == "index":
                result.append(Swap(variant, line, None, None))
                continue
            new = _replacement(variant, line.requirement)
            swapped_line = replace(line, requirement=new, text=str(new))
            lines = (*reqs.requirements[:i], swapped_line, *reqs.requirements[i + 1 :])
            result.append(Swap(variant, line, str(new), replace(reqs, requirements=lines)))
    return result


def _written(line: RequirementLine) -> str:
    return line.text or str(line.requirement)


def variant_finding(swap: Swap, report: Report, lighter: Report) -> Finding:
    """The finding for a swap that was sized: ``lighter`` is the estimate with it."""
    saved = report.totals.installed_bytes - lighter.totals.installed_bytes
    heavy = report.package(swap.line.name)
    before = {p.name for p in report.packages}
    after = {p.name for p in lighter.packages}
    gone = [p for p in report.packages if p.name not in after]
    new = [p for p in lighter.packages if p.name not in before]
    exact = report.exact and lighter.exact
    measured = (
        f"measured for this target on this run's indexes: {saved:,} bytes "
        f"({human(saved)}) {'less' if saved >= 0 else 'MORE'} installed"
        f"{'' if exact else ' (estimated: part of a set is built from source)'}, "
        f"{human(report.totals.installed_bytes)} -> {human(lighter.totals.installed_bytes)}"
    )
    for packages, what in ((gone, "out"), (new, "in")):
        if packages:
            shown = ", ".join(f"{p.name} {human(p.installed_bytes)}" for p in packages[:6])
            measured += f"; {what}: {shown}"
    remedy = (
        f"Write `{swap.replacement}` in place of `{_written(swap.line)}` ({swap.line.origin}): "
        f"{measured}. It gives up {swap.variant.gives_up}. Source: {swap.variant.source}"
    )
    return Finding(
        kind="variant",
        title=f"{swap.variant.light} in place of {_heavy(swap)}",
        bytes=max(saved, 0),
        files=heavy.files,
        packages=((heavy.name, heavy.installed_bytes),),
        paths=((str(swap.line.origin), heavy.installed_bytes),),
        remedy=remedy,
        saving=False,
    )


def unmeasured_finding(swap: Swap, report: Report, reason: str) -> Finding:
    """The finding for a swap that could not be sized: why, and what the report itself
    shows of the bytes at stake (for torch: its CUDA packages and CUDA libraries)."""
    heavy = report.package(swap.line.name)
    stake, parts = _at_stake(swap.variant, report)
    how = swap.variant.how or f"write `{swap.replacement}` in place of `{_written(swap.line)}`"
    estimate = (
        f"at least {stake:,} bytes ({human(stake)}) of this set go with it, read from this "
        f"report's own files: {parts}"
        if stake
        else "its size was not measured"
    )
    remedy = (
        f"Not sized: {reason}. {how[0].upper()}{how[1:]} ({swap.line.origin}): {estimate}. "
        f"It gives up {swap.variant.gives_up}. Source: {swap.variant.source}"
    )
    return Finding(
        kind="variant",
        title=f"{swap.variant.light} in place of {_heavy(swap)} (not measured)",
        bytes=stake,
        files=heavy.files,
        packages=((heavy.name, heavy.installed_bytes),),
        paths=((str(swap.line.origin), heavy.installed_bytes),),
        remedy=remedy,
        saving=False,
    )


def _at_stake(variant: Variant, report: Report) -> tuple[int, str]:
    """The bytes of this report that the lighter variant would not install, as far as the
    report shows them: the packages ``when_present`` names, and ``cuda_files``."""
    parts: list[tuple[str, int]] = []
    for p in report.packages:
        name = canonicalize_name(p.name)
        if any(fnmatch.fnmatch(name, pattern) for pattern in variant.when_present):
            parts.append((p.name, p.installed_bytes))
    if variant.cuda_files:
        heavy = report.package(variant.heavy)
        files = sum(
            f.size
            for f in heavy.contents
            if f.path.rpartition("/")[2].startswith(variant.cuda_files)
        )
        if files:
            parts.append((f"{heavy.name}'s CUDA libraries", files))
    parts.sort(key=lambda item: -item[1])
    shown = ", ".join(f"{name} {human(size)}" for name, size in parts[:8])
    if len(parts) > 8:
        shown += f", {len(parts) - 8} more"
    return sum(size for _, size in parts), shown


def _heavy(swap: Swap) -> str:
    """The heavy side as a user names it: ``uvicorn[standard]``, ``opencv-python``."""
    extra = swap.variant.extra
    return f"{swap.line.requirement.name}[{extra}]" if extra else swap.line.requirement.name
