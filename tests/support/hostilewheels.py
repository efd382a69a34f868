"""Wheels that lie, made from honest ones built with :mod:`wheelbuilder`.

* :func:`patch_member` rewrites one member's central directory entry in place: its declared
  sizes (in the 32-bit fields, or in the zip64 extra field when those are saturated), and
  nothing else, so the archive still opens and only the lie is left to find;
* :func:`rename_bytes` swaps a member's name bytes for others of the same length, in the
  local header and the central directory alike (an undecodable name, say);
* :func:`zeros_wheel` writes an honest wheel holding ``size`` zero bytes, deflated, streamed
  (a gibibyte never sits in memory).
"""

from __future__ import annotations

import base64
import hashlib
import io
import struct
import zipfile
from pathlib import Path

from wheelbuilder import ZIP_EPOCH

__all__ = ["patch_member", "rename_bytes", "zeros_wheel"]

_CD = struct.Struct("<4sHHHHHHIIIHHHHHII")
_CD_SIG = b"PK\x01\x02"


def patch_member(
    wheel: Path,
    name: str,
    *,
    file_size: int | None = None,
    compressed_size: int | None = None,
    method: int | None = None,
    flags: int | None = None,
    data_of: str | None = None,
) -> None:
    """Declare other sizes for member ``name`` in the central directory of ``wheel`` (or
    another compression ``method``, other ``flags``, or the local header of the member
    ``data_of``: two entries over one piece of data)."""
    data = bytearray(wheel.read_bytes())
    pos = data.index(_CD_SIG)
    while data[pos : pos + 4] == _CD_SIG:
        fields = list(_CD.unpack_from(data, pos))
        name_length, extra_length, comment_length = fields[10], fields[11], fields[12]
        start = pos + _CD.size
        if bytes(data[start : start + name_length]).decode("utf-8", "replace") == name:
            if method is not None:
                fields[4] = method
            if flags is not None:
                fields[3] = flags
            if data_of is not None:
                fields[16] = _offset_of(data, data_of)
            _patch(data, pos, fields, start + name_length, extra_length, file_size, compressed_size)
            wheel.write_bytes(bytes(data))
            return
        pos = start + name_length + extra_length + comment_length
    raise KeyError(name)


def _offset_of(data: bytearray, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        return archive.getinfo(name).header_offset


def _patch(
    data: bytearray,
    pos: int,
    fields: list[object],
    extra_start: int,
    extra_length: int,
    file_size: int | None,
    compressed_size: int | None,
) -> None:
    saturated = fields[9] == 0xFFFFFFFF or fields[8] == 0xFFFFFFFF
    if not saturated:
        if file_size is not None:
            fields[9] = file_size
        if compressed_size is not None:
            fields[8] = compressed_size
        _CD.pack_into(data, pos, *fields)
        return
    at = extra_start
    while at < extra_start + extra_length:
        header_id, size = struct.unpack_from("<HH", data, at)
        if header_id == 1:
            values = at + 4
            if fields[9] == 0xFFFFFFFF:
                if file_size is not None:
                    struct.pack_into("<Q", data, values, file_size)
                values += 8
            if fields[8] == 0xFFFFFFFF and compressed_size is not None:
                struct.pack_into("<Q", data, values, compressed_size)
            return
        at += 4 + size
    raise ValueError("no zip64 extra field to patch")


def rename_bytes(wheel: Path, old: bytes, new: bytes) -> None:
    """Replace the name bytes ``old`` by ``new`` (same length) everywhere in ``wheel``."""
    assert len(old) == len(new)
    data = wheel.read_bytes()
    assert data.count(old) >= 2, "the name is in the local header and the directory"
    wheel.write_bytes(data.replace(old, new))


def zeros_wheel(dest: Path, name: str, size: int) -> Path:
    """``name-1.0``: ``name/zeros.bin`` of ``size`` zero bytes, deflated, and its dist-info."""
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{name}-1.0-py3-none-any.whl"
    dist_info = f"{name}-1.0.dist-info"
    chunk = bytes(1 << 20)
    digest = hashlib.sha256()
    small = {
        f"{name}/__init__.py": b"",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode(),
        f"{dist_info}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo(f"{name}/zeros.bin", date_time=ZIP_EPOCH)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.file_size = size
        with archive.open(info, "w") as out:
            left = size
            while left:
                piece = chunk[: min(left, len(chunk))]
                out.write(piece)
                digest.update(piece)
                left -= len(piece)
        record.append(f"{name}/zeros.bin,sha256={_b64(digest.digest())},{size}")
        for member, content in small.items():
            archive.writestr(zipfile.ZipInfo(member, date_time=ZIP_EPOCH), content)
            record.append(
                f"{member},sha256={_b64(hashlib.sha256(content).digest())},{len(content)}"
            )
        record.append(f"{dist_info}/RECORD,,")
        archive.writestr(
            zipfile.ZipInfo(f"{dist_info}/RECORD", date_time=ZIP_EPOCH), "\n".join(record) + "\n"
        )
    return path


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
