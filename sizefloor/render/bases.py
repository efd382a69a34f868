"""``--compare-bases``: the floor on every base, as a table, Markdown, JSON or an HTML page."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from sizefloor.runtime.catalogue import FAMILIES
from sizefloor.runtime.compare import Comparison
from sizefloor.units import human

__all__ = [
    "comparison_rows",
    "render_comparison",
    "render_comparison_html",
    "render_comparison_markdown",
    "render_comparison_table",
]

LEGEND = (
    "floor = runtime + dependencies, installed (sum of file sizes); pull = compressed "
    "runtime + the wheels; ~ = the runtime's size is estimated (see --format json for "
    "each source)"
)


def comparison_rows(comparison: Comparison) -> list[tuple[str, ...]]:
    """The comparison as table rows (header first)."""
    rows: list[tuple[str, ...]] = [
        ("base", "python", "libc", "runtime", "dependencies", "floor", "pull", "note")
    ]
    for row in sorted(
        comparison.rows,
        key=lambda r: (r.floor is None, r.floor.installed_bytes if r.floor else 0),
    ):
        if row.floor is None or row.runtime is None or row.totals is None:
            rows.append(
                (row.base, row.python or "", row.libc, "", "", "", "", f"cannot: {row.error}")
            )
            continue
        mark = "" if row.runtime.exact else "~"
        rows.append(
            (
                row.base,
                row.python or "",
                row.libc,
                mark + human(row.runtime.installed_bytes),
                human(row.totals.installed_bytes),
                mark + human(row.floor.installed_bytes),
                human(row.floor.download_bytes),
                "; ".join(row.notes),
            )
        )
    return rows


def render_comparison_table(comparison: Comparison, title: str) -> str:
    rows = comparison_rows(comparison)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    right = {3, 4, 5, 6}

    def line(row: Sequence[str]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row[:-1])
        ]
        return ("  ".join(cells) + "  " + row[-1]).rstrip()

    out = [title, "", line(rows[0]), "  ".join("-" * w for w in widths) + "  ----"]
    out += [line(r) for r in rows[1:]]
    out += ["", LEGEND, *_skipped(comparison)]
    return "\n".join(out) + "\n"


def _skipped(comparison: Comparison) -> list[str]:
    return [
        f"not compared: {FAMILIES[family].title if family in FAMILIES else family}: {why}"
        for family, why in comparison.skipped
    ]


def render_comparison_markdown(comparison: Comparison, title: str) -> str:
    """The comparison as a Markdown table (a pull-request comment)."""
    header, *rows = comparison_rows(comparison)
    out = [f"### {title.rstrip(':')}", "", "| " + " | ".join(header) + " |"]
    out.append("|---|---|---|--:|--:|--:|--:|---|")
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    out += ["", LEGEND + ".", *(f"- {line}" for line in _skipped(comparison))]
    return "\n".join(out) + "\n"


def render_comparison_html(comparison: Comparison, title: str) -> str:
    """The comparison as one self-contained page: the table, nothing loaded."""
    header, *rows = comparison_rows(comparison)
    e = html.escape
    head = "".join(f"<th>{e(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"n" if 3 <= i <= 6 else ""}">{e(cell)}</td>' for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    notes = "".join(f"<li>{e(line)}</li>" for line in _skipped(comparison))
    data = json.dumps(comparison.to_json(), separators=(",", ":")).replace("<", "\\u003c")
    return (
        "<!doctype html>\n<html lang=en>\n<head>\n<meta charset=utf-8>\n"
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>{e(title.rstrip(':'))}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{e(title.rstrip(':'))}</h1>\n<section id=bases><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{body}</tbody></table>\n<p class=note>{e(LEGEND)}</p>"
        f"<ul>{notes}</ul></section>\n"
        f"<script type=application/json id=sizefloor-bases>{data}</script>\n</body>\n</html>\n"
    )


_STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2433}"
    "table{border-collapse:collapse}th,td{padding:.3rem .7rem;border-bottom:1px solid #dde2ea;"
    "text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".note{color:#5b6474}"
)


def render_comparison(comparison: Comparison, title: str, fmt: str) -> str:
    """The comparison in ``fmt``: ``table``, ``markdown``, ``json`` or ``html``."""
    if fmt == "json":
        return json.dumps(comparison.to_json(), indent=2) + "\n"
    if fmt == "markdown":
        return render_comparison_markdown(comparison, title)
    if fmt == "html":
        return render_comparison_html(comparison, title)
    return render_comparison_table(comparison, title)
