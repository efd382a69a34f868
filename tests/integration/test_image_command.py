"""``sizefloor image``: reading image archives, applying layers, naming the bytes above the floor.

The archives are built here with :mod:`tarfile` (``tests/imagebuilder.py``); every expected
figure is computed from the members the test itself wrote, with a plain dict model of the
layers (deletions, then additions), never by calling the code under test.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import tarfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pytest
from conftest import IndexServerFactory
from fatwheels import floor_report
from imagebuilder import (
    Layer,
    Member,
    compress,
    directory,
    docker_save,
    file,
    hardlink,
    layer_tar,
    oci_layout,
    opaque,
    sha256,
    symlink,
    whiteout,
)
from wheelbuilder import build_wheel, make_files

import sizefloor
from sizefloor.cli.main import main
from sizefloor.errors import ImageError
from sizefloor.image import decompress
from sizefloor.image.audit import audit
from sizefloor.image.decompress import zstd_available
from sizefloor.image.reader import read_image
from sizefloor.pipeline.estimator import Options
from sizefloor.runtime.bases import smallest_base

# ---------------------------------------------------------------------------------------------
# helpers: deterministic content, and an independent model of the final filesystem
# ---------------------------------------------------------------------------------------------


def blob(n: int, seed: str) -> bytes:
    """``n`` bytes of incompressible, reproducible content."""
    return random.Random(seed).randbytes(n)


def text(n: int, seed: str) -> bytes:
    """``n`` bytes of compressible text."""
    words = random.Random(seed).choices(["alpha", "beta", "gamma", "delta", "\n"], k=n)
    return " ".join(words).encode()[:n].ljust(n, b"#")


def final_files(layers: list[Layer]) -> dict[str, bytes]:
    """The visible regular files after all layers: deletions first, then additions.

    Enough for the fixtures below, which never write through symlinks or hard links.
    """
    state: dict[str, bytes] = {}
    for layer in layers:
        for m in layer.members:
            head, _, name = m.path.rpartition("/")
            if name == ".wh..wh..opq":
                state = {p: d for p, d in state.items() if not p.startswith(head + "/")}
            elif name.startswith(".wh."):
                gone = f"{head}/{name[4:]}" if head else name[4:]
                state = {
                    p: d for p, d in state.items() if p != gone and not p.startswith(gone + "/")
                }
        for m in layer.members:
            if m.kind == "file" and not m.path.rpartition("/")[2].startswith(".wh."):
                state[m.path] = m.data
            elif m.kind == "symlink":
                state.pop(m.path, None)
    return state


def total(files: Mapping[str, bytes], keep: Callable[[str], bool] = lambda p: True) -> int:
    return sum(len(d) for p, d in files.items() if keep(p))


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------------------------------------
# reading: formats, compression, whiteouts, links
# ---------------------------------------------------------------------------------------------

SMALL_HISTORY: list[dict[str, Any]] = [
    {"created_by": "/bin/sh -c #(nop) ADD file:0a1b in / "},
    {"created_by": '/bin/sh -c #(nop)  CMD ["bash"]', "empty_layer": True},
    {"created_by": "RUN make-things"},
    {"created_by": "RUN tidy-up", "comment": "buildkit.dockerfile.v0"},
]


def small_layers(second: str = "none", third: str = "none") -> list[Layer]:
    """Three layers covering whiteouts, opaque dirs, hard links and symlinks."""
    return [
        Layer(
            [
                directory("usr"),
                directory("usr/bin"),
                file("usr/bin/tool", b"t" * 1000),
                hardlink("usr/bin/tool-alias", "usr/bin/tool"),  # same inode: counted once
                symlink("usr/bin/t", "tool"),  # a symlink counts 0
                file("etc/config", b"c" * 300),
                file("opt/cache/a", b"a" * 400),
                file("opt/cache/b", b"b" * 500),
                file("srv/old.txt", b"o" * 50),
            ]
        ),
        Layer(
            [
                whiteout("etc/config"),  # deleted: 300 bytes hidden
                opaque("opt/cache"),  # a and b hidden, c stays
                file("opt/cache/c", b"C" * 70),
                file("srv/old.txt", b"o" * 50),  # same content again: a duplicate
                file("srv/new.txt", b"n" * 20),
            ],
            compression=second,
        ),
        Layer(
            [
                symlink("srv/link", "/srv/new.txt"),
                file("usr/bin/tool", b"T" * 10),  # replaces the inode's first name only
            ],
            compression=third,
        ),
    ]


def expected_small() -> dict[str, int]:
    # tool-alias keeps the 1000-byte inode; tool is now 10 bytes; c 70; old 50; new 20
    return {
        "real": 1000 + 10 + 70 + 50 + 20,
        "hidden": 300 + 400 + 500,
        "duplicate": 50,
        "layer0_content": 1000 + 300 + 400 + 500 + 50,
        "layer1_content": 70 + 50 + 20,
        "layer2_content": 10,
    }


def _check_small(path: Path, compressions: tuple[str, ...]) -> None:
    image = read_image(path)
    want = expected_small()
    assert image.real_bytes == want["real"]
    sizes = {f.path: f.size for f in image.files}
    assert sizes["/usr/bin/tool"] == 10
    assert sizes["/usr/bin/tool-alias"] == 1000
    assert "/etc/config" not in sizes and "/opt/cache/a" not in sizes
    assert image.symlinks == {"/usr/bin/t": "tool", "/srv/link": "/srv/new.txt"}
    assert [layer.content_bytes for layer in image.layers] == [
        want["layer0_content"],
        want["layer1_content"],
        want["layer2_content"],
    ]
    hidden = sum(c.size for c in image.shipped_only if c.same_as is None)
    duplicate = sum(c.size for c in image.shipped_only if c.same_as is not None)
    assert (hidden, duplicate) == (want["hidden"], want["duplicate"])
    assert [layer.compression for layer in image.layers] == ["none", *compressions]
    assert [layer.command for layer in image.layers] == [
        "/bin/sh -c #(nop) ADD file:0a1b in / ",
        "RUN make-things",
        "RUN tidy-up",
    ]
    assert image.base_layers == 1


def test_docker_save_legacy(tmp_path: Path) -> None:
    built = docker_save(tmp_path / "img.tar", small_layers(), history=SMALL_HISTORY)
    _check_small(built.path, ("none", "none"))
    image = read_image(built.path)
    assert image.kind == "docker-save" and image.tags == ("example:latest",)
    assert [layer.tar_bytes for layer in image.layers] == [len(t) for t in built.layer_tars]
    assert [layer.diff_id for layer in image.layers] == [sha256(t) for t in built.layer_tars]


def test_docker_save_links_a_repeated_layer(tmp_path: Path) -> None:
    same = [file("x", b"x" * 9)]
    layers = [Layer(same), Layer([file("y", b"y" * 4)]), Layer(same)]
    built = docker_save(tmp_path / "img.tar", layers)
    with tarfile.open(built.path) as tar:
        assert any(m.issym() for m in tar.getmembers())
    image = read_image(built.path)
    assert image.real_bytes == 13
    assert [layer.content_bytes for layer in image.layers] == [9, 4, 9]
    assert [(c.path, c.same_as) for c in image.shipped_only] == [("/x", "/x")]


def test_docker_save_oci_form(tmp_path: Path) -> None:
    built = docker_save(tmp_path / "img.tar", small_layers(), history=SMALL_HISTORY, oci=True)
    _check_small(built.path, ("none", "none"))


@pytest.mark.parametrize("as_tar", [False, True], ids=["directory", "tar"])
def test_oci_layout_gzip(tmp_path: Path, as_tar: bool) -> None:
    dest = tmp_path / ("layout.tar" if as_tar else "layout")
    built = oci_layout(dest, small_layers("gzip", "gzip"), history=SMALL_HISTORY, as_tar=as_tar)
    _check_small(built.path, ("gzip", "gzip"))
    image = read_image(built.path)
    assert [layer.blob_bytes for layer in image.layers] == [len(b) for b in built.blobs]
    assert [layer.tar_bytes for layer in image.layers] == [len(t) for t in built.layer_tars]
    assert image.layers[1].blob_bytes < image.layers[1].tar_bytes


@pytest.mark.skipif(not zstd_available(), reason="no zstd implementation installed")
def test_oci_layout_zstd_and_nested_index(tmp_path: Path) -> None:
    built = oci_layout(
        tmp_path / "layout", small_layers("gzip", "zstd"), history=SMALL_HISTORY, nested_index=True
    )
    _check_small(built.path, ("gzip", "zstd"))
    image = read_image(built.path)
    assert image.layers[2].blob_bytes == len(built.blobs[2])
    assert image.tags == ("example:latest",)


def test_multi_platform_index(tmp_path: Path) -> None:
    layout = tmp_path / "layout"
    amd = oci_layout(layout, [Layer([file("amd", b"a" * 3)])])
    arm = oci_layout(layout, [Layer([file("arm", b"r" * 5)])], architecture="arm64")
    attestation = {
        **amd.descriptor,
        "platform": {"os": "unknown", "architecture": "unknown"},
        "annotations": {"vnd.docker.reference.type": "attestation-manifest"},
    }
    index = {"schemaVersion": 2, "manifests": [arm.descriptor, attestation, amd.descriptor]}
    (layout / "index.json").write_text(json.dumps(index))
    assert read_image(layout).platform == "linux/amd64"  # the default when several
    chosen = read_image(layout, platform="linux/arm64")
    assert (chosen.platform, chosen.real_bytes) == ("linux/arm64", 5)
    with pytest.raises(ImageError, match="no image for linux/s390x"):
        read_image(layout, platform="linux/s390x")


def test_whole_archive_gzipped(tmp_path: Path) -> None:
    built = docker_save(tmp_path / "img.tar", small_layers(), history=SMALL_HISTORY)
    zipped = tmp_path / "img.tar.gz"
    zipped.write_bytes(gzip.compress(built.path.read_bytes(), mtime=0))
    _check_small(zipped, ("none", "none"))


def test_writing_through_a_symlinked_directory(tmp_path: Path) -> None:
    layers = [
        Layer([directory("usr/bin"), symlink("bin", "usr/bin"), file("usr/bin/a", b"a" * 5)]),
        Layer([file("bin/b", b"b" * 7), whiteout("bin/a")]),
    ]
    image = read_image(docker_save(tmp_path / "img.tar", layers).path)
    assert {f.path: f.size for f in image.files} == {"/usr/bin/b": 7}
    assert image.real_bytes == 7


def test_file_replacing_directory_and_back(tmp_path: Path) -> None:
    layers = [
        Layer([file("x/inner", b"i" * 40), file("y", b"y" * 3)]),
        Layer([file("x", b"X" * 5), file("y/inside", b"Y" * 6)]),
    ]
    image = read_image(docker_save(tmp_path / "img.tar", layers).path)
    assert {f.path: f.size for f in image.files} == {"/x": 5, "/y/inside": 6}
    assert sum(c.size for c in image.shipped_only) == 43


def test_several_images_need_a_ref(tmp_path: Path) -> None:
    layers = small_layers()
    built = docker_save(tmp_path / "img.tar", layers, history=SMALL_HISTORY)
    with tarfile.open(built.path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    twice = [manifest[0], {**manifest[0], "RepoTags": ["other:1"]}]
    again = docker_save(
        tmp_path / "two.tar", layers, history=SMALL_HISTORY, manifest_override=twice
    )
    with pytest.raises(ImageError, match="holds 2 images"):
        read_image(again.path)
    assert read_image(again.path, ref="other:1").tags == ("other:1",)


# ---------------------------------------------------------------------------------------------
# bad archives: a clear error, no traceback, nothing written outside the test's folder
# ---------------------------------------------------------------------------------------------


@dataclass
class BadCase:
    name: str
    make: Callable[[Path], Path]
    message: str


def _truncated(tmp: Path) -> Path:
    built = docker_save(tmp / "img.tar", small_layers(), history=SMALL_HISTORY)
    data = built.path.read_bytes()
    built.path.write_bytes(data[: len(data) // 2])
    return built.path


def _truncated_gzip_layer(tmp: Path) -> Path:
    built = oci_layout(tmp / "layout", small_layers("gzip"), history=SMALL_HISTORY)
    digest = sha256(built.blobs[1]).split(":")[1]
    target = built.path / "blobs" / "sha256" / digest
    target.write_bytes(target.read_bytes()[:-30])
    return built.path


def _not_an_image(tmp: Path) -> Path:
    path = tmp / "plain.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    return path


def _not_a_tar(tmp: Path) -> Path:
    path = tmp / "junk.tar"
    path.write_bytes(b"this is not a tar archive at all" * 40)
    return path


def _layer_missing(tmp: Path) -> Path:
    return docker_save(tmp / "img.tar", small_layers(), history=SMALL_HISTORY, omit_layer=1).path


def _oci_layer_missing(tmp: Path) -> Path:
    built = oci_layout(tmp / "layout", small_layers("gzip"), history=SMALL_HISTORY)
    (built.path / "blobs" / "sha256" / sha256(built.blobs[1]).split(":")[1]).unlink()
    return built.path


def _member_escape(tmp: Path) -> Path:
    layers = [Layer([file("../../escaped.txt", b"gotcha")])]
    return docker_save(tmp / "img.tar", layers).path


def _absolute_member(tmp: Path) -> Path:
    layers = [Layer([file("/etc/absolute.txt", b"gotcha")])]
    return docker_save(tmp / "img.tar", layers).path


def _symlink_escape(tmp: Path) -> Path:
    layers = [Layer([directory("a"), symlink("a/out", "../../../outside")])]
    return docker_save(tmp / "img.tar", layers).path


def _hardlink_escape(tmp: Path) -> Path:
    layers = [Layer([hardlink("passwd", "../../etc/passwd")])]
    return docker_save(tmp / "img.tar", layers).path


def _manifest_escape(tmp: Path) -> Path:
    manifest = [{"Config": "../../etc/passwd", "RepoTags": ["x:1"], "Layers": []}]
    return docker_save(tmp / "img.tar", [], manifest_override=manifest).path


def _corrupt_layer(tmp: Path) -> Path:
    built = docker_save(tmp / "img.tar", small_layers(), history=SMALL_HISTORY)
    data = bytearray(built.path.read_bytes())
    needle = b"n" * 20  # srv/new.txt's content, inside layer 2
    at = bytes(data).find(needle)
    data[at] = ord("N")
    built.path.write_bytes(bytes(data))
    return built.path


BAD = [
    BadCase("truncated archive", _truncated, "truncated|damaged|lacks"),
    BadCase("truncated gzip layer", _truncated_gzip_layer, "layer 2 of 3"),
    BadCase("not an image", _not_an_image, "not an image archive"),
    BadCase("not a tar", _not_a_tar, "not a tar file"),
    BadCase("layer missing", _layer_missing, "lacks layer 2 of 3"),
    BadCase("OCI layer missing", _oci_layer_missing, "lacks layer 2 of 3"),
    BadCase("member escapes with ..", _member_escape, "escapes the image's root"),
    BadCase("absolute member", _absolute_member, "absolute path"),
    BadCase("symlink escapes", _symlink_escape, "points outside the image's root"),
    BadCase("hard link escapes", _hardlink_escape, "escapes the image's root"),
    BadCase("manifest escapes", _manifest_escape, "outside the archive"),
    BadCase("corrupt layer", _corrupt_layer, "does not match"),
]


def _snapshot(root: Path) -> set[str]:
    return {str(p) for p in root.rglob("*")}


@pytest.mark.parametrize("case", BAD, ids=[c.name for c in BAD])
def test_bad_archives(case: BadCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = case.make(work)
    before = _snapshot(tmp_path)
    parent_before = set(os.listdir(tmp_path.parent))
    code, out, err = run_cli(["image", str(path)], capsys)
    assert code == 2, err
    assert out == ""
    assert "Traceback" not in err and "internal error" not in err
    assert err.startswith("sizefloor: error: ")
    assert re.search(case.message, err), err
    assert _snapshot(tmp_path) == before  # nothing written, not even next to the archive
    assert set(os.listdir(tmp_path.parent)) == parent_before
    assert not (tmp_path / "escaped.txt").exists()


def test_zstd_without_a_library_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = b"\x28\xb5\x2f\xfd" + b"\x00" * 60  # a zstd frame header is enough to be detected
    layers_tar = tmp_path / "layout"
    built = oci_layout(layers_tar, [Layer([file("a", b"a")])])
    name = sha256(built.blobs[0]).split(":")[1]
    manifest_dir = built.path / "blobs" / "sha256"
    (manifest_dir / name).write_bytes(frame)
    monkeypatch.setattr(decompress, "_zstd_module", lambda: None)
    code, _, err = run_cli(["image", str(built.path)], capsys)
    assert code == 2
    assert "zstd" in err and "zstandard" in err


# ---------------------------------------------------------------------------------------------
# the blog post's case: a heavy base, .git and training data copied in, pip's cache left behind
# ---------------------------------------------------------------------------------------------

SITE = "usr/local/lib/python3.11/site-packages"
STALE_SITE = "usr/local/lib/python3.5/site-packages"


def installed(wheel: Path, site: str = SITE) -> dict[str, bytes]:
    """A wheel's files as installed under ``site`` (its members plus pip's INSTALLER)."""
    out: dict[str, bytes] = {}
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            out[f"{site}/{info.filename}"] = zf.read(info)
            if info.filename.endswith(".dist-info/RECORD"):
                out[f"{site}/{info.filename.rsplit('/', 1)[0]}/INSTALLER"] = b"pip\n"
    return out


@dataclass
class BlogImage:
    path: Path
    layers: list[Layer]
    parts: dict[str, dict[str, bytes]]
    requirements: Path
    index_url: str


def dpkg_status(*packages: str) -> bytes:
    return "".join(
        f"Package: {p}\nStatus: install ok installed\nArchitecture: amd64\n\n" for p in packages
    ).encode()


@pytest.fixture
def blog_image(tmp_path: Path, index_server: IndexServerFactory) -> Iterator[BlogImage]:
    wheels = _blog_wheels(tmp_path / "wheels")
    server = index_server(tmp_path / "wheels")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("webapp-core\n")
    parts = {**_base_parts(wheels), **_build_parts(), **_app_parts(), **_install_parts(wheels)}
    layers = _blog_layers(parts)
    built = docker_save(
        tmp_path / "blog.tar",
        layers,
        history=_blog_history(layers),
        tags=("blog-app:latest",),
        env=("PYTHON_VERSION=3.11.9",),
    )
    yield BlogImage(built.path, layers, parts, requirements, server.simple_url)


def _blog_wheels(wheels: Path) -> dict[str, Path]:
    """The requirement (webapp-core, needing helper), extras, the base's pip, a stale package."""
    return {
        "core": build_wheel(
            wheels,
            "webapp-core",
            "1.0",
            files=make_files(30, 9_000, prefix="webapp_core/m"),
            requires_dist=["helper>=1"],
        ),
        "helper": build_wheel(
            wheels, "helper", "1.2", files=make_files(12, 8_000, prefix="helper/h")
        ),
        "junk": build_wheel(
            wheels, "notebook-junk", "3.0", files=make_files(20, 7_500, prefix="notebook_junk/n")
        ),
        "devtool": build_wheel(
            wheels, "devtool", "0.9", files=make_files(8, 6_000, prefix="devtool/d")
        ),
        "base_pip": build_wheel(
            wheels / "base", "pip", "24.0", files=make_files(25, 6_000, prefix="pip/_internal/p")
        ),
        "old": build_wheel(
            wheels / "old", "oldpkg", "1.0", files=make_files(10, 11_000, prefix="oldpkg/o")
        ),
    }


