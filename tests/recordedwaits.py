"""Retries that wait for nothing: the HTTP client's waits recorded instead of slept.

The client takes its ``sleep`` from :class:`sizefloor.net.http.HttpOptions`; an end-to-end
run builds its options inside :mod:`sizefloor.pipeline`, so :func:`record_waits` hands it
options whose ``sleep`` records the delays asked for.
"""

from __future__ import annotations

import functools

import pytest

from sizefloor.net import http


def record_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays every client made from now on (in this test) asks to wait, in order."""
    delays: list[float] = []
    options = functools.partial(http.HttpOptions, sleep=delays.append)
    monkeypatch.setattr(http, "HttpOptions", options)
    return delays
