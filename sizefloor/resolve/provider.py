"""The resolvelib provider: resolvelib's questions answered from the indexes, for the target
rather than the host.

- candidates are a project's versions, newest first, each with its best file for
  the target's wheel tags (:mod:`sizefloor.resolve.versions` says which files and
  versions count, sdists included);
- ``Requires-Python`` is checked against the target's Python, markers are
  evaluated in the target's environment, extras are followed;
- yanked files are skipped unless pinned with ``==``; pre-releases only with
  ``--pre`` or when a specifier names one (PEP 440); constraints narrow
  versions without adding projects.

What the resolver will ask is fetched ahead of it (:mod:`sizefloor.resolve.explore`), and
each file is inspected once (:mod:`sizefloor.resolve.inspections`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider
from resolvelib.resolvers import RequirementInformation

from sizefloor.dists.wheel import WheelReader
from sizefloor.index.files import DistFile
from sizefloor.index.finder import Finder
from sizefloor.resolve.candidates import Candidate, ProjectVersions
from sizefloor.resolve.explore import Explorer
from sizefloor.resolve.inspections import Inspection, Inspections
from sizefloor.resolve.versions import Projects
from sizefloor.resolve.wanted import (
    Wanted,
    identify,
    marker_true,
    parse_requirement,
    split_identifier,
)
from sizefloor.resolve.warninglog import WarningLog
from sizefloor.target import Target


class Provider(AbstractProvider[Wanted, Candidate, str]):
    """Answers resolvelib from the finder's indexes, for ``target``."""

    def __init__(
        self,
        finder: Finder,
        wheels: WheelReader,
        target: Target,
        *,
        constraints: Mapping[NormalizedName, SpecifierSet],
        pre: bool = False,
        uploaded_prior_to: datetime | None = None,
        direct: Mapping[NormalizedName, DistFile] | None = None,
        known: Mapping[str, Inspection] | None = None,
    ) -> None:
        self.finder = finder
        self.target = target
        self.constraints = constraints
        self.pre = pre
        self.direct = dict(direct or {})
        self.environment = target.marker_environment()
        self.log = WarningLog()
        self.inspections = Inspections(wheels, finder.http, known)
        self.projects = Projects(
            finder, target, uploaded_prior_to=uploaded_prior_to, direct=self.direct
        )
        self.explorer = Explorer(
            finder,
            self.projects,
            self.inspections,
            constraints=constraints,
            pre=pre,
            environment=self.environment,
            direct=self.direct,
        )

    @property
    def warnings(self) -> list[str]:
        """What the resolution found worth saying, in order, each once."""
        return self.log.messages

    def inspection(self, dist: DistFile) -> Inspection:
        """The inspection (:class:`WheelInfo` or :class:`SdistInfo`) of ``dist``, fetched once."""
        return self.inspections.get(dist)

    def explore(self, requirement: Requirement) -> None:
        """Start fetching what the resolver will ask about ``requirement``."""
        self.explorer.explore(requirement)

    # -- resolvelib's questions -------------------------------------------

    def identify(self, requirement_or_candidate: Wanted | Candidate) -> str:
        if isinstance(requirement_or_candidate, Candidate):
            return identify(requirement_or_candidate.name, requirement_or_candidate.extras)
        req = requirement_or_candidate.requirement
        return identify(req.name, req.extras)

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[RequirementInformation[Wanted, Candidate]]],
        backtrack_causes: Sequence[RequirementInformation[Wanted, Candidate]],
    ) -> Any:
        infos = list(information[identifier])
        pinned = any(i.requirement.pinned for i in infos)
        direct = any(i.requirement.requirement.url for i in infos)
        conflicting = bool(backtrack_causes) and any(
            identifier
            in (self.identify(c.requirement), self.identify(c.parent) if c.parent else "")
            for c in backtrack_causes
        )
        return (not direct, not pinned, not conflicting, identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Wanted]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Callable[[], Iterator[Candidate]]:
        wanted = list(requirements[identifier])
        bad = {id(c) for c in incompatibilities[identifier]}
        name, extras = split_identifier(identifier)
        project = self.projects.versions(name)
        versions, allowed = self._allowed(project, self._specifier(name, wanted))
        pinned = {
            Version(s.version)
            for w in wanted
            for s in w.requirement.specifier
            if s.operator in ("==", "===") and _is_version(s.version)
        }

        def matches() -> Iterator[Candidate]:
            # Lazily, newest first: a version's best file is chosen (its tags
            # parsed) only when the resolver gets that far down the list.
            first = True
            for version in versions:
                if version not in allowed:
                    continue
                candidate = project.candidate(version, extras)
                if candidate is None or id(candidate) in bad:
                    continue
                if candidate.dist.yanked is not None and version not in pinned:
                    continue
                if not self._metadata_python_ok(candidate):
                    continue
                if first and candidate.dist.is_wheel:
                    self.inspections.future(candidate.dist)  # fetched while the resolver works
                first = False
                yield candidate

        return matches

    def is_satisfied_by(self, requirement: Wanted, candidate: Candidate) -> bool:
        last = requirement.last
        if last[0] is candidate:  # the same pin, asked about again
            return bool(last[1])
        req = requirement.requirement
        if requirement.name != candidate.name:
            return False
        if req.url:
            return candidate.dist.url.partition("#")[0] == req.url.partition("#")[0]
        known = requirement.satisfied.get(candidate.version)
        if known is None:
            known = requirement.satisfied[candidate.version] = req.specifier.contains(
                candidate.version, prereleases=True
            )
        last[0], last[1] = candidate, known
        return known

    def get_dependencies(self, candidate: Candidate) -> list[Wanted]:
        origin = f"{candidate.display_name or candidate.name} {candidate.version}"
        deps: list[Wanted] = []
        if candidate.extras:
            base = Requirement(f"{candidate.name}=={candidate.version}")
            if candidate.dist.url and candidate.name in self.direct:
                base = Requirement(f"{candidate.name} @ {candidate.dist.url}")
            deps.append(Wanted(base, origin))
        for text in self.inspections.requires(candidate.dist):
            try:
                req = parse_requirement(text)
            except InvalidRequirement:
                self.log.add(f"{origin} declares an invalid requirement {text!r}: ignored")
                continue
            if req.marker is not None and not marker_true(
                req.marker, self.environment, candidate.extras
            ):
                continue
            if canonicalize_name(req.name) == candidate.name and not req.extras:
                continue  # a self-dependency through an extra is covered by the base
            deps.append(Wanted(req, origin))
        deps = _merged(deps)
        self.finder.prefetch(w.requirement.name for w in deps)
        return deps

    # -- helpers -------------------------------------------------------------

    def _specifier(self, name: NormalizedName, wanted: Sequence[Wanted]) -> SpecifierSet:
        """What every requirement on ``name`` and its constraint allow together: one set
        made of them all at once (intersecting them two by two took time in the square of
        their number, and this is asked each time the resolver adds one)."""
        sets = [w.requirement.specifier for w in wanted]
        constraint = self.constraints.get(name)
        if constraint is not None:
            sets.append(constraint)
        return _all_of(sets)

    def _allowed(
        self, project: ProjectVersions, specifier: SpecifierSet
    ) -> tuple[list[Version], set[Version]]:
        """The versions to go through, newest first, and those ``specifier`` allows among
        them: the versions with a wheel, else (none allowed) those with only an sdist."""
        prereleases = True if self.pre else None
        versions = project.versions
        allowed = set(specifier.filter(versions, prereleases=prereleases))
        if not allowed and project.fallback_versions:
            versions = project.fallback_versions
            allowed = set(specifier.filter(versions, prereleases=prereleases))
        return versions, allowed

    def _metadata_python_ok(self, candidate: Candidate) -> bool:
        """The wheel's own ``Requires-Python`` admits the target. Only asked when the
        index did not list it (HTML pages without ``data-requires-python``, find-links):
        pip reads it from the metadata too, and passes over the version."""
        dist = candidate.dist
        if dist.requires_python_listed or not dist.is_wheel:
            return True
        return self.projects.python_allows(self.inspections.requires_python(dist))


