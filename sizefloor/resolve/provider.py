"""Resolution: the complete set of distributions the target would install.

resolvelib does the search; :class:`Provider` answers its questions from the
indexes, for the target rather than the host:

- candidates are a project's versions, newest first, each with its best
  file for the target's wheel tags; a project that publishes a wheel for the
  target anywhere is resolved among its wheels only (``--only-binary`` for
  that platform); one with none falls back to its sdists, marked estimated;
- ``Requires-Python`` is checked against the target's Python, markers are
  evaluated in the target's environment, extras are followed;
- yanked files are skipped unless pinned with ``==``; pre-releases only with
  ``--pre`` or when a specifier names one (PEP 440); constraints narrow
  versions without adding projects; ``--uploaded-prior-to`` hides later files.

resolvelib asks about one project at a time, and learns a project's
dependencies only when it pins it: left to itself, a graph five levels deep
costs five rounds of (page, wheel directory) fetched one project after
another. :meth:`Provider.explore` runs ahead of it: as soon as a project's
page arrives, the newest version the requirement allows is chosen and its
wheel inspected; as soon as that inspection arrives, its dependencies (markers
evaluated, extras followed) are explored in turn. Everything is done by
callbacks on the fetch pool, so the whole graph is fetched concurrently and
the resolver finds what it asks for already there; a guess the resolver does
not take (it backtracks, or another requirement narrows the version) costs a
few requests and nothing else.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider, BaseReporter, Resolver
from resolvelib.resolvers import (
    RequirementInformation,
    ResolutionTooDeep,
)
from resolvelib.resolvers import (
    ResolutionImpossible as _ResolutionImpossible,
)

from sizefloor.dists.wheel import WheelInfo, WheelReader, metadata_requires_python
from sizefloor.errors import (
    NoCompatibleFiles,
    ProjectNotFound,
    ResolutionImpossible,
)
from sizefloor.index.finder import DistFile, Finder, make_dist_file
from sizefloor.target import Target


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

    @functools.cached_property
    def name(self) -> NormalizedName:
        return canonicalize_name(self.requirement.name)

    @functools.cached_property
    def pinned(self) -> bool:
        """Pinned to one version (``==`` or ``===``, no wildcard)."""
        return any(
            s.operator in ("==", "===") and "*" not in s.version for s in self.requirement.specifier
        )


@dataclass(eq=False)
class Candidate:
    name: NormalizedName
    version: Version
    dist: DistFile
    extras: frozenset[str] = frozenset()
    display_name: str = ""
    _requires: list[str] | None = field(default=None, repr=False)

    @property
    def exact(self) -> bool:
        return self.dist.is_wheel

    def __repr__(self) -> str:
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{self.name}{extras}=={self.version}"


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


class _ProjectVersions:
    """A project's versions for the target, newest first, with their files.

    A version's best file is chosen on first use and kept, so one version
    always yields the same candidate object (resolvelib compares them).
    """

    def __init__(
        self,
        name: NormalizedName,
        target: Target,
        files: dict[Version, list[DistFile]],
        fallback: dict[Version, list[DistFile]] | None = None,
    ) -> None:
        self.name = name
        self.target = target
        self.versions = sorted(files, reverse=True)
        fallback = {v: f for v, f in (fallback or {}).items() if v not in files}
        self.fallback_versions = sorted(fallback, reverse=True)
        """Versions with only an sdist, used when no version with a wheel is allowed
        (a pin to an old sdist-only release of a project that now has wheels)."""
        self.files = {**fallback, **files}
        self._chosen: dict[tuple[Version, frozenset[str]], Candidate | None] = {}
        self._lock = threading.Lock()

    def candidate(self, version: Version, extras: frozenset[str] = frozenset()) -> Candidate | None:
        key = (version, extras)
        with self._lock:
            if key in self._chosen:
                return self._chosen[key]
        chosen: Candidate | None
        if extras:
            base = self.candidate(version)
            chosen = (
                None
                if base is None
                else Candidate(base.name, base.version, base.dist, extras, base.display_name)
            )
        else:
            dist = self._best(self.files[version])
            chosen = (
                None
                if dist is None
                else Candidate(self.name, version, dist, display_name=self.name)
            )
        with self._lock:
            return self._chosen.setdefault(key, chosen)

    def _best(self, files: list[DistFile]) -> DistFile | None:
        """The wheel whose tags the target ranks first (a higher build number
        breaks ties), or the version's sdist when it has no wheel."""
        best: tuple[tuple[int, int], DistFile] | None = None
        for f in files:
            if not f.is_wheel:
                continue
            priority = self.target.wheel_priority(f.tags)
            if priority is None:
                continue
            key = (priority, -f.build[0] if f.build else 0)
            if best is None or key < best[0]:
                best = (key, f)
        if best is not None:
            return best[1]
        return next((f for f in files if not f.is_wheel), None)


