"""Lock files as one value: the packages a lock pins, with their files and dependency edges,
markers kept as written (the target is known only later), and the choice of what a
target installs from it.

The readers (:mod:`~sizefloor.inputs.uvlock`, :mod:`~sizefloor.inputs.pylock`,
:mod:`~sizefloor.inputs.poetrylock`, :mod:`~sizefloor.inputs.pipfilelock`) make a
:class:`LockedSet`; :func:`select` says which of its packages a target installs, given
that target's marker environment, the extras and the dependency groups.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from packaging.markers import InvalidMarker, Marker
from packaging.utils import NormalizedName, canonicalize_name

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.pyproject import Selection

__all__ = [
    "Chosen",
    "LockedDependency",
    "LockedFile",
    "LockedPackage",
    "LockedSet",
    "Source",
    "SourceKind",
    "lock_marker",
    "marker_holds",
    "select",
]

Environment = Mapping[str, str]
SourceKind = Literal["registry", "directory", "editable", "virtual", "url", "git", "path"]


@dataclass(frozen=True)
class LockedFile:
    """A file a lock lists for a package: its name, and what it says of it."""

    filename: str
    url: str | None = None
    """``None`` when the lock gives the name and hash alone (Poetry, Pipfile)."""
    size: int | None = None
    hashes: tuple[tuple[str, str], ...] = ()
    upload_time: str | None = None


@dataclass(frozen=True)
class LockedDependency:
    """An edge of a lock's graph: a dependency, with the extras it asks for and its marker."""

    name: NormalizedName
    extras: frozenset[str] = frozenset()
    marker: Marker | None = None
    version: str | None = None
    """Which of several locked versions is meant (uv's forks)."""


@dataclass(frozen=True)
class Source:
    """Where a package comes from: an index (``registry``), or something local or direct."""

    kind: SourceKind = "registry"
    location: str = ""
    """The index URL, or the absolute path, URL or repository of a local or direct source."""


@dataclass(frozen=True)
class LockedPackage:
    """One locked package."""

    name: NormalizedName
    display_name: str
    version: str | None
    source: Source = Source()
    marker: Marker | None = None
    """The package's own marker (pylock, Pipfile.lock, Poetry); ``None``: always."""
    group_markers: Mapping[str, Marker | None] = field(default_factory=dict)
    """Poetry 2: the groups the package is in, each with its marker."""
    wheels: tuple[LockedFile, ...] = ()
    sdist: LockedFile | None = None
    dependencies: tuple[LockedDependency, ...] | None = None
    """``None``: the format keeps no edges (each wheel's ``Requires-Dist`` says)."""
    optional: Mapping[str, tuple[LockedDependency, ...]] = field(default_factory=dict)
    """Extra name -> the dependencies it adds."""
    groups: Mapping[str, tuple[LockedDependency, ...]] = field(default_factory=dict)
    """Dependency group -> its dependencies (uv's ``dev-dependencies`` of a project)."""
    hashes: tuple[tuple[str, str], ...] = ()
    """The hashes of its files, when the lock names them by hash alone (Pipfile.lock)."""

    @property
    def key(self) -> tuple[NormalizedName, str | None]:
        return (self.name, self.version)


@dataclass(frozen=True)
class LockedSet:
    """What a lock file pins, and how its format says what a target installs."""

    path: str
    format: Literal["uv.lock", "pylock.toml", "poetry.lock", "Pipfile.lock"]
    packages: tuple[LockedPackage, ...]
    roots: tuple[NormalizedName, ...] = ()
    """uv: the projects installed (the workspace's root, else its members)."""
    direct: frozenset[NormalizedName] | None = None
    """The packages the project names itself (installed as requested); ``None``: those
    no other selected package requires."""
    extras: tuple[str, ...] = ()
    """The extras the lock declares (pylock), or its root projects' (uv)."""
    groups: tuple[str, ...] = ()
    """The dependency groups the lock declares."""
    default_groups: tuple[str, ...] = ()
    """The groups installed when none is asked for."""
    requires_python: str | None = None
    selected: bool = False
    """The extras and groups were applied when the lock was read (a Poetry lock walked
    from its ``pyproject.toml``)."""

    def package(self, name: str) -> list[LockedPackage]:
        return list(self._by_name.get(canonicalize_name(name), ()))

    @cached_property
    def _by_name(self) -> dict[NormalizedName, list[LockedPackage]]:
        # a lock's walk asks for every edge's package: scanning them all for each was
        # quadratic (57 ms of a 237-package uv.lock's cold run)
        by_name: dict[NormalizedName, list[LockedPackage]] = {}
        for package in self.packages:
            by_name.setdefault(package.name, []).append(package)
        return by_name


@dataclass(frozen=True)
class Chosen:
    """A package the target installs, and why."""

    package: LockedPackage
    requested: bool
    parents: tuple[str, ...] | None
    """Who requires it (package names, ``-r FILE`` for the project itself); ``None``: the
    lock does not say (each wheel's ``Requires-Dist`` is read instead)."""


def lock_marker(
    text: str, path: str, *, where: str = "", hint: str = "Lock the project again."
) -> Marker:
    """The marker a lock file writes, or the error naming the file and ``where`` in it."""
    try:
        return Marker(text)
    except InvalidMarker as exc:
        raise ProjectFileError(
            f"{where}an invalid marker {text!r}: {str(exc).splitlines()[0]}",
            file=path,
            hint=hint,
        ) from None


