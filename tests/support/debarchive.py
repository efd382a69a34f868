"""A Debian archive on disk for the tests: ``dists/<suite>/main/binary-<arch>/Packages.xz``
and a pool of real ``.deb`` files (ar, ``control.tar.xz``, ``data.tar.xz``), served to
sizefloor through ``SIZEFLOOR_DEBIAN_MIRROR=file://...``."""

from __future__ import annotations

import hashlib
import io
import lzma
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["write_archive"]


def _tar(members: Mapping[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        for path, data in members.items():
            info = tarfile.TarInfo("./" + path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return lzma.compress(raw.getvalue())


def _deb(name: str, files: Mapping[str, bytes]) -> bytes:
    control = _tar({"control": f"Package: {name}\n".encode()})
    out = io.BytesIO()
    out.write(b"!<arch>\n")
    for member, body in (
        ("debian-binary", b"2.0\n"),
        ("control.tar.xz", control),
        ("data.tar.xz", _tar(files)),
    ):
        out.write(f"{member + '/':<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(body):<10}`\n".encode())
        out.write(body)
        if len(body) % 2:
            out.write(b"\n")
    return out.getvalue()


def write_archive(
    root: Path, suite: str, arch: str, packages: Mapping[str, dict[str, Any]]
) -> Path:
    """Write ``packages`` (name -> ``installed_kib``, ``depends``, ``priority``) as an archive
    of ``suite`` for ``arch`` under ``root``; returns ``root``."""
    stanzas = []
    for name, spec in packages.items():
        deb = _deb(name, {f"usr/share/{name}/data": b"x" * 100})
        filename = f"pool/main/{name[0]}/{name}/{name}_1.0_{arch}.deb"
        (root / filename).parent.mkdir(parents=True, exist_ok=True)
        (root / filename).write_bytes(deb)
        fields = [
            f"Package: {name}",
            "Version: 1.0",
            f"Architecture: {arch}",
            f"Installed-Size: {spec.get('installed_kib', 1)}",
            f"Priority: {spec.get('priority', 'optional')}",
        ]
        if spec.get("depends"):
            fields.append(f"Depends: {spec['depends']}")
        fields += [
            f"Filename: {filename}",
            f"Size: {len(deb)}",
            f"SHA256: {hashlib.sha256(deb).hexdigest()}",
        ]
        stanzas.append("\n".join(fields))
    index = root / "dists" / suite / "main" / f"binary-{arch}" / "Packages.xz"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_bytes(lzma.compress(("\n\n".join(stanzas) + "\n").encode()))
    return root