def _all_of(sets: Iterable[SpecifierSet]) -> SpecifierSet:
    """One specifier set allowing what every one of ``sets`` allows, in time linear in their
    specifiers (each distinct one kept once)."""
    unique = {str(spec): None for specifiers in sets for spec in specifiers}
    return SpecifierSet(",".join(unique))


def _merged(deps: list[Wanted]) -> list[Wanted]:
    """``deps`` with the requirements on one project (and extras) folded into one, by name
    and not URL: a wheel declaring thousands of Requires-Dist lines on one project made
    the resolver ask about each in turn, with all the others (time in the square of their
    number). A project named once keeps its requirement as written."""
    groups: dict[str, list[Wanted]] = {}
    for wanted in deps:
        req = wanted.requirement
        key = f"@{id(wanted)}" if req.url else identify(req.name, req.extras)
        groups.setdefault(key, []).append(wanted)
    if all(len(group) == 1 for group in groups.values()):
        return deps
    merged: list[Wanted] = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        first = group[0].requirement
        extras = f"[{','.join(sorted(first.extras))}]" if first.extras else ""
        combined = Requirement(f"{first.name}{extras}")
        combined.specifier = _all_of(w.requirement.specifier for w in group)
        merged.append(Wanted(combined, group[0].origin))
    return merged


def _is_version(text: str) -> bool:
    try:
        Version(text)
    except ValueError:
        return False
    return True
