"""Build image archives for the tests with :mod:`tarfile`: ``docker save`` and OCI layouts.

Layers are described as lists of members (:func:`file`, :func:`directory`, :func:`symlink`,
:func:`hardlink`, :func:`whiteout`, :func:`opaque`) and written deterministically (fixed
mtimes, owners and modes, members in the given order). Writers:

- :func:`docker_save` -- ``manifest.json`` + ``<id>/layer.tar`` + ``<id>.json`` (legacy), or
  the Docker 25+ form (``blobs/sha256/…`` listed by ``manifest.json``, with ``index.json``
  and ``oci-layout``) with ``oci=True``;
- :func:`oci_layout` -- ``oci-layout``, ``index.json``, ``blobs/sha256/…`` as a directory or,
  with ``as_tar=True``, a tar; layers may be compressed (``gzip``, ``zstd``).

Nothing here imports sizefloor: the archives are built from the specification alone.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EPOCH = 1577836800
LAYER_TYPES = {
    "none": "application/vnd.oci.image.layer.v1.tar",
    "gzip": "application/vnd.oci.image.layer.v1.tar+gzip",
    "zstd": "application/vnd.oci.image.layer.v1.tar+zstd",
}


@dataclass(frozen=True)
class Member:
    kind: str
    path: str
    data: bytes = b""
    target: str = ""


def file(path: str, data: bytes) -> Member:
    return Member("file", path, data)


def directory(path: str) -> Member:
    return Member("dir", path)


def symlink(path: str, target: str) -> Member:
    return Member("symlink", path, target=target)


def hardlink(path: str, target: str) -> Member:
    return Member("hardlink", path, target=target)


def whiteout(path: str) -> Member:
    """Delete ``path`` from the layers below (``DIR/.wh.NAME``)."""
    head, _, name = path.rpartition("/")
    return Member("file", f"{head}/.wh.{name}" if head else f".wh.{name}")


def opaque(path: str) -> Member:
    """Hide what the layers below put in the directory ``path``."""
    return Member("file", f"{path}/.wh..wh..opq")


@dataclass(frozen=True)
class Layer:
    members: Sequence[Member]
    command: str = "RUN true"
    compression: str = "none"


@dataclass
class Built:
    """What a writer produced, with the digests the tests may want."""

    path: Path
    layer_tars: list[bytes] = field(default_factory=list)
    blobs: list[bytes] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    descriptor: dict[str, Any] = field(default_factory=dict)
    """The manifest's descriptor, as index.json lists it (OCI layouts)."""


