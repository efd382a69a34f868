"""The httpx client behind :class:`sizefloor.net.http.Http`: per-origin pools for HTTP(S),
the file transport for ``file:``, credentials by host, one DNS lookup a host.

Imported with the first request: a warm run needs no httpx.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from sizefloor.errors import IndexUnavailable
from sizefloor.net.auth import HostAuth
from sizefloor.net.dns import Resolver
from sizefloor.net.filetransport import FileTransport
from sizefloor.net.transport import PerOrigin
from sizefloor.urls import redact


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
        trust_env=True,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 15.0)),
        follow_redirects=True,
        limits=limits,
        # per origin: see sizefloor.net.transport
        transport=PerOrigin(
            resolver,
            verify=verify,
            cert=client_cert,
            limits=limits,
            trusted=trusted_hosts,
            proxy=proxy,
        ),
        mounts={"file://": FileTransport()},
        headers={"User-Agent": user_agent},
        event_hooks={"response": [_no_redirect_to_files]},
    )
    return client, resolver


def _no_redirect_to_files(response: httpx.Response) -> None:
    """Refuse a redirect from the network to a ``file:`` URL: an index must not make
    sizefloor read this machine's files."""
    location = response.headers.get("location", "")
    network = response.request.url.scheme in ("http", "https")
    if response.is_redirect and network and location.strip().lower().startswith("file:"):
        raise IndexUnavailable(
            f"{redact(str(response.request.url))} redirects to a local file ({location}): refused.",
            hint="An index may redirect to other web addresses only; check the index URL.",
        )
