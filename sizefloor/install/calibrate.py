"""Sampled calibration: the ``.pyc`` model corrected by a few modules compiled.

The model (:mod:`sizefloor.install.bytecode`) sees only what a wheel's central
directory says of each module: its size, compressed size and name. What it
cannot see is how the code is written, and that is mostly a trait of the
project: ``pygments``' lexers are keyword tables that marshal to 0.7 of what
the model says, ``six`` and ``rich`` are many small functions and classes,
1.1 to 1.3 of it. So by default, when a CPython of the target's version is at
hand (:func:`available`), the wheels that carry most of the model's stated
error (:func:`sizefloor.install.exact.worth_calibrating`: the largest first, until
the others state at most 1% of the estimate together) each get a small,
deterministic sample of their ``.py`` members compiled, and the model is
corrected by what the sample shows:

1. **The sample** (:func:`choose`). Every ``.py`` member pip compiles costs its
   compressed bytes and a local header to fetch. A wheel whose modules all fit
   in the budget (:func:`budget`: :data:`SHARE` of their bytes, held between
   :data:`LEAST` and :data:`MOST`) is compiled whole: its bytecode is then
   exact. Otherwise a module holding :data:`DOMINANT` of the wheel's source
   bytes is taken on top of the budget (if it costs at most
   :data:`DOMINANT_MOST`: ``idna``'s tables are most of it, and unlike the
   rest), and the non-empty modules are visited in the archive's order,
   spread out (:func:`spread`: the first, the middle, the quarters, the
   eighths...), each taken if it still fits. Modules are stored by path, so
   the sample is stratified across the package's folders. It depends on the
   wheel alone.
2. **Fetch and compile** (:func:`sizefloor.install.exact.sample_all`): the chosen
   members are fetched by range and compiled as pip compiles them by worker
   processes of the target's CPython (:mod:`sizefloor.install.compilers`); cached
   with the wheel's identity, so a warm run fetches nothing.
3. **The correction** (:func:`calibrate`). The ratio ``r`` of the sampled
   modules' real ``.pyc`` bytes to their modelled bytes estimates the
   package's. With ``s²`` the spread of the sampled modules' ratios (weighted
   by modelled bytes, pooled with a prior spread :data:`SPREAD` worth
   :data:`SPREAD_WEIGHT` modules), ``n`` the effective number of sampled
   modules, ``u`` that of the others (``(sum m)² / sum m²``) and ``f`` the
   sampled share of the modelled bytes::

       se² = s² / n · (1 - f)                     the uncertainty of r
       w   = PRIOR² / (PRIOR² + se²)
       r'  = 1 + (r - 1) · w                      shrunk towards the model
       ±   = Z · sqrt(se² · w + s² / u)           the stated error, relative

   The modules not sampled get the model times ``r'``, and ``±`` of that as
   their stated error (instead of :data:`sizefloor.install.bytecode.RELATIVE_ERROR`):
   the ratio's remaining uncertainty, and the modules' own deviations from it,
   which do not average out when a few large modules make up the rest.

Fitted and checked on the corpus of ``benchmarks/pyc_model.py`` (208 wheels
with bytecode, 33,603 modules, CPython 3.10 to 3.13), each wheel sampled as
above: the per-package |error| of the bytecode falls from p50 8.6% / p90
25.2% (the model) to 3.0% / 11.0% on 3.11 (3.10: 7.8/24.2 to 3.1/10.9; 3.12:
7.0/25.8 to 2.2/10.5; 3.13: 8.1/25.9 to 2.3/11.2); 50 wheels fit whole in the
budget. The stated error holds for 89% (3.10) to 92% of the packages that are
calibrated, and is 14-15% of their calibrated bytes (bytes-weighted; the
model states 27%). The samples cost 4.5 MB for the 208 wheels; on
``benchmarks/speed-cases/ml.txt`` 10 of the 56 wheels are worth calibrating,
and their samples add 0.08% of the wheels' bytes (327 kB) to what sizefloor
reads. What a small sample misses: a package whose many small
modules differ from its few large ones, which cost more than the budget
(``docutils``: some 80 language tables marshal to 0.5-0.6 of the model, its
large modules to 1.3 of it; calibrated, its bytecode comes out 22-29% low,
outside the stated error). Tried on the same corpus and not kept: taking the
largest modules first, sampling in proportion to size (biased the other way
on ``pygments``-like packages, whose small modules sit closer to the model),
strata by size, by folder or by compressibility, a ratio that varies with
module size, a larger budget (64 KiB: p90 10.4% on 3.11, for twice the
compile time).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from sizefloor.install import bytecode
from sizefloor.install.compilers import find

if TYPE_CHECKING:
    from sizefloor.target import Target

SHARE = 0.05
"""The budget: this share of the bytes the wheel's ``.py`` members cost to fetch..."""
LEAST = 16 * 1024
"""...but at least this many bytes (a wheel whose modules cost less is compiled whole)..."""
MOST = 32 * 1024
"""...and at most this many."""

DOMINANT = 0.3
"""A module holding this share of the wheel's source bytes is compiled on top of
the budget (when it costs at most :data:`DOMINANT_MOST`): it weighs too much to guess."""
DOMINANT_MOST = 64 * 1024

HEADER = 30
"""A local file header without its name (the fetch also takes the name)."""

