"""Tests of the test infrastructure itself: wheel builders, the index server, pypiserver."""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import struct
import tarfile
import time
import zipfile
from collections.abc import Iterator
from datetime import datetime, timezone
from email.parser import BytesHeaderParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from conftest import IndexServerFactory, PypiserverFactory
from wheelbuilder import (
    build_sdist,
    build_wheel,
    make_files,
    metadata_of,
    normalize_dist_name,
    record_hash,
)

JSON = "application/vnd.pypi.simple.v1+json"
PIP_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, "
    "text/html; q=0.01"
)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._current: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._current = dict(attrs)

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self.anchors.append((self._current, data))
            self._current = None


def anchors(page: str) -> dict[str, dict[str, str | None]]:
    """link text -> attributes (values already HTML-unescaped by the parser)."""
    parser = _Anchors()
    parser.feed(page)
    return {text: attrs for attrs, text in parser.anchors}


def eocd(blob: bytes) -> tuple[int, int, int]:
    """(entry count, central directory size, central directory offset) from the plain EOCD."""
    at = blob.rfind(b"PK\x05\x06")
    _sig, _d, _cd, _n, count, size, offset, _clen = struct.unpack_from("<4s4H2LH", blob, at)
    return count, size, offset


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as c:
        yield c


@pytest.fixture
def dists(tmp_path: Path) -> dict[str, Path]:
    """A directory of distributions: two versions of Foo.Bar (+ sdist) and one of other."""
    root = tmp_path / "dists"
    return {
        "foo1": build_wheel(
            root,
            "Foo.Bar",
            "1.0",
            files={"foo_bar/__init__.py": b"VALUE = 1\n" * 300},
            requires_dist=["other>=1"],
            requires_python=">=3.8,<4",
        ),
        "foo2": build_wheel(
            root, "Foo.Bar", "2.0", files={"foo_bar/__init__.py": b"VALUE = 2\n" * 500}
        ),
        "foo_sdist": build_sdist(root, "Foo.Bar", "2.0", requires_dist=["other"]),
        "other": build_wheel(
            root, "other", "1.5", files={"other.py": make_files(1, 5000)["pkg/mod00000.py"]}
        ),
    }


# ---------------------------------------------------------------------------------------------
# wheelbuilder
# ---------------------------------------------------------------------------------------------


def test_wheel_is_valid_and_record_matches(tmp_path: Path) -> None:
    wheel = build_wheel(
        tmp_path,
        "My.Package",
        "1.2.3",
        files={"my_package/b.py": b"b = 2\n", "my_package/__init__.py": b"a = 1\n"},
        requires_dist=["requests>=2", "rich; extra == 'cli'"],
        requires_python=">=3.9",
        entry_points={"console_scripts": {"mytool": "my_package:main"}},
        data={"scripts/tool": b"#!python\nprint(1)\n", "headers/h.h": b"int x;\n"},
        extra_metadata=["Provides-Extra: cli"],
        dist_info_extra={"licenses/LICENSE": b"MIT\n"},
    )
    assert wheel.name == "my_package-1.2.3-py3-none-any.whl"
    di = "my_package-1.2.3.dist-info"
    with zipfile.ZipFile(wheel) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        assert names == [
            "my_package/__init__.py",
            "my_package/b.py",
            "my_package-1.2.3.data/headers/h.h",
            "my_package-1.2.3.data/scripts/tool",
            f"{di}/METADATA",
            f"{di}/WHEEL",
            f"{di}/entry_points.txt",
            f"{di}/licenses/LICENSE",
            f"{di}/RECORD",
        ]
        rows = list(csv.reader(io.StringIO(zf.read(f"{di}/RECORD").decode())))
        assert rows[-1] == [f"{di}/RECORD", "", ""]
        assert [r[0] for r in rows] == names
        for path, digest, size in rows[:-1]:
            content = zf.read(path)
            expected = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode()
            assert int(size) == len(content) == zf.getinfo(path).file_size
        meta = BytesHeaderParser().parsebytes(zf.read(f"{di}/METADATA"))
        assert meta["Metadata-Version"] == "2.1"
        assert meta["Name"] == "My.Package"
        assert meta["Version"] == "1.2.3"
        assert meta["Requires-Python"] == ">=3.9"
        assert meta.get_all("Requires-Dist") == ["requests>=2", "rich; extra == 'cli'"]
        assert meta["Provides-Extra"] == "cli"
        wheel_meta = BytesHeaderParser().parsebytes(zf.read(f"{di}/WHEEL"))
        assert wheel_meta["Wheel-Version"] == "1.0"
        assert wheel_meta["Root-Is-Purelib"] == "true"
        assert wheel_meta.get_all("Tag") == ["py3-none-any"]
        assert (
            zf.read(f"{di}/entry_points.txt")
            .decode()
            .startswith("[console_scripts]\nmytool = my_package:main\n")
        )
        script = zf.getinfo("my_package-1.2.3.data/scripts/tool")
        assert (script.external_attr >> 16) & 0o111
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
    assert metadata_of(wheel) == zipfile.ZipFile(wheel).read(f"{di}/METADATA")


