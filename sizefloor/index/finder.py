"""Index access: project pages (PEP 691 JSON, PEP 503 HTML) and find-links.

:class:`Finder` asks every configured index and find-links location for a
project's files and merges them the way pip does: all files from all
sources, with no priority among indexes. Each file becomes a
:class:`DistFile`, the value the resolver and the wheel reader work with.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from packaging.utils import NormalizedName, canonicalize_name

from sizefloor.cache import Cache
from sizefloor.errors import IndexUnavailable, OfflineMiss
from sizefloor.index.files import DistFile, FileRecord, ProjectFiles
from sizefloor.index.pages import (
    ACCEPT,
    html_page_records,
    json_page_records,
    parse_page,
    records_to_files,
)
from sizefloor.net.http import FileResponse, Http
from sizefloor.net.local import DIRECTORY_TYPE, missing_directory
from sizefloor.urls import file_url, is_file_url, redact, strip_credentials

FIND_LINKS_ACCEPT = f"text/html, {DIRECTORY_TYPE}"
"""A find-links location is an HTML page, or a local directory whose every file counts."""


def _page_headers(cached: Mapping[str, Any] | None) -> dict[str, str]:
    """A page request's headers: PEP 691 JSON preferred, and the validators of the copy
    cached, if any, so that an unchanged page is answered 304."""
    headers = {"Accept": ACCEPT}
    if cached is not None:
        if cached.get("etag"):
            headers["If-None-Match"] = cached["etag"]
        if cached.get("last_modified"):
            headers["If-Modified-Since"] = cached["last_modified"]
    return headers


def _page_entry(response: FileResponse) -> dict[str, Any]:
    """What the cache keeps of a page: its body as it came, and how to revalidate it."""
    return {
        "body": response.content,
        "url": response.url,
        "content_type": response.headers.get("content-type", ""),
        "etag": response.headers.get("etag"),
        "last_modified": response.headers.get("last-modified"),
    }


class Finder:
    """Every file of a project across the configured indexes and find-links."""

    def __init__(
        self,
        http: Http,
        cache: Cache,
        *,
        index_urls: Sequence[str],
        find_links: Sequence[str] = (),
        accept: Callable[[str], bool] | None = None,
        known: dict[tuple[Any, ...], tuple[ProjectFiles, dict[str, float], bool]] | None = None,
    ) -> None:
        self.http = http
        self.cache = cache
        self.index_urls = [u if u.endswith("/") else u + "/" for u in index_urls]
        self.find_links = list(find_links)
        self.accept = accept
        """Which filenames matter (the target's wheels and sdists): the others
        are never turned into objects, which keeps large pages cheap."""
        self._find_links_files: list[DistFile] | None = None
        self._lock = threading.Lock()
        self._pending: dict[NormalizedName, Future[ProjectFiles]] = {}
        self.warnings: list[str] = []
        self.consulted: dict[str, float] = {}
        """The cache entries of the pages read, with the time each was stored:
        what a remembered result depends on (:mod:`sizefloor.pipeline.remembered`)."""
        self.unrecorded = False
        """A page was read that :attr:`consulted` does not name."""
        self._known = known if known is not None else {}
        """Projects' files an earlier finder of the same sources found (an estimate's
        variants read the pages the estimate read), with what it consulted for them."""
        self._identity = (
            tuple(self.index_urls),
            tuple(self.find_links),
            getattr(accept, "key", None),
        )
        """What decides the files found: a filter without a key is not shared."""

    def prefetch(self, names: Iterable[str]) -> None:
        """Start fetching these projects' pages in the background."""
        for name in names:
            key = canonicalize_name(name)
            if key in self._pending:
                # asked before: no lock. The resolver asks again and again, and each wait
                # on a lock a busy fetching thread held cost it the GIL for a switch
                # interval: a third of a 240-package resolution from cached pages
                continue
            with self._lock:
                if key not in self._pending:
                    self._pending[key] = self.http.submit(self._fetch_project, key)

    def project_future(self, name: str) -> Future[ProjectFiles]:
        """The project's page, fetched in the background (once)."""
        key = canonicalize_name(name)
        future = self._pending.get(key)  # entries are only ever added
        if future is not None:
            return future
        self.prefetch([key])
        with self._lock:
            return self._pending[key]

    def project(self, name: str) -> ProjectFiles:
        return self.project_future(name).result()

    def _fetch_project(self, project: NormalizedName) -> ProjectFiles:
        key = (*self._identity, project)
        with self._lock:
            known = self._known.get(key)
            if known is not None:
                self.consulted.update(known[1])
                self.unrecorded = self.unrecorded or known[2]
                return known[0]
        consulted: dict[str, float] = {}
        result = self._read_project(project, consulted)
        with self._lock:
            self.consulted.update(consulted)
            if self._identity[2] is not None:
                self._known[key] = (result, consulted, self.accept is None)
        return result

    def _read_project(self, project: NormalizedName, consulted: dict[str, float]) -> ProjectFiles:
        listed: list[tuple[str, list[FileRecord]]] = []
        for index in self.index_urls:
            records = self._accepted_records(index, project, consulted)
            if records is not None:
                listed.append((redact(index), records))
        local = [dist for dist in self._local_files() if dist.project == project]
        return ProjectFiles(project, listed, bool(listed or local), local=local)

    def skipped_names(self, project: str) -> list[str]:
        """Names of the project's files that ``accept`` leaves out (for messages
        that say what a project does publish); reads whole pages."""
        key = canonicalize_name(project)
        names: list[str] = []
        for index in self.index_urls:
            records = self._index_page(index, key)
            if records is not None and self.accept is not None:
                names.extend(r[0] for r in records if not self.accept(r[0]))
        return names

    def _accepted_records(
        self, index: str, project: NormalizedName, consulted: dict[str, float]
    ) -> list[FileRecord] | None:
        """The page's records that ``accept`` keeps. They are cached apart from the
        whole page (under the filter's key), so a warm run loads a few dozen
        records for a project instead of thousands."""
        filter_key = getattr(self.accept, "key", None)
        derived_key = None
        if filter_key is not None:
            derived_key = strip_credentials(urllib.parse.urljoin(index, f"{project}/"))[0]
            derived_key += f"#accepted:{filter_key}"
            cached, fresh = self.cache.get_page(derived_key)
            if cached is not None and (fresh or self.cache.offline):
                found = cached["records"]
                consulted[derived_key] = cached.get("stored", 0.0)
                return None if found is None else list(found)
        accepted = self._index_page(index, project, self.accept)
        if derived_key is not None:
            consulted[derived_key] = self.cache.set_page(derived_key, {"records": accepted})
        else:
            self.unrecorded = True
        return accepted

    def _index_page(
        self,
        index: str,
        project: NormalizedName,
        accept: Callable[[str], bool] | None = None,
    ) -> list[FileRecord] | None:
        """The page's file records, from the cache while fresh, else from the index
        (revalidated with ETag / Last-Modified when the server gave them).

        The cache keeps the page's body as it came: a whole run's pages as
        parsed records are hundreds of thousands of objects (a 173-package lock
        file's pages list some 150,000 files), which is most of a cold run's
        memory; the records a target uses are cached apart, parsed.
        """
        url = urllib.parse.urljoin(index, f"{project}/")
        key = strip_credentials(url)[0]
        cached, fresh = self.cache.get_page(key)
        if cached is not None and (fresh or self.cache.offline):
            records = self._parse_cached(cached, url, accept)
            if records is not None:
                return records
            cached = None
        if self.cache.offline:
            raise OfflineMiss(
                f"--offline: the cache has no copy of {redact(url)}.",
                hint="Run once without --offline to fill the cache.",
            )
        response = self.http.get(url, headers=_page_headers(cached), kind="pages")
        if response.status_code == 304 and cached is not None:
            records = self._parse_cached(cached, url, accept)
            if records is not None:
                self.cache.set_page(key, cached)
                return records
            response = self.http.get(url, headers=_page_headers(None), kind="pages")
        if response.status_code == 404:
            if missing_directory(index):
                self._warn(f"skipping the index {index}: no such directory")
            return None
        if response.status_code != 200:
            raise IndexUnavailable(
                f"{redact(url)} answered {response.status_code}.",
                hint="Check the index URL (--index-url, PIP_INDEX_URL or pip's configuration).",
            )
        entry = _page_entry(response)
        records = parse_page(entry, url, accept)
        self.cache.set_page(key, entry)
        return records

    def _parse_cached(
        self, cached: Mapping[str, Any], url: str, accept: Callable[[str], bool] | None
    ) -> list[FileRecord] | None:
        """The records of a cached page; ``None`` when the copy is damaged (it is then
        fetched again, with a warning, rather than blamed on the index)."""
        try:
            return parse_page(cached, url, accept)
        except IndexUnavailable:
            self._warn(f"the cached copy of {redact(url)} could not be read; fetched again")
            return None

    def _warn(self, message: str) -> None:
        with self._lock:
            if message not in self.warnings:
                self.warnings.append(message)

    def _local_files(self) -> list[DistFile]:
        with self._lock:
            if self._find_links_files is not None:
                return self._find_links_files
        files: list[DistFile] = []
        for location in self.find_links:
            files.extend(self._find_links_location(location))
        with self._lock:
            self._find_links_files = files
        return files

    def _find_links_location(self, location: str) -> list[DistFile]:
        """The files a find-links location lists: an HTML page's links, or every file in a
        local directory (a plain path is one too)."""
        source = redact(location)
        is_url = location.startswith(("http://", "https://", "file:"))
        url = location if is_url else file_url(location)
        response = self.http.get(url, headers={"Accept": FIND_LINKS_ACCEPT}, kind="pages")
        if response.status_code != 200:
            why = "no such directory" if is_file_url(url) else f"HTTP {response.status_code}"
            self._warn(f"skipping --find-links {source}: {why}")
            return []
        if response.headers.get("content-type", "").startswith(DIRECTORY_TYPE):
            records = json_page_records(response.content, response.url)
        else:
            records = html_page_records(response.content, response.url)
        return records_to_files(None, records, source)
