"""Index access: project pages (PEP 691 JSON, PEP 503 HTML) and find-links.

:class:`Finder` asks every configured index and find-links location for a
project's files and merges them the way pip does: all files from all
sources, with no priority among indexes. Each file becomes a
:class:`DistFile`, the value the resolver and the wheel reader work with.
"""

from __future__ import annotations

import functools
import html.parser
import json
import posixpath
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from sizefloor.cache import Cache
from sizefloor.errors import IndexUnavailable, OfflineMiss
from sizefloor.net.http import FileResponse, Http
from sizefloor.net.local import DIRECTORY_TYPE, missing_directory
from sizefloor.urls import file_url, is_file_url, redact, strip_credentials

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
_PARSING = threading.Lock()
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
FIND_LINKS_ACCEPT = f"text/html, {DIRECTORY_TYPE}"
"""A find-links location is an HTML page, or a local directory whose every file counts."""


@dataclass(frozen=True, eq=False)
class DistFile:
    """One distribution file an index lists."""

    project: NormalizedName
    filename: str
    url: str
    version: Version
    is_wheel: bool
    size: int | None = None
    hashes: tuple[tuple[str, str], ...] = ()
    """``(algorithm, hex digest)`` pairs, as the page gives them: a tuple shared
    with the page's record (a dict for each of a lock file's 76,000 listed
    files, and a parsed upload time each, were 5 MB of its traced peak)."""
    requires_python: str | None = None
    requires_python_listed: bool = False
    """The index said what the file's Requires-Python is (PEP 691 lists it for
    every file, null for none); HTML pages and find-links leave it unknown."""
    yanked: str | None = None
    """``None`` when not yanked; the reason (possibly empty) when yanked."""
    upload_text: str | None = None
    """The upload time as the page writes it (ISO 8601): parsed when asked for."""
    core_metadata: bool = False
    """The index serves the file's METADATA at ``url + ".metadata"`` (PEP 658/714)."""
    source: str = ""
    """The index or find-links location it came from, credentials removed."""

    @functools.cached_property
    def _wheel_parts(self) -> tuple[tuple[()] | tuple[int, str], frozenset[Tag]]:
        if not self.is_wheel:
            return (), frozenset()
        try:
            _name, _version, build, tags = parse_wheel_filename(self.filename)
        except (InvalidWheelFilename, InvalidVersion):
            return (), frozenset()
        return build, tags

    @property
    def tags(self) -> frozenset[Tag]:
        """The wheel's compatibility tags (empty for an sdist)."""
        return self._wheel_parts[1]

    @property
    def build(self) -> tuple[()] | tuple[int, str]:
        """The wheel's build tag, ``()`` when it has none."""
        return self._wheel_parts[0]

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platform part of a wheel's name, split (cheap: no parsing)."""
        if not self.is_wheel:
            return ()
        return tuple(self.filename[:-4].rsplit("-", 1)[-1].split("."))

    @property
    def interpreters(self) -> tuple[str, ...]:
        """The Python part of a wheel's name (``cp312``, ``py3``), split."""
        if not self.is_wheel:
            return ()
        return tuple(self.filename[:-4].rsplit("-", 3)[-3].split("."))

    @functools.cached_property
    def upload_time(self) -> datetime | None:
        """When the file was uploaded (PEP 700), when the index says."""
        return _parse_time(self.upload_text)

    @property
    def sha256(self) -> str | None:
        for algorithm, digest in self.hashes:
            if algorithm == "sha256":
                return digest
        return None

    @property
    def cache_key(self) -> str:
        """Stable identity of the file's bytes: its hash, else its URL."""
        digest = self.sha256
        return f"sha256:{digest}" if digest else f"url:{strip_credentials(self.url)[0]}"

    @property
    def is_local(self) -> bool:
        """The file is on this machine (a ``file:`` URL): read afresh each run, never cached."""
        return is_file_url(self.url)

    @property
    def metadata_url(self) -> str:
        base, _, _ = self.url.partition("#")
        return base + ".metadata"

    def __repr__(self) -> str:
        return f"DistFile({self.filename!r}, source={self.source!r})"


@dataclass(frozen=True)
class ProjectFiles:
    project: NormalizedName
    files: tuple[DistFile, ...]
    found: bool
    """Some source knew the project (an empty file list can still mean "found")."""


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@functools.lru_cache(maxsize=65536)
def _version(text: str) -> Version:
    return Version(text)


@functools.lru_cache(maxsize=4096)
def _canonical(name: str) -> NormalizedName:
    return canonicalize_name(name)


