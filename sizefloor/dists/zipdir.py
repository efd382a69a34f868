"""Read a zip archive's central directory from its last bytes.

A wheel is a zip archive. Its member list, with every member's size, sits in
the *central directory* near the end of the file, so fetching the tail of a
wheel with an HTTP Range request is enough to size it. Everything here is a
pure function over ``bytes``: the caller does the fetching.

The flow::

    tail = fetch_last(n)                       # say n = 64 KiB
    found = locate_central_directory(tail, archive_size)
    if isinstance(found, int):                 # the tail was too short:
        tail = fetch_last(found)               # fetch that many bytes instead
        found = locate_central_directory(tail, archive_size)   # (rarely a 3rd call)
    cd = fetch(found.cd_offset, found.cd_size) # often already inside the tail
    members = parse_central_directory(cd, found)

The records are read as APPNOTE.TXT (PKWARE's zip specification) lays them
out; the layout of each is the ``struct`` format next to its signature. All
integers are little-endian. Multi-disk (spanned) archives are not supported.
Like :mod:`zipfile`, archives with bytes prepended (self-extracting archives,
``cat stub.bin x.zip``) are read by inferring the offset every recorded
position is off by (the *delta*) from where the records are actually found.
"""

from __future__ import annotations

import bisect
import posixpath
import stat
import struct
import zlib
from dataclasses import dataclass
from typing import NamedTuple

from sizefloor.errors import MetadataUnavailable

__all__ = [
    "MAX_TAIL",
    "READABLE_METHODS",
    "Member",
    "Tail",
    "ZipFormatError",
    "check_member",
    "check_members",
    "local_header_span",
    "locate_central_directory",
    "member_data",
    "parse_central_directory",
    "read_members",
]

# End of central directory record (APPNOTE 4.3.16), 22 bytes + comment:
# signature, number of this disk, disk where the central directory starts,
# entries on this disk, total entries, central directory size, central
# directory offset, comment length.
EOCD = struct.Struct("<4sHHHHIIH")
EOCD_SIG = b"PK\x05\x06"

# Zip64 end of central directory locator (4.3.15), 20 bytes, right before the
# EOCD: signature, disk with the zip64 EOCD record, its offset, total disks.
ZIP64_LOCATOR = struct.Struct("<4sIQI")
ZIP64_LOCATOR_SIG = b"PK\x06\x07"

# Zip64 end of central directory record (4.3.14), 56 bytes + extensible data:
# signature, size of the rest of the record (44 + extensible data), version
# made by, version needed, number of this disk, disk where the central
# directory starts, entries on this disk, total entries, central directory
# size, central directory offset.
ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")
ZIP64_EOCD_SIG = b"PK\x06\x06"

# Central directory file header (4.3.12), 46 bytes + name + extra + comment:
# signature, version made by, version needed, flags, method, time, date,
# crc-32, compressed size, uncompressed size, name length, extra length,
# comment length, disk number start, internal attributes, external
# attributes, local header offset.
CD_HEADER = struct.Struct("<4sHHHHHHIIIHHHHHII")
CD_HEADER_SIG = b"PK\x01\x02"

# Digital signature (4.3.13): may follow the last central directory header.
DIGITAL_SIGNATURE_SIG = b"PK\x05\x05"

# Local file header (4.3.7), 30 bytes + name + extra, then the data:
# signature, version needed, flags, method, time, date, crc-32, compressed
# size, uncompressed size, name length, extra length.
LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_HEADER_SIG = b"PK\x03\x04"

# Header ID of the zip64 extended information extra field (4.5.3).
ZIP64_EXTRA_ID = 0x0001
EXTRA_HEADER = struct.Struct("<HH")

MAX_COMMENT = 0xFFFF
MAX_EXTRA = 0xFFFF
"""The longest extra field a local header can carry (its length is 16 bits)."""

FLAG_ENCRYPTED = 0x1
FLAG_UTF8 = 0x800
"""General purpose bit 11: the name is UTF-8 (else it is cp437)."""

UNIX = 3
"""The "version made by" high byte of an archive written on Unix."""

STORED = 0
DEFLATED = 8


