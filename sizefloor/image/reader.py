"""A real image, measured: its layers, its final filesystem, and what ships without showing.

:func:`read_image` reads an archive ``docker save`` writes (legacy or OCI-in-docker-save),
or an OCI image layout (a directory or a tar), applies the layers in order in memory
(nothing is extracted or written) and returns an :class:`Image`:

- ``real_bytes``: the sum of the regular files' sizes in the final filesystem, each
  inode once (hard links are not counted twice; directories, symlinks and devices
  count 0: the definition the floor uses);
- per layer: ``content_bytes`` (the regular files it adds), ``tar_bytes`` (its
  uncompressed tar, what ``docker save`` ships), ``blob_bytes`` (the blob as stored:
  compressed in a registry or an OCI layout) and the command that made it, when the
  config's history records it;
- ``shipped_only``: files a layer ships that the final filesystem does not show
  (deleted or replaced by a later layer); ``same_as`` names a visible file with the
  same content when there is one (the same file shipped in several layers).

Each layer's blob is checked against its digest and its uncompressed tar against the
config's ``diff_id``, so a damaged archive is an error, not a wrong figure.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sizefloor.image.archive import ImageArchive, LayerBlob, open_archive
from sizefloor.image.decompress import Meter, decompressed, stream_errors
from sizefloor.image.errors import DamagedLayer, ImageError, MissingFromArchive
from sizefloor.image.filesystem import File, Filesystem, LayerCounts, Symlink
from sizefloor.image.layer import Entry, scan_layer

__all__ = ["Image", "ImageError", "ImageFile", "LayerInfo", "ShippedCopy", "read_image"]

Progress = Callable[[str, int, int], None]

_KEEP = re.compile(
    r"(^|/)[^/]+\.dist-info/(RECORD|top_level\.txt)$"
    r"|(^|/)[^/]+\.egg-info/(installed-files\.txt|top_level\.txt)$"
    r"|^var/lib/dpkg/status$|^var/lib/dpkg/info/[^/]+\.list$"
    r"|^lib/apk/db/installed$|^(etc|usr/lib)/os-release$"
)
_BASE_END = re.compile(r"(^|#\(nop\)\s+)(CMD|ENTRYPOINT)\b")
_BUFFER = 1 << 20


def keep_metadata(path: str) -> bool:
    """Whether a file's bytes are kept while reading layers (package records, os-release)."""
    return _KEEP.search(path) is not None


