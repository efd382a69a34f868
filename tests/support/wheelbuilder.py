"""Build real wheels and sdists for the tests, deterministically and without a build backend.

Everything here writes bytes to disk with :mod:`zipfile` / :mod:`tarfile`; nothing is mocked.
Archives are byte-for-byte reproducible for the same arguments (fixed timestamps, fixed member
order, fixed permissions), so tests can compare sizes and hashes across runs.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import random
import struct
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from packaging.tags import parse_tag
from packaging.utils import canonicalize_name

__all__ = [
    "build_sdist",
    "build_wheel",
    "make_files",
    "metadata_of",
    "normalize_dist_name",
    "record_hash",
]

_EMPTY: Mapping[str, bytes] = MappingProxyType({})

#: Timestamp stamped on every archive member (the earliest a zip can hold).
ZIP_EPOCH: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)
#: mtime stamped on every sdist member (2020-01-01T00:00:00Z).
TAR_EPOCH: int = 1577836800

_ZIP64_EOCD_SIG = b"PK\x06\x06"
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_EOCD_SIG = b"PK\x05\x06"
_CDIR_SIG = b"PK\x01\x02"
_EOCD = struct.Struct("<4s4H2LH")  # sig, disk, cd disk, n this disk, n total, cd size, cd off, clen
_CDIR = struct.Struct("<4s4B4HL2L5H2L")  # central directory file header (46 bytes)
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")  # 56 bytes
_ZIP64_LOCATOR = struct.Struct("<4sLQL")  # 20 bytes


def normalize_dist_name(name: str) -> str:
    """The name as in wheel/sdist file names and ``.dist-info`` (``Foo.Bar`` -> ``foo_bar``)."""
    return canonicalize_name(name).replace("-", "_")


def record_hash(data: bytes) -> str:
    """``sha256=<urlsafe base64 without padding>``, the RECORD hash format of PEP 376/427."""
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _is_purelib(tag: str) -> bool:
    tags = parse_tag(tag)
    return all(t.abi == "none" and t.platform == "any" for t in tags)


def _metadata(
    name: str,
    version: str,
    requires_dist: Sequence[str],
    requires_python: str | None,
    extra_metadata: Sequence[str],
    metadata_version: str = "2.1",
) -> bytes:
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    if requires_python is not None:
        lines.append(f"Requires-Python: {requires_python}")
    lines.extend(f"Requires-Dist: {req}" for req in requires_dist)
    lines.extend(extra_metadata)
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def _wheel_file(tag: str, build: str | None) -> bytes:
    lines = [
        "Wheel-Version: 1.0",
        "Generator: sizefloor-tests (0)",
        f"Root-Is-Purelib: {'true' if _is_purelib(tag) else 'false'}",
    ]
    if build is not None:
        lines.append(f"Build: {build}")
    lines.extend(f"Tag: {t}" for t in sorted(str(t) for t in parse_tag(tag)))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _entry_points(entry_points: Mapping[str, Mapping[str, str]]) -> bytes:
    out: list[str] = []
    for group, entries in entry_points.items():
        out.append(f"[{group}]")
        out.extend(f"{key} = {value}" for key, value in entries.items())
        out.append("")
    return "\n".join(out).encode("utf-8")


def _record(members: Sequence[tuple[str, bytes]], record_path: str, twice: Sequence[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for path, data in members:
        row = [path, record_hash(data), str(len(data))]
        writer.writerow(row)
        if path in twice:
            writer.writerow(row)
    writer.writerow([record_path, "", ""])
    return buf.getvalue().encode("utf-8")


def _zipinfo(path: str, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=ZIP_EPOCH)
    info.compress_type = compression
    executable = "/scripts/" in path and ".data/" in path
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.create_system = 3  # unix, so external_attr means what it says
    return info


def build_wheel(
    dest: Path,
    name: str,
    version: str,
    *,
    files: Mapping[str, bytes] = _EMPTY,
    requires_dist: Sequence[str] = (),
    requires_python: str | None = None,
    entry_points: Mapping[str, Mapping[str, str]] | None = None,
    data: Mapping[str, bytes] = _EMPTY,
    tag: str = "py3-none-any",
    build: str | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
    force_zip64: bool = False,
    extra_metadata: Sequence[str] = (),
    record_twice: Sequence[str] = (),
    dist_info_extra: Mapping[str, bytes] = _EMPTY,
) -> Path:
    """Write a PEP 427 wheel into the directory ``dest`` and return its path.

    ``files`` are paths from the wheel root (``pkg/__init__.py``); ``data`` keys are paths
    under ``{dist}-{version}.data/`` (``scripts/tool``, ``purelib/x.py``, ``headers/h.h``,
    ``data/share/x``); ``dist_info_extra`` keys are paths under ``.dist-info/``.
    ``extra_metadata`` lines are appended verbatim to the METADATA headers.
    ``record_twice`` names archive paths whose RECORD line is written twice (malformed RECORDs
    seen in the wild). Member order: sorted ``files``, sorted ``data``, then the dist-info
    (METADATA, WHEEL, entry_points.txt, sorted extras) with RECORD last.

    ``force_zip64=True`` writes real zip64 structures everywhere: local headers carry zip64
    extra fields (``zipfile``'s ``force_zip64``), every central directory entry keeps its sizes
    and local header offset only in a zip64 extra field (the 32-bit fields read 0xFFFFFFFF),
    and the archive ends with a zip64 end-of-central-directory record and locator followed by
    an EOCD whose count/size/offset fields are all saturated (0xFFFF / 0xFFFFFFFF). A reader
    that ignores zip64 therefore gets visibly wrong sizes instead of silently right ones.
    """
    dest.mkdir(parents=True, exist_ok=True)
    dist = normalize_dist_name(name)
    build_part = f"-{build}" if build is not None else ""
    wheel_path = dest / f"{dist}-{version}{build_part}-{tag}.whl"
    dist_info = f"{dist}-{version}.dist-info"
    data_dir = f"{dist}-{version}.data"

    members: list[tuple[str, bytes]] = [(p, files[p]) for p in sorted(files)]
    members += [(f"{data_dir}/{k}", data[k]) for k in sorted(data)]
    meta = _metadata(name, version, requires_dist, requires_python, extra_metadata)
    members.append((f"{dist_info}/METADATA", meta))
    members.append((f"{dist_info}/WHEEL", _wheel_file(tag, build)))
    if entry_points is not None:
        members.append((f"{dist_info}/entry_points.txt", _entry_points(entry_points)))
    members += [(f"{dist_info}/{k}", dist_info_extra[k]) for k in sorted(dist_info_extra)]

    paths = [p for p, _ in members]
    if len(set(paths)) != len(paths):
        raise ValueError("duplicate archive paths in wheel members")
    missing = [p for p in record_twice if p not in set(paths)]
    if missing:
        raise ValueError(f"record_twice names paths not in the wheel: {missing}")
    record_path = f"{dist_info}/RECORD"
    members.append((record_path, _record(members, record_path, record_twice)))

    buf = io.BytesIO()  # built in memory: zipfile seeks a lot, which is slow on a real file
    with zipfile.ZipFile(buf, "w") as zf:
        for path, content in members:
            info = _zipinfo(path, compression)
            info.file_size = len(content)
            with zf.open(info, "w", force_zip64=force_zip64) as fh:
                fh.write(content)
    blob = buf.getvalue()
    if force_zip64:
        blob = _as_zip64(blob, wheel_path.name)
        with zipfile.ZipFile(io.BytesIO(blob)) as check:  # still a zip zipfile can read
            if _ZIP64_EOCD_SIG not in blob or check.testzip() is not None:
                raise RuntimeError(f"{wheel_path.name}: zip64 rewrite produced a bad archive")
    wheel_path.write_bytes(blob)
    return wheel_path


def _as_zip64(blob: bytes, path: str) -> bytes:
    """``blob`` with its central directory and end records re-emitted in zip64 form."""
    eocd_at = blob.rfind(_EOCD_SIG)
    if eocd_at < 0:
        raise ValueError(f"{path}: no end of central directory record")
    _sig, _d, _cd, _n1, count, _cd_size, cd_offset, comment_len = _EOCD.unpack_from(blob, eocd_at)
    if blob[eocd_at - _ZIP64_LOCATOR.size : eocd_at - _ZIP64_LOCATOR.size + 4] == (
        _ZIP64_LOCATOR_SIG
    ):
        raise ValueError(f"{path}: already has zip64 end records")
    comment = blob[eocd_at + _EOCD.size : eocd_at + _EOCD.size + comment_len]

    new_cd = bytearray()
    pos = cd_offset
    for _ in range(count):
        fields = list(_CDIR.unpack_from(blob, pos))
        if fields[0] != _CDIR_SIG:
            raise ValueError(f"{path}: bad central directory entry at {pos}")
        # fields: 0 sig, 1 create_version, 2 create_system, 3 extract_version, 4 reserved,
        # 5 flags, 6 method, 7 time, 8 date, 9 crc, 10 csize, 11 usize, 12 name_len,
        # 13 extra_len, 14 comment_len, 15 disk, 16 internal, 17 external, 18 offset
        name_len, extra_len, cmt_len = fields[12], fields[13], fields[14]
        start = pos + _CDIR.size
        fname = blob[start : start + name_len]
        extra = _strip_zip64_extra(blob[start + name_len : start + name_len + extra_len])
        entry_comment = blob[start + name_len + extra_len : start + name_len + extra_len + cmt_len]
        zip64_extra = struct.pack("<HHQQQ", 1, 24, fields[11], fields[10], fields[18]) + extra
        fields[1] = max(fields[1], 45)
        fields[3] = max(fields[3], 45)
        fields[10] = fields[11] = fields[18] = 0xFFFFFFFF
        fields[13] = len(zip64_extra)
        new_cd += _CDIR.pack(*fields) + fname + zip64_extra + entry_comment
        pos = start + name_len + extra_len + cmt_len

    out = bytearray(blob[:cd_offset])
    out += new_cd
    zip64_eocd_at = len(out)
    out += _ZIP64_EOCD.pack(
        _ZIP64_EOCD_SIG, _ZIP64_EOCD.size - 12, 45, 45, 0, 0, count, count, len(new_cd), cd_offset
    )
    out += _ZIP64_LOCATOR.pack(_ZIP64_LOCATOR_SIG, 0, zip64_eocd_at, 1)
    out += _EOCD.pack(_EOCD_SIG, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, len(comment))
    out += comment
    return bytes(out)


def _strip_zip64_extra(extra: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, i)
        if tag != 1:
            out += extra[i : i + 4 + size]
        i += 4 + size
    return bytes(out)


_WORDS: tuple[str, ...] = (
    "def", "return", "self", "import", "from", "class", "None", "True", "False", "if", "else",
    "for", "in", "value", "data", "name", "result", "items", "config", "path", "0", "1", "2",
    "x", "y", "_cache", "lambda", "yield", "with", "as", "raise", "ValueError", "(", ")", ":",
    "=", "==", "+", "[", "]", "{", "}", ",", ".", "\n", "\n    ", "\n        ", "#", "try",
)  # fmt: skip


def make_files(n: int, size: int, prefix: str = "pkg/mod") -> dict[str, bytes]:
    """``n`` files named ``{prefix}{i:05d}.py`` of exactly ``size`` bytes each.

    The content is deterministic pseudo-random Python-looking text (a fixed seed derived from
    the arguments), so it compresses about as well as real source and is identical across runs.
    20,000 files give a central directory of about 1.2 MB with the default prefix.
    """
    rng = random.Random(f"sizefloor-tests:{prefix}:{n}:{size}")
    out: dict[str, bytes] = {}
    for i in range(n):
        words = rng.choices(_WORDS, k=size // 3 + 8)
        text = " ".join(words).encode("ascii")
        while len(text) < size:
            text += text or b"#"
        out[f"{prefix}{i:05d}.py"] = text[:size]
    return out


def build_sdist(
    dest: Path,
    name: str,
    version: str,
    *,
    files: Mapping[str, bytes] = _EMPTY,
    requires_dist: Sequence[str] = (),
    metadata_version: str = "2.2",
) -> Path:
    """Write ``{dist}-{version}.tar.gz`` into ``dest`` (``dist`` = :func:`normalize_dist_name`).

    The top directory is ``{dist}-{version}/`` (PEP 625) and holds PKG-INFO (with the
    Requires-Dist lines), a minimal pyproject.toml and ``files`` (paths relative to it).
    """
    dest.mkdir(parents=True, exist_ok=True)
    dist = normalize_dist_name(name)
    top = f"{dist}-{version}"
    sdist_path = dest / f"{top}.tar.gz"
    deps = ", ".join(f'"{r}"' for r in requires_dist)
    pyproject = (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n'
        f'\n[project]\nname = "{name}"\nversion = "{version}"\ndependencies = [{deps}]\n'
    ).encode()
    members: dict[str, bytes] = {
        "PKG-INFO": _metadata(name, version, requires_dist, None, (), metadata_version),
        "pyproject.toml": pyproject,
    }
    for path in sorted(files):
        if path in members:
            raise ValueError(f"{path} would overwrite a generated sdist member")
        members[path] = files[path]

    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        dir_info = tarfile.TarInfo(top)
        dir_info.type = tarfile.DIRTYPE
        dir_info.mode = 0o755
        dir_info.mtime = TAR_EPOCH
        tf.addfile(dir_info)
        for path, content in members.items():
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size = len(content)
            info.mode = 0o644
            info.mtime = TAR_EPOCH
            tf.addfile(info, io.BytesIO(content))
    sdist_path.write_bytes(gzip.compress(raw.getvalue(), mtime=0))
    return sdist_path


def metadata_of(wheel: Path) -> bytes:
    """The bytes of the wheel's ``*.dist-info/METADATA`` member."""
    with zipfile.ZipFile(wheel) as zf:
        names = [
            n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
        ]
        if len(names) != 1:
            raise ValueError(f"{wheel}: expected one .dist-info/METADATA, found {names}")
        return zf.read(names[0])
