"""``pylock.toml`` and ``pylock.NAME.toml`` (PEP 751) -> a
:class:`~sizefloor.inputs.locked.LockedSet`: each package with its marker (evaluated later
with the extras and dependency groups, as PEP 751 says) and the files it lists."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from packaging.utils import canonicalize_name

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.locked import LockedFile, LockedPackage, LockedSet, Source, lock_marker
from sizefloor.inputs.tomlfile import read_toml

__all__ = ["read_pylock"]


def read_pylock(path: str) -> LockedSet:
    """Read ``path``, a PEP 751 lock file."""
    data = read_toml(path, "pylock.toml").data
    version = data.get("lock-version")
    if version is None or not isinstance(data.get("packages", []), list):
        raise ProjectFileError(
            "this is not a PEP 751 lock file: it has no `lock-version`",
            file=path,
            hint="Pass the pylock.toml a locker writes (e.g. `uv export --format pylock.toml`).",
        )
    if not str(version).startswith("1."):
        raise ProjectFileError(
            f"lock-version {version} is not one sizefloor reads (it reads 1.x)",
            file=path,
            hint="Export the lock as a requirements file instead.",
        )
    base = os.path.dirname(os.path.abspath(path))
    packages = tuple(_package(entry, base, path) for entry in data.get("packages", []))
    return LockedSet(
        path=path,
        format="pylock.toml",
        packages=packages,
        extras=tuple(str(e) for e in data.get("extras", [])),
        groups=tuple(str(g) for g in data.get("dependency-groups", [])),
        default_groups=tuple(str(g) for g in data.get("default-groups", [])),
        requires_python=data.get("requires-python"),
    )


def _package(entry: Mapping[str, Any], base: str, path: str) -> LockedPackage:
    name = entry.get("name")
    if not isinstance(name, str):
        raise ProjectFileError(
            "a [[packages]] entry without a name", file=path, hint="Lock the project again."
        )
    marker = None
    if entry.get("marker"):
        marker = lock_marker(str(entry["marker"]), path, where=f"{name}: ")
    version = entry.get("version")
    sdist = entry.get("sdist")
    return LockedPackage(
        name=canonicalize_name(name),
        display_name=name,
        version=str(version) if version is not None else None,
        source=_source(entry, base),
        marker=marker,
        wheels=tuple(_file(w, base, path, name) for w in entry.get("wheels", [])),
        sdist=_file(sdist, base, path, name) if isinstance(sdist, dict) else None,
    )


def _source(entry: Mapping[str, Any], base: str) -> Source:
    directory = entry.get("directory")
    if isinstance(directory, dict):
        location = os.path.normpath(os.path.join(base, str(directory.get("path", "."))))
        return Source("editable" if directory.get("editable") else "directory", location)
    vcs = entry.get("vcs")
    if isinstance(vcs, dict):
        return Source("git", str(vcs.get("url") or vcs.get("path") or ""))
    archive = entry.get("archive")
    if isinstance(archive, dict):
        if archive.get("url"):
            return Source("url", str(archive["url"]))
        return Source("path", os.path.normpath(os.path.join(base, str(archive.get("path")))))
    return Source("registry", str(entry.get("index", "")))


def _file(entry: Mapping[str, Any], base: str, path: str, package: str) -> LockedFile:
    url = entry.get("url")
    if url is None and entry.get("path") is not None:
        url = "file://" + os.path.normpath(os.path.join(base, str(entry["path"])))
    name = entry.get("name") or (str(url).split("#")[0].rsplit("/", 1)[-1] if url else None)
    if not name:
        raise ProjectFileError(
            f"{package}: a file with neither name, url nor path",
            file=path,
            hint="Lock the project again.",
        )
    hashes = entry.get("hashes") or {}
    size = entry.get("size")
    upload = entry.get("upload-time")
    return LockedFile(
        filename=str(name),
        url=str(url) if url else None,
        size=size if isinstance(size, int) else None,
        hashes=tuple((str(k), str(v)) for k, v in hashes.items()),
        upload_time=upload.isoformat() if isinstance(upload, datetime) else None,
    )
