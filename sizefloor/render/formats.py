"""Output formats: one module each, chosen here by name.

Each renderer takes a :class:`~sizefloor.report.Report` and returns text; none of them
prints or touches anything else. A new format is one module with a
``render(report, *, top, files) -> str``-shaped function, and one line in :data:`RENDERERS`.
"""

from __future__ import annotations

from collections.abc import Callable

from sizefloor.render.html import render_html
from sizefloor.render.json import render_json
from sizefloor.render.markdown import render_markdown
from sizefloor.render.table import render_table
from sizefloor.report import Report

__all__ = ["FORMATS", "RENDERERS", "render"]

Renderer = Callable[[Report, int, bool], str]

RENDERERS: dict[str, Renderer] = {
    "table": lambda report, top, files: render_table(report, top=top),
    "json": lambda report, top, files: render_json(report, top=top, files=files),
    "markdown": lambda report, top, files: render_markdown(report, top=top),
    "html": lambda report, top, files: render_html(report, top=top),
}
"""Format name -> renderer(report, top, files)."""

FORMATS = tuple(RENDERERS)


def render(report: Report, fmt: str, *, top: int = 0, files: bool = False) -> str:
    """``report`` in ``fmt``; ``top`` adds the largest files, ``files`` (JSON) every file."""
    return RENDERERS[fmt](report, top, files)
