"""Output formats: one module each, chosen here by name.

Each renderer takes a :class:`~sizefloor.report.Report` and returns text; none of them
prints or touches anything else. A new format is one module with a
``render(report, *, top, files) -> str``-shaped function, and one line in :data:`RENDERERS`.
"""

from __future__ import annotations

from collections.abc import Callable

from sizefloor.report import Report

__all__ = ["FORMATS", "RENDERERS", "render"]

Renderer = Callable[[Report, int, bool], str]

# Each renderer is imported when its format is asked for: a warm run answers in a quarter of
# a second, and the three formats it does not write took a twentieth of it to import.


def _table(report: Report, top: int, files: bool) -> str:
    from sizefloor.render.table import render_table  # start-up: see above

    return render_table(report, top=top)


def _json(report: Report, top: int, files: bool) -> str:
    from sizefloor.render.json import render_json  # start-up: see above

    return render_json(report, top=top, files=files)


def _markdown(report: Report, top: int, files: bool) -> str:
    from sizefloor.render.markdown import render_markdown  # start-up: see above

    return render_markdown(report, top=top)


def _html(report: Report, top: int, files: bool) -> str:
    from sizefloor.render.html import render_html  # start-up: see above

    return render_html(report, top=top)


RENDERERS: dict[str, Renderer] = {
    "table": _table,
    "json": _json,
    "markdown": _markdown,
    "html": _html,
}
"""Format name -> renderer(report, top, files)."""

FORMATS = tuple(RENDERERS)


def render(report: Report, fmt: str, *, top: int = 0, files: bool = False) -> str:
    """``report`` in ``fmt``; ``top`` adds the largest files, ``files`` (JSON) every file."""
    return RENDERERS[fmt](report, top, files)
