"""Colour on a terminal, and the lines sizefloor writes to stderr.

Colour is on when the stream is a terminal (and ``TERM`` is not ``dumb``); ``NO_COLOR`` set
to anything but the empty string turns it off, and ``FORCE_COLOR`` (anything but empty or
``0``) turns it on even into a pipe or a file: the conventions of no-color.org and
force-color.org, ``NO_COLOR`` winning when both are set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TextIO

__all__ = ["BOLD", "DIM", "GREEN", "RED", "YELLOW", "colour_on", "paint", "say"]

RED = "31"
GREEN = "32"
YELLOW = "33"
BOLD = "1"
DIM = "2"


def colour_on(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether what is written to ``stream`` is coloured."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR", ""):
        return False
    if env.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if env.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or odd stream
        return False


def paint(text: str, *codes: str, on: bool = True) -> str:
    """``text`` in the SGR ``codes`` (when ``on``), reset after it."""
    if not on or not codes or not text:
        return text
    return f"\x1b[{';'.join(codes)}m{text}\x1b[0m"


def say(stream: TextIO, label: str, text: str, *codes: str) -> None:
    """``sizefloor: LABEL: TEXT`` (``sizefloor: TEXT`` without a label) on one line of
    ``stream``, the label coloured on a terminal."""
    on = colour_on(stream)
    head = f"{paint(label, BOLD, *codes, on=on)}: " if label else ""
    print(f"sizefloor: {head}{text}", file=stream)


_SGR = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: str) -> str:
    """``text`` without its colour codes."""
    return _SGR.sub("", text)
