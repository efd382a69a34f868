"""Two reports compared: what a change of requirements costs, package by package.

:func:`diff_reports` matches packages by their canonical name; each :class:`PackageChange` carries
both sides, so every delta is exactly the difference of the two reports' own figures, and the
package deltas add up to the total's. ``sizefloor diff`` (:mod:`sizefloor.cli.diff`) computes it and
:mod:`sizefloor.render.diff` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from packaging.utils import canonicalize_name

from sizefloor.report import JSON_SCHEMA_VERSION, PackageSize, Report, Totals

STATUSES = ("added", "removed", "changed", "unchanged")


@dataclass(frozen=True)
class PackageChange:
    """One package on either side."""

    name: str
    status: str
    """``added``, ``removed``, ``changed`` (version, file or size) or ``unchanged``."""
    old_version: str | None
    new_version: str | None
    old_bytes: int
    new_bytes: int
    old_files: int
    new_files: int
    old_download: int
    new_download: int

    @property
    def delta(self) -> int:
        """Installed bytes, new minus old."""
        return self.new_bytes - self.old_bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "old_installed_bytes": self.old_bytes,
            "new_installed_bytes": self.new_bytes,
            "delta_installed_bytes": self.delta,
            "delta_files": self.new_files - self.old_files,
            "delta_download_bytes": self.new_download - self.old_download,
        }


@dataclass(frozen=True)
class ReportDiff:
    """``new`` compared with ``old``."""

    old: Report
    new: Report
    changes: tuple[PackageChange, ...]
    """Every package of either side, the largest change first."""
    old_label: str = "old"
    new_label: str = "new"

    @property
    def delta(self) -> int:
        """Installed bytes of all packages, new minus old."""
        return self.new.totals.installed_bytes - self.old.totals.installed_bytes

    @property
    def floor_delta(self) -> int:
        return self.new.floor.installed_bytes - self.old.floor.installed_bytes

    def by_status(self, status: str) -> list[PackageChange]:
        return [c for c in self.changes if c.status == status]

    def to_json(self) -> dict[str, Any]:
        o, n = self.old.totals, self.new.totals
        return {
            "schema_version": JSON_SCHEMA_VERSION,
            "kind": "diff",
            "old": {"label": self.old_label, "sources": list(self.old.sources)},
            "new": {"label": self.new_label, "sources": list(self.new.sources)},
            "target": dict(self.new.target),
            "packages": [c.to_json() for c in self.changes if c.status != "unchanged"],
            "unchanged": [c.name for c in self.changes if c.status == "unchanged"],
            "totals": {
                "old_installed_bytes": o.installed_bytes,
                "new_installed_bytes": n.installed_bytes,
                "delta_installed_bytes": self.delta,
                "delta_disk_bytes": n.disk_bytes - o.disk_bytes,
                "delta_download_bytes": n.download_bytes - o.download_bytes,
                "delta_files": n.files - o.files,
                "old_floor_bytes": self.old.floor.installed_bytes,
                "new_floor_bytes": self.new.floor.installed_bytes,
                "delta_floor_bytes": self.floor_delta,
            },
        }


def diff_reports(
    old: Report, new: Report, *, old_label: str = "old", new_label: str = "new"
) -> ReportDiff:
    """The packages added, removed and changed from ``old`` to ``new``."""
    old, new = same_wheels_alike(old, new)
    before = {canonicalize_name(p.name): p for p in old.packages}
    after = {canonicalize_name(p.name): p for p in new.packages}
    changes = [_change(before.get(key), after.get(key)) for key in dict.fromkeys([*before, *after])]
    changes.sort(key=lambda c: (c.status == "unchanged", -abs(c.delta), c.name))
    return ReportDiff(old, new, tuple(changes), old_label, new_label)


Files = dict[tuple[str, str | None], PackageSize]
"""(package name, file name) -> its figures."""


def same_wheels_alike(old: Report, new: Report) -> tuple[Report, Report]:
    """The two reports with one figure for each file both install.

    The same wheel is the same bytes on both sides, but its bytecode may be calibrated on
    another sample in each (how much of a wheel is sampled depends on the rest of its set):
    two figures within its stated error. Both sides take the one stated more closely, so
    that a package nothing changed shows no change, and the totals follow."""
    before: Files = {(p.name, p.filename): p for p in old.packages if p.filename}
    after: Files = {(p.name, p.filename): p for p in new.packages if p.filename}
    chosen: Files = {
        key: min(before[key], after[key], key=lambda p: (not p.exact, p.error_bytes))
        for key in before.keys() & after.keys()
    }
    return _with_packages(old, chosen), _with_packages(new, chosen)


def _with_packages(report: Report, chosen: Files) -> Report:
    packages = tuple(chosen.get((p.name, p.filename), p) for p in report.packages)
    if packages == report.packages:
        return report
    sums = Totals.of(packages)
    moved = sum(p.disk_bytes for p in packages) - sum(p.disk_bytes for p in report.packages)
    totals = replace(sums, disk_bytes=report.totals.disk_bytes + moved)
    return replace(report, packages=packages, totals=totals)


def _change(a: PackageSize | None, b: PackageSize | None) -> PackageChange:
    named = b if b is not None else a
    if named is None:  # pragma: no cover - never asked
        raise ValueError("nothing to compare")
    if a is None:
        status = "added"
    elif b is None:
        status = "removed"
    elif (a.version, a.filename, a.installed_bytes, a.files) != (
        b.version,
        b.filename,
        b.installed_bytes,
        b.files,
    ):
        status = "changed"
    else:
        status = "unchanged"
    return PackageChange(
        name=named.name,
        status=status,
        old_version=a.version if a else None,
        new_version=b.version if b else None,
        old_bytes=a.installed_bytes if a else 0,
        new_bytes=b.installed_bytes if b else 0,
        old_files=a.files if a else 0,
        new_files=b.files if b else 0,
        old_download=a.download_bytes if a else 0,
        new_download=b.download_bytes if b else 0,
    )


__all__ = ["STATUSES", "PackageChange", "ReportDiff", "diff_reports"]
