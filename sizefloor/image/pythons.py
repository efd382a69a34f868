"""The Pythons inside an image: interpreters, site-packages folders and the distributions in them.

Read from an :class:`~sizefloor.image.reader.Image`'s file list alone:

- an **interpreter** is a ``…/bin/pythonX.Y`` file or symlink, or a standard library
  (``…/lib/pythonX.Y/os.py``);
- a **site-packages** folder is ``…/lib/pythonX.Y/site-packages`` (or ``dist-packages``);
  one whose ``X.Y`` no interpreter in the image runs is *stale*: its packages are never
  imported (a ``python3.5/site-packages`` copied into a 3.11 image);
- a **distribution** is a ``*.dist-info`` (or ``*.egg-info``) folder; its files are those
  its ``RECORD`` (``installed-files.txt``) lists, plus the files under the top-level
  folders only it owns (bytecode written after installation, which ``RECORD`` may omit).
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from sizefloor.image.reader import Image, ImageFile

_INTERPRETER = re.compile(r"^(.*)/bin/python(\d)\.(\d+)m?$")
_STDLIB = re.compile(r"^(.*)/lib/python(\d)\.(\d+)/os\.py$")
_SITE = re.compile(r"^(.*?/lib/python(\d\.\d+|\d)/(?:site|dist)-packages)/(.+)$")
_ENV_VERSION = re.compile(r"^PYTHON_VERSION=(\d+)\.(\d+)")


@dataclass(frozen=True)
class Distribution:
    name: str
    """As its metadata folder spells it."""
    key: str
    """The canonical (PEP 503) name."""
    version: str
    site_packages: str
    metadata_dir: str
    layer: int
    """The layer that wrote its metadata folder (installed it last)."""
    files: tuple[str, ...]
    """Visible regular files that belong to it."""
    bytes: int


@dataclass(frozen=True)
class SitePackages:
    path: str
    python: str | None
    """``3.11``; ``None`` for a version-less ``lib/python3/dist-packages``."""
    distributions: tuple[Distribution, ...]
    bytes: int
    stale: bool


@dataclass(frozen=True)
class PythonLayout:
    interpreters: tuple[tuple[str, str], ...]
    """(path, ``X.Y``) of each interpreter found."""
    versions: tuple[str, ...]
    """The versions an interpreter in the image runs, highest first."""
    site_packages: tuple[SitePackages, ...]
    default_version: str | None
    """The version to size the floor for: the image's interpreter."""

    @property
    def stale(self) -> tuple[SitePackages, ...]:
        return tuple(sp for sp in self.site_packages if sp.stale)

    def owner_of(self) -> dict[str, Distribution]:
        """Each attributed file's distribution."""
        owners: dict[str, Distribution] = {}
        for sp in self.site_packages:
            for dist in sp.distributions:
                for path in dist.files:
                    owners.setdefault(path, dist)
        return owners

    def to_json(self) -> dict[str, object]:
        return {
            "interpreters": [{"path": p, "version": v} for p, v in self.interpreters],
            "versions": list(self.versions),
            "site_packages": [
                {
                    "path": sp.path,
                    "python": sp.python,
                    "bytes": sp.bytes,
                    "stale": sp.stale,
                    "distributions": len(sp.distributions),
                }
                for sp in self.site_packages
            ],
        }


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def python_layout(image: Image) -> PythonLayout:
    """The interpreters, site-packages folders and distributions of ``image``."""
    interpreters: dict[str, str] = {}
    stdlibs: set[str] = set()
    for path in [*(f.path for f in image.files), *image.symlinks]:
        if m := _INTERPRETER.match(path):
            interpreters[path] = f"{m.group(2)}.{m.group(3)}"
        elif m := _STDLIB.match(path):
            stdlibs.add(f"{m.group(2)}.{m.group(3)}")
    versions = sorted(set(interpreters.values()) | stdlibs, key=_version_key, reverse=True)
    by_site: dict[str, list[ImageFile]] = defaultdict(list)
    site_version: dict[str, str] = {}
    for f in image.files:
        if m := _SITE.match(f.path):
            by_site[m.group(1)].append(f)
            site_version[m.group(1)] = m.group(2)
    sites = []
    for path in sorted(by_site):
        version = site_version[path]
        python = version if "." in version else None
        dists = _distributions(path, by_site[path], image.kept)
        sites.append(
            SitePackages(
                path=path,
                python=python,
                distributions=dists,
                bytes=sum(f.size for f in by_site[path]),
                stale=python is not None and bool(versions) and python not in versions,
            )
        )
    return PythonLayout(
        interpreters=tuple(sorted(interpreters.items())),
        versions=tuple(versions),
        site_packages=tuple(sites),
        default_version=_default_version(versions, image.env, sites),
    )