DEFLATE_MAX_RATIO = 1032
"""The most deflate can expand: a 258-byte match coded in two bits. A deflated member
declaring more than this many bytes per compressed byte cannot be what it says."""

DEFLATE_SLACK = 1032 * 16
"""Bytes allowed beyond the ratio for the smallest members (block headers and padding)."""


MAX_TAIL = EOCD.size + MAX_COMMENT + ZIP64_LOCATOR.size + ZIP64_EOCD.size
"""65633: a tail this long always holds the EOCD record, and the zip64 records
unless the zip64 EOCD record carries extensible data (which nobody writes)."""


class ZipFormatError(MetadataUnavailable, ValueError):
    """The bytes are not a zip archive this module can read, or are cut short.

    A :class:`~sizefloor.errors.MetadataUnavailable` (exit status 1, as when a wheel
    reader reports it), and still a :class:`ValueError` for callers that catch those."""


@dataclass(frozen=True)
class Tail:
    """Where the central directory is, learned from the archive's last bytes."""

    cd_offset: int
    """Absolute offset of the central directory in the archive."""
    cd_size: int
    entries: int
    """The entry count recorded in the (zip64) EOCD record."""
    eocd_offset: int
    """Absolute offset of the EOCD record, or of the zip64 EOCD record when present."""
    comment_length: int
    delta: int = 0
    """How far the offsets the archive records are off (bytes prepended to the zip)."""
    zip64: bool = False
    """``True`` when the figures come from a zip64 EOCD record."""


class Member(NamedTuple):
    """One central directory entry (a named tuple: a large wheel lists tens of thousands,
    and a frozen dataclass's ``__init__`` was a third of reading its directory)."""

    name: str
    """Decoded as UTF-8 when flag bit 11 is set, else as cp437 (as :mod:`zipfile` does)."""
    compressed_size: int
    file_size: int
    """The uncompressed size."""
    header_offset: int
    """Absolute offset of the member's local header (the delta added)."""
    method: int
    """0 stored, 8 deflate, ..."""
    crc32: int
    external_attr: int
    create_system: int
    """High byte of "version made by": 0 MS-DOS, 3 Unix, ..."""
    flags: int

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")

    @property
    def mode(self) -> int | None:
        """The Unix mode (type and permission bits), for archives made on Unix."""
        if self.create_system != UNIX:
            return None
        return self.external_attr >> 16

    @property
    def is_symlink(self) -> bool:
        mode = self.mode
        return mode is not None and stat.S_ISLNK(mode)

    @property
    def raw_name(self) -> bytes:
        """The name as the archive stores it."""
        return self.name.encode("utf-8" if self.flags & FLAG_UTF8 else "cp437")

    @property
    def raw_name_length(self) -> int:
        """How many bytes the name takes in the archive (an ASCII name: its length, without
        encoding it; cp437's codec is written in Python)."""
        name = self.name
        return len(name) if name.isascii() else len(self.raw_name)


