"""image/reader.py: layers applied to one filesystem, measured, and checked against digests.

Archives are written by ``tests/imagebuilder.py``; the damaged ones are rewritten here with
every digest above the change updated, so that only the damage tested is wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from imagebuilder import Layer, directory, docker_save, file, hardlink, oci_layout, whiteout

from sizefloor.image.errors import ImageError
from sizefloor.image.reader import base_boundary, keep_metadata, read_image

Json = dict[str, Any]


def blob_path(layout: Path, digest: str) -> Path:
    return layout / "blobs" / "sha256" / digest.split(":")[1]


def put(layout: Path, value: Json) -> tuple[str, int]:
    data = json.dumps(value).encode()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blob_path(layout, digest).write_bytes(data)
    return digest, len(data)


def rewrite(
    layout: Path,
    *,
    config: Callable[[Json], None] = lambda c: None,
    manifest: Callable[[Json], None] = lambda m: None,
) -> None:
    """Change an OCI layout's config or manifest, and the digests that name them."""
    index = json.loads((layout / "index.json").read_text())
    desc = index["manifests"][0]
    doc = json.loads(blob_path(layout, desc["digest"]).read_bytes())
    conf = json.loads(blob_path(layout, doc["config"]["digest"]).read_bytes())
    config(conf)
    doc["config"]["digest"], doc["config"]["size"] = put(layout, conf)
    manifest(doc)
    desc["digest"], desc["size"] = put(layout, doc)
    (layout / "index.json").write_text(json.dumps(index))


# -- what is measured -------------------------------------------------------------------------


def test_layers_files_and_what_is_shipped_without_showing(tmp_path: Path) -> None:
    layers = [
        Layer([file("bin/tool", b"t" * 100), hardlink("bin/alias", "bin/tool")], "ADD root /"),
        Layer([file("tmp/scratch", b"s" * 30), file("etc/conf", b"c" * 7)], "RUN make"),
        Layer([whiteout("tmp/scratch"), file("etc/conf", b"c" * 7)], "RUN rm"),
    ]
    image = read_image(docker_save(tmp_path / "img.tar", layers).path)
    assert [(f.path, f.size, f.layer) for f in image.files] == [
        ("/bin/alias", 100, 0),
        ("/bin/tool", 0, 0),  # the inode's second name counts 0
        ("/etc/conf", 7, 2),
    ]
    assert image.real_bytes == 107
    assert [(x.content_bytes, x.visible_bytes, x.files, x.whiteouts) for x in image.layers] == [
        (100, 100, 2, 0),
        (37, 0, 2, 0),
        (7, 7, 1, 1),
    ]
    assert [(c.path, c.size, c.layer, c.same_as) for c in image.shipped_only] == [
        ("/tmp/scratch", 30, 1, None),
        ("/etc/conf", 7, 1, "/etc/conf"),
    ]
    assert [x.command for x in image.layers] == ["ADD root /", "RUN make", "RUN rm"]


def test_metadata_files_are_kept_and_the_config_read(tmp_path: Path) -> None:
    record = b"pkg/__init__.py,,\n"
    site = "usr/lib/python3.11/site-packages"
    layers = [Layer([file(f"{site}/pkg-1.0.dist-info/RECORD", record), file("etc/x", b"x")])]
    built = oci_layout(tmp_path / "layout", layers, env=("PYTHON_VERSION=3.11.9",))
    rewrite(built.path, config=lambda c: c.update(variant="v8", architecture="arm64"))
    image = read_image(built.path)
    assert image.kept == {f"/{site}/pkg-1.0.dist-info/RECORD": record}
    assert image.env == ("PYTHON_VERSION=3.11.9",)
    assert image.platform == "linux/arm64/v8"
    assert (image.kind, image.tags) == ("oci-layout", ("example:latest",))


def test_progress_is_reported_per_layer(tmp_path: Path) -> None:
    layers = [Layer([file("a", b"a")]), Layer([directory("d")])]
    seen: list[tuple[str, int, int]] = []
    read_image(docker_save(tmp_path / "img.tar", layers).path, progress=lambda *a: seen.append(a))
    assert seen == [("reading layers", 0, 2), ("reading layers", 1, 2), ("reading layers", 2, 2)]


