"""The size of the ``.pyc`` files an installer writes, modelled.

pip byte-compiles every installed ``.py`` file. A ``.pyc`` is a 16-byte
header and the marshalled code object: it grows with the code in the source
(not its comments), and holds the source's full path once. Only the source's
size is known from a central directory, so the size is a fitted line per
Python version, plus the path:

    pyc = empty + len(path)                    for an empty source file
    pyc = intercept + slope * source + len(path)   otherwise

The coefficients were fitted on 2,890 modules of a real site-packages
compiled by each interpreter (``benchmarks/pyc_model.py`` refits them). On
groups of 20 modules the fit is within about ±15% (10th to 90th percentile),
and within about 5% over thousands: :data:`RELATIVE_ERROR` is what the report
states.
"""

from __future__ import annotations

from dataclasses import dataclass

RELATIVE_ERROR = 0.15
"""How far a package's modelled bytecode can be off, as a share of it."""


@dataclass(frozen=True)
class Coefficients:
    empty: int
    intercept: float
    slope: float


# (major, minor) -> fit; versions past the last use the last.
MODEL: dict[tuple[int, int], Coefficients] = {
    (3, 10): Coefficients(empty=93, intercept=224, slope=0.8331),
    (3, 11): Coefficients(empty=109, intercept=798, slope=1.3333),
    (3, 12): Coefficients(empty=97, intercept=679, slope=1.2091),
    (3, 13): Coefficients(empty=97, intercept=797, slope=1.1895),
}


@dataclass(frozen=True)
class PycEstimate:
    size: int
    error: int


def coefficients(python_version: tuple[int, int]) -> Coefficients:
    known = sorted(MODEL)
    if python_version in MODEL:
        return MODEL[python_version]
    if python_version < known[0]:
        return MODEL[known[0]]
    return MODEL[known[-1]]


def pyc_size(source_size: int, path: str, python_version: tuple[int, int]) -> PycEstimate:
    """The modelled size of the ``.pyc`` compiled from a source of ``source_size``
    bytes installed at ``path``."""
    fit = coefficients(python_version)
    path_bytes = len(path.encode())
    if source_size == 0:
        return PycEstimate(fit.empty + path_bytes, 0)
    size = round(fit.intercept + fit.slope * source_size) + path_bytes
    return PycEstimate(size, round(size * RELATIVE_ERROR))


def cache_tag(python_version: tuple[int, int]) -> str:
    """``cpython-312`` for CPython 3.12: the middle of a ``.pyc`` file's name."""
    major, minor = python_version
    return f"cpython-{major}{minor}"
