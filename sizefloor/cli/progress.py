"""Progress on stderr: one line, redrawn, while stderr is a terminal; nothing otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

__all__ = ["LISTENERS", "Progress"]

LISTENERS: list[Callable[[str, int, int], None]] = []
"""Told of every step as well, shown or not: ``-v``'s clock of where the time went."""


class Progress:
    """``progress(stage, done, total)`` as the library calls it: a bar when ``total`` is
    known, the stage alone when it is 0; :meth:`clear` wipes the line before output."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        for listener in LISTENERS:
            listener(stage, done, total)
        if not self.enabled:
            return
        if total:
            width = 30
            filled = width * done // total
            text = f"{stage} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        else:
            text = f"{stage}…"
        self.stream.write("\r\x1b[2K" + text)
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
