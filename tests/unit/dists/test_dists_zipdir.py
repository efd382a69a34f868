"""Tests for sizefloor.dists.zipdir, with :mod:`zipfile` as the oracle."""

from __future__ import annotations

import io
import itertools
import random
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from sizefloor.dists.zipdir import (
    MAX_TAIL,
    Member,
    Tail,
    ZipFormatError,
    local_header_span,
    locate_central_directory,
    member_data,
    parse_central_directory,
    read_members,
)

# ---------------------------------------------------------------------------
# Helpers


def build(
    path: Path,
    files: Iterable[tuple[str | zipfile.ZipInfo, bytes]],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
    comment: bytes = b"",
    force_zip64: bool = False,
) -> bytes:
    """Write an archive with zipfile and return its bytes."""
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in files:
            if force_zip64:
                info = name if isinstance(name, zipfile.ZipInfo) else zipfile.ZipInfo(name)
                info.compress_type = compression
                with zf.open(info, "w", force_zip64=True) as f:
                    f.write(data)
            else:
                zf.writestr(name, data)
        zf.comment = comment
    return path.read_bytes()


def fetch_members(archive: bytes, first: int = 22) -> tuple[Tail, tuple[Member, ...], int]:
    """Size ``archive`` the way a remote caller does: tail first, more on demand.

    Returns the tail, the members and how many tail fetches it took.
    """
    size = len(archive)
    want = min(first, size)
    calls = 0
    while True:
        calls += 1
        found = locate_central_directory(archive[size - want :], size)
        if isinstance(found, Tail):
            break
        assert want < found <= size, (want, found, size)
        want = found
        assert calls < 4
    cd = archive[found.cd_offset : found.cd_offset + found.cd_size]
    return found, parse_central_directory(cd, found), calls


def assert_matches(members: tuple[Member, ...], source: str | Path | io.BytesIO) -> None:
    """Every field agrees with what zipfile reads from ``source``."""
    with zipfile.ZipFile(source) as zf:
        infos = zf.infolist()
    assert len(members) == len(infos)
    for m, zi in zip(members, infos, strict=True):
        assert m.name == zi.filename
        assert m.file_size == zi.file_size
        assert m.compressed_size == zi.compress_size
        assert m.header_offset == zi.header_offset
        assert m.crc32 == zi.CRC
        assert m.external_attr == zi.external_attr
        assert m.method == zi.compress_type
        assert m.create_system == zi.create_system
        assert m.flags == zi.flag_bits
        assert m.is_dir == zi.is_dir()


def spans(members: tuple[Member, ...], cd_offset: int) -> Iterator[tuple[Member, int, int]]:
    """Each member with the local header span its neighbours bound."""
    offsets = sorted({m.header_offset for m in members} | {cd_offset})
    following = dict(itertools.pairwise(offsets))
    for m in members:
        start, end = local_header_span(m, following[m.header_offset])
        yield m, start, end


def craft(
    path: Path,
    files: list[tuple[bytes, bytes]],
    *,
    zip64: bool = False,
    gap: int = 0,
    prefix: bytes = b"",
    extensible: bytes = b"",
    comment: bytes = b"",
) -> None:
    """Write a stored-member archive by hand, for what zipfile will not write quickly.

    ``zip64``: every central header saturates both sizes and the offset and
    carries them in a zip64 extra field; the zip64 EOCD record (with
    ``extensible`` data) and locator are written. ``gap``: a (sparse) hole of
    that many bytes after the first member. ``prefix``: bytes before the
    archive, which the recorded offsets do not count.
    """
    unix_file = 0o100644 << 16
    made_by = (3 << 8) | 45  # Unix, zip 4.5
    with path.open("wb") as f:
        f.write(prefix)
        base = len(prefix)
        central = io.BytesIO()
        for index, (name, data) in enumerate(files):
            offset = f.tell() - base
            crc, n = zlib.crc32(data), len(data)
            local = (b"PK\x03\x04", 45, 0, 0, 0, 33, crc, n, n, len(name), 0)
            f.write(struct.pack("<4sHHHHHIIIHH", *local) + name + data)
            if index == 0 and gap:
                f.seek(gap, io.SEEK_CUR)
            if zip64:
                extra = struct.pack("<HHQQQ", 1, 24, n, n, offset)
                csize = usize = loffset = 0xFFFFFFFF
            else:
                extra, csize, usize, loffset = b"", n, n, offset
            header = (b"PK\x01\x02", made_by, 45, 0, 0, 0, 33, crc, csize, usize)
            lengths = (len(name), len(extra), 0)
            rest = (0, 0, unix_file, loffset)
            central.write(struct.pack("<4sHHHHHHIIIHHHHHII", *header, *lengths, *rest))
            central.write(name + extra)
        cd = central.getvalue()
        cd_offset = f.tell() - base
        f.write(cd)
        count = len(files)
        if zip64:
            z64_offset = f.tell() - base
            z64 = (b"PK\x06\x06", 44 + len(extensible), made_by, 45, 0, 0, count, count)
            f.write(struct.pack("<4sQHHIIQQQQ", *z64, len(cd), cd_offset) + extensible)
            f.write(struct.pack("<4sIQI", b"PK\x06\x07", 0, z64_offset, 1))
            cd_offset = 0xFFFFFFFF
        entries = min(count, 0xFFFF)
        eocd = (b"PK\x05\x06", 0, 0, entries, entries, len(cd), cd_offset, len(comment))
        f.write(struct.pack("<4sHHHHIIH", *eocd) + comment)