def make_dist_file(
    project: NormalizedName,
    filename: str,
    url: str,
    *,
    source: str,
    hashes: Mapping[str, str] | None = None,
    size: int | None = None,
    requires_python: str | None = None,
    requires_python_listed: bool = False,
    yanked: str | None = None,
    upload_time: str | None = None,
    core_metadata: bool = False,
) -> DistFile | None:
    """A :class:`DistFile` for ``filename``, or ``None`` when it is not a wheel or
    sdist of ``project`` (pip skips such files too).

    A project page can list thousands of files, most of them for other
    platforms, so a wheel's name is checked cheaply here and its tags are
    parsed only when asked for (:attr:`DistFile.tags`).
    """
    identified = _identify_file(project, filename)
    if identified is None:
        return None
    version, is_wheel = identified
    return DistFile(
        project=project,
        filename=filename,
        url=url,
        version=version,
        is_wheel=is_wheel,
        size=size,
        hashes=tuple((hashes or {}).items()),
        requires_python=requires_python or None,
        requires_python_listed=requires_python_listed or bool(requires_python),
        yanked=yanked,
        upload_text=upload_time,
        core_metadata=core_metadata,
        source=source,
    )


def _identify_file(project: NormalizedName, filename: str) -> tuple[Version, bool] | None:
    """``(version, is it a wheel)`` of ``filename``, or ``None`` when it is not a
    wheel or sdist of ``project``: read from the name alone, cheaply."""
    try:
        if filename.endswith(".whl"):
            parts = filename[:-4].split("-")
            if len(parts) not in (5, 6) or _canonical(parts[0]) != project:
                return None
            return _version(parts[1]), True
        if filename.endswith((".tar.gz", ".zip")):
            # name-version.tar.gz; the version has no dash, the name may have some
            stem = filename[: -7 if filename.endswith(".tar.gz") else -4]
            name, dash, version_text = stem.rpartition("-")
            if not dash or _canonical(name) != project:
                return None
            return _version(version_text), False
    except InvalidVersion:
        return None
    return None


FileRecord = tuple[
    str, str, int | None, tuple[tuple[str, str], ...], str | None, str | None, str | None, bool
]
"""What a page says of one file, as plain data (cheap to cache and to load):
(filename, absolute url, size, hashes, requires-python, yanked reason or None,
upload time as ISO text, core metadata offered)."""


def json_page_records(
    body: bytes, page_url: str, accept: Callable[[str], bool] | None = None
) -> list[FileRecord]:
    """The files of a PEP 691 JSON project page (those ``accept`` keeps: a large
    project lists thousands of files, most of them for other platforms)."""
    data = json.loads(body)
    files = data.get("files", []) if isinstance(data, dict) else None
    if not isinstance(files, list):
        raise TypeError("the page is not a PEP 691 project page")
    records: list[FileRecord] = []
    for item in files:
        if not isinstance(item, dict):
            raise TypeError("a file of the page is not an object")
        filename = str(item.get("filename", ""))
        if accept is not None and not accept(filename):
            continue
        yanked_value = item.get("yanked", False)
        yanked = (
            None
            if yanked_value is False or yanked_value is None
            else ("" if yanked_value is True else str(yanked_value))
        )
        metadata = item.get("core-metadata", item.get("dist-info-metadata", False))
        size = item.get("size")
        hashes = item.get("hashes") or {}
        upload_time = item.get("upload-time")
        records.append(
            (
                filename,
                _absolute(page_url, item.get("url", "")),
                size if isinstance(size, int) else None,
                tuple([(k, v) for k, v in hashes.items() if isinstance(v, str)]),
                # "" when listed as null: listed, with no constraint
                (item.get("requires-python") or "") if "requires-python" in item else None,
                yanked,
                upload_time if isinstance(upload_time, str) else None,
                bool(metadata),
            )
        )
    return records


def _absolute(page_url: str, url: str) -> str:
    """``url`` made absolute against the page (most indexes give absolute URLs:
    skip the costly join for them; a local directory's list spells them ``file:/path``)."""
    if url.startswith(("https://", "http://", "file:")):
        return url
    return urllib.parse.urljoin(page_url, url)


def records_to_files(
    project: NormalizedName | None,
    records: Iterable[FileRecord],
    source: str,
    accept: Callable[[str], bool] | None = None,
) -> list[DistFile]:
    """:class:`DistFile` values for the records ``accept`` keeps (all by default).
    With ``project`` ``None`` (a find-links location) each file's project is
    taken from its name.

    What :func:`make_dist_file` does, with the :class:`DistFile` built here:
    a cold run turns some ten thousand records into files, and going through
    that function's keyword arguments was a good part of the cost."""
    files: list[DistFile] = []
    for filename, url, size, hashes, requires_python, yanked, upload, metadata in records:
        if accept is not None and not accept(filename):
            continue
        name = project or _project_of(filename)
        if name is None:
            continue
        identified = _identify_file(name, filename)
        if identified is None:
            continue
        version, is_wheel = identified
        files.append(
            DistFile(
                project=name,
                filename=filename,
                url=url,
                version=version,
                is_wheel=is_wheel,
                size=size,
                hashes=hashes,
                requires_python=requires_python or None,
                # "" (listed as null) is listed too: with no constraint
                requires_python_listed=requires_python is not None,
                yanked=yanked,
                upload_text=upload,
                core_metadata=metadata,
                source=source,
            )
        )
    return files


