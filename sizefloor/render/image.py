"""``sizefloor image`` output: an :class:`~sizefloor.image.audit.Audit` as a text table or JSON.

Each renderer returns text; nothing here prints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sizefloor.image.audit import Audit, Culprit
from sizefloor.units import human

JSON_SCHEMA_VERSION = 1


def render_image(audit: Audit, fmt: str) -> str:
    if fmt == "json":
        payload = {"schema_version": JSON_SCHEMA_VERSION, **audit.to_json()}
        return json.dumps(payload, indent=2) + "\n"
    return render_image_table(audit)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def _short(text: str | None, width: int = 58) -> str:
    if not text:
        return "-"
    text = " ".join(text.replace("/bin/sh -c #(nop) ", "").replace("/bin/sh -c ", "RUN ").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def render_image_table(audit: Audit) -> str:
    image = audit.image
    real = audit.real_bytes
    out: list[str] = []
    name = ", ".join(image.tags) or image.source
    out.append(f"Image {name} ({image.kind}, {image.platform}, {len(image.layers)} layers)")
    out.append(
        f"real size: {human(real)} ({real:,} bytes) in {len(image.files):,} files; "
        f"layers ship {human(image.tar_bytes)} as tars, {human(image.blob_bytes)} as stored"
    )
    out.append("")
    rows = [
        (
            str(layer.index + 1),
            "base" if layer.base else "",
            human(layer.content_bytes),
            human(layer.content_bytes - layer.visible_bytes),
            human(layer.tar_bytes),
            human(layer.blob_bytes),
            layer.compression,
            _short(layer.command),
        )
        for layer in image.layers
    ]
    out += _table(
        ("layer", "", "content", "hidden", "tar", "stored", "comp.", "created by"),
        rows,
        {0, 2, 3, 4, 5},
    )
    out.append(f"base layers: {image.base_layers} ({image.base_reason})")
    out.append("")
    py = audit.python
    if py.versions:
        sites = "; ".join(
            f"{sp.path} ({len(sp.distributions)} distributions{', STALE' if sp.stale else ''})"
            for sp in py.site_packages
        )
        out.append(f"Python {', '.join(py.versions)} in the image; site-packages: {sites or '-'}")
    floor = audit.floor
    if floor is not None:
        target = floor.target
        parts = f"dependencies {human(floor.dependencies_bytes)}"
        if floor.runtime_bytes is not None:
            parts = f"runtime {floor.runtime_name} {human(floor.runtime_bytes)} + " + parts
        out.append(
            f"floor: {human(floor.installed_bytes)} ({floor.installed_bytes:,} bytes: {parts}) "
            f"for Python {target.get('python')} on {target.get('platform')}"
        )
        ratio = audit.ratio
        above = audit.above_floor or 0
        if ratio is None:
            out.append("the floor is 0 bytes")
        else:
            side = "above" if above >= 0 else "below"
            out.append(
                f"the image is {ratio:.2f} times its floor: {human(abs(above))} "
                f"({abs(above):,} bytes) {side} it"
            )
        measured = audit.accounted.get("dependencies", 0)
        out.append(
            f"dependencies as installed in the image: {human(measured)} "
            f"(the floor says {human(floor.dependencies_bytes)})"
        )
    out.append("")
    in_image = [c for c in audit.findings if c.scope == "image"]
    shipped = [c for c in audit.findings if c.scope == "shipped"]
    if in_image:
        out.append("Findings: where the bytes above the floor are")
        out += _findings(in_image, real)
        if audit.coverage is not None and floor is not None:
            out.append(
                f"floor + findings: {human(floor.installed_bytes + audit.findings_bytes)} = "
                f"{100 * audit.coverage:.1f}% of the real size"
            )
        unattributed = audit.accounted.get("unattributed", 0)
        if unattributed:
            out.append(
                f"smaller folders not listed: {human(unattributed)} ({unattributed:,} bytes)"
            )
        out.append("")
    if shipped:
        out.append("Shipped in the layers but not in the filesystem (not part of the real size)")
        out += _findings(shipped, image.content_bytes)
        out.append("")
    if audit.findings:
        out.append("Remedies")
        seen: set[str] = set()
        for c in audit.findings:
            if c.remedy not in seen:
                seen.add(c.remedy)
                out.append(f"- {c.title}: {c.remedy}")
    for warning in audit.warnings:
        out.append(f"warning: {warning}")
    return "\n".join(out).rstrip() + "\n"


def _findings(findings: Sequence[Culprit], whole: int) -> list[str]:
    rows: list[tuple[str, ...]] = []
    for c in findings:
        rows.append((c.title, f"{c.bytes:,}", human(c.bytes), _pct(c.bytes, whole)))
        if c.kind != "app-folder":
            for item, size in c.items[:3]:
                rows.append((f"    {item}", f"{size:,}", human(size), ""))
    return _table(("finding", "bytes", "size", "share"), rows, {1, 2, 3})
