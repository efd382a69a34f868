"""Finding an image's config and layer blobs in an archive, without extracting anything.

Three forms are read:

- **docker save** (``manifest.json`` at the top): the legacy form (``<id>/layer.tar``,
  ``<id>.json``) and the OCI-in-docker-save form of Docker 25+ (``blobs/sha256/…``
  listed by ``manifest.json``, beside ``index.json`` and ``oci-layout``);
- an **OCI image layout** (``oci-layout``, ``index.json``, ``blobs/<alg>/<hex>``), as a
  directory or as a tar;
- either of the tars compressed as a whole (``docker save | gzip``).

Archives are opened read-only; member names and digests are checked before they are
used, so a name that climbs out of the archive (``../``, an absolute path, a link to
outside) is an error, never a file read elsewhere. Manifests and configs are checked
against their digests when the archive names them.
"""

from __future__ import annotations

import abc
import contextlib
import hashlib
import json
import os
import posixpath
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sizefloor.image.decompress import stream_errors
from sizefloor.image.errors import ImageError, MissingFromArchive

__all__ = ["ImageArchive", "LayerBlob", "open_archive"]

INDEX_TYPES = frozenset(
    {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)
MANIFEST_TYPES = frozenset(
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    }
)
_DIGEST = re.compile(r"^(sha256|sha512):([0-9a-f]+)$")
_HEX_LENGTH = {"sha256": 64, "sha512": 128}
_MAX_JSON = 64 << 20


@dataclass(frozen=True)
class LayerBlob:
    """Where one layer is stored, and what the archive says about it."""

    location: str
    """The member or file that holds it (for messages)."""
    digest: str | None
    """The blob's digest when the archive names it (OCI descriptors, ``blobs/sha256/…`` paths)."""
    size: int | None
    """The blob's size when a descriptor gives it."""
    media_type: str | None


@dataclass
class ImageArchive:
    """An opened archive: the chosen image's config and layers, and a way to read blobs."""

    path: str
    kind: str
    """``docker-save``, ``oci-layout`` (a directory) or ``oci-archive`` (a tar)."""
    config: dict[str, Any]
    config_digest: str | None
    layers: list[LayerBlob]
    tags: list[str]
    _reader: _Reader

    @contextlib.contextmanager
    def open_layer(self, layer: LayerBlob) -> Iterator[IO[bytes]]:
        """The stored blob of ``layer``; :class:`MissingFromArchive` when it is not there."""
        with self._reader.open(layer.location) as stream:
            yield stream

    def close(self) -> None:
        self._reader.close()


def _clean_member(name: str, *, what: str) -> str:
    """``name`` as a clean relative path, or an error when it is absolute or climbs out."""
    if name.startswith("/"):
        raise ImageError(f"{what} names {name!r}, an absolute path: refusing to read it.")
    parts: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise ImageError(
                    f"{what} names {name!r}, which points outside the archive: refusing to read it."
                )
            parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


class _Reader(abc.ABC):
    """Read members of a tar or files under a directory by clean relative names.

    ``open`` and ``size`` raise :class:`MissingFromArchive` for a name the archive lacks.
    """

    @abc.abstractmethod
    def names(self) -> set[str]:
        """The top-level names that tell the archive's form (``manifest.json``, ``index.json``…)."""

    @abc.abstractmethod
    def open(self, name: str) -> contextlib.AbstractContextManager[IO[bytes]]: ...

    @abc.abstractmethod
    def size(self, name: str) -> int: ...

    def close(self) -> None:  # noqa: B027 - nothing to close for a directory
        """Release what the reader holds open."""

    def read(self, name: str, *, limit: int = _MAX_JSON) -> bytes:
        if self.size(name) > limit:
            raise ImageError(
                f"{name} is {self.size(name):,} bytes: too large to be image metadata."
            )
        with self.open(name) as stream:
            data = stream.read(limit + 1)
        if len(data) != self.size(name):
            raise ImageError(f"{name} is truncated in the archive.")
        return data


