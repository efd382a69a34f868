"""The httpx client behind :class:`sizefloor.net.http.Http`: per-origin pools for HTTP(S),
the file transport for ``file:``, credentials by host, one DNS lookup a host.

Imported with the first request: a warm run needs no httpx.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from sizefloor.net.auth import HostAuth
from sizefloor.net.dns import Resolver
from sizefloor.net.filetransport import FileTransport
from sizefloor.net.transport import PerOrigin


def make_client(
    *,
    timeout: float,
    concurrency: int,
    cert: str | None,
    client_cert: str | None,
    proxy: str | None,
    trusted_hosts: tuple[str, ...],
    credentials: Mapping[str, tuple[str, str]],
    user_agent: str,
) -> tuple[httpx.Client, Resolver]:
    """The client, and the resolver its connections look hosts up through."""
    resolver = Resolver()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    verify = cert or True
    client = httpx.Client(
        auth=HostAuth(credentials),
        verify=verify,
        cert=client_cert,
        proxy=proxy,
        trust_env=True,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
        follow_redirects=True,
        limits=limits,
        # per origin: see sizefloor.net.transport
        transport=PerOrigin(
            resolver, verify=verify, cert=client_cert, limits=limits, trusted=trusted_hosts
        ),
        mounts={"file://": FileTransport()},
        headers={"User-Agent": user_agent},
    )
    return client, resolver
