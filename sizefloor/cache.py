"""The on-disk cache: immutable facts forever, index pages briefly.

Published files never change, so what was read from a file (its central
directory, its metadata) is kept forever, keyed by the file's sha256 when the
index gives one and by its URL otherwise. Index pages change, so they are
kept for :data:`PAGE_TTL` seconds and then revalidated with ``ETag`` /
``Last-Modified``.

A cache that cannot be written (a read-only folder or file system, say a CI cache
restored read-only) is opened read-only: answers come from it (``--offline`` works from
it) and nothing new is stored. A corrupt cache (its database damaged, or not a database)
is moved aside once, to ``<folder>.corrupt-<time>``, with a warning saying where, and a new
one is made in its place. A cache that still cannot be opened or read (locked, say) is
bypassed with a warning: sizefloor then works without it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
"""The cache's hits and misses by kind, when it closes (``sizefloor -v``)."""

PAGE_TTL = 600.0
"""Seconds an index page is used without asking the server again."""

WRITE_BATCH = 32
"""Entries that wait before the writer thread stores them."""

BLOB_AT = 32 * 1024
"""Page bodies at least this large are written to a file of their own at once,
by the thread that fetched them, instead of waiting with the batched writes:
a batch of a 173-package lock file's pages held 34 MB of bodies in memory."""

_SCHEMA = "v9"
"""Bumped whenever what is stored changes shape: older entries are then not read."""


_QUERY_KEYS = 500
"""Keys asked in one query: SQLite allows 999 parameters in older builds."""

_DB = "cache.db"
"""diskcache's database file, in the cache folder."""


def _open_disk(directory: Path) -> Any:
    import diskcache  # its sqlite3 import is paid only by a run with a cache

    return diskcache.Cache(
        str(directory),
        timeout=1.0,
        size_limit=2**31,
        # no eviction check after each write (two queries each: a tenth of a lock file's
        # run); :meth:`Cache.flush` checks once a batch
        cull_limit=0,
        # every thread gets its own SQLite connection: small page caches
        # and no memory map keep that from costing tens of MB each
        sqlite_mmap_size=0,
        sqlite_cache_size=256,
    )


def _read_only(directory: Path) -> bool:
    """Whether the cache at ``directory`` exists and cannot be written."""
    db = Path(directory) / _DB
    return db.is_file() and not (os.access(db, os.W_OK) and os.access(directory, os.W_OK))