def test_wheel_build_tag_platlib_stored_and_record_twice(tmp_path: Path) -> None:
    wheel = build_wheel(
        tmp_path,
        "native",
        "0.1",
        files={"native/_ext.so": b"\x7fELF" + bytes(100)},
        tag="cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
        build="7",
        compression=zipfile.ZIP_STORED,
        record_twice=["native/_ext.so"],
    )
    assert wheel.name == "native-0.1-7-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    with zipfile.ZipFile(wheel) as zf:
        wheel_meta = BytesHeaderParser().parsebytes(zf.read("native-0.1.dist-info/WHEEL"))
        assert wheel_meta["Root-Is-Purelib"] == "false"
        assert wheel_meta["Build"] == "7"
        assert wheel_meta.get_all("Tag") == [
            "cp311-cp311-manylinux2014_x86_64",
            "cp311-cp311-manylinux_2_17_x86_64",
        ]
        assert all(i.compress_size == i.file_size for i in zf.infolist())
        record = zf.read("native-0.1.dist-info/RECORD").decode().splitlines()
    ext_lines = [line for line in record if line.startswith("native/_ext.so,")]
    assert len(ext_lines) == 2 and ext_lines[0] == ext_lines[1]
    with pytest.raises(ValueError, match="record_twice"):
        build_wheel(tmp_path / "x", "native", "0.1", record_twice=["missing.py"])


def test_wheel_is_reproducible(tmp_path: Path) -> None:
    kwargs: dict[str, Any] = {"files": make_files(30, 700), "data": {"scripts/s": b"x"}}
    a = build_wheel(tmp_path / "a", "repro", "1", **kwargs)
    b = build_wheel(tmp_path / "b", "repro", "1", **kwargs)
    assert a.read_bytes() == b.read_bytes()
    assert normalize_dist_name("Foo-Bar.baz__Qux") == "foo_bar_baz_qux"
    assert record_hash(b"") == "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"


