#!/usr/bin/env python3
"""Regenerate ``sizefloor/runtime/data/runtimes.json``: the runtime sizes ``--base`` uses.

Usage::

    python scripts/debian_runtime.py                 # recompute everything Debian-derived
    python scripts/debian_runtime.py --only distroless-debian12
    python scripts/debian_runtime.py --reuse         # rebuild the file from its own measurements

What it does:

1. Computes, from Debian's ``Packages`` indices read through the mirror apt is
   configured with (``/etc/apt/sources.list``, ``sources.list.d``; or
   ``SIZEFLOOR_DEBIAN_MIRROR``), for Debian 12 and 13 on amd64 and arm64:

   * ``distroless-debianN``: Google's distroless ``python3`` image: exactly its package lists
     (``sizefloor/runtime/data/distroless.json``, each with the GoogleContainerTools/distroless
     commit it was read from) and the files its build writes itself (``ld.so.cache`` on
     Debian 13, the CA bundle, ``passwd``, ``group``, ``os-release``, the status.d entries);
   * ``debian:N-slim+python3``: what ``apt-get install --no-install-recommends python3``
     adds to ``debian:N-slim`` (the Depends/Pre-Depends closure, no Recommends);
   * ``minbase-debianN``: the slim base itself as its packages make it (for arm64, whose
     uncompressed size nobody publishes);
   * ``glibc-debian13``: distroless ``base-nossl`` (static files + glibc), under ``standalone``.

   Each ``.deb`` is downloaded and its ``data.tar`` members summed (Installed-Size
   overstates by about 6%); what was read is cached by SHA256 (sizefloor's cache).

2. Writes every base of the catalog: the published figures below (each with its
   public source), the computed ones, and the estimates derived from both, each
   marked ``exact`` or not, with its method.

The CLI's ``--refresh-runtime`` runs step 1 for one image through the same code
(``sizefloor.runtime.refresh``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sizefloor.cache import Cache, default_cache_dir  # noqa: E402
from sizefloor.errors import SizefloorError  # noqa: E402
from sizefloor.net.http import Http, HttpOptions  # noqa: E402
from sizefloor.runtime.catalogue import today  # noqa: E402
from sizefloor.runtime.refresh import PYC_GZIP_RATIO, compute, figures, make_reader  # noqa: E402

DATA = ROOT / "sizefloor" / "runtime" / "data" / "runtimes.json"
MB = 1_000_000
REPO_INFO = "docker-library/repo-info"
FORK = "maxmood96/repo-info (a mirror of docker-library/repo-info)"

DISK_RATIO = 1.14
"""du / apparent bytes where only the apparent size is published: the ratio of the
computed Debian sets (distroless debian12 amd64: 60.10 / 52.69 MB)."""

# ---------------------------------------------------------------------------------- published
# amd64 uncompressed sizes: docker-library/repo-info repos/<image>/local/<tag>.md,
# "Virtual Size" (docker image inspect .VirtualSize, decimal MB). checked = re-read from the
# public source while building this file; the others are as recorded in the project's
# research notes from the same files.

PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
EOL = {"3.9": "Python 3.9 is end-of-life: these are its last images (2025)"}

# family -> python -> (MB, full version, as_of, source path, checked[, distro detail])
SLIM = {
    "3.14": (119.66, "3.14.7", "2026-09-19", "repos/python/local/3-slim-trixie.md", False),
    "3.13": (118.06, "3.13.15", "2026-08-10", "repos/python/local/3.13-slim-trixie.md", False),
    "3.12": (119.42, "3.12.14", "2026-09-19", "repos/python/local/3.12-slim-trixie.md", True),
    "3.11": (124.85, "3.11.16", "2026-08-13", "repos/python/local/3.11.16-slim-trixie.md", False),
    "3.10": (122.26, "3.10.21", "2026-08-13", "repos/python/local/3.10.21-slim-trixie.md", False),
    "3.9": (120.47, "3.9.23", "2025-08-08", "repos/python/local/3.9-slim-trixie.md", False),
}
SLIM_BOOKWORM = {
    "3.14": (122.32, "3.14.7", "2026-08-05", "repos/python/local/3.14-slim-bookworm.md", False),
    "3.13": (120.97, "3.13.15", "2026-08-25", "repos/python/local/3.13-slim-bookworm.md", False),
    "3.12": (124.30, "3.12.13", "2026-08-05", "repos/python/local/3.12-slim-bookworm.md", False),
    "3.11": (130.01, "3.11.16", "2026-08-13", "repos/python/local/3.11-slim-bookworm.md", False),
    "3.10": (127.38, "3.10.21", "2026-08-13", "repos/python/local/3.10.21-slim-bookworm.md", False),
    "3.9": (127.09, "3.9.24", "2025-10-09", "repos/python/local/3.9.24-slim-bookworm.md", False),
}
ALPINE = {  # ... , alpine release
    "3.14": (47.79, "3.14.7", "2026-08-05", "repos/python/local/3.14-alpine.md", False, "3.24"),
    "3.13": (45.58, "3.13.15", "2026-08-10", "repos/python/local/3.13-alpine.md",
             False, "3.24"),
    "3.12": (48.84, "3.12.14", "2026-08-13", "repos/python/local/3.12-alpine3.23.md",
             True, "3.23"),
    "3.11": (60.79, "3.11.16", "2026-09-01", "repos/python/local/3.11.16-alpine3.23.md",
             False, "3.23"),
    "3.10": (51.86, "3.10.21", "2026-08-13", "repos/python/local/3.10.21-alpine.md",
             False, "3.24"),
    "3.9": (51.27, "3.9.24", "2025-10-09", "repos/python/local/3.9.24-alpine3.22.md",
            False, "3.22"),
}  # fmt: skip
FULL = {  # published to 10 MB
    "3.14": (1120.0, "3.14.6", "2026-06-24", "repos/python/local/3.14-trixie.md", False),
    "3.13": (1110.0, "3.13.14", "2026-07-14", "repos/python/local/3.13-trixie.md", False),
    "3.12": (1110.0, "3.12.14", "2026-08-25", "repos/python/local/3.12-trixie.md", False),
}
FULL_BOOKWORM = {
    "3.14": (1030.0, "3.14.6", "2026-06-24", "repos/python/local/3.14-bookworm.md", False),
    "3.13": (1020.0, "3.13.14", "2026-07-14", "repos/python/local/3.13-bookworm.md", False),
}
DEBIAN_SLIM = {  # the bases under debian:N-slim + python3
    "debian12": (
        74.83,
        "debian:bookworm-slim",
        "2026-09-18",
        "repos/debian/local/bookworm-slim.md",
    ),
    "debian13": (78.64, "debian:trixie-slim", "2026-08-24", "repos/debian/local/13-slim.md"),
}

# compressed (pull) sizes: repos/<image>/remote/<tag>.md "Total Size", per platform
COMPRESSED: dict[tuple[str, str], dict[str, Any]] = {
    ("python:slim", "3.12"): {
        "amd64": 43_188_023,
        "arm64": 43_464_443,
        "tag": "python:3.12.13-slim-trixie",
        "as_of": "2026-08-05",
        "path": "repos/python/remote/3.12-slim-trixie.md",
    },
    ("python:slim", "3.14"): {
        "amd64": 43_437_809,
        "arm64": 43_689_870,
        "tag": "python:3.14.7-slim-trixie",
        "as_of": "2026-08-05",
        "path": "repos/python/remote/3.14-slim-trixie.md (arm64: its arm64v8 layers summed)",
    },
    ("python:alpine", "3.12"): {
        "amd64": 18_037_743,
        "tag": "python:3.12.14-alpine3.24",
        "as_of": "2026-09-17",
        "path": "repos/python/remote/3.12-alpine.md",
    },
    ("python", "3.12"): {
        "amd64": 410_908_459,
        "tag": "python:3.12.14-trixie",
        "as_of": "2026-08-13",
        "path": "repos/python/remote/3.12-trixie.md",
    },
}
DEBIAN_SLIM_COMPRESSED = {  # the debian:trixie-slim layer, first layer of python:3.12-slim-trixie
    "debian13": {"amd64": 29_780_765, "arm64": 30_143_609},
}
ARM64_COMPRESSED = 43_464_443 / 43_188_023
"""arm64 / amd64 pull size of python:3.12-slim-trixie: for tags whose arm64 pull is not read."""

# python-build-standalone: libpython stripped (MB), the published figure and its source
PBS_LIBPYTHON = {
    "3.10": (24.4, "assumed as 3.11's (no published figure)"),
    "3.11": (24.4, "astral-sh/python-build-standalone issue #275: 58 -> 24.4 MB stripped"),
    "3.12": (25.3, "astral-sh/python-build-standalone issue #275: 212 -> 25.3 MB stripped"),
    "3.13": (29.0, "esphome/esphome-desktop PR #90: libpython3.13.so 239 -> 29 MB stripped"),
    "3.14": (29.0, "assumed as 3.13's (no published figure)"),
}
PBS_STDLIB = 11_006_850
"""The standard library without tests, idle, tkinter, ensurepip and bytecode, measured by
``--base host`` on CPython 3.11.7 (2026-11-28): assumed for every version (±2 MB)."""

LIBC = {"debian12": "2.36", "debian13": "2.41"}


# ---------------------------------------------------------------------------------- computing


def run_computations(wanted: list[str], measurements: dict[str, Any]) -> None:
    cache = Cache(default_cache_dir())
    try:
        with Http(HttpOptions(timeout=120.0, concurrency=8)) as http:
            reader = make_reader(cache=cache, http=http) if wanted else None
            for key in wanted:
                name, arch = key.split("/")
                kind, distro = {
                    "distroless-debian12": ("distroless", "debian12"),
                    "distroless-debian13": ("distroless", "debian13"),
                    "debian:12-slim+python3": ("debian_apt", "debian12"),
                    "debian:13-slim+python3": ("debian_apt", "debian13"),
                    "minbase-debian12": ("minbase", "debian12"),
                    "minbase-debian13": ("minbase", "debian13"),
                    "glibc-debian13": ("glibc_layer", "debian13"),
                }[name]
                print(f"computing {key} ...", file=sys.stderr, flush=True)
                result, warnings = compute(
                    kind, distro, arch, cache=cache, http=http, reader=reader
                )
                for warning in warnings:
                    print(f"  warning: {warning}", file=sys.stderr)
                entry = result.to_json()
                entry.pop("packages", None)
                entry["package_list"] = [f"{p.name}={p.version}" for p in result.size.packages]
                measurements[key] = entry
                size = result.size
                print(
                    f"  {len(size.packages)} packages: {size.apparent_bytes:,} bytes in files "
                    f"({size.installed_size_bytes:,} by Installed-Size), {size.disk_bytes:,} on "
                    f"disk, {size.gzip_bytes:,} gzip, .pyc {size.bytecode_bytes:,}",
                    file=sys.stderr,
                )
    finally:
        cache.close()


ALL = [
    f"{name}/{arch}"
    for name in (
        "distroless-debian12",
        "distroless-debian13",
        "debian:12-slim+python3",
        "debian:13-slim+python3",
        "minbase-debian12",
        "minbase-debian13",
        "glibc-debian13",
    )
    for arch in ("amd64", "arm64")
]


# ---------------------------------------------------------------------------------- the catalog


def _published(mb: float, tag: str, as_of: str, path: str, checked: bool, repo: str) -> str:
    check = "; re-read 2026-11-28" if checked else ""
    return f"published: {repo} {path} ({tag}, {as_of}, amd64 'Virtual Size' {mb} MB{check})"


def _delta(measurements: dict[str, Any], name: str) -> int:
    arm = measurements[f"{name}/arm64"]
    amd = measurements[f"{name}/amd64"]
    return (
        int(arm["bytes"])
        + int(arm["dpkg_info_bytes"])
        - int(amd["bytes"])
        - int(amd["dpkg_info_bytes"])
    )


def python_images(measurements: dict[str, Any]) -> list[dict[str, Any]]:
    images: list[dict[str, Any]] = []
    delta_base = {d: _delta(measurements, f"minbase-{d}") for d in ("debian12", "debian13")}
    delta_python = {
        d: _delta(measurements, f"debian:{d[-2:]}-slim+python3") for d in ("debian12", "debian13")
    }
    ratio_base = {
        d: (
            measurements[f"minbase-{d}/arm64"]["bytes"]
            / measurements[f"minbase-{d}/amd64"]["bytes"]
        )
        for d in ("debian12", "debian13")
    }
    ratios = {
        "python:slim": 43_188_023 / 119_420_000,
        "python:slim-bookworm": 43_188_023 / 119_420_000,
        "python:alpine": 18_037_743 / 48_840_000,
        "python": 410_908_459 / 1_110_000_000,
        "python:bookworm": 410_908_459 / 1_110_000_000,
    }
    families: list[tuple[str, dict[str, tuple[Any, ...]], str, tuple[str, ...], str, str]] = [
        ("python:slim", SLIM, "python:{v}-slim", ("python:{v}-slim-trixie",), "debian13",
         "slim-trixie"),
        ("python:slim-bookworm", SLIM_BOOKWORM, "python:{v}-slim-bookworm", (), "debian12",
         "slim-bookworm"),
        ("python:alpine", ALPINE, "python:{v}-alpine", (), "alpine", "alpine"),
        ("python", FULL, "python:{v}", ("python:{v}-trixie",), "debian13", "trixie"),
        ("python:bookworm", FULL_BOOKWORM, "python:{v}-bookworm", (), "debian12", "bookworm"),
    ]  # fmt: skip
    for family, table, pattern, aliases, distro, suffix in families:
        for version in PYTHONS:
            entry = _python_entry(
                family, table, version, pattern, aliases, distro, suffix, ratios[family],
                delta_base, delta_python, ratio_base,
            )  # fmt: skip
            if entry is not None:
                images.append(entry)
    return images


def _python_entry(
    family: str,
    table: dict[str, tuple[Any, ...]],
    version: str,
    pattern: str,
    aliases: tuple[str, ...],
    distro: str,
    suffix: str,
    ratio: float,
    delta_base: dict[str, int],
    delta_python: dict[str, int],
    ratio_base: dict[str, float],
) -> dict[str, Any] | None:
    notes: list[str] = []
    estimated_amd64 = False
    if version in table:
        row = table[version]
        mb, full, as_of, path, checked = row[:5]
        repo = FORK if version == "3.9" else REPO_INFO
        source = _published(mb, f"python:{full}-{suffix}", as_of, path, checked, repo)
        installed = round(mb * MB)
        error = 5 * MB if family in ("python", "python:bookworm") else 5_000
    else:
        # a full image not collected: the newest collected one, moved by the slim difference
        slim = SLIM if family == "python" else SLIM_BOOKWORM
        if family not in ("python", "python:bookworm") or version not in slim:
            return None
        ref = max(table)
        ref_mb = table[ref][0]
        mb = ref_mb + slim[version][0] - slim[ref][0]
        full, as_of = slim[version][1], slim[version][2]
        installed = round(mb * MB)
        source = (
            f"estimated: python:{ref}-{suffix} ({ref_mb} MB, published) + python:{version}-"
            f"slim{'-bookworm' if distro == 'debian12' else ''} - python:{ref}-slim"
            f"{'-bookworm' if distro == 'debian12' else ''} (published): the python layer "
            "differs, the buildpack-deps layers are shared"
        )
        error = 20 * MB
        estimated_amd64 = True
    libc, libc_version = ("musl", "1.2") if distro == "alpine" else ("glibc", LIBC[distro])
    alpine = table[version][5] if distro == "alpine" and version in table else None
    if version in EOL:
        notes.append(EOL[version])
    published = COMPRESSED.get((family, version))
    sizes: dict[str, Any] = {}
    for arch in ("amd64", "arm64"):
        if arch == "amd64":
            inst, exact, method, src, err = (
                installed,
                not estimated_amd64,
                ("estimated" if estimated_amd64 else "published"),
                source,
                error,
            )
        else:
            if distro == "alpine":
                inst = installed + delta_python["debian13"]
                src = (
                    f"estimated: amd64 {installed:,} + {delta_python['debian13']:,} (arm64 - "
                    "amd64 of Debian 13's python3 packages, computed: aarch64's 64 KiB ELF "
                    "alignment); musl's own base assumed the same size"
                )
                err = 4 * MB
            elif family in ("python", "python:bookworm"):
                inst = round(installed * ratio_base[distro])
                src = (
                    f"estimated: amd64 {installed:,} x {ratio_base[distro]:.3f} (arm64 / amd64 "
                    f"of Debian {distro[-2:]}'s minbase packages, computed)"
                )
                err = round(inst * 0.10)
            else:
                inst = installed + delta_base[distro] + delta_python[distro]
                src = (
                    f"estimated: amd64 {installed:,} + {delta_base[distro]:,} (arm64 - amd64 of "
                    f"the debian:{distro[-2:]}-slim packages) + {delta_python[distro]:,} (arm64 - "
                    f"amd64 of Debian {distro[-2:]}'s python3 packages), both computed from "
                    "Debian's packages: arm64 uncompressed sizes are not published"
                )
                err = 3 * MB
            exact, method = False, "estimated"
        if published and arch in published:
            download, download_exact = int(published[arch]), True
            dsrc = (
                f"pull: {REPO_INFO} {published['path']} ({published['tag']}, {published['as_of']})"
            )
        elif arch == "arm64" and published and "amd64" in published:
            download, download_exact = round(int(published["amd64"]) * ARM64_COMPRESSED), False
            dsrc = "pull estimated from amd64's x 1.0064 (python:3.12-slim-trixie's arm64/amd64)"
        else:
            base = round(installed * ratio)
            download = base if arch == "amd64" else round(base * ARM64_COMPRESSED)
            download_exact = False
            dsrc = (
                f"pull estimated: amd64 uncompressed x {ratio:.4f} (the family's published ratio)"
            )
        sizes[arch] = {
            "installed_bytes": inst,
            "download_bytes": download,
            "disk_bytes": round(inst * DISK_RATIO),
            "exact": exact,
            "download_exact": download_exact,
            "disk_exact": False,
            "method": method,
            "error_bytes": err,
            "source": f"{src}; {dsrc}; du estimated as x {DISK_RATIO}",
            "as_of": as_of,
            "note": "; ".join(notes),
        }
    name = pattern.format(v=version)
    tag = f"python:{full}-{suffix}" if suffix not in ("trixie",) else f"python:{full}-trixie"
    if alpine:
        tag = f"python:{full}-alpine{alpine}"
    return {
        "name": name,
        "family": family,
        "aliases": [a.format(v=version) for a in aliases],
        "tag": tag,
        "python": full,
        "libc": libc,
        "libc_version": libc_version,
        "distro": f"alpine{alpine}" if alpine else distro,
        "sizes": sizes,
    }


def debian_images(measurements: dict[str, Any]) -> list[dict[str, Any]]:
    from sizefloor.runtime.debian import Computation, DebPackageSize, SetSize

    def comp(key: str) -> Computation:
        m = measurements[key]
        listed = [str(entry).partition("=") for entry in m.get("package_list", ())]
        size = SetSize(
            packages=tuple(DebPackageSize(n, v, 0, 0, 0, 0, 0) for n, _, v in listed),
            apparent_bytes=int(m["bytes"]),
            disk_bytes=int(m["disk_bytes"]),
            files=int(m["files"]),
            gzip_bytes=int(m["gzip_bytes"]),
            deb_bytes=int(m["deb_bytes"]),
            installed_size_bytes=int(m["installed_size_bytes"]),
            dpkg_info_bytes=int(m["dpkg_info_bytes"]),
            bytecode_bytes=int(m["bytecode_bytes"]),
            bytecode_error=int(m["bytecode_error"]),
        )
        comp = Computation(
            image=m["image"],
            distro=m["distro"],
            arch=m["arch"],
            python=m["python"],
            size=size,
            base_packages=int(m["base_packages"]),
            as_of=m["as_of"],
            unlisted=tuple(m.get("unlisted", ())),
            list_commit=str(m.get("list_commit", "")),
            generated=tuple((str(p), int(b)) for p, b in m.get("generated", ())),
        )
        return comp

    images: list[dict[str, Any]] = []
    for distro, minor in (("debian12", "3.11"), ("debian13", "3.13")):
        sizes = {}
        for arch in ("amd64", "arm64"):
            c = comp(f"distroless-{distro}/{arch}")
            sizes[arch] = figures(c)
        python = comp(f"distroless-{distro}/amd64").python
        images.append(
            {
                "name": f"distroless-{distro}",
                "family": "distroless",
                "aliases": [
                    f"distroless/python3-{distro}",
                    f"gcr.io/distroless/python3-{distro}",
                    f"python3-{distro}",
                ],
                "tag": f"gcr.io/distroless/python3-{distro}",
                "python": python.split("-")[0],
                "libc": "glibc",
                "libc_version": LIBC[distro],
                "distro": distro,
                "description": f"Google's distroless python3 on Debian {distro[-2:]} "
                f"(CPython {minor}, Debian {python})",
                "sizes": sizes,
            }
        )
    for distro, minor in (("debian12", "3.11"), ("debian13", "3.13")):
        mb, tag, as_of, path = DEBIAN_SLIM[distro]
        sizes = {}
        for arch in ("amd64", "arm64"):
            c = comp(f"debian:{distro[-2:]}-slim+python3/{arch}")
            amd = round(mb * MB)
            if arch == "amd64":
                inst, exact = amd, True
                src = (
                    f"published: {REPO_INFO} {path} ({tag}, {as_of}, amd64 'Virtual Size' {mb} MB)"
                )
            else:
                delta = _delta(measurements, f"minbase-{distro}")
                inst, exact = amd + delta, False
                src = (
                    f"estimated: amd64 published ({REPO_INFO} {path}, {mb} MB) + {delta:,} "
                    "(arm64 - amd64 of its packages, computed from Debian's packages)"
                )
            compressed = DEBIAN_SLIM_COMPRESSED.get(distro, {}).get(arch)
            if compressed is None:
                ratio = 29_780_765 / 78_640_000
                compressed = round(
                    inst * ratio if arch == "amd64" else amd * ratio * 30_143_609 / 29_780_765
                )
            base = {
                "image": tag,
                "installed_bytes": inst,
                "download_bytes": compressed,
                "disk_bytes": round(inst * DISK_RATIO),
                "exact": exact,
                "error_bytes": 0 if exact else 3 * MB,
                "source": src,
            }
            sizes[arch] = figures(c, base)
        python = comp(f"debian:{distro[-2:]}-slim+python3/amd64").python
        images.append(
            {
                "name": f"debian:{distro[-2:]}-slim",
                "family": "debian:slim",
                "aliases": [f"debian:{'bookworm' if distro == 'debian12' else 'trixie'}-slim"],
                "tag": f"debian:{distro[-2:]}-slim"
                " + apt-get install --no-install-recommends python3",
                "python": python.split("-")[0],
                "libc": "glibc",
                "libc_version": LIBC[distro],
                "distro": distro,
                "description": f"debian:{distro[-2:]}-slim with Debian's python3 (CPython {minor}, "
                f"Debian {python}), no recommends",
                "sizes": sizes,
            }
        )
    return images


def standalone_images(measurements: dict[str, Any]) -> list[dict[str, Any]]:
    images = []
    for version, (mb, where) in PBS_LIBPYTHON.items():
        libpython = round(mb * MB)
        python_part = libpython + PBS_STDLIB
        python_gzip = round(libpython * 0.38 + PBS_STDLIB * 0.25)
        sizes = {}
        for arch in ("amd64", "arm64"):
            glibc = measurements[f"glibc-debian13/{arch}"]
            sizes[arch] = {
                "installed_bytes": int(glibc["bytes"]) + python_part,
                "download_bytes": int(glibc["gzip_bytes"]) + python_gzip,
                "disk_bytes": int(glibc["disk_bytes"]) + round(python_part * 1.02),
                "exact": False,
                "download_exact": False,
                "disk_exact": False,
                "method": "estimated",
                "error_bytes": 5 * MB,
                "source": (
                    f"estimated: glibc layer {int(glibc['bytes']):,} (distroless base-nossl on "
                    f"Debian 13: static files + libc6, computed from Debian's packages "
                    f"{glibc['as_of']}) + stripped libpython{version} {mb} MB ({where}) + the "
                    f"standard library without tests, idle, tkinter, ensurepip and bytecode "
                    f"{PBS_STDLIB:,} (measured on CPython 3.11.7); python-build-standalone links "
                    "its extension modules and OpenSSL, SQLite etc. into libpython; pull: gzip "
                    "of the glibc layer (computed) + 0.38 x libpython + 0.25 x stdlib"
                ),
                "as_of": today(),
                "note": "python-build-standalone's extracted sizes are not published; "
                "its release assets could not be read from here",
            }
        images.append(
            {
                "name": f"standalone-{version}",
                "family": "standalone",
                "aliases": [f"standalone:{version}"],
                "tag": f"python-build-standalone cpython-{version} install_only_stripped on "
                "distroless base-nossl (Debian 13)",
                "python": version,
                "libc": "glibc",
                "libc_version": "2.41",
                "distro": "debian13",
                "sizes": sizes,
            }
        )
    return images


def build(measurements: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema": 1,
        "generated": today(),
        "generator": "scripts/debian_runtime.py",
        "notes": {
            "units": "bytes; MB in sources are 10^6 bytes, as docker images prints them",
            "installed_bytes": "sum of file sizes (hard links once, symbolic links by target "
            "length): what classic `docker images` shows",
            "download_bytes": "compressed layers: what a pull transfers",
            "disk_bytes": "du: allocated 4 KiB blocks",
            "exact": "installed_bytes published or computed from the files (true), or estimated "
            "(false; arm64 uncompressed sizes are never published)",
            "arm64": "aarch64 binaries are laid out on 64 KiB boundaries, so Debian-based arm64 "
            "images are ~30% larger on disk while their pulls are about the same",
            "pyc_gzip_ratio": str(PYC_GZIP_RATIO),
        },
        "measurements": {k: measurements[k] for k in sorted(measurements)},
        "images": [
            *python_images(measurements),
            *debian_images(measurements),
            *standalone_images(measurements),
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", action="append", default=[], help="an image (all arches) or image/arch"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="compute nothing; rebuild from the file"
    )
    parser.add_argument("-o", "--output", type=Path, default=DATA)
    args = parser.parse_args(argv)
    measurements: dict[str, Any] = {}
    if DATA.exists():
        measurements = dict(json.loads(DATA.read_text(encoding="utf-8")).get("measurements", {}))
    wanted = [] if args.reuse else ALL
    if args.only:
        wanted = [k for k in ALL if any(k == o or k.split("/")[0] == o for o in args.only)]
    try:
        run_computations(wanted, measurements)
        missing = [k for k in ALL if k not in measurements]
        if missing:
            raise SystemExit(f"no measurement yet for {', '.join(missing)}: run without --only")
        document = build(measurements)
    except SizefloorError as exc:
        print(f"debian_runtime: error: {exc}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({len(document['images'])} images)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
