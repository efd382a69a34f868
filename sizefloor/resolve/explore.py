"""Fetching ahead of the resolver, so that what it asks about is already there.

resolvelib asks about one project at a time, and learns a project's
dependencies only when it pins it: left to itself, a graph five levels deep
costs five rounds of (page, wheel directory) fetched one project after
another. :class:`Explorer` runs ahead of it: as soon as a project's page
arrives, the newest version the requirement allows is chosen and its wheel
inspected; as soon as that inspection arrives, its dependencies (markers
evaluated, extras followed) are explored in turn. Everything is done by
callbacks on the fetch pool, so the whole graph is fetched concurrently and
the resolver finds what it asks for already there; a guess the resolver does
not take (it backtracks, or another requirement narrows the version) costs a
few requests and nothing else. Errors are left for the resolver to meet and
report.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import Future
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from sizefloor.index.finder import Finder
from sizefloor.resolve.candidates import Candidate
from sizefloor.resolve.inspections import Inspections
from sizefloor.resolve.versions import Projects
from sizefloor.resolve.wanted import marker_true, parse_requirement


class Explorer:
    """Explores each (project, specifier, extras) once, in the background."""

    def __init__(
        self,
        finder: Finder,
        projects: Projects,
        inspections: Inspections,
        *,
        constraints: Mapping[NormalizedName, SpecifierSet],
        pre: bool,
        environment: Mapping[str, str],
        direct: Collection[NormalizedName],
    ) -> None:
        self.finder = finder
        self.projects = projects
        self.inspections = inspections
        self.constraints = constraints
        self.pre = pre
        self.environment = environment
        self.direct = direct
        """Projects named by a direct URL: nothing to look up for them."""
        self._lock = threading.Lock()
        self._explored: set[tuple[NormalizedName, str, frozenset[str]]] = set()

    def explore(self, requirement: Requirement) -> None:
        """Fetch, in the background, what the resolver will ask about
        ``requirement``: its project's page, then the wheel of the newest version
        it allows, then (recursively) the same for that wheel's dependencies."""
        name = canonicalize_name(requirement.name)
        extras = frozenset(canonicalize_name(e) for e in requirement.extras)
        key = (name, str(requirement.specifier), extras)
        if key in self._explored:  # read without the lock: entries are only added
            return
        with self._lock:
            if requirement.url or name in self.direct or key in self._explored:
                return
            self._explored.add(key)
        try:
            page = self.finder.project_future(name)
        except RuntimeError:  # the run is over and its pool shut down
            return
        explore = _while_alive(self._explore_project, name, requirement.specifier, extras)
        page.add_done_callback(explore)

    def _explore_project(
        self, name: NormalizedName, specifier: SpecifierSet, extras: frozenset[str]
    ) -> None:
        candidate = self._newest(name, specifier)
        if candidate is None or not candidate.dist.is_wheel:
            return  # an sdist's metadata may need a download: the resolver decides
        try:
            inspection = self.inspections.future(candidate.dist)
        except RuntimeError:  # the run is over and its pool shut down
            return
        inspection.add_done_callback(_while_alive(self._explore_dependencies, candidate, extras))

    def _newest(self, name: NormalizedName, specifier: SpecifierSet) -> Candidate | None:
        """The newest candidate not yanked that ``specifier`` and the constraints allow."""
        try:
            project = self.projects.versions(name)
        except Exception:  # the resolver meets it again, and reports it
            return None
        constraint = self.constraints.get(name)
        if constraint is not None:
            specifier &= constraint
        prereleases = True if self.pre else None
        for version in specifier.filter(project.versions, prereleases=prereleases):
            candidate = project.candidate(version)
            if candidate is not None and candidate.dist.yanked is None:
                return candidate
        return None

    def _explore_dependencies(self, candidate: Candidate, extras: frozenset[str]) -> None:
        try:
            requires = self.inspections.requires(candidate.dist)
        except Exception:  # the resolver meets it again, and reports it
            return
        for text in requires:
            try:
                requirement = parse_requirement(text)
            except InvalidRequirement:
                continue
            marker = requirement.marker
            if marker is None or marker_true(marker, self.environment, extras):
                self.explore(requirement)


def _while_alive(method: Callable[..., None], *args: Any) -> Callable[[Future[Any]], None]:
    """A done-callback calling ``method`` (an explorer's) with ``args`` while its explorer
    lives. A future keeps its callbacks once they have run, and the finder and the
    inspections keep their futures: a callback holding the explorer made every finished
    resolution a cycle (future, callback, explorer, finder, future) that only the cyclic
    collector frees, which a run tunes to seldom run: 7 MiB of each measured variant's
    resolver stayed until the end of the run."""
    reference = weakref.WeakMethod(method)

    def callback(_: Future[Any]) -> None:
        bound = reference()
        if bound is not None:
            bound(*args)

    return callback
