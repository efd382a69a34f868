"""Whole estimates, remembered while the index pages they read are unchanged.

An estimate is a function of its inputs (the requirements, the target, the
options, where to look) and of the index pages it read: the files it then
sized are immutable. So a finished :class:`~sizefloor.report.Report` is kept
under a digest of the inputs, with the cache entry of every page it read and
the time that entry was stored. A later run with the same inputs answers from
it when each of those page entries is still the one stored then and still
fresh (:data:`sizefloor.cache.PAGE_TTL`), so the resolution it saved would read
exactly the same pages again. A page that went stale, or was fetched again
since (by any run), or any input that differs, means a full run, which stores
a new result.

What cannot be fingerprinted cheaply is not remembered: an index on the local
disk (``file:`` URLs to a directory that exists), and a requirement naming a
local file. A local ``--find-links`` directory enters the digest by its
listing (names, sizes, modification times).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from typing import TYPE_CHECKING, Any, cast

from sizefloor import __version__
from sizefloor.analysis.summary import analysed
from sizefloor.inputs.requirements import RequirementSet
from sizefloor.report import Finding, Report
from sizefloor.urls import file_url_path, is_file_url

if TYPE_CHECKING:
    from sizefloor.cache import Cache
    from sizefloor.inputs.locked import LockedSet
    from sizefloor.inputs.requirements import RequirementLine
    from sizefloor.report import Report
    from sizefloor.target import Target

log = logging.getLogger(__name__)

_KIND = "result"
_VARIANTS = "variants"

_FORMAT = 3
"""Bumped when what is remembered changes shape (2: reports keep their analysis; 3: they
say how their bytecode was sized), so an entry written by an older sizefloor is never read
as a newer one."""

_IRRELEVANT_OPTIONS = frozenset(
    {
        "cache_dir",
        "use_cache",
        "offline",
        "concurrency",
        "timeout",
        "run_timeout",
        "max_page_bytes",
        "refresh_runtime",
        "base",
        "image_bytes",
        "alternatives",
    }
)
"""Options that change how an estimate is made or what is added afterwards
(the runtime), not the dependencies' sizes."""


