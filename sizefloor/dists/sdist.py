"""Source distributions: dependencies and an estimated size, without building.

A project with no wheel for the target would be built from its sdist. Its
dependencies come from ``PKG-INFO`` (Metadata 2.2+, when ``Requires-Dist`` is
not dynamic) or from ``*.egg-info/requires.txt``; its installed size is
estimated from the package files it ships, with a wide error bound: a build
may compile extensions, generate files or leave some out.
"""

from __future__ import annotations

import email.parser
import io
import posixpath
import tarfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO

from sizefloor.cache import Cache
from sizefloor.dists import zipdir
from sizefloor.errors import MetadataUnavailable, OfflineMiss
from sizefloor.index.files import DistFile
from sizefloor.net.http import Http
from sizefloor.urls import redact

ERROR_SHARE = 0.5
"""How far an sdist's estimated installed size can be off, as a share of it."""

_SKIP_DIRS = frozenset(
    {"tests", "test", "testing", "docs", "doc", "examples", "benchmarks", ".github"}
)
_LICENSE_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")
_NATIVE_SOURCES = (".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f", ".f90")


@dataclass(frozen=True)
class SdistInfo:
    filename: str
    size: int
    requires_dist: tuple[str, ...]
    estimated_bytes: int
    estimated_files: int
    native: bool
    """The sdist carries C/C++/Cython/Rust sources: a build compiles extensions."""
    fetched: int = 0
    sources: tuple[int, ...] = ()
    """Sizes of the ``.py`` files the estimate counts (for modelled bytecode)."""
    directories: int = 1
    """Folders the installed package makes: its packages and the dist-info."""
    others: tuple[int, ...] = ()
    """Sizes of the other files the estimate counts: data files shipped in the
    packages, and the dist-info files a build writes (estimated)."""
    source_directories: int = 0
    """Package folders holding ``.py`` files (each gets a ``__pycache__``)."""

    @property
    def error_bytes(self) -> int:
        share = 1.0 if self.native else ERROR_SHARE
        return int(self.estimated_bytes * share)


def read_sdist(http: Http, cache: Cache, dist: DistFile) -> SdistInfo:
    """:func:`inspect_sdist`, through ``cache`` for files that are not on this machine."""
    if not dist.is_local:
        cached = cache.get("sdist", dist.cache_key)
        if isinstance(cached, SdistInfo):
            return cached
        if cache.offline:
            raise OfflineMiss(f"--offline: the cache has nothing on {dist.filename}.")
    info = inspect_sdist(http, dist)
    if not dist.is_local:
        cache.set("sdist", dist.cache_key, info)
    return info


DOWNLOAD_LIMIT = 1024**3
"""The largest sdist downloaded (it is read in memory): real ones are far smaller."""

EXPANDED_LIMIT = 16 * 1024**3
"""The most an sdist's files may add up to: a compression bomb stops here, not at the disk."""

METADATA_LIMIT = 32 * 1024**2
"""The largest ``PKG-INFO`` or ``requires.txt`` read."""


def inspect_sdist(http: Http, dist: DistFile) -> SdistInfo:
    """Download ``dist`` once and read what it says about itself."""
    response = http.get(
        dist.url,
        headers={"Accept-Encoding": "identity"},
        kind="files",
        max_bytes=DOWNLOAD_LIMIT,
    )
    if response.status_code != 200:
        raise MetadataUnavailable(
            f"{redact(dist.url)} answered {response.status_code}.",
            hint="The index lists an sdist its server does not serve.",
        )
    data = io.BytesIO(response.content)
    try:
        members = _members(data, dist.filename)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, UnicodeError) as exc:
        raise MetadataUnavailable(f"{dist.filename} cannot be opened: {exc}.") from exc
    size = data.seek(0, 2)
    return _read(dist.filename, size, members, len(response.content))


Members = dict[str, tuple[int, bytes | None]]
"""An sdist's files: name -> (size, content for the few metadata files)."""


def estimate_source_tree(filename: str, files: Mapping[str, int]) -> SdistInfo:
    """What building a project from its source files would install, estimated as for an
    sdist: ``files`` are paths under one top folder (``proj/pkg/__init__.py``, as an sdist
    lists them) with their sizes. Its ``requires_dist`` is empty: the caller knows it."""
    members: Members = {name: (size, None) for name, size in files.items()}
    return _read(filename, sum(files.values()), members, 0)