def _base_parts(wheels: dict[str, Path]) -> dict[str, dict[str, bytes]]:
    """The base image: an operating system, a Python and its pip."""
    return {
        "os": {
            "usr/lib/x86_64-linux-gnu/libbig.so.1": blob(2_600_000, "libbig"),
            "usr/lib/x86_64-linux-gnu/libc.so.6": blob(1_900_000, "libc"),
            "usr/share/doc/base/README": text(240_000, "doc"),
            "usr/share/locale/fr/LC_MESSAGES/x.mo": blob(160_000, "mo"),
            "etc/os-release": b'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n',
            "var/lib/dpkg/status": dpkg_status("libc6", "base-files"),
        },
        "python": {
            "usr/local/bin/python3.11": blob(18_000, "python-binary"),
            "usr/local/lib/libpython3.11.so.1.0": blob(900_000, "libpython"),
            "usr/local/lib/python3.11/os.py": text(45_000, "os.py"),
            "usr/local/lib/python3.11/json/__init__.py": text(15_000, "json"),
            **{f"usr/local/lib/python3.11/std{i}.py": text(30_000, f"std{i}") for i in range(20)},
        },
        "base_pip": installed(wheels["base_pip"]),
    }


def _build_parts() -> dict[str, dict[str, bytes]]:
    """What apt-get installs to build: compilers and headers, their records, apt's lists."""
    return {
        "compilers": {
            "usr/bin/gcc-12": blob(950_000, "gcc"),
            "usr/lib/gcc/x86_64-linux-gnu/12/cc1": blob(1_400_000, "cc1"),
            "usr/include/postgresql/libpq-fe.h": text(30_000, "libpq-fe.h"),
            "usr/include/stdio.h": text(12_000, "stdio.h"),
        },
        "dpkg_lists": {
            "var/lib/dpkg/info/gcc-12.list": b"/.\n/usr\n/usr/bin/gcc-12\n"
            b"/usr/lib/gcc/x86_64-linux-gnu/12/cc1\n",
            "var/lib/dpkg/info/libpq-dev.list": b"/.\n/usr/include/postgresql/libpq-fe.h\n",
            "var/lib/dpkg/status": dpkg_status(
                "libc6", "base-files", "gcc-12", "libpq-dev", "libpq5"
            ),
        },
        "system": {"usr/lib/x86_64-linux-gnu/libpq.so.5": blob(320_000, "libpq")},
        "apt": {
            "var/lib/apt/lists/debian_dists_bookworm_main_binary-amd64_Packages": text(
                520_000, "apt-list"
            ),
            "var/lib/apt/lists/lock": b"",
        },
    }


