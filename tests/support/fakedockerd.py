"""A stand-in Docker daemon on a Unix socket that keeps the build context the CLI uploads.

The legacy builder (``DOCKER_BUILDKIT=0 docker build DIR``) makes the context tar on the
client side, applying .dockerignore with the CLI's own code, and POSTs it to ``/build``.
Answering ``/_ping`` and ``/build`` is enough for the real ``docker`` binary to do that,
so the tar it sends is Docker's own verdict on which files a context holds.
"""

from __future__ import annotations

import io
import json
import os
import socketserver
import subprocess
import tarfile
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(200)
        self.send_header("Api-Version", "1.47")
        self.send_header("Ostype", "linux")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._reply(b"")

    def do_GET(self) -> None:
        if self.path.endswith("/_ping"):
            self._reply(b"OK", "text/plain")
        else:
            self._reply(json.dumps({"ApiVersion": "1.47", "OSType": "linux"}).encode())

    def do_POST(self) -> None:
        body = b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if "/build" in self.path:
            self.server.contexts.append(body)
        self._reply(b'{"stream":"done\\n"}\n{"aux":{"ID":"sha256:' + b"0" * 64 + b'"}}\n')


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    contexts: list[bytes]


def docker_context_files(docker: str, context: Path, workdir: Path) -> dict[str, int]:
    """The regular files (and sizes) ``DOCKER_BUILDKIT=0 docker build context`` uploads."""
    sock = workdir / "docker.sock"
    server = _Server(str(sock), _Handler)
    server.contexts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(workdir),
            "DOCKER_CONFIG": str(workdir / "docker-config"),
            "DOCKER_HOST": f"unix://{sock}",
            "DOCKER_BUILDKIT": "0",
        }
        result = subprocess.run(
            [docker, "build", "-q", str(context)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if not server.contexts:
            raise RuntimeError(f"docker sent no context: {result.stdout}{result.stderr}")
        with tarfile.open(fileobj=io.BytesIO(server.contexts[0])) as tar:
            return {m.name: m.size for m in tar.getmembers() if m.isfile()}
    finally:
        server.shutdown()
        server.server_close()
