"""image/layer.py: one layer's tar stream, member by member, into entries.

The streams are real tars written by ``tests/imagebuilder.py`` (or by :mod:`tarfile` here,
for the member types it has no helper for).
"""

from __future__ import annotations

import hashlib
import io
import re
import tarfile

import pytest
from imagebuilder import Member, directory, file, hardlink, layer_tar, opaque, symlink, whiteout

from sizefloor.image.errors import DamagedLayer, ImageError
from sizefloor.image.layer import KEEP_LIMIT, Entry, check_symlink, scan_layer, split_member


def scan(members: list[Member], keep: str | None = None) -> list[Entry]:
    stream = io.BytesIO(layer_tar(members))
    return scan_layer(stream, layer="layer 1 of 1", keep=lambda path: path == keep)


def test_each_member_type_becomes_an_entry() -> None:
    entries = scan(
        [
            directory("usr"),
            file("usr/a", b"abc"),
            symlink("usr/l", "a"),
            hardlink("usr/h", "usr/a"),
        ]
    )
    assert [(e.path, e.kind) for e in entries] == [
        (("usr",), "dir"),
        (("usr", "a"), "file"),
        (("usr", "l"), "symlink"),
        (("usr", "h"), "hardlink"),
    ]
    regular = entries[1]
    assert (regular.size, regular.digest) == (3, hashlib.sha256(b"abc").hexdigest())
    assert regular.content is None  # not asked to keep it
    assert (entries[2].link, entries[3].link) == ("a", "usr/a")


def test_fifos_and_devices_are_other() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, kind in (("run/fifo", tarfile.FIFOTYPE), ("dev/null", tarfile.CHRTYPE)):
            info = tarfile.TarInfo(name)
            info.type = kind
            tar.addfile(info)
    buf.seek(0)
    entries = scan_layer(buf, layer="layer 1")
    assert [(e.path, e.kind, e.size) for e in entries] == [
        (("run", "fifo"), "other", 0),
        (("dev", "null"), "other", 0),
    ]


def test_whiteouts_opaque_markers_and_aufs_bookkeeping() -> None:
    entries = scan(
        [
            whiteout("etc/config"),
            opaque("opt/cache"),
            file("a/.wh..wh.plnk", b""),  # aufs bookkeeping: skipped
            file("a/.wh.", b""),  # a whiteout of nothing: skipped
            whiteout("top"),
        ]
    )
    assert [(e.path, e.kind) for e in entries] == [
        (("etc", "config"), "whiteout"),
        (("opt", "cache"), "opaque"),
        (("top",), "whiteout"),
    ]


def test_names_are_cleaned_and_the_root_is_skipped() -> None:
    entries = scan([directory("."), file("./a/./b//c", b"1"), file("x/../y", b"2")])
    assert [e.path for e in entries] == [("a", "b", "c"), ("y",)]


def test_kept_files_keep_their_bytes() -> None:
    status = b"Package: libc6\nStatus: install ok installed\n"
    entries = scan(
        [file("var/lib/dpkg/status", status), file("other", b"o")], "var/lib/dpkg/status"
    )
    assert [e.content for e in entries] == [status, None]


def test_a_file_over_the_keep_limit_is_hashed_not_kept() -> None:
    big = b"k" * (KEEP_LIMIT + 1)
    (entry,) = scan([file("huge", big)], keep="huge")
    assert entry.content is None
    assert (entry.size, entry.digest) == (len(big), hashlib.sha256(big).hexdigest())


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (file("/etc/passwd", b"x"), "absolute path"),
        (file("../../escaped", b"x"), "escapes the image's root"),
        (hardlink("h", "../../etc/passwd"), "escapes the image's root"),
        (hardlink("h", "."), "hard link h to the root itself"),
        (symlink("a/out", "../../outside"), "points outside the image's root"),
    ],
    ids=["absolute", "dot-dot", "hard link out", "hard link to root", "symlink out"],
)
def test_unsafe_names_are_refused(member: Member, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        scan([member])


def test_symlinks_that_stay_inside_are_accepted() -> None:
    entries = scan([symlink("a/b/up", "../../x"), symlink("a/abs", "/../../etc/x")])
    assert [e.link for e in entries] == ["../../x", "/../../etc/x"]


def test_split_member_and_check_symlink() -> None:
    assert split_member("a/b/../c/", layer="L") == ("a", "c")
    assert split_member("./", layer="L") == ()
    check_symlink(("a", "b", "l"), "../../x", layer="L")  # lands at the root: allowed
    with pytest.raises(ImageError, match=re.escape("L has a symlink a/b/l -> ../../../x")):
        check_symlink(("a", "b", "l"), "../../../x", layer="L")


@pytest.mark.parametrize("cut", [700, 1536, 6144], ids=["in a header", "in data", "at a header"])
def test_a_truncated_tar_is_a_damaged_layer(cut: int) -> None:
    data = layer_tar([file("a", b"x" * 5000), file("b", b"y" * 10)])
    with pytest.raises(DamagedLayer, match=r"^layer 3 cannot be read: it is truncated"):
        scan_layer(io.BytesIO(data[:cut]), layer="layer 3")


def test_not_a_tar_is_a_damaged_layer() -> None:
    with pytest.raises(DamagedLayer, match="not a tar"):
        scan_layer(io.BytesIO(b"\x00not a tar at all" * 100), layer="layer 1")