def _app_parts() -> dict[str, dict[str, bytes]]:
    """What COPY . /app brings: .git, data, sources and their bytecode."""
    return {
        "git": {
            "app/.git/HEAD": b"ref: refs/heads/main\n",
            "app/.git/config": text(300, "git-config"),
            "app/.git/objects/pack/pack-1.pack": blob(780_000, "pack"),
            "app/.git/objects/pack/pack-1.idx": blob(40_000, "idx"),
        },
        "data": {
            "app/data/train.csv": text(1_700_000, "train"),
            "app/data/val.parquet": blob(450_000, "val"),
        },
        "deleted_later": {"app/data/scratch.bin": blob(300_000, "scratch")},
        "src": {
            "app/src/main.py": text(24_000, "main"),
            "app/src/models.py": text(16_000, "models"),
        },
        "src_pycache": {
            "app/src/__pycache__/main.cpython-311.pyc": blob(9_000, "main.pyc"),
            "app/src/__pycache__/models.cpython-311.pyc": blob(6_500, "models.pyc"),
        },
        "app_top": {"app/requirements.txt": b"webapp-core\n", "app/Dockerfile": text(600, "df")},
    }


def _install_parts(wheels: dict[str, Path]) -> dict[str, dict[str, bytes]]:
    """What pip install leaves, and a site-packages copied in for another Python."""
    return {
        "deps": {**installed(wheels["core"]), **installed(wheels["helper"])},
        "extras": {**installed(wheels["junk"]), **installed(wheels["devtool"])},
        "pip_cache": {
            "root/.cache/pip/http-v2/a/b/c/d/e/0123": blob(410_000, "pipcache1"),
            "root/.cache/pip/http-v2/a/b/c/d/e/0124": blob(230_000, "pipcache2"),
            "root/.cache/pip/selfcheck/x.json": b'{"last_check":"2024-01-01"}',
        },
        "pip_pycache": {
            f"{SITE}/pip/_internal/__pycache__/p{i:05d}.cpython-311.pyc": blob(4_000, f"pyc{i}")
            for i in range(12)
        },
        "stale": installed(wheels["old"], STALE_SITE),
    }


