"""The report as a terminal table: the floor, the packages, the totals, then the findings."""

from __future__ import annotations

from sizefloor.render import views
from sizefloor.render.cells import mark, share, summary
from sizefloor.render.dockerfile import base_note, dockerfile_lines
from sizefloor.report import Report, RuntimeSize
from sizefloor.units import human

__all__ = [
    "bytecode_line",
    "default_runtime_note",
    "floor_headline",
    "floor_lines",
    "render_table",
    "runtime_lines",
]


def render_table(report: Report, *, top: int = 0) -> str:
    total = report.totals.installed_bytes
    unique = views.unique_by_name(report)
    header = ("package", "version", "installed", "files", "share", "unique", "download")
    rows = [
        (
            p.name + mark(p),
            p.version,
            human(p.installed_bytes),
            f"{p.files:,}",
            share(p.installed_bytes, total),
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
    out.append(summary(report))
    out.extend(views.attribution_lines(report))
    estimated = [p for p in report.packages if not p.exact]
    if estimated:
        out.append(
            "~ estimated: "
            + "; ".join(f"{p.name} ± {human(p.error_bytes)} ({p.note})" for p in estimated)
        )
    if report.compile_bytecode and report.totals.installed_bytes:
        hinted = report.bytecode is not None and report.bytecode.hint is not None
        out.append(bytecode_line(report) + ("" if hinted else "; --no-compile: without it"))
    for u in report.unsized:
        out.append(f"not sized: {u.requirement} ({u.origin}): {u.reason}")
    sections = (
        views.findings_lines(report),
        dockerfile_lines(report),
        views.render_largest(report, top),
    )
    for section in sections:
        if section:
            out += ["", *section]
    return "\n".join(out) + "\n"


def floor_lines(report: Report) -> list[str]:
    """The floor (runtime + dependencies) and the runtime's own lines, when the report has a
    runtime; the comparison with ``--image-size``. Empty without either."""
    out: list[str] = []
    runtime = report.runtime
    if runtime is not None:
        out.append(floor_headline(report, runtime))
        out += runtime_lines(report, runtime)
        t = report.totals
        out.append(
            f"  dependencies  {human(t.installed_bytes)} ({human(t.download_bytes)} to download)"
            f"  {len(report.packages)} packages, below"
        )
        if not runtime.exact:
            how = runtime.source.split("; ")[0]
            how = how if len(how) <= 160 else how[:157] + "..."
            out.append(f"  ~ the runtime's size is estimated ({how}; --format json has the rest)")
    out += _image_lines(report)
    if out:
        out.append("")
    return out


def floor_headline(report: Report, runtime: RuntimeSize) -> str:
    """``floor: 87.2 MB installed (…), 24.9 MB to pull: distroless-debian12 + 17 packages``."""
    floor = report.floor
    mark = "" if runtime.exact else "~"
    error = f" ± {human(floor.error_bytes)}" if floor.error_bytes else ""
    return (
        f"floor: {mark}{human(floor.installed_bytes)}{error} installed "
        f"({human(floor.disk_bytes)} on disk), {human(floor.download_bytes)} to pull: "
        f"{runtime.base} + {len(report.packages)} packages"
    )


def runtime_lines(report: Report, runtime: RuntimeSize) -> list[str]:
    """The runtime: its size, which image, how it was sized, and why it is the one."""
    what = f"{runtime.base}: {runtime.image}" if runtime.image else runtime.base
    how = runtime.method or ("measured" if runtime.exact else "estimated")
    when = f" {runtime.as_of}" if runtime.as_of else ""
    mark = "" if runtime.exact else "~"
    approx = f" ± {human(runtime.error_bytes)}" if runtime.error_bytes and not runtime.exact else ""
    out = [
        f"  runtime       {mark}{human(runtime.installed_bytes)}{approx}"
        f" ({human(runtime.download_bytes)} pull)  {what}, CPython "
        f"{runtime.python}, {runtime.arch or report.target.get('platform')}; {how}{when}"
    ]
    if runtime.chosen_by == "default":
        out.append(f"                {default_runtime_note(report)}")
    from_dockerfile = base_note(report)
    if from_dockerfile:
        out.append(f"                {from_dockerfile}")
    floor_parts = [p for p in runtime.parts if p.in_floor]
    if floor_parts:
        out.append(
            "                = " + ", ".join(f"{p.name} {human(p.bytes)}" for p in floor_parts)
        )
        left = [p for p in runtime.parts if not p.in_floor and p.files]
        if left:
            out.append(
                "                left out: " + ", ".join(f"{p.name} {human(p.bytes)}" for p in left)
            )
    return out


def default_runtime_note(report: Report) -> str:
    """Why this runtime, when sizefloor chose it: the smallest that runs the target."""
    target = report.target
    return (
        f"the smallest catalogued runtime for CPython {target.get('python')} on "
        f"{target.get('libc')}; --base NAME picks another (--compare-bases lists them), "
        "--base none leaves it out"
    )


def _image_lines(report: Report) -> list[str]:
    """How far a real image (``--image-size``) is above the floor."""
    base = report.floor.installed_bytes
    if report.image_bytes is None or not base:
        return []
    above = report.image_bytes - base
    ratio = report.image_bytes / base
    relation = (
        f"{human(above)} above the floor"
        if above >= 0
        else f"{human(-above)} below the floor (is it the compressed size?)"
    )
    return [
        f"image: {human(report.image_bytes)} is {ratio:.2f}x the floor of {human(base)}: {relation}"
    ]


def bytecode_line(report: Report) -> str:
    """How the ``.pyc`` bytes were sized (compiled, calibrated or modelled), by which
    interpreter, their stated error; when no interpreter was found, the command that
    gets one."""
    sizing = report.bytecode
    if sizing is None:
        return _bytecode_line_of_packages(report)
    total = report.totals.installed_bytes
    share = f" ({sizing.error_bytes / total:.1%} of the total)" if total else ""
    stated = f" ±{human(sizing.error_bytes)}{share}" if sizing.error_bytes else ""
    if sizing.interpreter is not None:
        found = sizing.interpreter.get("found", "")
        where = "" if found in ("", "running") else f", found in {found}"
        who = (
            f"CPython {sizing.interpreter.get('version', '?')} "
            f"({sizing.interpreter.get('executable', '?')}{where})"
        )
        how = "compiled, exact," if sizing.method == "compiled" else "calibrated"
        return f"bytecode (.pyc): {human(sizing.bytes)} {how} by {who}{stated}"
    if sizing.hint is None:
        return f"bytecode (.pyc) is modelled ({sizing.reason}): {human(sizing.bytes)}{stated}"
    return (
        f"bytecode (.pyc) is modelled: {human(sizing.bytes)}{stated}; no CPython "
        f"{sizing.python} was found to calibrate it: `{sizing.hint}`, then run again "
        "(within 1%; --exact-bytecode: exact)"
    )


def _bytecode_line_of_packages(report: Report) -> str:
    """The line from the packages alone (a report made before reports said how)."""
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