def test_zip64_wheel_has_zip64_records_and_stays_readable(tmp_path: Path) -> None:
    files = {"z/__init__.py": b"print('zip64')\n" * 40, "z/data.bin": bytes(range(256)) * 8}
    plain = build_wheel(tmp_path / "plain", "zed", "1", files=files)
    z64 = build_wheel(tmp_path / "z64", "zed", "1", files=files, force_zip64=True)
    plain_blob, blob = plain.read_bytes(), z64.read_bytes()
    assert b"PK\x06\x06" not in plain_blob and b"PK\x06\x07" not in plain_blob

    # zip64 EOCD record, then its locator, then the classic EOCD with saturated fields.
    count, cd_size, cd_offset = eocd(blob)
    assert (count, cd_size, cd_offset) == (0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    eocd_at = blob.rfind(b"PK\x05\x06")
    locator_at = eocd_at - 20
    assert blob[locator_at : locator_at + 4] == b"PK\x06\x07"
    (z64_at,) = struct.unpack_from("<Q", blob, locator_at + 8)
    assert blob[z64_at : z64_at + 4] == b"PK\x06\x06"
    z_count, z_cd_size, z_cd_offset = struct.unpack_from("<QQQ", blob, z64_at + 32)
    assert z_count == 5
    assert z_cd_offset + z_cd_size == z64_at
    assert blob[z_cd_offset : z_cd_offset + 4] == b"PK\x01\x02"
    # central directory entries keep sizes and offset only in the zip64 extra field
    csize, usize = struct.unpack_from("<LL", blob, z_cd_offset + 20)
    assert (csize, usize) == (0xFFFFFFFF, 0xFFFFFFFF)
    (offset,) = struct.unpack_from("<L", blob, z_cd_offset + 42)
    assert offset == 0xFFFFFFFF

    with zipfile.ZipFile(z64) as zf, zipfile.ZipFile(plain) as zp:
        assert zf.testzip() is None
        assert zf.namelist() == zp.namelist()
        for info in zf.infolist():
            assert zf.read(info) == zp.read(info.filename)
            assert info.file_size == zp.getinfo(info.filename).file_size
            assert info.compress_size == zp.getinfo(info.filename).compress_size
    assert metadata_of(z64) == metadata_of(plain)


def test_make_files_gives_a_central_directory_over_one_megabyte(tmp_path: Path) -> None:
    files = make_files(20_000, 40)
    assert len(files) == 20_000
    assert all(len(content) == 40 for content in files.values())
    assert make_files(3, 100) == make_files(3, 100)
    assert make_files(3, 100) != make_files(3, 100, prefix="other/m")
    sample = make_files(1, 4000)["pkg/mod00000.py"]
    assert 0.1 < len(gzip.compress(sample)) / len(sample) < 0.6  # realistic compressibility
    wheel = build_wheel(tmp_path, "huge", "1", files=files)
    count, cd_size, _offset = eocd(wheel.read_bytes())
    assert count == 20_003
    assert cd_size > 1_000_000


def test_sdist(tmp_path: Path) -> None:
    sdist = build_sdist(
        tmp_path, "Foo.Bar", "2.0", files={"src/foo.py": b"x = 1\n"}, requires_dist=["a>1", "b"]
    )
    assert sdist.name == "foo_bar-2.0.tar.gz"
    with tarfile.open(sdist) as tf:
        assert tf.getnames() == [
            "foo_bar-2.0",
            "foo_bar-2.0/PKG-INFO",
            "foo_bar-2.0/pyproject.toml",
            "foo_bar-2.0/src/foo.py",
        ]
        pkg_info = tf.extractfile("foo_bar-2.0/PKG-INFO")
        assert pkg_info is not None
        meta = BytesHeaderParser().parsebytes(pkg_info.read())
        pyproject = tf.extractfile("foo_bar-2.0/pyproject.toml")
        assert pyproject is not None
        assert b'name = "Foo.Bar"' in pyproject.read()
    assert meta["Metadata-Version"] == "2.2"
    assert meta["Name"] == "Foo.Bar"
    assert meta.get_all("Requires-Dist") == ["a>1", "b"]
    assert (
        build_sdist(
            tmp_path / "again",
            "Foo.Bar",
            "2.0",
            files={"src/foo.py": b"x = 1\n"},
            requires_dist=["a>1", "b"],
        ).read_bytes()
        == sdist.read_bytes()
    )


# ---------------------------------------------------------------------------------------------
# IndexServer: files and ranges
# ---------------------------------------------------------------------------------------------


def test_ranges_return_exact_bytes(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    wheel = dists["foo1"]
    disk = wheel.read_bytes()
    total = len(disk)
    srv = index_server(wheel.parent)
    url = srv.file_url(wheel.name)
    assert srv.url.startswith("http://127.0.0.1:") and srv.simple_url == srv.url + "/simple/"

    full = client.get(url)
    assert full.status_code == 200 and full.content == disk
    assert full.headers["accept-ranges"] == "bytes"
    assert full.headers["etag"] == f'"{hashlib.sha256(disk).hexdigest()}"'
    assert "content-encoding" not in full.headers

    cases = {
        "bytes=10-99": (10, 99),
        f"bytes={total - 30}-": (total - 30, total - 1),
        "bytes=-22": (total - 22, total - 1),
        f"bytes=-{total + 500}": (0, total - 1),  # longer suffix than the file: whole file
        f"bytes=5-{total + 1000}": (5, total - 1),  # end past the file is clamped
        "bytes=0-0": (0, 0),
    }
    for header, (first, last) in cases.items():
        r = client.get(url, headers={"Range": header})
        assert r.status_code == 206, header
        assert r.content == disk[first : last + 1], header
        assert r.headers["content-range"] == f"bytes {first}-{last}/{total}", header
        assert r.headers["content-length"] == str(last - first + 1), header

    for header in (f"bytes={total}-", f"bytes={total + 5}-{total + 10}", "bytes=-0"):
        r = client.get(url, headers={"Range": header})
        assert r.status_code == 416, header
        assert r.headers["content-range"] == f"bytes */{total}", header
        assert r.content == b""

    # ignored (RFC 9110): multiple ranges, malformed, other units -> 200 full
    for header in ("bytes=0-1,5-6", "bytes=9-3", "items=0-5", "bytes=abc"):
        r = client.get(url, headers={"Range": header})
        assert r.status_code == 200 and r.content == disk, header


def test_head_validators_and_missing_files(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    wheel = dists["foo1"]
    disk = wheel.read_bytes()
    srv = index_server(wheel.parent)
    url = srv.file_url(wheel.name)
    head = client.head(url)
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(disk))
    assert head.headers["accept-ranges"] == "bytes"
    etag = head.headers["etag"]

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    r = client.get(url, headers={"Range": "bytes=0-3", "If-Range": etag})
    assert r.status_code == 206 and r.content == disk[:4]
    r = client.get(url, headers={"Range": "bytes=0-3", "If-Range": '"stale"'})
    assert r.status_code == 200 and r.content == disk

    srv.content_length_on_head = False
    head = client.head(url)
    assert head.status_code == 200 and "content-length" not in head.headers

    assert client.get(srv.url + "/files/nope-1.0-py3-none-any.whl").status_code == 404
    assert client.get(srv.url + "/files/../etc/passwd").status_code == 404
    assert client.get(srv.url + "/elsewhere").status_code == 404


def test_ranges_off_and_suffix_ranges_off(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    wheel = dists["foo1"]
    disk = wheel.read_bytes()
    total = len(disk)
    srv = index_server(wheel.parent, ranges=False)
    url = srv.file_url(wheel.name)
    for header in ("bytes=0-9", "bytes=-10", f"bytes={total + 1}-"):
        r = client.get(url, headers={"Range": header})
        assert r.status_code == 200 and r.content == disk
        assert "accept-ranges" not in r.headers and "content-range" not in r.headers
    assert "accept-ranges" not in client.head(url).headers

    srv.ranges = True
    srv.suffix_ranges = False
    r = client.get(url, headers={"Range": "bytes=-10"})
    assert r.status_code == 416 and r.headers["content-range"] == f"bytes */{total}"
    r = client.get(url, headers={"Range": "bytes=3-12"})
    assert r.status_code == 206 and r.content == disk[3:13]
    r = client.get(url, headers={"Range": f"bytes={total - 10}-"})
    assert r.status_code == 206 and r.content == disk[-10:]


def test_metadata_file(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    wheel = dists["foo1"]
    srv = index_server(wheel.parent)
    r = client.get(srv.file_url(wheel.name) + ".metadata")
    assert r.status_code == 200
    assert r.content == metadata_of(wheel)
    assert b"Requires-Python: >=3.8,<4" in r.content
    assert client.get(srv.file_url(dists["foo_sdist"].name) + ".metadata").status_code == 404
    srv.metadata = False
    assert client.get(srv.file_url(wheel.name) + ".metadata").status_code == 404


# ---------------------------------------------------------------------------------------------
# IndexServer: index pages
# ---------------------------------------------------------------------------------------------


def test_json_project_page(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    when = datetime(2023, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
    srv = index_server(
        dists["foo1"].parent,
        upload_times={dists["foo2"].name: when},
        yanked={dists["foo1"].name: "broken build"},
    )
    r = client.get(srv.simple_url + "foo-bar/", headers={"Accept": JSON})
    assert r.status_code == 200
    assert r.headers["content-type"] == JSON
    page = r.json()
    assert page["meta"] == {"api-version": "1.1"}
    assert page["name"] == "foo-bar"
    assert page["versions"] == ["1.0", "2.0"]
    by_name = {f["filename"]: f for f in page["files"]}
    assert sorted(by_name) == sorted([dists["foo1"].name, dists["foo2"].name, "foo_bar-2.0.tar.gz"])

    # default upload times: 2024-01-01T00:00:00Z + index in the sorted list of all files
    all_names = sorted(p.name for p in dists.values())
    for key in ("foo1", "foo2", "foo_sdist"):
        path = dists[key]
        entry = by_name[path.name]
        disk = path.read_bytes()
        assert entry["size"] == len(disk)
        assert entry["hashes"] == {"sha256": hashlib.sha256(disk).hexdigest()}
        assert entry["url"] == f"../../files/{path.name}"
        fetched = client.get(urljoin(str(r.url), entry["url"]))
        assert fetched.content == disk
        if key == "foo2":
            assert entry["upload-time"] == "2023-05-06T07:08:09.123456Z"
        else:
            second = all_names.index(path.name)
            assert entry["upload-time"] == f"2024-01-01T00:00:{second:02d}.000000Z"
    foo1, foo2, sdist = (by_name[dists[k].name] for k in ("foo1", "foo2", "foo_sdist"))
    assert foo1["requires-python"] == ">=3.8,<4"
    assert foo2["requires-python"] is None
    assert foo1["yanked"] == "broken build" and foo2["yanked"] is False
    meta_sha = hashlib.sha256(metadata_of(dists["foo1"])).hexdigest()
    assert foo1["core-metadata"] == {"sha256": meta_sha}
    assert foo1["data-dist-info-metadata"] == {"sha256": meta_sha}
    assert sdist["core-metadata"] is False

    srv.metadata = False
    srv.absolute_urls = True
    srv.yanked[dists["foo2"].name] = ""
    page = client.get(srv.simple_url + "foo-bar/", headers={"Accept": PIP_ACCEPT}).json()
    by_name = {f["filename"]: f for f in page["files"]}
    foo1, foo2 = by_name[dists["foo1"].name], by_name[dists["foo2"].name]
    assert foo1["core-metadata"] is False and foo1["data-dist-info-metadata"] is False
    assert foo1["url"] == srv.file_url(dists["foo1"].name)
    assert foo2["yanked"] is True


def test_html_project_page(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    srv = index_server(dists["foo1"].parent, yanked={dists["foo1"].name: "bad <b>"})
    r = client.get(srv.simple_url + "foo-bar/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "&gt;=3.8,&lt;4" in r.text  # escaped in the markup
    links = anchors(r.text)
    assert sorted(links) == sorted(p.name for k, p in dists.items() if k.startswith("foo"))
    foo1 = links[dists["foo1"].name]
    sha = hashlib.sha256(dists["foo1"].read_bytes()).hexdigest()
    assert foo1["href"] == f"../../files/{dists['foo1'].name}#sha256={sha}"
    assert foo1["data-requires-python"] == ">=3.8,<4"
    assert foo1["data-yanked"] == "bad <b>"
    meta_sha = hashlib.sha256(metadata_of(dists["foo1"])).hexdigest()
    assert foo1["data-core-metadata"] == f"sha256={meta_sha}"
    assert foo1["data-dist-info-metadata"] == f"sha256={meta_sha}"
    foo2 = links[dists["foo2"].name]
    assert "data-requires-python" not in foo2 and "data-yanked" not in foo2
    assert "data-core-metadata" in foo2
    assert "data-core-metadata" not in links["foo_bar-2.0.tar.gz"]
    href = str(foo1["href"]).split("#")[0]
    assert client.get(urljoin(str(r.url), href)).content == dists["foo1"].read_bytes()

    srv.metadata = False
    links = anchors(client.get(srv.simple_url + "foo-bar/").text)
    assert "data-core-metadata" not in links[dists["foo1"].name]
    assert "data-dist-info-metadata" not in links[dists["foo1"].name]

    # json_api off: HTML whatever Accept says
    srv.json_api = False
    r = client.get(srv.simple_url + "foo-bar/", headers={"Accept": JSON})
    assert r.headers["content-type"].startswith("text/html")
    # content negotiation by q value
    srv.json_api = True
    prefer_html = f"{JSON}; q=0.2, text/html"
    r = client.get(srv.simple_url + "foo-bar/", headers={"Accept": prefer_html})
    assert r.headers["content-type"].startswith("text/html")
    r = client.get(srv.simple_url + "foo-bar/", headers={"Accept": PIP_ACCEPT})
    assert r.headers["content-type"] == JSON


def test_project_list_redirects_404_and_rescan(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    root = dists["foo1"].parent
    srv = index_server(root)
    r = client.get(srv.simple_url)
    assert anchors(r.text) == {"foo-bar": {"href": "foo-bar/"}, "other": {"href": "other/"}}
    r = client.get(srv.simple_url, headers={"Accept": JSON})
    assert r.json() == {
        "meta": {"api-version": "1.1"},
        "projects": [{"name": "foo-bar"}, {"name": "other"}],
    }
    for wrong in ("Foo.Bar/", "FOO_BAR/", "foo-bar"):
        r = client.get(srv.simple_url + wrong)
        assert r.status_code == 301, wrong
        assert r.headers["location"] == "/simple/foo-bar/"
    r = client.get(srv.simple_url + "Foo.Bar/", follow_redirects=True)
    assert r.status_code == 200 and str(r.url).endswith("/simple/foo-bar/")
    assert client.get(srv.simple_url + "nothing-here/").status_code == 404

    late = build_wheel(root, "Late_Comer", "0.1")
    r = client.get(srv.simple_url + "late-comer/", headers={"Accept": JSON})
    assert [f["filename"] for f in r.json()["files"]] == [late.name]
    assert client.get(srv.file_url(late.name)).content == late.read_bytes()


def test_gzip_pages_but_not_files(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    srv = index_server(dists["foo1"].parent)
    page_url = srv.simple_url + "foo-bar/"
    for accept in (JSON, "text/html"):
        with client.stream(
            "GET", page_url, headers={"Accept": accept, "Accept-Encoding": "gzip"}
        ) as r:
            raw = b"".join(r.iter_raw())
        assert r.headers["content-encoding"] == "gzip"
        assert int(r.headers["content-length"]) == len(raw)
        plain = client.get(page_url, headers={"Accept": accept, "Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert gzip.decompress(raw) == plain.content
    srv.clear_log()
    r = client.get(srv.file_url(dists["foo1"].name), headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers
    assert r.content == dists["foo1"].read_bytes()
    srv.gzip_pages = False
    r = client.get(page_url, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers


def test_basic_auth(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    srv = index_server(dists["foo1"].parent, auth=("alice", "s3cret"))
    file_url = srv.file_url(dists["foo1"].name)
    for url in (srv.simple_url, srv.simple_url + "foo-bar/", file_url):
        r = client.get(url)
        assert r.status_code == 401, url
        assert r.headers["www-authenticate"].startswith("Basic")
        assert client.get(url, auth=("alice", "wrong")).status_code == 401
        assert client.get(url, auth=("alice", "s3cret")).status_code == 200
    r = client.get(file_url, auth=("alice", "s3cret"), headers={"Range": "bytes=0-3"})
    assert r.status_code == 206 and r.content == b"PK\x03\x04"


def test_fail_first(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    srv = index_server(dists["foo1"].parent, fail_first=2)
    statuses = [client.get(srv.simple_url).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert srv.fail_first == 0
    srv.fail_first = 1
    r = client.get(srv.file_url(dists["foo1"].name))
    assert r.status_code == 503 and r.headers["retry-after"] == "0"
    assert client.get(srv.file_url(dists["foo1"].name)).status_code == 200


def test_request_log(
    dists: dict[str, Path], index_server: IndexServerFactory, client: httpx.Client
) -> None:
    wheel = dists["foo1"]
    total = wheel.stat().st_size
    srv = index_server(wheel.parent)
    url = srv.file_url(wheel.name)
    client.get(srv.simple_url + "foo-bar/", headers={"Accept": JSON})
    client.get(url, headers={"Range": "bytes=-100"})
    client.get(url, headers={"Range": "bytes=0-9"})
    client.head(url)
    client.get(url)
    client.get(url, headers={"Range": f"bytes={total}-"})
    log = srv.requests
    assert [(r.method, r.status) for r in log] == [
        ("GET", 200),
        ("GET", 206),
        ("GET", 206),
        ("HEAD", 200),
        ("GET", 200),
        ("GET", 416),
    ]
    assert log[0].path == "/simple/foo-bar/" and log[0].accept == JSON and log[0].range is None
    assert log[1].path == f"/files/{wheel.name}" and log[1].range == "bytes=-100"
    assert [r.body_bytes for r in log[1:]] == [100, 10, 0, total, 0]
    assert log[1].headers["range"] == "bytes=-100"
    assert srv.bytes_sent() == 100 + 10 + total
    assert srv.bytes_sent("/simple/") == log[0].body_bytes > 0
    assert srv.bytes_sent("/") == srv.bytes_sent() + log[0].body_bytes
    srv.clear_log()
    assert srv.requests == [] and srv.bytes_sent() == 0


def test_server_stops_with_open_keepalive_connections(
    dists: dict[str, Path], index_server: IndexServerFactory
) -> None:
    srv = index_server(dists["foo1"].parent)
    url = srv.simple_url
    with httpx.Client() as c:
        assert c.get(url).status_code == 200  # leaves a pooled keep-alive connection open
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 2
        with pytest.raises(httpx.TransportError):
            c.get(url, timeout=2)
    srv.stop()  # idempotent


# ---------------------------------------------------------------------------------------------
# pypiserver
# ---------------------------------------------------------------------------------------------


def test_pypiserver_serves_wheels_html_only_with_ranges(
    dists: dict[str, Path], pypiserver: PypiserverFactory, client: httpx.Client
) -> None:
    wheel = dists["foo1"]
    disk = wheel.read_bytes()
    total = len(disk)
    simple = pypiserver(wheel.parent)
    assert simple.startswith("http://127.0.0.1:") and simple.endswith("/simple/")

    r = client.get(simple + "foo-bar/", headers={"Accept": PIP_ACCEPT})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")  # no PEP 691 JSON
    links = anchors(r.text)
    sha = hashlib.sha256(disk).hexdigest()
    assert links[wheel.name]["href"] == f"/packages/{wheel.name}#sha256={sha}"
    assert "data-requires-python" not in links[wheel.name]
    assert "data-core-metadata" not in links[wheel.name]
    assert "foo-bar" in anchors(client.get(simple).text)
    assert client.get(simple + "Foo.Bar/").status_code == 301
    assert client.get(simple + "nothing-here/").status_code == 404

    file_url = urljoin(simple, f"/packages/{wheel.name}")
    full = client.get(file_url)
    assert full.status_code == 200 and full.content == disk
    assert full.headers["accept-ranges"] == "bytes"
    assert client.get(file_url + ".metadata").status_code == 404

    for header, (first, last) in {
        "bytes=10-99": (10, 99),
        "bytes=-22": (total - 22, total - 1),
        f"bytes={total - 30}-": (total - 30, total - 1),
    }.items():
        r = client.get(file_url, headers={"Range": header})
        assert r.status_code == 206, header
        assert r.content == disk[first : last + 1]
        assert r.headers["content-range"] == f"bytes {first}-{last}/{total}"
    r = client.get(file_url, headers={"Range": f"bytes={total}-"})
    assert r.status_code == 416 and "content-range" not in r.headers
    r = client.get(file_url, headers={"Range": "bytes=0-1,5-6"})  # first range only
    assert r.status_code == 206 and r.content == disk[:2]
    r = client.head(file_url, headers={"Range": "bytes=0-3"})
    assert r.status_code == 206 and r.headers["content-length"] == "4"

    late = build_wheel(wheel.parent, "late", "1.0")  # simple-dir backend: no restart needed
    assert late.name in anchors(client.get(simple + "late/").text)
