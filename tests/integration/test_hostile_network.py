"""Faults and hostile answers on the network, end to end on loopback: proxies (a real CONNECT
proxy in front of an HTTPS index whose certificate is made here), servers that trickle,
redirect in loops or to local files, and pages larger than any real one.

Every wait is recorded or made to pass on an injected clock: nothing here sleeps for real
beyond a few dozen milliseconds of a trickling server.
"""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hostileservers import CountingProxy, HostileServer, tls_contexts
from indexserver import IndexServer
from projects import build_graph
from recordedwaits import record_waits
from wheelbuilder import build_wheel

import sizefloor
from sizefloor.errors import IndexUnavailable, ResponseTooLarge
from sizefloor.net import http
from sizefloor.net.http import Http, HttpOptions

IndexServerFactory = Callable[..., IndexServer]

PROXY_VARIABLES = (
    "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
    "NO_PROXY", "no_proxy",
)  # fmt: skip


@pytest.fixture(autouse=True)
def no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sets the proxy variables it means: none come from the machine."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def tls_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[IndexServer, Path]]:
    """The test graph over HTTPS (a certificate for 127.0.0.1 made by trustme), and the CA
    bundle that verifies it."""
    where = tmp_path_factory.mktemp("tls")
    context, bundle = tls_contexts(where)
    with IndexServer(build_graph(where / "wheels"), tls=context) as server:
        yield server, bundle


@pytest.fixture(scope="module")
def plain_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    with IndexServer(build_graph(tmp_path_factory.mktemp("plain") / "wheels")) as server:
        yield server


@pytest.fixture
def proxy() -> Iterator[CountingProxy]:
    with CountingProxy() as running:
        yield running


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def run(tmp_path: Path, index: str, lines: str = "lib\n", **keywords: object) -> sizefloor.Report:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(lines)
    return sizefloor.estimate(
        reqs,
        python="3.12",
        index_url=index,
        use_pip_config=False,
        cache_dir=tmp_path / "cache",
        **keywords,  # type: ignore[arg-type]
    )