def _default_version(
    versions: list[str], env: Iterable[str], sites: list[SitePackages]
) -> str | None:
    if len(versions) <= 1:
        return versions[0] if versions else None
    for item in env:
        if m := _ENV_VERSION.match(item):
            candidate = f"{m.group(1)}.{m.group(2)}"
            if candidate in versions:
                return candidate
    counts = {v: 0 for v in versions}
    for sp in sites:
        if sp.python in counts:
            counts[sp.python] += len(sp.distributions)
    return max(versions, key=lambda v: (counts[v], _version_key(v)))


def _split_metadata_dir(name: str) -> tuple[str, str] | None:
    for suffix in (".dist-info", ".egg-info"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            project, _, rest = stem.partition("-")
            version = rest.split("-")[0] if rest else ""
            return (project, version) if project else None
    return None


def _distributions(
    site: str, files: list[ImageFile], kept: Mapping[str, bytes]
) -> tuple[Distribution, ...]:
    """The distributions of one site-packages folder, each with the visible files it owns."""
    sizes = {f.path: f for f in files}
    metadata_dirs = _metadata_dirs(site, files)
    listed = {top: _listed_files(site, top, sizes, kept) for top in metadata_dirs}
    _claim_unlisted(site, files, listed)
    return tuple(
        _distribution(site, top, project, version, listed[top], sizes)
        for top, (project, version) in sorted(metadata_dirs.items())
    )


def _top(site: str, path: str) -> str:
    """The first component of ``path`` under ``site``."""
    return path[len(site) + 1 :].split("/", 1)[0]


def _metadata_dirs(site: str, files: list[ImageFile]) -> dict[str, tuple[str, str]]:
    """Each top-level ``*.dist-info`` or ``*.egg-info`` name -> (project, version)."""
    found: dict[str, tuple[str, str]] = {}
    for f in files:
        top = _top(site, f.path)
        parsed = _split_metadata_dir(top)
        if parsed is not None:
            found[top] = parsed
    return found


def _listed_files(
    site: str, top: str, sizes: Mapping[str, ImageFile], kept: Mapping[str, bytes]
) -> set[str]:
    """The visible files of a metadata folder, and those its RECORD lists."""
    base = f"{site}/{top}"
    paths = {p for p in sizes if p == base or p.startswith(base + "/")}
    paths.update(p for p in _recorded(base, kept, site) if p in sizes)
    return paths


def _claim_unlisted(site: str, files: list[ImageFile], listed: dict[str, set[str]]) -> None:
    """Give each file no record lists to the one distribution whose files share its top folder.

    Bytecode written after installation is the usual case: ``RECORD`` may omit it.
    """
    owners_of_top: dict[str, set[str]] = defaultdict(set)
    for top, paths in listed.items():
        for p in paths:
            if p.startswith(site + "/") and (first := _top(site, p)) != top:
                owners_of_top[first].add(top)
    claimed = {p for paths in listed.values() for p in paths}
    for f in files:
        if f.path in claimed:
            continue
        owners = owners_of_top.get(_top(site, f.path), set())
        if len(owners) == 1:
            listed[next(iter(owners))].add(f.path)


def _distribution(
    site: str,
    top: str,
    project: str,
    version: str,
    paths: set[str],
    sizes: Mapping[str, ImageFile],
) -> Distribution:
    owned = tuple(sorted(paths))
    base = f"{site}/{top}"
    markers = (f"{base}/RECORD", f"{base}/METADATA", f"{base}/PKG-INFO", base)
    marker = next((sizes[p] for p in markers if p in sizes), None)
    layer = marker.layer if marker else min(sizes[p].layer for p in owned if p in sizes)
    return Distribution(
        name=project,
        key=canonicalize_name(project),
        version=version,
        site_packages=site,
        metadata_dir=base,
        layer=layer,
        files=owned,
        bytes=sum(sizes[p].size for p in owned),
    )


def _recorded(base: str, kept: Mapping[str, bytes], site: str) -> set[str]:
    """The absolute paths a metadata folder's RECORD (or installed-files.txt) lists."""
    record = kept.get(base + "/RECORD")
    relative_to = site
    if record is None:
        record = kept.get(base + "/installed-files.txt")
        relative_to = base
    if record is None:
        return set()
    text = record.decode("utf-8", errors="replace")
    rows: list[str] = []
    if base.endswith(".dist-info"):
        try:
            rows = [row[0] for row in csv.reader(io.StringIO(text)) if row]
        except csv.Error:
            rows = [line.split(",", 1)[0] for line in text.splitlines()]
    else:
        rows = [line.strip() for line in text.splitlines() if line.strip()]
    paths = set()
    for row in rows:
        if row.startswith("/"):
            paths.add(posixpath.normpath(row))
        else:
            paths.add(posixpath.normpath(posixpath.join(relative_to, row)))
    return paths