class _TarReader(_Reader):
    def __init__(self, path: str) -> None:
        try:
            self.tar = tarfile.open(path, mode="r:*")  # noqa: SIM115 - closed by close()
        except tarfile.ReadError as exc:
            raise ImageError(
                f"{path} is not an image archive: it is not a tar file ({exc}).",
                hint="Give the file `docker save IMAGE -o IMAGE.tar` writes, or an OCI image "
                "layout (a directory or tar with oci-layout and index.json).",
            ) from None
        except stream_errors() as exc:
            raise ImageError(f"{path} cannot be read as a tar file: {exc}.") from None
        self.members: dict[str, tarfile.TarInfo] = {}
        try:
            for member in self.tar.getmembers():
                name = member.name
                if name.startswith("/"):
                    continue  # never looked up: the names looked up are relative
                self.members[_norm(name)] = member
        except stream_errors() as exc:
            self.tar.close()
            raise ImageError(f"{path} is truncated or damaged: {exc}.") from None
        self.path = path

    def names(self) -> set[str]:
        return set(self.members)

    def _resolve(self, name: str, hops: int = 0) -> tarfile.TarInfo:
        member = self.members.get(name)
        if member is None:
            raise MissingFromArchive(name)
        if hops > 16:
            raise ImageError(f"{name}: too many levels of links in the archive.")
        if member.issym():
            target = member.linkname
            base = posixpath.dirname(name)
            joined = target if target.startswith("/") else posixpath.join(base, target)
            return self._resolve(_clean_member(joined, what=f"the link {name}"), hops + 1)
        if member.islnk():
            return self._resolve(_clean_member(member.linkname, what=f"the link {name}"), hops + 1)
        return member

    def size(self, name: str) -> int:
        return int(self._resolve(name).size)

    @contextlib.contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        member = self._resolve(name)
        if not member.isfile():
            raise ImageError(f"{name} in {self.path} is not a regular file.")
        stream = self.tar.extractfile(member)
        if stream is None:  # pragma: no cover - isfile() members always have data
            raise ImageError(f"{name} in {self.path} cannot be read.")
        with stream:
            yield stream

    def close(self) -> None:
        self.tar.close()


def _norm(name: str) -> str:
    parts = [p for p in name.split("/") if p not in ("", ".")]
    return "/".join(parts)


class _DirReader(_Reader):
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if path != self.root and self.root not in path.parents:
            raise ImageError(
                f"{name} in {self.root} leads outside the layout: refusing to read it."
            )
        return path

    def names(self) -> set[str]:
        wanted = ("oci-layout", "index.json", "manifest.json")
        return {n for n in wanted if (self.root / n).exists()}

    def size(self, name: str) -> int:
        try:
            return self._path(name).stat().st_size
        except FileNotFoundError:
            raise MissingFromArchive(name) from None

    @contextlib.contextmanager
    def open(self, name: str) -> Iterator[IO[bytes]]:
        path = self._path(name)
        try:
            stream = path.open("rb")
        except FileNotFoundError:
            raise MissingFromArchive(name) from None
        except IsADirectoryError:
            raise ImageError(f"{path} is a directory where a blob was expected.") from None
        with stream:
            yield stream


def open_archive(
    path: str | os.PathLike[str], *, ref: str | None = None, platform: str | None = None
) -> ImageArchive:
    """Open ``path`` (a docker save tar, an OCI layout directory or tar) and choose the image.

    ``ref`` picks an image by tag (``RepoTags``) or reference annotation when the archive
    holds several; ``platform`` (``linux/arm64``) picks one from a multi-platform index.
    """
    text = os.fspath(path)
    if not os.path.exists(text):
        raise ImageError(f"{text}: no such file or directory.")
    reader: _Reader = _DirReader(Path(text)) if os.path.isdir(text) else _TarReader(text)
    try:
        names = reader.names()
        if "manifest.json" in names:
            return _docker_save(text, reader, ref)
        if "index.json" in names:
            return _oci_layout(text, reader, ref, platform)
        raise ImageError(
            f"{text} is not an image archive: it has neither manifest.json (docker save) nor "
            "index.json (OCI image layout).",
            hint="Give the file `docker save IMAGE -o IMAGE.tar` writes, or an OCI image layout.",
        )
    except BaseException:
        reader.close()
        raise


