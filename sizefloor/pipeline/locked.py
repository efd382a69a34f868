"""An estimate from a lock file: the packages the lock pins that the target installs, each
sized from the wheel the lock names, with no resolution.

select (inputs.locked: markers, extras and groups for the target) → pick each package's
file by the target's tags from the lock's own list (its URL, size and hash; Poetry and
Pipfile locks name files by name or hash alone: their URLs come from the index page) →
read each wheel's directory (dists) → compile or model the bytecode → size, exactly as a
resolved set is (:mod:`sizefloor.pipeline.sizing`). The graph comes from the lock's edges,
or from each wheel's ``Requires-Dist`` evaluated for the target where the format keeps none.
Pins stand as they are: ``--uploaded-prior-to`` filters only what is resolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from sizefloor import __version__
from sizefloor.analysis.summary import analysed
from sizefloor.cache import Cache, default_cache_dir
from sizefloor.dists.localproject import local_project
from sizefloor.dists.wheel import WheelReader
from sizefloor.errors import NoCompatibleFiles
from sizefloor.index.files import DistFile, make_dist_file
from sizefloor.index.finder import Finder
from sizefloor.inputs.locked import Chosen, LockedFile, LockedPackage, LockedSet, select
from sizefloor.inputs.references import path_to_url
from sizefloor.inputs.requirements import RequirementSet
from sizefloor.install.interpreters import Interpreter
from sizefloor.net.http import Http
from sizefloor.options import Options, Progress
from sizefloor.pipeline import remembered
from sizefloor.pipeline.compiling import (
    Compiling,
    bytecode_interpreter,
    bytecode_sizing,
    wants_exact_bytecode,
    wants_sampled_bytecode,
)
from sizefloor.pipeline.inputs import selection_of
from sizefloor.pipeline.locations import Locations, find_locations
from sizefloor.pipeline.projects import builder_for, size_local
from sizefloor.pipeline.run import http_options
from sizefloor.pipeline.sizing import Sized, scheme_for, size_all, totals_of
from sizefloor.report import PackageSize, Report, Unsized
from sizefloor.resolve import Resolved, direct_dist, file_filter
from sizefloor.resolve.inspections import Inspection, Inspections
from sizefloor.target import Target
from sizefloor.urls import redact

__all__ = ["estimate_locked"]

_EXTRA = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def estimate_locked(
    locked: LockedSet,
    target: Target,
    options: Options,
    progress: Progress | None = None,
    *,
    remember: str | None = None,
) -> Report:
    """The installed size of what ``locked`` installs on ``target``; remembered under
    ``remember`` (:func:`sizefloor.pipeline.remembered.locked_key`) when given."""
    locations = find_locations(options, RequirementSet())
    cache = Cache(
        None if not options.use_cache else (options.cache_dir or default_cache_dir()),
        offline=options.offline,
    )
    urls = [*locations.indexes, *locations.links]
    urls += [f.url for p in locked.packages for f in p.wheels if f.url]
    try:
        with Http(http_options(options, locations, RequirementSet()), urls) as http:
            run = _LockedRun(locked, target, options, progress or _quiet, [])
            report = run.execute(http, cache, locations)
        finder = run.finder
        if remember is not None and finder is not None and not finder.unrecorded:
            remembered.store(cache, remember, finder.consulted, report)
        return report
    finally:
        cache.close()


def _quiet(stage: str, done: int, total: int) -> None:
    """Progress reported to no one."""


@dataclass
class _Item:
    """A chosen package, its file, and where it sits in the graph."""

    chosen: Chosen
    dist: DistFile
    direct_url: str | None = None
    required_by: tuple[str, ...] = ()
    requested: bool = False


class _LockedRun:
    def __init__(
        self,
        locked: LockedSet,
        target: Target,
        options: Options,
        progress: Progress,
        warnings: list[str],
    ) -> None:
        self.locked = locked
        self.target = target
        self.options = options
        self.progress = progress
        self.warnings = warnings
        self.unsized: list[Unsized] = []
        self.local: list[PackageSize] = []
        self.finder: Finder | None = None
        """The run's finder, once made: which index pages it read."""

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def execute(self, http: Http, cache: Cache, locations: Locations) -> Report:
        self._check_python()
        if self.options.constraints:
            self.warn(
                f"-c: constraints do not apply to {self.locked.path}: its pins stand as they are"
            )
        if self.options.uploaded_prior_to is not None:
            self.warn(
                f"--uploaded-prior-to: the pins of {self.locked.path} stand as they are "
                "(it filters only what is resolved)"
            )
        self.progress("selecting", 0, 0)
        chosen = select(self.locked, self.target.marker_environment(), selection_of(self.options))
        finder = Finder(
            http,
            cache,
            index_urls=list(locations.indexes),
            find_links=list(locations.links),
            accept=file_filter(self.target),
        )
        self.finder = finder
        reader = WheelReader(http, cache, warn=self.warn)
        search = bytecode_interpreter(self.options, self.target, cache)
        exact = wants_exact_bytecode(self.options, self.target, self.warn, search)
        sampled = wants_sampled_bytecode(self.options, exact, search)
        reader.keep_directories = exact or sampled
        items = self._files(chosen, finder, locations)
        inspections = Inspections(reader, http)
        for item in items:
            inspections.future(item.dist)
        self._graph(items, inspections)
        interpreter = search.interpreter if search is not None else None
        sized = self._size(items, inspections, reader, interpreter, exact=exact, sampled=sampled)
        self.warnings.extend(finder.warnings)
        packages = sorted(
            [*(s.package for s in sized), *self.local], key=lambda p: (-p.installed_bytes, p.name)
        )
        totals = totals_of([*sized, *(Sized(p, frozenset(), ()) for p in self.local)])
        report = Report(
            sizefloor_version=__version__,
            target=self.target.to_json(),
            packages=tuple(packages),
            totals=totals,
            unsized=tuple(self.unsized),
            warnings=tuple(dict.fromkeys([*self.warnings, *cache.warnings])),
            compile_bytecode=self.options.compile_bytecode,
            sources=(self.locked.path,),
            indexes=tuple(redact(u) for u in locations.indexes),
            transfer=http.traffic.to_json(),
            bytecode=bytecode_sizing(
                self.options, self.target, search, packages, exact=exact, sampled=sampled
            ),
        )
        return analysed(report)

    def _check_python(self) -> None:
        wanted = self.locked.requires_python
        if not wanted:
            return
        try:
            fits = SpecifierSet(wanted).contains(
                self.target.marker_environment()["python_full_version"], prereleases=True
            )
        except (InvalidSpecifier, InvalidVersion):
            return
        if not fits:
            self.warn(
                f"{self.locked.path} is locked for Python {wanted}, not the target's "
                f"{self.target.python}: some of its pins may not install there"
            )

    # -- the files -------------------------------------------------------------

    def _files(self, chosen: Sequence[Chosen], finder: Finder, locations: Locations) -> list[_Item]:
        items = []
        for choice in chosen:
            package = choice.package
            kind = package.source.kind
            if kind == "virtual":
                continue
            if kind in ("editable", "directory"):
                built = self._local(choice, locations)
                if built is not None:
                    items.append(_Item(choice, built, path_to_url(package.source.location)))
                continue
            if kind == "git":
                self.unsized.append(
                    Unsized(
                        f"{package.display_name} @ {redact(package.source.location)}",
                        self.locked.path,
                        "cannot be sized without building it: VCS checkout",
                    )
                )
                continue
            direct = package.source.location if kind == "url" else None
            if kind == "path":
                direct = path_to_url(package.source.location)
            items.append(_Item(choice, self._pick(package, finder), direct))
        return items

    def _local(self, choice: Chosen, locations: Locations) -> DistFile | None:
        """A project of the lock's own (a workspace member, a path dependency): its wheel,
        or ``None`` when it was estimated from its sources (and added to the packages)."""
        package = choice.package
        self.progress(f"building {package.display_name}", 0, 0)
        builder = builder_for(self.options, locations)
        project = local_project(
            package.source.location, builder, name=package.display_name, version=package.version
        )
        wheel = project.wheel
        if wheel is not None and self.target.wheel_priority(wheel.tags) is not None:
            return wheel
        if wheel is not None:
            self.warn(
                f"{package.display_name}: its wheel built here ({wheel.filename}) is not for "
                f"{self.target.describe()}: sized from its sources"
            )
        if project.estimate is None:
            project = local_project(package.source.location, builder, name=package.display_name)
        required_by = choice.parents or (f"-r {self.locked.path}",)
        self.local.append(size_local(project, required_by, self.target, self.options))
        return None

    def _pick(self, package: LockedPackage, finder: Finder) -> DistFile:
        """The file of ``package`` the target installs: its best wheel, else its sdist."""
        files = self._listed(package, finder)
        wheels = [f for f in files if f.is_wheel and self.target.wheel_priority(f.tags) is not None]
        if wheels:
            return min(
                wheels,
                key=lambda f: (self.target.wheel_priority(f.tags), -f.build[0] if f.build else 0),
            )
        sdist = next((f for f in files if not f.is_wheel), None)
        if sdist is not None:
            return sdist
        listed = ", ".join(f.filename for f in files) or "no file"
        raise NoCompatibleFiles(
            package.name,
            f"{self.locked.path} locks {package.display_name} {package.version or ''} with "
            f"no file for {self.target.describe()} (it lists {listed}).",
            hint="Lock the project for this platform too (e.g. uv's `environments` or "
            "`required-environments`), or change the target.",
        )

    def _listed(self, package: LockedPackage, finder: Finder) -> list[DistFile]:
        """The package's files, as the lock names them, with a URL for each."""
        listed = [*package.wheels, *([package.sdist] if package.sdist else [])]
        if not listed and package.source.kind in ("url", "path"):
            location = package.source.location
            url = location if package.source.kind == "url" else path_to_url(location)
            named = direct_dist(package.name, url)
            return [named] if named is not None else []
        if listed and all(f.url for f in listed):
            made = [self._dist(package, f, f.url or "") for f in listed]
            return [d for d in made if d is not None]
        page = finder.project(package.name).files
        by_name = {f.filename: f for f in page}
        if listed:
            found = [(f, by_name[f.filename]) for f in listed if f.filename in by_name]
            for lock_file, page_file in found:
                digest = dict(lock_file.hashes).get("sha256")
                if digest and page_file.sha256 and digest != page_file.sha256:
                    self.warn(
                        f"{page_file.filename}: the index's file is not the one "
                        f"{self.locked.path} locked (its sha256 differs)"
                    )
            return [page_file for _, page_file in found]
        hashes = {digest for _, digest in package.hashes}
        version = _version(package.version)
        versions = [f for f in page if version is None or f.version == version]
        matching = [f for f in versions if not hashes or f.sha256 in hashes]
        if versions and not matching:
            self.warn(
                f"{package.display_name} {package.version}: none of the hashes "
                f"{self.locked.path} lists matches a file of the index: sized from the "
                "index's files of that version"
            )
            return versions
        return matching

    def _dist(self, package: LockedPackage, listed: LockedFile, url: str) -> DistFile | None:
        return make_dist_file(
            package.name,
            listed.filename,
            url,
            source=self.locked.path,
            hashes=dict(listed.hashes),
            size=listed.size,
            upload_time=listed.upload_time,
        )

    # -- the graph and the sizes ----------------------------------------------------

    def _graph(self, items: Sequence[_Item], inspections: Inspections) -> None:
        """Each item's dependents: the lock's edges, else each wheel's ``Requires-Dist``
        evaluated for the target; and whether the project asks for it itself."""
        top = f"-r {self.locked.path}"
        if all(item.chosen.parents is not None for item in items):
            for item in items:
                item.required_by = item.chosen.parents or ()
                item.requested = item.chosen.requested
            return
        env = self.target.marker_environment()
        selected = {item.chosen.package.name for item in items}
        parents: dict[NormalizedName, set[str]] = {}
        for item in items:
            for text in inspections.requires(item.dist):
                child = _edge(text, env, selected)
                if child is not None and child != item.chosen.package.name:
                    parents.setdefault(child, set()).add(item.chosen.package.name)
        direct = self.locked.direct
        for item in items:
            name = item.chosen.package.name
            item.requested = name in direct if direct is not None else name not in parents
            item.required_by = tuple(sorted(parents.get(name, ()))) + (
                (top,) if item.requested else ()
            )

    def _size(
        self,
        items: Sequence[_Item],
        inspections: Inspections,
        reader: WheelReader,
        interpreter: Interpreter | None,
        *,
        exact: bool,
        sampled: bool,
    ) -> list[Sized]:
        resolved = [self._resolved(item) for item in items]
        scheme = scheme_for(self.target, self.options)
        compiling = Compiling()
        if (exact or sampled) and interpreter is not None:
            self.progress("compiling", 0, 0)
            compiling = Compiling.start(
                resolved,
                _Inspected(inspections.get),
                reader,
                scheme,
                exact=exact,
                interpreter=interpreter,
                warn=self.warn,
            )
        return size_all(
            resolved,
            inspections.get,
            scheme,
            compiling,
            compile_bytecode=self.options.compile_bytecode,
            progress=self.progress,
        )

    def _resolved(self, item: _Item) -> Resolved:
        package = item.chosen.package
        return Resolved(
            name=package.name,
            display_name=package.display_name,
            version=_version(package.version) or item.dist.version,
            dist=item.dist,
            required_by=item.required_by,
            requested=item.requested,
            direct_url=item.direct_url,
        )


class _Inspected:
    """The inspections, as compiling asks for them."""

    def __init__(self, get: Callable[[DistFile], Inspection]) -> None:
        self.inspection = get


def _edge(text: str, env: dict[str, str], selected: set[NormalizedName]) -> NormalizedName | None:
    """The selected package a ``Requires-Dist`` value names when its marker holds for the
    target (for no extra, or for an extra it names: the lock chose the extras)."""
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    name = canonicalize_name(requirement.name)
    if name not in selected:
        return None
    marker = requirement.marker
    if marker is None:
        return name
    extras = ("", *_EXTRA.findall(str(marker)))
    return name if any(marker.evaluate({**env, "extra": e}) for e in extras) else None


def _version(text: str | None) -> Version | None:
    if text is None:
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None
