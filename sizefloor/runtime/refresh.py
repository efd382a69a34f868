"""Recompute the Debian-derived runtimes live: ``--refresh-runtime`` and the script.

``scripts/debian_runtime.py`` and ``--refresh-runtime`` both go through
:func:`compute` and :func:`figures`, so the shipped data file and a live refresh
are the same computation. What was read from each ``.deb`` is cached by its
SHA256 forever, and the last result of each image and architecture is kept for
``--offline``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sizefloor.cache import Cache, default_cache_dir
from sizefloor.errors import OfflineMiss
from sizefloor.net.http import Http, HttpOptions
from sizefloor.runtime.catalogue import ArchFigures, CatalogImage, raw_entry, today
from sizefloor.runtime.debian import DISTROS, Computation, DebianError, Reader, find_archive
from sizefloor.target import ARCHITECTURES

__all__ = ["PYC_GZIP_RATIO", "compute", "figures", "refreshed_figures"]

PYC_GZIP_RATIO = 0.33
"""gzip -6 of CPython 3.11's stdlib ``.pyc`` files (a tar of 700 of them) over their size:
what the bytecode Debian's maintainer scripts write adds to a pull."""

Progress = Callable[[str, int, int], None]


def kind_of(image: CatalogImage) -> str | None:
    """``distroless`` or ``debian_apt`` for the images this module computes, else ``None``."""
    if image.family == "distroless":
        return "distroless"
    if image.family == "debian:slim":
        return "debian_apt"
    return None


def compute(
    kind: str,
    distro: str,
    arch: str,
    *,
    cache: Cache,
    http: Http,
    progress: Progress | None = None,
    reader: Reader | None = None,
) -> tuple[Computation, list[str]]:
    """Compute one image (``kind``: ``distroless``, ``debian_apt``, ``minbase`` or
    ``glibc_layer``, see :class:`~sizefloor.runtime.debian.Reader`) on one Debian arch; ``reader``
    (from :func:`make_reader`) keeps the indices read between calls."""
    reader = reader or make_reader(cache=cache, http=http, progress=progress)
    methods = {
        "distroless": reader.distroless,
        "debian_apt": reader.debian_apt,
        "minbase": reader.minbase,
        "glibc_layer": reader.glibc_layer,
    }
    result = methods[kind](distro, arch, as_of=today())
    return result, list(dict.fromkeys(reader.warnings))


def make_reader(*, cache: Cache, http: Http, progress: Progress | None = None) -> Reader:
    """A :class:`~sizefloor.runtime.debian.Reader` on the mirror apt is configured with, through
    ``http``, caching each ``.deb``'s contents in ``cache``."""
    archive = find_archive()

    def fetch(url: str) -> bytes | None:
        response = http.get(url, kind="files")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise DebianError(
                f"The Debian mirror answered {response.status_code} for {url}.",
                hint="Try again later, or point SIZEFLOOR_DEBIAN_MIRROR at another mirror.",
            )
        return response.content

    return Reader(
        archive,
        fetch,
        cache_get=lambda key: cache.get("deb", key),
        cache_set=lambda key, value: cache.set("deb", key, value),
        map_=http.map,
        progress=progress or (lambda stage, done, total: None),
    )