def _is_corruption(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is damaged or not a database (SQLite's
    ``DatabaseError``), rather than locked or unwritable (its ``OperationalError``)."""
    import sqlite3  # imported already by diskcache, which raised this

    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)


class _ReadOnlyDisk:
    """A diskcache folder read without writing anything: the SQLite database opened in
    read-only mode, values read as diskcache stores them (:meth:`diskcache.Disk.fetch`).
    diskcache itself opens its database for writing, which a read-only folder refuses."""

    def __init__(self, directory: Path) -> None:
        import sqlite3  # only a run with a cache needs it

        import diskcache  # its Disk reads the values back

        self._disk = diskcache.Disk(str(directory))
        uri = (directory / _DB).resolve().as_uri()
        try:
            self._db = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
            self._db.execute("SELECT count(*) FROM Settings").fetchone()
        except sqlite3.OperationalError:  # a WAL database needs a writable -shm: read it as is
            self._db = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            rows = self._db.execute(
                "SELECT mode, filename, value FROM Cache WHERE key = ? AND raw = 1"
                " AND (expire_time IS NULL OR expire_time > ?)",
                (key, time.time()),
            ).fetchall()
        if not rows:
            return None
        ((mode, filename, value),) = rows
        try:
            return self._disk.fetch(mode, filename, value, False)
        except OSError:
            return None

    def close(self) -> None:
        with self._lock:
            self._db.close()


def default_cache_dir() -> Path:
    """The platform's user cache directory for sizefloor."""
    override = os.environ.get("SIZEFLOOR_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "sizefloor"
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "sizefloor" / "Cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sizefloor"


class Cache:
    """A thin, fault-tolerant layer over :class:`diskcache.Cache`.

    ``Cache(None)`` is a cache that remembers nothing (``--no-cache``).
    """

    def __init__(self, directory: Path | None, *, offline: bool = False) -> None:
        self.offline = offline
        self.warnings: list[str] = []
        self._disk: Any = None
        self._lock = threading.Lock()
        self._pending: dict[str, Any] = {}
        """Writes wait here, then one thread writes them in batches (one
        transaction each): sixteen threads each taking SQLite's write lock in
        turn made writes time out, and keeping everything for one write at
        the end held a whole run's pages in memory."""
        self._inflight: dict[str, Any] = {}
        self._flush_lock = threading.Lock()
        self._writer: threading.Thread | None = None
        self.directory = directory
        self.read_only = False
        """Opened read-only: :meth:`set` stores nothing."""
        self.hits: dict[str, list[int]] = {}
        """Kind -> [hits, misses] of :meth:`get`."""
        if directory is None:
            return
        try:
            self._disk = self._open(directory)
        except Exception as exc:  # any failure to open means: run without a cache
            self._warn(f"the cache at {directory} cannot be used ({exc}); going on without it")

    def _open(self, directory: Path) -> Any:
        """The disk cache at ``directory``: read-only when it cannot be written, made anew
        (the old one moved aside) when it is corrupt."""
        if _read_only(directory):
            return self._open_read_only(directory, None)
        try:
            return _open_disk(directory)
        except Exception as exc:
            if _is_corruption(exc):
                return self._made_anew(directory, exc)
            if (Path(directory) / _DB).is_file():
                return self._open_read_only(directory, exc)
            raise

    def _open_read_only(self, directory: Path, why: Exception | None) -> Any:
        disk = _ReadOnlyDisk(Path(directory))
        self.read_only = True
        reason = f" ({why})" if why is not None else ""
        self._warn(
            f"the cache at {directory} cannot be written{reason}: it is read from, "
            "and nothing new is stored"
        )
        return disk

    def _made_anew(self, directory: Path, exc: Exception) -> Any:
        """A new cache in place of the corrupt one at ``directory``, unless another run
        sharing it has made one since (then that one)."""
        try:
            return _open_disk(directory)
        except Exception as again:
            if not _is_corruption(again):
                raise
        return _open_disk(self._move_aside(directory, exc))

    def _move_aside(self, directory: Path, exc: Exception) -> Path:
        """Move the corrupt cache at ``directory`` aside; the folder to make a new one in."""
        aside = Path(f"{directory}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        try:
            os.replace(directory, aside)
        except OSError as moving:
            raise RuntimeError(f"it is corrupt ({exc}) and could not be moved: {moving}") from exc
        self._warn(
            f"the cache at {directory} was corrupt ({exc}): moved it to {aside} "
            "and started a new one (delete the old one when you no longer need it)"
        )
        return directory

    def _warn(self, message: str) -> None:
        with self._lock:
            if message not in self.warnings:
                self.warnings.append(message)

    def get(self, kind: str, key: str) -> Any:
        """The stored value, or ``None``."""
        full_key = f"{_SCHEMA}:{kind}:{key}"
        with self._lock:
            if full_key in self._pending:
                return self._pending[full_key]
            if full_key in self._inflight:
                return self._inflight[full_key]
        disk = self._disk
        if disk is None:
            return None
        try:
            value = disk.get(full_key)
        except Exception as exc:
            self._read_failed(disk, exc)
            return None
        with self._lock:
            self.hits.setdefault(kind, [0, 0])[value is None] += 1
        return value

    def _read_failed(self, disk: Any, exc: Exception) -> None:
        """A read failed: a corrupt cache is moved aside and made anew (once), any other
        failure makes the rest of the run go without a cache."""
        with self._flush_lock:
            if self._disk is not disk:
                return  # another thread dealt with it
            self._disk = None
            with contextlib.suppress(Exception):
                disk.close()
            if self.directory is not None and _is_corruption(exc) and not self.read_only:
                try:
                    self._disk = _open_disk(self._move_aside(self.directory, exc))
                    return
                except Exception as again:
                    exc = again
            self._warn(f"the cache could not be read ({type(exc).__name__}); bypassing it")

    def set(self, kind: str, key: str, value: Any) -> None:
        if self._disk is None or self.read_only:
            return
        with self._lock:
            self._pending[f"{_SCHEMA}:{kind}:{key}"] = value
            start = len(self._pending) >= WRITE_BATCH and (
                self._writer is None or not self._writer.is_alive()
            )
            if start:
                self._writer = threading.Thread(
                    target=self.flush, name="sizefloor-cache-writer", daemon=True
                )
        if start and self._writer is not None:
            self._writer.start()

    def flush(self) -> None:
        """Write what was set and not yet written, in one transaction."""
        with self._flush_lock:
            with self._lock:
                self._inflight, self._pending = self._pending, {}
            pending = self._inflight
            try:
                if self._disk is not None and pending:
                    with self._disk.transact():
                        for key, value in pending.items():
                            self._disk.set(key, value)
                    self._disk.cull()  # within size_limit, as each write once checked
            except Exception as exc:
                self._warn(f"the cache could not be written ({type(exc).__name__}); bypassing it")
                self._disk = None
            finally:
                with self._lock:
                    self._inflight = {}

    def get_page(self, key: str) -> tuple[dict[str, Any] | None, bool]:
        """A cached index page and whether it is still fresh."""
        entry = self.get("page", key)
        if isinstance(entry, dict) and entry.get("blob"):
            body = self._read_blob(str(entry["blob"]))
            entry = None if body is None else {**entry, "body": body, "blob": None}
        if not isinstance(entry, dict) or not ("records" in entry or "body" in entry):
            return None, False
        fresh = time.time() - float(entry.get("stored", 0)) < PAGE_TTL
        return entry, fresh

    def set_page(self, key: str, entry: dict[str, Any]) -> float:
        """Store a page; returns the time it is stored under (its version)."""
        stored = time.time()
        body = entry.get("body")
        if isinstance(body, bytes) and len(body) >= BLOB_AT:
            name = self._write_blob(key, body)
            if name is not None:
                entry = {**entry, "body": None, "blob": name}
        self.set("page", key, {**entry, "stored": stored})
        self.set("stamp", key, stored)
        return stored

    # -- large page bodies, in files of their own ---------------------------

    def _blob_path(self, name: str) -> Path:
        assert self.directory is not None
        return Path(self.directory) / "blobs" / name[:2] / name

    def _write_blob(self, key: str, data: bytes) -> str | None:
        """Write ``data`` under a name made of ``key`` (atomically: another
        process reads the old file or the new one); ``None`` when it cannot be."""
        if self._disk is None or self.directory is None or self.read_only:
            return None
        name = hashlib.sha256(f"{_SCHEMA}:{key}".encode()).hexdigest()
        path = self._blob_path(name)
        temporary = path.with_name(f"{name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError as exc:
            self._warn(f"the cache could not be written ({type(exc).__name__}); bypassing it")
            with contextlib.suppress(OSError):
                temporary.unlink()
            return None
        return name

    def _read_blob(self, name: str) -> bytes | None:
        if self.directory is None or not name.isalnum():
            return None
        try:
            return self._blob_path(name).read_bytes()
        except OSError:
            return None  # removed by hand, or another process is replacing it: fetch again

    def page_current(self, key: str, stored: float) -> bool:
        """Whether the page stored at ``stored`` is still the cached one, and fresh
        (or ``--offline``): read from a stamp, without loading the page."""
        current = self.get("stamp", key)
        if current != stored:
            return False
        return self.offline or time.time() - stored < PAGE_TTL

    def pages_current(self, pages: Mapping[str, float]) -> bool:
        """Whether every page in ``pages`` (key -> the time it was stored) is still the
        cached one, and fresh: :meth:`page_current` for each, their stamps read in one
        query where the cache allows (a remembered monolith's 240 reads one by one were
        a tenth of a warm run)."""
        if not self.offline and any(time.time() - stored >= PAGE_TTL for stored in pages.values()):
            return False
        stamps = self._stamps(list(pages))
        if stamps is None:
            return all(self.page_current(key, stored) for key, stored in pages.items())
        return all(stamps.get(key) == stored for key, stored in pages.items())

    def _stamps(self, keys: list[str]) -> dict[str, Any] | None:
        """The stored stamps of ``keys`` (missing ones left out), read by one query of
        diskcache's table, where a float is kept as it is; ``None`` when that cannot be
        done (no cache, writes waiting, another layout): ask key by key then."""
        disk = self._disk
        with self._lock:
            waiting = bool(self._pending or self._inflight)
        if disk is None or waiting or not callable(getattr(disk, "_sql", None)):
            return None
        full = {f"{_SCHEMA}:stamp:{key}": key for key in keys}
        found: dict[str, Any] = {}
        names = list(full)
        try:
            for start in range(0, len(names), _QUERY_KEYS):
                chunk = names[start : start + _QUERY_KEYS]
                rows = disk._sql(
                    "SELECT key, value FROM Cache WHERE raw = 1 AND mode = 1 AND key IN "
                    f"({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
                found.update((full[row_key], value) for row_key, value in rows)
        except Exception:  # any surprise: the key-by-key reads decide
            return None
        with self._lock:
            self.hits.setdefault("stamp", [0, 0])[0] += len(found)
            self.hits["stamp"][1] += len(keys) - len(found)
        return found

    def close(self) -> None:
        if self.hits and log.isEnabledFor(logging.INFO):
            counts = ", ".join(
                f"{kind} {hit}/{hit + miss}" for kind, (hit, miss) in self.hits.items()
            )
            log.info("cache %s: hits by kind: %s", self.directory, counts)
        writer = self._writer
        if writer is not None:
            writer.join()
        self.flush()
        if self._disk is not None:
            with contextlib.suppress(Exception):
                self._disk.close()
