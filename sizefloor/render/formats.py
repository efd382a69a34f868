"""Output formats: a report as a terminal table, JSON, Markdown or an HTML page.

Each renderer takes a :class:`~sizefloor.report.Report` and returns text;
none of them prints or touches anything else.
"""

from __future__ import annotations

import json

from sizefloor.analysis.findings import savings
from sizefloor.analysis.summary import analysed, findings_of
from sizefloor.report import PackageSize, Report
from sizefloor.units import human

FORMATS = ("table", "json", "markdown", "html")


def render(report: Report, fmt: str, *, top: int = 0, files: bool = False) -> str:
    """``report`` in ``fmt``; ``top`` adds the largest files, ``files`` (JSON) every file."""
    if fmt == "json":
        return render_json(report, top=top, files=files)
    if fmt == "markdown":
        return render_markdown(report, top=top)
    if fmt == "html":
        from sizefloor.render.html import render_html

        return render_html(report, top=top)
    return render_table(report, top=top)


def render_json(report: Report, *, top: int = 0, files: bool = False) -> str:
    document = analysed(report).to_json(top=top, files=files)
    return json.dumps(document, indent=2) + "\n"


def _mark(p: PackageSize) -> str:
    if not p.exact:
        return "~"
    return ""


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _summary(report: Report) -> str:
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


def render_table(report: Report, *, top: int = 0) -> str:
    from sizefloor.render import views

    total = report.totals.installed_bytes
    unique = views.unique_by_name(report)
    header = ("package", "version", "installed", "files", "share", "unique", "download")
    rows = [
        (
            p.name + _mark(p),
            p.version,
            human(p.installed_bytes),
            f"{p.files:,}",
            _share(p.installed_bytes, total),
            human(unique[p.name]) if p.name in unique else "",
            human(p.download_bytes),
        )
        for p in report.packages
    ]
    rows.append(
        (
            "total",
            "",
            human(total),
            f"{report.totals.files:,}",
            "100.0%" if total else "-",
            "",
            human(report.totals.download_bytes),
        )
    )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    right = {2, 3, 4, 5, 6}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    out = [*floor_lines(report), line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows[:-1]]
    out.append("  ".join("-" * w for w in widths))
    out.append(line(rows[-1]))
    out.append("")
    out.append(_summary(report))
    out.extend(views.attribution_lines(report))
    estimated = [p for p in report.packages if not p.exact]
    if estimated:
        out.append(
            "~ estimated: "
            + "; ".join(f"{p.name} ± {human(p.error_bytes)} ({p.note})" for p in estimated)
        )
    if report.compile_bytecode and report.totals.installed_bytes:
        out.append(bytecode_line(report) + "; --no-compile sizes without it, exactly")
    for u in report.unsized:
        out.append(f"not sized: {u.requirement} ({u.origin}): {u.reason}")
    for section in (views.findings_lines(report), views.render_largest(report, top)):
        if section:
            out += ["", *section]
    return "\n".join(out) + "\n"


def floor_lines(report: Report) -> list[str]:
    """The floor (runtime + dependencies) and the runtime's own line, when a base was named;
    the comparison with ``--image-size``. Empty without either."""
    runtime = report.runtime
    floor = report.floor
    out: list[str] = []
    if runtime is not None:
        mark = "" if runtime.exact else "~"
        error = f" ± {human(floor.error_bytes)}" if floor.error_bytes else ""
        out.append(
            f"floor: {mark}{human(floor.installed_bytes)}{error} installed "
            f"({human(floor.disk_bytes)} on disk), {human(floor.download_bytes)} to pull: "
            f"{runtime.base} + {len(report.packages)} packages"
        )
        if runtime.base == "none":
            out.append("  runtime       none (--base none: dependencies only)")
        else:
            what = f"{runtime.base}: {runtime.image}" if runtime.image else runtime.base
            how = runtime.method or ("measured" if runtime.exact else "estimated")
            when = f" {runtime.as_of}" if runtime.as_of else ""
            approx = (
                f" ± {human(runtime.error_bytes)}"
                if runtime.error_bytes and not runtime.exact
                else ""
            )
            out.append(
                f"  runtime       {mark}{human(runtime.installed_bytes)}{approx}"
                f" ({human(runtime.download_bytes)} pull)  {what}, CPython "
                f"{runtime.python}, {runtime.arch or report.target.get('platform')}; {how}{when}"
            )
            floor_parts = [p for p in runtime.parts if p.in_floor]
            if floor_parts:
                out.append(
                    "                = "
                    + ", ".join(f"{p.name} {human(p.bytes)}" for p in floor_parts)
                )
                left = [p for p in runtime.parts if not p.in_floor and p.files]
                if left:
                    out.append(
                        "                left out: "
                        + ", ".join(f"{p.name} {human(p.bytes)}" for p in left)
                    )
        t = report.totals
        out.append(
            f"  dependencies  {human(t.installed_bytes)} ({human(t.download_bytes)} to download)"
            f"  {len(report.packages)} packages, below"
        )
        if not runtime.exact and runtime.base != "none":
            how = runtime.source.split("; ")[0]
            how = how if len(how) <= 160 else how[:157] + "..."
            out.append(f"  ~ the runtime's size is estimated ({how}; --format json has the rest)")
    if report.image_bytes is not None:
        base = floor.installed_bytes
        above = report.image_bytes - base
        if base:
            ratio = report.image_bytes / base
            relation = (
                f"{human(above)} above the floor"
                if above >= 0
                else (f"{human(-above)} below the floor (is it the compressed size?)")
            )
            out.append(
                f"image: {human(report.image_bytes)} is {ratio:.2f}x the floor of "
                f"{human(base)}: {relation}"
            )
    if out:
        out.append("")
    return out


def render_markdown(report: Report, *, top: int = 0) -> str:
    """A pull-request comment: the summary first, the details collapsed."""
    from sizefloor.render import views

    total = report.totals.installed_bytes
    t = report.totals
    error = f" ± {human(t.error_bytes)}" if t.error_bytes else ""
    out = [f"### sizefloor: {human(total)}{error} installed", "", _summary(report) + ".", ""]
    out += [f"- {text.strip()}" for text in floor_lines(report) if text.strip()]
    if out[-1] != "":
        out.append("")
    biggest = [p for p in report.packages[:3] if p.installed_bytes]
    if biggest:
        out.append(
            "- Largest: "
            + ", ".join(
                f"**{p.name}** {human(p.installed_bytes)} ({_share(p.installed_bytes, total)})"
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
        out.append(f"- Could go: **{human(saved)}** ({_share(saved, total)}): {top_kinds}")
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
            f"| {p.name}{_mark(p)} | {p.version} | {human(p.installed_bytes)} | {p.files:,} "
            f"| {_share(p.installed_bytes, total)} | {mine} | {human(p.download_bytes)} |"
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


def bytecode_line(report: Report) -> str:
    """How the ``.pyc`` bytes were sized: compiled (``--exact-bytecode``), modelled, or both."""
    compiled = sum(p.bytecode_bytes for p in report.packages if p.bytecode_exact)
    modelled = sum(p.bytecode_bytes for p in report.packages if not p.bytecode_exact)
    if compiled and not modelled:
        return f"bytecode (.pyc) is compiled, exact: {human(compiled)} of the total"
    if compiled:
        return (
            f"bytecode (.pyc): {human(compiled)} compiled, exact, and {human(modelled)} "
            "modelled, of the total"
        )
    return f"bytecode (.pyc) is modelled: {human(modelled)} of the total"
