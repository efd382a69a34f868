"""pip's ``trusted-host``: an HTTPS index whose certificate cannot be verified is read
only when its host is trusted, as pip does (a real TLS server on loopback)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from indexserver import IndexServer
from projects import build_graph
from recordedwaits import record_waits

import sizefloor
from sizefloor.errors import IndexUnavailable

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="openssl is needed to make a self-signed certificate"
)


@pytest.fixture(scope="module")
def tls_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IndexServer]:
    """The test graph over HTTPS, with a self-signed certificate for 127.0.0.1."""
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with IndexServer(build_graph(where / "wheels"), tls=context) as server:
        yield server


def estimate(tmp_path: Path, lines: str, index: str) -> sizefloor.Report:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text(lines)
    return sizefloor.estimate(
        reqs, python="3.12", index_url=index, use_pip_config=False, cache_dir=tmp_path / "c"
    )


def test_an_unverifiable_certificate_is_refused(
    tls_index: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits = record_waits(monkeypatch)
    with pytest.raises(IndexUnavailable) as caught:
        estimate(tmp_path, "lib\n", tls_index.simple_url)
    assert waits == [0.25, 0.5, 1.0]  # tried again, as any failed connection
    assert tls_index.simple_url in str(caught.value)
    assert "certificate" in str(caught.value).lower()
    assert "--trusted-host" in (caught.value.hint or "")


@pytest.mark.parametrize("trusted", ["127.0.0.1", "127.0.0.1:{port}"])
def test_a_trusted_host_is_read(tls_index: IndexServer, tmp_path: Path, trusted: str) -> None:
    host = trusted.format(port=tls_index.port)
    report = estimate(tmp_path, f"--trusted-host {host}\nlib\n", tls_index.simple_url)
    assert [(p.name, p.version) for p in report.packages] == [("lib", "2.0")]
    assert report.packages[0].exact


def test_another_port_of_a_trusted_host_is_not_trusted(
    tls_index: IndexServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tls_index.port + 1 if tls_index.port < 65535 else tls_index.port - 1
    waits = record_waits(monkeypatch)
    with pytest.raises(IndexUnavailable):
        estimate(tmp_path, f"--trusted-host 127.0.0.1:{other}\nlib\n", tls_index.simple_url)
    assert waits == [0.25, 0.5, 1.0]