PRIOR = 0.20
"""The spread of packages' true ratios around 1 (the prior of the shrinkage)."""
SPREAD = 0.35
"""The spread of modules' ratios within a package, before any is seen..."""
SPREAD_WEIGHT = 3
"""...worth this many sampled modules."""

Z = 1.64
"""The stated error is this many standard deviations of the calibrated bytes
(the two-sided 90% of a normal law)."""


def available(target: Target) -> bool:
    """Whether a CPython of the target's version is here to compile the samples:
    the running interpreter, or one on ``PATH`` (:func:`sizefloor.install.compilers.find`)."""
    return find(target.python_version) is not None


def budget(cost: int) -> int:
    """The bytes a wheel whose ``.py`` members cost ``cost`` bytes may spend on its sample."""
    return max(LEAST, min(MOST, round(SHARE * cost)))


class SampleModule(NamedTuple):
    """A ``.py`` member pip compiles, in the archive's order (a named tuple: a
    large wheel has thousands, and a frozen dataclass's ``__init__`` made them
    5% of a cold run's time holding the GIL)."""

    name: str
    size: int
    compressed: int | None
    """Its compressed size in the wheel, when the directory said."""

    @property
    def cost(self) -> int:
        """Bytes fetched for it: its local header and its data."""
        data = self.compressed if self.compressed is not None else round(self.size * 0.3)
        return HEADER + len(self.name.encode()) + data


def choose(candidates: Sequence[SampleModule]) -> list[str]:
    """The members to compile (see the module's docstring): all of them when they
    fit the budget, else the dominant ones and a spread-out sample of the others."""
    total = sum(c.cost for c in candidates)
    left = budget(total)
    if total <= left:
        return [c.name for c in candidates]
    source = sum(c.size for c in candidates)
    chosen = [c.name for c in candidates if c.size >= DOMINANT * source and c.cost <= DOMINANT_MOST]
    for i in spread(len(candidates)):
        candidate = candidates[i]
        if candidate.size and candidate.cost <= left and candidate.name not in chosen:
            chosen.append(candidate.name)
            left -= candidate.cost
    return chosen


def spread(n: int) -> list[int]:
    """``range(n)`` in van der Corput order: 0, then n/2, n/4, 3n/4, n/8...; every
    prefix is spread evenly over the range."""
    if n <= 0:
        return []
    bits = max(1, (n - 1).bit_length())
    order: dict[int, None] = {}
    for i in range(1 << bits):
        # the bits of i reversed: the fraction 0, 1/2, 1/4, 3/4, 1/8... of the range
        order.setdefault(int(format(i, f"0{bits}b")[::-1], 2) * n >> bits)
    return list(order)


@dataclass(frozen=True)
class Calibration:
    """What a wheel's sample says of the modules that were not compiled."""

    ratio: float
    """Multiplies their modelled size."""
    error: float
    """Their stated error, as a share of their calibrated size."""
    sampled: int
    """How many modules the ratio was measured on."""


def calibrate(pairs: Sequence[tuple[int, int]], unsampled: Sequence[int]) -> Calibration:
    """The correction for the modules not compiled, from ``pairs`` of (modelled,
    real) ``.pyc`` sizes of the compiled ones and the modelled sizes of the
    others (``unsampled``). Without a pair, the model's own: ratio 1 and
    :data:`sizefloor.install.bytecode.RELATIVE_ERROR`."""
    pairs = [(m, t) for m, t in pairs if m > 0]
    rest = sum(unsampled)
    if not pairs or rest <= 0:
        return Calibration(1.0, bytecode.RELATIVE_ERROR, 0)
    modelled = sum(m for m, _ in pairs)
    ratio = sum(t for _, t in pairs) / modelled
    n = len(pairs)
    spread2 = sum(m * (t / m - ratio) ** 2 for m, t in pairs) / modelled
    spread2 = (SPREAD_WEIGHT * SPREAD**2 + n * spread2) / (SPREAD_WEIGHT + n)
    se2 = spread2 / effective(m for m, _ in pairs) * rest / (modelled + rest)
    shrink = PRIOR**2 / (PRIOR**2 + se2)
    posterior2 = se2 * shrink  # the ratio's own uncertainty, after shrinking
    own2 = spread2 / effective(unsampled)  # the modules' own deviations from it
    return Calibration(1 + (ratio - 1) * shrink, Z * math.sqrt(posterior2 + own2), n)


def effective(sizes: Iterable[int]) -> float:
    """How many modules of equal size would weigh alike: (sum)² / sum of squares."""
    values = [s for s in sizes if s > 0]
    squares = sum(s * s for s in values)
    return sum(values) ** 2 / squares if squares else 1.0


def calibrated_sizes(
    modelled: Mapping[str, int], pairs: Sequence[tuple[int, int]]
) -> tuple[dict[str, tuple[int, int]], Calibration]:
    """Each not-compiled module's (``.pyc`` size, stated error), from its size in
    the model (``modelled``, by any key) and the (modelled, real) sizes of the
    compiled modules; and the calibration itself."""
    calibration = calibrate(pairs, list(modelled.values()))
    sized: dict[str, tuple[int, int]] = {}
    for key, size in modelled.items():
        scaled = max(1, round(size * calibration.ratio))
        sized[key] = (scaled, round(scaled * calibration.error))
    return sized, calibration
