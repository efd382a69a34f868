"""Host names looked up once per run, and never left waiting on a lost answer.

Every new connection httpx opens looks its host up again: with 16 connections
to the index and 16 to its file host, a run asks the system resolver about 30
times. A resolver that loses a UDP answer now and then (common behind container
and VPN resolvers) makes glibc wait its full timeout, 5 s by default, and then
the whole run waits on that connection. On the machine ``docs/performance.md``
was measured on, one cold run in three of the ML case took 5 s longer this way.

So :class:`Resolver` looks each (host, port) up once per process, shares the
answer with every connection, and *hedges*: when an answer has not come after
:data:`HEDGE_AFTER` seconds it asks again in parallel (the first answer wins),
up to :data:`ATTEMPTS` questions. :class:`ResolvingBackend` is the httpcore
network backend that connects through it: TLS still verifies and sends the
host name (httpcore passes the origin's host as the server name), only the
lookup changes. Addresses are tried in the order the system gives them.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any

import httpcore

from sizefloor.net.deadline import BoundedStream, limit

HEDGE_AFTER = 0.3
"""Seconds a lookup may take before the same question is asked again."""

ATTEMPTS = 4
"""Questions asked in parallel at most, before the slowest answer decides."""


class Resolver:
    """``getaddrinfo`` once per (host, port) and run, hedged."""

    def __init__(self, hedge_after: float = HEDGE_AFTER, attempts: int = ATTEMPTS) -> None:
        self.hedge_after = hedge_after
        self.attempts = attempts
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, int], Future[list[str]]] = {}
        self.lookups = 0
        """Questions asked of the system resolver (for tests)."""

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses of ``host``, in the system's order of preference; an IP
        literal is its own answer. Raises what ``getaddrinfo`` raised when it has
        none (:class:`OSError`, or :class:`UnicodeError` for a malformed name)."""
        if _is_ip(host):
            return [host.strip("[]")]
        key = (host, port)
        with self._lock:
            answer = self._answers.get(key)
            asking = answer is None
            if answer is None:
                answer = self._answers[key] = Future()
        if asking:
            try:
                answer.set_result(self._ask(host, port))
            except Exception as exc:
                with self._lock:
                    del self._answers[key]  # a later connection asks again
                answer.set_exception(exc)
        return answer.result()

    def _ask(self, host: str, port: int) -> list[str]:
        pending = {self._lookup(host, port)}
        asked = 1
        while True:
            timeout = self.hedge_after if asked < self.attempts else None
            done, pending = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            error: BaseException | None = None
            for future in done:
                error = future.exception()
                if error is None:
                    return future.result()
            if not pending and error is not None:
                raise error  # every question answered, with an error
            if not done:  # no answer in time: ask again
                pending.add(self._lookup(host, port))
                asked += 1

    def _lookup(self, host: str, port: int) -> Future[list[str]]:
        """One question, on a daemon thread: a lost answer must not keep the
        process alive at exit."""
        future: Future[list[str]] = Future()
        with self._lock:
            self.lookups += 1

        def ask() -> None:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except Exception as exc:  # handed to the asking thread
                future.set_exception(exc)
            else:
                future.set_result(_unique(str(info[4][0]) for info in infos))

        threading.Thread(target=ask, name="sizefloor-dns", daemon=True).start()
        return future


class ResolvingBackend(httpcore.SyncBackend):
    """httpcore's synchronous backend, with host names looked up by a :class:`Resolver`,
    and every stream bounded by the deadline of the exchange using it
    (:mod:`sizefloor.net.deadline`)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = limit(timeout)
        try:
            addresses = self.resolver.addresses(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"{host}: {exc}") from exc
        error: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                stream = super().connect_tcp(
                    address, port, timeout, local_address, socket_options=socket_options
                )
                return BoundedStream(stream)
            except httpcore.ConnectError as exc:
                error = exc
        assert error is not None
        raise error


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _unique(addresses: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(addresses))