@dataclass(frozen=True)
class LayerInfo:
    """One layer, as shipped and as applied."""

    index: int
    """0 for the bottom layer."""
    location: str
    digest: str
    """The blob's sha256, as measured."""
    diff_id: str
    """The uncompressed tar's sha256, as measured."""
    compression: str
    blob_bytes: int
    tar_bytes: int
    content_bytes: int
    """Sum of the regular files the layer adds (hard links once)."""
    files: int
    whiteouts: int
    visible_bytes: int
    """The part of ``content_bytes`` the final filesystem still shows."""
    command: str | None
    created: str | None
    base: bool
    """Part of the base image (see :attr:`Image.base_reason`)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.index + 1,
            "digest": self.digest,
            "diff_id": self.diff_id,
            "compression": self.compression,
            "blob_bytes": self.blob_bytes,
            "tar_bytes": self.tar_bytes,
            "content_bytes": self.content_bytes,
            "visible_bytes": self.visible_bytes,
            "hidden_bytes": self.content_bytes - self.visible_bytes,
            "files": self.files,
            "whiteouts": self.whiteouts,
            "command": self.command,
            "created": self.created,
            "base": self.base,
        }


@dataclass(frozen=True)
class ImageFile:
    """A regular file of the final filesystem."""

    path: str
    """Absolute, ``/usr/bin/python3.11``."""
    size: int
    """Its size; 0 for the second and later names of a hard-linked inode."""
    layer: int
    digest: str | None


@dataclass(frozen=True)
class ShippedCopy:
    """A regular file a layer ships that the final filesystem does not show."""

    path: str
    size: int
    layer: int
    same_as: str | None
    """A visible file with the same content, when there is one."""


@dataclass(frozen=True)
class Image:
    source: str
    kind: str
    """``docker-save``, ``oci-layout`` or ``oci-archive``."""
    tags: tuple[str, ...]
    platform: str
    """``os/architecture[/variant]`` from the config, e.g. ``linux/amd64``."""
    layers: tuple[LayerInfo, ...]
    files: tuple[ImageFile, ...]
    """Sorted by path."""
    symlinks: Mapping[str, str]
    shipped_only: tuple[ShippedCopy, ...]
    base_layers: int
    base_reason: str
    env: tuple[str, ...] = ()
    kept: Mapping[str, bytes] = field(default_factory=dict)
    """The bytes of the visible metadata files :func:`keep_metadata` selects, by path."""
    history: tuple[Mapping[str, Any], ...] = ()

    @property
    def real_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def tar_bytes(self) -> int:
        return sum(layer.tar_bytes for layer in self.layers)

    @property
    def blob_bytes(self) -> int:
        return sum(layer.blob_bytes for layer in self.layers)

    @property
    def content_bytes(self) -> int:
        return sum(layer.content_bytes for layer in self.layers)

    def summary_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.kind,
            "tags": list(self.tags),
            "platform": self.platform,
            "real_bytes": self.real_bytes,
            "files": sum(1 for f in self.files),
            "symlinks": len(self.symlinks),
            "layers_content_bytes": self.content_bytes,
            "layers_tar_bytes": self.tar_bytes,
            "layers_blob_bytes": self.blob_bytes,
            "hidden_bytes": sum(c.size for c in self.shipped_only),
            "base_layers": self.base_layers,
            "base_reason": self.base_reason,
            "layers": [layer.to_json() for layer in self.layers],
        }


def read_image(
    path: str | os.PathLike[str],
    *,
    ref: str | None = None,
    platform: str | None = None,
    base_layers: int | None = None,
    progress: Progress | None = None,
) -> Image:
    """Read and measure the image at ``path`` (see the module's documentation).

    ``ref`` and ``platform`` choose an image in an archive that holds several;
    ``base_layers`` says how many bottom layers are the base image (default: read from
    the history, see :func:`base_boundary`).
    """
    report = progress or (lambda stage, done, total: None)
    archive = open_archive(path, ref=ref, platform=platform)
    try:
        return _read(archive, base_layers, report)
    finally:
        archive.close()


def _read(archive: ImageArchive, base_layers: int | None, progress: Progress) -> Image:
    config = archive.config
    fs = Filesystem()
    applied = _apply_layers(archive, _diff_ids(archive), fs, progress)
    history = [h for h in config.get("history") or [] if isinstance(h, dict)]
    base_count, reason = _base(history, len(applied), base_layers)
    final = _final(fs)
    return Image(
        source=archive.path,
        kind=archive.kind,
        tags=tuple(archive.tags),
        platform=_platform(config),
        layers=_layer_infos(applied, history, _visible_by_layer(fs, final.visible), base_count),
        files=final.files,
        symlinks=final.symlinks,
        shipped_only=_shipped_only(fs, final.visible),
        base_layers=base_count,
        base_reason=reason,
        env=_env(config),
        kept=final.kept,
        history=tuple(history),
    )


@dataclass(frozen=True)
class _Stream:
    """One layer's blob, as the meters measured it while it was read."""

    digest: str
    diff_id: str
    compression: str
    blob_bytes: int
    tar_bytes: int


@dataclass(frozen=True)
class _Applied:
    """One layer: where it is stored, what reading it measured, what applying it added."""

    blob: LayerBlob
    stream: _Stream
    counts: LayerCounts


def _diff_ids(archive: ImageArchive) -> list[Any]:
    """The config's ``rootfs.diff_ids``, one per layer the manifest lists."""
    rootfs = archive.config.get("rootfs")
    diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    if not isinstance(diff_ids, list) or len(diff_ids) != len(archive.layers):
        raise ImageError(
            f"{archive.path}: the config lists {len(diff_ids or [])} layers "
            f"(rootfs.diff_ids) but the manifest {len(archive.layers)}: the archive is "
            "inconsistent."
        )
    return diff_ids


def _apply_layers(
    archive: ImageArchive, diff_ids: list[Any], fs: Filesystem, progress: Progress
) -> list[_Applied]:
    """Read each layer, bottom first, check it against its digests and apply it to ``fs``."""
    applied: list[_Applied] = []
    total = len(archive.layers)
    for i, blob in enumerate(archive.layers):
        name = f"layer {i + 1} of {total} ({blob.location})"
        progress("reading layers", i, total)
        stream, entries = _read_layer(archive, blob, name)
        _check_layer(blob, stream, diff_ids[i], name)
        applied.append(_Applied(blob, stream, fs.apply(entries, i, name=name)))
    progress("reading layers", total, total)
    return applied


def _read_layer(archive: ImageArchive, blob: LayerBlob, name: str) -> tuple[_Stream, list[Entry]]:
    """Stream one blob through a meter, its decompressor and a second meter into the scanner."""
    try:
        with archive.open_layer(blob) as raw:
            blob_meter = Meter(raw)
            stored = io.BufferedReader(blob_meter, _BUFFER)
            stream, compression = decompressed(stored, what=name)
            tar_meter = Meter(stream)
            tar_stream = io.BufferedReader(tar_meter, _BUFFER)
            entries = scan_layer(tar_stream, layer=name, keep=keep_metadata)
            while tar_stream.read(_BUFFER):  # past the tar's end: the digests cover every byte
                pass
            while stored.read(_BUFFER):
                pass
    except MissingFromArchive:
        raise ImageError(f"{name} is missing from the archive.") from None
    except ImageError:
        raise
    except stream_errors() as exc:
        raise DamagedLayer(name, str(exc)) from None
    measured = _Stream(
        blob_meter.digest,
        tar_meter.digest,
        compression,
        blob_meter.bytes_read,
        tar_meter.bytes_read,
    )
    return measured, entries


def _check_layer(blob: LayerBlob, stream: _Stream, diff_id: Any, name: str) -> None:
    """A layer whose blob or tar is not what the manifest and config say is damaged."""
    if blob.digest is not None and blob.digest != stream.digest:
        raise ImageError(f"{name} does not match its digest {blob.digest}: it is damaged.")
    if blob.size is not None and blob.size != stream.blob_bytes:
        raise ImageError(
            f"{name} is {stream.blob_bytes:,} bytes, not the {blob.size:,} its manifest says: "
            "it is truncated or damaged."
        )
    if diff_id != stream.diff_id:
        raise ImageError(
            f"{name}: its content does not match the config's diff_id {diff_id}: it is "
            "damaged, or belongs to another image."
        )


def _base(history: list[dict[str, Any]], layers: int, given: int | None) -> tuple[int, str]:
    """How many bottom layers are the base: ``--base-layers`` when given, else the history's."""
    if given is None:
        return base_boundary(history, layers)
    return max(0, min(given, layers)), f"--base-layers {given}"


@dataclass(frozen=True)
class _Final:
    """The final filesystem, as :class:`Image` shows it."""

    files: tuple[ImageFile, ...]
    symlinks: dict[str, str]
    kept: dict[str, bytes]
    visible: set[int]
    """The inodes a visible name points to."""


def _final(fs: Filesystem) -> _Final:
    seen: set[int] = set()
    named: list[tuple[str, int]] = []
    symlinks: dict[str, str] = {}
    for path, node in fs.walk():
        if isinstance(node, File):
            named.append(("/" + path, node.inode))
        elif isinstance(node, Symlink):
            symlinks["/" + path] = node.target
    named.sort()
    files: list[ImageFile] = []
    kept: dict[str, bytes] = {}
    for path, inode_id in named:
        inode = fs.inodes[inode_id]
        first = inode_id not in seen
        seen.add(inode_id)
        files.append(ImageFile(path, inode.size if first else 0, inode.layer, inode.digest))
        if inode.content is not None and keep_metadata(path[1:]):
            kept[path] = inode.content
    return _Final(tuple(files), symlinks, kept, seen)


def _visible_by_layer(fs: Filesystem, visible: set[int]) -> dict[int, int]:
    """Layer index -> the bytes of its regular files the final filesystem still shows."""
    by_layer: dict[int, int] = {}
    for inode_id in visible:
        inode = fs.inodes[inode_id]
        by_layer[inode.layer] = by_layer.get(inode.layer, 0) + inode.size
    return by_layer


def _shipped_only(fs: Filesystem, visible: set[int]) -> tuple[ShippedCopy, ...]:
    """The files layers ship that no visible name shows, each with a visible twin if any."""
    visible_digests = {fs.inodes[i].digest: fs.inodes[i].path for i in visible}
    return tuple(
        ShippedCopy(
            "/" + inode.path,
            inode.size,
            inode.layer,
            _visible_path(visible_digests.get(inode.digest)),
        )
        for n, inode in enumerate(fs.inodes)
        if n not in visible and inode.size > 0
    )


def _visible_path(path: str | None) -> str | None:
    return None if path is None else "/" + path


def _layer_infos(
    applied: list[_Applied],
    history: list[dict[str, Any]],
    visible_by_layer: Mapping[int, int],
    base_count: int,
) -> tuple[LayerInfo, ...]:
    commands = _layer_commands(history, len(applied))
    return tuple(
        LayerInfo(
            index=i,
            location=layer.blob.location,
            digest=layer.stream.digest,
            diff_id=layer.stream.diff_id,
            compression=layer.stream.compression,
            blob_bytes=layer.stream.blob_bytes,
            tar_bytes=layer.stream.tar_bytes,
            content_bytes=layer.counts.content_bytes,
            files=layer.counts.files,
            whiteouts=layer.counts.whiteouts,
            visible_bytes=visible_by_layer.get(i, 0),
            command=commands[i][0],
            created=commands[i][1],
            base=i < base_count,
        )
        for i, layer in enumerate(applied)
    )


def _env(config: Mapping[str, Any]) -> tuple[str, ...]:
    inner = config.get("config")
    return tuple(str(e) for e in (inner if isinstance(inner, dict) else {}).get("Env") or [])


def _layer_commands(
    history: list[dict[str, Any]], count: int
) -> list[tuple[str | None, str | None]]:
    made = [h for h in history if not h.get("empty_layer")]
    if len(made) != count:
        return [(None, None)] * count
    return [
        (
            str(h["created_by"]) if h.get("created_by") is not None else None,
            str(h["created"]) if h.get("created") is not None else None,
        )
        for h in made
    ]


def base_boundary(history: list[dict[str, Any]], layers: int) -> tuple[int, str]:
    """How many bottom layers belong to the base image, and how that was decided.

    A base image's history ends with its ``CMD`` (or ``ENTRYPOINT``): the last such entry
    that is followed by layer-making entries marks where the image built on it starts.
    Without a history, the first layer (a base's root filesystem) is taken as the base;
    with a history that shows no such boundary, none is.
    """
    if not history:
        count = 1 if layers > 1 else 0
        return count, "no history in the config: the first layer is taken as the base"
    made_after = [0] * (len(history) + 1)
    for i in range(len(history) - 1, -1, -1):
        made_after[i] = made_after[i + 1] + (0 if history[i].get("empty_layer") else 1)
    made = 0
    boundary: tuple[int, str] | None = None
    for i, entry in enumerate(history):
        created_by = str(entry.get("created_by") or "").strip()
        if _BASE_END.search(created_by) and made_after[i + 1] > 0:
            boundary = (made, _short(created_by))
        if not entry.get("empty_layer"):
            made += 1
    if boundary is None:
        return 0, "the history shows no base image (no CMD or ENTRYPOINT before the last layers)"
    return boundary[0], f"the layers before the base image's last instruction ({boundary[1]})"


def _short(text: str, width: int = 60) -> str:
    text = re.sub(r"^/bin/sh -c #\(nop\)\s+", "", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _platform(config: Mapping[str, Any]) -> str:
    text = f"{config.get('os') or 'linux'}/{config.get('architecture') or 'unknown'}"
    if config.get("variant"):
        text += f"/{config['variant']}"
    return text