def dead_port() -> int:
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------------------- proxies


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"])
def test_an_https_index_is_read_through_the_environment_proxy(
    tls_index: tuple[IndexServer, Path],
    proxy: CountingProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    server, bundle = tls_index
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv(variable, proxy.url)
    report = run(tmp_path, server.simple_url)
    assert [(p.name, p.version) for p in report.packages] == [("lib", "2.0")]
    assert proxy.tunnels and set(proxy.tunnels) == {f"127.0.0.1:{server.port}"}
    assert proxy.bytes_carried > 0


def test_a_plain_http_index_is_read_through_http_proxy(
    plain_index: IndexServer, proxy: CountingProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    report = run(tmp_path, plain_index.simple_url)
    assert [p.name for p in report.packages] == ["lib"]
    assert proxy.forwarded and all(
        url.startswith(f"http://127.0.0.1:{plain_index.port}/") for url in proxy.forwarded
    )


def test_no_proxy_names_the_hosts_reached_directly(
    tls_index: tuple[IndexServer, Path],
    proxy: CountingProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, bundle = tls_index
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", "example.invalid,127.0.0.0/8")
    report = run(tmp_path, server.simple_url)
    assert [p.name for p in report.packages] == ["lib"]
    assert proxy.tunnels == []


def test_pips_proxy_setting_comes_before_the_environment(
    tls_index: tuple[IndexServer, Path],
    proxy: CountingProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pip's ``proxy`` wins, and makes the environment's variables ignored, NO_PROXY too."""
    server, bundle = tls_index
    monkeypatch.setenv("PIP_PROXY", proxy.url)
    monkeypatch.setenv("PIP_CERT", str(bundle))
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{dead_port()}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("lib\n")
    report = sizefloor.estimate(
        reqs, python="3.12", index_url=server.simple_url, cache_dir=tmp_path / "cache"
    )
    assert [p.name for p in report.packages] == ["lib"]
    assert set(proxy.tunnels) == {f"127.0.0.1:{server.port}"}


def test_an_unreachable_proxy_is_a_failure_that_names_it(
    tls_index: tuple[IndexServer, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, bundle = tls_index
    waits = record_waits(monkeypatch)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    port = dead_port()
    monkeypatch.setenv("HTTPS_PROXY", f"http://user:s3cret@127.0.0.1:{port}")
    with pytest.raises(IndexUnavailable) as caught:
        run(tmp_path, server.simple_url)
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message and "HTTPS_PROXY" in message
    assert "s3cret" not in message
    assert len(waits) == 3  # retried like any connection, then given up on


@pytest.mark.parametrize("password", ["right", "wrong"])
def test_a_proxy_asking_for_credentials(
    tls_index: tuple[IndexServer, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    password: str,
) -> None:
    """The proxy's credentials go in Proxy-Authorization; refused ones (407) are a failure
    naming the proxy, the password hidden."""
    server, bundle = tls_index
    record_waits(monkeypatch)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with CountingProxy(auth=("user", "right")) as guarded:
        monkeypatch.setenv("HTTPS_PROXY", guarded.url.replace("://", f"://user:{password}@"))
        if password == "right":
            assert [p.name for p in run(tmp_path, server.simple_url).packages] == ["lib"]
            assert guarded.tunnels
            return
        with pytest.raises(IndexUnavailable) as caught:
            run(tmp_path, server.simple_url)
    message = str(caught.value)
    assert "through the proxy http://user:" in message and "wrong" not in message
    assert "407" in message


def test_an_unreachable_proxy_exits_1_from_the_command_line(
    tls_index: tuple[IndexServer, Path], tmp_path: Path
) -> None:
    server, bundle = tls_index
    port = dead_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "SSL_CERT_FILE": str(bundle),
        "https_proxy": f"127.0.0.1:{port}",  # no scheme: an HTTP proxy, as pip reads it
        "PIP_CONFIG_FILE": "/dev/null",
        "PIP_RETRIES": "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "sizefloor", "-p", "lib", "--python", "3.12",
         "-i", server.simple_url, "--cache-dir", str(tmp_path / "c")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"proxy http://127.0.0.1:{port} (from https_proxy)" in done.stderr
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------------------- every wait


class SteppingClock:
    """Time that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self._ticks = itertools.count()
        self.step = step

    def __call__(self) -> float:
        return next(self._ticks) * self.step


@pytest.mark.parametrize("behaviour", ["trickle_body", "trickle_headers"])
def test_a_trickling_server_is_given_up_on(hostile: HostileServer, behaviour: str) -> None:
    """One byte at a time, each well within the read timeout: the response's deadline ends it
    (on a clock that moves 10 s each time it is read), without retries."""
    hostile.route("*", getattr(hostile, behaviour)(every=0.01))
    waits: list[float] = []
    options = HttpOptions(timeout=30.0, sleep=waits.append, clock=SteppingClock(10.0))
    with Http(options) as client, pytest.raises(IndexUnavailable) as caught:
        client.get(hostile.url + "/simple/six/")
    assert "too slowly" in str(caught.value)
    assert "120 s" in str(caught.value)
    assert waits == []


def test_a_trickling_server_fails_a_whole_run_with_a_message(
    hostile: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile.route("*", hostile.trickle_body(every=0.01))
    monkeypatch.setattr(http, "DEFAULT_CLOCK", SteppingClock(10.0))
    record_waits(monkeypatch)
    with pytest.raises(IndexUnavailable, match="too slowly"):
        run(tmp_path, hostile.url + "/simple/")


def test_the_whole_run_is_bounded(hostile: HostileServer) -> None:
    """Requests that each fail fast still end when the run's own time is spent."""
    hostile.route("*", HostileServer.short_body(100, b"<html>"))
    clock = SteppingClock(5.0)
    options = HttpOptions(
        timeout=30.0, retries=10**6, sleep=lambda s: None, clock=clock, run_deadline=100.0
    )
    with Http(options) as client, pytest.raises(IndexUnavailable) as caught:
        client.get(hostile.url + "/simple/six/")
    assert "100 s on the network" in str(caught.value)


def test_the_default_bounds_follow_the_timeout() -> None:
    assert (HttpOptions().response_seconds, HttpOptions().run_seconds) == (120.0, 1800.0)
    slow = HttpOptions(timeout=60.0)
    assert (slow.response_seconds, slow.run_seconds) == (240.0, 3600.0)


def test_a_redirect_loop_is_a_plain_failure(hostile: HostileServer, tmp_path: Path) -> None:
    hostile.route("*", HostileServer.redirect("/simple/again/"))
    with pytest.raises(IndexUnavailable, match="redirects in a loop"):
        run(tmp_path, hostile.url + "/simple/")


def test_a_redirect_to_a_local_file_is_refused(hostile: HostileServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text('<a href="lib-9.0-py3-none-any.whl">lib-9.0-py3-none-any.whl</a>')
    hostile.route("*", HostileServer.redirect(secret.as_uri()))
    with pytest.raises(IndexUnavailable, match="redirects to a local file"):
        run(tmp_path, hostile.url + "/simple/")


# ---------------------------------------------------------------------------- large pages


@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "chunked"])
def test_a_page_over_the_cap_is_refused_streamed_and_not_cached(
    hostile: HostileServer, tmp_path: Path, declare: bool
) -> None:
    size = 8 * 1024 * 1024
    hostile.route("*", hostile.large_page(size, declare=declare))
    with pytest.raises(ResponseTooLarge) as caught:
        run(tmp_path, hostile.url + "/simple/", max_page_bytes=1024 * 1024)
    assert "--max-page-size" in (caught.value.hint or "")
    assert hostile.sent < size  # the rest was never asked for
    blobs = tmp_path / "cache" / "blobs"
    assert not blobs.exists() or not any(blobs.rglob("*"))


def test_a_gzip_bomb_page_is_refused_as_it_inflates(hostile: HostileServer, tmp_path: Path) -> None:
    hostile.route("*", HostileServer.gzip_page(20 * 1024 * 1024))
    with pytest.raises(ResponseTooLarge, match="larger than 1 MiB"):
        run(tmp_path, hostile.url + "/simple/", max_page_bytes=1024 * 1024)


def test_the_default_cap_is_well_above_real_pages() -> None:
    assert HttpOptions().page_limit == 64 * 1024 * 1024


def test_a_body_shorter_than_its_length_is_a_plain_failure(
    hostile: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_waits(monkeypatch)
    hostile.route("*", HostileServer.short_body(10_000, b"<html><a href="))
    with pytest.raises(IndexUnavailable, match="after 4 attempts"):
        run(tmp_path, hostile.url + "/simple/")


# ---------------------------------------------------------------------------- lying sizes


@pytest.mark.parametrize("lie", [-1, +1, -30_000, +500_000])
def test_an_index_lying_about_a_wheels_size(
    hostile: HostileServer, index_server: IndexServerFactory, tmp_path: Path, lie: int
) -> None:
    """The file's server says how long it is (Content-Range): the wheel is read as it is,
    its size reported as it is, and the disagreement said."""
    wheels = tmp_path / "wheels"
    built = build_wheel(
        wheels, "lib", "1.0", files={"lib/pad.bin": random.Random(3).randbytes(50_000)}
    )
    real = built.stat().st_size
    files = index_server(wheels)
    listed = {"filename": built.name, "url": files.file_url(built.name), "size": real + lie}
    hostile.route(
        "lib", HostileServer.json_page({"meta": {"api-version": "1.0"}, "files": [listed]})
    )
    report = run(tmp_path, hostile.url + "/simple/")
    (package,) = report.packages
    assert package.download_bytes == real
    assert any(f"its server has {real:,}" in w for w in report.warnings), report.warnings


@pytest.mark.parametrize(
    ("flag", "value", "said"),
    [
        ("--max-page-size", "lots", "'lots' is not a size"),
        ("--max-page-size", "0", "'0' is not a size above 0"),
        ("--timeout", "-3", "'-3' is not a number of seconds above 0"),
    ],
)
def test_the_new_flags_refuse_bad_values_plainly(
    flag: str, value: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sizefloor.cli.main import main

    with pytest.raises(SystemExit) as exited:  # argparse's own exit, status 2
        main(["-p", "lib", "--isolated", flag, value])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and said in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("proxy", "said"),
    [
        ("http://user:s3cret@127.0.0.1:notaport", "cannot be used: Invalid port"),
        ("ftp://user:s3cret@127.0.0.1:21", "cannot be used: Unknown scheme"),
    ],
)
def test_a_proxy_that_is_not_a_proxy_url_is_an_input_error(
    plain_index: IndexServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    proxy: str,
    said: str,
) -> None:
    from sizefloor.cli.main import main

    monkeypatch.setenv("HTTP_PROXY", proxy)
    status = main(["-p", "lib", "--isolated", "-i", plain_index.simple_url, "--no-cache"])
    err = capsys.readouterr().err
    assert status == 2, err
    assert said in err and "(from HTTP_PROXY)" in err and "s3cret" not in err


@pytest.mark.parametrize(
    "url", ["https://user:s3cret@[bad/simple/", "https://h.invalid:99999999/simple/"]
)
def test_an_index_url_that_does_not_parse_is_an_input_error(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sizefloor.cli.main import main

    status = main(["-p", "lib", "--isolated", "-i", url, "--no-cache"])
    err = capsys.readouterr().err
    assert status == 2 and "is not a valid URL" in err
    assert "s3cret" not in err and "internal error" not in err
