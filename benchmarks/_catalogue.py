"""The runtime catalogue check of ``benchmarks/accuracy.py`` (``--catalogue``).

``--base distroless`` reads its size from sizefloor's catalogue
(``sizefloor/runtime/data/runtimes.json``). This recomputes each Debian-derived
entry from Debian's archive today, through the mirror apt is configured with,
the way the images are built: for distroless, exactly the package lists of
GoogleContainerTools/distroless (``sizefloor/runtime/data/distroless.json``, at
the commit recorded there), each ``.deb``'s ``data.tar`` summed, plus the files
the build writes itself; for ``debian:N-slim`` + python3, the packages apt adds.
Every other entry is listed with its source and its stated error.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from sizefloor.cache import Cache
from sizefloor.errors import SizefloorError
from sizefloor.net.http import Http, HttpOptions
from sizefloor.runtime.catalogue import catalog
from sizefloor.runtime.debian import distroless_images
from sizefloor.runtime.refresh import compute, figures

ARCHES = {"amd64": "x86_64", "arm64": "aarch64"}


def check() -> tuple[list[list[str]], list[list[str]], list[str]]:
    """(the Debian-derived rows, the other entries' rows, failures)."""
    rows: list[list[str]] = []
    failures: list[str] = []
    by_name = catalog().by_name()
    scratch = Path(tempfile.mkdtemp(prefix="sizefloor-catalogue-"))
    cache = Cache(scratch)
    try:
        with Http(HttpOptions(timeout=120.0, concurrency=8)) as http:
            for distro in ("debian13", "debian12"):
                image = distroless_images()[distro]
                for arch, uname in ARCHES.items():
                    shipped = by_name[f"distroless-{distro}"].sizes[uname]
                    try:
                        result, _ = compute("distroless", distro, arch, cache=cache, http=http)
                    except SizefloorError as exc:
                        failures.append(f"distroless-{distro} {arch}: {exc}")
                        continue
                    generated = sum(b for _, b in result.generated)
                    total = result.size.apparent_bytes
                    rows.append([
                        f"distroless-{distro}", arch, image.commit[:12],
                        f"{len(result.size.packages)}", f"{shipped.installed_bytes:,}",
                        f"{total - generated:,}", f"{generated:,}", f"{total:,}",
                        _pct(shipped.installed_bytes, total),
                        _pct(shipped.installed_bytes, total - generated),
                    ])  # fmt: skip
            for distro, name in (("debian13", "debian:13-slim"), ("debian12", "debian:12-slim")):
                for arch, uname in ARCHES.items():
                    shipped = by_name[name].sizes[uname]
                    try:
                        result, _ = compute("debian_apt", distro, arch, cache=cache, http=http)
                    except SizefloorError as exc:
                        failures.append(f"{name} {arch}: {exc}")
                        continue
                    base = _base(name, arch)
                    if base is None:
                        continue
                    fresh = figures(result, base)
                    rows.append([
                        f"{name} + python3", arch, "—", f"{len(result.size.packages)} added",
                        f"{shipped.installed_bytes:,}", f"{fresh['debian']['added_bytes']:,}",
                        f"{int(base['installed_bytes']):,} (base)", f"{fresh['installed_bytes']:,}",
                        _pct(shipped.installed_bytes, int(fresh["installed_bytes"])), "—",
                    ])  # fmt: skip
    finally:
        cache.close()
    others: list[list[str]] = []
    for image in catalog().images:
        if image.family in ("distroless", "debian:slim"):
            continue
        for uname, size in image.sizes.items():
            if size.exact and size.method == "published":
                continue
            others.append([
                image.name, uname, size.method, f"{size.installed_bytes:,}",
                f"±{size.error_bytes:,}" if size.error_bytes else "—",
                size.source.split("; ")[0][:110],
            ])  # fmt: skip
    return rows, others, failures


def _base(name: str, arch: str) -> dict[str, Any] | None:
    from sizefloor.runtime.catalogue import raw_entry

    entry = raw_entry(name)["sizes"][arch]
    base = entry.get("base")
    return dict(base) if isinstance(base, dict) else None


def _pct(shipped: int, computed: int) -> str:
    return f"{(shipped - computed) / computed * 100:+.3f}%" if computed else "—"


def render(table: Any) -> list[str]:
    """The section of docs/accuracy.md; ``table(header, rows)`` makes a Markdown table."""
    rows, others, failures = check()
    lines = [
        "",
        "## The runtime catalogue against its sources",
        "",
        "`--base` sizes come from the catalogue. Each Debian-derived entry recomputed today "
        "from Debian's archive (through the mirror apt is configured with): distroless from "
        "exactly the package lists of GoogleContainerTools/distroless's `config.bzl` files at "
        "the commit recorded in `sizefloor/runtime/data/distroless.json` (*list commit*), "
        "each `.deb`'s `data.tar` summed (*packages*), plus the files the build writes itself "
        "(*generated*: `ld.so.cache` on Debian 13, the CA bundle, `passwd`, `group`, "
        "`os-release`, `nsswitch.conf`, the python links, each package's "
        "`/var/lib/dpkg/status.d` entry); `debian:N-slim` + python3 from what `apt-get install "
        "--no-install-recommends python3` adds to the published slim image. "
        "*difference* = (catalogue - computed) / computed; *vs the packages alone*: the "
        "catalogue against the list's packages without what the build writes.",
        "",
        table(
            [
                "entry",
                "arch",
                "list commit",
                "packages",
                "catalogue (--base)",
                "packages' files",
                "generated",
                "computed",
                "difference",
                "vs the packages alone",
            ],
            rows,
        ),
        "",
        "The other entries not published as they are, with their source and stated error:",
        "",
        table(["entry", "arch", "method", "installed bytes", "stated ±", "source"], others),
    ]
    if failures:
        lines += ["", *[f"- {f}" for f in failures]]
    return lines
