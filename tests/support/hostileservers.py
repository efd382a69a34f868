"""Servers that misbehave, on 127.0.0.1, for the fault and hostile-input tests.

* :class:`CountingProxy` -- a real HTTP proxy: ``CONNECT host:port`` tunnels (what HTTPS goes
  through) and absolute-form ``GET http://...`` requests, each counted in :attr:`tunnels` /
  :attr:`forwarded`, with the bytes carried each way.
* :class:`HostileServer` -- an HTTP server whose every path is a behaviour (see
  :meth:`HostileServer.route`): trickling headers or bodies, redirect loops, redirects to
  local files, pages of any size (generated as they are sent, never held), bodies shorter
  than their ``Content-Length``.
* :func:`tls_contexts` -- a certificate authority and a server certificate for 127.0.0.1
  made by ``trustme`` in the test: the server's context and the CA bundle's path.

Everything runs in daemon threads and stops with :meth:`stop` (or the ``with`` block).
"""

from __future__ import annotations

import contextlib
import select
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

__all__ = ["CountingProxy", "HostileServer", "tls_contexts"]


def tls_contexts(where: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a certificate for ``127.0.0.1`` and ``localhost``, and the path
    of the PEM bundle of the CA that signed it (for ``SSL_CERT_FILE`` or pip's ``cert``)."""
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.configure_cert(context)
    bundle = where / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return context, bundle


# ------------------------------------------------------------------------------ the proxy


@dataclass
class _Counts:
    tunnels: list[str] = field(default_factory=list)
    """``host:port`` of every CONNECT, in order."""
    forwarded: list[str] = field(default_factory=list)
    """The absolute URL of every plain request forwarded."""
    upstream_bytes: int = 0
    downstream_bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    counts: _Counts
    auth: str | None


class _ProxyHandler(socketserver.StreamRequestHandler):
    server: _ProxyServer

    def handle(self) -> None:
        request_line = self.rfile.readline(65537).decode("latin-1").strip()
        headers: list[str] = []
        while True:
            line = self.rfile.readline(65537).decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            headers.append(line.rstrip("\r\n"))
        if not request_line:
            return
        method, target, _version = request_line.split(" ", 2)
        auth = self.server.auth
        if auth is not None and f"proxy-authorization: {auth}" not in (h.lower() for h in headers):
            self.wfile.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n")
            self.wfile.write(b"Content-Length: 0\r\nConnection: close\r\n\r\n")
            return
        if method == "CONNECT":
            self._tunnel(target)
        else:
            self._forward(method, target, headers)

    def _tunnel(self, target: str) -> None:
        host, _, port = target.rpartition(":")
        counts = self.server.counts
        with counts.lock:
            counts.tunnels.append(target)
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=10)
        except OSError:
            self.wfile.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self.wfile.flush()
        self._pipe(self.connection, upstream)

    def _forward(self, method: str, target: str, headers: list[str]) -> None:
        counts = self.server.counts
        with counts.lock:
            counts.forwarded.append(target)
        rest = target.split("://", 1)[1]
        where, _, path = rest.partition("/")
        host, _, port = where.rpartition(":")
        upstream = socket.create_connection((host, int(port or 80)), timeout=10)
        kept = [h for h in headers if not h.lower().startswith(("connection:", "proxy-"))]
        head = f"{method} /{path} HTTP/1.1\r\n" + "".join(f"{h}\r\n" for h in kept)
        upstream.sendall((head + "Connection: close\r\n\r\n").encode("latin-1"))
        # one request a connection: the answer is passed on with "Connection: close" added
        response = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in response:
                data = upstream.recv(65536)
                if not data:
                    break
                response += data
            status, sep, rest = response.partition(b"\r\n")
            self.wfile.write(status + sep + b"Connection: close\r\n" + rest)
            while data := upstream.recv(65536):
                self.wfile.write(data)
            with counts.lock:
                counts.downstream_bytes += len(response)
        upstream.close()

    def _pipe(self, client: socket.socket, upstream: socket.socket) -> None:
        counts = self.server.counts
        sockets = [client, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 30)
                if not readable:
                    return
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    other = upstream if sock is client else client
                    other.sendall(data)
                    with counts.lock:
                        if sock is client:
                            counts.upstream_bytes += len(data)
                        else:
                            counts.downstream_bytes += len(data)
        except OSError:
            return
        finally:
            upstream.close()


class CountingProxy:
    """An HTTP proxy on ``127.0.0.1:<free port>`` counting what passes through it.

    ``auth``: ``(user, password)`` that every request must carry as ``Proxy-Authorization``
    (else 407)."""

    def __init__(self, auth: tuple[str, str] | None = None) -> None:
        self._counts = _Counts()
        self._auth = auth
        self._server: _ProxyServer | None = None

    def start(self) -> CountingProxy:
        import base64

        server = _ProxyServer(("127.0.0.1", 0), _ProxyHandler)
        server.counts = self._counts
        server.auth = None
        if self._auth is not None:
            token = base64.b64encode(":".join(self._auth).encode()).decode()
            server.auth = f"basic {token}".lower()
        self._server = server
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> CountingProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def tunnels(self) -> list[str]:
        with self._counts.lock:
            return list(self._counts.tunnels)

    @property
    def forwarded(self) -> list[str]:
        with self._counts.lock:
            return list(self._counts.forwarded)

    @property
    def bytes_carried(self) -> int:
        with self._counts.lock:
            return self._counts.upstream_bytes + self._counts.downstream_bytes


# ------------------------------------------------------------------------------ hostile HTTP


class _HostileHTTP(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    hostile: HostileServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hang up on these servers all the time: that is the point


class _HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HostileHTTP

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        hostile = self.server.hostile
        with hostile.lock:
            hostile.paths.append(self.path)
        behaviour = hostile.routes.get(self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1])
        if behaviour is None:
            behaviour = hostile.routes.get("*")
        if behaviour is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        behaviour(self)

    do_HEAD = do_GET


Behaviour = Callable[[BaseHTTPRequestHandler], None]


class HostileServer:
    """An HTTP server on 127.0.0.1 whose paths misbehave. A request's behaviour is chosen by
    the last segment of its path (``/simple/six/`` -> ``six``), else by the route ``*``."""

    def __init__(self) -> None:
        self.routes: dict[str, Behaviour] = {}
        self.paths: list[str] = []
        self.sent = 0
        """Body bytes written by the generating behaviours (:meth:`large_page`)."""
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._server: _HostileHTTP | None = None

    def start(self) -> HostileServer:
        server = _HostileHTTP(("127.0.0.1", 0), _HostileHandler)
        server.hostile = self
        self._server = server
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def route(self, segment: str, behaviour: Behaviour) -> None:
        self.routes[segment] = behaviour

    # -- behaviours ------------------------------------------------------------------------

    def trickle_body(self, every: float = 0.05) -> Behaviour:
        """200 with a ``Content-Length`` of a megabyte, then one byte every ``every`` seconds, until
        the client hangs up or the server stops."""

        def behave(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(10**6))
            handler.end_headers()
            self._drip(handler, b"<", every)

        return behave

    def trickle_headers(self, every: float = 0.05) -> Behaviour:
        """A status line, then one header byte every ``every`` seconds, never ending."""

        def behave(handler: BaseHTTPRequestHandler) -> None:
            handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            self._drip(handler, b"a", every)

        return behave

    def _drip(self, handler: BaseHTTPRequestHandler, byte: bytes, every: float) -> None:
        with contextlib.suppress(OSError):
            while not self.stopping.is_set():
                handler.wfile.write(byte)
                handler.wfile.flush()
                time.sleep(every)

    @staticmethod
    def redirect(location: str, status: int = 302) -> Behaviour:
        def behave(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        return behave

    def large_page(self, size: int, *, declare: bool = True) -> Behaviour:
        """A PEP 503 page ``size`` bytes long, made as it is sent (one link repeated);
        ``declare``: send its ``Content-Length`` (else chunked)."""
        line = b'<a href="../../files/x-1.0-py3-none-any.whl">x-1.0-py3-none-any.whl</a>\n'
        block = line * (65536 // len(line))

        def behave(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            if declare:
                handler.send_header("Content-Length", str(size))
            else:
                handler.send_header("Transfer-Encoding", "chunked")
            handler.end_headers()
            left = size
            with contextlib.suppress(OSError):
                while left > 0 and not self.stopping.is_set():
                    piece = block[: min(left, len(block))]
                    if declare:
                        handler.wfile.write(piece)
                    else:
                        handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    with self.lock:
                        self.sent += len(piece)
                    left -= len(piece)
                if not declare:
                    handler.wfile.write(b"0\r\n\r\n")

        return behave

    @staticmethod
    def gzip_page(size: int) -> Behaviour:
        """A page of ``size`` blanks, gzip-encoded into a few kilobytes (a gzip bomb)."""
        import gzip

        body = gzip.compress(b" " * size, compresslevel=9)

        def behave(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Encoding", "gzip")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        return behave

    @staticmethod
    def json_page(page: dict[str, Any]) -> Behaviour:
        """A PEP 691 project page: ``page`` as JSON."""
        import json

        body = json.dumps(page).encode()

        def behave(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)

        return behave

    @staticmethod
    def short_body(declared: int, body: bytes) -> Behaviour:
        """A ``Content-Length`` of ``declared`` and fewer bytes, then the connection closed."""

        def behave(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.send_header("Content-Length", str(declared))
            handler.end_headers()
            handler.wfile.write(body)
            handler.close_connection = True

        return behave
