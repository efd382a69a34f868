"""httpx transports: a connection pool per origin, hosts looked up once.

An index and the host its files live on are two origins. httpx keeps one
connection pool for all of them, with one limit, and its pool (httpcore's)
examines every connection each time a request comes or goes, in time
proportional to the square of their number. With one pool of 16, requests
for one host closed idle connections to the other (a cold run on 56 packages
made 56 TLS connections for 32 needed); with one of 32, those examinations
were a tenth of the run's CPU time. :class:`PerOrigin` gives every origin its
own pool of ``limits``, made on its first request.

Each origin's pool also goes through the proxy :func:`sizefloor.net.proxies.choose_proxy`
picks for it (httpx applies the proxy variables only when it makes the transport itself),
and its connections are bounded by the running exchange's deadline
(:mod:`sizefloor.net.deadline`).

Imported with the first request: a warm run needs no httpx.
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Iterable

import httpcore
import httpx

from sizefloor.errors import InputError
from sizefloor.net.dns import Resolver, ResolvingBackend
from sizefloor.net.proxies import ChosenProxy, choose_proxy
from sizefloor.urls import redact


class PerOrigin(httpx.BaseTransport):
    """One :class:`httpx.HTTPTransport` per (scheme, host, port), each with its
    own connections up to ``limits``."""

    def __init__(
        self,
        resolver: Resolver,
        *,
        verify: str | bool,
        cert: str | None,
        limits: httpx.Limits,
        trusted: Iterable[str] = (),
        proxy: str | None = None,
    ) -> None:
        self.resolver = resolver
        self._proxy = proxy
        """pip's ``proxy`` setting (``None``: not set, the environment decides)."""
        self._ssl = _ssl_context(verify, cert)
        """One for every origin: loading the trust store costs 10-40 ms."""
        self._unverified = _ssl_context(False, cert)
        self._trusted = frozenset(host.lower() for host in trusted)
        """pip's ``trusted-host`` entries: ``host`` (any port) or ``host:port``,
        whose certificates are not verified, as pip does not."""
        self._limits = limits
        self._lock = threading.Lock()
        self._transports: dict[tuple[bytes, bytes, int | None], httpx.HTTPTransport] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        with self._lock:
            transport = self._transports.get(key)
            if transport is None:
                port = url.port or (443 if url.scheme == "https" else 80)
                trusted = self.trusts(url.host, port)
                proxy = self.proxy_for(url.scheme, url.host, url.port)
                transport = self._transports[key] = self._make(trusted, proxy)
        return transport.handle_request(request)

    @property
    def origins(self) -> list[str]:
        """The origins (``scheme://host:port``) that have a pool of their own, in the
        order of their first request."""
        with self._lock:
            keys = list(self._transports)
        return [_origin(*key) for key in keys]

    def trusts(self, host: str, port: int) -> bool:
        """Whether ``host`` on ``port`` is one of pip's trusted hosts."""
        host = host.lower()
        return host in self._trusted or f"{host}:{port}" in self._trusted

    def proxy_for(self, scheme: str, host: str, port: int | None) -> ChosenProxy | None:
        """The proxy the origin's requests go through, ``None`` when they go directly."""
        return choose_proxy(scheme, host, port, configured=self._proxy)

    def close(self) -> None:
        with self._lock:
            transports, self._transports = list(self._transports.values()), {}
        for transport in transports:
            transport.close()

    def _make(self, trusted: bool, proxy: ChosenProxy | None) -> httpx.HTTPTransport:
        """httpx's transport, looking hosts up through the resolver. httpx takes
        no network backend of its own, so it is set on the connection pool it
        made; if a later httpx moves that pool, the transport is left as it is
        (and ``tests/test_dns.py`` says so)."""
        context = self._unverified if trusted else self._ssl
        try:
            transport = httpx.HTTPTransport(
                verify=context,
                limits=self._limits,
                trust_env=False,
                proxy=None if proxy is None else httpx.Proxy(proxy.url),
            )
        except (ImportError, ValueError, httpx.InvalidURL) as exc:
            # socks without socksio, an unknown scheme, a URL that does not parse
            assert proxy is not None
            raise InputError(
                f"The proxy {redact(proxy.url)} (from {proxy.source}) cannot be used: "
                f"{redact(str(exc))}",
                hint="Write it as http://[user:password@]host:port (or https://); "
                "socks5:// needs httpx[socks] installed.",
            ) from exc
        pool = getattr(transport, "_pool", None)
        if isinstance(pool, httpcore.ConnectionPool) and hasattr(pool, "_network_backend"):
            pool._network_backend = ResolvingBackend(self.resolver)
        return transport


def _origin(scheme: bytes, host: bytes, port: int | None) -> str:
    where = host.decode() if port is None else f"{host.decode()}:{port}"
    return f"{scheme.decode()}://{where}"


def _ssl_context(verify: str | bool, cert: str | None) -> ssl.SSLContext:
    """The TLS context of every origin: ``verify`` a CA bundle file or
    directory (pip's ``cert``), ``True`` for httpx's default trust store
    (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set); ``cert`` a client
    certificate (pip's ``client-cert``)."""
    if isinstance(verify, str):
        if os.path.isdir(verify):
            context = ssl.create_default_context(capath=verify)
        else:
            context = ssl.create_default_context(cafile=verify)
    else:
        context = httpx.create_ssl_context(verify=verify, trust_env=True)
    if cert:
        context.load_cert_chain(cert)
    return context
