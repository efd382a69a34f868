"""Local indexes and find-links read through the client (:class:`sizefloor.index.finder.Finder`
over ``file:`` URLs): what pip reads there, and pip's warnings for what is not there."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from wheelbuilder import build_sdist, build_wheel

from sizefloor.cache import Cache
from sizefloor.index.finder import Finder
from sizefloor.net.http import Http
from sizefloor.urls import file_url


@pytest.fixture
def http() -> Iterator[Http]:
    with Http() as client:
        yield client


@pytest.fixture
def links(tmp_path: Path) -> Path:
    root = tmp_path / "wheels"
    build_wheel(root, "lib", "2.0", files={"lib/__init__.py": b"x = 2\n"})
    build_wheel(root, "lib", "1.0", files={"lib/__init__.py": b"x = 1\n"})
    build_sdist(root, "lib", "0.9")
    build_wheel(root, "other", "1.0")
    (root / "README.txt").write_text("not a distribution")
    (root / "index.html").write_text("<a href='nothing.whl'>ignored</a>")
    (root / "sub").mkdir()
    build_wheel(root / "sub", "lib", "3.0")  # not in the folder itself: not listed
    return root


def finder(http: Http, *, index_urls: Sequence[str] = (), find_links: Sequence[str] = ()) -> Finder:
    return Finder(http, Cache(None), index_urls=index_urls, find_links=find_links)


@pytest.mark.parametrize("spelling", ["path", "relative", "url", "url-slash"])
def test_a_find_links_folder_lists_its_files(
    http: Http, links: Path, spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(links.parent)
    location = {
        "path": str(links),
        "relative": "wheels",
        "url": links.as_uri(),
        "url-slash": links.as_uri() + "/",
    }[spelling]
    project = finder(http, find_links=[location]).project("lib")
    assert project.found
    assert [f.filename for f in project.files] == [
        "lib-0.9.tar.gz",
        "lib-1.0-py3-none-any.whl",
        "lib-2.0-py3-none-any.whl",
    ]
    for f in project.files:
        assert f.url == "file:" + str(links / f.filename)  # as pip's url spells it: file:/path
        assert f.size == (links / f.filename).stat().st_size
        assert f.source == location
        assert f.is_local and f.hashes == () and not f.requires_python_listed
    assert http.traffic.requests == 0  # reading the disk is not traffic


def test_a_find_links_page(http: Http, links: Path, tmp_path: Path) -> None:
    page = tmp_path / "links.html"
    page.write_text('<a href="wheels/lib-1.0-py3-none-any.whl#sha256=ab">lib</a>')
    for location in (str(page), page.as_uri()):
        (dist,) = finder(http, find_links=[location]).project("lib").files
        assert dist.url == (links / "lib-1.0-py3-none-any.whl").as_uri()
        assert dist.sha256 == "ab" and dist.size is None


def test_find_links_that_are_not_there_are_skipped(http: Http, links: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    locations = [
        str(tmp_path / "nowhere"),
        (tmp_path / "gone").as_uri(),
        str(tmp_path / "notes.txt"),  # neither a folder nor a page
        str(links),
    ]
    found = finder(http, find_links=locations)
    assert len(found.project("lib").files) == 3
    assert found.warnings == [
        f"skipping --find-links {tmp_path / 'nowhere'}: no such directory",
        f"skipping --find-links {(tmp_path / 'gone').as_uri()}: no such directory",
        f"skipping --find-links {tmp_path / 'notes.txt'}: no such directory",
    ]


@pytest.fixture
def local_index(links: Path, tmp_path: Path) -> Path:
    """A PEP 503 folder: a project folder with an index.html, one without."""
    simple = tmp_path / "simple"
    (simple / "lib").mkdir(parents=True)
    (simple / "lib" / "index.html").write_text(
        '<a href="../../wheels/lib-2.0-py3-none-any.whl">lib-2.0</a>'
        '<a href="../../wheels/lib-1.0-py3-none-any.whl" data-requires-python="&gt;=3">1</a>'
    )
    (simple / "bare").mkdir()
    build_wheel(simple / "bare", "bare", "1.0")
    return simple


def test_a_local_index_is_read_like_a_remote_one(
    http: Http, links: Path, local_index: Path
) -> None:
    found = finder(http, index_urls=[local_index.as_uri()])
    project = found.project("lib")
    assert [(f.filename, f.requires_python) for f in project.files] == [
        ("lib-2.0-py3-none-any.whl", None),
        ("lib-1.0-py3-none-any.whl", ">=3"),
    ]
    assert project.files[0].url == (links / "lib-2.0-py3-none-any.whl").as_uri()
    assert project.files[0].source == local_index.as_uri() + "/"
    # a project folder without index.html is no project page, as for pip
    assert not found.project("bare").found
    assert not found.project("nosuch").found
    assert found.warnings == []


def test_a_local_index_that_is_not_there_is_skipped_once(
    http: Http, local_index: Path, tmp_path: Path
) -> None:
    missing = (tmp_path / "more" / "simple").as_uri()
    found = finder(http, index_urls=[missing, local_index.as_uri()])
    assert found.project("lib").found
    assert not found.project("other").found
    assert found.warnings == [f"skipping the index {missing}/: no such directory"]


def test_file_url_is_absolute_and_quoted(tmp_path: Path) -> None:
    path = tmp_path / "a b" / "ä.whl"
    assert file_url(str(path)) == "file:" + str(tmp_path).replace(" ", "%20") + "/a%20b/%C3%A4.whl"
    assert file_url("rel/x.whl") == "file:" + os.getcwd() + "/rel/x.whl"
