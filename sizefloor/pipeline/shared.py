"""What the estimates of one call share: the set asked for and its measured variants
(:mod:`sizefloor.pipeline.alternatives`) read the same pages and the same wheels, so the
variants take them from memory rather than from the cache, and one cache stays open for all.

Nothing here changes a figure: each value is what the cache would have answered (the same
page's files, the same wheel's inspection, the same package sized the same way).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sizefloor.cache import Cache

if TYPE_CHECKING:
    from sizefloor.index.files import ProjectFiles
    from sizefloor.install.exact import Modelled
    from sizefloor.resolve.inspections import Inspection

__all__ = ["Shared"]


@dataclass
class Shared:
    """The state one :func:`~sizefloor.pipeline.estimator.estimate` call's estimates share.

    A 240-package monolith with two known heavy requirements is estimated three times (the set,
    then each lighter variant): read again from the cache, each variant cost a third of the
    first estimate's time, to resolve and size the same files again."""

    projects: dict[tuple[Any, ...], tuple[ProjectFiles, dict[str, float], bool]] = field(
        default_factory=dict
    )
    """A finder's project files by (its indexes, links and filter, the project), with the
    cache entries it read for them and whether it read a page it could not name."""
    inspections: dict[str, Inspection] = field(default_factory=dict)
    """Each file's inspection, by URL."""
    sized: dict[tuple[Any, ...], Any] = field(default_factory=dict)
    """Sized packages (:mod:`sizefloor.pipeline.sizing`) by what decides their size."""
    modelled: Modelled = field(default_factory=dict)
    """Each wheel's modelled bytecode, which the calibration weighs."""
    pages_checked: set[tuple[str, float]] = field(default_factory=set)
    """Page entries (key, stored) a remembered estimate of the call found unchanged."""
    result_keys: list[str | None] = field(default_factory=list)
    """Each estimate's remembered-result key, in the order they ran (the set's first, then
    its variants'); ``None`` for one that cannot be remembered."""
    consulted: dict[str, float] = field(default_factory=dict)
    """Every page entry the call's estimates read or were answered by: what its measured
    variants, remembered together, depend on."""
    unrecorded: bool = False
    """An estimate of the call read a page :attr:`consulted` does not name."""
    _caches: dict[tuple[str | None, bool], Cache] = field(default_factory=dict)

    def cache(self, directory: Path | None, *, offline: bool) -> Cache:
        """The cache at ``directory``, opened once for every estimate of the call."""
        key = (None if directory is None else os.fspath(directory), offline)
        opened = self._caches.get(key)
        if opened is None:
            opened = self._caches[key] = Cache(directory, offline=offline)
        return opened

    def close(self) -> None:
        for opened in self._caches.values():
            opened.close()
        self._caches.clear()