def _blog_layers(parts: dict[str, dict[str, bytes]]) -> list[Layer]:
    """The Dockerfile's layers: base, Python, apt-get, COPY, pip install, a stale copy, chmod."""
    return [
        Layer([file(p, d) for p, d in parts["os"].items()], "ADD file:9f1e in /"),
        Layer(
            [file(p, d) for p, d in {**parts["python"], **parts["base_pip"]}.items()]
            + [symlink("usr/local/bin/python3", "python3.11")],
            "RUN set -eux; ./configure && make install",
        ),
        Layer(
            [
                file(p, d)
                for p, d in {
                    **parts["compilers"],
                    **parts["dpkg_lists"],
                    **parts["system"],
                    **parts["apt"],
                }.items()
            ],
            "RUN apt-get update && apt-get install -y gcc-12 libpq-dev",
        ),
        Layer(
            [
                file(p, d)
                for group in ("git", "data", "deleted_later", "src", "src_pycache", "app_top")
                for p, d in parts[group].items()
            ],
            "COPY . /app # buildkit",
        ),
        Layer(
            [
                file(p, d)
                for group in ("deps", "extras", "pip_cache", "pip_pycache")
                for p, d in parts[group].items()
            ],
            "RUN pip install -r requirements.txt # buildkit",
        ),
        Layer(
            [file(p, d) for p, d in parts["stale"].items()],
            "COPY site-packages /usr/local/lib/python3.5/site-packages",
        ),
        Layer(
            [whiteout("app/data/scratch.bin")]
            + [file(p, d) for g in ("src", "src_pycache") for p, d in parts[g].items()],
            "RUN rm /app/data/scratch.bin && chmod -R a+rX /app/src # buildkit",
        ),
    ]