@functools.lru_cache(maxsize=4096)
def _requirement(text: str) -> Requirement:
    """``Requirement(text)``, parsed once: a wheel's dependencies are read by the
    exploration and again by the resolver, and packaging's parser was 7% of a
    cold run's CPU. The objects are shared, so they are never changed here.
    An invalid one raises each time (exceptions are not cached)."""
    return Requirement(text)


def _identify(name: str, extras: Iterable[str]) -> str:
    key = canonicalize_name(name)
    extras = sorted(canonicalize_name(e) for e in extras)
    return f"{key}[{','.join(extras)}]" if extras else key


class Provider(AbstractProvider[Wanted, Candidate, str]):
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
    ) -> None:
        self.finder = finder
        self.wheels = wheels
        self.target = target
        self.constraints = constraints
        self.pre = pre
        self.uploaded_prior_to = uploaded_prior_to
        self.direct = dict(direct or {})
        self.python = Version(
            target.python_full_version or "{}.{}.0".format(*target.python_version)
        )
        self._env = target.marker_environment()
        self._lock = threading.Lock()
        self._candidates: dict[NormalizedName, _ProjectVersions] = {}
        self._inspections: dict[str, Any] = {}
        self._explored: set[tuple[NormalizedName, str, frozenset[str]]] = set()
        self.sdist_fallback: set[NormalizedName] = set()
        self.warnings: list[str] = []

    # -- resolvelib's questions -------------------------------------------

    def identify(self, requirement_or_candidate: Wanted | Candidate) -> str:
        if isinstance(requirement_or_candidate, Candidate):
            return _identify(requirement_or_candidate.name, requirement_or_candidate.extras)
        req = requirement_or_candidate.requirement
        return _identify(req.name, req.extras)

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
        name, extras = self._split(identifier)
        specifier = SpecifierSet()
        for w in wanted:
            specifier &= w.requirement.specifier
        constraint = self.constraints.get(name)
        if constraint is not None:
            specifier &= constraint
        pinned = {
            Version(s.version)
            for w in wanted
            for s in w.requirement.specifier
            if s.operator in ("==", "===") and _is_version(s.version)
        }
        project = self._project_versions(name)
        prereleases = True if self.pre else None
        versions = project.versions
        allowed = set(specifier.filter(versions, prereleases=prereleases))
        if not allowed and project.fallback_versions:
            versions = project.fallback_versions
            allowed = set(specifier.filter(versions, prereleases=prereleases))

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
                if first:
                    self._prefetch(candidate)
                    first = False
                yield candidate

        return matches

    def is_satisfied_by(self, requirement: Wanted, candidate: Candidate) -> bool:
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
        return known

    def get_dependencies(self, candidate: Candidate) -> list[Wanted]:
        origin = f"{candidate.display_name or candidate.name} {candidate.version}"
        deps: list[Wanted] = []
        if candidate.extras:
            base = Requirement(f"{candidate.name}=={candidate.version}")
            if candidate.dist.url and candidate.name in self.direct:
                base = Requirement(f"{candidate.name} @ {candidate.dist.url}")
            deps.append(Wanted(base, origin))
        for text in self._requires(candidate):
            try:
                req = _requirement(text)
            except InvalidRequirement:
                self._warn(f"{origin} declares an invalid requirement {text!r}: ignored")
                continue
            if req.marker is not None and not self._marker_true(req.marker, candidate.extras):
                continue
            if canonicalize_name(req.name) == candidate.name and not req.extras:
                continue  # a self-dependency through an extra is covered by the base
            deps.append(Wanted(req, origin))
        self.finder.prefetch(w.requirement.name for w in deps)
        return deps

    # -- running ahead of the resolver --------------------------------------

    def explore(self, requirement: Requirement) -> None:
        """Fetch, in the background, what the resolver will ask about
        ``requirement``: its project's page, then the wheel of the newest version
        it allows, then (recursively) the same for that wheel's dependencies.
        Errors are left for the resolver to meet and report."""
        name = canonicalize_name(requirement.name)
        extras = frozenset(canonicalize_name(e) for e in requirement.extras)
        key = (name, str(requirement.specifier), extras)
        with self._lock:
            if requirement.url or name in self.direct or key in self._explored:
                return
            self._explored.add(key)
        try:
            page = self.finder.project_future(name)
        except RuntimeError:  # the run is over and its pool shut down
            return
        page.add_done_callback(lambda _: self._explore_project(name, requirement.specifier, extras))

    def _explore_project(
        self, name: NormalizedName, specifier: SpecifierSet, extras: frozenset[str]
    ) -> None:
        try:
            project = self._project_versions(name)
        except Exception:  # the resolver meets it again, and reports it
            return
        constraint = self.constraints.get(name)
        if constraint is not None:
            specifier &= constraint
        prereleases = True if self.pre else None
        for version in specifier.filter(project.versions, prereleases=prereleases):
            candidate = project.candidate(version)
            if candidate is not None and candidate.dist.yanked is None:
                break
        else:
            return
        if not candidate.dist.is_wheel:
            return  # an sdist's metadata may need a download: the resolver decides
        try:
            inspection = self._inspection(candidate.dist)
        except RuntimeError:  # the run is over and its pool shut down
            return
        inspection.add_done_callback(lambda _: self._explore_dependencies(candidate, extras))

    def _explore_dependencies(self, candidate: Candidate, extras: frozenset[str]) -> None:
        try:
            requires = self._requires(candidate)
        except Exception:  # the resolver meets it again, and reports it
            return
        for text in requires:
            try:
                requirement = _requirement(text)
            except InvalidRequirement:
                continue
            if requirement.marker is None or self._marker_true(requirement.marker, extras):
                self.explore(requirement)

    # -- helpers -------------------------------------------------------------

    def _warn(self, message: str) -> None:
        with self._lock:
            if message not in self.warnings:
                self.warnings.append(message)

    def _marker_true(self, marker: Marker, extras: frozenset[str]) -> bool:
        if not extras:
            return marker.evaluate({**self._env, "extra": ""})
        return any(marker.evaluate({**self._env, "extra": e}) for e in extras)

    def _split(self, identifier: str) -> tuple[NormalizedName, frozenset[str]]:
        name, _, rest = identifier.partition("[")
        extras = frozenset(rest.rstrip("]").split(",")) if rest else frozenset()
        return NormalizedName(name), extras

    def _project_versions(self, name: NormalizedName) -> _ProjectVersions:
        with self._lock:
            cached = self._candidates.get(name)
        if cached is not None:
            return cached
        if name in self.direct:
            dist = self.direct[name]
            result = _ProjectVersions(name, self.target, {dist.version: [dist]})
        else:
            result = self._index_versions(name)
        with self._lock:
            return self._candidates.setdefault(name, result)

    def _index_versions(self, name: NormalizedName) -> _ProjectVersions:
        project = self.finder.project(name)
        if not project.found:
            raise ProjectNotFound(
                name,
                hint="Check the spelling, and that the index it lives on is configured "
                "(--index-url, --extra-index-url, or pip's configuration).",
            )
        files = [f for f in project.files if self._python_ok(f)]
        if self.uploaded_prior_to is not None:
            cutoff = self.uploaded_prior_to
            files = [f for f in files if f.upload_time is None or f.upload_time < cutoff]
        wheels: dict[Version, list[DistFile]] = {}
        sdists: dict[Version, list[DistFile]] = {}
        for f in files:
            (wheels if f.is_wheel else sdists).setdefault(f.version, []).append(f)
        if wheels:
            # The target has wheels: like --only-binary, sdists are used only when
            # the requirements rule out every version that has one.
            return _ProjectVersions(name, self.target, wheels, fallback=sdists)
        if sdists:
            with self._lock:
                self.sdist_fallback.add(name)
            return _ProjectVersions(name, self.target, sdists)
        raise NoCompatibleFiles(
            name,
            _no_files_message(
                name,
                [f.filename for f in project.files] + self.finder.skipped_names(name),
                self.target,
            ),
            hint="Choose a target this project supports (--python, --platform, --libc), "
            "or a version of it that supports this target.",
        )

    def _python_ok(self, dist: DistFile) -> bool:
        if not dist.requires_python:
            return True
        return _python_allowed(dist.requires_python, self.python)

    def _metadata_python_ok(self, candidate: Candidate) -> bool:
        """The wheel's own ``Requires-Python`` admits the target. Only asked when the
        index did not list it (HTML pages without ``data-requires-python``, find-links):
        pip reads it from the metadata too, and passes over the version."""
        dist = candidate.dist
        if dist.requires_python_listed or not dist.is_wheel:
            return True
        requires = metadata_requires_python(self.inspection(dist).metadata)
        return requires is None or _python_allowed(requires, self.python)

    def _prefetch(self, candidate: Candidate) -> None:
        if candidate.dist.is_wheel:
            self._inspection(candidate.dist)

    def _inspection(self, dist: DistFile) -> Any:
        with self._lock:
            future = self._inspections.get(dist.url)
            if future is None:
                inspect = self.wheels.inspect if dist.is_wheel else self.wheels.inspect_sdist
                future = self.finder.http.submit(inspect, dist)
                self._inspections[dist.url] = future
        return future

    def inspection(self, dist: DistFile) -> Any:
        """The inspection (WheelInfo or SdistInfo) of ``dist``, fetched once."""
        return self._inspection(dist).result()

    def _requires(self, candidate: Candidate) -> list[str]:
        if candidate._requires is None:
            info = self.inspection(candidate.dist)
            if isinstance(info, WheelInfo):
                candidate._requires = info.requires_dist()
            else:
                candidate._requires = list(info.requires_dist)
        return candidate._requires


