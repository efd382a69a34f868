"""One layer's tar stream, read member by member into :class:`Entry` values.

Nothing is extracted: regular files are read once, to hash them (sha256, to find the
same file in several layers) and, for the few metadata files a caller asks to keep
(``RECORD``, dpkg's lists…), to keep their bytes. Names are checked as Docker's own
layer applier checks them: a member, hard link or symlink that would land outside the
image's root is an error.

Whiteouts follow the OCI image spec: ``DIR/.wh.NAME`` deletes ``DIR/NAME`` from the
layers below, ``DIR/.wh..wh..opq`` empties ``DIR`` of what the layers below put
there; other ``.wh..wh.`` names are aufs bookkeeping and are skipped.
"""

from __future__ import annotations

import hashlib
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from sizefloor.image.decompress import stream_errors
from sizefloor.image.errors import DamagedLayer, ImageError

WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
_CHUNK = 1 << 20
KEEP_LIMIT = 16 << 20
"""Kept files larger than this are not kept (their content is metadata: never this large)."""

Parts = tuple[str, ...]
"""A path as its components under the image's root: ``("usr", "bin", "python3")``."""


@dataclass(frozen=True)
class Entry:
    """One member of a layer, in the layer's own order."""

    path: Parts
    kind: str
    """``dir``, ``file``, ``hardlink``, ``symlink``, ``other`` (devices, fifos),
    ``whiteout`` (``path`` is what it deletes) or ``opaque`` (``path`` is the directory)."""
    size: int = 0
    digest: str | None = None
    link: str | None = None
    """A symlink's target as written, or a hard link's target path (``/``-joined)."""
    content: bytes | None = None


def split_member(name: str, *, layer: str) -> Parts:
    """A member name as path components under the root; an error if it is absolute or escapes."""
    if name.startswith("/"):
        raise ImageError(
            f"{layer} has a member with an absolute path ({name!r}); layer members are relative "
            "to the image's root. The archive is not safe to use.",
        )
    parts: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise ImageError(
                    f"{layer} has a member that escapes the image's root ({name!r}). "
                    "The archive is not safe to use.",
                )
            parts.pop()
            continue
        parts.append(part)
    return tuple(parts)


def check_symlink(path: Parts, target: str, *, layer: str) -> None:
    """Refuse a relative symlink whose target climbs above the root, as Docker does."""
    if target.startswith("/"):
        return  # resolved inside the image's root
    depth = len(path) - 1
    for part in target.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                raise ImageError(
                    f"{layer} has a symlink {'/'.join(path)} -> {target} that points outside the "
                    "image's root. The archive is not safe to use.",
                )
        elif part not in ("", "."):
            depth += 1


def scan_layer(
    stream: IO[bytes], *, layer: str, keep: Callable[[str], bool] = lambda path: False
) -> list[Entry]:
    """The entries of the uncompressed layer tar ``stream``, read as a stream.

    ``keep(path)`` says which regular files' bytes to keep (``path`` without a leading
    slash). ``layer`` names the layer in error messages: an unsafe name is an
    :class:`ImageError`, a stream that is not a tar or ends early a :class:`DamagedLayer`.
    """
    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            return [e for member in tar if (e := _entry(tar, member, layer, keep)) is not None]
    except stream_errors() as exc:
        raise DamagedLayer(layer, str(exc)) from None


def _entry(
    tar: tarfile.TarFile, member: tarfile.TarInfo, layer: str, keep: Callable[[str], bool]
) -> Entry | None:
    """One member as an entry; ``None`` for the root itself and for aufs bookkeeping."""
    path = split_member(member.name, layer=layer)
    if not path:
        return None  # the root itself ("./")
    if path[-1].startswith(WHITEOUT_PREFIX):
        return _whiteout(path)
    if member.isdir():
        return Entry(path, "dir")
    if member.issym():
        check_symlink(path, member.linkname, layer=layer)
        return Entry(path, "symlink", link=member.linkname)
    if member.islnk():
        target_path = split_member(member.linkname, layer=layer)
        if not target_path:
            raise ImageError(f"{layer} has a hard link {member.name} to the root itself.")
        return Entry(path, "hardlink", link="/".join(target_path))
    if member.isfile():
        return _read_file(tar, member, path, keep, layer=layer)
    return Entry(path, "other")


def _whiteout(path: Parts) -> Entry | None:
    """An opaque marker, a whiteout, or ``None`` for aufs bookkeeping (other ``.wh..wh.``)."""
    name = path[-1]
    if name == OPAQUE_MARKER:
        return Entry(path[:-1], "opaque")
    if name.startswith(WHITEOUT_PREFIX + WHITEOUT_PREFIX):
        return None
    target = name[len(WHITEOUT_PREFIX) :]
    if target in ("", ".", ".."):
        return None
    return Entry((*path[:-1], target), "whiteout")


def _read_file(
    tar: tarfile.TarFile,
    member: tarfile.TarInfo,
    path: Parts,
    keep: Callable[[str], bool],
    *,
    layer: str,
) -> Entry:
    hasher = hashlib.sha256()
    wanted = member.size <= KEEP_LIMIT and keep("/".join(path))
    kept: list[bytes] = []
    data = tar.extractfile(member)
    read = 0
    if data is not None:
        while chunk := data.read(_CHUNK):
            hasher.update(chunk)
            read += len(chunk)
            if wanted:
                kept.append(chunk)
    if read != member.size:
        raise DamagedLayer(layer, f"unexpected end of data in {member.name}")
    return Entry(
        path,
        "file",
        size=member.size,
        digest=hasher.hexdigest(),
        content=b"".join(kept) if wanted else None,
    )