def _blog_history(layers: list[Layer]) -> list[dict[str, Any]]:
    """Two base images' instructions (CMD ends each), then the app's."""
    return [
        {"created_by": layers[0].command},
        {"created_by": '/bin/sh -c #(nop)  CMD ["bash"]', "empty_layer": True},
        {"created_by": "/bin/sh -c #(nop)  ENV PYTHON_VERSION=3.11.9", "empty_layer": True},
        {"created_by": layers[1].command},
        {"created_by": '/bin/sh -c #(nop)  CMD ["python3"]', "empty_layer": True},
        {"created_by": "WORKDIR /app", "empty_layer": True},
        *({"created_by": layer.command} for layer in layers[2:]),
        {"created_by": 'CMD ["python", "-m", "app"]', "empty_layer": True},
    ]


def test_blog_image(blog_image: BlogImage, capsys: pytest.CaptureFixture[str]) -> None:
    b = blog_image
    argv = [
        "image", str(b.path), "-r", str(b.requirements), "--isolated",
        "--index-url", b.index_url, "--no-cache", "--no-compile", "--base", "none",
        "--format", "json",
    ]  # fmt: skip
    code, out, err = run_cli(argv, capsys)
    assert code == 0, err
    report = json.loads(out)

    # -- the expected figures, from the members written above -------------------------------
    real = total(final_files(b.layers))
    floor = _blog_floor(b)
    want = BlogExpected.of(b.parts)

    # -- what the command reports -------------------------------------------------------------
    assert report["real_bytes"] == real
    assert report["floor"]["installed_bytes"] == floor
    findings = {f["kind"]: f for f in report["findings"] if f["kind"] != "app-folder"}
    for kind, expected in want.findings.items():
        assert findings[kind]["bytes"] == expected, kind
    app = {f["items"][0]["name"]: f for f in report["findings"] if f["kind"] == "app-folder"}
    assert {name: f["bytes"] for name, f in app.items()} == want.folders
    assert app["/app/data"]["title"] == "data and model files in /app/data"
    assert findings["duplicate"]["bytes"] == want.duplicate
    assert findings["hidden"]["bytes"] == want.hidden
    assert findings["duplicate"]["scope"] == findings["hidden"]["scope"] == "shipped"
    assert report["accounted"]["dependencies"] == total(b.parts["deps"])
    extras = {i["name"]: i["bytes"] for i in findings["extra-packages"]["items"]}
    assert extras["notebook_junk 3.0"] == total(installed_of(b.parts["extras"], "notebook_junk"))
    assert "webapp_core 1.0" not in extras

    in_image = sum(f["bytes"] for f in report["findings"] if f["scope"] == "image")
    assert in_image == sum(want.findings.values()) + sum(want.folders.values())
    coverage = (floor + in_image) / real
    assert report["coverage"] == pytest.approx(coverage)
    assert coverage >= 0.95
    assert report["ratio"] == pytest.approx(real / floor)
    assert report["image"]["layers_tar_bytes"] == sum(len(layer_tar(x.members)) for x in b.layers)
    assert report["image"]["base_layers"] == 2
    assert report["python"]["versions"] == ["3.11"]
    assert any("python3.5" in w and "never" in w for w in report["warnings"])

    # the table says the same things
    code, table, err = run_cli(argv[:-2], capsys)
    assert code == 0, err
    assert f"{real:,} bytes" in table
    assert "VCS folders" in table and "pip's cache" in table and "/app/data" in table
    assert f"{100 * coverage:.1f}% of the real size" in table
    print(table)  # for the record: `pytest -s -k test_blog_image` shows it


