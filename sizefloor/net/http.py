"""One HTTP client for every index and file host, with pip's habits.

- credentials: from the index URLs the user gave (``https://user:pw@host/``),
  then ``~/.netrc`` (``NETRC``), applied per host; never logged or printed;
- proxies: ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY`` from the environment
  (httpx's ``trust_env``), or pip's configured proxy;
- TLS: pip's configured ``cert`` bundle when there is one;
- retries with backoff on connection errors and 429/5xx answers;
- ``file:`` URLs are read from disk, so local indexes and find-links work
  through the same calls.

Everything is synchronous; callers get concurrency from a thread pool
(:func:`Http.map`), because resolvelib drives the resolution synchronously.
"""

from __future__ import annotations

import netrc
import os
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, TypeVar

from sizefloor.errors import IndexAuthError, IndexUnavailable

if TYPE_CHECKING:  # httpx is imported on the first request: a warm run needs none
    import httpx

    from sizefloor.net.dns import Resolver
from sizefloor.urls import redact, strip_credentials, url2pathname

T = TypeVar("T")
R = TypeVar("R")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class Traffic:
    """Bytes received, split by what they were for (thread-safe counters)."""

    pages: int = 0
    files: int = 0
    metadata: int = 0
    sources: int = 0
    """``.py`` members fetched to compile them (``--exact-bytecode``)."""
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, kind: str, nbytes: int) -> None:
        with self._lock:
            self.requests += 1
            setattr(self, kind, getattr(self, kind) + nbytes)

    def to_json(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "index_page_bytes": self.pages,
            "wheel_bytes": self.files,
            "metadata_bytes": self.metadata,
            "source_bytes": self.sources,
        }


def _host_auth(credentials: Mapping[str, tuple[str, str]]) -> httpx.Auth:
    """Basic credentials chosen by host: index URLs first, then netrc."""
    import httpx

    class HostAuth(httpx.Auth):
        def __init__(self) -> None:
            self._credentials = dict(credentials)
            self._netrc: netrc.netrc | bool | None = False  # False: not read yet

        def _from_netrc(self, host: str) -> tuple[str, str] | None:
            if self._netrc is False:
                path = os.environ.get("NETRC") or os.path.expanduser("~/.netrc")
                try:
                    self._netrc = netrc.netrc(path) if os.path.isfile(path) else None
                except (OSError, netrc.NetrcParseError):
                    self._netrc = None
            if not isinstance(self._netrc, netrc.netrc):
                return None
            found = self._netrc.authenticators(host)
            if found is None:
                return None
            login, _account, password = found
            return (login or "", password or "")

        def auth_flow(
            self, request: httpx.Request
        ) -> Generator[httpx.Request, httpx.Response, None]:
            host = request.url.host
            port = request.url.port
            creds = self._credentials.get(f"{host}:{port}") if port else None
            creds = creds or self._credentials.get(host) or self._from_netrc(host)
            if creds is not None and "Authorization" not in request.headers:
                request.headers["Authorization"] = httpx.BasicAuth(*creds)._auth_header
            yield request

    return HostAuth()


@dataclass(frozen=True)
class HttpOptions:
    timeout: float = 30.0
    retries: int = 3
    concurrency: int = 16
    cert: str | None = None
    client_cert: str | None = None
    proxy: str | None = None
    trusted_hosts: tuple[str, ...] = ()


class FileResponse:
    """The parts of a response sizefloor uses, for HTTP and ``file:`` alike."""

    def __init__(self, status: int, headers: Mapping[str, str], content: bytes, url: str) -> None:
        self.status_code = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.content = content
        self.url = url