# ---------------------------------------------------------------------------
# Small archives


@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_small_archive(tmp_path: Path, compression: int) -> None:
    files = [
        ("pkg/__init__.py", b""),
        ("pkg/mod.py", b"print('hello')\n" * 100),
        ("pkg/data/", b""),
        ("pkg-1.0.dist-info/RECORD", b"pkg/mod.py,,\n"),
    ]
    archive = build(tmp_path / "a.whl", files, compression=compression)
    tail, members, calls = fetch_members(archive, first=64 * 1024)
    assert calls == 1
    assert tail.entries == 4 and tail.delta == 0 and not tail.zip64
    assert tail.eocd_offset == len(archive) - 22
    assert tail.comment_length == 0
    assert_matches(members, tmp_path / "a.whl")
    assert read_members(archive) == members
    assert [m.file_size for m in members] == [len(d) for _, d in files]
    assert members[2].is_dir and not members[1].is_dir


def test_empty_archive(tmp_path: Path) -> None:
    archive = build(tmp_path / "empty.zip", [])
    assert len(archive) == 22
    tail = locate_central_directory(archive, 22)
    assert tail == Tail(cd_offset=0, cd_size=0, entries=0, eocd_offset=0, comment_length=0)
    assert parse_central_directory(b"", tail) == ()


def test_needs_bytes_before_the_eocd_to_rule_out_zip64(tmp_path: Path) -> None:
    archive = build(tmp_path / "a.zip", [("a", b"x")])
    found = locate_central_directory(archive[-22:], len(archive))
    assert found == 22 + 20 + 56
    _, members, calls = fetch_members(archive)
    assert calls == 2
    assert_matches(members, tmp_path / "a.zip")


# ---------------------------------------------------------------------------
# Comments


def test_longest_comment(tmp_path: Path) -> None:
    comment = bytes(random.Random(1).randrange(256) for _ in range(65535))
    archive = build(tmp_path / "c.zip", [("a.txt", b"abc"), ("b.txt", b"")], comment=comment)
    # 22 bytes cannot hold the EOCD with its comment: the answer is the largest
    # span the EOCD (and zip64) records can need, and it is enough.
    found = locate_central_directory(archive[-22:], len(archive))
    assert found == MAX_TAIL == 22 + 65535 + 20 + 56
    tail = locate_central_directory(archive[-found:], len(archive))
    assert isinstance(tail, Tail)
    assert tail.comment_length == 65535
    assert tail.eocd_offset == len(archive) - 22 - 65535
    # Less than the largest span still asks for it.
    assert locate_central_directory(archive[-60000:], len(archive)) == MAX_TAIL
    _, members, _ = fetch_members(archive)
    assert_matches(members, tmp_path / "c.zip")


def test_comment_that_looks_like_an_eocd(tmp_path: Path) -> None:
    # A signature inside the comment whose comment length does not reach the
    # end of the archive is not the EOCD record. (zipfile 3.11 takes the last
    # signature it sees without that check, and finds no members here.)
    fake = b"PK\x05\x06" + b"\x00" * 16 + b"\x05\x00"
    plain = build(tmp_path / "plain.zip", [("a", b"1")])
    archive = build(tmp_path / "c.zip", [("a", b"1")], comment=fake + b"tail")
    tail, members, _ = fetch_members(archive, first=1000)
    assert tail.comment_length == len(fake) + 4
    assert tail.eocd_offset == len(plain) - 22
    assert members == read_members(plain)
    assert_matches(members, tmp_path / "plain.zip")