def test_the_floor_has_the_smallest_runtime_by_default(
    blog_image: BlogImage, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --base, the image is compared with the smallest catalogued runtime that runs
    its Python, plus the dependencies: the floor the image could have."""
    b = blog_image
    argv = [
        "image", str(b.path), "-r", str(b.requirements), "--isolated",
        "--index-url", b.index_url, "--no-cache", "--no-compile", "--format", "json",
    ]  # fmt: skip
    code, out, err = run_cli(argv, capsys)
    assert code == 0, err
    floor = json.loads(out)["floor"]
    python = floor["target"]["python"]
    smallest = smallest_base(python=python, platform="linux/amd64")
    assert floor["runtime"] == smallest is not None
    assert floor["dependencies_bytes"] == _blog_floor(b)
    assert floor["installed_bytes"] == floor["runtime_bytes"] + floor["dependencies_bytes"]


def _blog_floor(b: BlogImage) -> int:
    """The floor of the image's requirements, from the library (the CLI must report it)."""
    return sizefloor.estimate(
        str(b.requirements),
        python="3.11",
        platform="linux/amd64",
        index_url=b.index_url,
        use_pip_config=False,
        use_cache=False,
        compile_bytecode=False,
    ).totals.installed_bytes


@dataclass(frozen=True)
class BlogExpected:
    """The blog image's findings, worked out from the members its layers write."""

    findings: dict[str, int]
    """Kind -> bytes, for the findings in the image other than application folders."""
    folders: dict[str, int]
    hidden: int
    duplicate: int

    @classmethod
    def of(cls, p: dict[str, dict[str, bytes]]) -> BlogExpected:
        size = {name: total(files) for name, files in p.items()}
        findings = {
            "vcs": size["git"],
            "stale-python": size["stale"],
            "pip-cache": size["pip_cache"],
            "apt-cache": size["apt"],
            "bytecode-cache": size["pip_pycache"] + size["src_pycache"],
            "compilers": size["compilers"],
            "extra-packages": size["extras"] + size["base_pip"],
            "base": size["os"] - len(p["os"]["var/lib/dpkg/status"]) + size["python"],
            "system": size["system"]
            + len(p["dpkg_lists"]["var/lib/dpkg/status"])
            + len(p["dpkg_lists"]["var/lib/dpkg/info/gcc-12.list"])
            + len(p["dpkg_lists"]["var/lib/dpkg/info/libpq-dev.list"]),
        }
        folders = {"/app/data": size["data"], "/app/src": size["src"], "/app": size["app_top"]}
        return cls(
            findings,
            folders,
            hidden=size["deleted_later"] + len(p["os"]["var/lib/dpkg/status"]),  # rm'd, rewritten
            duplicate=size["src"] + size["src_pycache"],  # chmod -R rewrote them unchanged
        )


def installed_of(files: Mapping[str, bytes], top: str) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if f"/{top}" in path}