def locate_central_directory(tail: bytes, archive_size: int) -> Tail | int:
    """Find the central directory from ``tail``, the last ``len(tail)`` bytes of the archive.

    Return a :class:`Tail`, or, when ``tail`` is too short to hold the EOCD
    record (with its comment) or the zip64 records, the number of bytes from
    the end of the archive to fetch instead before calling again. Raise
    :class:`ZipFormatError` for something that is not a zip archive.
    """
    if len(tail) > archive_size:
        raise ZipFormatError(f"{len(tail)} bytes of tail for an archive of {archive_size} bytes")
    if archive_size < EOCD.size:
        raise ZipFormatError(f"{archive_size} bytes is too small for a zip archive")
    start = archive_size - len(tail)  # absolute offset of tail[0]
    eocd_offset = _find_eocd(tail, start, archive_size)
    if eocd_offset is None:
        if len(tail) < min(archive_size, EOCD.size + MAX_COMMENT):
            return min(archive_size, MAX_TAIL)
        raise ZipFormatError("no end of central directory record: not a zip archive")
    fields = EOCD.unpack_from(tail, eocd_offset - start)
    _, disk, cd_disk, _, entries, cd_size, cd_offset, comment_length = fields

    # A zip64 locator sits right before the EOCD record. Ask for enough bytes to
    # see whether one is there and, in the usual case, read the record too.
    locator_offset = eocd_offset - ZIP64_LOCATOR.size
    saturated = cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF or 0xFFFF in (disk, cd_disk)
    zip64 = False
    if 0 <= locator_offset < start:
        return _more(archive_size, max(0, locator_offset - ZIP64_EOCD.size), len(tail))
    if locator_offset >= 0 and tail.startswith(ZIP64_LOCATOR_SIG, locator_offset - start):
        found = _read_zip64(tail, start, archive_size, locator_offset, required=saturated)
        if isinstance(found, int):
            return found
        if found is not None:
            eocd_offset, disk, cd_disk, entries, cd_size, cd_offset = found
            zip64 = True
    if saturated and not zip64:
        raise ZipFormatError("the EOCD record calls for zip64 records, and there are none")
    if disk != 0 or cd_disk != 0:
        raise ZipFormatError("zip archives spanning multiple disks are not supported")

    # The central directory ends where the (zip64) EOCD record begins. When the
    # recorded offset disagrees, bytes were prepended to the archive.
    real_cd_offset = eocd_offset - cd_size
    if real_cd_offset < 0:
        raise ZipFormatError(f"central directory size {cd_size} runs past the archive start")
    return Tail(
        cd_offset=real_cd_offset,
        cd_size=cd_size,
        entries=entries,
        eocd_offset=eocd_offset,
        comment_length=comment_length,
        delta=real_cd_offset - cd_offset,
        zip64=zip64,
    )


def _find_eocd(tail: bytes, start: int, archive_size: int) -> int | None:
    """The absolute offset of the last EOCD record whose comment ends the archive."""
    low = max(0, len(tail) - EOCD.size - MAX_COMMENT)
    i = len(tail) - EOCD.size
    while i >= low:
        i = tail.rfind(EOCD_SIG, low, i + len(EOCD_SIG))
        if i < 0:
            return None
        comment_length = EOCD.unpack_from(tail, i)[7]
        if start + i + EOCD.size + comment_length == archive_size:
            return start + i
        i -= 1
    return None


_Zip64Figures = tuple[int, int, int, int, int, int]


def _read_zip64(
    tail: bytes, start: int, archive_size: int, locator_offset: int, *, required: bool
) -> _Zip64Figures | int | None:
    """Read the zip64 EOCD record the locator at ``locator_offset`` points to.

    Return its absolute offset and figures (disk, cd disk, entries, cd size,
    cd offset), the number of bytes to fetch, or ``None`` when there is no
    such record and it is not ``required`` (the locator signature was a
    coincidence).
    """
    _, locator_disk, recorded, disks = ZIP64_LOCATOR.unpack_from(tail, locator_offset - start)
    if locator_disk != 0 or disks > 1:
        raise ZipFormatError("zip archives spanning multiple disks are not supported")
    # The record ends at the locator. It starts at `recorded`, unless bytes were
    # prepended to the archive: so look for a record that ends at the locator,
    # nearest first (it usually has no extensible data and is 56 bytes long).
    latest = locator_offset - ZIP64_EOCD.size  # where a record without extensible data starts
    if 0 <= latest < start:
        return _more(archive_size, latest, len(tail))
    end = latest - start + len(ZIP64_EOCD_SIG)
    while end >= len(ZIP64_EOCD_SIG) and (i := tail.rfind(ZIP64_EOCD_SIG, 0, end)) >= 0:
        _, size, _, _, disk, cd_disk, _, entries, cd_size, cd_offset = ZIP64_EOCD.unpack_from(
            tail, i
        )
        if start + i + 12 + size == locator_offset:  # 12: the signature and size fields
            return start + i, disk, cd_disk, entries, cd_size, cd_offset
        end = i - 1 + len(ZIP64_EOCD_SIG)
    if 0 <= recorded < start:
        return _more(archive_size, recorded, len(tail))
    if required:
        raise ZipFormatError("no zip64 end of central directory record before its locator")
    return None


def _more(archive_size: int, offset: int, have: int) -> int:
    """The byte count from the end of the archive needed to reach ``offset``."""
    need = archive_size - offset
    assert need > have, "asking for bytes already there"
    return need


