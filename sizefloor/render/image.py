"""``sizefloor image`` output: an :class:`~sizefloor.image.audit.Audit` as a text table or JSON.

Each renderer returns text; nothing here prints.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sizefloor.image.audit import Audit, Culprit
from sizefloor.image.reader import Image
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
    out = _heading(audit.image)
    out.append("")
    out += _layers(audit.image)
    out.append("")
    out += _python(audit)
    out += _floor(audit)
    out.append("")
    out += _in_image(audit)
    out += _shipped(audit)
    out += _remedies(audit)
    out += [f"warning: {warning}" for warning in audit.warnings]
    return "\n".join(out).rstrip() + "\n"


def _heading(image: Image) -> list[str]:
    name = ", ".join(image.tags) or image.source
    real = image.real_bytes
    return [
        f"Image {name} ({image.kind}, {image.platform}, {len(image.layers)} layers)",
        f"real size: {human(real)} ({real:,} bytes) in {len(image.files):,} files; "
        f"layers ship {human(image.tar_bytes)} as tars, {human(image.blob_bytes)} as stored",
    ]


def _layers(image: Image) -> list[str]:
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
    header = ("layer", "", "content", "hidden", "tar", "stored", "comp.", "created by")
    return [
        *_table(header, rows, {0, 2, 3, 4, 5}),
        f"base layers: {image.base_layers} ({image.base_reason})",
    ]


def _python(audit: Audit) -> list[str]:
    py = audit.python
    if not py.versions:
        return []
    sites = "; ".join(
        f"{sp.path} ({len(sp.distributions)} distributions{', STALE' if sp.stale else ''})"
        for sp in py.site_packages
    )
    return [f"Python {', '.join(py.versions)} in the image; site-packages: {sites or '-'}"]


def _floor(audit: Audit) -> list[str]:
    """The floor, how far above it the image is, and the dependencies as installed."""
    floor = audit.floor
    if floor is None:
        return []
    parts = f"dependencies {human(floor.dependencies_bytes)}"
    if floor.runtime_bytes is not None:
        parts = f"runtime {floor.runtime_name} {human(floor.runtime_bytes)} + " + parts
    out = [
        f"floor: {human(floor.installed_bytes)} ({floor.installed_bytes:,} bytes: {parts}) "
        f"for Python {floor.target.get('python')} on {floor.target.get('platform')}"
    ]
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
    return out


def _in_image(audit: Audit) -> list[str]:
    """The findings that are part of the real size, with what they and the floor cover."""
    in_image = [c for c in audit.findings if c.scope == "image"]
    if not in_image:
        return []
    out = ["Findings: where the bytes above the floor are"]
    out += _findings(in_image, audit.real_bytes)
    floor = audit.floor
    if audit.coverage is not None and floor is not None:
        out.append(
            f"floor + findings: {human(floor.installed_bytes + audit.findings_bytes)} = "
            f"{100 * audit.coverage:.1f}% of the real size"
        )
    unattributed = audit.accounted.get("unattributed", 0)
    if unattributed:
        out.append(f"smaller folders not listed: {human(unattributed)} ({unattributed:,} bytes)")
    out.append("")
    return out


def _shipped(audit: Audit) -> list[str]:
    shipped = [c for c in audit.findings if c.scope == "shipped"]
    if not shipped:
        return []
    return [
        "Shipped in the layers but not in the filesystem (not part of the real size)",
        *_findings(shipped, audit.image.content_bytes),
        "",
    ]


def _remedies(audit: Audit) -> list[str]:
    """Each distinct remedy once, under the first finding that needs it."""
    if not audit.findings:
        return []
    out = ["Remedies"]
    seen: set[str] = set()
    for c in audit.findings:
        if c.remedy not in seen:
            seen.add(c.remedy)
            out.append(f"- {c.title}: {c.remedy}")
    return out


def _findings(findings: Sequence[Culprit], whole: int) -> list[str]:
    rows: list[tuple[str, ...]] = []
    for c in findings:
        rows.append((c.title, f"{c.bytes:,}", human(c.bytes), _pct(c.bytes, whole)))
        if c.kind != "app-folder":
            for item, size in c.items[:3]:
                rows.append((f"    {item}", f"{size:,}", human(size), ""))
    return _table(("finding", "bytes", "size", "share"), rows, {1, 2, 3})
