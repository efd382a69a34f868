"""image/archive.py: finding the config and the layer blobs in an archive or layout.

Archives are written by ``tests/imagebuilder.py`` (or by :mod:`tarfile` here, for the
hostile ones); what :func:`open_archive` finds is compared with what was written.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from imagebuilder import Built, Layer, docker_save, file, oci_layout, sha256

from sizefloor.image.archive import ImageArchive, LayerBlob, open_archive
from sizefloor.image.errors import ImageError, MissingFromArchive

LAYERS = [Layer([file("a", b"a" * 10)]), Layer([file("b", b"b" * 20)], compression="gzip")]


def layer_bytes(archive: ImageArchive, blob: LayerBlob) -> bytes:
    with archive.open_layer(blob) as stream:
        return stream.read()


def opened(path: Path, **choice: str) -> ImageArchive:
    archive = open_archive(path, **choice)
    archive.close()  # the fields stay; only open_layer needs the archive open
    return archive


def test_docker_save_legacy(tmp_path: Path) -> None:
    built = docker_save(tmp_path / "img.tar", LAYERS, tags=("app:1", "app:latest"))
    archive = open_archive(built.path)
    try:
        assert (archive.kind, archive.tags) == ("docker-save", ["app:1", "app:latest"])
        assert archive.config == built.config
        assert archive.config_digest is None  # legacy configs are named <hex>.json
        assert [(b.digest, b.size) for b in archive.layers] == [
            (None, len(t)) for t in built.layer_tars
        ]
        assert [layer_bytes(archive, b) for b in archive.layers] == built.layer_tars
    finally:
        archive.close()


def test_docker_save_oci_form_names_blobs_by_digest(tmp_path: Path) -> None:
    built = docker_save(tmp_path / "img.tar", LAYERS, oci=True)
    archive = opened(built.path)
    assert [b.digest for b in archive.layers] == [sha256(t) for t in built.layer_tars]
    assert archive.config_digest is not None and archive.config_digest.startswith("sha256:")


@pytest.mark.parametrize("as_tar", [False, True], ids=["directory", "tar"])
def test_oci_layout_descriptors(tmp_path: Path, as_tar: bool) -> None:
    dest = tmp_path / ("layout.tar" if as_tar else "layout")
    built = oci_layout(dest, LAYERS, as_tar=as_tar, ref="app:2")
    archive = open_archive(built.path)
    try:
        assert archive.kind == ("oci-archive" if as_tar else "oci-layout")
        assert archive.tags == ["app:2"]
        assert [(b.digest, b.size) for b in archive.layers] == [
            (sha256(blob), len(blob)) for blob in built.blobs
        ]
        assert [b.media_type for b in archive.layers] == [
            "application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip",
        ]
        assert [layer_bytes(archive, b) for b in archive.layers] == built.blobs
    finally:
        archive.close()


def test_a_gzipped_archive_is_read_as_is(tmp_path: Path) -> None:
    built = docker_save(tmp_path / "img.tar", LAYERS)
    zipped = tmp_path / "img.tar.gz"
    zipped.write_bytes(gzip.compress(built.path.read_bytes(), mtime=0))
    assert opened(zipped).config == built.config


def test_a_nested_index_passes_its_annotations_down(tmp_path: Path) -> None:
    built = oci_layout(tmp_path / "layout", LAYERS, nested_index=True, ref="nested:1")
    assert opened(built.path).tags == ["nested:1"]


# -- choosing an image ------------------------------------------------------------------------


def two_tagged(tmp_path: Path) -> Path:
    first = docker_save(tmp_path / "one.tar", LAYERS, tags=("one:1",))
    with tarfile.open(first.path) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        manifest = json.loads(member.read())
    both = [manifest[0], {**manifest[0], "RepoTags": ["two:latest"]}]
    return docker_save(tmp_path / "two.tar", LAYERS, manifest_override=both).path


def test_several_saved_images_need_a_ref(tmp_path: Path) -> None:
    path = two_tagged(tmp_path)
    with pytest.raises(ImageError, match="holds 2 images: one:1; two:latest") as caught:
        open_archive(path)
    assert caught.value.hint == "Choose one with --ref TAG."
    assert opened(path, ref="two").tags == ["two:latest"]  # :latest is implied
    with pytest.raises(ImageError, match="no image tagged 'three'"):
        open_archive(path, ref="three")


def multi_platform(tmp_path: Path) -> tuple[Path, Built, Built]:
    layout = tmp_path / "layout"
    amd = oci_layout(layout, [Layer([file("amd", b"a")])])
    arm = oci_layout(layout, [Layer([file("arm", b"r")])], architecture="arm64")
    attestation = {
        **amd.descriptor,
        "platform": {"os": "unknown", "architecture": "unknown"},
        "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
    }
    index = {"schemaVersion": 2, "manifests": [arm.descriptor, attestation, amd.descriptor]}
    (layout / "index.json").write_text(json.dumps(index))
    return layout, amd, arm


def test_a_multi_platform_index_defaults_to_amd64_and_takes_aliases(tmp_path: Path) -> None:
    layout, amd, arm = multi_platform(tmp_path)
    assert opened(layout).config == amd.config
    assert opened(layout, platform="aarch64").config == arm.config
    assert opened(layout, platform="linux/arm64").config == arm.config
    with pytest.raises(ImageError, match="no image for linux/s390x") as caught:
        open_archive(layout, platform="linux/s390x")
    assert caught.value.hint == "It has: linux/amd64, linux/arm64."


# -- what is refused --------------------------------------------------------------------------


def test_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such file or directory"):
        open_archive(tmp_path / "nothing.tar")


def test_a_file_that_is_not_a_tar(tmp_path: Path) -> None:
    path = tmp_path / "junk.tar"
    path.write_bytes(b"junk" * 300)
    with pytest.raises(ImageError, match="not a tar file"):
        open_archive(path)


def test_a_folder_that_is_not_a_layout(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r"neither manifest\.json .* nor index\.json"):
        open_archive(tmp_path)


def test_a_config_that_does_not_match_its_digest(tmp_path: Path) -> None:
    built = oci_layout(tmp_path / "layout", LAYERS)
    digest = sha256(json.dumps(built.config, sort_keys=True, separators=(",", ":")).encode())
    config = built.path / "blobs" / "sha256" / digest.split(":")[1]
    config.write_bytes(config.read_bytes().replace(b"amd64", b"arm64"))
    with pytest.raises(ImageError, match="does not match its digest"):
        open_archive(built.path)


def test_an_index_that_is_not_json(tmp_path: Path) -> None:
    built = oci_layout(tmp_path / "layout", LAYERS)
    (built.path / "index.json").write_text("{not json")
    with pytest.raises(ImageError, match=r"index\.json in the archive is not valid JSON"):
        open_archive(built.path)


def test_a_manifest_naming_a_path_outside(tmp_path: Path) -> None:
    manifest = [{"Config": "../../etc/passwd", "RepoTags": [], "Layers": []}]
    path = docker_save(tmp_path / "img.tar", [], manifest_override=manifest).path
    with pytest.raises(ImageError, match="points outside the archive"):
        open_archive(path)


def test_a_member_linking_outside_the_archive(tmp_path: Path) -> None:
    path = tmp_path / "img.tar"
    manifest = [{"Config": "config.json", "RepoTags": [], "Layers": []}]
    with tarfile.open(path, "w") as tar:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("config.json")
        link.type = tarfile.SYMTYPE
        link.linkname = "../../etc/passwd"
        tar.addfile(link)
    with pytest.raises(ImageError, match=r"the link config\.json names .* outside the archive"):
        open_archive(path)


def test_a_layout_blob_linking_outside_the_layout(tmp_path: Path) -> None:
    built = oci_layout(tmp_path / "layout", LAYERS)
    secret = tmp_path / "secret"
    secret.write_bytes(built.blobs[0])
    blob = built.path / "blobs" / "sha256" / sha256(built.blobs[0]).split(":")[1]
    blob.unlink()
    blob.symlink_to(secret)
    with pytest.raises(ImageError, match="leads outside the layout"):
        open_archive(built.path)


def test_a_saved_layer_the_archive_lacks(tmp_path: Path) -> None:
    path = docker_save(tmp_path / "img.tar", LAYERS, omit_layer=0).path
    with pytest.raises(ImageError, match="lacks layer 1 of 2") as caught:
        open_archive(path)
    assert caught.value.exit_code == 2


def test_open_layer_on_a_blob_the_archive_lacks(tmp_path: Path) -> None:
    archive = open_archive(docker_save(tmp_path / "img.tar", LAYERS).path)
    try:
        with (
            pytest.raises(MissingFromArchive, match=r"the archive lacks nowhere/layer\.tar"),
            archive.open_layer(LayerBlob("nowhere/layer.tar", None, None, None)),
        ):
            pass
    finally:
        archive.close()
