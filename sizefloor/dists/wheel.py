"""Wheel inspection: what is inside a wheel, read from its central directory.

:func:`inspect_wheel` learns every member's name and uncompressed size, plus
the few dist-info members sizing needs (``METADATA``, ``entry_points.txt``),
with as few bytes as possible:

1. one request for the archive's tail (the whole file when it is small);
2. when the central directory is larger than that tail, one more request for
   exactly the missing part (its extent is in the end record);
3. the dist-info members are usually inside the bytes already fetched (they
   are written last); otherwise the index's PEP 658 metadata file, or one
   more range request.

A server that ignores Range sends the whole file: it is streamed to a
temporary file once, read there, and the caller is told so.
"""

from __future__ import annotations

import bisect
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from sizefloor.cache import Cache
from sizefloor.dists import zipdir
from sizefloor.errors import MetadataUnavailable, OfflineMiss
from sizefloor.index.files import DistFile
from sizefloor.net.http import Http
from sizefloor.urls import redact

if TYPE_CHECKING:
    from sizefloor.dists.sdist import SdistInfo

TAIL_BYTES = 8 * 1024
"""The least of a wheel's end read first, for its central directory (and the dist-info
members sizing reads, which sit just before it)."""

TAIL_SHARE = 32
"""A larger wheel's first read is this fraction of it (1/32), up to :data:`TAIL_MOST`: a
240-package set's wheels took 354 requests with 8 KiB tails, 163 of them a second one for
the rest of a directory or for METADATA; 316 with these (1.1 MB more read, on 840 MB)."""

TAIL_MOST = 32 * 1024

WHOLE_FILE_BELOW = 2 * TAIL_BYTES
"""Wheels smaller than this are fetched whole: one request, nothing wasted."""