def test_short_archive_asks_for_all_of_it(tmp_path: Path) -> None:
    archive = build(tmp_path / "c.zip", [("a", b"1")], comment=b"x" * 100)
    assert locate_central_directory(archive[-30:], len(archive)) == len(archive)


# ---------------------------------------------------------------------------
# Names and attributes


def test_utf8_and_cp437_names(tmp_path: Path) -> None:
    # zipfile writes non-ASCII names as UTF-8 with flag bit 11; write a cp437
    # name by swapping an ASCII placeholder of the same length for its bytes.
    archive = build(
        tmp_path / "n.zip",
        [("snowman-\u2603.txt", b"s"), ("cafX-menu.txt", b"c"), ("\u00e9t\u00e9/", b"")],
    )
    assert archive.count(b"cafX-menu.txt") == 2
    archive = archive.replace(b"cafX-menu.txt", b"caf\x82-menu.txt")
    (tmp_path / "n.zip").write_bytes(archive)
    members = read_members(archive)
    assert_matches(members, tmp_path / "n.zip")
    assert [m.name for m in members] == [
        "snowman-\u2603.txt",
        "caf\u00e9-menu.txt",
        "\u00e9t\u00e9/",
    ]
    assert members[0].flags & 0x800 and not members[1].flags & 0x800
    assert members[1].raw_name == b"caf\x82-menu.txt"
    with zipfile.ZipFile(tmp_path / "n.zip") as zf:
        for m, start, end in spans(members, len(archive)):
            assert member_data(archive[start:end], start, m) == zf.read(m.name)