def test_without_requirements_lists_findings_only(
    blog_image: BlogImage, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["image", str(blog_image.path), "--format", "json"], capsys)
    assert code == 0, err
    report = json.loads(out)
    assert report["floor"] is None and report["coverage"] is None
    kinds = {f["kind"] for f in report["findings"]}
    assert {"vcs", "pip-cache", "base"} <= kinds and "extra-packages" not in kinds
    assert report["accounted"]["python-packages"] > 0


def test_floor_with_a_runtime_compares_the_base_with_it(blog_image: BlogImage) -> None:
    image = read_image(blog_image.path)
    runtime = 3_000_000
    floor = floor_report(
        {"webapp-core": 300_000, "helper": 200_000},
        runtime,
        target={"python": "3.11", "platform": "linux/amd64"},
    )
    result = audit(image, floor)
    found = {c.kind: c for c in result.findings}
    parts = blog_image.parts
    base_files = {**parts["os"], **parts["python"], **parts["base_pip"]}
    del base_files["var/lib/dpkg/status"]  # rewritten by the apt-get layer
    assert found["base"].bytes == total(base_files) - runtime
    assert "python:3.11-slim" in found["base"].title
    # the base pip is part of the base now, not an extra package
    extras = {name for name, _ in found["extra-packages"].items}
    assert not any(name.startswith("pip ") for name in extras)


