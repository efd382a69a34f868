"""The files an index lists: :class:`DistFile`, the value the resolver and the wheel reader
work with, made from a filename and what the index says of it."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from packaging.tags import Tag
from packaging.utils import (
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from sizefloor.urls import is_file_url, strip_credentials


@dataclass(frozen=True, eq=False)
class DistFile:
    """One distribution file an index lists."""

    project: NormalizedName
    filename: str
    url: str
    version: Version
    is_wheel: bool
    size: int | None = None
    hashes: tuple[tuple[str, str], ...] = ()
    """``(algorithm, hex digest)`` pairs, as the page gives them: a tuple shared
    with the page's record (a dict for each of a lock file's 76,000 listed
    files, and a parsed upload time each, were 5 MB of its traced peak)."""
    requires_python: str | None = None
    requires_python_listed: bool = False
    """The index said what the file's Requires-Python is (PEP 691 lists it for
    every file, null for none); HTML pages and find-links leave it unknown."""
    yanked: str | None = None
    """``None`` when not yanked; the reason (possibly empty) when yanked."""
    upload_text: str | None = None
    """The upload time as the page writes it (ISO 8601): parsed when asked for."""
    core_metadata: bool = False
    """The index serves the file's METADATA at ``url + ".metadata"`` (PEP 658/714)."""
    source: str = ""
    """The index or find-links location it came from, credentials removed."""

    @functools.cached_property
    def _wheel_parts(self) -> tuple[tuple[()] | tuple[int, str], frozenset[Tag]]:
        if not self.is_wheel:
            return (), frozenset()
        try:
            _name, _version, build, tags = parse_wheel_filename(self.filename)
        except (InvalidWheelFilename, InvalidVersion):
            return (), frozenset()
        return build, tags

    @property
    def tags(self) -> frozenset[Tag]:
        """The wheel's compatibility tags (empty for an sdist)."""
        return self._wheel_parts[1]

    @property
    def build(self) -> tuple[()] | tuple[int, str]:
        """The wheel's build tag, ``()`` when it has none."""
        return self._wheel_parts[0]

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platform part of a wheel's name, split (cheap: no parsing)."""
        if not self.is_wheel:
            return ()
        return tuple(self.filename[:-4].rsplit("-", 1)[-1].split("."))

    @property
    def interpreters(self) -> tuple[str, ...]:
        """The Python part of a wheel's name (``cp312``, ``py3``), split."""
        if not self.is_wheel:
            return ()
        return tuple(self.filename[:-4].rsplit("-", 3)[-3].split("."))

    @functools.cached_property
    def upload_time(self) -> datetime | None:
        """When the file was uploaded (PEP 700), when the index says."""
        return _parse_time(self.upload_text)

    @property
    def sha256(self) -> str | None:
        for algorithm, digest in self.hashes:
            if algorithm == "sha256":
                return digest
        return None

    @property
    def cache_key(self) -> str:
        """Stable identity of the file's bytes: its hash, else its URL."""
        digest = self.sha256
        return f"sha256:{digest}" if digest else f"url:{strip_credentials(self.url)[0]}"

    @property
    def is_local(self) -> bool:
        """The file is on this machine (a ``file:`` URL): read afresh each run, never cached."""
        return is_file_url(self.url)

    @property
    def metadata_url(self) -> str:
        base, _, _ = self.url.partition("#")
        return base + ".metadata"

    def __repr__(self) -> str:
        return f"DistFile({self.filename!r}, source={self.source!r})"


@dataclass(frozen=True)
class ProjectFiles:
    project: NormalizedName
    files: tuple[DistFile, ...]
    found: bool
    """Some source knew the project (an empty file list can still mean "found")."""


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@functools.lru_cache(maxsize=65536)
def _version(text: str) -> Version:
    return Version(text)


@functools.lru_cache(maxsize=4096)
def _canonical(name: str) -> NormalizedName:
    return canonicalize_name(name)


def make_dist_file(
    project: NormalizedName,
    filename: str,
    url: str,
    *,
    source: str,
    hashes: Mapping[str, str] | None = None,
    size: int | None = None,
    requires_python: str | None = None,
    requires_python_listed: bool = False,
    yanked: str | None = None,
    upload_time: str | None = None,
    core_metadata: bool = False,
) -> DistFile | None:
    """A :class:`DistFile` for ``filename``, or ``None`` when it is not a wheel or
    sdist of ``project`` (pip skips such files too).

    A project page can list thousands of files, most of them for other
    platforms, so a wheel's name is checked cheaply here and its tags are
    parsed only when asked for (:attr:`DistFile.tags`).
    """
    identified = identify_file(project, filename)
    if identified is None:
        return None
    version, is_wheel = identified
    return DistFile(
        project=project,
        filename=filename,
        url=url,
        version=version,
        is_wheel=is_wheel,
        size=size,
        hashes=tuple((hashes or {}).items()),
        requires_python=requires_python or None,
        requires_python_listed=requires_python_listed or bool(requires_python),
        yanked=yanked,
        upload_text=upload_time,
        core_metadata=core_metadata,
        source=source,
    )


def identify_file(project: NormalizedName, filename: str) -> tuple[Version, bool] | None:
    """``(version, is it a wheel)`` of ``filename``, or ``None`` when it is not a
    wheel or sdist of ``project``: read from the name alone, cheaply."""
    try:
        if filename.endswith(".whl"):
            parts = filename[:-4].split("-")
            if len(parts) not in (5, 6) or _canonical(parts[0]) != project:
                return None
            return _version(parts[1]), True
        if filename.endswith((".tar.gz", ".zip")):
            # name-version.tar.gz; the version has no dash, the name may have some
            stem = filename[: -7 if filename.endswith(".tar.gz") else -4]
            name, dash, version_text = stem.rpartition("-")
            if not dash or _canonical(name) != project:
                return None
            return _version(version_text), False
    except InvalidVersion:
        return None
    return None