def test_base_layers_given_are_kept_within_the_layers(tmp_path: Path) -> None:
    path = docker_save(tmp_path / "img.tar", [Layer([file("a", b"a")])] * 2).path
    image = read_image(path, base_layers=5)
    assert (image.base_layers, image.base_reason) == (2, "--base-layers 5")
    assert [x.base for x in image.layers] == [True, True]


def test_commands_are_unknown_when_the_history_does_not_fit(tmp_path: Path) -> None:
    layers = [Layer([file("a", b"a")]), Layer([file("b", b"b")])]
    image = read_image(docker_save(tmp_path / "img.tar", layers, history=[{}]).path)
    assert [(x.command, x.created) for x in image.layers] == [(None, None), (None, None)]


def test_keep_metadata() -> None:
    kept = [
        "usr/lib/python3/dist-packages/x-1.dist-info/RECORD",
        "srv/site/y.egg-info/installed-files.txt",
        "var/lib/dpkg/status",
        "var/lib/dpkg/info/gcc-12.list",
        "lib/apk/db/installed",
        "etc/os-release",
    ]
    assert all(keep_metadata(p) for p in kept)
    assert not any(keep_metadata(p) for p in ("x.dist-info/METADATA", "var/lib/dpkg/info/a.md5"))


# -- the base boundary ------------------------------------------------------------------------


def entry(command: str, *, empty: bool = False) -> Json:
    return {"created_by": command, "empty_layer": True} if empty else {"created_by": command}


@pytest.mark.parametrize(
    ("history", "layers", "expected"),
    [
        ([], 3, 1),
        ([], 1, 0),
        ([entry("ADD /"), entry('CMD ["bash"]', empty=True), entry("RUN a")], 2, 1),
        (
            [
                entry("ADD /"),
                entry('/bin/sh -c #(nop)  CMD ["bash"]', empty=True),
                entry("RUN b"),
                entry('ENTRYPOINT ["py"]', empty=True),
                entry("COPY . /app"),
                entry('CMD ["app"]', empty=True),  # the image's own CMD: nothing after it
            ],
            3,
            2,
        ),
        ([entry("ADD /"), entry("RUN a")], 2, 0),
    ],
    ids=["no history", "one layer", "CMD", "the last CMD with layers after", "no CMD"],
)
def test_base_boundary(history: list[Json], layers: int, expected: int) -> None:
    assert base_boundary(history, layers)[0] == expected


def test_base_boundary_says_why() -> None:
    history = [entry("ADD /"), entry('/bin/sh -c #(nop)  CMD ["bash"]', empty=True), entry("RUN")]
    assert base_boundary(history, 2) == (
        1,
        """the layers before the base image's last instruction (CMD ["bash"])""",
    )


# -- damage -----------------------------------------------------------------------------------


def test_a_config_listing_other_layers(tmp_path: Path) -> None:
    built = oci_layout(tmp_path / "layout", [Layer([file("a", b"a")])])
    rewrite(built.path, config=lambda c: c["rootfs"]["diff_ids"].append("sha256:" + "0" * 64))
    with pytest.raises(ImageError, match=r"the config lists 2 layers .* but the manifest 1"):
        read_image(built.path)


def test_a_layer_that_is_not_its_diff_id(tmp_path: Path) -> None:
    built = oci_layout(tmp_path / "layout", [Layer([file("a", b"a")])])
    rewrite(built.path, config=lambda c: c["rootfs"].update(diff_ids=["sha256:" + "1" * 64]))
    with pytest.raises(ImageError, match="does not match the config's diff_id sha256:1111"):
        read_image(built.path)


def test_a_layer_shorter_than_its_descriptor(tmp_path: Path) -> None:
    built = oci_layout(tmp_path / "layout", [Layer([file("a", b"a")])])
    size = len(built.blobs[0])

    def grow(manifest: Json) -> None:
        manifest["layers"][0]["size"] = size + 1

    rewrite(built.path, manifest=grow)
    with pytest.raises(ImageError, match=f"is {size:,} bytes, not the {size + 1:,}"):
        read_image(built.path)


def test_a_layer_that_is_not_its_digest(tmp_path: Path) -> None:
    built = oci_layout(tmp_path / "layout", [Layer([file("a", b"abc")])])
    blob = blob_path(built.path, "sha256:" + hashlib.sha256(built.blobs[0]).hexdigest())
    blob.write_bytes(blob.read_bytes().replace(b"abc", b"abd"))
    with pytest.raises(ImageError, match=r"layer 1 of 1 \(blobs/sha256/.*\) does not match"):
        read_image(built.path)
