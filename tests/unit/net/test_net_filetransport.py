"""``file:`` URLs read through the client's own calls (:mod:`sizefloor.net.filetransport`):
files, byte ranges, directories as pip reads them, and what is not there."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sizefloor.errors import IndexUnavailable
from sizefloor.net.http import Http, HttpOptions
from sizefloor.net.local import DIRECTORY_TYPE, missing_directory
from sizefloor.urls import file_url

DATA = bytes(range(256)) * 4  # 1024 bytes, each position recognisable


@pytest.fixture
def http() -> Iterator[Http]:
    with Http(HttpOptions(retries=0)) as client:
        yield client


@pytest.fixture
def blob(tmp_path: Path) -> Path:
    path = tmp_path / "some dir ä" / "lib-1.0-py3-none-any.whl"
    path.parent.mkdir()
    path.write_bytes(DATA)
    return path


@pytest.mark.parametrize("spelling", ["file:{path}", "file://{path}", "file://localhost{path}"])
def test_a_file_is_read_whole(http: Http, blob: Path, spelling: str) -> None:
    url = spelling.format(path=file_url(str(blob))[len("file:") :])
    response = http.get(url, kind="files")
    assert response.status_code == 200
    assert response.content == DATA
    assert response.headers["content-length"] == "1024"
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.url == url  # as asked for: page links are resolved against it


def test_local_reads_are_not_network_traffic(http: Http, blob: Path) -> None:
    http.get(file_url(str(blob)), kind="files")
    http.get_range(file_url(str(blob)), 0, 10)
    assert http.traffic.to_json() == dict.fromkeys(http.traffic.to_json(), 0)


def test_a_range_is_answered_with_206(http: Http, blob: Path) -> None:
    result = http.get_range(file_url(str(blob)), 100, 200)
    assert (result.status_code, result.content, result.whole) == (206, DATA[100:200], None)
    response = http.get(file_url(str(blob)), headers={"Range": "bytes=1000-1999"})
    assert response.status_code == 206
    assert response.content == DATA[1000:]
    assert response.headers["content-range"] == "bytes 1000-1023/1024"
    assert response.headers["content-length"] == "24"


@pytest.mark.parametrize(
    ("header", "status", "content"),
    [
        ("bytes=-24", 206, DATA[-24:]),
        ("bytes=-5000", 206, DATA),
        ("bytes=1020-", 206, DATA[1020:]),
        ("bytes=0-0", 206, DATA[:1]),
        ("bytes=1024-", 416, b""),
        ("bytes=0-1,5-6", 200, DATA),  # several ranges: the whole file
        ("bytes=5-2", 200, DATA),  # not a range: ignored
        ("items=0-5", 200, DATA),
    ],
)
def test_range_forms(http: Http, blob: Path, header: str, status: int, content: bytes) -> None:
    response = http.get(file_url(str(blob)), headers={"Range": header})
    assert (response.status_code, response.content) == (status, content)
    if status == 416:
        assert response.headers["content-range"] == "bytes */1024"


def test_head_gives_the_size_alone(http: Http, blob: Path) -> None:
    response = http.get(file_url(str(blob)), method="HEAD")
    assert response.status_code == 200
    assert response.headers["content-length"] == "1024"
    assert response.content == b""


def test_what_is_not_there_is_404(http: Http, tmp_path: Path) -> None:
    assert http.get(file_url(str(tmp_path / "nothing.whl"))).status_code == 404
    assert http.get(file_url(str(tmp_path / "no" / "such" / "dir")) + "/").status_code == 404
    assert http.get_range(file_url(str(tmp_path / "nothing.whl")), 0, 5).status_code == 404


def test_a_directory_is_its_index_html(http: Http, tmp_path: Path) -> None:
    project = tmp_path / "simple" / "lib"
    project.mkdir(parents=True)
    (project / "lib-1.0.tar.gz").write_bytes(b"x")
    accept = {"Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.01"}
    assert http.get(file_url(str(project)) + "/", headers=accept).status_code == 404
    (project / "index.html").write_text("<a href='lib-1.0.tar.gz'>lib</a>")
    response = http.get(file_url(str(project)) + "/", headers=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html"
    assert response.content == b"<a href='lib-1.0.tar.gz'>lib</a>"


def test_a_directory_lists_its_files_when_asked_to(http: Http, tmp_path: Path) -> None:
    (tmp_path / "b-2.0-py3-none-any.whl").write_bytes(b"12345")
    (tmp_path / "a-1.0.tar.gz").write_bytes(b"123")
    (tmp_path / "index.html").write_text("ignored: a find-links directory is all its files")
    (tmp_path / "subdir").mkdir()
    response = http.get(file_url(str(tmp_path)), headers={"Accept": f"text/html, {DIRECTORY_TYPE}"})
    assert response.status_code == 200
    assert response.headers["content-type"] == DIRECTORY_TYPE
    files = json.loads(response.content)["files"]
    assert files == [
        {"filename": "a-1.0.tar.gz", "url": file_url(str(tmp_path / "a-1.0.tar.gz")), "size": 3},
        {
            "filename": "b-2.0-py3-none-any.whl",
            "url": file_url(str(tmp_path / "b-2.0-py3-none-any.whl")),
            "size": 5,
        },
        {"filename": "index.html", "url": file_url(str(tmp_path / "index.html")), "size": 48},
    ]


def test_a_file_of_a_type_not_accepted_is_406(http: Http, blob: Path, tmp_path: Path) -> None:
    page = tmp_path / "links.htm"
    page.write_text("<html></html>")
    accept = {"Accept": f"text/html, {DIRECTORY_TYPE}"}
    assert http.get(file_url(str(blob)), headers=accept).status_code == 406
    assert http.get(file_url(str(page)), headers=accept).status_code == 200
    assert http.get(file_url(str(page)), headers={"Accept": "text/*"}).status_code == 200
    assert http.get(file_url(str(page)), headers={"Accept": "text/html;q=0"}).status_code == 406


def test_only_reading_is_served(blob: Path) -> None:
    import httpx

    from sizefloor.net.filetransport import FileTransport

    with httpx.Client(transport=FileTransport()) as client:
        url = "file://localhost" + file_url(str(blob))[len("file:") :]
        assert client.post(url, content=b"x").status_code == 405
        assert client.get(url).content == DATA


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_an_unreadable_file_is_an_error(http: Http, blob: Path) -> None:
    blob.chmod(0)
    with pytest.raises(IndexUnavailable, match=r"Could not read .*: Permission denied"):
        http.get(file_url(str(blob)))


def test_missing_directory(tmp_path: Path) -> None:
    assert missing_directory(file_url(str(tmp_path / "gone")))
    assert missing_directory(file_url(str(tmp_path / "gone")) + "/simple/")
    assert not missing_directory(file_url(str(tmp_path)))
    assert not missing_directory("http://127.0.0.1:1/simple/")  # not for this machine to say