class _AnchorParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base" and self.base is None:
            self.base = dict(attrs).get("href")
        elif tag == "a":
            self.anchors.append(dict(attrs))


def html_page_records(
    body: bytes, page_url: str, accept: Callable[[str], bool] | None = None
) -> list[FileRecord]:
    """The files of a PEP 503 HTML page (a project page or a find-links page)."""
    parser = _AnchorParser()
    parser.feed(body.decode("utf-8", errors="replace"))
    base = urllib.parse.urljoin(page_url, parser.base) if parser.base else page_url
    records: list[FileRecord] = []
    for anchor in parser.anchors:
        href = anchor.get("href")
        if not href:
            continue
        url = urllib.parse.urljoin(base, href)
        path, _, fragment = url.partition("#")
        filename = urllib.parse.unquote(posixpath.basename(urllib.parse.urlsplit(path).path))
        if accept is not None and not accept(filename):
            continue
        hashes: tuple[tuple[str, str], ...] = ()
        if "=" in fragment:
            algo, _, digest = fragment.partition("=")
            hashes = ((algo, digest),)
        metadata = anchor.get("data-core-metadata", anchor.get("data-dist-info-metadata"))
        yanked = anchor.get("data-yanked")
        records.append(
            (
                filename,
                path,
                None,
                hashes,
                anchor.get("data-requires-python") or None,
                None if "data-yanked" not in anchor else (yanked or ""),
                None,
                metadata is not None and metadata != "false",
            )
        )
    return records


def _project_of(filename: str) -> NormalizedName | None:
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[0]
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)[0]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return None


def _parse_page(
    entry: Mapping[str, Any], url: str, accept: Callable[[str], bool] | None = None
) -> list[FileRecord]:
    """The records of a cached or fetched page that ``accept`` keeps."""
    try:
        body = entry["body"]
        # One page parsed at a time: parsing holds the GIL anyway, and a large
        # project's page is tens of megabytes of objects while it is parsed.
        with _PARSING:
            if str(entry.get("content_type", "")).startswith(JSON_TYPE):
                return json_page_records(body, entry["url"], accept)
            return html_page_records(body, entry["url"], accept)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise IndexUnavailable(
            f"The index page {redact(url)} could not be parsed: {exc}.",
            hint="The index may be broken; try another with --index-url.",
        ) from exc


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

    def prefetch(self, names: Iterable[str]) -> None:
        """Start fetching these projects' pages in the background."""
        for name in names:
            key = canonicalize_name(name)
            with self._lock:
                if key not in self._pending:
                    self._pending[key] = self.http.submit(self._fetch_project, key)

    def project_future(self, name: str) -> Future[ProjectFiles]:
        """The project's page, fetched in the background (once)."""
        key = canonicalize_name(name)
        self.prefetch([key])
        with self._lock:
            return self._pending[key]

    def project(self, name: str) -> ProjectFiles:
        return self.project_future(name).result()

    def _fetch_project(self, project: NormalizedName) -> ProjectFiles:
        files: list[DistFile] = []
        found = False
        for index in self.index_urls:
            records = self._accepted_records(index, project)
            if records is None:
                continue
            found = True
            files.extend(records_to_files(project, records, redact(index)))
        for dist in self._local_files():
            if dist.project == project:
                found = True
                files.append(dist)
        return ProjectFiles(project, tuple(files), found)

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

    def _accepted_records(self, index: str, project: NormalizedName) -> list[FileRecord] | None:
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
                with self._lock:
                    self.consulted[derived_key] = cached.get("stored", 0.0)
                return None if found is None else list(found)
        accepted = self._index_page(index, project, self.accept)
        if derived_key is not None:
            stored = self.cache.set_page(derived_key, {"records": accepted})
            with self._lock:
                self.consulted[derived_key] = stored
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
            return _parse_page(cached, url, accept)
        if self.cache.offline:
            raise OfflineMiss(
                f"--offline: the cache has no copy of {redact(url)}.",
                hint="Run once without --offline to fill the cache.",
            )
        response = self.http.get(url, headers=_page_headers(cached), kind="pages")
        if response.status_code == 304 and cached is not None:
            self.cache.set_page(key, cached)
            return _parse_page(cached, url, accept)
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
        records = _parse_page(entry, url, accept)
        self.cache.set_page(key, entry)
        return records

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