def figures(computation: Computation, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The data file's entry for a computation (``base``: the slim image's own figures,
    for ``debian:N-slim`` + python3)."""
    size = computation.size
    codename = DISTROS[computation.distro]
    packages = len(size.packages)
    method_text = (
        f"computed {computation.as_of} by scripts/debian_runtime.py from Debian {codename}'s "
        f"Packages indices (main, -updates, -security; {computation.arch}): "
    )
    if base is None:
        generated = sum(b for _, b in computation.generated)
        commit = computation.list_commit
        return {
            "installed_bytes": size.apparent_bytes,
            "download_bytes": size.gzip_bytes,
            "disk_bytes": size.disk_bytes,
            "exact": True,
            "download_exact": False,
            "disk_exact": True,
            "method": "computed",
            "source": method_text
            + f"exactly the {packages} packages of GoogleContainerTools/distroless's static, "
            f"base, cc and python3 package lists (config.bzl at commit {commit[:12]}), each "
            ".deb's data.tar summed (no maintainer scripts run), and the "
            f"{len(computation.generated)} files the build writes itself ({generated:,} bytes: "
            "its CA bundle, passwd, group, os-release, nsswitch.conf, the python symbolic links, "
            "ld.so.cache on Debian 13, each package's /var/lib/dpkg/status.d entry); "
            "compressed size = each package's data.tar as its own gzip -6 layer",
            "as_of": computation.as_of,
            "note": "",
            "debian": {
                "python": computation.python,
                "packages": packages,
                "package_list": [p.name for p in size.packages],
                "list_commit": commit,
                "generated_bytes": generated,
                "deb_bytes": size.deb_bytes,
                "installed_size_bytes": size.installed_size_bytes,
                "files": size.files,
                "unlisted_dependencies": list(computation.unlisted),
            },
        }
    added = size.apparent_bytes + size.dpkg_info_bytes
    added_gzip = size.gzip_bytes + round(size.bytecode_bytes * PYC_GZIP_RATIO)
    base_exact = bool(base["exact"])
    return {
        "installed_bytes": int(base["installed_bytes"]) + added,
        "download_bytes": int(base["download_bytes"]) + added_gzip,
        "disk_bytes": int(base["disk_bytes"]) + size.disk_bytes,
        "exact": False,
        "download_exact": False,
        "disk_exact": False,
        "method": "computed" if base_exact else "estimated",
        "error_bytes": size.bytecode_error + int(base.get("error_bytes", 0)),
        "source": f"{base['image']}: {base['source']}; plus "
        + method_text
        + f"apt-get install --no-install-recommends python3 adds {packages} packages to the "
        f"{computation.base_packages} of the slim base (Priority: required + apt and their "
        "Depends closure), their data.tar summed after the slim image's path excludes, with "
        "dpkg's records of them; the .pyc files Debian's maintainer scripts compile are "
        "modelled",
        "as_of": computation.as_of,
        "note": f"{size.bytecode_bytes:,} bytes of it modelled .pyc (±{size.bytecode_error:,})",
        "debian": {
            "python": computation.python,
            "packages": packages,
            "added_bytes": added,
            "added_disk_bytes": size.disk_bytes,
            "added_gzip_bytes": added_gzip,
            "bytecode_bytes": size.bytecode_bytes,
            "dpkg_info_bytes": size.dpkg_info_bytes,
            "deb_bytes": size.deb_bytes,
            "installed_size_bytes": size.installed_size_bytes,
            "files": size.files,
        },
        "base": dict(base),
    }


def refreshed_figures(
    image: CatalogImage,
    arch: str,
    shipped: ArchFigures,
    *,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    offline: bool = False,
    progress: Progress | None = None,
    warn: Callable[[str], None] = lambda message: None,
    base: Mapping[str, Any] | None = None,
) -> ArchFigures:
    """``image`` on ``arch`` recomputed from the archive apt is configured with."""
    kind = kind_of(image)
    if kind is None:
        warn(
            f"--refresh-runtime: {image.name}'s size is {shipped.method}, not computed from "
            "Debian's packages; the shipped figure is used"
        )
        return shipped
    debian_arch = ARCHITECTURES[arch].debian
    cache = Cache((cache_dir or default_cache_dir()) if use_cache else None, offline=offline)
    key = f"{image.name}:{debian_arch}"
    try:
        if offline:
            stored = cache.get("runtime", key)
            if not isinstance(stored, dict):
                raise OfflineMiss(
                    f"--offline: no refreshed size of {image.name} on {debian_arch} in the cache.",
                    hint="Run once with --refresh-runtime online, or drop --refresh-runtime.",
                )
            return ArchFigures.from_json(stored)
        if base is None and kind == "debian_apt":
            base = _shipped_base(image, arch)
        with Http(HttpOptions(timeout=60.0, concurrency=8)) as http:
            computation, warnings = compute(
                kind, image.distro, debian_arch, cache=cache, http=http, progress=progress
            )
        for message in warnings:
            warn(message)
        entry = figures(computation, base)
        cache.set("runtime", key, entry)
        return ArchFigures.from_json(entry)
    finally:
        cache.close()


def _shipped_base(image: CatalogImage, arch: str) -> Mapping[str, Any]:
    entry = raw_entry(image.name)["sizes"][ARCHITECTURES[arch].docker]
    base = entry.get("base")
    if not isinstance(base, dict):
        raise DebianError(f"The data file has no base image figures for {image.name}.")
    return base