def _tail_bytes(size: int) -> int:
    """How much of the end of a ``size``-byte wheel to read first."""
    return max(TAIL_BYTES, min(TAIL_MOST, size // TAIL_SHARE))


SCRIPT_HEAD = 128
"""How much of a ``.data/scripts`` file is kept to see its ``#!python`` line."""

SCRIPT_WHOLE_BELOW = 16 * 1024

WANTED_CAP = 32 * 1024 * 1024
"""The largest ``METADATA`` or ``entry_points.txt`` read: a wheel declaring 64,000
requirements has 2 MB of them; one declaring more than this is refused."""
"""Scripts compressed larger than this are read only as far as their first line."""


@dataclass(frozen=True)
class WheelInfo:
    """What sizing needs to know about one wheel."""

    filename: str
    size: int
    """Bytes of the wheel file itself."""
    members: tuple[tuple[str, int], ...]
    """(name, uncompressed size) of every non-directory member, in archive order."""
    metadata: bytes
    entry_points: bytes | None
    script_heads: tuple[tuple[str, bytes], ...] = ()
    """The first bytes of each ``.data/scripts/`` member that was in reach."""
    fetched: int = 0
    """Bytes this inspection transferred (0 when it came from the cache)."""
    ranged: bool = True
    """False when the server ignored Range and the whole file was read."""
    compressed_sizes: tuple[int, ...] = ()
    """The compressed size of each of :attr:`members`, in the same order (empty
    when unknown): the bytecode model reads how well a module compresses."""

    def to_cache(self) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "size": self.size,
            "members": list(self.members),
            "compressed_sizes": list(self.compressed_sizes),
            "metadata": self.metadata,
            "entry_points": self.entry_points,
            "script_heads": list(self.script_heads),
            "ranged": self.ranged,
        }

    @classmethod
    def from_cache(cls, data: dict[str, Any]) -> WheelInfo:
        return cls(
            filename=data["filename"],
            size=data["size"],
            members=tuple((str(n), int(s)) for n, s in data["members"]),
            metadata=data["metadata"],
            entry_points=data["entry_points"],
            script_heads=tuple((str(n), bytes(h)) for n, h in data["script_heads"]),
            fetched=0,
            ranged=data.get("ranged", True),
            compressed_sizes=tuple(int(c) for c in data.get("compressed_sizes", ())),
        )

    def compressed_size(self) -> dict[str, int]:
        """Member name -> compressed size (a later duplicate wins; empty when unknown)."""
        if len(self.compressed_sizes) != len(self.members):
            return {}
        return {name: c for (name, _), c in zip(self.members, self.compressed_sizes, strict=True)}

    def requires_dist(self) -> list[str]:
        return metadata_requires(self.metadata)

    def dist_info(self) -> str:
        """The ``name-version.dist-info`` directory's name."""
        # the cheap test first: it is asked of every member (twice a wheel), and
        # the dist-info folder comes last
        for name, _ in self.members:
            if name.endswith(".dist-info/METADATA") and name.count("/") == 1:
                return name[: -len("/METADATA")]
        raise MetadataUnavailable(f"{self.filename} has no .dist-info/METADATA member.")


def metadata_headers(metadata: bytes, *names: str) -> dict[str, list[str]]:
    """The values of the named headers of a core metadata file (RFC 822 style:
    headers up to the first blank line, continuation lines folded in).

    A plain reading instead of :mod:`email.parser`, which is ten times slower
    and was a tenth of a warm run; ``tests/test_wheel_metadata.py`` checks the
    two agree.
    """
    wanted = {n.lower(): n for n in names}
    found: dict[str, list[str]] = {n: [] for n in names}
    text = metadata.decode("utf-8", errors="replace").replace("\r\n", "\n")
    header, _, _ = text.partition("\n\n")
    current: list[str] | None = None
    for line in header.split("\n"):
        if line[:1] in (" ", "\t"):
            if current:
                current[-1] = current[-1] + " " + line.strip()
            continue
        key, sep, value = line.partition(":")
        name = wanted.get(key.strip().lower()) if sep else None
        current = found[name] if name is not None else None
        if current is not None:
            current.append(value.strip())
    return found


def metadata_requires(metadata: bytes) -> list[str]:
    """The ``Requires-Dist`` values of a core metadata file."""
    return metadata_headers(metadata, "Requires-Dist")["Requires-Dist"]


def metadata_requires_python(metadata: bytes) -> str | None:
    values = metadata_headers(metadata, "Requires-Python")["Requires-Python"]
    return values[0] if values and values[0] else None


class WheelReader:
    """Inspects wheels through a shared :class:`Http` and :class:`Cache`."""

    def __init__(self, http: Http, cache: Cache, warn: Callable[[str], None] | None = None) -> None:
        self.http = http
        self.cache = cache
        self._warn = warn or (lambda message: None)
        self.keep_directories = False
        """Keep the central directories read (:meth:`directory` needs no new request)."""
        self.directories: dict[str, Directory] = {}

    def inspect_sdist(self, dist: DistFile) -> SdistInfo:
        """What an sdist says of itself (:mod:`sizefloor.dists.sdist`), through the cache."""
        # Imported here: sdists are rare, and reading one loads tarfile and email.parser.
        from sizefloor.dists import sdist

        return sdist.read_sdist(self.http, self.cache, dist)

    def inspect(self, dist: DistFile) -> WheelInfo:
        """What ``dist`` holds, from the cache (remote files) or its central directory."""
        if not dist.is_local:
            cached = self.cache.get("wheel", dist.cache_key)
            if isinstance(cached, dict):
                return WheelInfo.from_cache(cached)
            if self.cache.offline:
                raise OfflineMiss(
                    f"--offline: the cache has no central directory for {dist.filename}.",
                    hint="Run once without --offline to fill the cache.",
                )
        try:
            info = self._inspect_remote(dist)
        except zipdir.ZipFormatError as exc:
            raise MetadataUnavailable(
                f"{dist.filename} from {redact(dist.source)} is not a readable wheel: {exc}.",
                hint="pip could not install it either: the index serves a damaged or hostile "
                "file. Pin another version, or tell the index's maintainers.",
            ) from exc
        if not dist.is_local:
            self.cache.set("wheel", dist.cache_key, info.to_cache())
        return info

    # -- the fetching strategy --------------------------------------------

    def _inspect_remote(self, dist: DistFile) -> WheelInfo:
        size = dist.size if dist.size is not None else self._content_length(dist)
        if size is None or size <= WHOLE_FILE_BELOW:
            return self._whole(dist)
        found = self._fetch_directory(dist, size)
        if found is None:
            return self._whole(dist)
        if not isinstance(found, tuple):
            return self._from_whole_file(dist, found, ranged=False)
        buffer, directory = found
        if self.keep_directories:
            self.directories[dist.url] = directory
        read = self._wanted_contents(dist, buffer, directory)
        if read is None:
            return self._whole(dist)
        contents, fetched = read
        fetched += directory.fetched
        return _build_info(
            dist.filename, directory.size, directory.members, contents, fetched, ranged=True
        )

    def _wanted_contents(
        self, dist: DistFile, buffer: _Sparse, directory: Directory
    ) -> tuple[dict[str, bytes], int] | None:
        """The members sizing reads (METADATA, entry points, script heads) and the bytes
        it took to get them: from the bytes fetched already, else the index's metadata
        file, else one more range request. ``None`` when the server refused that range."""
        offsets = directory.offsets
        contents: dict[str, bytes] = {}
        missing: list[zipdir.Member] = []
        for member in _wanted_members(directory.members):
            span = self._span(member, offsets)
            if buffer.covers(*span):
                contents[member.name] = _read_member(buffer.slice(*span), span[0], member)
            else:
                missing.append(member)
        fetched = 0
        metadata_name = _metadata_member(directory.members)
        if dist.core_metadata and any(m.name == metadata_name for m in missing):
            response = self.http.get(dist.metadata_url, kind="metadata")
            if response.status_code == 200:
                contents[metadata_name or ""] = response.content
                fetched += len(response.content)
                missing = [m for m in missing if m.name != metadata_name]
        if missing:
            spans = [self._span(m, offsets) for m in missing]
            start, end = min(s for s, _ in spans), max(e for _, e in spans)
            more = self.http.get_range(dist.url, start, end)
            if more.status_code != 206:
                return None
            buffer.add(start, more.content)
            fetched += len(more.content)
            for member, span in zip(missing, spans, strict=False):
                contents[member.name] = _read_member(buffer.slice(*span), span[0], member)
        return contents, fetched

    def _fetch_directory(
        self, dist: DistFile, size: int
    ) -> tuple[_Sparse, Directory] | IO[bytes] | None:
        """The central directory of the ``size``-byte wheel and the bytes fetched
        for it; the whole file when the server sent it all, ``None`` when the
        server answered something else than 206 (read the whole file instead)."""
        fetched = 0
        tail_start = max(0, size - _tail_bytes(size))
        result = self.http.get_range(dist.url, tail_start, size)
        if result.whole is not None:
            return result.whole
        if result.total is not None and result.total != size:
            self._warn(
                f"the index lists {dist.filename} as {size:,} bytes; its server has "
                f"{result.total:,}: it is read as the server has it"
            )
            size = result.total
            tail_start = max(0, size - _tail_bytes(size))
            result = self.http.get_range(dist.url, tail_start, size)
        if result.status_code != 206:
            return None
        buffer = _Sparse()
        buffer.add(tail_start, result.content)
        fetched += len(result.content)
        while True:
            located = zipdir.locate_central_directory(buffer.tail(size), size)
            if isinstance(located, zipdir.Tail):
                break
            start = max(0, size - located)
            more = self.http.get_range(dist.url, start, buffer.start)
            if more.status_code != 206:
                return None
            buffer.add(start, more.content)
            fetched += len(more.content)
        tail = located
        if tail.cd_offset < buffer.start:
            more = self.http.get_range(dist.url, tail.cd_offset, buffer.start)
            if more.status_code != 206:
                return None
            buffer.add(tail.cd_offset, more.content)
            fetched += len(more.content)
        members = zipdir.parse_central_directory(
            buffer.slice(tail.cd_offset, tail.cd_offset + tail.cd_size), tail
        )
        zipdir.check_members(members, tail.cd_offset)
        return buffer, Directory(size, members, tail.cd_offset, fetched)

    def directory(self, dist: DistFile) -> Directory | None:
        """Where each member of a remote wheel is, from its central directory: the
        one :meth:`inspect` just read when :attr:`keep_directories` is on, else
        fetched again. ``None`` when ranges cannot be used (small wheels, servers
        that ignore Range): read the whole file then."""
        kept = self.directories.get(dist.url)
        if kept is not None:
            return kept
        size = dist.size if dist.size is not None else self._content_length(dist)
        if size is None or size <= WHOLE_FILE_BELOW:
            return None
        found = self._fetch_directory(dist, size)
        if isinstance(found, tuple):
            return found[1]
        if found is not None:
            found.close()
        return None

    @staticmethod
    def _span(member: zipdir.Member, offsets: list[int]) -> tuple[int, int]:
        following = _next_offset(offsets, member.header_offset)
        if _head_only(member):
            return zipdir.head_span(member, SCRIPT_HEAD, following)
        return zipdir.local_header_span(member, following)

    def _content_length(self, dist: DistFile) -> int | None:
        response = self.http.get(
            dist.url, headers={"Accept-Encoding": "identity"}, method="HEAD", kind="files"
        )
        length = response.headers.get("content-length")
        return int(length) if response.status_code == 200 and length and length.isdigit() else None

    def _whole(self, dist: DistFile) -> WheelInfo:
        """Read the whole file: small wheels, and servers that refuse Range."""
        result = self.http.get_range(dist.url, 0, dist.size or 1 << 62)
        if result.whole is not None:
            return self._from_whole_file(dist, result.whole, ranged=dist.size is None)
        if result.status_code == 206:
            return self._from_whole_file(dist, io.BytesIO(result.content), ranged=True)
        response = self.http.get(dist.url, headers={"Accept-Encoding": "identity"}, kind="files")
        if response.status_code != 200:
            raise MetadataUnavailable(
                f"{redact(dist.url)} answered {response.status_code}.",
                hint="The index lists a file its server does not serve.",
            )
        return self._from_whole_file(dist, io.BytesIO(response.content), ranged=False)

    def _from_whole_file(self, dist: DistFile, fileobj: IO[bytes], *, ranged: bool) -> WheelInfo:
        try:
            fileobj.seek(0, 2)
            size = fileobj.tell()
            fileobj.seek(0)
            archive = _open_zip(fileobj)
            with archive:
                _check_infos(archive.infolist(), archive.start_dir)
                infos = [i for i in archive.infolist() if not i.is_dir()]
                members = tuple((i.filename, i.file_size) for i in infos)
                compressed = tuple(i.compress_size for i in infos)
                names = [n for n, _ in members]
                contents = {
                    name: _read_local(archive, name) for name in names if _is_wanted(name, names)
                }
        finally:
            fileobj.close()
        if not ranged:
            self._warn(
                f"the server of {dist.filename} ignores Range requests: read the whole "
                f"file ({size:,} bytes) instead of its central directory"
            )
        return _info_from(dist.filename, size, members, contents, size, ranged, compressed)


@dataclass(frozen=True)
class Directory:
    """A wheel's central directory: where each member's bytes are."""

    size: int
    """Bytes of the wheel file."""
    members: tuple[zipdir.Member, ...]
    cd_offset: int
    fetched: int = 0
    """Bytes transferred to read it."""

    @property
    def offsets(self) -> list[int]:
        """Every local header's offset, sorted, then the central directory's."""
        return [*sorted(m.header_offset for m in self.members), self.cd_offset]

    def span(self, member: zipdir.Member, offsets: list[int]) -> tuple[int, int]:
        """The bytes holding ``member``'s local header and data (``offsets``:
        :attr:`offsets`, computed once)."""
        return zipdir.local_header_span(member, _next_offset(offsets, member.header_offset))


class _Sparse:
    """Fetched pieces of the archive, merged where they touch."""

    def __init__(self) -> None:
        self.pieces: list[tuple[int, bytes]] = []

    def add(self, start: int, data: bytes) -> None:
        pieces = [*self.pieces, (start, data)]
        pieces.sort(key=lambda p: p[0])
        merged: list[tuple[int, bytes]] = []
        for p_start, p_data in pieces:
            if merged and p_start <= merged[-1][0] + len(merged[-1][1]):
                m_start, m_data = merged[-1]
                overlap = m_start + len(m_data) - p_start
                merged[-1] = (m_start, m_data + p_data[overlap:])
            else:
                merged.append((p_start, p_data))
        self.pieces = merged

    @property
    def start(self) -> int:
        """Where the piece that reaches the end of the archive begins."""
        return self.pieces[-1][0]

    def _piece(self, start: int, end: int) -> tuple[int, bytes] | None:
        for p_start, p_data in self.pieces:
            if p_start <= start and end <= p_start + len(p_data):
                return p_start, p_data
        return None

    def covers(self, start: int, end: int) -> bool:
        return self._piece(start, end) is not None

    def slice(self, start: int, end: int) -> bytes:
        piece = self._piece(start, end)
        if piece is None:  # the server sent fewer bytes than were asked for
            raise zipdir.ZipFormatError(f"the server did not send bytes {start}-{end}")
        return piece[1][start - piece[0] : end - piece[0]]

    def tail(self, size: int) -> bytes:
        p_start, p_data = self.pieces[-1]
        if p_start + len(p_data) != size:  # a short answer, or a size that is not the file's
            raise zipdir.ZipFormatError("the bytes the server sent do not reach the file's end")
        return p_data


def _open_zip(fileobj: IO[bytes]) -> zipfile.ZipFile:
    """The whole archive, opened; a member name that is not what its flag says (UTF-8)
    is named, as the central directory reader names it."""
    try:
        return zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile as exc:
        raise zipdir.ZipFormatError(str(exc)) from exc
    except UnicodeDecodeError as exc:
        raw = exc.object[:200] if isinstance(exc.object, bytes) else b""
        raise zipdir.ZipFormatError(f"member name {raw!r} is not UTF-8") from None


def _check_infos(infos: list[zipfile.ZipInfo], cd_offset: int) -> None:
    """:func:`zipdir.check_member` for every member of a whole archive."""
    starts = sorted({i.header_offset for i in infos} | {cd_offset})
    seen: dict[int, str] = {}
    for info in infos:
        # an upper bound on the room for its data: up to the next record, less its header
        at = bisect.bisect_right(starts, info.header_offset)
        following = starts[at] if at < len(starts) else cd_offset
        room = following - info.header_offset - zipdir.LOCAL_HEADER.size
        reason = zipdir.check_member(
            info.orig_filename,
            info.compress_type,
            info.compress_size,
            info.file_size,
            room,
            info.flag_bits,
        )
        other = seen.setdefault(info.header_offset, info.orig_filename)
        if reason is None and other != info.orig_filename and not info.is_dir():
            reason = f"shares its data with {other!r} (overlapping entries: a zip bomb)"
        if reason is not None:
            raise zipdir.ZipFormatError(f"member {info.orig_filename!r} {reason}")


def _read_local(archive: zipfile.ZipFile, name: str) -> bytes:
    """A wanted member of a whole wheel: scripts only as far as their first line."""
    _check_wanted(name, archive.getinfo(name).file_size)
    if "/scripts/" in name:
        with archive.open(name) as f:
            return f.read(SCRIPT_HEAD)
    return archive.read(name)


def _read_member(chunk: bytes, chunk_start: int, member: zipdir.Member) -> bytes:
    if _head_only(member):
        return zipdir.member_head(chunk, chunk_start, member, SCRIPT_HEAD)
    return zipdir.member_data(chunk, chunk_start, member)


def _next_offset(offsets: list[int], offset: int) -> int | None:
    i = bisect.bisect_right(offsets, offset)
    return offsets[i] if i < len(offsets) else None


def _metadata_member(members: tuple[zipdir.Member, ...]) -> str | None:
    for m in members:
        # the cheap test first: a wheel can have tens of thousands of members
        if m.name.endswith(".dist-info/METADATA") and m.name.count("/") == 1:
            return m.name
    return None


def _is_wanted(name: str, names: list[str]) -> bool:
    # Every wanted name has one of these in it, and most members have neither:
    # they are passed over without splitting their names.
    if ".dist-info/" not in name and ".data/scripts/" not in name:
        return False
    parts = name.split("/")
    if len(parts) == 2 and parts[0].endswith(".dist-info"):
        return parts[1] in ("METADATA", "entry_points.txt")
    return len(parts) == 3 and parts[0].endswith(".data") and parts[1] == "scripts"


def _wanted_members(members: tuple[zipdir.Member, ...]) -> list[zipdir.Member]:
    names = [m.name for m in members]
    wanted = [m for m in members if _is_wanted(m.name, names) and not m.is_dir]
    for member in wanted:
        _check_wanted(member.name, member.file_size)
    return wanted


def _check_wanted(name: str, size: int) -> None:
    if "/scripts/" not in name and size > WANTED_CAP:
        raise zipdir.ZipFormatError(
            f"member {name!r} declares {size:,} bytes, more than {WANTED_CAP >> 20} MiB: "
            "no real wheel's metadata is that large"
        )


def _head_only(member: zipdir.Member) -> bool:
    """A ``.data/scripts`` file too large to fetch whole: its first line is all
    sizing needs (a native binary shipped as a script can be megabytes)."""
    return "/scripts/" in member.name and member.compressed_size > SCRIPT_WHOLE_BELOW


def _build_info(
    filename: str,
    size: int,
    members: tuple[zipdir.Member, ...],
    contents: dict[str, bytes],
    fetched: int,
    *,
    ranged: bool,
) -> WheelInfo:
    files = [m for m in members if not m.is_dir]
    pairs = tuple((m.name, m.file_size) for m in files)
    compressed = tuple(m.compressed_size for m in files)
    return _info_from(filename, size, pairs, contents, fetched, ranged, compressed)


def _info_from(
    filename: str,
    size: int,
    members: tuple[tuple[str, int], ...],
    contents: dict[str, bytes],
    fetched: int,
    ranged: bool,
    compressed: tuple[int, ...] = (),
) -> WheelInfo:
    metadata = b""
    entry_points: bytes | None = None
    heads: list[tuple[str, bytes]] = []
    for name, data in contents.items():
        parts = name.split("/")
        if len(parts) == 2 and parts[1] == "METADATA":
            metadata = data
        elif len(parts) == 2 and parts[1] == "entry_points.txt":
            entry_points = data
        elif len(parts) == 3 and parts[1] == "scripts":
            heads.append((name, data[:SCRIPT_HEAD]))
    if not metadata:
        raise MetadataUnavailable(f"{filename} has no .dist-info/METADATA member.")
    return WheelInfo(
        filename=filename,
        size=size,
        members=members,
        metadata=metadata,
        entry_points=entry_points,
        script_heads=tuple(sorted(heads)),
        fetched=fetched,
        ranged=ranged,
        compressed_sizes=compressed,
    )
