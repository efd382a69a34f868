"""``--compare-bases``: the floor on every base, as a table."""

from __future__ import annotations

from collections.abc import Sequence

from sizefloor.runtime.catalogue import FAMILIES
from sizefloor.runtime.compare import Comparison
from sizefloor.units import human

__all__ = ["comparison_rows", "render_comparison_table"]


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
    out.append("")
    out.append(
        "floor = runtime + dependencies, installed (sum of file sizes); pull = compressed "
        "runtime + the wheels; ~ = the runtime's size is estimated (see --format json for "
        "each source)"
    )
    for family, why in comparison.skipped:
        out.append(
            f"not compared: {FAMILIES[family].title if family in FAMILIES else family}: {why}"
        )
    return "\n".join(out) + "\n"
