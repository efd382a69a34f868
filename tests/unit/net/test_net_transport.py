"""Per-origin connection pools (:class:`sizefloor.net.transport.PerOrigin`), on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from indexserver import IndexServer
from wheelbuilder import build_wheel

from sizefloor.net.dns import Resolver
from sizefloor.net.transport import PerOrigin

LIMITS = httpx.Limits(max_connections=1, max_keepalive_connections=1)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("origins")
    build_wheel(root, "lib", "1.0", files={"lib/__init__.py": b"x = 1\n" * 1000})
    return root


@pytest.fixture
def two_servers(files: Path) -> Iterator[tuple[IndexServer, IndexServer]]:
    with IndexServer(files) as first, IndexServer(files) as second:
        yield first, second


def client(transport: PerOrigin) -> httpx.Client:
    return httpx.Client(transport=transport)


def test_each_origin_gets_a_pool_of_its_own(
    two_servers: tuple[IndexServer, IndexServer],
) -> None:
    first, second = two_servers
    transport = PerOrigin(Resolver(), verify=True, cert=None, limits=LIMITS)
    with client(transport) as http:
        # one connection allowed a pool: with one pool for both origins, the second
        # request could not be sent while the first one's body is still being read
        with http.stream("GET", first.simple_url + "lib/") as held:
            assert http.get(second.simple_url + "lib/").status_code == 200
            held.read()
        assert http.get(first.simple_url).status_code == 200
        assert transport.origins == [
            f"http://127.0.0.1:{first.port}",
            f"http://127.0.0.1:{second.port}",
        ]
        transport.close()
        assert transport.origins == []
        assert http.get(second.simple_url).status_code == 200  # a new pool, made again
        assert transport.origins == [f"http://127.0.0.1:{second.port}"]


def test_hosts_are_looked_up_once(two_servers: tuple[IndexServer, IndexServer]) -> None:
    first, _ = two_servers
    resolver = Resolver()
    with client(PerOrigin(resolver, verify=True, cert=None, limits=LIMITS)) as http:
        for _ in range(3):
            assert http.get(f"http://localhost:{first.port}/simple/").status_code == 200
        assert http.get(first.simple_url).status_code == 200  # an address: nothing to look up
    assert resolver.lookups == 1


def test_trusted_hosts_by_host_or_host_and_port() -> None:
    transport = PerOrigin(
        Resolver(), verify=True, cert=None, limits=LIMITS, trusted=["Mirror.Local", "other:8443"]
    )
    assert transport.trusts("mirror.local", 443)
    assert transport.trusts("MIRROR.local", 8080)
    assert transport.trusts("other", 8443)
    assert not transport.trusts("other", 443)
    assert not transport.trusts("elsewhere", 443)
