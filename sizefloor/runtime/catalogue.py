"""The catalogue of Python runtimes: base images, their Python, C library and sizes.

Sizes come from ``sizefloor/runtime/data/runtimes.json``: per image and architecture
the uncompressed size (sum of file sizes, what ``docker images`` shows), the
compressed size (what a pull transfers), the ``du`` size, each with its
source, date and whether it is published/computed or estimated.
``scripts/debian_runtime.py`` regenerates the Debian-derived entries;
``--refresh-runtime`` recomputes them live through the same code
(:mod:`sizefloor.runtime.refresh`), cached. :mod:`sizefloor.runtime.bases` reads a
``--base`` name into one of these images.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from sizefloor.target import ARCHITECTURES

__all__ = [
    "FAMILIES",
    "ArchFigures",
    "Catalog",
    "CatalogImage",
    "Family",
    "catalog",
    "raw_entry",
    "today",
]

_UNAME: dict[str, str] = {a.docker: a.uname for a in ARCHITECTURES.values()}
"""The data file keys its sizes by Docker's architecture word; the code by ``uname -m``."""


@dataclass(frozen=True)
class ArchFigures:
    """An image's size on one architecture."""

    installed_bytes: int
    """Sum of file sizes (hard links once, symlinks by target length): ``docker images``."""
    download_bytes: int
    """Compressed layers: what a pull transfers."""
    disk_bytes: int
    """``du``: 4 KiB blocks, directories included."""
    exact: bool
    """``installed_bytes`` is published or computed from the files, not estimated."""
    download_exact: bool
    disk_exact: bool
    method: str
    """``published``, ``computed``, ``measured`` or ``estimated``."""
    source: str
    as_of: str
    error_bytes: int = 0
    """How far an estimated ``installed_bytes`` could be off, either way."""
    note: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArchFigures:
        return cls(
            installed_bytes=int(data["installed_bytes"]),
            download_bytes=int(data["download_bytes"]),
            disk_bytes=int(data["disk_bytes"]),
            exact=bool(data["exact"]),
            download_exact=bool(data.get("download_exact", False)),
            disk_exact=bool(data.get("disk_exact", False)),
            method=str(data["method"]),
            source=str(data["source"]),
            as_of=str(data["as_of"]),
            error_bytes=int(data.get("error_bytes", 0)),
            note=str(data.get("note", "")),
        )


@dataclass(frozen=True)
class CatalogImage:
    """One catalogued image: a concrete tag with its Python, C library and sizes."""

    name: str
    """Canonical base name: ``python:3.12-slim``, ``distroless-debian12``, ``standalone-3.12``."""
    family: str
    """The name without a version: ``python:slim``, ``distroless``, ``debian:slim``, ..."""
    tag: str
    """The exact image the figures are for, e.g. ``python:3.12.14-slim-trixie``."""
    python: str
    """Full CPython version, e.g. ``3.12.14``."""
    libc: str
    libc_version: tuple[int, int]
    distro: str
    sizes: Mapping[str, ArchFigures]
    """By ``uname -m`` architecture."""
    aliases: tuple[str, ...] = ()
    description: str = ""

    @property
    def python_minor(self) -> tuple[int, int]:
        major, minor = self.python.split(".")[:2]
        return int(major), int(minor)

    @property
    def python_xy(self) -> str:
        return "{}.{}".format(*self.python_minor)

    @property
    def arches(self) -> tuple[str, ...]:
        return tuple(self.sizes)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CatalogImage:
        major, minor = str(data["libc_version"]).split(".")
        return cls(
            name=str(data["name"]),
            family=str(data["family"]),
            tag=str(data["tag"]),
            python=str(data["python"]),
            libc=str(data["libc"]),
            libc_version=(int(major), int(minor)),
            distro=str(data["distro"]),
            sizes={
                _UNAME.get(arch, arch): ArchFigures.from_json(figures)
                for arch, figures in data["sizes"].items()
            },
            aliases=tuple(str(a) for a in data.get("aliases", ())),
            description=str(data.get("description", "")),
        )


@dataclass(frozen=True)
class Family:
    """A kind of base: what ``--base`` accepts without a version."""

    name: str
    title: str
    """How a comparison names it."""
    default: str
    """Which image the bare family name means: ``newest`` Python, or an image name."""


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family("python:slim", "python:3.X-slim (Debian 13)", "newest"),
        Family("python:slim-bookworm", "python:3.X-slim-bookworm (Debian 12)", "newest"),
        Family("python:alpine", "python:3.X-alpine (musl)", "newest"),
        Family("python", "python:3.X (full, Debian 13)", "newest"),
        Family("python:bookworm", "python:3.X-bookworm (full, Debian 12)", "newest"),
        Family("distroless", "distroless python3", "distroless-debian13"),
        Family("debian:slim", "debian:N-slim + apt python3", "debian:13-slim"),
        Family("standalone", "python-build-standalone, stripped, on glibc", "newest"),
    )
}
"""Families in the order a comparison lists them."""


@dataclass(frozen=True)
class Catalog:
    images: tuple[CatalogImage, ...]
    schema: int
    notes: Mapping[str, str] = field(default_factory=dict)

    def by_name(self) -> dict[str, CatalogImage]:
        names: dict[str, CatalogImage] = {}
        for image in self.images:
            for name in (image.name, *image.aliases):
                names[name.lower()] = image
        return names

    def family(self, family: str) -> list[CatalogImage]:
        return sorted((i for i in self.images if i.family == family), key=lambda i: i.python_minor)


DATA_FILE = "runtimes.json"


@functools.cache
def catalog(path: str | None = None) -> Catalog:
    """The shipped size data (or the JSON file at ``path``)."""
    if path is not None:
        text = Path(path).read_text(encoding="utf-8")
    else:
        data = resources.files("sizefloor.runtime").joinpath(f"data/{DATA_FILE}")
        text = data.read_text(encoding="utf-8")
    data = json.loads(text)
    return Catalog(
        images=tuple(CatalogImage.from_json(entry) for entry in data["images"]),
        schema=int(data.get("schema", 1)),
        notes={str(k): str(v) for k, v in data.get("notes", {}).items()},
    )


def raw_entry(name: str, path: str | None = None) -> dict[str, Any]:
    """The data file's own entry for the image named ``name`` (canonical name)."""
    if path is not None:
        text = Path(path).read_text(encoding="utf-8")
    else:
        data = resources.files("sizefloor.runtime").joinpath(f"data/{DATA_FILE}")
        text = data.read_text(encoding="utf-8")
    for entry in json.loads(text)["images"]:
        if entry["name"] == name:
            return dict(entry)
    raise KeyError(name)


def today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")