@functools.lru_cache(maxsize=4096)
def _python_allowed(requires_python: str, python: Version) -> bool:
    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True  # pip ignores an unparsable Requires-Python too


def _is_version(text: str) -> bool:
    try:
        Version(text)
    except ValueError:
        return False
    return True


class FileFilter:
    """Which filenames can matter for a target: its wheels (judged by the
    platform and Python parts of the name, without parsing tags) and sdists.
    ``key`` names the filter, for caching what it kept."""

    def __init__(self, target: Target) -> None:
        self.platforms = frozenset(target.platform_tags) | {"any"}
        self.interpreters = frozenset(t.interpreter for t in target.tags())
        import hashlib

        spec = "|".join(sorted(self.platforms)) + "/" + "|".join(sorted(self.interpreters))
        self.key = hashlib.sha256(spec.encode()).hexdigest()[:16]

    def __call__(self, filename: str) -> bool:
        if not filename.endswith(".whl"):
            return True
        parts = filename[:-4].rsplit("-", 3)
        if len(parts) != 4:
            return False
        platform, python = parts[3], parts[1]
        # most names carry one tag of each: test those without splitting
        if platform not in self.platforms and (
            "." not in platform or self.platforms.isdisjoint(platform.split("."))
        ):
            return False
        return python in self.interpreters or (
            "." in python and not self.interpreters.isdisjoint(python.split("."))
        )


