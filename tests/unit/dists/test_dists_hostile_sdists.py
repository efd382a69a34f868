"""Sdists built to hurt, and files sent without end: every read has a bound, and going past
it is a plain failure naming the file. The bounds are lowered here so the files stay small."""

from __future__ import annotations

import gzip
import random
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostileservers import HostileServer
from wheelbuilder import build_sdist

import sizefloor
from sizefloor.dists import sdist
from sizefloor.errors import MetadataUnavailable, ResponseTooLarge
from sizefloor.net.http import Http, HttpOptions


def estimate(links: Path) -> sizefloor.Report:
    return sizefloor.estimate(
        ["bomb"], python="3.12", no_index=True, find_links=(str(links),),
        use_pip_config=False, use_cache=False,
    )  # fmt: skip


def test_an_sdist_expanding_past_the_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_sdist(tmp_path, "bomb", "1.0", files={"bomb/zeros.bin": bytes(2 * 1024 * 1024)})
    monkeypatch.setattr(sdist, "EXPANDED_LIMIT", 1024 * 1024)
    with pytest.raises(MetadataUnavailable, match=re.escape("bomb-1.0.tar.gz expands past")):
        estimate(tmp_path)


def test_metadata_past_the_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_sdist(tmp_path, "bomb", "1.0", requires_dist=[f"dep{i}" for i in range(200)])
    monkeypatch.setattr(sdist, "METADATA_LIMIT", 1024)
    with pytest.raises(MetadataUnavailable, match=re.escape("'bomb-1.0/PKG-INFO'")):
        estimate(tmp_path)


def test_an_sdist_past_the_download_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_sdist(
        tmp_path, "bomb", "1.0", files={"bomb/noise.bin": random.Random(7).randbytes(256 * 1024)}
    )
    monkeypatch.setattr(sdist, "DOWNLOAD_LIMIT", 64 * 1024)
    with pytest.raises(ResponseTooLarge):
        estimate(tmp_path)


def test_a_tar_header_lying_about_a_size_is_a_plain_failure(tmp_path: Path) -> None:
    info = tarfile.TarInfo("bomb-1.0/PKG-INFO")
    info.size = 10**12  # a terabyte declared, eleven bytes there
    raw = info.tobuf(format=tarfile.PAX_FORMAT) + b"Name: bomb\n".ljust(512, b"\0") + bytes(1024)
    (tmp_path / "bomb-1.0.tar.gz").write_bytes(gzip.compress(raw))
    with pytest.raises(MetadataUnavailable, match=re.escape("bomb-1.0.tar.gz")):
        estimate(tmp_path)


@pytest.fixture
def endless() -> Iterator[HostileServer]:
    """A file server that ignores Range and sends a body without end."""
    with HostileServer() as server:
        server.route("*", server.large_page(10**12, declare=False))
        yield server


def test_a_whole_file_sent_without_end_is_cut_off(endless: HostileServer) -> None:
    with Http(HttpOptions(sleep=lambda s: None)) as client, pytest.raises(ResponseTooLarge):
        client.get_range(endless.url + "/files/x-1.0-py3-none-any.whl", 0, 4096)
    assert endless.sent < 64 * 1024 * 1024