def result_key(
    reqs: RequirementSet,
    target: Target,
    options: Any,
    indexes: Sequence[str],
    links: Sequence[str],
    *,
    compiler: str = "",
) -> str | None:
    """The digest naming an estimate's inputs (``compiler``: the CPython that would
    compile its bytecode), or ``None`` when they involve something local whose changes
    the digest could not see."""
    parts: list[Any] = [__version__, _FORMAT, sys.version, sorted(target.to_json().items())]
    parts.append(compiler)
    parts.append(
        [
            (f.name, repr(getattr(options, f.name)))
            for f in fields(options)
            if f.name not in _IRRELEVANT_OPTIONS
        ]
    )
    for index in indexes:
        local = _local_path(index)
        if local is not None and os.path.exists(local):
            return None
        parts.append(("index", index, local is not None))
    for location in links:
        local = _local_path(location) if "://" in location else location
        if local is None:
            return None  # a page elsewhere, which the cache does not revalidate
        listing = _listing(local)
        if listing is None:
            return None  # a local HTML page: not worth fingerprinting
        parts.append(("links", location, listing))
    for line in (*reqs.requirements, *reqs.constraints):
        url = line.requirement.url
        if url and not url.startswith(("http://", "https://")):
            return None
        parts.append(_line(line))
    parts.append(("constraints", len(reqs.constraints)))
    parts.append(
        (
            reqs.index_url,
            reqs.extra_index_urls,
            reqs.find_links,
            reqs.no_index,
            reqs.pre,
            sorted(reqs.only_binary),
            sorted(reqs.no_binary),
            reqs.prefer_binary,
            reqs.files,
        )
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def lock_key(
    path: str,
    target: Target,
    options: Any,
    indexes: Sequence[str],
    links: Sequence[str],
    *,
    compiler: str = "",
) -> str | None:
    """The digest naming the estimate of the lock file at ``path``: its bytes (its pins
    name files, which never change once published), the target, the options and where to
    look; ``None`` when the file cannot be read. Whether the lock installs something local,
    which cannot be remembered, is :func:`lock_remembered`'s to say."""
    try:
        with open(path, "rb") as f:
            content = hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None
    key = result_key(RequirementSet(), target, options, indexes, links, compiler=compiler)
    if key is None:
        return None
    return hashlib.sha256(f"{key}:lock:{path}:{content}".encode()).hexdigest()


def lock_remembered(locked: LockedSet) -> bool:
    """Whether the estimate of ``locked`` may be remembered: it installs nothing local (a
    folder, a path, a ``file:`` URL) and no repository, whose changes no digest sees."""
    if locked.format not in LOCK_FILES:
        return False  # a Poetry lock is read with its pyproject.toml
    for package in locked.packages:
        if package.source.kind not in ("registry", "url", "virtual"):
            return False
        files = [*package.wheels, *([package.sdist] if package.sdist else [])]
        if any(f.url and not f.url.startswith(("http://", "https://")) for f in files):
            return False
    return True


LOCK_FILES = ("uv.lock", "pylock.toml", "Pipfile.lock")
"""The lock formats whose file alone says what they install."""


def _line(line: RequirementLine) -> tuple[Any, ...]:
    return (
        str(line.requirement),
        str(line.origin),
        line.hashes,
        line.editable,
        line.unsized_reason,
        line.text,
    )


def _local_path(url: str) -> str | None:
    if is_file_url(url):
        return file_url_path(url)
    return None


def _listing(path: str) -> tuple[tuple[str, int, int], ...] | None:
    try:
        with os.scandir(path) as entries:
            found = []
            for entry in entries:
                stat = entry.stat()
                found.append((entry.name, stat.st_size, stat.st_mtime_ns))
    except NotADirectoryError:
        return None
    except OSError:
        return ()  # missing: skipped with a warning, as pip does
    return tuple(sorted(found))


def lookup(
    cache: Cache,
    key: str,
    checked: set[tuple[str, float]] | None = None,
    consulted: dict[str, float] | None = None,
    *,
    analyse: bool = True,
) -> Report | None:
    """The remembered report for ``key`` if every page it read is unchanged (``checked``:
    the pages found unchanged by an earlier lookup of the same call, not asked again; the
    pages it depends on are added to ``consulted``), with its analysis unless ``analyse`` is
    false (:func:`store`)."""
    entry = _current(cache, _KIND, key, checked, "report", Report)
    if entry is None:
        return None
    pages, report = entry["pages"], cast(Report, entry["report"])
    if consulted is not None:
        consulted.update(pages)
    log.info(
        "answered from the estimate remembered for these inputs: its %d pages are unchanged",
        len(pages),
    )
    if report.analysis is None and analyse:
        # a measured variant is remembered unanalysed: every estimate returned has its analysis
        report = analysed(report)
    return replace(report, transfer=dict.fromkeys(report.transfer, 0))


def store(cache: Cache, key: str, pages: Mapping[str, float], report: Report) -> None:
    """Remember ``report`` as the answer for ``key`` while ``pages`` stay as stored (a
    measured variant's without its analysis: :func:`lookup` adds it if the set is ever
    asked for itself)."""
    cache.set(_KIND, key, {"pages": dict(pages), "report": report})


def variants_key(result: str) -> str:
    """The key of the measured variants of the estimate remembered under ``result``."""
    return f"{result}:variants"


def lookup_variants(
    cache: Cache, key: str, checked: set[tuple[str, float]] | None = None
) -> tuple[Finding, ...] | None:
    """The variant findings remembered for ``key`` (:func:`variants_key`) if every page the
    set and its lighter variants read is unchanged: a warm run then reads one entry, not a
    remembered report for each variant."""
    entry = _current(cache, _VARIANTS, key, checked, "findings", tuple)
    if entry is None or not all(isinstance(f, Finding) for f in entry["findings"]):
        return None
    log.info("the measured variants remembered for these inputs: their pages are unchanged")
    return cast(tuple[Finding, ...], entry["findings"])


def store_variants(
    cache: Cache, key: str, pages: Mapping[str, float], findings: Sequence[Finding]
) -> None:
    """Remember the variant findings of ``key`` while ``pages`` (the set's and its variants')
    stay as stored."""
    cache.set(_VARIANTS, key, {"pages": dict(pages), "findings": tuple(findings)})


def _current(
    cache: Cache,
    kind: str,
    key: str,
    checked: set[tuple[str, float]] | None,
    field: str,
    of_type: type,
) -> dict[str, Any] | None:
    """The entry of ``kind`` stored under ``key`` when it has its ``pages`` and a ``field`` of
    ``of_type``, and every one of those page entries is still the one stored then, and fresh
    (those in ``checked`` were found so by an earlier lookup of the same call, and those found
    so now join them); else ``None``."""
    entry = cache.get(kind, key)
    if not isinstance(entry, dict):
        return None
    pages = entry.get("pages")
    if not isinstance(pages, Mapping) or not isinstance(entry.get(field), of_type):
        return None
    known = checked if checked is not None else set()
    unchecked = {page: stored for page, stored in pages.items() if (page, stored) not in known}
    if unchecked and not cache.pages_current(unchecked):
        return None
    known.update(pages.items())
    return entry


__all__ = [
    "LOCK_FILES",
    "lock_key",
    "lock_remembered",
    "lookup",
    "lookup_variants",
    "result_key",
    "store",
    "store_variants",
    "variants_key",
]
