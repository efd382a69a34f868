"""A comparison of two reports as a table, Markdown or JSON (``sizefloor diff``)."""

from __future__ import annotations

import json

from sizefloor.analysis.diff import PackageChange, ReportDiff
from sizefloor.units import human

__all__ = ["headline", "render_diff", "signed", "signed_bytes"]


def signed(n: int) -> str:
    """``+1.2 MB`` / ``-340 kB`` / ``0 B``."""
    if n == 0:
        return "0 B"
    return ("+" if n > 0 else "-") + human(abs(n))


def signed_bytes(n: int) -> str:
    """``+1,234,567`` / ``-12`` / ``0``: exact."""
    return f"{n:+,}" if n else "0"


def _percent(delta: int, base: int) -> str:
    return f", {100 * delta / base:+.1f}%" if base else ""


def headline(diff: ReportDiff) -> str:
    o, n = diff.old.totals.installed_bytes, diff.new.totals.installed_bytes
    counts = ", ".join(
        f"{len(diff.by_status(s))} {s}"
        for s in ("added", "removed", "changed")
        if diff.by_status(s)
    )
    return (
        f"{diff.old_label} → {diff.new_label}: {signed(diff.delta)} installed "
        f"({human(o)} → {human(n)}{_percent(diff.delta, o)}; {signed_bytes(diff.delta)} bytes)"
        + (f"; {counts}" if counts else "; no package changed")
    )


def _versions(c: PackageChange) -> str:
    if c.status == "added":
        return f"{c.new_version}"
    if c.status == "removed":
        return f"{c.old_version}"
    if c.old_version != c.new_version:
        return f"{c.old_version} → {c.new_version}"
    return f"{c.new_version}"


def render_diff_table(diff: ReportDiff) -> str:
    header = ("", "package", "version", "old", "new", "change", "bytes")
    rows = [
        (
            c.status,
            c.name,
            _versions(c),
            human(c.old_bytes) if c.status != "added" else "",
            human(c.new_bytes) if c.status != "removed" else "",
            signed(c.delta),
            signed_bytes(c.delta),
        )
        for c in diff.changes
        if c.status != "unchanged"
    ]
    o, n = diff.old.totals, diff.new.totals
    total = (
        "total",
        "",
        "",
        human(o.installed_bytes),
        human(n.installed_bytes),
        signed(diff.delta),
        signed_bytes(diff.delta),
    )
    widths = [max(len(r[i]) for r in [header, *rows, total]) for i in range(len(header))]
    right = {3, 4, 5, 6}

    def line(row: tuple[str, ...]) -> str:
        cells = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [headline(diff), ""]
    if rows:
        out += [line(header), rule, *(line(r) for r in rows), rule]
    out.append(line(total))
    unchanged = diff.by_status("unchanged")
    if unchanged:
        out.append(f"unchanged: {len(unchanged)} package{'s' if len(unchanged) != 1 else ''}")
    out.append(
        f"files {signed_bytes(n.files - o.files)}, download "
        f"{signed(n.download_bytes - o.download_bytes)}, disk {signed(n.disk_bytes - o.disk_bytes)}"
    )
    if diff.floor_delta != diff.delta:
        out.append(f"floor {signed(diff.floor_delta)} ({signed_bytes(diff.floor_delta)} bytes)")
    return "\n".join(out) + "\n"


def render_diff_markdown(diff: ReportDiff) -> str:
    out = [f"### sizefloor diff: {signed(diff.delta)} installed", "", headline(diff) + ".", ""]
    moved = [c for c in diff.changes if c.status != "unchanged"]
    for c in moved[:3]:
        out.append(f"- {c.status} **{c.name}** {_versions(c)}: {signed(c.delta)}")
    if moved:
        out += [
            "",
            f"<details><summary>Packages ({len(moved)} changed)</summary>",
            "",
            "| | package | version | old | new | change | bytes |",
            "|---|---|---|--:|--:|--:|--:|",
        ]
        for c in moved:
            old = human(c.old_bytes) if c.status != "added" else ""
            new = human(c.new_bytes) if c.status != "removed" else ""
            out.append(
                f"| {c.status} | {c.name} | {_versions(c)} | {old} | {new} | {signed(c.delta)} "
                f"| {signed_bytes(c.delta)} |"
            )
        o, n = diff.old.totals.installed_bytes, diff.new.totals.installed_bytes
        out.append(
            f"| **total** | | | {human(o)} | {human(n)} | **{signed(diff.delta)}** "
            f"| {signed_bytes(diff.delta)} |"
        )
        out += ["", "</details>"]
    return "\n".join(out) + "\n"


def render_diff(diff: ReportDiff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(diff.to_json(), indent=2) + "\n"
    if fmt == "markdown":
        return render_diff_markdown(diff)
    return render_diff_table(diff)
