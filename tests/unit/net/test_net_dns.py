"""Host names are looked up once per run, through every connection (sizefloor.net.dns)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import IndexServerFactory

from sizefloor.net.dns import Resolver
from sizefloor.net.http import Http, HttpOptions


@pytest.mark.slow
def test_many_connections_share_one_lookup(
    index_server: IndexServerFactory, tmp_path: Path
) -> None:
    server = index_server(tmp_path)
    url = f"http://localhost:{server.port}/simple/"
    with Http(HttpOptions(concurrency=8)) as http:
        statuses = list(http.map(lambda _: http.get(url).status_code, range(32)))
        assert set(statuses) == {200}
        # If httpx stops taking the backend, connections look hosts up themselves
        # and this count stays at 0: the transport in sizefloor.net.http needs a new way in.
        assert http.resolver is not None
        assert http.resolver.lookups == 1


def test_an_ip_literal_is_not_looked_up() -> None:
    resolver = Resolver()
    assert resolver.addresses("127.0.0.1", 80) == ["127.0.0.1"]
    assert resolver.addresses("[::1]", 80) == ["::1"]
    assert resolver.lookups == 0


def test_a_failed_lookup_is_asked_again_next_time() -> None:
    resolver = Resolver(attempts=1)
    for _ in range(2):
        with pytest.raises(UnicodeError):
            resolver.addresses("a..b", 443)  # an empty label: refused before any network
    assert resolver.lookups == 2


def test_an_unreachable_name_is_a_clear_error(tmp_path: Path) -> None:
    from sizefloor.errors import IndexUnavailable

    with Http(HttpOptions(retries=0)) as http, pytest.raises(IndexUnavailable) as caught:
        http.get("http://a..b/simple/")
    assert "a..b" in str(caught.value)