class Http:
    """A shared client. Use as a context manager, or call :meth:`close`."""

    def __init__(self, options: HttpOptions | None = None, urls: Iterable[str] = ()) -> None:
        self.options = options or HttpOptions()
        self.traffic = Traffic()
        credentials: dict[str, tuple[str, str]] = {}
        for url in urls:
            _clean, creds = strip_credentials(url)
            if creds is not None:
                parts = urllib.parse.urlsplit(url)
                host = parts.hostname or ""
                credentials.setdefault(host, creds)
                if parts.port:
                    credentials.setdefault(f"{host}:{parts.port}", creds)
        self._credentials = credentials
        self._client_lock = threading.Lock()
        self.resolver: Resolver | None = None
        """Looks each host up once, hedged (:mod:`sizefloor.net.dns`); made with the client."""
        self._httpx_client: httpx.Client | None = None
        self._pool = ThreadPoolExecutor(
            max_workers=self.options.concurrency, thread_name_prefix="sizefloor"
        )
        self._spans_pool: ThreadPoolExecutor | None = None

    @property
    def _client(self) -> httpx.Client:
        """The httpx client, made on the first request (importing httpx and loading
        the TLS trust store cost a warm run time it does not need to spend)."""
        with self._client_lock:
            if self._httpx_client is None:
                import httpx

                from sizefloor.net.dns import Resolver
                from sizefloor.net.transport import PerOrigin

                self.resolver = Resolver()
                limits = httpx.Limits(
                    max_connections=self.options.concurrency,
                    max_keepalive_connections=self.options.concurrency,
                )
                verify = self.options.cert or True
                self._httpx_client = httpx.Client(
                    auth=_host_auth(self._credentials),
                    verify=verify,
                    cert=self.options.client_cert,
                    proxy=self.options.proxy,
                    trust_env=True,
                    timeout=httpx.Timeout(
                        self.options.timeout, connect=min(self.options.timeout, 15.0)
                    ),
                    follow_redirects=True,
                    limits=limits,
                    # per origin: see sizefloor.net.transport
                    transport=PerOrigin(
                        self.resolver,
                        verify=verify,
                        cert=self.options.client_cert,
                        limits=limits,
                        trusted=self.options.trusted_hosts,
                    ),
                    headers={"User-Agent": _user_agent()},
                )
            return self._httpx_client

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._spans_pool is not None:
            self._spans_pool.shutdown(wait=False, cancel_futures=True)
        if self._httpx_client is not None:
            self._httpx_client.close()

    # -- concurrency -------------------------------------------------------

    def submit(self, fn: Callable[..., R], *args: object) -> Future[R]:
        return self._pool.submit(fn, *args)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return self._pool.map(fn, items)

    def get_ranges(
        self, url: str, spans: Sequence[tuple[int, int]], *, kind: str = "files"
    ) -> list[RangeResult]:
        """:meth:`get_range` for each ``(start, end)`` of ``spans``, all at once.

        Servers answer a multi-range request with the whole file, so these are
        separate requests, sent concurrently from a pool of their own: the
        caller is usually a task of the main pool, and waiting there on tasks
        of the same pool could leave none to run them."""
        if len(spans) <= 1:
            return [self.get_range(url, start, end, kind=kind) for start, end in spans]
        with self._client_lock:
            if self._spans_pool is None:
                self._spans_pool = ThreadPoolExecutor(
                    max_workers=self.options.concurrency, thread_name_prefix="sizefloor-spans"
                )
            pool = self._spans_pool
        futures = [pool.submit(self.get_range, url, start, end, kind=kind) for start, end in spans]
        results: list[RangeResult] = []
        try:
            for future in futures:
                results.append(future.result())
        except BaseException:
            for future in futures:
                if not future.cancel() and future.exception() is None:
                    future.result().close()
            for result in results:
                result.close()
            raise
        return results

    # -- requests ----------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        kind: str = "pages",
        method: str = "GET",
    ) -> FileResponse:
        """GET (or HEAD) ``url``, retrying transient failures.

        Raises :class:`IndexAuthError` on 401/403 and :class:`IndexUnavailable`
        when the host cannot be reached or keeps failing. Other statuses are
        returned for the caller to judge (404 means "no such project").
        """
        if url.startswith("file:"):
            return _read_file_url(url, headers or {})
        import httpx

        clean, _ = strip_credentials(url)
        attempt = 0
        while True:
            try:
                response = self._client.request(method, clean, headers=headers)
            except httpx.TimeoutException as exc:
                error: Exception = exc
                reason = "timed out"
            except httpx.TransportError as exc:
                error = exc
                reason = _describe_transport_error(exc)
            else:
                if response.status_code in RETRY_STATUSES and attempt < self.options.retries:
                    attempt += 1
                    time.sleep(_backoff(attempt, response))
                    continue
                self.traffic.add(kind, response.num_bytes_downloaded)
                if response.status_code in (401, 403):
                    raise IndexAuthError(
                        f"{redact(url)} answered {response.status_code} {response.reason_phrase}.",
                        hint="Check the credentials for this index: in the index URL "
                        "(https://user:token@host/...), in ~/.netrc, or in pip's configuration.",
                    )
                if response.status_code in RETRY_STATUSES:
                    raise IndexUnavailable(
                        f"{redact(url)} kept answering {response.status_code} "
                        f"{response.reason_phrase} after {attempt + 1} attempts.",
                        hint="The server is failing; try again later or use another index.",
                    )
                return FileResponse(
                    response.status_code, response.headers, response.content, str(response.url)
                )
            if attempt >= self.options.retries:
                raise IndexUnavailable(
                    f"Could not reach {redact(url)}: {reason} (after {attempt + 1} attempts).",
                    hint=_unreachable_hint(
                        reason,
                        "Check the network, the proxy settings (HTTPS_PROXY, NO_PROXY) and "
                        "the index URL; --offline answers from the cache alone.",
                    ),
                ) from error
            attempt += 1
            time.sleep(_backoff(attempt, None))

    def get_range(self, url: str, start: int, end: int, *, kind: str = "files") -> RangeResult:
        """Bytes ``[start, end)`` of ``url`` (counted in :class:`Traffic` as ``kind``).

        When the server ignores Range and sends the whole file, the body is
        streamed to a temporary file (never held in memory) and returned as
        ``whole``; the caller reads what it needs from there.
        """
        if end <= start:
            raise ValueError("empty range")
        headers = {"Range": f"bytes={start}-{end - 1}", "Accept-Encoding": "identity"}
        if url.startswith("file:"):
            local = _read_file_url(url, headers)
            return RangeResult(local.status_code, local.content, None)
        import httpx

        clean, _ = strip_credentials(url)
        attempt = 0
        while True:
            try:
                with self._client.stream("GET", clean, headers=headers) as response:
                    status = response.status_code
                    if status in RETRY_STATUSES and attempt < self.options.retries:
                        response.read()
                    elif status == 200:
                        spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
                        received = 0
                        for chunk in response.iter_raw(1 << 20):
                            spool.write(chunk)
                            received += len(chunk)
                        self.traffic.add(kind, received)
                        spool.seek(0)
                        return RangeResult(200, b"", spool)
                    else:
                        body = response.read()
                        self.traffic.add(kind, response.num_bytes_downloaded)
                        if status in (401, 403):
                            raise IndexAuthError(
                                f"{redact(url)} answered {status} {response.reason_phrase}.",
                                hint="Check the credentials for this host (in the index URL, "
                                "~/.netrc or pip's configuration).",
                            )
                        if status in RETRY_STATUSES:
                            raise IndexUnavailable(
                                f"{redact(url)} kept answering {status} after {attempt + 1} "
                                "attempts."
                            )
                        return RangeResult(status, body, None)
            except httpx.TransportError as exc:
                if attempt >= self.options.retries:
                    raise IndexUnavailable(
                        f"Could not read {redact(url)}: {_describe_transport_error(exc)} "
                        f"(after {attempt + 1} attempts).",
                        hint=_unreachable_hint(
                            str(exc),
                            "Check the network and proxy settings; --offline answers from "
                            "the cache alone.",
                        ),
                    ) from exc
            attempt += 1
            time.sleep(_backoff(attempt, None))