def parse_central_directory(
    data: bytes, tail: Tail, *, delta: int | None = None
) -> tuple[Member, ...]:
    """The members listed by ``data``, the ``tail.cd_size`` bytes at ``tail.cd_offset``.

    Every local header offset is made absolute by adding ``delta`` (by
    default ``tail.delta``, the size of anything prepended to the archive).
    Bytes past ``tail.cd_size`` are ignored.
    """
    if delta is None:
        delta = tail.delta
    if len(data) < tail.cd_size:
        raise ZipFormatError(f"truncated central directory: {len(data)} of {tail.cd_size} bytes")
    # A large wheel lists tens of thousands of members: the loop reads ``data`` in
    # place up to ``end`` (no copy), with the header's unpacking bound to a local.
    end = tail.cd_size
    header_size = CD_HEADER.size
    unpack_header = CD_HEADER.unpack_from
    members: list[Member] = []
    pos = 0
    while pos < end:
        if data.startswith(DIGITAL_SIGNATURE_SIG, pos, end):
            break
        if pos + header_size > end:
            raise ZipFormatError(f"truncated central directory header at offset {pos}")
        (
            signature, made_by, _, flags, method, _, _, crc, compressed_size, file_size,
            name_length, extra_length, comment_length, _, _, external_attr, header_offset,
        ) = unpack_header(data, pos)  # fmt: skip
        if signature != CD_HEADER_SIG:
            raise ZipFormatError(f"bad central directory header signature at offset {pos}")
        name_start = pos + header_size
        extra_start = name_start + name_length
        pos = extra_start + extra_length + comment_length
        if pos > end:
            raise ZipFormatError(f"truncated central directory entry #{len(members)}")
        if extra_length:  # without extra fields there is no zip64 one
            file_size, compressed_size, header_offset = _zip64_extra(
                data[extra_start : extra_start + extra_length],
                file_size,
                compressed_size,
                header_offset,
            )
        if header_offset + delta < 0:
            raise ZipFormatError(f"local header offset {header_offset} before the archive start")
        raw_name = data[name_start:extra_start]
        # nearly every name is ASCII: the same text in UTF-8 and cp437, decoded at once
        name = raw_name.decode("ascii") if raw_name.isascii() else _member_name(raw_name, flags)
        members.append(
            Member(
                name,
                compressed_size,
                file_size,
                header_offset + delta,
                method,
                crc,
                external_attr,
                made_by >> 8,
                flags,
            )
        )
    _check_entry_count(len(members), tail)
    return tuple(members)


def _member_name(raw_name: bytes, flags: int) -> str:
    """A name that is not plain ASCII: UTF-8 when flag bit 11 says so, else cp437. (ASCII
    names, nearly all of them, are the same text either way: the loop that reads the
    directory decodes them as ASCII, many times quicker than cp437's codec, which is written
    in Python.)"""
    try:
        return raw_name.decode("utf-8" if flags & FLAG_UTF8 else "cp437")
    except UnicodeDecodeError:
        raise ZipFormatError(f"member name {raw_name!r} is not UTF-8") from None


READABLE_METHODS = frozenset({STORED, DEFLATED, 12, 14, 93})
"""What Python's zipfile (pip's reader) decompresses: stored, deflate, bzip2, lzma, and
zstandard (Python 3.14)."""


def check_member(
    name: str, method: int, compressed: int, size: int, room: int | None, flags: int = 0
) -> str | None:
    """What makes a member impossible to install as it is declared, as an installer would
    find it (``None``: nothing). ``room`` is how many bytes the archive has for its data
    (up to the next record), when known. Said as the end of a sentence naming the member."""
    if flags & FLAG_ENCRYPTED:
        return "is encrypted: pip cannot install it"
    if method not in READABLE_METHODS:
        return f"uses compression method {method}, which pip cannot read"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":" and name[0].isalpha()):
        return "has an absolute path: pip refuses to install outside its target"
    if ".." in name:  # without it, no normalised path can lead outside
        normal = posixpath.normpath(name)
        if normal == ".." or normal.startswith("../"):
            return "leads outside the install directory ('..'): pip refuses such a wheel"
    if method == STORED and compressed != size:
        return (
            f"is stored (not compressed) yet declares {size:,} bytes in {compressed:,}: "
            "a stored member's sizes are equal"
        )
    if method == DEFLATED and size > compressed * DEFLATE_MAX_RATIO + DEFLATE_SLACK:
        return (
            f"declares {size:,} bytes deflated into {compressed:,}: more than deflate's "
            f"{DEFLATE_MAX_RATIO}:1 can expand"
        )
    if room is not None and compressed > room:
        return (
            f"declares {compressed:,} compressed bytes where the archive has room for "
            f"{max(room, 0):,}"
        )
    return None


