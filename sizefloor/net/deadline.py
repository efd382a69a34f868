"""Every wait bounded: a deadline for each response, and one for the whole run.

httpx's timeouts bound each *read*: a server that sends one byte every 20 s under a 30 s
read timeout is never given up on, in its headers as in its body. So every socket a
connection uses is wrapped (:class:`BoundedStream`, put in place by the network backend of
:mod:`sizefloor.net.dns`), and every read and write first asks the :class:`Budget` of the
exchange running on this thread (:func:`bounded`) how long is left: once nothing is left,
it raises :class:`httpcore.ReadTimeout` and :attr:`Budget.passed` says why.

A budget grows with what arrives (:attr:`Budget.per_byte` seconds a byte), so a large file
coming at a fair speed is never cut short, but never past the run's own end.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpcore

__all__ = ["BoundedStream", "Budget", "bounded", "current", "limit"]

_local = threading.local()


class Budget:
    """How long the exchange on this thread may still take."""

    def __init__(
        self, until: float, hard_end: float, clock: Callable[[], float], per_byte: float
    ) -> None:
        self.until = min(until, hard_end)
        self.hard_end = hard_end
        """The run's own end: received bytes never extend the budget past it."""
        self.clock = clock
        self.per_byte = per_byte
        self.passed = False
        """Set when a read or write found no time left."""

    def remaining(self) -> float:
        left = self.until - self.clock()
        if left <= 0:
            self.passed = True
        return left

    def received(self, nbytes: int) -> None:
        self.until = min(self.until + nbytes * self.per_byte, self.hard_end)


@contextlib.contextmanager
def bounded(budget: Budget) -> Iterator[Budget]:
    """Run the block with ``budget`` as this thread's (nested blocks restore the outer)."""
    outer = getattr(_local, "budget", None)
    _local.budget = budget
    try:
        yield budget
    finally:
        _local.budget = outer


def current() -> Budget | None:
    """The budget of the exchange running on this thread, if any."""
    budget: Budget | None = getattr(_local, "budget", None)
    return budget


def limit(timeout: float | None) -> float | None:
    """``timeout`` shortened to what the current budget has left (raises when nothing is)."""
    budget = current()
    if budget is None:
        return timeout
    left = budget.remaining()
    if left <= 0:
        raise httpcore.ReadTimeout("the response's deadline has passed")
    return left if timeout is None else min(timeout, left)


class BoundedStream(httpcore.NetworkStream):
    """A connection's stream whose every read and write is bounded by the thread's budget."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data = self._inner.read(max_bytes, limit(timeout))
        budget = current()
        if budget is not None:
            budget.received(len(data))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, limit(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return BoundedStream(self._inner.start_tls(ssl_context, server_hostname, limit(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)
