"""Source distributions read without building (:mod:`sizefloor.dists.sdist`): dependencies
from PKG-INFO or requires.txt, the estimated installed size, and the cache policy."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from indexserver import IndexServer
from wheelbuilder import build_sdist

from sizefloor.cache import Cache
from sizefloor.dists.sdist import ERROR_SHARE, inspect_sdist, read_sdist
from sizefloor.errors import MetadataUnavailable, OfflineMiss
from sizefloor.index.files import DistFile, make_dist_file
from sizefloor.net.http import Http
from sizefloor.urls import file_url


@pytest.fixture
def http() -> Iterator[Http]:
    with Http() as client:
        yield client


def local(path: Path) -> DistFile:
    name = path.name.split("-")[0]
    dist = make_dist_file(name, path.name, file_url(str(path)), source="test")
    assert dist is not None
    return dist


def write_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return path


def test_dependencies_from_pkg_info(http: Http, tmp_path: Path) -> None:
    files = {"srconly/__init__.py": b"A = 1\n" * 10, "srconly/data.json": b"{}"}
    sdist = build_sdist(tmp_path, "srconly", "1.0", files=files, requires_dist=["lib>=2"])
    info = inspect_sdist(http, local(sdist))
    assert info.filename == sdist.name
    assert info.size == sdist.stat().st_size
    assert info.requires_dist == ("lib>=2",)
    assert info.sources == (60,)  # srconly/__init__.py
    assert 2 in info.others  # data.json, shipped in the package
    assert not info.native
    assert info.directories == 2  # srconly/ and the dist-info
    assert info.source_directories == 1
    assert info.estimated_bytes == sum(info.sources) + sum(info.others)
    assert info.error_bytes == int(info.estimated_bytes * ERROR_SHARE)


def test_requires_txt_when_pkg_info_cannot_say(http: Http, tmp_path: Path) -> None:
    pkg_info = b"Metadata-Version: 2.1\nName: old\nVersion: 1.0\nRequires-Dist: ignored\n"
    requires = (
        b"six\n\n[socks]\npysocks\n\n[:python_version < '3.8']\nzipp\n\n"
        b"[tls:sys_platform == 'win32']\nwincert\n"
    )
    path = write_tar(
        tmp_path / "old-1.0.tar.gz",
        {
            "old-1.0/PKG-INFO": pkg_info,
            "old-1.0/old.egg-info/requires.txt": requires,
            "old-1.0/old.py": b"x = 1\n",
            "old-1.0/setup.py": b"from setuptools import setup\n",
            "old-1.0/tests/test_old.py": b"assert True\n",
            "old-1.0/ext/fast.c": b"int x;\n",
            "old-1.0/LICENSE": b"MIT\n",
        },
    )
    info = inspect_sdist(http, local(path))
    assert info.requires_dist == (
        "six",
        'pysocks; extra == "socks"',
        "zipp; (python_version < '3.8')",
        "wincert; (sys_platform == 'win32') and extra == \"tls\"",
    )
    assert info.sources == (6,)  # old.py: not setup.py, not tests/
    assert info.native  # a C source: a build compiles it
    assert info.error_bytes == info.estimated_bytes
    assert 4 in info.others  # LICENSE, copied into the dist-info


def test_dynamic_requires_dist_falls_back_to_requires_txt(http: Http, tmp_path: Path) -> None:
    pkg_info = b"Metadata-Version: 2.2\nName: dyn\nVersion: 1.0\nDynamic: Requires-Dist\n"
    path = write_tar(
        tmp_path / "dyn-1.0.tar.gz",
        {"dyn-1.0/PKG-INFO": pkg_info, "dyn-1.0/dyn.egg-info/requires.txt": b"attrs\n"},
    )
    assert inspect_sdist(http, local(path)).requires_dist == ("attrs",)


def test_a_zip_sdist(http: Http, tmp_path: Path) -> None:
    path = tmp_path / "zipped-1.0.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "zipped-1.0/PKG-INFO",
            "Metadata-Version: 2.2\nName: zipped\nVersion: 1.0\nRequires-Dist: lib\n",
        )
        archive.writestr("zipped-1.0/zipped/__init__.py", "")
        archive.writestr("zipped-1.0/zipped/", "")
    info = inspect_sdist(http, local(path))
    assert info.requires_dist == ("lib",)
    assert info.sources == (0,)


def test_unreadable_and_missing_sdists(http: Http, tmp_path: Path) -> None:
    broken = tmp_path / "broken-1.0.tar.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(MetadataUnavailable, match="cannot be opened"):
        inspect_sdist(http, local(broken))
    with pytest.raises(MetadataUnavailable, match="answered 404"):
        inspect_sdist(http, local(tmp_path / "gone-1.0.tar.gz"))


def test_remote_sdists_are_cached_and_local_ones_never(http: Http, tmp_path: Path) -> None:
    root = tmp_path / "files"
    sdist = build_sdist(root, "srconly", "1.0", requires_dist=["lib"])
    cache = Cache(tmp_path / "cache")
    try:
        with IndexServer(root) as server:
            remote = make_dist_file(
                "srconly",
                sdist.name,
                server.file_url(sdist.name),
                source="test",
            )
            assert remote is not None
            first = read_sdist(http, cache, remote)
            server.clear_log()
            assert read_sdist(http, cache, remote) == first
            assert server.requests == []
            assert first.fetched == sdist.stat().st_size
        read_sdist(http, cache, local(sdist))
        assert cache.get("sdist", local(sdist).cache_key) is None
        offline = Cache(tmp_path / "cache", offline=True)
        other = make_dist_file("srconly", "srconly-2.0.tar.gz", "http://127.0.0.1:1/x", source="t")
        assert other is not None
        with pytest.raises(OfflineMiss):
            read_sdist(http, offline, other)
        offline.close()
    finally:
        cache.close()
