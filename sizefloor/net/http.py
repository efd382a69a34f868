"""One HTTP client for every index and file host, with pip's habits.

- credentials: from the index URLs the user gave (``https://user:pw@host/``),
  then ``~/.netrc`` (``NETRC``), applied per host (:mod:`sizefloor.net.auth`);
  never logged or printed;
- proxies: pip's configured proxy, else ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY``
  and ``NO_PROXY`` from the environment, for every origin (:mod:`sizefloor.net.proxies`);
  a proxy that cannot be reached fails the run, naming it;
- every wait bounded: a deadline for each response and one for the whole run
  (:mod:`sizefloor.net.deadline`), index pages capped in size (:attr:`HttpOptions.page_limit`),
  redirect loops and redirects to local files refused;
- TLS: pip's configured ``cert`` bundle when there is one;
- retries with backoff on connection errors and 429/5xx answers, in one loop
  (:meth:`Http._with_retries`), waiting with the ``sleep`` of :class:`HttpOptions`;
- ``file:`` URLs are answered from disk (:mod:`sizefloor.net.filetransport`), so
  local indexes, find-links and wheels are read through the same calls; they
  are not network traffic, and :class:`Traffic` does not count them.

Everything is synchronous; callers get concurrency from a thread pool
(:func:`Http.map`), because resolvelib drives the resolution synchronously.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, TypeVar

from sizefloor.errors import IndexAuthError, IndexUnavailable, ResponseTooLarge
from sizefloor.net.proxies import ChosenProxy, choose_proxy
from sizefloor.units import human
from sizefloor.urls import is_file_url, redact, strip_credentials

if TYPE_CHECKING:  # httpx is imported on the first request: a warm run needs none
    import httpx

    from sizefloor.net.deadline import Budget
    from sizefloor.net.dns import Resolver

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)
"""Each answer, with where it came from and what it brought (``sizefloor -v``)."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

DEFAULT_SLEEP: Callable[[float], object] = time.sleep
"""How clients wait between tries when their options name no ``sleep``: read when the
options are made, so a test of a whole run can replace it (``tests/recordedwaits.py``)."""

DEFAULT_CLOCK: Callable[[], float] = time.monotonic
"""What clients read the time from to keep their deadlines, when their options name no
``clock``: read when the options are made, so a test can make time pass at will."""

PAGE_LIMIT = 64 * 1024 * 1024
"""The largest index page (or metadata file) read, decoded: the largest real page seen is
23 MB. A larger answer is refused, as it streams in, and never cached."""

RESPONSE_DEADLINE_TIMEOUTS = 4
"""A response must be complete within this many ``timeout`` s ..."""

BYTES_PER_SECOND = 64 * 1024
"""... plus one second per this many bytes received: a large file coming at a fair speed
is never cut short; a server trickling bytes is given up on."""

RUN_DEADLINE_TIMEOUTS = 60
RUN_DEADLINE_AT_LEAST = 1800.0
"""The whole run spends at most ``max(60 x timeout, 1800)`` s on the network: a backstop
well above a cold run over a slow link (each response has its own deadline)."""


@dataclass
class Traffic:
    """Bytes received from the network, split by what they were for (thread-safe counters)."""

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


@dataclass(frozen=True)
class HttpOptions:
    timeout: float = 30.0
    retries: int = 3
    concurrency: int = 16
    cert: str | None = None
    client_cert: str | None = None
    proxy: str | None = None
    trusted_hosts: tuple[str, ...] = ()
    sleep: Callable[[float], object] = field(
        default_factory=lambda: DEFAULT_SLEEP, compare=False, repr=False
    )
    """How the client waits between two tries (tests pass one that records the delays);
    :data:`DEFAULT_SLEEP` when the options were made."""
    deadline: float | None = None
    """Seconds one response may take, headers to last byte, before it is given up on
    (``None``: :data:`RESPONSE_DEADLINE_TIMEOUTS` x ``timeout``), plus a second per
    :data:`BYTES_PER_SECOND` bytes received."""
    run_deadline: float | None = None
    """Seconds the client may spend on the network in all, counted from its first request
    (``None``: :data:`RUN_DEADLINE_TIMEOUTS` x ``timeout``, at least
    :data:`RUN_DEADLINE_AT_LEAST`)."""
    page_limit: int | None = PAGE_LIMIT
    """The largest index page or metadata file read (``None``: no limit)."""
    clock: Callable[[], float] = field(
        default_factory=lambda: DEFAULT_CLOCK, compare=False, repr=False
    )
    """Where deadlines read the time (:data:`DEFAULT_CLOCK` when the options were made)."""

    @property
    def response_seconds(self) -> float:
        return (
            self.deadline
            if self.deadline is not None
            else RESPONSE_DEADLINE_TIMEOUTS * self.timeout
        )

    @property
    def run_seconds(self) -> float:
        if self.run_deadline is not None:
            return self.run_deadline
        return max(RUN_DEADLINE_TIMEOUTS * self.timeout, RUN_DEADLINE_AT_LEAST)


