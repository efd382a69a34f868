"""Shared pytest fixtures. Keep this file to fixtures; helpers live in their own modules.

Sections:

* index servers -- ``index_server`` (the in-process :class:`~indexserver.IndexServer`) and
  ``pypiserver`` (a real ``pypiserver`` subprocess), both factories torn down after the test.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# The test helpers (loopback index servers, wheel and image builders, the pip oracle) live
# in tests/support/ and are imported by their bare names.
sys.path.insert(0, str(Path(__file__).parent / "support"))

import httpx
import pytest
from indexserver import IndexServer

# ---------------------------------------------------------------------------------------------
# index servers
# ---------------------------------------------------------------------------------------------

IndexServerFactory = Callable[..., IndexServer]
PypiserverFactory = Callable[[Path], str]


@pytest.fixture
def index_server() -> Iterator[IndexServerFactory]:
    """``index_server(root, **switches) -> IndexServer``, started now, stopped after the test.

    The switches are those of :class:`indexserver.IndexServer` (``ranges``, ``suffix_ranges``,
    ``metadata``, ``json_api``, ``auth``, ``fail_first``, ...).
    """
    servers: list[IndexServer] = []

    def start(root: Path, **switches: Any) -> IndexServer:
        server = IndexServer(root, **switches).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def pypiserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiserverFactory]:
    """``pypiserver(root) -> simple URL`` of a real pypiserver subprocess serving ``root``.

    Runs ``python -m pypiserver run`` on 127.0.0.1 with a free port, authentication off
    (``-a . -P .``), ``--disable-fallback`` (an unknown project is a 404, never a redirect to
    a public index), sha256 link fragments, the ``simple-dir`` backend (the directory is
    re-listed on every request, so files may be added after start) and the stdlib
    ``wsgiref`` server. Polled on ``/health`` until it answers (about 15 s at most).

    Behaviour of pypiserver 2.4 observed by ``tests/test_testservers.py``:

    * Only PEP 503 HTML: ``Accept: application/vnd.pypi.simple.v1+json`` still gets
      ``text/html``. No ``data-requires-python``, no PEP 658 ``.metadata`` files (404),
      no ``data-core-metadata``. Links are root-relative: ``/packages/<file>#sha256=<hex>``.
    * Files under ``/packages/`` DO honour ``Range`` (bottle's ``static_file``): ``bytes=a-b``,
      ``bytes=a-`` and ``bytes=-N`` give 206 with ``Content-Range``; ``Accept-Ranges: bytes``
      on 200s. An unsatisfiable range gives 416 *without* ``Content-Range`` (an HTML error
      page instead). A multi-range request is answered with the first range only (206, not
      multipart). HEAD with ``Range`` answers 206 with the range's ``Content-Length``.
    * HTTP/1.0 and ``Connection: close`` semantics (one request per connection). A
      non-normalised project URL gets a 301 to the normalised one.
    """
    procs: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(root: Path) -> str:
        log_path = tmp_path_factory.mktemp("pypiserver-log") / "pypiserver.log"
        port = _free_port()
        cmd = [
            sys.executable, "-m", "pypiserver", "run",
            "--host", "127.0.0.1", "--port", str(port),
            "-a", ".", "-P", ".",
            "--disable-fallback",
            "--hash-algo", "sha256",
            "--backend", "simple-dir",
            "--server", "wsgiref",
            str(root),
        ]  # fmt: skip
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        procs.append((proc, log_path))
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15.0
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"pypiserver exited with {proc.returncode} before answering:\n"
                    + log_path.read_text(errors="replace")
                )
            try:
                if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                    return f"{base}/simple/"
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"pypiserver did not answer on {base}/health within 15 s:\n"
                    + log_path.read_text(errors="replace")
                )
            time.sleep(0.05)

    yield start
    for proc, _log in procs:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