def check_members(members: tuple[Member, ...], cd_offset: int) -> None:
    """Raise :class:`ZipFormatError` for the first member :func:`check_member` refuses
    (its data has room up to the next local header, or the central directory)."""
    starts = sorted({m.header_offset for m in members} | {cd_offset})
    last = len(starts)
    seen: dict[int, str] = {}
    header = LOCAL_HEADER.size
    for member in members:
        name, offset = member.name, member.header_offset
        i = bisect.bisect_right(starts, offset)
        following = starts[i] if i < last else cd_offset
        room = following - offset - header - member.raw_name_length
        reason = check_member(
            name, member.method, member.compressed_size, member.file_size, room, member.flags
        )
        other = seen.setdefault(offset, name)
        if reason is None and other != name and not member.is_dir:
            reason = f"shares its data with {other!r} (overlapping entries: a zip bomb)"
        if reason is not None:
            raise ZipFormatError(f"member {name!r} {reason}")


def _check_entry_count(count: int, tail: Tail) -> None:
    """``count`` entries agree with the (zip64) EOCD record's figure. Without zip64, some
    writers record the count modulo 65536 or saturate it."""
    if tail.zip64:
        ok = count == tail.entries
    elif tail.entries == 0xFFFF:
        ok = count >= 0xFFFF
    else:
        ok = count % 0x10000 == tail.entries
    if not ok:
        raise ZipFormatError(
            f"the central directory lists {count} entries; the EOCD record says {tail.entries}"
        )


def _zip64_extra(
    extra: bytes, file_size: int, compressed_size: int, header_offset: int
) -> tuple[int, int, int]:
    """The sizes and offset, each replaced by its zip64 value when the header saturates it.

    The zip64 extra field holds, in this order, an 8-byte value for each of
    the uncompressed size, compressed size and local header offset that the
    header records as 0xFFFFFFFF (then a 4-byte disk number, unused here).
    Without a zip64 field, the values stand as they are.
    """
    pos = 0
    while pos + EXTRA_HEADER.size <= len(extra):
        header_id, size = EXTRA_HEADER.unpack_from(extra, pos)
        pos += EXTRA_HEADER.size
        if pos + size > len(extra):
            raise ZipFormatError("truncated extra field in a central directory header")
        if header_id == ZIP64_EXTRA_ID:
            values = [file_size, compressed_size, header_offset]
            field = pos
            for i, value in enumerate(values):
                if value == 0xFFFFFFFF:
                    if field + 8 > pos + size:
                        raise ZipFormatError(
                            "zip64 extra field too short for the values it replaces"
                        )
                    (values[i],) = struct.unpack_from("<Q", extra, field)
                    field += 8
            return values[0], values[1], values[2]
        pos += size
    return file_size, compressed_size, header_offset


def local_header_span(member: Member, next_offset: int | None) -> tuple[int, int]:
    """A byte range ``[start, end)`` sure to hold ``member``'s local header and data.

    The local extra field can differ from the central one, so the range allows
    for the longest one; ``next_offset`` (the next local header's offset, or
    the central directory's for the last member), when known, caps it.
    """
    start = member.header_offset
    end = start + LOCAL_HEADER.size + member.raw_name_length + MAX_EXTRA + member.compressed_size
    if next_offset is not None:
        end = min(end, next_offset)
    return start, max(start, end)