def _json(reader: _Reader, name: str, *, digest: str | None = None) -> Any:
    try:
        data = reader.read(name)
    except MissingFromArchive:  # a link's target, maybe: name what was asked for
        raise MissingFromArchive(name) from None
    except stream_errors() as exc:
        raise ImageError(
            f"{name} cannot be read: the archive is truncated or damaged ({exc})."
        ) from None
    if digest is not None:
        _check_digest(data, digest, name)
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImageError(f"{name} in the archive is not valid JSON ({exc}).") from None


def _check_digest(data: bytes, digest: str, name: str) -> None:
    algorithm, _, expected = digest.partition(":")
    actual = hashlib.new(algorithm, data).hexdigest()
    if actual != expected:
        raise ImageError(
            f"{name} does not match its digest {digest}: the archive is damaged or was altered."
        )


def _blob_name(digest: Any, *, what: str) -> str:
    if not isinstance(digest, str):
        raise ImageError(f"{what} has no digest.")
    match = _DIGEST.match(digest)
    if match is None or len(match.group(2)) != _HEX_LENGTH[match.group(1)]:
        raise ImageError(f"{what} has a malformed digest {digest!r}.")
    return f"blobs/{match.group(1)}/{match.group(2)}"


def _digest_from_blob_path(name: str) -> str | None:
    parts = name.split("/")
    if len(parts) == 3 and parts[0] == "blobs" and parts[1] in _HEX_LENGTH:
        candidate = f"{parts[1]}:{parts[2]}"
        if _DIGEST.match(candidate) and len(parts[2]) == _HEX_LENGTH[parts[1]]:
            return candidate
    return None


def _docker_save(path: str, reader: _Reader, ref: str | None) -> ImageArchive:
    manifest = _json(reader, "manifest.json")
    if (
        not isinstance(manifest, list)
        or not manifest
        or not all(isinstance(m, dict) for m in manifest)
    ):
        raise ImageError(f"{path}: manifest.json does not list any image.")
    entry = _choose_saved(path, manifest, ref)
    config_name = _clean_member(str(entry.get("Config", "")), what="manifest.json's Config")
    if not config_name:
        raise ImageError(f"{path}: manifest.json names no config for the image.")
    config_digest = _digest_from_blob_path(config_name)
    config = _json(reader, config_name, digest=config_digest)
    if not isinstance(config, dict):
        raise ImageError(f"{path}: the image config {config_name} is not a JSON object.")
    layer_names = entry.get("Layers")
    if not isinstance(layer_names, list) or not all(isinstance(n, str) for n in layer_names):
        raise ImageError(f"{path}: manifest.json lists no layers for the image.")
    layers = []
    for i, raw in enumerate(layer_names):
        name = _clean_member(raw, what=f"manifest.json's layer {i + 1}")
        try:
            size = reader.size(name)
        except MissingFromArchive:
            raise ImageError(
                f"{path} lacks layer {i + 1} of {len(layer_names)} ({raw}): the archive is "
                "incomplete.",
                hint="Save the image again with `docker save IMAGE -o IMAGE.tar`.",
            ) from None
        layers.append(LayerBlob(name, _digest_from_blob_path(name), size, None))
    tags = [t for t in entry.get("RepoTags") or [] if isinstance(t, str)]
    return ImageArchive(path, "docker-save", config, config_digest, layers, tags, reader)


