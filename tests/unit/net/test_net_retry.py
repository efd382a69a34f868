"""The client's one retry loop (:meth:`sizefloor.net.http.Http._with_retries`): what is tried
again, how long it waits between tries (recorded, never slept), and what it raises in the end.

Real HTTP on loopback: the test index, or a small server answering from a script."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from indexserver import IndexServer
from wheelbuilder import build_wheel

from sizefloor.errors import IndexAuthError, IndexUnavailable
from sizefloor.net.http import Http, HttpOptions


class Scripted(ThreadingHTTPServer):
    """Answers the n-th request with ``statuses[n]`` (the last one once they run out), with
    ``Retry-After: retry_after`` when that is set, and a 10-byte body."""

    daemon_threads = True

    def __init__(self, statuses: list[int], retry_after: str | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _ScriptedHandler)
        self.statuses = statuses
        self.retry_after = retry_after
        self.seen: list[str] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/page"

    def next_status(self, method: str) -> int:
        with self.lock:
            self.seen.append(method)
            return self.statuses[min(len(self.seen), len(self.statuses)) - 1]


class _ScriptedHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Scripted

    def do_GET(self) -> None:
        status = self.server.next_status("GET")
        self.send_response(status)
        if self.server.retry_after is not None:
            self.send_header("Retry-After", self.server.retry_after)
        self.send_header("Content-Length", "10")
        self.end_headers()
        self.wfile.write(b"0123456789")

    def log_message(self, format: str, *args: object) -> None:
        pass


Start = Callable[..., Scripted]


@pytest.fixture
def scripted() -> Iterator[Start]:
    servers: list[Scripted] = []

    def start(statuses: list[int], retry_after: str | None = None) -> Scripted:
        server = Scripted(statuses, retry_after)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def client(retries: int = 3) -> tuple[Http, list[float]]:
    """A client whose waits are recorded instead of slept."""
    delays: list[float] = []
    return Http(HttpOptions(retries=retries, sleep=delays.append)), delays


def free_port() -> int:
    with socket.socket() as sock:  # nothing listens on it once closed
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_host_is_tried_again_with_a_growing_wait() -> None:
    url = f"http://127.0.0.1:{free_port()}/simple/lib/"
    http, delays = client()
    with http, pytest.raises(IndexUnavailable) as caught:
        http.get(url)
    assert delays == [0.25, 0.5, 1.0]
    assert f"Could not reach {url}" in caught.value.message
    assert "(after 4 attempts)" in caught.value.message
    assert "--offline" in (caught.value.hint or "")
    assert http.traffic.requests == 0


def test_a_range_from_an_unreachable_host_says_it_could_not_be_read() -> None:
    url = f"http://127.0.0.1:{free_port()}/files/x.whl"
    http, delays = client(retries=2)
    with http, pytest.raises(IndexUnavailable) as caught:
        http.get_range(url, 0, 10)
    assert delays == [0.25, 0.5]
    assert f"Could not read {url}" in caught.value.message


def test_the_wait_is_capped_at_four_seconds() -> None:
    http, delays = client(retries=6)
    with http, pytest.raises(IndexUnavailable):
        http.get(f"http://127.0.0.1:{free_port()}/")
    assert delays == [0.25, 0.5, 1.0, 2.0, 4.0, 4.0]


def test_no_retries_means_no_wait() -> None:
    http, delays = client(retries=0)
    with http, pytest.raises(IndexUnavailable) as caught:
        http.get(f"http://127.0.0.1:{free_port()}/")
    assert delays == []
    assert "(after 1 attempts)" in caught.value.message


def test_failing_answers_are_tried_again_until_one_succeeds(scripted: Start) -> None:
    server = scripted([503, 502, 200])
    http, delays = client()
    with http:
        response = http.get(server.url)
    assert response.status_code == 200
    assert response.content == b"0123456789"
    assert delays == [0.25, 0.5]
    assert server.seen == ["GET", "GET", "GET"]
    assert http.traffic.requests == 1  # the answers tried again for are not counted


def test_retry_after_is_honoured_up_to_ten_seconds(scripted: Start) -> None:
    http, delays = client()
    with http:
        assert http.get(scripted([429, 200], retry_after="3").url).status_code == 200
        assert http.get(scripted([503, 200], retry_after="600").url).status_code == 200
    assert delays == [3.0, 10.0]


def test_a_server_that_keeps_failing_is_given_up_on(scripted: Start) -> None:
    server = scripted([503])
    http, delays = client()
    with http, pytest.raises(IndexUnavailable) as caught:
        http.get(server.url)
    assert delays == [0.25, 0.5, 1.0]
    assert len(server.seen) == 4
    assert "kept answering 503 Service Unavailable after 4 attempts" in caught.value.message


def test_a_range_server_that_keeps_failing_is_given_up_on(scripted: Start) -> None:
    server = scripted([500])
    http, delays = client(retries=1)
    with http, pytest.raises(IndexUnavailable) as caught:
        http.get_range(server.url, 0, 5)
    assert delays == [0.25]
    assert "kept answering 500" in caught.value.message


def test_refused_credentials_are_not_tried_again(scripted: Start) -> None:
    server = scripted([401])
    http, delays = client()
    with http, pytest.raises(IndexAuthError) as caught:
        http.get(server.url)
    assert delays == []
    assert server.seen == ["GET"]
    assert caught.value.exit_code == 2


def test_other_statuses_are_the_callers_to_judge(scripted: Start) -> None:
    http, delays = client()
    with http:
        assert http.get(scripted([404]).url).status_code == 404
        assert http.get_range(scripted([416]).url, 0, 5).status_code == 416
    assert delays == []


def test_a_range_is_tried_again_after_503s(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "lib", "1.0", files={"lib/__init__.py": b"x = 1\n" * 50})
    with IndexServer(tmp_path, fail_first=2) as server:
        http, delays = client()
        with http:
            result = http.get_range(server.file_url(wheel.name), 0, 100)
    assert result.status_code == 206
    assert result.content == wheel.read_bytes()[:100]
    assert delays == [0.0, 0.0]  # the test index says Retry-After: 0
    assert [r.status for r in server.requests] == [503, 503, 206]
    assert http.traffic.files == 100


def test_the_default_wait_is_a_real_sleep() -> None:
    import time

    assert HttpOptions().sleep is time.sleep
    assert HttpOptions(sleep=print) == HttpOptions()  # not part of the options' identity