def test_symlink_and_modes(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("pkg/link")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    script = zipfile.ZipInfo("pkg/run.sh")
    script.create_system = 3
    script.external_attr = 0o100755 << 16
    dos = zipfile.ZipInfo("pkg/dos.txt")
    dos.create_system = 0
    dos.external_attr = 0x20
    archive = build(tmp_path / "l.zip", [(link, b"run.sh"), (script, b"#!/bin/sh\n"), (dos, b"x")])
    members = read_members(archive)
    assert_matches(members, tmp_path / "l.zip")
    assert members[0].is_symlink
    assert members[0].mode == 0o120777
    assert members[1].mode is not None and stat.S_ISREG(members[1].mode)
    assert members[1].mode & 0o777 == 0o755 and not members[1].is_symlink
    assert members[2].mode is None and not members[2].is_symlink


# ---------------------------------------------------------------------------
# Zip64


def test_force_zip64_members(tmp_path: Path) -> None:
    files = [(f"m{i}.bin", bytes(range(256)) * i) for i in range(5)]
    archive = build(tmp_path / "z.zip", files, force_zip64=True)
    _, members, _ = fetch_members(archive)
    assert_matches(members, tmp_path / "z.zip")
    with zipfile.ZipFile(tmp_path / "z.zip") as zf:
        for m, start, end in spans(members, len(archive)):
            assert member_data(archive[start:end], start, m) == zf.read(m.name)


@pytest.fixture(scope="module")
def many_entries(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """65536 empty members: the EOCD count saturates and zip64 records are written."""
    path = tmp_path_factory.mktemp("many") / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("x")
        for i in range(65536):
            info.filename = info.orig_filename = f"{i:x}"
            zf.writestr(info, b"")
    return path, path.read_bytes()


@pytest.mark.slow
def test_more_than_65535_entries(many_entries: tuple[Path, bytes]) -> None:
    path, archive = many_entries
    assert archive[-22 + 8 : -22 + 12] == b"\xff\xff\xff\xff"  # both EOCD counts saturated
    tail, members, calls = fetch_members(archive)
    assert calls == 2
    assert tail.zip64 and tail.entries == 65536 and tail.delta == 0
    assert tail.eocd_offset == len(archive) - 22 - 20 - 56
    assert tail.cd_offset + tail.cd_size == tail.eocd_offset
    assert len(members) == 65536
    assert_matches(members, path)


def test_tail_with_locator_but_not_zip64_record(many_entries: tuple[Path, bytes]) -> None:
    _, archive = many_entries
    size = len(archive)
    for have in (22, 22 + 20, 22 + 20 + 55):
        found = locate_central_directory(archive[-have:], size)
        assert found == 22 + 20 + 56
        tail = locate_central_directory(archive[-found:], size)
        assert isinstance(tail, Tail) and tail.entries == 65536


@pytest.mark.slow
def test_65535_entries_without_zip64(tmp_path: Path) -> None:
    # zipfile writes 65535 entries (0xFFFF) without zip64 records.
    path = tmp_path / "f.zip"
    craft(path, [(b"%x" % i, b"") for i in range(65535)])
    archive = path.read_bytes()
    tail, members, _ = fetch_members(archive)
    assert not tail.zip64 and tail.entries == 0xFFFF
    assert_matches(members, path)


def test_zip64_central_headers_beyond_4gib(tmp_path: Path) -> None:
    # A sparse hole puts the second member and the central directory past 4 GiB,
    # so central headers carry zip64 extra fields and the EOCD offset saturates.
    path = tmp_path / "big.zip"
    files = [(b"first.txt", b"one"), (b"second.txt", b"two" * 50)]
    craft(path, files, zip64=True, gap=5 << 30)
    size = path.stat().st_size
    assert size > 5 << 30
    with path.open("rb") as f:

        def read(start: int, end: int) -> bytes:
            f.seek(start)
            return f.read(end - start)

        want = 22
        while isinstance(found := locate_central_directory(read(size - want, size), size), int):
            want = found
        assert found.zip64 and found.cd_offset > 0xFFFFFFFF and found.delta == 0
        members = parse_central_directory(
            read(found.cd_offset, found.cd_offset + found.cd_size), found
        )
        assert members[1].header_offset > 0xFFFFFFFF
        assert_matches(members, path)
        for m, start, end in spans(members, found.cd_offset):
            assert member_data(read(start, end), start, m) == dict(files)[m.raw_name]
    path.unlink()  # sparse, but pytest keeps recent temporary directories


def test_zip64_extensible_data(tmp_path: Path) -> None:
    # zipfile assumes the zip64 EOCD record has no extensible data: no oracle.
    path = tmp_path / "ext.zip"
    files = [(b"a", b"alpha"), (b"b", b"beta")]
    craft(path, files, zip64=True, extensible=b"\x99\x99" + b"PK\x06\x06" * 10)
    archive = path.read_bytes()
    tail, members, calls = fetch_members(archive)
    assert calls == 3  # EOCD, then 56 bytes before the locator, then the record
    assert tail.zip64 and tail.delta == 0 and tail.entries == 2
    assert [(m.name, m.file_size) for m in members] == [("a", 5), ("b", 4)]
    prefixed = b"MZ" * 1000 + archive
    tail, members, _ = fetch_members(prefixed)
    assert tail.delta == 2000
    for m, start, end in spans(members, tail.cd_offset):
        assert member_data(prefixed[start:end], start, m) == dict(files)[m.raw_name]


# ---------------------------------------------------------------------------
# Large central directory


def test_central_directory_over_1_mib(tmp_path: Path) -> None:
    path = tmp_path / "big-cd.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("x")
        for i in range(20000):
            info.filename = info.orig_filename = (
                f"package/subpackage/module_{i:06d}_with_a_long_name.py"
            )
            zf.writestr(info, b"")
    archive = path.read_bytes()
    tail, members, calls = fetch_members(archive, first=64 * 1024)
    assert calls == 1
    assert tail.cd_size > 1 << 20
    assert tail.cd_offset < len(archive) - 64 * 1024  # the directory is fetched separately
    assert_matches(members, path)


# ---------------------------------------------------------------------------
# Prepended data


def test_concatenated_stub(tmp_path: Path) -> None:
    inner = build(tmp_path / "inner.zip", [("a.txt", b"A" * 1000), ("b/", b""), ("c", b"c")])
    stub = b"#!/bin/sh\nexec something\n" + bytes(5000)
    archive = stub + inner
    (tmp_path / "sfx.zip").write_bytes(archive)
    tail, members, _ = fetch_members(archive)
    inner_tail = locate_central_directory(inner, len(inner))
    assert isinstance(inner_tail, Tail)
    assert tail.delta == len(stub)
    assert tail.cd_offset == len(stub) + inner_tail.cd_offset
    assert tail.eocd_offset == len(stub) + inner_tail.eocd_offset
    assert_matches(members, tmp_path / "sfx.zip")
    with zipfile.ZipFile(tmp_path / "sfx.zip") as zf:
        for m, start, end in spans(members, tail.cd_offset):
            assert member_data(archive[start:end], start, m) == zf.read(m.name)
    # An explicit delta overrides the inferred one.
    cd = archive[tail.cd_offset : tail.cd_offset + tail.cd_size]
    assert parse_central_directory(cd, tail, delta=0)[0].header_offset == 0


def test_appended_by_zipfile(tmp_path: Path) -> None:
    # zipfile's "a" mode on a file that is not a zip appends an archive to it.
    path = tmp_path / "sfx.bin"
    path.write_bytes(b"\x7fELF" + bytes(3000))
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("x.txt", b"hello" * 10)
    archive = path.read_bytes()
    _, members, _ = fetch_members(archive)
    assert_matches(members, path)
    m, start, end = next(spans(members, len(archive)))
    assert member_data(archive[start:end], start, m) == b"hello" * 10


def test_prepended_zip64(tmp_path: Path) -> None:
    path = tmp_path / "sfx.zip"
    files = [(b"a", b"alpha"), (b"dir/b", b"beta" * 100)]
    craft(path, files, zip64=True, prefix=b"stub" * 100)
    archive = path.read_bytes()
    tail, members, _ = fetch_members(archive)
    assert tail.zip64 and tail.delta == 400
    assert tail.eocd_offset == len(archive) - 22 - 20 - 56
    assert_matches(members, path)
    for m, start, end in spans(members, tail.cd_offset):
        assert member_data(archive[start:end], start, m) == dict(files)[m.raw_name]


# ---------------------------------------------------------------------------
# Errors


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x05\x06", b"not a zip at all", b"\x00" * 100_000, b"PK\x05\x06" * 30000],
)
def test_not_a_zip(data: bytes) -> None:
    with pytest.raises(ZipFormatError):
        locate_central_directory(data, len(data))
    with pytest.raises(ZipFormatError):
        read_members(data)


def test_tail_longer_than_archive() -> None:
    with pytest.raises(ZipFormatError):
        locate_central_directory(b"x" * 30, 20)


def test_truncated_archives(tmp_path: Path) -> None:
    archive = build(tmp_path / "t.zip", [("a", b"a" * 100), ("b", b"b" * 100)])
    with pytest.raises(ZipFormatError, match="end of central directory"):
        read_members(archive[:-1])  # the EOCD no longer reaches the end
    tail = locate_central_directory(archive, len(archive))
    assert isinstance(tail, Tail)
    cd = archive[tail.cd_offset : tail.cd_offset + tail.cd_size]
    for cut in (1, 10, 46, len(cd) - 1):
        with pytest.raises(ZipFormatError, match="truncated"):
            parse_central_directory(cd[:cut], tail)
    bad = b"PK\x01\x03" + cd[4:]
    with pytest.raises(ZipFormatError, match="signature"):
        parse_central_directory(bad, tail)
    with pytest.raises(ZipFormatError, match="entries"):
        parse_central_directory(cd, Tail(tail.cd_offset, tail.cd_size, 3, tail.eocd_offset, 0))
    # The central directory claims more than there is before the EOCD.
    broken = bytearray(archive)
    struct.pack_into("<I", broken, len(archive) - 22 + 12, len(archive))
    with pytest.raises(ZipFormatError):
        read_members(bytes(broken))


def test_saturated_eocd_without_zip64(tmp_path: Path) -> None:
    archive = bytearray(build(tmp_path / "s.zip", [("a", b"a")]))
    struct.pack_into("<I", archive, len(archive) - 22 + 16, 0xFFFFFFFF)
    with pytest.raises(ZipFormatError, match="zip64"):
        read_members(bytes(archive))


def test_bad_utf8_name(tmp_path: Path) -> None:
    archive = build(tmp_path / "u.zip", [("\u00e9", b"")])
    archive = archive.replace("\u00e9".encode(), b"\xff\xfe")
    with pytest.raises(ZipFormatError, match="UTF-8"):
        read_members(archive)


# ---------------------------------------------------------------------------
# Member data


def test_member_data_stored_and_deflated(tmp_path: Path) -> None:
    text = b"".join(b"line %d of some text\n" % i for i in range(5000))
    noise = random.Random(7).randbytes(10000)
    path = tmp_path / "d.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("deflated.txt", text, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("stored.bin", noise, compress_type=zipfile.ZIP_STORED)
        zf.writestr("empty", b"", compress_type=zipfile.ZIP_DEFLATED)
    archive = path.read_bytes()
    tail, members, _ = fetch_members(archive)
    assert [m.method for m in members] == [8, 0, 8]
    assert members[0].compressed_size < members[0].file_size
    expected = {"deflated.txt": text, "stored.bin": noise, "empty": b""}
    for m, start, end in spans(members, tail.cd_offset):
        assert member_data(archive[start:end], start, m) == expected[m.name]
        # Without a neighbour the span is longer, and still works.
        s, e = local_header_span(m, None)
        assert s == start and e >= end
        assert member_data(archive[s:e], s, m) == expected[m.name]
        # A chunk that starts earlier works too.
        assert member_data(archive[:e], 0, m) == expected[m.name]


def test_member_data_errors(tmp_path: Path) -> None:
    path = tmp_path / "e.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("d", b"hello world" * 100, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("s", b"stored bytes", compress_type=zipfile.ZIP_STORED)
        zf.writestr("b", b"bzip2", compress_type=zipfile.ZIP_BZIP2)
    archive = path.read_bytes()
    tail = locate_central_directory(archive, len(archive))
    assert isinstance(tail, Tail)
    d, s, b = read_members(archive)
    _, d_end = local_header_span(d, s.header_offset)
    with pytest.raises(ZipFormatError, match="truncated"):
        member_data(archive[: d_end - 3], 0, d)
    with pytest.raises(ZipFormatError, match="local header"):
        member_data(archive[10:d_end], 10, d)
    with pytest.raises(ZipFormatError, match="local header"):
        member_data(archive, 0, s._replace(header_offset=d.header_offset))
    corrupt = archive.replace(b"stored bytes", b"stored bytez")
    with pytest.raises(ZipFormatError, match="CRC"):
        member_data(corrupt, 0, s)
    with pytest.raises(ZipFormatError, match="method 12"):
        member_data(archive, 0, b)
    # A deflate stream that inflates to more than the directory says.
    lying = d._replace(file_size=10)
    with pytest.raises(ZipFormatError, match="says 10"):
        member_data(archive, 0, lying)


# ---------------------------------------------------------------------------
# Property-style comparison with zipfile


def random_archive(rng: random.Random, path: Path) -> bytes:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789_-./\u00e9\u00fc\u4e2d\u2603"
    with zipfile.ZipFile(path, "w") as zf:
        names: set[str] = set()
        for _ in range(rng.randrange(0, 40)):
            name = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60))) + "x"
            if name in names:
                continue
            names.add(name)
            info = zipfile.ZipInfo(name)
            info.compress_type = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
            info.create_system = rng.choice([0, 3])
            info.external_attr = rng.randrange(1 << 32)
            kind = rng.randrange(3)
            if kind == 0:
                data = rng.randbytes(rng.randrange(0, 3000))
            elif kind == 1:
                data = rng.choice([b"a", b"xyz", b"\n"]) * rng.randrange(0, 50000)
            else:
                data = b""
            if rng.random() < 0.1:
                with zf.open(info, "w", force_zip64=True) as f:
                    f.write(data)
            else:
                zf.writestr(info, data)
        zf.comment = rng.randbytes(rng.choice([0, 1, rng.randrange(65536), 65535]))
    return path.read_bytes()


