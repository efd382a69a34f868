"""``uv.lock`` -> a :class:`~sizefloor.inputs.locked.LockedSet`: every package with its
source, wheels (URL, size, hash), sdist, dependency edges, extras and dev groups; the
roots are the workspace's projects."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from packaging.utils import canonicalize_name

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.locked import (
    LockedDependency,
    LockedFile,
    LockedPackage,
    LockedSet,
    Source,
    SourceKind,
    lock_marker,
)
from sizefloor.inputs.tomlfile import read_toml

__all__ = ["read_uv_lock"]

_LOCAL: tuple[SourceKind, ...] = ("editable", "virtual", "directory", "path")


def read_uv_lock(path: str) -> LockedSet:
    """Read ``path``, a ``uv.lock``."""
    toml = read_toml(path, "uv.lock")
    data = toml.data
    if not isinstance(data.get("version"), int) or not isinstance(data.get("package"), list):
        raise ProjectFileError(
            "this is not a uv.lock: it lacks the `version` number and the [[package]] list",
            file=path,
            hint="Pass the uv.lock that `uv lock` writes.",
        )
    if data["version"] != 1:
        raise ProjectFileError(
            f"uv.lock version {data['version']} is not one sizefloor reads (it reads version 1)",
            file=path,
            hint="Export the lock: `uv export --format requirements.txt -o requirements.txt`.",
        )
    base = os.path.dirname(os.path.abspath(path))
    packages = tuple(_package(entry, base, path) for entry in data["package"])
    manifest = data.get("manifest") or {}
    members = [canonicalize_name(m) for m in manifest.get("members", [])]
    local = [p for p in packages if p.source.kind in ("editable", "virtual")]
    at_root = [p for p in local if p.source.location == base]
    roots = tuple(p.name for p in at_root) or tuple(members) or tuple(p.name for p in local)
    root_packages = [p for p in packages if p.name in roots]
    extras = tuple(dict.fromkeys(e for p in root_packages for e in p.optional))
    groups = tuple(dict.fromkeys(g for p in root_packages for g in p.groups))
    return LockedSet(
        path=path,
        format="uv.lock",
        packages=packages,
        roots=roots,
        extras=extras,
        groups=groups,
        requires_python=data.get("requires-python"),
    )


def _package(entry: Mapping[str, Any], base: str, path: str) -> LockedPackage:
    try:
        name = str(entry["name"])
    except KeyError:
        raise ProjectFileError(
            "a [[package]] without a name", file=path, hint="Lock the project again."
        ) from None
    forks = entry.get("resolution-markers") or []
    marker = lock_marker(" or ".join(f"({m})" for m in forks), path) if forks else None
    version = entry.get("version")
    return LockedPackage(
        name=canonicalize_name(name),
        display_name=name,
        version=str(version) if version is not None else None,
        source=_source(entry.get("source") or {}, base),
        marker=marker,
        wheels=tuple(_file(w, path) for w in entry.get("wheels", [])),
        sdist=_file(entry["sdist"], path) if isinstance(entry.get("sdist"), dict) else None,
        dependencies=tuple(_edge(d, path) for d in entry.get("dependencies", [])),
        optional={
            canonicalize_name(extra): tuple(_edge(d, path) for d in deps)
            for extra, deps in (entry.get("optional-dependencies") or {}).items()
        },
        groups={
            canonicalize_name(group): tuple(_edge(d, path) for d in deps)
            for group, deps in (entry.get("dev-dependencies") or {}).items()
        },
    )


def _source(source: Mapping[str, Any], base: str) -> Source:
    for kind in _LOCAL:
        if kind in source:
            return Source(kind, os.path.normpath(os.path.join(base, str(source[kind]))))
    if "url" in source:
        return Source("url", str(source["url"]))
    if "git" in source:
        return Source("git", str(source["git"]))
    return Source("registry", str(source.get("registry", "")))


def _file(entry: Mapping[str, Any], path: str) -> LockedFile:
    url = entry.get("url")
    local = entry.get("path")
    if url is None and local is not None:
        url = "file://" + os.path.abspath(os.path.join(os.path.dirname(path), str(local)))
    if url is None:
        raise ProjectFileError(
            f"a file without url or path: {dict(entry)!r}",
            file=path,
            hint="Lock the project again.",
        )
    filename = str(url).split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    algorithm, _, digest = str(entry.get("hash", "")).partition(":")
    size = entry.get("size")
    return LockedFile(
        filename=filename,
        url=str(url),
        size=int(size) if isinstance(size, int) else None,
        hashes=((algorithm, digest),) if digest else (),
        upload_time=str(entry["upload-time"]) if entry.get("upload-time") else None,
    )


def _edge(entry: Mapping[str, Any], path: str) -> LockedDependency:
    extras = entry.get("extra") or []
    return LockedDependency(
        name=canonicalize_name(str(entry["name"])),
        extras=frozenset(canonicalize_name(e) for e in extras),
        marker=lock_marker(str(entry["marker"]), path) if entry.get("marker") else None,
        version=str(entry["version"]) if entry.get("version") is not None else None,
    )
