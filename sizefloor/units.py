"""Byte sizes as people write them (``500MB``, ``1.5 GiB``, ``750kB``) and as sizefloor prints them.

Units are Docker's (and the SI's / IEC's): ``kB``, ``MB``, ``GB``, ``TB`` are
decimal (powers of 1000), ``KiB``, ``MiB``, ``GiB``, ``TiB`` binary (powers of
1024), matched without regard to case; ``B`` or no unit is bytes. A single
letter (``500M``) is decimal too, as Docker's ``HumanSize`` reads it. The
value is exact: ``1.5GB`` is 1,500,000,000 bytes, computed with fractions,
never floats; a fraction of a byte is dropped.
"""

from __future__ import annotations

import re

from sizefloor.errors import InvalidSize

UNITS: dict[str, int] = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 1000**2,
    "mb": 1000**2,
    "g": 1000**3,
    "gb": 1000**3,
    "t": 1000**4,
    "tb": 1000**4,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
    "tib": 1024**4,
}
"""Lower-cased unit -> bytes."""

_SIZE = re.compile(r"^\s*(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>[a-zA-Z]*)\s*$")


UNITS_HINT = (
    "Write a number and a unit, e.g. 500MB, 1.5GB or 800MiB "
    "(kB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB powers of 1024; B is bytes)."
)


def parse_size(text: str, *, unit_required: bool = False) -> int:
    """The number of bytes ``text`` names: ``parse_size("500MB") == 500_000_000``.

    With ``unit_required`` a bare number (``"200"``) is refused rather than read as
    bytes: a budget of 200 bytes is never what ``--max-size 200`` meant."""
    match = _SIZE.match(text)
    unit = match.group("unit").lower() if match else ""
    if match is None or unit not in UNITS:
        raise InvalidSize(f"{text!r} is not a size.", hint=UNITS_HINT)
    if unit_required and not unit:
        raise InvalidSize(f"{text.strip()!r} has no unit.", hint=UNITS_HINT)
    from fractions import Fraction  # start-up: with decimal, a tenth of a warm run's imports

    return int(Fraction(match.group("number")) * UNITS[unit])


def human(n: int) -> str:
    """Bytes in decimal units, as ``docker images`` prints them."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            if unit == "B":
                return f"{int(value)} B"
            return f"{value:.1f} {unit}" if abs(value) < 100 else f"{value:.0f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


__all__ = ["UNITS", "UNITS_HINT", "human", "parse_size"]
