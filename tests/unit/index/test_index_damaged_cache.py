"""A cached index page damaged on disk is fetched again (with a warning), not blamed on the
index; offline, it is a miss."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from indexserver import IndexServer
from projects import build_graph

from sizefloor.cache import Cache
from sizefloor.errors import OfflineMiss
from sizefloor.index.finder import Finder
from sizefloor.index.pages import JSON_TYPE
from sizefloor.net.http import Http


def test_a_damaged_cached_page_is_fetched_again(
    tmp_path: Path, index_server: Callable[..., IndexServer]
) -> None:
    server = index_server(build_graph(tmp_path / "wheels"))
    url = f"{server.simple_url}lib/"
    cache = Cache(tmp_path / "cache")
    damaged = {"body": b"{not json", "url": url, "content_type": JSON_TYPE, "etag": '"x"'}
    cache.set_page(url, damaged)
    with Http() as http:
        finder = Finder(http, cache, index_urls=[server.simple_url])
        files = finder.project("lib").files
    assert sorted(str(f.version) for f in files if f.is_wheel) == ["1.0", "2.0"]
    assert finder.warnings == [f"the cached copy of {url} could not be read; fetched again"]
    cache.close()


def test_offline_a_damaged_cached_page_is_a_miss(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/simple/lib/"
    cache = Cache(tmp_path / "cache", offline=True)
    cache.set_page(url, {"body": b"{not json", "url": url, "content_type": JSON_TYPE})
    with Http() as http:
        finder = Finder(http, cache, index_urls=["http://127.0.0.1:9/simple/"])
        with pytest.raises(OfflineMiss):
            finder.project("lib")
    cache.close()
