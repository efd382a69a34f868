"""Index pages read into file records: PEP 691 JSON and PEP 503 HTML (PEP 658/714 metadata,
PEP 700 upload times and sizes, yanked files, Requires-Python)."""

from __future__ import annotations

import html.parser
import json
import posixpath
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion

from sizefloor.errors import IndexUnavailable
from sizefloor.index.files import DistFile, FileRecord, record_to_file
from sizefloor.urls import redact

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
_PARSING = threading.Lock()
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"


def json_page_records(
    body: bytes, page_url: str, accept: Callable[[str], bool] | None = None
) -> list[FileRecord]:
    """The files of a PEP 691 JSON project page (those ``accept`` keeps: a large
    project lists thousands of files, most of them for other platforms): decoded by
    :mod:`sizefloor.index.pagejson`, or, when the page strays from its types, here."""
    # start-up: msgspec and the page's types are loaded by the first page parsed
    from sizefloor.index.pagejson import UNREADABLE, decode_files

    try:
        return decode_files(body, lambda url: _absolute(page_url, url), accept)
    except UNREADABLE:
        return _plain_json_records(body, page_url, accept)


def _plain_json_records(
    body: bytes, page_url: str, accept: Callable[[str], bool] | None
) -> list[FileRecord]:
    """:func:`json_page_records` for any JSON: what does not fit the specification's types is
    read as it is, or refused, as it always was."""
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
    taken from its name."""
    files: list[DistFile] = []
    for record in records:
        if accept is not None and not accept(record[0]):
            continue
        name = project or _project_of(record[0])
        if name is None:
            continue
        dist = record_to_file(name, record, source)
        if dist is not None:
            files.append(dist)
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


def parse_page(
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
