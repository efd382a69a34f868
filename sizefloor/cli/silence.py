"""Warnings by name: each warning the library gives has a stable name, printed after it,
by which ``--silence NAME`` (or ``SIZEFLOOR_SILENCE``, or ``silence`` in
``[tool.sizefloor]``) keeps it off stderr.

The library's warnings are sentences (:attr:`sizefloor.report.Report.warnings`, and the JSON's
``warnings``, which keeps them all); their names are given here, from the words each one
starts with or holds, so that the stages that warn need not know about silencing. A warning
no pattern names is ``other``; ``all`` silences every one (``-q`` silences progress too).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sizefloor.errors import InputError

__all__ = ["WARNINGS", "WarningName", "check_names", "name_of", "shown"]


@dataclass(frozen=True)
class WarningName:
    name: str
    pattern: str
    """A regular expression, compiled when first used (``re`` keeps it): compiling the
    twenty of them was a hundredth of a warm run, which may print no warning at all."""
    about: str
    """What the warnings of that name say, for ``--help`` and the error on an unknown name."""


def _w(name: str, pattern: str, about: str) -> WarningName:
    return WarningName(name, pattern, about)


WARNINGS: tuple[WarningName, ...] = (
    _w(
        "pip-constraint",
        r"^pip's configuration sets a constraints file",
        "pip's configuration names a constraints file that -c does not",
    ),
    _w(
        "pip-requirement",
        r"^pip's configuration sets a requirements file",
        "pip's configuration names a requirements file",
    ),
    _w(
        "pip-option",
        r"^pip's configuration sets .*sizefloor does not apply it",
        "pip's configuration sets an option that changes what is installed",
    ),
    _w(
        "pip-config",
        r"^(skipping pip configuration file|ignoring \S+ = .*\(pip would stop with an error\)"
        r"|(cert|client-cert) .* does not exist)",
        "a pip configuration file or value that pip itself would refuse",
    ),
    _w(
        "index-skipped",
        r"^(the index .* cannot be read|skipping (extra index|find-links location|the index"
        r"|--find-links) )",
        "an index or --find-links location that cannot be read",
    ),
    _w("no-range", r"ignores Range requests", "a server that sends whole files for ranges"),
    _w("unsized", r" is not sized: ", "a requirement that cannot be sized without a build"),
    _w(
        "invalid-requirement",
        r" declares an invalid requirement ",
        "a package whose metadata holds a requirement that cannot be read",
    ),
    _w(
        "constraint-url",
        r"^constraint .* names a URL",
        "a constraint written as a URL (only its name is used)",
    ),
    _w(
        "exact-bytecode",
        r"^--exact-bytecode: ",
        "--exact-bytecode could not compile, and modelled instead",
    ),
    _w(
        "bytecode-sample",
        r"(^could not compile a sample of | could not compile \(|^--offline: the cache has no "
        r"compiled sample)",
        "the bytecode model could not be calibrated on some wheels",
    ),
    _w(
        "upload-time",
        r"^--uploaded-prior-to: ",
        "--uploaded-prior-to met files without an upload time",
    ),
    _w("cache", r"^the cache (at .* cannot be used|could not be)", "the cache is not usable"),
    _w(
        "no-runtime",
        r"^no catalogued runtime runs ",
        "no catalogued runtime runs the target: the floor is the packages alone",
    ),
    _w(
        "runtime-refresh",
        r"(^--refresh-runtime|no Debian security archive)",
        "a base's size could not be refreshed as asked",
    ),
    _w(
        "compare-bases",
        r"^--compare-bases ",
        "--compare-bases uses the platform's architecture alone",
    ),
    _w(
        "image-mismatch",
        r"(^the floor is sized for |never imported \(built for another Python|not installed in "
        r"the image, though|does not record which command made each layer)",
        "an image and its floor that do not compare like with like",
    ),
    _w("other", r"", "any warning no other name covers"),
)
"""Every name, in the order tried: the first that matches names a warning."""

ALL = "all"
NAMES = frozenset(w.name for w in WARNINGS)


def name_of(warning: str) -> str:
    """The stable name of ``warning`` (``other`` when no pattern knows it)."""
    for candidate in WARNINGS:
        if re.search(candidate.pattern, warning):
            return candidate.name
    return "other"


def check_names(names: Iterable[str], where: str) -> tuple[str, ...]:
    """``names`` (comma-separated items allowed), each checked to be a warning's name;
    :class:`~sizefloor.errors.InputError` naming ``where`` otherwise."""
    result: list[str] = []
    for item in names:
        for name in (part.strip().lower() for part in item.split(",")):
            if not name:
                continue
            if name != ALL and name not in NAMES:
                raise InputError(
                    f"{where}: {name!r} is not the name of a warning.",
                    hint="The names: "
                    + ", ".join(f"{w.name} ({w.about})" for w in WARNINGS)
                    + f"; or {ALL}.",
                )
            result.append(name)
    return tuple(dict.fromkeys(result))


def shown(warnings: Iterable[str], silenced: Collection[str]) -> list[tuple[str, str]]:
    """``(name, warning)`` for the warnings not silenced, in order."""
    if ALL in silenced:
        return []
    named = ((name_of(w), w) for w in warnings)
    return [(name, w) for name, w in named if name not in silenced]