class FileResponse:
    """The parts of a response sizefloor uses."""

    def __init__(self, status: int, headers: Mapping[str, str], content: bytes, url: str) -> None:
        self.status_code = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.content = content
        self.url = url


@dataclass
class RangeResult:
    """What a range request gave: ``status`` 206 with ``content``, or 200 with the
    whole file in ``whole`` (a temporary file the caller closes), or an error status."""

    status_code: int
    content: bytes
    whole: IO[bytes] | None
    total: int | None = None
    """The file's length, as the server's ``Content-Range`` gives it (206 and 416)."""

    def close(self) -> None:
        """Close :attr:`whole`, when there is one."""
        if self.whole is not None:
            self.whole.close()


@dataclass(frozen=True)
class _Again:
    """An answer worth trying again for, after ``delay`` seconds."""

    delay: float


@dataclass(frozen=True)
class _Wording:
    """What a failure's message says: pages and HEADs are read from an index, ranges of files
    from whichever host serves them."""

    verb: str
    advice: str
    """What to check when the host cannot be reached."""
    credentials: str
    """What to check when the host refuses the credentials."""


_PAGE = _Wording(
    "reach",
    "Check the network, the proxy settings (HTTPS_PROXY, NO_PROXY) and the index URL; "
    "--offline answers from the cache alone.",
    "Check the credentials for this index: in the index URL (https://user:token@host/...), "
    "in ~/.netrc, or in pip's configuration.",
)
_RANGE = _Wording(
    "read",
    "Check the network and proxy settings; --offline answers from the cache alone.",
    "Check the credentials for this host (in the index URL, ~/.netrc or pip's configuration).",
)


