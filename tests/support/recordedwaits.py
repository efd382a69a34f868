"""Retries that wait for nothing: the HTTP client's waits recorded instead of slept.

A client waits with the ``sleep`` of its :class:`sizefloor.net.http.HttpOptions`; options
that name none take :data:`sizefloor.net.http.DEFAULT_SLEEP` when they are made. A whole
run builds its options inside :mod:`sizefloor.pipeline`, so :func:`record_waits` replaces
that default for the test.
"""

from __future__ import annotations

import pytest

from sizefloor.net import http


def record_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays every client made from now on (in this test) asks to wait, in order."""
    delays: list[float] = []
    monkeypatch.setattr(http, "DEFAULT_SLEEP", delays.append)
    return delays
