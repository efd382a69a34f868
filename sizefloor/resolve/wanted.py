"""What the resolver is asked for: a requirement with where it came from, and what is asked of
requirements (their identifier, their markers)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version


@dataclass(frozen=True)
class Wanted:
    """A requirement as the resolver sees it, with where it came from."""

    requirement: Requirement
    origin: str
    """``requirements.txt:3``, or ``flask 3.0.0`` for a dependency."""
    satisfied: dict[Version, bool] = field(default_factory=dict, compare=False, repr=False)
    """Versions already checked against the specifier (:meth:`Provider.is_satisfied_by`:
    resolvelib asks again for every requirement of every pin in every round, 68,000
    times for a 173-package lock file)."""
    last: list[object] = field(default_factory=lambda: [None, False], compare=False, repr=False)
    """The candidate last checked and the answer: resolvelib asks about the same pin round
    after round (370,000 times in a 240-package set's three resolutions), and comparing the
    object is quicker than hashing its version."""

    @functools.cached_property
    def name(self) -> NormalizedName:
        return canonicalize_name(self.requirement.name)

    @functools.cached_property
    def pinned(self) -> bool:
        """Pinned to one version (``==`` or ``===``, no wildcard)."""
        return any(
            s.operator in ("==", "===") and "*" not in s.version for s in self.requirement.specifier
        )


@functools.lru_cache(maxsize=4096)
def parse_requirement(text: str) -> Requirement:
    """``Requirement(text)``, parsed once: a wheel's dependencies are read by the
    exploration and again by the resolver, and packaging's parser was 7% of a
    cold run's CPU. The objects are shared, so they are never changed here.
    An invalid one raises each time (exceptions are not cached)."""
    return Requirement(text)


def identify(name: str, extras: Iterable[str]) -> str:
    """resolvelib's identifier of a project with extras: ``name`` or ``name[a,b]``."""
    key = canonicalize_name(name)
    extras = sorted(canonicalize_name(e) for e in extras)
    return f"{key}[{','.join(extras)}]" if extras else key


def split_identifier(identifier: str) -> tuple[NormalizedName, frozenset[str]]:
    """The project name and extras of an identifier (:func:`identify`)."""
    name, _, rest = identifier.partition("[")
    extras = frozenset(rest.rstrip("]").split(",")) if rest else frozenset()
    return NormalizedName(name), extras


def marker_true(marker: Marker, environment: Mapping[str, str], extras: frozenset[str]) -> bool:
    """Whether ``marker`` holds in the target's ``environment``, for the candidate itself or
    for any of ``extras``."""
    if not extras:
        return marker.evaluate({**environment, "extra": ""})
    return any(marker.evaluate({**environment, "extra": e}) for e in extras)