def marker_holds(
    marker: Marker | None,
    env: Environment,
    extras: Iterable[str] = (),
    groups: Iterable[str] = (),
    *,
    lock_file: bool = False,
) -> bool:
    """Whether ``marker`` holds in ``env`` for one of ``extras`` (or none), or, for a
    PEP 751 marker (``lock_file``), with ``extras`` and ``dependency_groups`` as sets."""
    if marker is None:
        return True
    if lock_file:
        context: dict[str, str | AbstractSet[str]] = {
            **env,
            "extras": set(extras),
            "dependency_groups": set(groups),
        }
        return marker.evaluate(context, context="lock_file")
    return any(marker.evaluate({**env, "extra": e}) for e in ("", *extras))


def select(locked: LockedSet, env: Environment, selection: Selection) -> list[Chosen]:
    """The packages ``locked`` installs in ``env`` with ``selection``'s extras and groups."""
    if locked.selected:
        selection = Selection()
    if locked.roots:
        return _walk(locked, env, selection)
    asked = selection.groups
    if locked.format == "Pipfile.lock":
        asked = tuple("develop" if g.lower() in ("dev", "develop") else g for g in asked)
    extras = _checked(selection.extras, locked.extras, "extra", locked, selection.all_extras)
    groups = _checked(asked, locked.groups, "group", locked, False)
    groups = groups or list(locked.default_groups)
    chosen: list[Chosen] = []
    for package in locked.packages:
        if locked.format == "pylock.toml":
            holds = marker_holds(package.marker, env, extras, groups, lock_file=True)
        elif package.group_markers:
            holds = any(
                marker_holds(marker, env, extras)
                for group, marker in package.group_markers.items()
                if group in ("main", "default", *groups)
            )
        else:
            holds = marker_holds(package.marker, env, extras)
        if holds:
            requested = locked.direct is not None and package.name in locked.direct
            chosen.append(Chosen(package, requested, None))
    return chosen


def _checked(
    asked: Iterable[str], declared: Iterable[str], kind: str, locked: LockedSet, every: bool
) -> list[str]:
    """``asked``, each checked against what ``locked`` declares (all of it when ``every``)."""
    by_name = {canonicalize_name(d): d for d in declared}
    if every:
        return list(by_name.values())
    result = []
    for name in asked:
        found = by_name.get(canonicalize_name(name))
        if found is None:
            known = ", ".join(by_name.values()) or "none"
            raise ProjectFileError(
                f"this {locked.format} has no {kind} named {name!r} ({kind}s: {known})",
                file=locked.path,
                hint=f"Name one of the lock's {kind}s with --{kind}, or lock it again with it.",
            )
        result.append(found)
    return result


def _walk(locked: LockedSet, env: Environment, selection: Selection) -> list[Chosen]:
    """uv: from the root projects, with the extras and groups asked for, along the edges
    whose markers hold for the target."""
    roots = [p for name in locked.roots for p in locked.package(name)]
    extras = _checked(selection.extras, locked.extras, "extra", locked, selection.all_extras)
    groups = _checked(selection.groups, locked.groups, "group", locked, False)
    parents: dict[tuple[NormalizedName, str | None], set[str]] = {}
    order: list[LockedPackage] = []
    queue: deque[tuple[LockedPackage, frozenset[str]]] = deque()
    seen: set[tuple[tuple[NormalizedName, str | None], frozenset[str]]] = set()
    listed: set[tuple[NormalizedName, str | None]] = {root.key for root in roots}
    direct: set[NormalizedName] = set()
    top = f"-r {locked.path}"
    # uv writes the extras and groups of its conflict declarations into markers as
    # ``extra-LEN-PROJECT-EXTRA`` and ``group-LEN-PROJECT-GROUP``
    encoded = [f"extra-{len(r.name)}-{r.name}-{e}" for r in roots for e in extras]
    encoded += [f"group-{len(r.name)}-{r.name}-{g}" for r in roots for g in groups]
    for root in roots:
        parents.setdefault(root.key, set()).add(top)
        order.append(root)
        seen.add((root.key, frozenset()))
        own = [*(root.dependencies or ())]
        own += [d for e in extras for d in root.optional.get(e, ())]
        grouped = [d for g in groups for d in root.groups.get(g, ())]
        for edge, in_group in [*((e, False) for e in own), *((e, True) for e in grouped)]:
            if not marker_holds(edge.marker, env, [*extras, *encoded]):
                continue
            target = _find(locked, edge, env)
            # a virtual project's dependencies, and groups, are installed as asked for;
            # a packaged project's are its own (pip install . does not request them)
            if in_group or root.source.kind == "virtual":
                direct.add(target.name)
                parents.setdefault(target.key, set()).add(top)
            else:
                parents.setdefault(target.key, set()).add(root.name)
            queue.append((target, edge.extras))
    while queue:
        package, wanted = queue.popleft()
        if (package.key, wanted) in seen:
            continue
        if package.key not in listed:
            listed.add(package.key)
            order.append(package)
        seen.add((package.key, wanted))
        edges = [*(package.dependencies or ())]
        edges += [d for e in wanted for d in package.optional.get(e, ())]
        for edge in edges:
            if marker_holds(edge.marker, env, encoded):
                target = _find(locked, edge, env)
                parents.setdefault(target.key, set()).add(package.name)
                queue.append((target, edge.extras))
    return [
        Chosen(p, p.name in direct or p in roots, tuple(sorted(parents.get(p.key, ()))))
        for p in order
    ]


def _find(locked: LockedSet, edge: LockedDependency, env: Environment) -> LockedPackage:
    candidates = locked.package(edge.name)
    if edge.version is not None:
        candidates = [p for p in candidates if p.version == edge.version] or candidates
    fitting = [p for p in candidates if marker_holds(p.marker, env)]
    if not fitting:
        raise ProjectFileError(
            f"a dependency on {edge.name} that this {locked.format} does not lock",
            file=locked.path,
            hint="The lock file is out of date or damaged: lock the project again.",
        )
    return fitting[0]