def member_data(chunk: bytes, chunk_start: int, member: Member) -> bytes:
    """The uncompressed content of ``member``, from archive bytes starting at ``chunk_start``.

    ``chunk`` must hold the member's local header and compressed data (see
    :func:`local_header_span`). The CRC-32 is checked.
    """
    pos = member.header_offset - chunk_start
    if pos < 0 or pos + LOCAL_HEADER.size > len(chunk):
        raise ZipFormatError(f"{member.name}: the chunk does not hold the local header")
    signature, *_, name_length, extra_length = LOCAL_HEADER.unpack_from(chunk, pos)
    if signature != LOCAL_HEADER_SIG:
        raise ZipFormatError(f"{member.name}: bad local header signature")
    name_start = pos + LOCAL_HEADER.size
    if chunk[name_start : name_start + name_length] != member.raw_name:
        raise ZipFormatError(f"{member.name}: the local header names another file")
    data_start = name_start + name_length + extra_length
    data = chunk[data_start : data_start + member.compressed_size]
    if len(data) < member.compressed_size:
        raise ZipFormatError(f"{member.name}: truncated data")
    if member.flags & FLAG_ENCRYPTED:
        raise ZipFormatError(f"{member.name}: encrypted")
    if member.method == STORED:
        content = data
    elif member.method == DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            # Inflate no more than the declared size (and one byte to notice more).
            content = inflater.decompress(data, member.file_size + 1)
        except zlib.error as e:
            raise ZipFormatError(f"{member.name}: corrupt deflate stream: {e}") from None
        if len(content) <= member.file_size and not inflater.eof:
            raise ZipFormatError(f"{member.name}: truncated deflate stream")
    else:
        raise ZipFormatError(f"{member.name}: unsupported compression method {member.method}")
    if len(content) != member.file_size:
        raise ZipFormatError(
            f"{member.name}: {len(content)} bytes where the directory says {member.file_size}"
        )
    if zlib.crc32(content) != member.crc32:
        raise ZipFormatError(f"{member.name}: CRC-32 mismatch")
    return content


HEAD_SLACK = 512
"""Compressed bytes :func:`head_span` adds beyond the head wanted (deflate's overhead)."""


def head_span(member: Member, head: int, next_offset: int | None) -> tuple[int, int]:
    """A byte range holding the member's local header and enough compressed data
    for its first ``head`` bytes (the local extra field can be up to 64 KiB, so
    the span is generous there too; it is clamped to the next record)."""
    start = member.header_offset
    end = start + LOCAL_HEADER.size + member.raw_name_length + 1024 + head + HEAD_SLACK
    end = min(
        end, start + LOCAL_HEADER.size + member.raw_name_length + 65535 + member.compressed_size
    )
    if next_offset is not None:
        end = min(end, next_offset)
    return start, end


def member_head(chunk: bytes, chunk_start: int, member: Member, head: int) -> bytes:
    """Up to the first ``head`` uncompressed bytes of ``member``, from archive
    bytes starting at ``chunk_start`` that hold its local header and at least the
    start of its data (no CRC check: the data is not all there)."""
    pos = member.header_offset - chunk_start
    if pos < 0 or pos + LOCAL_HEADER.size > len(chunk):
        raise ZipFormatError(f"{member.name}: the chunk does not hold the local header")
    signature, *_, name_length, extra_length = LOCAL_HEADER.unpack_from(chunk, pos)
    if signature != LOCAL_HEADER_SIG:
        raise ZipFormatError(f"{member.name}: bad local header signature")
    data_start = pos + LOCAL_HEADER.size + name_length + extra_length
    data = chunk[data_start : data_start + member.compressed_size]
    if member.flags & FLAG_ENCRYPTED:
        raise ZipFormatError(f"{member.name}: encrypted")
    if member.method == STORED:
        return data[:head]
    if member.method == DEFLATED:
        try:
            return zlib.decompressobj(-15).decompress(data, head)
        except zlib.error as e:
            raise ZipFormatError(f"{member.name}: corrupt deflate stream: {e}") from None
    raise ZipFormatError(f"{member.name}: unsupported compression method {member.method}")


def read_members(archive: bytes) -> tuple[Member, ...]:
    """The members of a whole archive held in memory."""
    tail = locate_central_directory(archive, len(archive))
    if isinstance(tail, int):  # cannot happen: the whole archive is there
        raise ZipFormatError("not a zip archive")
    return parse_central_directory(archive[tail.cd_offset : tail.cd_offset + tail.cd_size], tail)
