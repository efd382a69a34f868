"""Sampled calibration: the ``.pyc`` model corrected by modules compiled, to a stated goal.

The model (:mod:`sizefloor.install.bytecode`) sees only what a wheel's central
directory says of each module: its size, compressed size and name. What it
cannot see is how the code is written, and that is mostly a trait of the
project: ``pygments``' lexers are keyword tables that marshal to 0.7 of what
the model says, ``six`` and ``rich`` are many small functions and classes,
1.1 to 1.3 of it. So by default, when a CPython of the target's version is at
hand (:mod:`sizefloor.install.interpreters`), modules are compiled, as many as
the estimate's accuracy needs, and the model is corrected by what they show.

1. **The goal** (:func:`targets`). The calibrated bytecode of the whole set
   states at most :data:`GOAL` of the estimate as its error (90%, root-sum-square
   over the wheels, whose sampling errors are independent). Each wheel gets a
   share of it that grows with the square root of its modelled bytecode (the
   allocation that costs the fewest compiled modules for that total). A wheel
   whose model alone states less than its share (±:data:`bytecode.RELATIVE_ERROR
   <sizefloor.install.bytecode.RELATIVE_ERROR>`) is left to the model: nothing fetched.
2. **The sample** (:func:`choose`), sized for that target, assuming modules'
   ratios of real to modelled bytes spread by :data:`PLAN_SPREAD` within a wheel:
   the largest modules are compiled for certain until what the others could
   deviate on their own fits half the target; then enough of the others, spread
   over the archive's order (:func:`spread`: the first, the middle, the
   quarters...; modules are stored by path, so the sample is stratified across
   the package's folders), for the ratio to fit the other half. A wheel whose
   modules cost at most :data:`LEAST` to fetch, or whose sample would cost
   :data:`WHOLE_SHARE` of them, is compiled whole: its bytecode is then exact.
   A one-module package is thus compiled, not sampled.
3. **Fetch and compile** (:func:`sizefloor.install.exact.sample_all`): the chosen
   members are fetched by range and compiled as pip compiles them by worker
   processes of the target's CPython (:mod:`sizefloor.install.compilers`); cached
   with the wheel's identity, so a warm run fetches nothing.
4. **The correction** (:func:`calibrate`). The modules compiled for certainty
   are the largest, and behave unlike the rest (``docutils``' large modules
   marshal to 1.3 of the model, its small language tables to 0.5): the ratio
   ``r`` of real to modelled bytes is measured on the compiled modules no
   larger than the largest one left (the spread sample). With ``s²`` the spread
   of their ratios (weighted by modelled bytes, pooled with a prior spread
   :data:`SPREAD` worth :data:`SPREAD_WEIGHT` modules) and ``m`` the modelled
   sizes::

       var(r) = s² · sum(m²) / (sum m)²           over the sampled modules
       w      = PRIOR² / (PRIOR² + var(r))
       r'     = 1 + (r - 1) · w                   shrunk towards the model
       ±      = Z · sqrt(s² · sum(m²) + (sum m)² · var(r) · w)   over the others

   The modules not compiled get the model times ``r'``; ``±`` (bytes) is their
   stated error: the modules' own deviations and the ratio's uncertainty.

Measured by ``benchmarks/calibration.py`` (``docs/calibration.md``) on the
corpus of ``benchmarks/pyc_model.py`` (208 wheels, 33,603 modules, each
compiled by CPython 3.10 to 3.13), each wheel sized alone (the hardest set:
its bytecode is up to half of it): the whole set's |error| is at most 0.65%
(3.10), 0.68% (3.11), 0.80% (3.12), 0.95% (3.13), p90 0.03-0.08%, where the
model alone is off by p90 9-12% and up to 67%; the accuracy cases built from
the corpus within 0.61%. The price: 70-89 MB of the 208 wheels' sources
fetched and compiled when each is alone, 0.1-2.9 MB per accuracy case. Against
real compiled installs (``benchmarks/accuracy.py``, ``docs/accuracy.md``): a
3.12 target sized from 3.11 within 0.64% on every case, the host's within 0.72%.

What was tried before, and why it went: a fixed budget of 16-32 KiB of sources
a wheel, taking the spread modules that fit, favours small modules and states
errors of 3-11% a package; on the accuracy cases its totals came out 0.4-2.8%
low. Sizing the sample by the goal (and measuring the ratio on the spread
sample only) is what brings every case within 1%.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sizefloor.install import bytecode

GOAL = 0.006
"""The stated error of a set's calibrated bytecode, as a share of the estimate (90%,
root-sum-square over its wheels): a set's estimate is then within 1% of the truth."""

