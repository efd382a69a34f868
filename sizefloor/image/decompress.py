"""Reading a layer blob: metering, hashing and decompressing a byte stream.

A layer is read once, as a stream: the stored blob goes through a
:class:`Meter` (its size and digest: what is shipped), then a decompressor
chosen from the blob's first bytes (gzip, zstd, bzip2, xz, or none), then a
second :class:`Meter` (the uncompressed tar's size and digest, Docker's
``diff_id``). Nothing is written anywhere.

gzip, bzip2 and xz come with Python. zstd comes with Python 3.14
(:mod:`compression.zstd`); on older Pythons the ``zstandard`` package is used
when it is installed (``pip install 'sizefloor[zstd]'``), and a zstd layer
without either is an error that says so.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import importlib
import io
import lzma
import tarfile
from typing import Any, Protocol

from sizefloor.image.errors import UnsupportedCompression

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
BZIP2_MAGIC = b"BZh"
XZ_MAGIC = b"\xfd7zXZ\x00"


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


class Meter(io.RawIOBase):
    """A read-only stream that counts and hashes (sha256) what passes through it."""

    def __init__(self, source: Readable) -> None:
        super().__init__()
        self._source = source
        self.bytes_read = 0
        self._hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._source.read(len(view))
        if not data:
            return 0
        n = len(data)
        view[:n] = data
        self.bytes_read += n
        self._hash.update(data)
        return n

    @property
    def digest(self) -> str:
        return "sha256:" + self._hash.hexdigest()


def compression_of(head: bytes) -> str:
    """``gzip``, ``zstd``, ``bzip2``, ``xz`` or ``none``, from a stream's first bytes."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    if head.startswith(BZIP2_MAGIC):
        return "bzip2"
    if head.startswith(XZ_MAGIC):
        return "xz"
    return "none"


def zstd_available() -> bool:
    """Whether zstd layers can be read here."""
    return _zstd_module() is not None


def _zstd_module() -> tuple[str, Any] | None:
    for name in ("compression.zstd", "zstandard"):
        try:  # imported when first needed: optional (zstandard) or new in 3.14 (compression.zstd)
            return name, importlib.import_module(name)
        except ImportError:
            continue
    return None


def decompressed(stream: io.BufferedReader[Any], *, what: str) -> tuple[Readable, str]:
    """The decompressed view of ``stream`` and the compression's name.

    ``stream`` must support ``peek`` (an :class:`io.BufferedReader` does); ``what``
    names the blob in error messages.
    """
    kind = compression_of(stream.peek(8)[:8])
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb"), kind
    if kind == "bzip2":
        return bz2.BZ2File(stream, mode="rb"), kind
    if kind == "xz":
        return lzma.LZMAFile(stream, mode="rb"), kind
    if kind == "zstd":
        found = _zstd_module()
        if found is None:
            raise UnsupportedCompression(
                f"{what} is compressed with zstd, which this Python cannot read.",
                hint="Install the zstandard package (pip install 'sizefloor[zstd]'), "
                "or use Python 3.14 or later.",
            )
        name, module = found
        if name == "compression.zstd":
            reader: Readable = module.ZstdFile(stream, mode="rb")
        else:
            reader = module.ZstdDecompressor().stream_reader(
                stream, read_across_frames=True, closefd=False
            )
        return reader, kind
    return stream, kind


def stream_errors() -> tuple[type[BaseException], ...]:
    """What a truncated or damaged archive or compressed stream raises while it is read."""
    errors: list[type[BaseException]] = [EOFError, OSError, lzma.LZMAError, tarfile.TarError]
    found = _zstd_module()
    if found is not None:
        error = getattr(found[1], "ZstdError", None)
        if isinstance(error, type) and issubclass(error, Exception):
            errors.append(error)
    return tuple(errors)