class Http:
    """A shared client. Use as a context manager, or call :meth:`close`."""

    def __init__(self, options: HttpOptions | None = None, urls: Iterable[str] = ()) -> None:
        self.options = options or HttpOptions()
        self.traffic = Traffic()
        self._credentials = _credentials(urls)
        self._client_lock = threading.Lock()
        self.resolver: Resolver | None = None
        """Looks each host up once, hedged (:mod:`sizefloor.net.dns`); made with the client."""
        self._httpx_client: httpx.Client | None = None
        self._pool = ThreadPoolExecutor(
            max_workers=self.options.concurrency, thread_name_prefix="sizefloor"
        )
        self._spans_pool: ThreadPoolExecutor | None = None
        self._run_end: float | None = None
        """When the run's network time is up: set by the first request."""

    @property
    def _client(self) -> httpx.Client:
        """The httpx client, made on the first request."""
        with self._client_lock:
            if self._httpx_client is None:
                self._httpx_client = self._make_client()
            return self._httpx_client

    def _make_client(self) -> httpx.Client:
        # Imported here: importing httpx and loading the TLS trust store cost a warm run
        # (answered from the cache) time it does not need to spend.
        from sizefloor.net.client import make_client

        options = self.options
        client, self.resolver = make_client(
            timeout=options.timeout,
            concurrency=options.concurrency,
            cert=options.cert,
            client_cert=options.client_cert,
            proxy=options.proxy,
            trusted_hosts=options.trusted_hosts,
            credentials=self._credentials,
            user_agent=_user_agent(),
        )
        return client

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
        max_bytes: int | None = None,
    ) -> FileResponse:
        """GET (or HEAD) ``url``, retrying transient failures.

        Raises :class:`IndexAuthError` on 401/403 and :class:`IndexUnavailable`
        when the host cannot be reached or keeps failing; :class:`ResponseTooLarge` for
        an index page or metadata file (``kind``) larger than ``options.page_limit``.
        Other statuses are returned for the caller to judge (404: no such project).
        ``max_bytes`` caps a file's body the same way (a page's cap is the options').
        """
        clean, _ = strip_credentials(url)
        sent = _sendable(clean)
        limit = self.options.page_limit if kind in ("pages", "metadata") else max_bytes

        def exchange(attempt: int) -> FileResponse | _Again:
            with self._client.stream(method, sent, headers=headers) as response:
                if self._worth_retrying(response, attempt):
                    response.read()
                    return _Again(_backoff(attempt + 1, response))
                body = _read_body(response, url, limit) if response.status_code == 200 else b""
                if response.status_code != 200:
                    response.read()
                    body = response.content
                self._settle(url, response, attempt, kind, response.num_bytes_downloaded, _PAGE)
                final = str(response.url)  # where redirects led
                return FileResponse(
                    response.status_code,
                    response.headers,
                    body,
                    clean if final == sent else final,
                )

        return self._with_retries(url, exchange, _PAGE)

    def get_range(self, url: str, start: int, end: int, *, kind: str = "files") -> RangeResult:
        """Bytes ``[start, end)`` of ``url`` (counted in :class:`Traffic` as ``kind``).

        When the server ignores Range and sends the whole file, the body is
        streamed to a temporary file (never held in memory) and returned as
        ``whole``; the caller reads what it needs from there.
        """
        if end <= start:
            raise ValueError("empty range")
        headers = {"Range": f"bytes={start}-{end - 1}", "Accept-Encoding": "identity"}
        sent = _sendable(strip_credentials(url)[0])

        def exchange(attempt: int) -> RangeResult | _Again:
            with self._client.stream("GET", sent, headers=headers) as response:
                if self._worth_retrying(response, attempt):
                    response.read()
                    return _Again(_backoff(attempt + 1, response))
                if response.status_code == 200:
                    spool, received = _spool(response, url, _spool_limit(start, end))
                    self._count(response, kind, received)
                    return RangeResult(200, b"", spool)
                if response.status_code == 206:
                    # a range is a few KB: more than asked (and some slack) is not one
                    body = _read_body(response, url, (end - start) + (1 << 16), ranged=True)
                else:
                    body = response.read()
                self._settle(url, response, attempt, kind, response.num_bytes_downloaded, _RANGE)
                total = _content_range_total(response.headers.get("content-range", ""))
                return RangeResult(response.status_code, body, None, total)

        return self._with_retries(url, exchange, _RANGE)

    # -- the retry loop ------------------------------------------------------

    def _with_retries(
        self, url: str, exchange: Callable[[int], T | _Again], wording: _Wording
    ) -> T:
        """``exchange(attempt)`` until it gives an answer: tried again after a transport
        error or an :class:`_Again`, up to ``options.retries`` more times, with
        ``options.sleep`` between tries. A host that stays unreachable raises
        :class:`IndexUnavailable`; so do a response past its deadline and a run past its
        own (:mod:`sizefloor.net.deadline`), at once."""
        # Imported here, like the client: a warm run needs no httpx (nor httpcore).
        import httpx

        # Imported here: it needs httpcore.
        from sizefloor.net.deadline import bounded

        attempt = 0
        while True:
            budget = self._budget(url, wording)
            try:
                with bounded(budget):
                    outcome = exchange(attempt)
            except httpx.TooManyRedirects as exc:
                raise IndexUnavailable(
                    f"Could not {wording.verb} {redact(url)}: it redirects in a loop "
                    f"({_describe(exc)}).",
                    hint="The server is misconfigured; check the URL or use another index.",
                ) from exc
            except httpx.TransportError as exc:
                timed_out = isinstance(exc, httpx.TimeoutException)
                if budget.passed or (timed_out and budget.remaining() <= 0):
                    raise self._out_of_time(url, budget, wording) from exc
                if attempt >= self.options.retries:
                    reason = "timed out" if timed_out else _describe(exc)
                    raise _unreachable(url, reason, attempt + 1, wording, self._proxy(url)) from exc
                delay = _backoff(attempt + 1, None)
            else:
                if not isinstance(outcome, _Again):
                    return outcome
                delay = outcome.delay
            attempt += 1
            assert self._run_end is not None
            left = self._run_end - self.options.clock()
            self.options.sleep(max(0.0, min(delay, left)))

    def _budget(self, url: str, wording: _Wording) -> Budget:
        """The deadline of the next exchange: the response's, within the run's."""
        # Imported here, like the client: it needs httpcore.
        from sizefloor.net.deadline import Budget

        options = self.options
        now = options.clock()
        with self._client_lock:
            if self._run_end is None:
                self._run_end = now + options.run_seconds
            run_end = self._run_end
        budget = Budget(
            now + options.response_seconds, run_end, options.clock, 1 / BYTES_PER_SECOND
        )
        if now >= run_end:
            budget.passed = True
            raise self._out_of_time(url, budget, wording)
        return budget

    def _out_of_time(self, url: str, budget: Budget, wording: _Wording) -> IndexUnavailable:
        options = self.options
        if budget.until >= budget.hard_end:
            return IndexUnavailable(
                f"Gave up on {redact(url)}: the run has spent its {options.run_seconds:g} s "
                "on the network.",
                hint="Every wait is bounded: the whole run by 60 x the timeout (pip's "
                "`timeout`, at least 1800 s). Raise the timeout if the index is slow but "
                "sound. " + wording.advice,
            )
        return IndexUnavailable(
            f"Could not {wording.verb} {redact(url)}: the server sent its answer too slowly "
            f"(not complete within {options.response_seconds:g} s).",
            hint="A response must be complete within 4 x the timeout (pip's `timeout`), "
            f"plus a second per {BYTES_PER_SECOND // 1024} KiB received; the server (or a "
            "proxy on the way) is trickling its answer. " + wording.advice,
        )

    def _proxy(self, url: str) -> ChosenProxy | None:
        """The proxy requests for ``url`` go through (for messages), if any."""
        parts = urllib.parse.urlsplit(url)
        if not parts.hostname:
            return None
        return choose_proxy(parts.scheme, parts.hostname, parts.port, configured=self.options.proxy)

    def _worth_retrying(self, response: httpx.Response, attempt: int) -> bool:
        return response.status_code in RETRY_STATUSES and attempt < self.options.retries

    def _settle(
        self,
        url: str,
        response: httpx.Response,
        attempt: int,
        kind: str,
        nbytes: int,
        wording: _Wording,
    ) -> None:
        """Count a final answer, and raise for those no caller handles: refused
        credentials (401/403) and a failure that outlasted the retries."""
        self._count(response, kind, nbytes)
        status = response.status_code
        if status in (401, 403):
            raise IndexAuthError(
                f"{redact(url)} answered {status} {response.reason_phrase}.",
                hint=wording.credentials,
            )
        if status in RETRY_STATUSES:
            raise IndexUnavailable(
                f"{redact(url)} kept answering {status} {response.reason_phrase} "
                f"after {attempt + 1} attempts.",
                hint="The server is failing; try again later or use another index.",
            )

    def _count(self, response: httpx.Response, kind: str, nbytes: int) -> None:
        """Add an answer to :attr:`traffic`, unless it was read from disk."""
        if not is_file_url(str(response.url)):
            self.traffic.add(kind, nbytes)
        if log.isEnabledFor(logging.DEBUG):
            wanted = response.request.headers.get("range")
            log.debug(
                "fetched %s %s%s: %d, %s bytes",
                kind,
                redact(str(response.url)),
                f" ({wanted})" if wanted else "",
                response.status_code,
                f"{nbytes:,}",
            )