def test_compare_layers_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    built = docker_save(tmp_path / "img.tar", small_layers(), history=SMALL_HISTORY)
    code, out, _ = run_cli(["image", str(built.path)], capsys)
    assert code == 0
    assert "RUN make-things" in out and "RUN tidy-up" in out
    assert "files hidden by a later layer" in out


@pytest.mark.slow
def test_members_are_not_all_read_into_memory(tmp_path: Path) -> None:
    """A layer far larger than any buffer is streamed: reading works and sizes are exact."""
    big = blob(24 << 20, "big")
    built = oci_layout(tmp_path / "layout", [Layer([file("big.bin", big)], compression="gzip")])
    image = read_image(built.path)
    assert image.real_bytes == len(big)
    assert image.layers[0].tar_bytes == len(built.layer_tars[0])


def test_layer_helper_is_a_real_tar() -> None:
    data = layer_tar([file("a", b"1"), directory("d"), symlink("l", "a"), Member("file", "b")])
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        assert tar.getnames() == ["a", "d", "l", "b"]
    assert compress(data, "gzip")[:2] == b"\x1f\x8b"


def test_base_puts_the_runtime_in_the_floor(
    blog_image: BlogImage, capsys: pytest.CaptureFixture[str]
) -> None:
    if "base" not in {f.name for f in fields(Options)}:
        pytest.skip("this sizefloor has no --base")
    b = blog_image
    argv = [
        "image", str(b.path), "-r", str(b.requirements), "--isolated", "--index-url",
        b.index_url, "--no-cache", "--no-compile", "--base", "python:3.11-slim", "--format", "json",
    ]  # fmt: skip
    code, out, err = run_cli(argv, capsys)
    assert code == 0, err
    report = json.loads(out)
    floor = report["floor"]
    assert floor["runtime"] == "python:3.11-slim" and floor["runtime_bytes"] > 0
    assert floor["installed_bytes"] == floor["runtime_bytes"] + floor["dependencies_bytes"]
    # this test image's base layers are far smaller than the real runtime: nothing beyond it
    assert "base" not in {f["kind"] for f in report["findings"]}
    assert report["accounted"]["runtime"] > 0
