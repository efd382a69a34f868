"""The report as JSON (``docs/json-schema.md``)."""

from __future__ import annotations

import json

from sizefloor.analysis.summary import analysed
from sizefloor.report import Report

__all__ = ["render_json"]


def render_json(report: Report, *, top: int = 0, files: bool = False) -> str:
    """The documented JSON; ``top`` adds the largest files, ``files`` every installed file."""
    document = analysed(report).to_json(top=top, files=files)
    return json.dumps(document, indent=2) + "\n"
