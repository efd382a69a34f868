"""The report as Markdown: a pull-request comment, the floor first, the details folded."""

from __future__ import annotations

from sizefloor.analysis.findings import savings
from sizefloor.analysis.summary import findings_of
from sizefloor.render import views
from sizefloor.render.cells import mark, share, summary
from sizefloor.render.dockerfile import base_note, dockerfile_markdown
from sizefloor.render.table import bytecode_line
from sizefloor.report import Finding, Report, RuntimeSize
from sizefloor.units import human

__all__ = ["render_markdown"]


def render_markdown(report: Report, *, top: int = 0) -> str:
    """A pull-request comment: the floor and what could go first, the tables collapsed."""
    found = findings_of(report)
    out = _heading(report)
    out += _highlights(report, found)
    out += _requirements(report)
    out += _packages(report)
    out += _findings(found)
    out += dockerfile_markdown(report)
    out += _largest(report, top)
    notes = [f"- not sized: `{u.requirement}` ({u.origin}): {u.reason}" for u in report.unsized]
    notes += [f"- {w}" for w in report.warnings]
    if notes:
        out += ["", *notes]
    return "\n".join(out) + "\n"


def _heading(report: Report) -> list[str]:
    """The floor (runtime and dependencies) as a heading and a small table; the dependencies
    alone when the report has no runtime (``--base none``)."""
    runtime = report.runtime
    if runtime is None:
        t = report.totals
        error = f" ± {human(t.error_bytes)}" if t.error_bytes else ""
        return [
            f"### sizefloor: {human(t.installed_bytes)}{error} installed",
            "",
            summary(report) + ".",
            "",
        ]
    floor = report.floor
    error = f" ± {human(floor.error_bytes)}" if floor.error_bytes else ""
    approx = "" if runtime.exact else "~"
    out = [
        f"### sizefloor: floor {approx}{human(floor.installed_bytes)}{error} "
        f"({runtime.base} + {len(report.packages)} packages)",
        "",
        "| | installed | to pull |",
        "|---|--:|--:|",
        f"| **floor** | **{approx}{human(floor.installed_bytes)}** "
        f"| {human(floor.download_bytes)} |",
        f"| runtime: {_runtime_name(runtime)} | {approx}{human(runtime.installed_bytes)} "
        f"| {human(runtime.download_bytes)} |",
        f"| dependencies: {len(report.packages)} packages | {human(report.totals.installed_bytes)} "
        f"| {human(report.totals.download_bytes)} |",
        "",
    ]
    from_dockerfile = base_note(report)
    if from_dockerfile:
        out += [f"The runtime is {from_dockerfile}.", ""]
    if runtime.chosen_by == "default":
        target = report.target
        out += [
            f"The runtime is the smallest catalogued one for CPython {target.get('python')} on "
            f"{target.get('libc')}: `--base NAME` picks another (`--compare-bases` lists them), "
            "`--base none` leaves it out.",
            "",
        ]
    if report.image_bytes is not None and floor.installed_bytes:
        above = report.image_bytes - floor.installed_bytes
        out += [
            f"The image is {human(report.image_bytes)}: "
            f"{report.image_bytes / floor.installed_bytes:.2f}x the floor, "
            f"{human(abs(above))} {'above' if above >= 0 else 'below'} it.",
            "",
        ]
    return [*out, summary(report) + ".", ""]


def _runtime_name(runtime: RuntimeSize) -> str:
    """``distroless-debian12 (gcr.io/distroless/python3-debian12, CPython 3.11.2)``."""
    details = [runtime.image] if runtime.image and runtime.image != runtime.base else []
    if runtime.python:
        details.append(f"CPython {runtime.python}")
    return f"{runtime.base} ({', '.join(details)})" if details else runtime.base


def _highlights(report: Report, found: tuple[Finding, ...]) -> list[str]:
    """The three largest packages, what dropping a requirement saves, what could go."""
    total = report.totals.installed_bytes
    out = []
    biggest = [p for p in report.packages[:3] if p.installed_bytes]
    if biggest:
        out.append(
            "- Largest: "
            + ", ".join(
                f"**{p.name}** {human(p.installed_bytes)} ({share(p.installed_bytes, total)})"
                for p in biggest
            )
        )
    worth = [(name, b) for name, b, _ in views.requirement_rows(report) if b][:3]
    if worth:
        out.append(
            "- Dropping one requirement would save: "
            + ", ".join(f"{name} {human(b)}" for name, b in worth)
        )
    saved = savings(found)
    if saved:
        kinds = ", ".join([f"{f.title} {human(f.bytes)}" for f in found if f.saving][:3])
        out.append(f"- Could go: **{human(saved)}** ({share(saved, total)}): {kinds}")
    if report.bytecode is not None and total:
        out.append(f"- {bytecode_line(report)}")
    return [*out, ""]


def _requirements(report: Report) -> list[str]:
    rows = views.requirement_rows(report)
    if not rows:
        return []
    out = [
        f"<details><summary>Top-level requirements ({len(rows)})</summary>",
        "",
        "| requirement | unique | with dependencies |",
        "|---|--:|--:|",
    ]
    out += [f"| {n} | {human(u)} | {human(r)} |" for n, u, r in rows]
    shared = views.shared_bytes(report)
    return [*out, f"| *shared by several* | {human(shared)} | |", "", "</details>", ""]


def _packages(report: Report) -> list[str]:
    total = report.totals.installed_bytes
    unique = views.unique_by_name(report)
    out = [
        f"<details><summary>Packages ({len(report.packages)})</summary>",
        "",
        "| package | version | installed | files | share | unique | download |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for p in report.packages:
        mine = human(unique[p.name]) if p.name in unique else ""
        out.append(
            f"| {p.name}{mark(p)} | {p.version} | {human(p.installed_bytes)} | {p.files:,} "
            f"| {share(p.installed_bytes, total)} | {mine} | {human(p.download_bytes)} |"
        )
    out.append(
        f"| **total** | | **{human(total)}** | **{report.totals.files:,}** | 100% | "
        f"| **{human(report.totals.download_bytes)}** |"
    )
    return [*out, "", "</details>"]


def _findings(found: tuple[Finding, ...]) -> list[str]:
    if not found:
        return []
    out = ["", f"<details><summary>Findings ({len(found)})</summary>", ""]
    for f in found:
        where = ", ".join(f"{name} {human(b)}" for name, b in f.packages[:4])
        out.append(f"- **{human(f.bytes)}** {f.title} ({where}): {f.remedy}")
    return [*out, "", "</details>"]


def _largest(report: Report, top: int) -> list[str]:
    largest = views.render_largest(report, top)
    if not largest:
        return []
    out = ["", f"<details><summary>{largest[0].rstrip(':')}</summary>", "", "```"]
    out += [line[2:] for line in largest[1:]]
    return [*out, "```", "", "</details>"]
