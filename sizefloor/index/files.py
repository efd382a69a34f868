"""The files an index lists: :class:`DistFile`, the value the resolver and the wheel reader
work with, made from a filename and what the index says of it."""

from __future__ import annotations

import functools
import marshal
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

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
        return parse_time(self.upload_text)

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


FileRecord = tuple[
    str, str, int | None, tuple[tuple[str, str], ...], str | None, str | None, str | None, bool
]
"""What a page says of one file, as plain data (cheap to cache and to load):
(filename, absolute url, size, hashes, requires-python, yanked reason or None,
upload time as ISO text, core metadata offered). ``requires-python`` is ``""`` when the
page lists it as null (listed, with no constraint) and ``None`` when it does not say."""


def record_to_file(project: NormalizedName, record: FileRecord, source: str) -> DistFile | None:
    """The :class:`DistFile` of one page record (``None`` when its name is not a wheel or sdist
    of ``project``): what :func:`make_dist_file` does, without its keyword arguments, which
    were a good part of the cost when a cold run made every listed file."""
    filename, url, size, hashes, requires_python, yanked, upload, metadata = record
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
        hashes=hashes,
        requires_python=requires_python or None,
        # "" (listed as null) is listed too: with no constraint
        requires_python_listed=requires_python is not None,
        yanked=yanked,
        upload_text=upload,
        core_metadata=metadata,
        source=source,
    )


class ProjectFiles:
    """A project's files across the sources, kept as the pages' records packed in one
    zlib-compressed ``marshal`` string: a file becomes a :class:`DistFile` only when asked
    for, a version at a time.

    The 240 pages of a monolith list 111,616 files the target could install, and the
    resolver looks at a few versions of most projects. As objects, each file's record was
    about 700 bytes (its URL, hashes and upload time as strings, the tuples holding them)
    and its :class:`DistFile` 90 more: 45 MiB of a cold run's heap. Packed, a record is
    about 120 bytes (300 marshalled, before compression), packed in about 3 µs and
    unpacked in about 1.5 µs; what the resolver reads of every file (its version, whether
    it is a wheel, its ``Requires-Python``) is kept beside it, unpacked (:meth:`listed`).
    """

    __slots__ = (
        "_files",
        "_local",
        "_made",
        "_packed",
        "_requires",
        "_sources",
        "_unpacked",
        "_versions",
        "_wheels",
        "found",
        "project",
    )

    def __init__(
        self,
        project: NormalizedName,
        records: Sequence[tuple[str, Sequence[FileRecord]]] = (),
        found: bool = False,
        *,
        local: Sequence[DistFile] = (),
    ) -> None:
        self.project = project
        self.found = found
        """Some source knew the project (an empty file list can still mean "found")."""
        kept: list[FileRecord] = []
        self._sources: list[str] = []
        self._versions: list[Version] = []
        self._wheels = bytearray()
        self._requires: list[str | None] = []
        """Each file's ``Requires-Python``, ``None`` for none (the same text, one string)."""
        same: dict[str, str] = {}
        for source, listed in records:
            for record in listed:
                identified = identify_file(project, record[0])
                if identified is not None:
                    kept.append(record)
                    self._note(source, *identified, record[4] or None, same)
        for dist in local:
            self._note(dist.source, dist.version, dist.is_wheel, dist.requires_python, same)
        self._local = tuple(local)
        self._packed: bytes | list[FileRecord] = _pack(kept)
        self._unpacked = 0
        """How many times the records were unpacked: see :data:`UNPACKED_KEPT`."""
        self._made: dict[int, DistFile] = {}
        self._files: tuple[DistFile, ...] | None = None

    def _note(
        self,
        source: str,
        version: Version,
        is_wheel: bool,
        requires_python: str | None,
        same: dict[str, str],
    ) -> None:
        self._sources.append(source)
        self._versions.append(version)
        self._wheels.append(is_wheel)
        self._requires.append(
            None if requires_python is None else same.setdefault(requires_python, requires_python)
        )

    def __len__(self) -> int:
        return len(self._versions)

    def listed(
        self, *, uploads: bool = False
    ) -> Iterator[tuple[int, Version, bool, str | None, str | None]]:
        """``(position, version, is it a wheel, Requires-Python, upload time)`` of each file
        (``Requires-Python`` ``None`` when there is no constraint; the upload time only
        with ``uploads``, which unpacks the records)."""
        records = self._records() if uploads else []
        count = len(records)
        for i, version in enumerate(self._versions):
            upload = None
            if uploads:
                upload = records[i][6] if i < count else self._local[i - count].upload_text
            yield i, version, bool(self._wheels[i]), self._requires[i], upload

    def file(self, position: int) -> DistFile:
        """The :class:`DistFile` of the file at ``position`` (made once)."""
        return self.files_at([position])[0]

    def files_at(self, positions: Sequence[int]) -> list[DistFile]:
        """The files at ``positions``, made once (their records unpacked together)."""
        made = self._made
        if any(p not in made for p in positions):
            records = self._records()
            count = len(records)
            for p in positions:
                if p in made:
                    continue
                if p >= count:
                    made[p] = self._local[p - count]
                    continue
                dist = record_to_file(self.project, records[p], self._sources[p])
                assert dist is not None  # only records whose names identify are kept
                made.setdefault(p, dist)
        return [made[p] for p in positions]

    def subset(self, positions: Sequence[int]) -> FilesAt:
        """The files at ``positions``, made when first read."""
        return FilesAt(self, positions)

    @property
    def files(self) -> tuple[DistFile, ...]:
        """Every file, made (for what reads them all: messages, lock files without URLs)."""
        if self._files is None:
            self._files = tuple(self.files_at(range(len(self._versions))))
        return self._files

    def _records(self) -> list[FileRecord]:
        packed = self._packed
        if not isinstance(packed, bytes):
            return packed
        records: list[FileRecord] = marshal.loads(zlib.decompress(packed))
        self._unpacked += 1
        if self._unpacked >= UNPACKED_KEPT:
            self._packed = records
        return records


UNPACKED_KEPT = 3
"""A project whose records were unpacked this many times keeps them unpacked: the resolver
is backtracking through its versions (botocore's thousands), and unpacking them all again
for each version it tries would cost milliseconds a version."""


def _pack(records: list[FileRecord]) -> bytes | list[FileRecord]:
    """``records`` in one compressed string (kept as they are in the rare case marshal
    cannot)."""
    try:
        return zlib.compress(marshal.dumps(records), 1)
    except ValueError:  # a type marshal does not know: only from a hand-made record
        return records


class FilesAt(Sequence[DistFile]):
    """Some of a :class:`ProjectFiles`' files (one version's), made when read."""

    __slots__ = ("_made", "_positions", "_project")

    def __init__(self, project: ProjectFiles, positions: Sequence[int]) -> None:
        self._project = project
        self._positions = positions
        self._made: list[DistFile] | None = None

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> DistFile: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[DistFile]: ...
    def __getitem__(self, index: int | slice) -> DistFile | Sequence[DistFile]:
        if self._made is None:
            self._made = self._project.files_at(self._positions)
        return self._made[index]


def parse_time(value: Any) -> datetime | None:
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
    # a Requires-Python listed as null is "" in a record: listed, with no constraint
    listed = requires_python or ("" if requires_python_listed else None)
    record: FileRecord = (
        filename,
        url,
        size,
        tuple((hashes or {}).items()),
        listed,
        yanked,
        upload_time,
        core_metadata,
    )
    return record_to_file(project, record, source)


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
