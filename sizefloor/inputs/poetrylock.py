"""``poetry.lock`` -> a :class:`~sizefloor.inputs.locked.LockedSet`.

Poetry 2 locks (``lock-version = "2.1"``) say which groups each package is in and under
which markers: those decide. Older locks do not: the packages are then reached from the
``pyproject.toml`` beside the lock along the lock's dependency edges. Files are listed by
name and hash; their URLs come from the index.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.locked import (
    LockedDependency,
    LockedFile,
    LockedPackage,
    LockedSet,
    Source,
    lock_marker,
)
from sizefloor.inputs.pyproject import PyProject, Selection, read_pyproject
from sizefloor.inputs.tomlfile import read_toml

__all__ = ["ROOT", "read_poetry_lock"]

ROOT = NormalizedName("<project>")
"""The name of the project a lock without groups is walked from."""


def read_poetry_lock(path: str, selection: Selection) -> LockedSet:
    """Read ``path``, a ``poetry.lock``; ``selection`` picks the groups and extras when
    the lock must be walked from the ``pyproject.toml`` beside it."""
    data = read_toml(path, "poetry.lock").data
    metadata = data.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(data.get("package", []), list):
        raise ProjectFileError(
            "this is not a poetry.lock: it has no [metadata] table",
            file=path,
            hint="Pass the poetry.lock that `poetry lock` writes.",
        )
    base = os.path.dirname(os.path.abspath(path))
    entries = data.get("package", [])
    packages = [_package(entry, base, path) for entry in entries]
    project = _neighbour(path, selection)
    direct: frozenset[NormalizedName] | None = None
    if project is not None:
        direct = frozenset(
            canonicalize_name(line.name) for line in project.requirements.requirements
        )
    if all("groups" in entry for entry in entries):
        groups = {g for entry in entries for g in entry["groups"]} - {"main"}
        extras = set(data.get("extras") or {}) | set(project.declared_extras if project else ())
        return LockedSet(
            path=path,
            format="poetry.lock",
            packages=tuple(packages),
            direct=direct,
            groups=tuple(sorted(groups)),
            extras=tuple(sorted(extras)),
            requires_python=metadata.get("python-versions"),
        )
    if project is None:
        raise ProjectFileError(
            "this poetry.lock (written before Poetry 2) does not say which group each "
            "package is in, and there is no pyproject.toml beside it to start from",
            file=path,
            hint="Lock again with Poetry 2 (`poetry lock`), or pass the pyproject.toml's folder.",
        )
    root = LockedPackage(
        name=ROOT,
        display_name=project.name or ROOT,
        version=None,
        source=Source("virtual", base),
        dependencies=tuple(
            _root_edge(line.requirement) for line in project.requirements.requirements
        ),
    )
    return LockedSet(
        path=path,
        format="poetry.lock",
        packages=(root, *packages),
        roots=(ROOT,),
        direct=direct,
        requires_python=metadata.get("python-versions"),
        selected=True,
    )


def _neighbour(path: str, selection: Selection) -> PyProject | None:
    """The ``pyproject.toml`` beside the lock, read for ``selection``."""
    candidate = os.path.join(os.path.dirname(os.path.abspath(path)), "pyproject.toml")
    if not os.path.isfile(candidate):
        return None
    return read_pyproject(candidate, selection)


def _root_edge(requirement: Requirement) -> LockedDependency:
    return LockedDependency(
        canonicalize_name(requirement.name),
        frozenset(canonicalize_name(e) for e in requirement.extras),
        requirement.marker,
    )


def _package(entry: Mapping[str, Any], base: str, path: str) -> LockedPackage:
    name = entry.get("name")
    if not isinstance(name, str):
        raise ProjectFileError(
            "a [[package]] without a name", file=path, hint="Lock the project again."
        )
    markers = entry.get("markers")
    group_markers: dict[str, Marker | None] = {}
    for group in entry.get("groups", []):
        text = markers.get(group) if isinstance(markers, dict) else markers
        group_markers[str(group)] = lock_marker(text, path, where=f"{name}: ") if text else None
    files = tuple(
        LockedFile(str(f["file"]), hashes=_hash(f.get("hash", "")))
        for f in entry.get("files", [])
        if isinstance(f, dict) and "file" in f
    )
    return LockedPackage(
        name=canonicalize_name(name),
        display_name=name,
        version=str(entry["version"]) if "version" in entry else None,
        source=_source(entry.get("source") or {}, base),
        group_markers=group_markers,
        wheels=tuple(f for f in files if f.filename.endswith(".whl")),
        sdist=next((f for f in files if not f.filename.endswith(".whl")), None),
        dependencies=tuple(
            _edge(dep, value, name, path)
            for dep, value in (entry.get("dependencies") or {}).items()
        ),
        optional={
            canonicalize_name(extra): tuple(_extra_edge(text, name, path) for text in deps)
            for extra, deps in (entry.get("extras") or {}).items()
        },
    )


def _source(source: Mapping[str, Any], base: str) -> Source:
    kind = source.get("type")
    url = str(source.get("url", ""))
    if kind == "directory":
        location = os.path.normpath(os.path.join(base, url))
        return Source("editable" if source.get("develop") else "directory", location)
    if kind == "file":
        return Source("path", os.path.normpath(os.path.join(base, url)))
    if kind in ("url", "git"):
        return Source(kind, url)
    return Source("registry", url)


def _hash(text: str) -> tuple[tuple[str, str], ...]:
    algorithm, _, digest = str(text).partition(":")
    return ((algorithm, digest),) if digest else ()


def _edge(name: str, value: Any, package: str, path: str) -> LockedDependency:
    """An entry of ``[package.dependencies]``: a constraint, or a table with markers and
    extras (a list of them for alternatives: any of their markers)."""
    tables = value if isinstance(value, list) else [value]
    markers: list[str] = []
    extras: set[str] = set()
    for table in tables:
        if not isinstance(table, dict):
            markers = []
            break
        extras.update(canonicalize_name(e) for e in table.get("extras", []))
        if table.get("optional"):
            markers.append('extra == "__never__"')
        elif table.get("markers"):
            markers.append(f"({table['markers']})")
        else:
            markers = []
            break
    marker = lock_marker(" or ".join(markers), path, where=f"{package}: ") if markers else None
    return LockedDependency(canonicalize_name(name), frozenset(extras), marker)


def _extra_edge(text: str, package: str, path: str) -> LockedDependency:
    """An entry of ``[package.extras]``: ``name`` or ``name (>=1.0)``, maybe with extras."""
    name = str(text).split("(", 1)[0].strip()
    try:
        requirement = Requirement(name)
    except InvalidRequirement:
        raise ProjectFileError(
            f"{package}: an extra names {text!r}", file=path, hint="Lock the project again."
        ) from None
    return _root_edge(requirement)