def file_filter(target: Target) -> FileFilter:
    return FileFilter(target)


def _no_files_message(name: str, names: Sequence[str], target: Target) -> str:
    if not names:
        return f"{name} has no files on the configured indexes."
    wheels = [n[:-4].rsplit("-", 3) for n in names if n.endswith(".whl")]
    platforms = sorted({p for w in wheels if len(w) == 4 for p in w[3].split(".")})
    pythons = sorted({i for w in wheels if len(w) == 4 for i in w[1].split(".")})
    described = target.describe()
    shown = ", ".join(platforms[:12]) + (" …" if len(platforms) > 12 else "")
    return (
        f"{name} publishes no wheel or sdist installable on {described}. "
        f"Its wheels are for the platforms {shown or 'none'} "
        f"and the interpreters {', '.join(pythons[:10]) or 'none'}."
    )


class _Reporter(BaseReporter[Wanted, Candidate, str]):
    pass


def resolve(
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
        raise _explain(exc.causes, provider) from None
    except ResolutionTooDeep as exc:
        raise ResolutionImpossible(
            f"The resolution did not finish after {exc.round_count} rounds.",
            hint="Pin some versions (==) to narrow the search.",
        ) from None

    root_origins: dict[NormalizedName, list[str]] = {}
    for w in roots:
        root_origins.setdefault(w.name, []).append(w.origin)
    parents: dict[NormalizedName, set[str]] = {}
    for key in result.mapping:
        name = NormalizedName(key.partition("[")[0])
        for parent in result.graph.iter_parents(key):
            if parent is None:
                continue
            parent_name = parent.partition("[")[0]
            if parent_name != name:
                parents.setdefault(name, set()).add(parent_name)
    packages: list[Resolved] = []
    seen: set[NormalizedName] = set()
    for candidate in result.mapping.values():
        if candidate.name in seen or candidate.extras:
            continue
        seen.add(candidate.name)
        requested = candidate.name in root_origins
        required_by = tuple(sorted(parents.get(candidate.name, ()))) + tuple(
            f"-r {o}" for o in root_origins.get(candidate.name, [])
        )
        direct = candidate.dist.url if candidate.name in provider.direct else None
        packages.append(
            Resolved(
                name=candidate.name,
                display_name=candidate.display_name or candidate.name,
                version=candidate.version,
                dist=candidate.dist,
                required_by=required_by,
                requested=requested,
                direct_url=direct,
            )
        )
    # candidates that only ever appeared with extras
    for candidate in result.mapping.values():
        if candidate.name not in seen:
            seen.add(candidate.name)
            packages.append(
                Resolved(
                    candidate.name,
                    candidate.display_name or candidate.name,
                    candidate.version,
                    candidate.dist,
                    tuple(sorted(parents.get(candidate.name, ()))),
                    candidate.name in root_origins,
                    None,
                )
            )
    return Resolution(tuple(packages), tuple(provider.warnings))


def _explain(
    causes: Iterable[RequirementInformation[Wanted, Candidate]], provider: Provider
) -> ResolutionImpossible:
    causes = list(causes)
    lines = []
    for cause in causes:
        req = cause.requirement
        who = req.origin
        lines.append(f"  {req.requirement} (from {who})")
    names = sorted({c.requirement.name for c in causes})
    # a lone requirement with nothing to match: say which versions exist
    detail = ""
    if len(names) == 1:
        name = names[0]
        project = provider._candidates.get(name)
        versions = project.versions if project is not None else []
        if versions:
            shown = ", ".join(str(v) for v in versions[:8])
            more = " …" if len(versions) > 8 else ""
            detail = f"\nVersions available for {provider.target.describe()}: {shown}{more}."
        elif project is not None:
            detail = f"\nNo version of {name} is available for {provider.target.describe()}."
    return ResolutionImpossible(
        "These requirements cannot all be satisfied:\n" + "\n".join(dict.fromkeys(lines)) + detail,
        hint="Relax or remove one of them, or change the target if a version is missing "
        "only for it.",
    )


def direct_dist(name: str, url: str) -> DistFile | None:
    """A :class:`DistFile` for a ``name @ url`` requirement pointing at a wheel."""
    filename = url.partition("#")[0].rstrip("/").rsplit("/", 1)[-1]
    import urllib.parse

    filename = urllib.parse.unquote(filename)
    fragment = url.partition("#")[2]
    hashes = {}
    if "=" in fragment:
        algo, _, digest = fragment.partition("=")
        hashes[algo] = digest
    return make_dist_file(
        canonicalize_name(name),
        filename,
        url.partition("#")[0],
        source="direct URL",
        hashes=hashes,
    )


__all__ = [
    "Candidate",
    "Provider",
    "Resolution",
    "Resolved",
    "Wanted",
    "direct_dist",
    "resolve",
]