def _choose_saved(path: str, manifest: list[dict[str, Any]], ref: str | None) -> dict[str, Any]:
    if ref is None:
        if len(manifest) == 1:
            return manifest[0]
        tags = [", ".join(m.get("RepoTags") or ["<untagged>"]) for m in manifest]
        raise ImageError(
            f"{path} holds {len(manifest)} images: {'; '.join(tags)}.",
            hint="Choose one with --ref TAG.",
        )
    wanted = {ref, ref + ":latest"}
    for entry in manifest:
        if wanted & set(entry.get("RepoTags") or []):
            return entry
    raise ImageError(
        f"{path} has no image tagged {ref!r}.",
        hint="Tags in the archive: "
        + ", ".join(t for m in manifest for t in (m.get("RepoTags") or [])),
    )


def _oci_layout(path: str, reader: _Reader, ref: str | None, platform: str | None) -> ImageArchive:
    kind = "oci-layout" if isinstance(reader, _DirReader) else "oci-archive"
    layout = _json(reader, "oci-layout") if "oci-layout" in reader.names() else None
    if layout is not None and not isinstance(layout, dict):
        raise ImageError(f"{path}: oci-layout is not a JSON object.")
    index = _json(reader, "index.json")
    candidates = _manifests(reader, index, "index.json", depth=0)
    if not candidates:
        raise ImageError(f"{path}: index.json lists no image manifest.")
    descriptor, manifest = _choose_manifest(path, candidates, ref, platform)
    config_desc = manifest.get("config")
    if not isinstance(config_desc, dict):
        raise ImageError(f"{path}: the image manifest has no config.")
    config_digest = config_desc.get("digest")
    config_name = _blob_name(config_digest, what="the image config")
    if not _exists(reader, config_name):
        raise ImageError(f"{path} lacks the image config {config_digest}.")
    config = _json(reader, config_name, digest=config_digest)
    if not isinstance(config, dict):
        raise ImageError(f"{path}: the image config is not a JSON object.")
    layers = []
    raw_layers = manifest.get("layers")
    if not isinstance(raw_layers, list):
        raise ImageError(f"{path}: the image manifest lists no layers.")
    for i, desc in enumerate(raw_layers):
        if not isinstance(desc, dict):
            raise ImageError(f"{path}: layer {i + 1} of the manifest is not a descriptor.")
        name = _blob_name(desc.get("digest"), what=f"layer {i + 1}")
        if not _exists(reader, name):
            raise ImageError(
                f"{path} lacks layer {i + 1} of {len(raw_layers)} ({desc.get('digest')}): the "
                "layout is incomplete.",
                hint="Copy the image again (e.g. `skopeo copy … oci:DIR`), or check that "
                "foreign or non-distributable layers were included.",
            )
        size = desc.get("size")
        layers.append(
            LayerBlob(
                name,
                str(desc.get("digest")),
                size if isinstance(size, int) else None,
                desc.get("mediaType") if isinstance(desc.get("mediaType"), str) else None,
            )
        )
    annotations = descriptor.get("annotations") or {}
    tags = [
        str(annotations[key])
        for key in ("io.containerd.image.name", "org.opencontainers.image.ref.name")
        if key in annotations
    ]
    return ImageArchive(path, kind, config, config_digest, layers, tags, reader)


def _exists(reader: _Reader, name: str) -> bool:
    try:
        reader.size(name)
    except MissingFromArchive:
        return False
    return True