def test_random_archives_match_zipfile(tmp_path: Path) -> None:
    rng = random.Random(20240601)
    for n in range(50):
        path = tmp_path / f"r{n}.zip"
        archive = random_archive(rng, path)
        prefix = rng.randbytes(rng.choice([0, 0, 0, 1, 1000]))
        if prefix:
            archive = prefix + archive
            path.write_bytes(archive)
        tail, members, _ = fetch_members(
            archive, first=rng.choice([22, 100, 4096, 1 << 16, 1 << 20])
        )
        assert tail.delta == len(prefix)
        assert_matches(members, path)
        with zipfile.ZipFile(path) as zf:
            for m, start, end in spans(members, tail.cd_offset):
                assert member_data(archive[start:end], start, m) == zf.read(m.name)


def test_protocol_from_every_tail_length(tmp_path: Path) -> None:
    # Whatever a caller fetches first, the answers lead to the same result.
    archive = build(tmp_path / "p.zip", [("a", b"1"), ("b", b"2")], comment=b"c" * 40)
    expected = read_members(archive)
    for first in range(0, len(archive) + 1):
        if first == 0:
            found = locate_central_directory(b"", len(archive))
            assert isinstance(found, int)
            continue
        _, members, _ = fetch_members(archive, first=first)
        assert members == expected