def _members(data: IO[bytes], filename: str) -> Members:
    """name -> (size, content for the few metadata files)."""
    wanted = ("PKG-INFO", "requires.txt")
    result: Members = {}
    data.seek(0)
    if filename.endswith(".zip"):
        with zipfile.ZipFile(data) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                reason = zipdir.check_member(
                    info.filename, info.compress_type, info.compress_size, info.file_size, None
                )
                is_wanted = info.filename.endswith(wanted)
                if reason is None and is_wanted and info.file_size > METADATA_LIMIT:
                    reason = f"declares {info.file_size:,} bytes of metadata"
                if reason is not None:
                    raise MetadataUnavailable(
                        f"{filename} cannot be read: member {info.filename!r} {reason}.",
                        hint="The index serves a damaged or hostile file; pin another version.",
                    )
                content = archive.read(info) if info.filename.endswith(wanted) else None
                result[info.filename] = (info.file_size, content)
        return result
    total = 0
    with tarfile.open(fileobj=data, mode="r:*") as archive:
        for member in archive:
            if not member.isfile():
                continue
            total += member.size
            content = None
            if member.name.endswith(wanted):
                extracted = archive.extractfile(member)
                content = extracted.read(METADATA_LIMIT + 1) if extracted else None
            if total > EXPANDED_LIMIT or (content is not None and len(content) > METADATA_LIMIT):
                raise MetadataUnavailable(
                    f"{filename} expands past what any real sdist holds ({member.name!r}): "
                    "refused.",
                    hint="The index serves a damaged or hostile file; pin another version.",
                )
            result[member.name] = (member.size, content)
    return result


def _read(filename: str, size: int, members: Members, fetched: int) -> SdistInfo:
    top = min((n.split("/", 1)[0] for n in members), default="")
    pkg_info = members.get(f"{top}/PKG-INFO", (0, None))[1]
    packaged = _Packaged.of(members)
    # the dist-info a build writes: METADATA (about PKG-INFO's size), WHEEL,
    # top_level.txt, RECORD (a row a file), INSTALLER, and the licenses, which
    # setuptools (77 and later, what an isolated build gets) puts in licenses/
    files = len(packaged.sources) + len(packaged.others)
    metadata = len(pkg_info) if pkg_info else 1000
    record = (files + 6 + len(packaged.licenses)) * 80
    others = [*packaged.others, metadata, 100, 20, record, 4, *packaged.licenses]
    return SdistInfo(
        filename,
        size,
        tuple(_requires(pkg_info, members)),
        sum(packaged.sources) + sum(others),
        len(packaged.sources) + len(others),
        packaged.native,
        fetched,
        tuple(packaged.sources),
        len(packaged.directories) + 1 + (1 if packaged.licenses else 0),
        tuple(others),
        len(packaged.source_directories),
    )


def _requires(pkg_info: bytes | None, members: Members) -> list[str]:
    """``Requires-Dist`` from PKG-INFO when it is reliable (Metadata 2.2 or later, not
    declared dynamic), else from ``*.egg-info/requires.txt``, else none."""
    if pkg_info:
        message = email.parser.BytesParser().parsebytes(pkg_info, headersonly=True)
        version = str(message.get("Metadata-Version", "1.0"))
        dynamic = {str(d).lower() for d in message.get_all("Dynamic") or []}
        if _version_tuple(version) >= (2, 2) and "requires-dist" not in dynamic:
            return [str(v) for v in message.get_all("Requires-Dist") or []]
    for name, (_, content) in members.items():
        if name.endswith(".egg-info/requires.txt") and content is not None:
            return _requires_txt(content.decode("utf-8", errors="replace"))
    return []


@dataclass
class _Packaged:
    """What a build would install of an sdist's files: its packages' files (top-level
    ``tests/``, ``docs/`` and the like left out), single modules beside ``setup.py``,
    and the licence files setuptools copies into the dist-info."""

    sources: list[int] = field(default_factory=list)
    others: list[int] = field(default_factory=list)
    licenses: list[int] = field(default_factory=list)
    directories: set[str] = field(default_factory=set)
    source_directories: set[str] = field(default_factory=set)
    native: bool = False

    @classmethod
    def of(cls, members: Members) -> _Packaged:
        packaged = cls()
        package_dirs = {posixpath.dirname(n) for n in members if n.endswith("/__init__.py")}
        for name, (member_size, _) in members.items():
            packaged._add(name, member_size, package_dirs)
        return packaged

    def _add(self, name: str, size: int, package_dirs: set[str]) -> None:
        parts = name.split("/")
        if name.endswith(_NATIVE_SOURCES):
            self.native = True
        if len(parts) == 2 and parts[1].upper().startswith(_LICENSE_NAMES):
            self.licenses.append(size)  # setuptools copies these into the dist-info
            return
        if len(parts) > 2 and parts[1] in _SKIP_DIRS:
            return  # a top-level tests/ or docs/ folder: not packaged
        directory = posixpath.dirname(name)
        in_package = any(directory == d or directory.startswith(d + "/") for d in package_dirs)
        single_module = len(parts) == 2 and name.endswith(".py") and parts[1] != "setup.py"
        if not (in_package or single_module):
            return
        if name.endswith(".py"):
            self.sources.append(size)
        else:
            self.others.append(size)
        if in_package:
            self.directories.add(directory)
            if name.endswith(".py"):
                self.source_directories.add(directory)


def _version_tuple(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in text.split("."))
    except ValueError:
        return (1, 0)


def _requires_txt(text: str) -> list[str]:
    """``requires.txt`` (setuptools) as ``Requires-Dist`` values."""
    result: list[str] = []
    extra = ""
    marker = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            extra, _, marker = section.partition(":")
            continue
        conditions = []
        if marker:
            conditions.append(f"({marker})")
        if extra:
            conditions.append(f'extra == "{extra}"')
        result.append(f"{line}; {' and '.join(conditions)}" if conditions else line)
    return result
