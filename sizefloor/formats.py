"""Output formats: a report as a terminal table, JSON or Markdown.

Each renderer takes a :class:`~sizefloor.report.Report` and returns text;
none of them prints or touches anything else.
"""

from __future__ import annotations

import json

from sizefloor.report import PackageSize, Report

FORMATS = ("table", "json", "markdown")


def human(n: int) -> str:
    """Bytes in decimal units, as ``docker images`` prints them."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if abs(value) < 100 else f"{value:.0f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    return render_table(report)


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


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
        f"{len(report.packages)} packages for {where}, {bytecode} bytecode: "
        f"{human(t.installed_bytes)}{error} installed in {t.files:,} files "
        f"({human(t.disk_bytes)} on disk), {human(t.download_bytes)} to download"
    )


def render_table(report: Report) -> str:
    total = report.totals.installed_bytes
    header = ("package", "version", "installed", "files", "share", "download")
    rows = [
        (
            p.name + _mark(p),
            p.version,
            human(p.installed_bytes),
            f"{p.files:,}",
            _share(p.installed_bytes, total),
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
            human(report.totals.download_bytes),
        )
    )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    right = {2, 3, 4, 5}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in rows[:-1]]
    out.append("  ".join("-" * w for w in widths))
    out.append(line(rows[-1]))
    out.append("")
    out.append(_summary(report))
    estimated = [p for p in report.packages if not p.exact]
    if estimated:
        out.append(
            "~ estimated: "
            + "; ".join(f"{p.name} ± {human(p.error_bytes)} ({p.note})" for p in estimated)
        )
    if report.compile_bytecode and report.totals.installed_bytes:
        bytecode = sum(p.bytecode_bytes for p in report.packages)
        out.append(
            f"bytecode (.pyc) is modelled: {human(bytecode)} of the total; "
            "--no-compile sizes without it, exactly"
        )
    for u in report.unsized:
        out.append(f"not sized: {u.requirement} ({u.origin}): {u.reason}")
    return "\n".join(out) + "\n"


def render_markdown(report: Report) -> str:
    total = report.totals.installed_bytes
    out = [f"**sizefloor**: {_summary(report)}", ""]
    out.append("<details><summary>Packages</summary>")
    out.append("")
    out.append("| package | version | installed | files | share | download |")
    out.append("|---|---|--:|--:|--:|--:|")
    for p in report.packages:
        out.append(
            f"| {p.name}{_mark(p)} | {p.version} | {human(p.installed_bytes)} | {p.files:,} "
            f"| {_share(p.installed_bytes, total)} | {human(p.download_bytes)} |"
        )
    out.append(
        f"| **total** | | **{human(total)}** | **{report.totals.files:,}** | 100% "
        f"| **{human(report.totals.download_bytes)}** |"
    )
    out.append("")
    out.append("</details>")
    notes = [f"- not sized: `{u.requirement}` ({u.origin}): {u.reason}" for u in report.unsized]
    notes += [f"- {w}" for w in report.warnings]
    if notes:
        out += ["", *notes]
    return "\n".join(out) + "\n"
