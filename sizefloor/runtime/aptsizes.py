"""What ``apt-get install`` adds to a Debian-based image: each named package with the
dependencies the base lacks, and the set, from the ``Packages`` index of the mirror apt is
configured with (:mod:`sizefloor.runtime.debian`'s reader and its Depends closure).

The figures are dpkg's ``Installed-Size`` (each file rounded up to 1 KiB, before the slim
images' path excludes): an upper bound close to the bytes, read from the index alone, so
that a Dockerfile's packages are sized without downloading them. The result is kept in the
cache for a day; ``--offline`` answers from it alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sizefloor.analysis.dockerfile import AptSizes
from sizefloor.cache import Cache, default_cache_dir
from sizefloor.errors import SizefloorError
from sizefloor.runtime.debian import DISTROS, PackageIndex

__all__ = ["SLIM_PYTHON_KEEPS", "apt_sizes"]

SLIM_PYTHON_KEEPS: tuple[str, ...] = (
    "ca-certificates", "netbase", "tzdata", "libbz2-1.0", "libexpat1", "libffi8", "liblzma5",
    "libncursesw6", "libreadline8", "libreadline8t64", "libsqlite3-0", "libssl3", "libssl3t64",
    "libtinfo6", "libuuid1", "zlib1g", "libgdbm6", "libgdbm6t64", "libgdbm-compat4",
    "libgdbm-compat4t64", "libdb5.3", "libdb5.3t64",
)  # fmt: skip
"""What the official ``python:3.X-slim`` images install over ``debian:N-slim``: the
certificates, ``netbase`` and ``tzdata``, and the libraries their CPython links to."""

_DAY = 86_400.0


def apt_sizes(
    names: Sequence[str],
    *,
    distro: str,
    arch: str,
    with_python: bool,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    offline: bool = False,
) -> AptSizes | str:
    """The sizes of ``names`` installed on ``debian:N-slim`` (``distro``: ``debian12`` or
    ``debian13``; ``arch``: Debian's, ``amd64``) over what the base holds: the minimal
    base, and the runtime libraries of the python image (``with_python`` false) or
    Debian's ``python3`` (true). A sentence saying why, when they cannot be read."""
    codename = DISTROS[distro]
    key = f"{codename}:{arch}:{int(with_python)}:{','.join(sorted(set(names)))}"
    cache = Cache((cache_dir or default_cache_dir()) if use_cache else None, offline=offline)
    try:
        stored = cache.get("aptsizes", key)
        if isinstance(stored, dict) and (offline or time.time() - stored["time"] < _DAY):
            return _from_json(stored)
        if offline:
            return "not sized: --offline, and Debian's package index is not in the cache"
        try:
            index = _index(codename, arch, cache)
        except (SizefloorError, OSError) as exc:
            message = str(getattr(exc, "message", exc)).split(" (tried ")[0].rstrip(".")
            return f"not sized: Debian's package index could not be read ({message})"
        sizes = _measure(index, names, with_python, codename, arch)
        cache.set("aptsizes", key, {**_to_json(sizes), "time": time.time()})
        return sizes
    finally:
        cache.close()


def _index(codename: str, arch: str, cache: Cache) -> PackageIndex:
    # the HTTP client and the archive reader load only when a Dockerfile installs packages
    from sizefloor.net.http import Http, HttpOptions
    from sizefloor.runtime.refresh import make_reader  # with the HTTP client, on first use

    with Http(HttpOptions(timeout=60.0, concurrency=4)) as http:
        reader = make_reader(cache=cache, http=http)
        return reader.index(codename, arch)


def _measure(
    index: PackageIndex, names: Sequence[str], with_python: bool, codename: str, arch: str
) -> AptSizes:
    roots = [*index.required(), "apt"]
    if "usr-is-merged" in index.packages:
        roots.append("usr-is-merged")
    roots += ["python3"] if with_python else [n for n in SLIM_PYTHON_KEEPS if n in index.packages]
    base, _missing = index.closure(roots)
    present = {p.name for p in base}
    each: dict[str, tuple[int, int]] = {}
    missing: list[str] = []
    for name in dict.fromkeys(names):
        if name not in index.packages and not index.providers.get(name):
            missing.append(name)
            continue
        added, _ = index.closure([name], present=present)
        each[name] = (sum(p.installed_size_kib for p in added) * 1024, len(added))
    known = [n for n in names if n not in missing]
    together, _ = index.closure(known, present=present)
    return AptSizes(
        each=each,
        together=sum(p.installed_size_kib for p in together) * 1024,
        detail=f"dpkg's Installed-Size in Debian {codename}'s index ({arch}): files rounded "
        "up to 1 KiB, before the slim image's excludes",
        missing=tuple(missing),
    )


def _to_json(sizes: AptSizes) -> dict[str, Any]:
    return {
        "each": {name: list(value) for name, value in sizes.each.items()},
        "together": sizes.together,
        "detail": sizes.detail,
        "missing": list(sizes.missing),
    }


def _from_json(data: dict[str, Any]) -> AptSizes:
    return AptSizes(
        each={name: (int(v[0]), int(v[1])) for name, v in data["each"].items()},
        together=int(data["together"]),
        detail=str(data["detail"]),
        missing=tuple(data["missing"]),
    )
