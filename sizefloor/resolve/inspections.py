"""What each distribution file holds, fetched once and in the background: a wheel's member list
and metadata, an sdist's metadata."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeAlias

from sizefloor.dists.wheel import WheelInfo, WheelReader, metadata_requires_python
from sizefloor.index.files import DistFile
from sizefloor.net.http import Http

if TYPE_CHECKING:  # sdist is imported by the reader when a run reads one
    from sizefloor.dists.sdist import SdistInfo

Inspection: TypeAlias = "WheelInfo | SdistInfo"


class Inspections:
    """Each file's inspection, by URL: fetched once on ``http``'s pool, kept for the run."""

    def __init__(
        self, reader: WheelReader, http: Http, known: Mapping[str, Inspection] | None = None
    ) -> None:
        self.reader = reader
        self.http = http
        self._lock = threading.Lock()
        self._futures: dict[str, Future[Inspection]] = {}
        self._requires: dict[str, list[str]] = {}
        self._known = known or {}
        """Inspections an earlier estimate of the same call made, by URL."""

    def future(self, dist: DistFile) -> Future[Inspection]:
        """The inspection of ``dist``, started in the background the first time.

        Raises :class:`RuntimeError` once the run is over and its pool shut down."""
        future = self._futures.get(dist.url)  # read without the lock: entries are only added
        if future is not None:
            return future
        with self._lock:
            future = self._futures.get(dist.url)
            if future is None:
                known = self._known.get(dist.url)
                if known is not None:
                    future = Future()
                    future.set_result(known)
                else:
                    future = self.http.submit(self._inspect, dist)
                self._futures[dist.url] = future
        return future

    def done(self) -> dict[str, Inspection]:
        """The inspections that finished without failing, by URL."""
        with self._lock:
            futures = list(self._futures.items())
        return {
            url: future.result()
            for url, future in futures
            if future.done() and not future.cancelled() and future.exception() is None
        }

    def get(self, dist: DistFile) -> Inspection:
        """The inspection of ``dist``, waited for (raising what the inspection raised)."""
        return self.future(dist).result()

    def requires(self, dist: DistFile) -> list[str]:
        """The ``Requires-Dist`` values ``dist`` declares."""
        known = self._requires.get(dist.url)
        if known is None:
            info = self.get(dist)
            if isinstance(info, WheelInfo):
                known = info.requires_dist()
            else:
                known = list(info.requires_dist)
            self._requires[dist.url] = known
        return known

    def requires_python(self, dist: DistFile) -> str | None:
        """The ``Requires-Python`` of a wheel's own metadata (``None`` for none, and for
        an sdist, whose metadata says nothing reliable before a build)."""
        info = self.get(dist)
        return metadata_requires_python(info.metadata) if isinstance(info, WheelInfo) else None

    def _inspect(self, dist: DistFile) -> Inspection:
        if dist.is_wheel:
            return self.reader.inspect(dist)
        return self.reader.inspect_sdist(dist)
