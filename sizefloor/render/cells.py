"""What the text formats share: a package's mark, a share of the total, the one-line summary."""

from __future__ import annotations

from sizefloor.report import PackageSize, Report
from sizefloor.units import human

__all__ = ["mark", "share", "summary"]


def mark(p: PackageSize) -> str:
    """``~`` for a package whose size is estimated."""
    if not p.exact:
        return "~"
    return ""


def share(part: int, whole: int) -> str:
    """``part`` as a percentage of ``whole``, one decimal."""
    return f"{100 * part / whole:.1f}%" if whole else "-"


def summary(report: Report) -> str:
    """How many packages, for which target, and their totals, in one sentence."""
    t = report.totals
    target = report.target
    where = (
        f"Python {target.get('python')} on {target.get('platform')} "
        f"({target.get('libc')} {target.get('libc_version')})"
    )
    error = f" ± {human(t.error_bytes)}" if t.error_bytes else ""
    bytecode = "with" if report.compile_bytecode else "without"
    return (
        f"{len(report.packages)} package{'' if len(report.packages) == 1 else 's'} for {where}, "
        f"{bytecode} bytecode: "
        f"{human(t.installed_bytes)}{error} installed in {t.files:,} files "
        f"({human(t.disk_bytes)} on disk), {human(t.download_bytes)} to download"
    )
