"""The report as Markdown: a pull-request comment, the summary first, the details folded."""

from __future__ import annotations

from sizefloor.analysis.findings import savings
from sizefloor.analysis.summary import findings_of
from sizefloor.render import views
from sizefloor.render.cells import mark, share, summary
from sizefloor.render.table import bytecode_line, floor_lines
from sizefloor.report import Report
from sizefloor.units import human

__all__ = ["render_markdown"]


def render_markdown(report: Report, *, top: int = 0) -> str:
    """A pull-request comment: the summary first, the details collapsed."""

    total = report.totals.installed_bytes
    t = report.totals
    error = f" ± {human(t.error_bytes)}" if t.error_bytes else ""
    out = [f"### sizefloor: {human(total)}{error} installed", "", summary(report) + ".", ""]
    out += [f"- {text.strip()}" for text in floor_lines(report) if text.strip()]
    if out[-1] != "":
        out.append("")
    biggest = [p for p in report.packages[:3] if p.installed_bytes]
    if biggest:
        out.append(
            "- Largest: "
            + ", ".join(
                f"**{p.name}** {human(p.installed_bytes)} ({share(p.installed_bytes, total)})"
                for p in biggest
            )
        )
    graph_rows = views.requirement_rows(report)
    if graph_rows:
        worth = [(name, b) for name, b, _ in graph_rows if b][:3]
        if worth:
            out.append(
                "- Dropping one requirement would save: "
                + ", ".join(f"{name} {human(b)}" for name, b in worth)
            )
    found = findings_of(report)
    saved = savings(found)
    if saved:
        kinds = [f"{f.title} {human(f.bytes)}" for f in found if f.saving][:3]
        top_kinds = ", ".join(kinds)
        out.append(f"- Could go: **{human(saved)}** ({share(saved, total)}): {top_kinds}")
    if report.bytecode is not None and total:
        out.append(f"- {bytecode_line(report)}")
    out.append("")
    if graph_rows:
        out += [
            f"<details><summary>Top-level requirements ({len(graph_rows)})</summary>",
            "",
            "| requirement | unique | with dependencies |",
            "|---|--:|--:|",
        ]
        out += [f"| {n} | {human(u)} | {human(r)} |" for n, u, r in graph_rows]
        shared = views.shared_bytes(report)
        out += [f"| *shared by several* | {human(shared)} | |", "", "</details>", ""]
    unique = views.unique_by_name(report)
    out.append(f"<details><summary>Packages ({len(report.packages)})</summary>")
    out.append("")
    out.append("| package | version | installed | files | share | unique | download |")
    out.append("|---|---|--:|--:|--:|--:|--:|")
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
    out += ["", "</details>"]
    if found:
        out += ["", f"<details><summary>Findings ({len(found)})</summary>", ""]
        for f in found:
            where = ", ".join(f"{name} {human(b)}" for name, b in f.packages[:4])
            out.append(f"- **{human(f.bytes)}** {f.title} ({where}): {f.remedy}")
        out += ["", "</details>"]
    largest = views.render_largest(report, top)
    if largest:
        out += ["", f"<details><summary>{largest[0].rstrip(':')}</summary>", "", "```"]
        out += [line[2:] for line in largest[1:]]
        out += ["```", "", "</details>"]
    notes = [f"- not sized: `{u.requirement}` ({u.origin}): {u.reason}" for u in report.unsized]
    notes += [f"- {w}" for w in report.warnings]
    if notes:
        out += ["", *notes]
    return "\n".join(out) + "\n"
