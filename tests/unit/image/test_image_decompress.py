"""image/decompress.py: metering, hashing and decompressing a layer blob as a stream."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import tarfile

import pytest
from imagebuilder import compress

from sizefloor.image.decompress import (
    Meter,
    compression_of,
    decompressed,
    stream_errors,
    zstd_available,
)

DATA = b"layer bytes " * 5000


def test_the_meter_counts_and_hashes_what_passes() -> None:
    meter = Meter(io.BytesIO(DATA))
    assert io.BufferedReader(meter, 4096).read() == DATA
    assert meter.bytes_read == len(DATA)
    assert meter.digest == "sha256:" + hashlib.sha256(DATA).hexdigest()


@pytest.mark.parametrize(
    ("stored", "kind"),
    [
        (gzip.compress(DATA), "gzip"),
        (bz2.compress(DATA), "bzip2"),
        (lzma.compress(DATA), "xz"),
        (DATA, "none"),
    ],
    ids=["gzip", "bzip2", "xz", "none"],
)
def test_the_compression_is_told_by_the_first_bytes(stored: bytes, kind: str) -> None:
    assert compression_of(stored[:8]) == kind
    stream, found = decompressed(io.BufferedReader(io.BytesIO(stored)), what="layer 1")
    assert found == kind
    assert stream.read() == DATA


@pytest.mark.skipif(not zstd_available(), reason="no zstd implementation installed")
def test_zstd() -> None:
    stored = compress(DATA, "zstd")
    stream, found = decompressed(io.BufferedReader(io.BytesIO(stored)), what="layer 1")
    assert found == "zstd"
    assert stream.read() == DATA


def test_stream_errors_cover_truncated_streams() -> None:
    truncated = gzip.compress(DATA)[:-20]
    stream, _ = decompressed(io.BufferedReader(io.BytesIO(truncated)), what="layer 1")
    with pytest.raises(stream_errors()):
        stream.read()
    assert {EOFError, OSError, lzma.LZMAError, tarfile.TarError} <= set(stream_errors())
