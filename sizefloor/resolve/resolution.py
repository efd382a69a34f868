"""The resolution: resolvelib run with the provider, and its result as the distributions the
target would install, each with what requires it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.utils import NormalizedName
from packaging.version import Version
from resolvelib import BaseReporter, Resolver
from resolvelib.resolvers import ResolutionImpossible as _ResolutionImpossible
from resolvelib.resolvers import ResolutionTooDeep, Result

from sizefloor.errors import ResolutionImpossible
from sizefloor.index.files import DistFile
from sizefloor.resolve.candidates import Candidate
from sizefloor.resolve.explain import explain
from sizefloor.resolve.provider import Provider
from sizefloor.resolve.wanted import Wanted


@dataclass(frozen=True)
class Resolved:
    """One distribution of the result."""

    name: NormalizedName
    display_name: str
    version: Version
    dist: DistFile
    required_by: tuple[str, ...]
    requested: bool
    direct_url: str | None


@dataclass(frozen=True)
class Resolution:
    packages: tuple[Resolved, ...]
    warnings: tuple[str, ...] = ()


class _Reporter(BaseReporter[Wanted, Candidate, str]):
    pass


def resolve_requirements(
    roots: Sequence[Wanted],
    provider: Provider,
    *,
    max_rounds: int = 20000,
) -> Resolution:
    """Resolve ``roots`` (already filtered by their markers) for the provider's target."""
    for wanted in roots:
        provider.explore(wanted.requirement)
    resolver: Resolver[Wanted, Candidate, str] = Resolver(provider, _Reporter())
    try:
        result = resolver.resolve(roots, max_rounds=max_rounds)
    except _ResolutionImpossible as exc:
        raise explain(exc.causes, provider.projects) from None
    except ResolutionTooDeep as exc:
        raise ResolutionImpossible(
            f"The resolution did not finish after {exc.round_count} rounds.",
            hint="Pin some versions (==) to narrow the search.",
        ) from None
    root_origins: dict[NormalizedName, list[str]] = {}
    for w in roots:
        root_origins.setdefault(w.name, []).append(w.origin)
    packages = _packages(result.mapping, _parents(result), root_origins, provider.direct)
    return Resolution(packages, tuple(provider.warnings))


def _parents(result: Result[Wanted, Candidate, str]) -> dict[NormalizedName, set[str]]:
    """Each project's dependents in the result (other projects; extras folded in)."""
    parents: dict[NormalizedName, set[str]] = {}
    for key in result.mapping:
        name = NormalizedName(key.partition("[")[0])
        for parent in result.graph.iter_parents(key):
            if parent is None:
                continue
            parent_name = parent.partition("[")[0]
            if parent_name != name:
                parents.setdefault(name, set()).add(parent_name)
    return parents


def _packages(
    mapping: Mapping[str, Candidate],
    parents: Mapping[NormalizedName, set[str]],
    root_origins: Mapping[NormalizedName, list[str]],
    direct: Mapping[NormalizedName, DistFile],
) -> tuple[Resolved, ...]:
    """One :class:`Resolved` a project: from its candidate without extras, else (a project
    only ever wanted with extras) from the first with some."""
    packages: list[Resolved] = []
    seen: set[NormalizedName] = set()
    for candidate in mapping.values():
        if candidate.name in seen or candidate.extras:
            continue
        seen.add(candidate.name)
        required_by = tuple(sorted(parents.get(candidate.name, ()))) + tuple(
            f"-r {o}" for o in root_origins.get(candidate.name, [])
        )
        direct_url = candidate.dist.url if candidate.name in direct else None
        packages.append(_resolved(candidate, required_by, root_origins, direct_url))
    for candidate in mapping.values():
        if candidate.name not in seen:
            seen.add(candidate.name)
            required_by = tuple(sorted(parents.get(candidate.name, ())))
            packages.append(_resolved(candidate, required_by, root_origins, None))
    return tuple(packages)


def _resolved(
    candidate: Candidate,
    required_by: tuple[str, ...],
    root_origins: Mapping[NormalizedName, list[str]],
    direct_url: str | None,
) -> Resolved:
    return Resolved(
        name=candidate.name,
        display_name=candidate.display_name or candidate.name,
        version=candidate.version,
        dist=candidate.dist,
        required_by=required_by,
        requested=candidate.name in root_origins,
        direct_url=direct_url,
    )
