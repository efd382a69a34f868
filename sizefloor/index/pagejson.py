"""PEP 691 JSON project pages decoded by msgspec into the few fields sizefloor reads.

A 240-package set's pages are 90 MB of JSON naming 200,000 files; decoding each file into a
small typed struct, rather than a dict of every key, halves what parsing them costs, and a
file's name is read before the rest of it, which is decoded only for a file the target can
use. The types
are those the specification gives: a page that strays from them (a size that is not an
integer, hashes that are not strings, JSON msgspec refuses) is read by
:func:`sizefloor.index.pages.json_page_records`'s plain decoder instead, so that every page
reads exactly as before, its records or its error.

Imported by the first page parsed: a run answered from the cache needs none of it.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec
from msgspec import UNSET, UnsetType, field

__all__ = ["UNREADABLE", "decode_files"]

UNREADABLE = (msgspec.DecodeError,)
"""What :func:`decode_files` raises for a page its types do not fit (ValidationError is one)."""


class _File(msgspec.Struct, gc=False):
    filename: str = ""
    url: str = ""
    hashes: dict[str, str] | None = None
    size: int | None = None
    yanked: bool | str | None = False
    core_metadata: bool | dict[str, str] | UnsetType | None = field(
        default=UNSET, name="core-metadata"
    )
    dist_info_metadata: bool | dict[str, str] | None = field(
        default=False, name="dist-info-metadata"
    )
    requires_python: str | UnsetType | None = field(default=UNSET, name="requires-python")
    upload_time: str | None = field(default=None, name="upload-time")


class _Name(msgspec.Struct, gc=False):
    filename: str = ""


class _Page(msgspec.Struct, gc=False):
    files: list[msgspec.Raw]


_PAGE = msgspec.json.Decoder(_Page)
_NAME = msgspec.json.Decoder(_Name)
_FILE = msgspec.json.Decoder(_File)

Record = tuple[
    str, str, int | None, tuple[tuple[str, str], ...], str | None, str | None, str | None, bool
]


def decode_files(
    body: bytes, absolute: Callable[[str], str], accept: Callable[[str], bool] | None
) -> list[Record]:
    """The records (:data:`sizefloor.index.pages.FileRecord`) of the files ``accept`` keeps,
    each URL made absolute by ``absolute``; raises one of :data:`UNREADABLE`."""
    records: list[Record] = []
    name, whole = _NAME.decode, _FILE.decode
    for raw in _PAGE.decode(body).files:
        # the name first: most files are for other targets, and their URLs, hashes and
        # times are then never made strings (0.25 -> 0.20 s for a monolith's 160 largest
        # pages, and a smaller transient heap while a large page is read)
        if accept is not None and not accept(name(raw).filename):
            continue
        item = whole(raw)
        filename = item.filename
        yanked = item.yanked
        metadata = item.core_metadata
        if metadata is UNSET:
            metadata = item.dist_info_metadata
        requires_python = item.requires_python
        records.append(
            (
                filename,
                absolute(item.url),
                item.size,
                tuple(item.hashes.items()) if item.hashes else (),
                # "" when listed as null: listed, with no constraint
                None if requires_python is UNSET else (requires_python or ""),
                None if yanked is False or yanked is None else ("" if yanked is True else yanked),
                item.upload_time,
                bool(metadata),
            )
        )
    return records