def _manifests(
    reader: _Reader, index: Any, where: str, *, depth: int, parent: dict[str, Any] | None = None
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every (descriptor, manifest) an index leads to, nested indexes followed."""
    if depth > 4:
        raise ImageError(f"{where}: indexes nested too deeply.")
    if not isinstance(index, dict) or not isinstance(index.get("manifests"), list):
        raise ImageError(f"{where} is not an image index (no manifests list).")
    found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for desc in index["manifests"]:
        if not isinstance(desc, dict):
            continue
        media = desc.get("mediaType")
        name = _blob_name(desc.get("digest"), what=f"a manifest listed by {where}")
        if not _exists(reader, name):
            if media in INDEX_TYPES or len(index["manifests"]) == 1:
                raise ImageError(f"the archive lacks {desc.get('digest')}, listed by {where}.")
            continue  # a platform that was not saved: common in partial copies
        content = _json(reader, name, digest=desc.get("digest"))
        media = media or (content.get("mediaType") if isinstance(content, dict) else None)
        if media in INDEX_TYPES or (isinstance(content, dict) and "manifests" in content):
            merged = dict(desc)
            if parent and "annotations" in parent and "annotations" not in merged:
                merged["annotations"] = parent["annotations"]
            for child_desc, child in _manifests(
                reader, content, desc.get("digest", where), depth=depth + 1, parent=merged
            ):
                if "annotations" not in child_desc and "annotations" in merged:
                    child_desc = {**child_desc, "annotations": merged["annotations"]}
                found.append((child_desc, child))
        elif isinstance(content, dict) and "layers" in content:
            found.append((desc, content))
    return found


def _platform_of(desc: dict[str, Any]) -> str | None:
    plat = desc.get("platform")
    if not isinstance(plat, dict):
        return None
    text = f"{plat.get('os')}/{plat.get('architecture')}"
    if plat.get("variant"):
        text += f"/{plat['variant']}"
    return text


def _is_attestation(desc: dict[str, Any]) -> bool:
    annotations = desc.get("annotations") or {}
    return (
        annotations.get("vnd.docker.reference.type") == "attestation-manifest"
        or _platform_of(desc) == "unknown/unknown"
    )


def _choose_manifest(
    path: str,
    candidates: list[tuple[dict[str, Any], dict[str, Any]]],
    ref: str | None,
    platform: str | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    images = [c for c in candidates if not _is_attestation(c[0])] or candidates
    if ref is not None:
        named = []
        for desc, manifest in images:
            annotations = desc.get("annotations") or {}
            names = {
                str(annotations.get("org.opencontainers.image.ref.name", "")),
                str(annotations.get("io.containerd.image.name", "")),
            }
            if ref in names or any(n.endswith(":" + ref) or n == ref + ":latest" for n in names):
                named.append((desc, manifest))
        if not named:
            raise ImageError(f"{path} has no image named {ref!r}.")
        images = named
    if platform is not None:
        wanted = _normalise_platform(platform)
        matching = [c for c in images if _platform_of(c[0]) in (None, *wanted)]
        if not matching:
            offered = sorted({p for c in images if (p := _platform_of(c[0]))})
            raise ImageError(
                f"{path} has no image for {platform}.",
                hint=f"It has: {', '.join(offered) or 'images without a platform'}.",
            )
        images = matching
    if len(images) > 1:
        amd64 = [c for c in images if _platform_of(c[0]) == "linux/amd64"]
        if len(amd64) == 1 and platform is None:
            return amd64[0]
        offered = [
            str(
                _platform_of(d)
                or (d.get("annotations") or {}).get("org.opencontainers.image.ref.name")
                or d.get("digest")
            )
            for d, _ in images
        ]
        raise ImageError(
            f"{path} holds {len(images)} images ({', '.join(offered)}).",
            hint="Choose one with --ref NAME or --platform OS/ARCH.",
        )
    return images[0]


def _normalise_platform(text: str) -> tuple[str, ...]:
    aliases = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm/v7"}
    os_name, _, arch = text.partition("/")
    if not arch:
        os_name, arch = "linux", text
    arch = aliases.get(arch, arch)
    result = [f"{os_name}/{arch}"]
    if arch == "arm64":
        result.append(f"{os_name}/arm64/v8")
    return tuple(result)
