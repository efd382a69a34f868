"""A real package index on 127.0.0.1 for the tests: PEP 503 HTML, PEP 691 JSON, PEP 658/700.

:class:`IndexServer` serves every ``*.whl``, ``*.tar.gz`` and ``*.zip`` in a directory (re-read
on each request, so files can be added while it runs) from a stdlib ``ThreadingHTTPServer``
in a daemon thread, speaking HTTP/1.1 with keep-alive. Its behaviour is switched by keyword
arguments that are also plain attributes, changeable while it runs::

    with IndexServer(root, suffix_ranges=False) as srv:
        srv.simple_url          # http://127.0.0.1:PORT/simple/
        srv.fail_first = 2      # the next two requests get 503
        srv.bytes_sent()        # body bytes sent for /files/...

Routes: ``/simple/``, ``/simple/<project>/``, ``/files/<filename>`` (single byte ranges),
``/files/<filename>.metadata`` (PEP 658). Every request is recorded in :attr:`requests`.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import html
import json
import socket
import ssl
import sys
import tarfile
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.parser import BytesHeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

__all__ = [
    "DEFAULT_UPLOAD_TIME",
    "JSON_CONTENT_TYPE",
    "DistFile",
    "IndexServer",
    "RequestRecord",
]

JSON_CONTENT_TYPE = "application/vnd.pypi.simple.v1+json"
_JSON_TYPES = (JSON_CONTENT_TYPE, "application/vnd.pypi.simple.latest+json")
_HTML_TYPES = ("application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html")
#: Upload time of the first file (in sorted filename order); each next file is 1 s later.
DEFAULT_UPLOAD_TIME = datetime(2024, 1, 1, tzinfo=timezone.utc)
_CHUNK = 64 * 1024


@dataclass
class RequestRecord:
    """One request as the server saw and answered it."""

    method: str
    path: str  # the raw request target, query included
    range: str | None  # the Range header, verbatim
    status: int
    body_bytes: int  # body bytes written to the socket (0 for HEAD / 304 / errors without body)
    accept: str | None
    headers: dict[str, str] = field(default_factory=dict)  # all request headers, lower-cased keys


@dataclass(frozen=True)
class DistFile:
    """What the server knows about one served file (computed once per mtime/size)."""

    filename: str
    path: Path
    project: str  # canonical name
    version: str
    size: int
    sha256: str
    metadata: bytes | None  # the wheel's METADATA (None for sdists)
    requires_python: str | None

    @property
    def metadata_sha256(self) -> str | None:
        return None if self.metadata is None else hashlib.sha256(self.metadata).hexdigest()


def _split_filename(filename: str) -> tuple[str, str] | None:
    """(raw project name, version) from a wheel or sdist filename, or None if not one."""
    if filename.endswith(".whl"):
        parts = filename[: -len(".whl")].split("-")
        return (parts[0], parts[1]) if len(parts) >= 5 else None
    for ext in (".tar.gz", ".zip"):
        if filename.endswith(ext):
            stem = filename[: -len(ext)]
            name, sep, version = stem.rpartition("-")
            return (name, version) if sep and name else None
    return None


def _read_core_metadata(path: Path) -> tuple[bytes | None, str | None]:
    """(wheel METADATA or None, Requires-Python or None) of a distribution file."""
    raw: bytes | None = None
    is_wheel = path.name.endswith(".whl")
    try:
        if path.name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(path) as zf:
                want = ".dist-info/METADATA" if is_wheel else "/PKG-INFO"
                names = [n for n in zf.namelist() if n.count("/") == 1 and n.endswith(want)]
                if names:
                    raw = zf.read(names[0])
        else:
            with tarfile.open(path) as tf:
                for member in tf.getmembers():
                    if member.name.count("/") == 1 and member.name.endswith("/PKG-INFO"):
                        fh = tf.extractfile(member)
                        raw = fh.read() if fh is not None else None
                        break
    except (OSError, zipfile.BadZipFile, tarfile.TarError):
        return None, None
    if raw is None:
        return None, None
    requires_python = BytesHeaderParser().parsebytes(raw).get("Requires-Python")
    return (raw if is_wheel else None), requires_python


def _q_values(accept: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (p.strip() for p in item.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        out[media.lower()] = max(q, out.get(media.lower(), 0.0))
    return out


def _wants_json(accept: str | None) -> bool:
    if not accept:
        return False
    q = _q_values(accept)
    json_q = max(q.get(t, 0.0) for t in _JSON_TYPES)
    html_q = max(q.get(t, 0.0) for t in (*_HTML_TYPES, "text/html", "*/*", "text/*"))
    return json_q > 0 and json_q >= html_q


def _accepts_gzip(accept_encoding: str | None) -> bool:
    if not accept_encoding:
        return False
    q = _q_values(accept_encoding)
    return q.get("gzip", q.get("*", 0.0)) > 0


def _iso(dt: datetime) -> str:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _version_key(version: str) -> tuple[int, Version | str]:
    try:
        return (0, Version(version))
    except InvalidVersion:
        return (1, version)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    index: IndexServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # clients hanging up mid-response are normal in these tests
        super().handle_error(request, client_address)


class IndexServer:
    """A package index on ``127.0.0.1:<free port>`` serving the files in ``root``.

    Switches (constructor keywords, also attributes that may be changed while running):

    * ``ranges`` -- honour ``Range`` on ``/files/`` (206/416, ``Accept-Ranges: bytes``). When
      False, every GET gets 200 with the whole body and no ``Accept-Ranges``.
    * ``suffix_ranges`` -- when False, ``bytes=-N`` gets 416 (absolute ranges still work).
    * ``content_length_on_head`` -- when False, HEAD responses carry no ``Content-Length``.
    * ``metadata`` -- PEP 658/714: ``.metadata`` files and the core-metadata attributes/keys.
    * ``json_api`` -- answer PEP 691 JSON when asked; when False always HTML.
    * ``auth`` -- ``(user, password)``: every request needs Basic auth, else 401.
    * ``fail_first`` -- number of coming requests to answer 503 (with ``Retry-After: 0``);
      each 503 decrements it, so setting it at run time fails the next N requests.
    * ``upload_times`` -- filename -> datetime; files not in it get :data:`DEFAULT_UPLOAD_TIME`
      plus one second per position in the sorted list of all served filenames.
    * ``yanked`` -- filename -> reason (``""`` yanks without a reason).
    * ``absolute_urls`` -- file URLs on project pages are absolute instead of ``../../files/``.
    * ``gzip_pages`` -- gzip index pages for clients sending ``Accept-Encoding: gzip``.
    * ``tls`` -- a server-side :class:`ssl.SSLContext`: serve HTTPS with it (``url`` says
      ``https``). Set at construction only.

    Files are never gzip-encoded. ``ETag`` is sent on files and honoured in ``If-None-Match``
    (304) and ``If-Range`` (a mismatching validator turns a range request into a full 200).
    """

    def __init__(
        self,
        root: Path | str,
        *,
        ranges: bool = True,
        suffix_ranges: bool = True,
        content_length_on_head: bool = True,
        metadata: bool = True,
        json_api: bool = True,
        auth: tuple[str, str] | None = None,
        fail_first: int = 0,
        upload_times: dict[str, datetime] | None = None,
        yanked: dict[str, str] | None = None,
        absolute_urls: bool = False,
        gzip_pages: bool = True,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.root = Path(root)
        self.tls = tls
        self.ranges = ranges
        self.suffix_ranges = suffix_ranges
        self.content_length_on_head = content_length_on_head
        self.metadata = metadata
        self.json_api = json_api
        self.auth = auth
        self.fail_first = fail_first
        self.upload_times: dict[str, datetime] = dict(upload_times or {})
        self.yanked: dict[str, str] = dict(yanked or {})
        self.absolute_urls = absolute_urls
        self.gzip_pages = gzip_pages

        self._lock = threading.Lock()
        self._log: list[RequestRecord] = []
        self._cache: dict[Path, tuple[int, int, DistFile]] = {}
        self._connections: set[socket.socket] = set()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> IndexServer:
        if self._httpd is not None:
            raise RuntimeError("IndexServer already started")
        httpd = _Server(("127.0.0.1", 0), _Handler)
        httpd.index = self
        if self.tls is not None:
            httpd.socket = self.tls.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"IndexServer:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:  # end idle keep-alive connections so their threads exit
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> IndexServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("IndexServer not started")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    @property
    def simple_url(self) -> str:
        return self.url + "/simple/"

    def file_url(self, filename: str) -> str:
        return f"{self.url}/files/{quote(filename)}"

    # -- request log -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def bytes_sent(self, path_prefix: str = "/files/") -> int:
        """Body bytes sent in answers to requests whose path starts with ``path_prefix``."""
        with self._lock:
            return sum(r.body_bytes for r in self._log if r.path.startswith(path_prefix))

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._log.append(record)

    # -- the served files ------------------------------------------------------------------

    def dist_files(self) -> dict[str, DistFile]:
        """filename -> :class:`DistFile` for every distribution file now in ``root``."""
        out: dict[str, DistFile] = {}
        for path in sorted(self.root.iterdir()) if self.root.is_dir() else ():
            if not path.is_file() or _split_filename(path.name) is None:
                continue
            info = self._describe(path)
            if info is not None:
                out[path.name] = info
        return out

    def _describe(self, path: Path) -> DistFile | None:
        try:
            st = path.stat()
        except OSError:
            return None
        with self._lock:
            cached = self._cache.get(path)
        if cached is not None and cached[:2] == (st.st_mtime_ns, st.st_size):
            return cached[2]
        split = _split_filename(path.name)
        if split is None:
            return None
        raw_name, version = split
        data = path.read_bytes()
        metadata, requires_python = _read_core_metadata(path)
        info = DistFile(
            filename=path.name,
            path=path,
            project=canonicalize_name(raw_name),
            version=version,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            metadata=metadata,
            requires_python=requires_python,
        )
        with self._lock:
            self._cache[path] = (st.st_mtime_ns, st.st_size, info)
        return info

    def upload_time(self, filename: str, all_names: list[str]) -> datetime:
        if filename in self.upload_times:
            return self.upload_times[filename]
        return DEFAULT_UPLOAD_TIME + timedelta(seconds=sorted(all_names).index(filename))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30  # an idle keep-alive connection is dropped after this long
    disable_nagle_algorithm = True  # headers and body go in separate writes: no 40 ms stalls

    # -- plumbing --------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        with self.server.index._lock:
            self.server.index._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.index._lock:
            self.server.index._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # silence the default stderr access log

    @property
    def index(self) -> IndexServer:
        return self.server.index

    def _send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        content_length: bool = True,
    ) -> None:
        headers = dict(headers or {})
        if content_length:
            headers.setdefault("Content-Length", str(len(body)))
        send_body = self.command != "HEAD" and status not in (204, 304)
        record = RequestRecord(
            method=self.command,
            path=self.path,
            range=self.headers.get("Range"),
            status=status,
            body_bytes=len(body) if send_body else 0,
            accept=self.headers.get("Accept"),
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        # Logged before the response goes out, so a client that has its answer always finds
        # the record; body_bytes is lowered below if the client hangs up mid-body.
        self.index._record(record)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if not send_body:
            return
        written = 0
        try:
            view = memoryview(body)
            while written < len(body):
                chunk = view[written : written + _CHUNK]
                self.wfile.write(chunk)
                written += len(chunk)
        except OSError:
            with self.index._lock:
                record.body_bytes = written
            self.close_connection = True
            raise

    def _text(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        merged = {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
        self._send(status, message.encode("utf-8"), merged)

    # -- dispatch --------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        index = self.index
        with index._lock:
            failing = index.fail_first > 0
            if failing:
                index.fail_first -= 1
        if failing:
            self._text(503, "service unavailable (fail_first)\n", {"Retry-After": "0"})
            return
        if index.auth is not None and not self._authorized(index.auth):
            self._text(401, "authentication required\n", {"WWW-Authenticate": 'Basic realm="idx"'})
            return
        path = unquote(urlsplit(self.path).path)
        if path == "/simple":
            self._send(301, headers={"Location": "/simple/"})
        elif path == "/simple/":
            self._project_list()
        elif path.startswith("/simple/"):
            self._project_page(path[len("/simple/") :])
        elif path.startswith("/files/") and "/" not in path[len("/files/") :]:
            self._file(path[len("/files/") :])
        else:
            self._text(404, "not found\n")

    def _authorized(self, creds: tuple[str, str]) -> bool:
        header = self.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return False
        user, sep, password = decoded.partition(":")
        return bool(sep) and (user, password) == creds

    # -- index pages -----------------------------------------------------------------------

    def _page(self, html_body: str, json_body: dict[str, Any]) -> None:
        headers = {"Vary": "Accept, Accept-Encoding", "Cache-Control": "max-age=0"}
        if self.index.json_api and _wants_json(self.headers.get("Accept")):
            body = json.dumps(json_body, indent=1).encode("utf-8")
            headers["Content-Type"] = JSON_CONTENT_TYPE
        else:
            body = html_body.encode("utf-8")
            headers["Content-Type"] = "text/html; charset=utf-8"
        if self.index.gzip_pages and _accepts_gzip(self.headers.get("Accept-Encoding")):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        self._send(200, body, headers)

    def _project_list(self) -> None:
        projects = sorted({f.project for f in self.index.dist_files().values()})
        anchors = "\n".join(
            f'    <a href="{quote(p)}/">{html.escape(p)}</a><br/>' for p in projects
        )
        page = (
            "<!DOCTYPE html>\n<html>\n  <head>\n"
            '    <meta name="pypi:repository-version" content="1.1">\n'
            "    <title>Simple index</title>\n  </head>\n  <body>\n"
            f"{anchors}\n  </body>\n</html>\n"
        )
        self._page(
            page, {"meta": {"api-version": "1.1"}, "projects": [{"name": p} for p in projects]}
        )

    def _project_page(self, rest: str) -> None:
        raw = rest[:-1] if rest.endswith("/") else rest
        if not raw or "/" in raw:
            self._text(404, "not found\n")
            return
        canonical = canonicalize_name(raw)
        if raw != canonical or not rest.endswith("/"):
            self._send(301, headers={"Location": f"/simple/{quote(canonical)}/"})
            return
        index = self.index
        all_files = index.dist_files()
        files = [f for name, f in sorted(all_files.items()) if f.project == canonical]
        if not files:
            self._text(404, f"no project {canonical}\n")
            return
        names = list(all_files)
        json_files: list[dict[str, Any]] = []
        anchors: list[str] = []
        for f in files:
            relative = f"../../files/{quote(f.filename)}"
            url = index.file_url(f.filename) if index.absolute_urls else relative
            meta_sha = f.metadata_sha256 if index.metadata else None
            yanked = index.yanked.get(f.filename)
            json_files.append(
                {
                    "filename": f.filename,
                    "url": url,
                    "hashes": {"sha256": f.sha256},
                    "size": f.size,
                    "upload-time": _iso(index.upload_time(f.filename, names)),
                    "requires-python": f.requires_python,
                    "yanked": False if yanked is None else (yanked or True),
                    "core-metadata": {"sha256": meta_sha} if meta_sha else False,
                    "data-dist-info-metadata": {"sha256": meta_sha} if meta_sha else False,
                }
            )
            attrs = [f'href="{html.escape(url)}#sha256={f.sha256}"']
            if f.requires_python is not None:
                attrs.append(f'data-requires-python="{html.escape(f.requires_python)}"')
            if yanked is not None:
                attrs.append(f'data-yanked="{html.escape(yanked)}"')
            if meta_sha:
                attrs.append(f'data-core-metadata="sha256={meta_sha}"')
                attrs.append(f'data-dist-info-metadata="sha256={meta_sha}"')
            anchors.append(f"    <a {' '.join(attrs)}>{html.escape(f.filename)}</a><br/>")
        versions = sorted({f.version for f in files}, key=_version_key)
        page = (
            "<!DOCTYPE html>\n<html>\n  <head>\n"
            '    <meta name="pypi:repository-version" content="1.1">\n'
            f"    <title>Links for {html.escape(canonical)}</title>\n  </head>\n  <body>\n"
            f"    <h1>Links for {html.escape(canonical)}</h1>\n"
            + "\n".join(anchors)
            + "\n  </body>\n</html>\n"
        )
        body = {
            "meta": {"api-version": "1.1"},
            "name": canonical,
            "versions": versions,
            "files": json_files,
        }
        self._page(page, body)

    # -- files -----------------------------------------------------------------------------

    def _file(self, filename: str) -> None:
        index = self.index
        files = index.dist_files()
        if filename.endswith(".metadata") and filename not in files:
            dist = files.get(filename[: -len(".metadata")])
            if dist is None or dist.metadata is None or not index.metadata:
                self._text(404, "no metadata\n")
                return
            etag = f'"{dist.metadata_sha256}"'
            headers = {"Content-Type": "application/octet-stream", "ETag": etag}
            if self.headers.get("If-None-Match") == etag:
                self._send(304, headers={"ETag": etag})
                return
            self._send(200, dist.metadata, headers)
            return
        dist = files.get(filename)
        if dist is None:
            self._text(404, f"no file {filename}\n")
            return
        etag = f'"{dist.sha256}"'
        headers = {"Content-Type": "application/octet-stream", "ETag": etag}
        if index.ranges:
            headers["Accept-Ranges"] = "bytes"
        if self.headers.get("If-None-Match") == etag:
            self._send(304, headers=headers)
            return
        total = dist.size
        if self.command == "HEAD":
            if index.content_length_on_head:
                headers["Content-Length"] = str(total)
            self._send(200, b"", headers, content_length=False)
            return
        range_header = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if range_header and index.ranges and (if_range is None or if_range == etag):
            parsed = self._parse_range(range_header, total)
            if isinstance(parsed, str):  # "unsatisfiable"
                headers["Content-Range"] = f"bytes */{total}"
                self._send(416, b"", headers)
                return
            if isinstance(parsed, tuple):
                start, end = parsed
                with open(dist.path, "rb") as fh:
                    fh.seek(start)
                    body = fh.read(end - start + 1)
                headers["Content-Range"] = f"bytes {start}-{end}/{total}"
                self._send(206, body, headers)
                return
        self._send(200, dist.path.read_bytes(), headers)

    def _parse_range(self, header: str, total: int) -> tuple[int, int] | str | None:
        """(first, last) inclusive, ``"unsatisfiable"``, or None to ignore the header.

        Only a single ``bytes=`` range is honoured; multiple ranges and malformed headers are
        ignored (a full 200), as RFC 9110 allows.
        """
        unit, _, spec = header.partition("=")
        if unit.strip().lower() != "bytes" or "," in spec:
            return None
        first, dash, last = spec.strip().partition("-")
        if not dash:
            return None
        first, last = first.strip(), last.strip()
        if first == "":
            if not last.isdigit():
                return None
            n = int(last)
            if not self.index.suffix_ranges or n == 0 or total == 0:
                return "unsatisfiable"
            return max(0, total - n), total - 1
        if not first.isdigit() or (last and not last.isdigit()):
            return None
        start = int(first)
        if last and int(last) < start:
            return None  # syntactically invalid: ignored
        if start >= total:
            return "unsatisfiable"
        end = int(last) if last else total - 1
        return start, min(end, total - 1)