PLAN_SPREAD = 0.2
"""The spread of modules' real-to-modelled ratios within a wheel that a sample is
sized for (on the corpus: p50 0.16, p90 0.25; a wider one states a wider error)."""

LEAST = 16 * 1024
"""A wheel whose ``.py`` members cost at most this to fetch is compiled whole..."""
WHOLE_SHARE = 0.6
"""...and one whose sample would cost this share of them."""
FEWEST = 8
"""The fewest modules a spread sample takes (all of them when there are fewer)."""

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


def targets(wheels: Sequence[tuple[int, int]]) -> list[int | None]:
    """For each wheel's (modelled bytecode, other installed bytes): the error (bytes,
    90%) its calibrated bytecode may state, or ``None`` when the model alone states
    less (no sample). The shares add up, root-sum-square, to :data:`GOAL` of the whole."""
    total = sum(b + other for b, other in wheels)
    modelled = sum(b for b, _ in wheels)
    shares: list[int | None] = []
    for b, _ in wheels:
        if b <= 0 or modelled <= 0:
            shares.append(None)
            continue
        share = GOAL * total * math.sqrt(b / modelled)
        shares.append(None if bytecode.RELATIVE_ERROR * b <= share else max(1, round(share)))
    return shares


class SampleModule(NamedTuple):
    """A ``.py`` member pip compiles, in the archive's order (a named tuple: a
    large wheel has thousands, and a frozen dataclass's ``__init__`` made them
    5% of a cold run's time holding the GIL)."""

    name: str
    size: int
    compressed: int | None
    """Its compressed size in the wheel, when the directory said."""
    modelled: int = 0
    """Its ``.pyc`` size in the model."""

    @property
    def cost(self) -> int:
        """Bytes fetched for it: its local header and its data."""
        data = self.compressed if self.compressed is not None else round(self.size * 0.3)
        return HEADER + len(self.name.encode()) + data


def choose(candidates: Sequence[SampleModule], target: int) -> list[str]:
    """The members to compile for the wheel's calibrated bytecode to state about
    ``target`` bytes of error (see the module's docstring): the largest for
    certain, then a spread sample of the others; all of them when that costs
    nearly as much."""
    whole = [c.name for c in candidates]
    cost = sum(c.cost for c in candidates)
    filled = [c for c in candidates if c.size]
    if cost <= LEAST or not filled:
        return whole
    allowed = (max(target, 1) / Z) ** 2 / 2  # half for the modules' own deviations
    largest = sorted(filled, key=lambda c: -c.modelled)
    squares = sum(c.modelled**2 for c in largest)
    certain: set[str] = set()
    for c in largest:
        if PLAN_SPREAD**2 * squares <= allowed:
            break
        certain.add(c.name)
        squares -= c.modelled**2
    rest = [c for c in filled if c.name not in certain]  # the archive's order
    need = math.ceil(PLAN_SPREAD**2 * sum(c.modelled for c in rest) ** 2 / allowed)
    need = max(need, min(len(rest), FEWEST))  # half for the ratio
    picked = {rest[i].name for i in spread(len(rest))[:need]}
    chosen = [c.name for c in candidates if c.name in certain or c.name in picked]
    by_name = {c.name: c for c in candidates}
    if sum(by_name[name].cost for name in chosen) >= WHOLE_SHARE * cost:
        return whole
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
    rest = [m for m in unsampled if m > 0]
    pairs = [(m, t) for m, t in pairs if m > 0]
    if rest:  # the modules compiled for certainty (larger than any left) say nothing of them
        spread_sample = [(m, t) for m, t in pairs if m <= max(rest)]
        pairs = spread_sample or pairs
    if not pairs or not rest:
        return Calibration(1.0, bytecode.RELATIVE_ERROR, 0)
    modelled = sum(m for m, _ in pairs)
    ratio = sum(t for _, t in pairs) / modelled
    n = len(pairs)
    spread2 = sum(m * (t / m - ratio) ** 2 for m, t in pairs) / modelled
    spread2 = (SPREAD_WEIGHT * SPREAD**2 + n * spread2) / (SPREAD_WEIGHT + n)
    ratio_var = spread2 / effective(m for m, _ in pairs)
    shrink = PRIOR**2 / (PRIOR**2 + ratio_var)
    calibrated = 1 + (ratio - 1) * shrink
    left = sum(rest)
    variance = spread2 * sum(m * m for m in rest) + left**2 * ratio_var * shrink
    return Calibration(calibrated, Z * math.sqrt(variance) / (left * calibrated), n)


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
