"""``file:`` URLs answered like a small static web server, so that local indexes, find-links
and wheels are read through the same client calls as remote ones.

- a file: 200 with its bytes (streamed from disk), or 206 with one byte range
  (``Range: bytes=a-b``, ``a-`` or ``-n``; 416 past its end); ``HEAD``: the headers alone;
- a directory: when the request accepts :data:`DIRECTORY_TYPE`, the list of the files in it,
  in the shape of a PEP 691 project page (what pip reads a find-links directory for: every
  file, with its size); otherwise its ``index.html``, as pip reads a ``file:`` index's
  project directory; 404 when it has none;
- nothing at that path: 404; a file of a type the request does not accept: 406.

A file that is there but cannot be read raises :class:`IndexUnavailable`. Imported with the
first request, like httpx.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import IO

import httpx

from sizefloor.errors import IndexUnavailable
from sizefloor.net.local import DIRECTORY_TYPE
from sizefloor.urls import file_url, file_url_path

CHUNK = 1 << 20


class FileTransport(httpx.BaseTransport):
    """Serves ``file:`` URLs from the local disk (mount it for ``file://``)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method not in ("GET", "HEAD"):
            return _status(405)
        path = file_url_path(str(request.url))
        accepted = _accepted(request.headers.get("accept", "*/*"))
        try:
            if os.path.isdir(path):
                return _directory(request, path, accepted)
            return _file(request, path, accepted)
        except (FileNotFoundError, NotADirectoryError):
            return _status(404)
        except OSError as exc:
            raise IndexUnavailable(f"Could not read {path}: {exc.strerror}.") from exc


def _directory(request: httpx.Request, path: str, accepted: frozenset[str]) -> httpx.Response:
    if DIRECTORY_TYPE in accepted:
        body = json.dumps({"meta": {"api-version": "1.0"}, "files": _listing(path)}).encode()
        headers = {"Content-Type": DIRECTORY_TYPE, "Content-Length": str(len(body))}
        return httpx.Response(200, headers=headers, content=b"" if _head(request) else body)
    index = os.path.join(path, "index.html")
    if not os.path.isfile(index):
        return _status(404)
    return _file(request, index, accepted)


def _listing(path: str) -> list[dict[str, object]]:
    """The regular files in directory ``path`` (symbolic links followed), by name."""
    return [
        {"filename": entry.name, "url": file_url(entry.path), "size": entry.stat().st_size}
        for entry in sorted(os.scandir(path), key=lambda e: e.name)
        if entry.is_file()
    ]


def _file(request: httpx.Request, path: str, accepted: frozenset[str]) -> httpx.Response:
    size = os.stat(path).st_size  # FileNotFoundError: 404
    media_type = "text/html" if path.endswith((".html", ".htm")) else "application/octet-stream"
    if not _admits(accepted, media_type):
        return _status(406)
    headers = {"Content-Type": media_type, "Accept-Ranges": "bytes"}
    span = _byte_range(request.headers.get("range"), size)
    if isinstance(span, str):  # "unsatisfiable"
        return _status(416, {"Content-Range": f"bytes */{size}"})
    if span is None:
        headers["Content-Length"] = str(size)
        stream = None if _head(request) else _FileStream(open(path, "rb"))  # noqa: SIM115
        return httpx.Response(200, headers=headers, stream=stream)
    start, stop = span
    headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    headers["Content-Length"] = str(stop - start)
    data = b"" if _head(request) else _read(path, start, stop)
    return httpx.Response(206, headers=headers, content=data)


def _read(path: str, start: int, stop: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(start)
        return f.read(stop - start)


def _byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """``[start, stop)`` of a single byte range, ``"unsatisfiable"``, or ``None`` when there
    is none this serves (no header, several ranges, another unit: the whole file then)."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, dash, last = header[len("bytes=") :].strip().partition("-")
    if not dash or not (first or last) or not (first + last).isdigit():
        return None
    if not first:  # the last ``last`` bytes
        start, stop = max(0, size - int(last)), size
    else:
        start, stop = int(first), min(int(last) + 1, size) if last else size
        if last and int(last) < start:
            return None
    if start >= size or stop <= start:
        return "unsatisfiable"
    return start, stop


def _accepted(accept: str) -> frozenset[str]:
    """The media ranges an ``Accept`` header admits (those not weighted ``q=0``)."""
    accepted = set()
    for item in accept.split(","):
        media_range, *parameters = (part.strip() for part in item.split(";"))
        if media_range and _weight(parameters) > 0:
            accepted.add(media_range.lower())
    return frozenset(accepted)


def _weight(parameters: list[str]) -> float:
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def _admits(accepted: frozenset[str], media_type: str) -> bool:
    major = media_type.partition("/")[0]
    return bool({media_type, f"{major}/*", "*/*"} & accepted)


def _head(request: httpx.Request) -> bool:
    return request.method == "HEAD"


def _status(code: int, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(code, headers={"Content-Length": "0", **(headers or {})})


class _FileStream(httpx.SyncByteStream):
    """A file's bytes in chunks, the file closed with the response."""

    def __init__(self, f: IO[bytes]) -> None:
        self._file = f

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._file.read(CHUNK):
            yield chunk

    def close(self) -> None:
        self._file.close()