@dataclass
class RangeResult:
    """What a range request gave: ``status`` 206 with ``content``, or 200 with the
    whole file in ``whole`` (a temporary file the caller closes), or an error status."""

    status_code: int
    content: bytes
    whole: IO[bytes] | None

    def close(self) -> None:
        """Close :attr:`whole`, when there is one."""
        if self.whole is not None:
            self.whole.close()


def _backoff(attempt: int, response: httpx.Response | None) -> float:
    if response is not None:
        retry_after = response.headers.get("retry-after", "")
        if retry_after.isdigit():
            return min(float(retry_after), 10.0)
    return float(min(0.25 * (2 ** (attempt - 1)), 4.0))


def _unreachable_hint(reason: str, otherwise: str) -> str:
    """What to do about a host that could not be reached for ``reason``."""
    if "CERTIFICATE_VERIFY_FAILED" in reason:
        return (
            "The server's TLS certificate could not be verified. Point pip's `cert` setting "
            "(or SSL_CERT_FILE) at the CA bundle that signed it, or, for a host you trust "
            "as it is, add `--trusted-host HOST` to the requirements file or pip's "
            "`trusted-host` setting."
        )
    return otherwise


def _describe_transport_error(exc: httpx.TransportError) -> str:
    text = str(exc) or type(exc).__name__
    return redact(text)


def _read_file_url(url: str, headers: Mapping[str, str]) -> FileResponse:
    path = url2pathname(urllib.parse.urlsplit(url).path)
    if os.path.isdir(path):
        index = os.path.join(path, "index.html")
        if not os.path.isfile(index):
            return FileResponse(404, {}, b"", url)
        path = index
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return FileResponse(404, {}, b"", url)
    except OSError as exc:
        raise IndexUnavailable(f"Could not read {path}: {exc.strerror}.") from exc
    size = len(data)
    wanted = headers.get("Range")
    if wanted and wanted.startswith("bytes="):
        first, _, last = wanted[6:].partition("-")
        start, stop = int(first), min(int(last) + 1, size) if last else size
        return FileResponse(
            206, {"Content-Range": f"bytes {start}-{stop - 1}/{size}"}, data[start:stop], url
        )
    content_type = "text/html" if path.endswith((".html", ".htm")) else ""
    return FileResponse(200, {"Content-Length": str(size), "Content-Type": content_type}, data, url)


def _user_agent() -> str:
    from sizefloor import __version__

    return f"sizefloor/{__version__}"
