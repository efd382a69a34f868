"""``Pipfile.lock`` -> a :class:`~sizefloor.inputs.locked.LockedSet`: its ``default``
section (``develop`` too when asked for), each package pinned with its marker and hashes;
the files are found on the index by hash."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from packaging.utils import NormalizedName, canonicalize_name

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.locked import LockedPackage, LockedSet, Source, lock_marker
from sizefloor.inputs.tomlfile import read_toml

__all__ = ["read_pipfile_lock"]


def read_pipfile_lock(path: str) -> LockedSet:
    """Read ``path``, a ``Pipfile.lock``."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise ProjectFileError(
            f"cannot read this Pipfile.lock: {exc.strerror or exc}",
            file=path,
            hint="Check the path.",
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ProjectFileError(
            f"this Pipfile.lock is not JSON: {str(exc).splitlines()[0]}",
            file=path,
            line=line,
            hint="Write it again with `pipenv lock`.",
        ) from None
    if not isinstance(data, dict) or "_meta" not in data:
        raise ProjectFileError(
            "this is not a Pipfile.lock: it has no _meta section",
            file=path,
            hint="Pass the Pipfile.lock that `pipenv lock` writes.",
        )
    base = os.path.dirname(os.path.abspath(path))
    packages: list[LockedPackage] = []
    for section in ("default", "develop"):
        entries = data.get(section) or {}
        packages += [_package(name, entry, section, base, path) for name, entry in entries.items()]
    requires = (data["_meta"] or {}).get("requires") or {}
    return LockedSet(
        path=path,
        format="Pipfile.lock",
        packages=tuple(packages),
        direct=_direct(base),
        groups=("develop",),
        requires_python=requires.get("python_full_version") or requires.get("python_version"),
    )


def _package(
    name: str, entry: Mapping[str, Any], section: str, base: str, path: str
) -> LockedPackage:
    if not isinstance(entry, dict):
        raise ProjectFileError(
            f"[{section}] {name} is not an object", file=path, hint="Lock again with `pipenv lock`."
        )
    marker = None
    if entry.get("markers"):
        marker = lock_marker(
            str(entry["markers"]),
            path,
            where=f"[{section}] {name}: ",
            hint="Lock again with `pipenv lock`.",
        )
    version = str(entry.get("version", "")).lstrip("=") or None
    hashes = tuple(
        (algorithm, digest)
        for text in entry.get("hashes", [])
        for algorithm, _, digest in [str(text).partition(":")]
    )
    group = "main" if section == "default" else "develop"
    return LockedPackage(
        name=canonicalize_name(name),
        display_name=name,
        version=version,
        source=_source(entry, base),
        group_markers={group: marker},
        hashes=hashes,
    )


def _source(entry: Mapping[str, Any], base: str) -> Source:
    if "path" in entry:
        location = os.path.normpath(os.path.join(base, str(entry["path"])))
        if os.path.isdir(location):
            return Source("editable" if entry.get("editable") else "directory", location)
        return Source("path", location)
    if "git" in entry:
        return Source("git", str(entry["git"]))
    if "file" in entry:
        return Source("url", str(entry["file"]))
    return Source("registry", str(entry.get("index", "")))


def _direct(base: str) -> frozenset[NormalizedName] | None:
    """The names the ``Pipfile`` beside the lock lists, ``None`` without one."""
    pipfile = os.path.join(base, "Pipfile")
    if not os.path.isfile(pipfile):
        return None
    data = read_toml(pipfile, "Pipfile").data
    names = [*(data.get("packages") or {}), *(data.get("dev-packages") or {})]
    return frozenset(canonicalize_name(n) for n in names)