def _credentials(urls: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``host`` (and ``host:port``) -> the credentials the first URL naming it carries."""
    credentials: dict[str, tuple[str, str]] = {}
    for url in urls:
        _clean, creds = strip_credentials(url)
        if creds is not None:
            parts = urllib.parse.urlsplit(url)
            host = parts.hostname or ""
            credentials.setdefault(host, creds)
            if parts.port:
                credentials.setdefault(f"{host}:{parts.port}", creds)
    return credentials


def _sendable(url: str) -> str:
    """``url`` as httpx sends it: httpx takes a URL without a host (``file:/path``,
    ``file:///path``) for a relative one, so a ``file:`` URL is given ``localhost``."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "file" or parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc="localhost"))


def _read_body(
    response: httpx.Response, url: str, limit: int | None, *, ranged: bool = False
) -> bytes:
    """The body of ``response``, decoded, refused once it grows past ``limit`` bytes
    (before it is read, when its ``Content-Length`` says so)."""
    if limit is None:
        return response.read()
    length = response.headers.get("content-length", "")
    declared = int(length) if length.isdigit() else 0
    encoded = bool(response.headers.get("content-encoding"))
    if declared > limit and not encoded:
        raise _too_large(url, limit, declared, ranged=ranged)
    chunks: list[bytes] = []
    received = 0
    # as they come (TLS gives 16 kB at a time): re-chunked into 1 MiB pieces by httpx, the
    # copying took a third of reading a 240-package set's 90 MB of pages
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > limit:
            raise _too_large(url, limit, None, ranged=ranged)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(url: str, limit: int, declared: int | None, *, ranged: bool) -> ResponseTooLarge:
    if ranged:
        return ResponseTooLarge(
            f"{redact(url)} answered a range request with more bytes than were asked for.",
            hint="The server is broken or hostile; use another index.",
        )
    size = f" ({human(declared)})" if declared is not None else ""
    cap = f"{limit >> 20} MiB" if limit % (1 << 20) == 0 else human(limit)
    return ResponseTooLarge(
        f"{redact(url)} is larger than {cap}{size}, the most an index page "
        "or metadata file may be: refused (and not cached).",
        hint="The largest real index page is a few tens of MB. If this one is genuine, "
        "raise the limit with --max-page-size SIZE.",
    )


def _content_range_total(header: str) -> int | None:
    """The complete length in ``Content-Range: bytes a-b/LENGTH`` (or ``bytes */LENGTH``)."""
    _, slash, total = header.rpartition("/")
    return int(total) if slash and total.strip().isdigit() else None


SPOOL_LIMIT = 32 * 1024**3
"""The most a whole file sent instead of a range may be, its size unknown (the largest
wheels are a few GB): a server sending without end must not fill the disk."""


def _spool_limit(start: int, end: int) -> int:
    """The most a whole file sent for range ``[start, end)`` may be: twice the file's known
    length (``end``, when the range runs to it) and some, else :data:`SPOOL_LIMIT`."""
    return SPOOL_LIMIT if end >= 1 << 62 else min(2 * end + (1 << 20), SPOOL_LIMIT)


def _spool(response: httpx.Response, url: str, limit: int) -> tuple[IO[bytes], int]:
    """The body of ``response``, streamed to a temporary file, and its length (refused
    past ``limit`` bytes)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    received = 0
    try:
        for chunk in response.iter_raw(1 << 20):
            spool.write(chunk)
            received += len(chunk)
            if received > limit:
                raise ResponseTooLarge(
                    f"{redact(url)} sent more than {human(limit)} for a file of "
                    "a known size: refused.",
                    hint="The server is broken or hostile; use another index.",
                )
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, received


def _backoff(attempt: int, response: httpx.Response | None) -> float:
    """Seconds to wait before try ``attempt + 1``: the server's ``Retry-After`` (up to
    10 s), else 0.25 s doubled each time, up to 4 s."""
    if response is not None:
        retry_after = response.headers.get("retry-after", "")
        if retry_after.isdigit():
            return min(float(retry_after), 10.0)
    return float(min(0.25 * (2 ** (attempt - 1)), 4.0))


_THROUGH_PROXY = (
    "Check that the proxy is running and that its address is right; pip's `proxy` setting "
    "comes first, then HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, and NO_PROXY lists the hosts "
    "reached directly. --offline answers from the cache alone."
)


def _unreachable(
    url: str, reason: str, attempts: int, wording: _Wording, proxy: ChosenProxy | None
) -> IndexUnavailable:
    if proxy is not None:
        return IndexUnavailable(
            f"Could not {wording.verb} {redact(url)} through the proxy {redact(proxy.url)} "
            f"(from {proxy.source}): {reason} (after {attempts} attempts).",
            hint=_unreachable_hint(reason, _THROUGH_PROXY),
        )
    return IndexUnavailable(
        f"Could not {wording.verb} {redact(url)}: {reason} (after {attempts} attempts).",
        hint=_unreachable_hint(reason, wording.advice),
    )


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


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    return redact(text)


def _user_agent() -> str:
    """``sizefloor/VERSION``, the version the installed distribution records (importing
    the ``sizefloor`` package from here would reach above the network layer)."""
    # Imported here: reading distribution metadata loads modules only a request needs.
    import importlib.metadata

    try:
        version = importlib.metadata.version("sizefloor")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree
        return "sizefloor"
    return f"sizefloor/{version}"