def layer_tar(members: Sequence[Member]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for m in members:
            info = tarfile.TarInfo(m.path)
            info.mtime = EPOCH
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if m.kind == "dir":
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            elif m.kind == "symlink":
                info.type = tarfile.SYMTYPE
                info.linkname = m.target
                info.mode = 0o777
                tar.addfile(info)
            elif m.kind == "hardlink":
                info.type = tarfile.LNKTYPE
                info.linkname = m.target
                info.mode = 0o644
                tar.addfile(info)
            else:
                info.size = len(m.data)
                info.mode = 0o644
                tar.addfile(info, io.BytesIO(m.data))
    return buf.getvalue()


def compress(data: bytes, kind: str) -> bytes:
    if kind == "gzip":
        return gzip.compress(data, mtime=0)
    if kind == "zstd":
        import zstandard  # optional: only the zstd tests need it, and they skip without it

        return bytes(zstandard.ZstdCompressor(level=3).compress(data))
    return data


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image_config(
    diff_ids: Sequence[str],
    history: Sequence[Mapping[str, Any]],
    *,
    architecture: str = "amd64",
    env: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "architecture": architecture,
        "os": "linux",
        "config": {"Env": list(env), "Cmd": ["python3"]},
        "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
        "history": [dict(h) for h in history],
    }


def default_history(layers: Sequence[Layer]) -> list[dict[str, Any]]:
    return [{"created": "2024-01-01T00:00:00Z", "created_by": layer.command} for layer in layers]


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = EPOCH
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def docker_save(
    dest: Path,
    layers: Sequence[Layer],
    *,
    history: Sequence[Mapping[str, Any]] | None = None,
    tags: Sequence[str] = ("example:latest",),
    oci: bool = False,
    env: Sequence[str] = (),
    omit_layer: int | None = None,
    extra_members: Mapping[str, bytes] | None = None,
    manifest_override: Any = None,
) -> Built:
    """Write ``dest`` as ``docker save`` does (uncompressed layers)."""
    tars = [layer_tar(layer.members) for layer in layers]
    diff_ids = [sha256(t) for t in tars]
    config = image_config(
        diff_ids, history if history is not None else default_history(layers), env=env
    )
    config_bytes = _json_bytes(config)
    config_hex = sha256(config_bytes).split(":")[1]
    with tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as tar:
        layer_paths: list[str] = []
        written: dict[str, str] = {}  # diff_id -> the member that holds it
        for i, data in enumerate(tars):
            hexd = diff_ids[i].split(":")[1]
            if oci:
                name = f"blobs/sha256/{hexd}"
            else:  # legacy: one folder per v1 layer id, which differs even for equal content
                name = f"{sha256(f'{i}:{hexd}'.encode()).split(':')[1]}/layer.tar"
            layer_paths.append(name)
            if i == omit_layer or name in layer_paths[:-1]:
                continue
            if not oci:
                _add(tar, f"{name.split('/')[0]}/VERSION", b"1.0")
                if diff_ids[i] in written:  # docker save links a repeated layer to the first
                    link = tarfile.TarInfo(name)
                    link.type = tarfile.SYMTYPE
                    link.linkname = f"../{written[diff_ids[i]]}"
                    link.mtime = EPOCH
                    tar.addfile(link)
                    continue
            written[diff_ids[i]] = name
            _add(tar, name, data)
        config_name = f"blobs/sha256/{config_hex}" if oci else f"{config_hex}.json"
        _add(tar, config_name, config_bytes)
        manifest = [{"Config": config_name, "RepoTags": list(tags), "Layers": layer_paths}]
        _add(tar, "manifest.json", _json_bytes(manifest_override or manifest))
        if oci:
            _add(tar, "oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
            _add(tar, "index.json", _json_bytes({"schemaVersion": 2, "manifests": []}))
        for name, data in (extra_members or {}).items():
            _add(tar, name, data)
    return Built(dest, tars, tars, config)


def oci_layout(
    dest: Path,
    layers: Sequence[Layer],
    *,
    history: Sequence[Mapping[str, Any]] | None = None,
    as_tar: bool = False,
    ref: str = "example:latest",
    env: Sequence[str] = (),
    nested_index: bool = False,
    architecture: str = "amd64",
) -> Built:
    """Write an OCI image layout at ``dest`` (a directory, or a tar with ``as_tar``)."""
    tars = [layer_tar(layer.members) for layer in layers]
    blobs = [compress(t, layer.compression) for t, layer in zip(tars, layers, strict=True)]
    config = image_config(
        [sha256(t) for t in tars],
        history if history is not None else default_history(layers),
        env=env,
        architecture=architecture,
    )
    config_bytes = _json_bytes(config)
    manifest_bytes = _json_bytes(_manifest(config_bytes, blobs, layers))
    files: dict[str, bytes] = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}
    for data in [*blobs, config_bytes, manifest_bytes]:
        files[_blob_path(data)] = data
    manifest_desc = {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": sha256(manifest_bytes),
        "size": len(manifest_bytes),
        "platform": {"os": "linux", "architecture": architecture},
        "annotations": {"org.opencontainers.image.ref.name": ref},
    }
    files.update(_index_files(manifest_desc, ref, nested=nested_index))
    _write(dest, files, as_tar=as_tar)
    return Built(dest, tars, blobs, config, manifest_desc)


def _blob_path(data: bytes) -> str:
    return "blobs/sha256/" + sha256(data).split(":")[1]


def _manifest(config_bytes: bytes, blobs: Sequence[bytes], layers: Sequence[Layer]) -> Any:
    return {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": sha256(config_bytes),
            "size": len(config_bytes),
        },
        "layers": [
            {"mediaType": LAYER_TYPES[layer.compression], "digest": sha256(b), "size": len(b)}
            for b, layer in zip(blobs, layers, strict=True)
        ],
    }


def _index_files(manifest_desc: dict[str, Any], ref: str, *, nested: bool) -> dict[str, bytes]:
    """``index.json`` listing the manifest, or (``nested``) an inner index that lists it."""
    if not nested:
        return {"index.json": _json_bytes({"schemaVersion": 2, "manifests": [manifest_desc]})}
    inner = _json_bytes({"schemaVersion": 2, "manifests": [manifest_desc]})
    top = {
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "digest": sha256(inner),
        "size": len(inner),
        "annotations": {"org.opencontainers.image.ref.name": ref},
    }
    return {
        _blob_path(inner): inner,
        "index.json": _json_bytes({"schemaVersion": 2, "manifests": [top]}),
    }


def _write(dest: Path, files: Mapping[str, bytes], *, as_tar: bool) -> None:
    if as_tar:
        with tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as tar:
            for name, data in files.items():
                _add(tar, name, data)
        return
    for name, data in files.items():
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
