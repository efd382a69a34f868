"""TOML files read with errors that name the file and line, and the line a value is written on."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from sizefloor.errors import ProjectFileError

__all__ = ["TomlFile", "read_toml", "table", "toml_parser"]

_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)")


def toml_parser() -> ModuleType:
    """:mod:`tomllib` (``tomli`` before Python 3.11), imported when a TOML file is first read:
    a run with none to read (a requirements file, answered from the cache) does without it
    (12 ms of a 0.25 s run)."""
    if sys.version_info >= (3, 11):
        import tomllib  # when first needed (above)
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # when first needed (above)
    return tomllib


class TomlFile:
    """A TOML file's data, and its text (to tell on which line a value is written)."""

    def __init__(self, path: str, text: str, data: dict[str, Any]) -> None:
        self.path = path
        self.text = text
        self.data = data
        self._cursors: dict[str, int] = {}

    def line_of(self, value: str, *, after: str = "") -> int | None:
        """The line ``value`` is written on as a TOML string, looked for after the header
        ``after`` (e.g. ``[project]``) and after the previous value found there, so that
        values written in order get lines in order. ``None`` when it cannot be told."""
        start = self._cursors.get(after)
        if start is None:
            start = self.text.find(after) if after else 0
            start = max(start, 0)
        for quote in ('"', "'"):
            found = self.text.find(f"{quote}{value}{quote}", start)
            if found >= 0:
                self._cursors[after] = found + len(value) + 2
                return self.text.count("\n", 0, found) + 1
        return None


def read_toml(path: str, kind: str) -> TomlFile:
    """Read the TOML file ``path`` (a ``kind`` such as ``pyproject.toml``), or raise a
    :class:`ProjectFileError` saying where it is not TOML."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ProjectFileError(
            f"cannot read this {kind}: {exc.strerror or exc}", file=path, hint="Check the path."
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProjectFileError(
            f"this {kind} is not UTF-8 text (byte {exc.start})",
            file=path,
            hint="TOML files are UTF-8: save it as UTF-8.",
        ) from None
    parser = toml_parser()
    try:
        data = parser.loads(text)
    except parser.TOMLDecodeError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "not TOML"
        at = _AT_LINE.search(message)
        line = getattr(exc, "lineno", None) or (int(at.group(1)) if at else None)
        raise ProjectFileError(
            f"this {kind} is not valid TOML: {_AT_LINE.sub('', message).strip()}",
            file=path,
            line=line,
            hint=f"Fix the TOML syntax (the tool that wrote this {kind} reads it the same way).",
        ) from None
    return TomlFile(path, text, data)


def table(data: Mapping[str, Any], *keys: str, path: str, kind: str = "table") -> dict[str, Any]:
    """``data[keys[0]][keys[1]]…``, a table (``{}`` when absent); a :class:`ProjectFileError`
    when something on the way is not a table."""
    current: Any = data
    for depth, key in enumerate(keys):
        current = current.get(key, {})
        if not isinstance(current, dict):
            dotted = ".".join(keys[: depth + 1])
            raise ProjectFileError(
                f"[{dotted}] is a {type(current).__name__}, not a {kind}",
                file=path,
                hint=f"Write [{dotted}] as a TOML table.",
            )
    return dict(current)
