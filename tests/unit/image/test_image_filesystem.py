"""image/filesystem.py: layers applied in order, in memory, as Docker's layer applier does.

Each layer is a real tar (``tests/imagebuilder.py``) scanned by :func:`scan_layer`; the
expected trees are written out by hand.
"""

from __future__ import annotations

import io

import pytest
from imagebuilder import Member, directory, file, hardlink, layer_tar, opaque, symlink, whiteout

from sizefloor.image.errors import ImageError
from sizefloor.image.filesystem import Dir, File, Filesystem, LayerCounts, Special, Symlink
from sizefloor.image.layer import scan_layer


def apply(*layers: list[Member]) -> tuple[Filesystem, list[LayerCounts]]:
    fs = Filesystem()
    counts = []
    for i, members in enumerate(layers):
        name = f"layer {i + 1}"
        entries = scan_layer(io.BytesIO(layer_tar(members)), layer=name)
        counts.append(fs.apply(entries, i, name=name))
    return fs, counts


def tree(fs: Filesystem) -> dict[str, str]:
    """Path -> ``dir``, ``file:<size>@<layer>``, ``-> target`` or ``special``."""
    shown: dict[str, str] = {}
    for path, node in fs.walk():
        if isinstance(node, Dir):
            shown[path] = "dir"
        elif isinstance(node, File):
            inode = fs.inodes[node.inode]
            shown[path] = f"file:{inode.size}@{inode.layer}"
        elif isinstance(node, Symlink):
            shown[path] = f"-> {node.target}"
        else:
            assert isinstance(node, Special)
            shown[path] = "special"
    return dict(sorted(shown.items()))


def test_later_entries_replace_earlier_ones_and_directories_merge() -> None:
    fs, _ = apply(
        [file("a/one", b"1"), file("b", b"bb"), file("c/inner", b"ccc")],
        [file("a/two", b"22"), file("b", b"B"), file("c", b"now a file")],
    )
    assert tree(fs) == {
        "a": "dir",
        "a/one": "file:1@0",
        "a/two": "file:2@1",
        "b": "file:1@1",
        "c": "file:10@1",
    }


def test_a_file_in_the_way_of_a_path_becomes_a_directory() -> None:
    fs, _ = apply([file("x", b"x")], [file("x/y", b"y")])
    assert tree(fs) == {"x": "dir", "x/y": "file:1@1"}


def test_whiteouts_act_on_the_layers_below_before_the_layers_own_entries() -> None:
    fs, counts = apply(
        [file("etc/a", b"a"), file("etc/b", b"b"), file("gone/deep/f", b"f")],
        [file("etc/a", b"new a"), whiteout("etc/a"), whiteout("gone"), whiteout("not/there")],
    )
    assert tree(fs) == {"etc": "dir", "etc/a": "file:5@1", "etc/b": "file:1@0"}
    assert counts[1] == LayerCounts(content_bytes=5, files=1, whiteouts=3)


def test_an_opaque_directory_hides_only_what_the_layers_below_put_there() -> None:
    fs, counts = apply(
        [file("opt/cache/a", b"aaaa"), file("opt/keep", b"k")],
        [file("opt/cache/c", b"cc"), opaque("opt/cache")],
    )
    assert tree(fs) == {
        "opt": "dir",
        "opt/cache": "dir",
        "opt/cache/c": "file:2@1",
        "opt/keep": "file:1@0",
    }
    assert counts[1].whiteouts == 1


def test_paths_through_a_symlinked_directory_land_in_its_target() -> None:
    fs, _ = apply(
        [directory("usr/lib"), symlink("lib", "usr/lib"), symlink("abs", "/usr/lib")],
        [file("lib/x", b"x"), file("abs/y", b"yy")],
        [whiteout("abs/x")],
    )
    assert {p: n for p, n in tree(fs).items() if p.startswith("usr/lib/")} == {
        "usr/lib/y": "file:2@1"
    }


def test_dot_dot_in_a_symlink_stops_at_the_root() -> None:
    fs, _ = apply([directory("a"), symlink("a/up", "/../../srv")], [file("a/up/f", b"f")])
    assert tree(fs)["srv/f"] == "file:1@1"


def test_a_hard_link_shares_its_targets_inode() -> None:
    fs, counts = apply(
        [file("bin/tool", b"t" * 100), hardlink("bin/alias", "bin/tool")],
        [file("bin/tool", b"T")],
    )
    nodes = dict(fs.walk())
    alias, tool = nodes["bin/alias"], nodes["bin/tool"]
    assert isinstance(alias, File) and isinstance(tool, File)
    assert fs.inodes[alias.inode].size == 100  # the first name's data, still linked
    assert fs.inodes[tool.inode].size == 1
    assert counts[0] == LayerCounts(content_bytes=100, files=2, whiteouts=0)


def test_a_hard_link_to_a_symlink_is_a_symlink() -> None:
    fs, _ = apply([symlink("l", "target"), hardlink("l2", "l")])
    assert tree(fs)["l2"] == "-> target"


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([hardlink("h", "missing")], "to /missing, which does not exist"),
        ([directory("d"), hardlink("h", "d")], "to /d, which is a directory"),
    ],
    ids=["missing", "directory"],
)
def test_a_hard_link_to_no_file_is_an_error(members: list[Member], message: str) -> None:
    with pytest.raises(ImageError, match=message):
        apply(members)


def test_a_symlink_loop_is_an_error() -> None:
    with pytest.raises(ImageError, match="too many levels of symlinks"):
        apply([symlink("a", "b"), symlink("b", "a")], [file("a/x", b"x")])


def test_walk_shows_every_kind_of_node() -> None:
    fs = Filesystem()
    fs.apply(
        scan_layer(io.BytesIO(layer_tar([directory("d"), symlink("d/l", "x")])), layer="L"),
        0,
        name="L",
    )
    assert tree(fs) == {"d": "dir", "d/l": "-> x"}
    assert fs.inodes == []
