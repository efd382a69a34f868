"""The second part of a Dockerfile's report, in each format: what its image holds that the
floor does not need (:attr:`sizefloor.report.Report.dockerfile`), and where the runtime
came from."""

from __future__ import annotations

import html

from sizefloor.report import DockerfileReport, ImageAddition, Report
from sizefloor.units import human

__all__ = ["base_note", "dockerfile_html", "dockerfile_lines", "dockerfile_markdown"]

_KINDS = {
    "system-package": "system package",
    "build-tool": "build tool",
    "package-lists": "package lists",
    "cache": "cache",
    "installer": "installer",
    "dev-group": "dev group",
    "venv-pip": "venv's pip",
    "build-context": "build context",
}


def base_note(report: Report) -> str | None:
    """Why the runtime is the one it is, when the Dockerfile's ``FROM`` chose it."""
    docker = report.dockerfile
    runtime = report.runtime
    if docker is None or runtime is None or runtime.chosen_by != "Dockerfile":
        return None
    return (
        f"the base the Dockerfile's final stage is built FROM ({docker.image}); "
        "--base NAME sizes it on another"
    )


def _size(addition: ImageAddition) -> str:
    if addition.bytes is None:
        return "-"
    return ("" if addition.exact else "~") + human(addition.bytes)


def _heading(docker: DockerfileReport) -> str:
    sized = ""
    if docker.additions_bytes:
        mark = "" if docker.additions_exact else "~"
        sized = f": {mark}{human(docker.additions_bytes)} sized"
    return (
        f"What {docker.path} adds beside the floor (final stage {docker.stage}, FROM "
        f"{docker.image}){sized}"
    )


def dockerfile_lines(report: Report) -> list[str]:
    """The terminal table's section (empty without a Dockerfile)."""
    docker = report.dockerfile
    if docker is None:
        return []
    if not docker.additions:
        return [f"{_heading(docker)}: nothing the floor does not need"]
    rows = [(a.name, _KINDS.get(a.kind, a.kind), _size(a), a.origin) for a in docker.additions]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    out = [_heading(docker) + ":"]
    for addition, row in zip(docker.additions, rows, strict=True):
        out.append(
            f"  {row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}"
        )
        out.append(f"  {'':<{widths[0]}}  {addition.detail}; {addition.remedy}")
    if any(not a.exact and a.bytes is not None for a in docker.additions):
        out.append("  ~ estimated (see each line)")
    return out


def dockerfile_markdown(report: Report) -> list[str]:
    """The Markdown section, folded (empty without a Dockerfile)."""
    docker = report.dockerfile
    if docker is None:
        return []
    if not docker.additions:
        return ["", f"{_heading(docker)}: nothing the floor does not need."]
    out = [
        "",
        f"<details><summary>{html.escape(_heading(docker))}</summary>",
        "",
        "| what | kind | size | where | what to do |",
        "|---|---|--:|---|---|",
    ]
    for a in docker.additions:
        name, remedy = a.name.replace("|", "\\|"), a.remedy.replace("|", "\\|")
        out.append(
            f"| {name} | {_KINDS.get(a.kind, a.kind)} | {_size(a)} | {a.origin} | {remedy} |"
        )
    return [*out, "", "</details>"]


def dockerfile_html(report: Report) -> str:
    """The HTML section (empty without a Dockerfile)."""
    docker = report.dockerfile
    if docker is None:
        return ""
    e = html.escape
    if not docker.additions:
        return (
            f"<section id=dockerfile><h2>{e(_heading(docker))}</h2>"
            "<p>Nothing the floor does not need.</p></section>"
        )
    rows = "".join(
        f"<tr><td>{e(a.name)}</td><td>{e(_KINDS.get(a.kind, a.kind))}</td>"
        f'<td class=n title="{e(a.detail)}">{e(_size(a))}</td><td><code>{e(a.origin)}</code></td>'
        f"<td>{e(a.remedy)}</td></tr>"
        for a in docker.additions
    )
    return (
        f"<section id=dockerfile><h2>{e(_heading(docker))}</h2><table id=additions><thead><tr>"
        "<th>what</th><th>kind</th><th class=n>size</th><th>where</th><th>what to do</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )
