"""Debian's package archive: what a set of ``.deb`` packages puts on disk.

The Debian-derived runtimes (Google's distroless ``python3`` images and
``debian:N-slim`` plus ``apt-get install --no-install-recommends python3``) are
computed, not published: this module resolves the package set from Debian's
``Packages`` indices, downloads the ``.deb`` files and sums what their
``data.tar`` members would write. ``Installed-Size`` is not used for the
figure: dpkg rounds every file up to 1 KiB and counts directories, which
overstates the real bytes by about 6%.

The archive is reached only through the mirror apt is configured with
(``/etc/apt/sources.list`` and ``sources.list.d``, one-line and deb822
formats), read at run time; ``SIZEFLOOR_DEBIAN_MIRROR`` overrides it. No
archive host is named anywhere in sizefloor.

Sizes follow ``docker images``: regular files by their length (a hard link
once), symbolic links by the length of their target, directories nothing.
``disk_bytes`` is ``du``: 4 KiB blocks for files and directories.
The compressed size is each package's (filtered) ``data.tar`` recompressed
with gzip level 6, as one image layer per package.
"""

from __future__ import annotations

import bz2
import functools
import gzip
import hashlib
import io
import json
import lzma
import os
import re
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sizefloor.errors import DebianError, InputError
from sizefloor.install import bytecode
from sizefloor.install.plan import directory_blocks, file_blocks

__all__ = [
    "CODENAMES",
    "SLIM_EXCLUDES",
    "SLIM_INCLUDES",
    "AptSource",
    "Archive",
    "DebContents",
    "DebianError",
    "Package",
    "PackageIndex",
    "SetSize",
    "compare_versions",
    "find_archive",
    "measure_deb",
    "read_apt_sources",
]

CODENAMES: dict[str, int] = {
    "buster": 10,
    "bullseye": 11,
    "bookworm": 12,
    "trixie": 13,
    "forky": 14,
}
"""Debian codename -> release number."""

SLIM_EXCLUDES: tuple[str, ...] = (
    "/usr/share/doc/*",
    "/usr/share/groff/*",
    "/usr/share/info/*",
    "/usr/share/linda/*",
    "/usr/share/lintian/overrides/*",
    "/usr/share/locale/*",
    "/usr/share/man/*",
)
"""What the ``debian:*-slim`` images leave out (debuerreotype's ``.slimify-excludes``)."""

SLIM_INCLUDES: tuple[str, ...] = (
    "/usr/share/doc/*/copyright",
    "/usr/share/doc/kde/HTML/C/*",
    "/usr/share/gnome/help/*/C/*",
    "/usr/share/locale/all_languages",
    "/usr/share/locale/currency/*",
    "/usr/share/locale/l10n/*",
    "/usr/share/locale/languages",
    "/usr/share/locale/locale.alias",
    "/usr/share/omf/*/*-C.emf",
)
"""What they keep despite the excludes (debuerreotype's ``.slimify-includes``)."""


STDLIB_PYC_SCALE = 0.93
"""sizefloor's ``.pyc`` model (fitted on wheels) overstates the standard
library's bytecode: on CPython 3.11.7's own stdlib (733 modules, tests left out,
compiled as ``/usr/lib/python3.11/...``) the real ``.cpython-311.pyc`` files were
0.93 of the model. Debian's maintainer scripts compile the stdlib, so that factor
is applied there."""

STDLIB_PYC_ERROR = 0.10
"""How far the scaled stdlib bytecode could be off, as a share of it."""


# ----------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class AptSource:
    """One ``deb`` line (or deb822 stanza) of apt's configuration."""

    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]
    origin: str
    """The file it came from."""


def read_apt_sources(etc_apt: Path = Path("/etc/apt")) -> list[AptSource]:
    """Every enabled binary (``deb``) source in apt's configuration, in apt's order."""
    files: list[Path] = []
    main = etc_apt / "sources.list"
    if main.is_file():
        files.append(main)
    parts = etc_apt / "sources.list.d"
    if parts.is_dir():
        files.extend(
            sorted(p for p in parts.iterdir() if p.suffix in (".list", ".sources") and p.is_file())
        )
    sources: list[AptSource] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if path.suffix == ".sources":
            sources.extend(_parse_deb822(text, str(path)))
        else:
            sources.extend(_parse_one_line(text, str(path)))
    return sources


def _parse_one_line(text: str, origin: str) -> Iterator[AptSource]:
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        line = re.sub(r"\[[^\]]*\]", " ", line)
        words = line.split()
        if len(words) < 3 or words[0] != "deb":
            continue
        yield AptSource(words[1], (words[2],), tuple(words[3:]), origin)


def _parse_deb822(text: str, origin: str) -> Iterator[AptSource]:
    for stanza in _stanzas(text):
        fields = {k.lower(): v for k, v in stanza.items()}
        if fields.get("enabled", "yes").strip().lower() == "no":
            continue
        if "deb" not in fields.get("types", "").split():
            continue
        suites = tuple(fields.get("suites", "").split())
        components = tuple(fields.get("components", "").split())
        for uri in fields.get("uris", "").split():
            yield AptSource(uri, suites, components, origin)


def _stanzas(text: str) -> Iterator[dict[str, str]]:
    """deb822 paragraphs as field -> value (continuation lines joined, comments dropped)."""
    current: dict[str, str] = {}
    key: str | None = None
    for raw in text.splitlines():
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if current:
                yield current
            current, key = {}, None
            continue
        if raw[0] in " \t" and key is not None:
            current[key] += "\n" + raw.strip()
            continue
        name, sep, value = raw.partition(":")
        if not sep:
            continue
        key = name.strip()
        current[key] = value.strip()
    if current:
        yield current


@dataclass(frozen=True)
class Archive:
    """Where Debian's packages are read from: the archive and its security updates."""

    uri: str
    security_uri: str | None
    origin: str

    def describe(self) -> str:
        return f"the Debian mirror configured for apt ({self.origin})"


def find_archive(
    etc_apt: Path = Path("/etc/apt"), environ: dict[str, str] | None = None
) -> Archive:
    """The Debian archive apt is configured with (``SIZEFLOOR_DEBIAN_MIRROR`` overrides it).

    Raises :class:`~sizefloor.errors.InputError` when there is none.
    """
    env = os.environ if environ is None else environ
    override = env.get("SIZEFLOOR_DEBIAN_MIRROR", "").strip()
    if override:
        updates = env.get("SIZEFLOOR_DEBIAN_SECURITY_MIRROR", "").strip()
        return Archive(override.rstrip("/"), updates.rstrip("/") or None, "SIZEFLOOR_DEBIAN_MIRROR")
    sources = read_apt_sources(etc_apt)
    archive: AptSource | None = None
    security: AptSource | None = None
    for source in sources:
        if not source.uri.startswith(("http://", "https://", "file:")):
            continue
        if "main" not in source.components:
            continue
        if archive is None and any(s in CODENAMES for s in source.suites):
            archive = source
        if security is None and any(
            s.endswith("-security") and s.split("-")[0] in CODENAMES for s in source.suites
        ):
            security = source
    if archive is None:
        raise InputError(
            "No Debian mirror is configured for apt, so the Debian-derived runtimes cannot be "
            f"recomputed (read {etc_apt}/sources.list and {etc_apt}/sources.list.d/).",
            hint="Configure a Debian mirror for apt, or set SIZEFLOOR_DEBIAN_MIRROR to one; "
            "without --refresh-runtime the shipped figures are used.",
        )
    return Archive(
        archive.uri.rstrip("/"),
        security.uri.rstrip("/") if security else None,
        archive.origin,
    )


# --------------------------------------------------------------------------- versions


def compare_versions(a: str, b: str) -> int:
    """dpkg's version order: negative, 0 or positive as ``a`` is older, equal or newer."""
    ea, ua, ra = _split_version(a)
    eb, ub, rb = _split_version(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)


def _split_version(version: str) -> tuple[int, str, str]:
    epoch = 0
    if ":" in version:
        head, _, version = version.partition(":")
        epoch = int(head) if head.isdigit() else 0
    upstream, sep, revision = version.rpartition("-")
    if not sep:
        upstream, revision = version, "0"
    return epoch, upstream, revision


def _order(char: str) -> int:
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _compare_part(a: str, b: str) -> int:
    i = j = 0
    while i < len(a) or j < len(b):
        while (i < len(a) and not a[i].isdigit()) or (j < len(b) and not b[j].isdigit()):
            ca = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            cb = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ca != cb:
                return -1 if ca < cb else 1
            if i < len(a) and not a[i].isdigit():
                i += 1
            if j < len(b) and not b[j].isdigit():
                j += 1
        ni = i
        while ni < len(a) and a[ni].isdigit():
            ni += 1
        nj = j
        while nj < len(b) and b[nj].isdigit():
            nj += 1
        va = int(a[i:ni] or 0)
        vb = int(b[j:nj] or 0)
        if va != vb:
            return -1 if va < vb else 1
        i, j = ni, nj
    return 0


_RELATION = re.compile(
    r"^\s*([a-z0-9][a-z0-9+.\-]*)(?::[a-z0-9]+)?\s*(?:\(\s*([<>=]+)\s*([^)\s]+)\s*\))?"
)


def _satisfies(version: str, op: str | None, wanted: str | None) -> bool:
    if op is None or wanted is None:
        return True
    c = compare_versions(version, wanted)
    return {
        "<<": c < 0,
        "<=": c <= 0,
        "<": c <= 0,
        "=": c == 0,
        ">=": c >= 0,
        ">": c >= 0,
        ">>": c > 0,
    }.get(op, True)


def parse_relations(text: str) -> list[list[tuple[str, str | None, str | None]]]:
    """A ``Depends`` value as groups of alternatives ``(name, op, version)``."""
    groups: list[list[tuple[str, str | None, str | None]]] = []
    for group in text.split(","):
        alternatives = []
        for alternative in group.split("|"):
            match = _RELATION.match(alternative)
            if match:
                alternatives.append((match[1], match[2], match[3]))
        if alternatives:
            groups.append(alternatives)
    return groups


# ----------------------------------------------------------------------------- index


@dataclass(frozen=True)
class Package:
    """One binary package as a ``Packages`` index lists it."""

    name: str
    version: str
    architecture: str
    depends: str
    pre_depends: str
    provides: str
    installed_size_kib: int
    filename: str
    size: int
    sha256: str
    priority: str
    base_uri: str
    """The archive the ``Filename`` is relative to."""
    multi_arch: str = ""

    @property
    def url(self) -> str:
        return f"{self.base_uri}/{self.filename}"

    def relations(self) -> list[list[tuple[str, str | None, str | None]]]:
        return parse_relations(self.pre_depends) + parse_relations(self.depends)


@dataclass
class PackageIndex:
    """The newest version of every package across the suites read, and who provides what."""

    packages: dict[str, Package] = field(default_factory=dict)
    providers: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str, base_uri: str) -> PackageIndex:
        index = cls()
        index.add(text, base_uri)
        return index

    def add(self, text: str, base_uri: str) -> None:
        """Merge a ``Packages`` file, keeping the newest version of each package."""
        for stanza in text.split("\n\n"):
            fields = _fields(stanza)
            name = fields.get("Package")
            if not name or "Filename" not in fields:
                continue
            package = Package(
                name=name,
                version=fields.get("Version", "0"),
                architecture=fields.get("Architecture", ""),
                depends=fields.get("Depends", ""),
                pre_depends=fields.get("Pre-Depends", ""),
                provides=fields.get("Provides", ""),
                installed_size_kib=int(fields.get("Installed-Size", "0") or 0),
                filename=fields["Filename"],
                size=int(fields.get("Size", "0") or 0),
                sha256=fields.get("SHA256", ""),
                priority=fields.get("Priority", ""),
                base_uri=base_uri,
                multi_arch=fields.get("Multi-Arch", ""),
            )
            known = self.packages.get(name)
            if known is None or compare_versions(package.version, known.version) > 0:
                self.packages[name] = package
        self.providers = {}
        for package in self.packages.values():
            for group in parse_relations(package.provides):
                for virtual, _op, _version in group:
                    self.providers.setdefault(virtual, []).append(package.name)

    def required(self) -> list[str]:
        """Packages of ``Priority: required`` (what debootstrap's minbase installs, with apt)."""
        return sorted(p.name for p in self.packages.values() if p.priority == "required")

    def closure(
        self, roots: Iterable[str], *, present: Iterable[str] = ()
    ) -> tuple[list[Package], list[str]]:
        """``roots`` and everything they Depend or Pre-Depend on (never Recommends).

        Packages in ``present`` satisfy dependencies without being added. For a
        choice (``a | b``) a package already chosen or present wins, then the
        first alternative that exists. Returns the packages in resolution order
        and the dependencies that nothing satisfies.
        """
        have = set(present)
        chosen: dict[str, Package] = {}
        missing: list[str] = []
        queue = list(roots)
        for name in queue:
            if name not in self.packages:
                missing.append(name)
        queue = [n for n in queue if n in self.packages]

        pending = set(queue)  # roots count as chosen when an alternative names one

        def provided(name: str) -> bool:
            return any(
                p in have or p in chosen or p in pending
                for p in (name, *self.providers.get(name, ()))
            )

        while queue:
            name = queue.pop(0)
            if name in chosen or name in have:
                continue
            package = self.packages[name]
            chosen[name] = package
            for group in package.relations():
                if any(provided(alt) for alt, _op, _v in group):
                    continue
                pick: str | None = None
                for alt, op, wanted in group:
                    candidate = self.packages.get(alt)
                    if candidate is not None and _satisfies(candidate.version, op, wanted):
                        pick = alt
                        break
                if pick is None:
                    for alt, _op, _v in group:
                        if self.providers.get(alt):
                            pick = self.providers[alt][0]
                            break
                if pick is None:
                    missing.append(" | ".join(alt for alt, _o, _v in group))
                    continue
                if pick not in chosen and pick not in queue:
                    queue.append(pick)
                    pending.add(pick)
        return list(chosen.values()), missing


def _fields(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = ""
    for line in stanza.splitlines():
        if not line:
            continue
        if line[0] in " \t":
            if key:
                fields[key] += "\n" + line.strip()
            continue
        name, _, value = line.partition(":")
        key = name
        fields[key] = value.strip()
    return fields


def decompress_index(name: str, data: bytes) -> str:
    if name.endswith(".xz"):
        data = lzma.decompress(data)
    elif name.endswith(".gz"):
        data = gzip.decompress(data)
    elif name.endswith(".bz2"):
        data = bz2.decompress(data)
    return data.decode("utf-8", errors="replace")


# ----------------------------------------------------------------------------- .deb


@dataclass(frozen=True)
class DebContents:
    """What one ``.deb`` writes (after the path filter), and its recompressed size."""

    sha256: str
    files: tuple[tuple[str, int], ...]
    """``(path, bytes)`` of regular files and symbolic links (a link: its target's length)."""
    directories: tuple[str, ...]
    regular_files: int
    gzip_bytes: int
    """Its filtered ``data.tar`` recompressed with gzip -6: one image layer."""
    dpkg_info_bytes: int
    """What dpkg keeps about it: ``/var/lib/dpkg/info/*`` files and its ``status`` entry."""
    statusd_bytes: int = 0
    """Its ``control`` and ``md5sums`` files: what distroless writes for it instead, as
    ``/var/lib/dpkg/status.d/<package>`` and ``<package>.md5sums``."""

    @property
    def apparent_bytes(self) -> int:
        return sum(size for _, size in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "files": [list(f) for f in self.files],
            "directories": list(self.directories),
            "regular_files": self.regular_files,
            "gzip_bytes": self.gzip_bytes,
            "dpkg_info_bytes": self.dpkg_info_bytes,
            "statusd_bytes": self.statusd_bytes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DebContents:
        """Raises ``KeyError`` for an entry written before a field existed: it is read again."""
        return cls(
            sha256=str(data["sha256"]),
            files=tuple((str(p), int(s)) for p, s in data["files"]),
            directories=tuple(str(d) for d in data["directories"]),
            regular_files=int(data["regular_files"]),
            gzip_bytes=int(data["gzip_bytes"]),
            dpkg_info_bytes=int(data["dpkg_info_bytes"]),
            statusd_bytes=int(data["statusd_bytes"]),
        )


def _ar_members(data: bytes) -> Iterator[tuple[str, bytes]]:
    if not data.startswith(b"!<arch>\n"):
        raise DebianError("not a .deb file (no ar archive header)")
    offset = 8
    while offset + 60 <= len(data):
        header = data[offset : offset + 60]
        name = header[:16].decode("ascii", errors="replace").strip().rstrip("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise DebianError("a .deb file with a damaged ar header") from None
        start = offset + 60
        yield name, data[start : start + size]
        offset = start + size + (size & 1)


def _decompress_member(name: str, data: bytes) -> bytes:
    if name.endswith(".xz"):
        return lzma.decompress(data)
    if name.endswith(".gz"):
        return gzip.decompress(data)
    if name.endswith(".bz2"):
        return bz2.decompress(data)
    if name.endswith(".zst"):
        try:
            from compression import zstd  # type: ignore[import-not-found]  # Python 3.14

            result: bytes = zstd.decompress(data)
            return result
        except ImportError:
            raise DebianError(
                f"{name} is zstd-compressed, which this Python cannot read.",
                hint="Run with Python 3.14 or later for zstd-compressed packages.",
            ) from None
    return data


@functools.cache
def _pattern(glob: str) -> re.Pattern[str]:
    # dpkg's path-exclude globs: '*' matches across '/'
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in glob) + r"\Z")


def path_filter(excludes: Sequence[str], includes: Sequence[str] = ()) -> Callable[[str], bool]:
    """``keep(path)`` for dpkg's ``path-exclude`` / ``path-include`` globs."""
    ex = [_pattern(g) for g in excludes]
    inc = [_pattern(g) for g in includes]

    def keep(path: str) -> bool:
        if not any(p.match(path) for p in ex):
            return True
        return any(p.match(path) for p in inc)

    return keep


def _member_path(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    name = name.strip("/")
    return "/" + name if name and name != "." else "/"


def measure_deb(
    data: bytes, *, keep: Callable[[str], bool] = lambda path: True, package: str = ""
) -> DebContents:
    """The files a ``.deb`` writes (those ``keep`` accepts), read from its ``data.tar``."""
    members = dict(_ar_members(data))
    data_name = next((n for n in members if n.startswith("data.tar")), None)
    control_name = next((n for n in members if n.startswith("control.tar")), None)
    if data_name is None:
        raise DebianError(f"{package or 'a package'}: the .deb has no data.tar member")
    raw = _decompress_member(data_name, members[data_name])
    files: list[tuple[str, int]] = []
    directories: list[str] = []
    regular = 0
    listed: list[str] = []
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    gz = 0
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
        for member in tar:
            path = _member_path(member.name)
            if path != "/" and not keep(path):
                continue
            listed.append(path if path != "/" else "/.")
            header = member.tobuf(format=tarfile.GNU_FORMAT)
            gz += len(compressor.compress(header))
            if member.isdir():
                if path != "/":
                    directories.append(path)
            elif member.issym():
                files.append((path, len(member.linkname.encode())))
            elif member.isreg():
                files.append((path, member.size))
                regular += 1
                content = tar.extractfile(member)
                if content is not None:
                    body = content.read()
                    padding = (-len(body)) % 512
                    gz += len(compressor.compress(body + b"\0" * padding))
            # hard links (islnk) write no new bytes
    gz += len(compressor.compress(b"\0" * 1024)) + len(compressor.flush())
    info = statusd = 0
    if control_name is not None:
        control_raw = _decompress_member(control_name, members[control_name])
        with tarfile.open(fileobj=io.BytesIO(control_raw), mode="r:") as tar:
            for member in tar:
                if member.isreg():
                    # every control member but 'control' goes to /var/lib/dpkg/info;
                    # 'control' becomes the package's entry in /var/lib/dpkg/status
                    info += member.size + (
                        len("Status: install ok installed\n")
                        if member.name.endswith("control")
                        else 0
                    )
                    if _member_path(member.name) in ("/control", "/md5sums"):
                        statusd += member.size
    info += sum(len(p.encode()) + 1 for p in listed)  # /var/lib/dpkg/info/<package>.list
    return DebContents(
        sha256=hashlib.sha256(data).hexdigest(),
        files=tuple(files),
        directories=tuple(directories),
        regular_files=regular,
        gzip_bytes=gz,
        dpkg_info_bytes=info,
        statusd_bytes=statusd,
    )


# ----------------------------------------------------------------------- package sets


@dataclass(frozen=True)
class DebPackageSize:
    """One package of a computed set."""

    name: str
    version: str
    installed_size_kib: int
    deb_bytes: int
    apparent_bytes: int
    files: int
    gzip_bytes: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "installed_size_kib": self.installed_size_kib,
            "deb_bytes": self.deb_bytes,
            "bytes": self.apparent_bytes,
            "files": self.files,
            "gzip_bytes": self.gzip_bytes,
        }


@dataclass(frozen=True)
class SetSize:
    """What a set of packages writes, all together."""

    packages: tuple[DebPackageSize, ...]
    apparent_bytes: int
    """Sum of file sizes (symbolic links by target length; a path written twice once)."""
    disk_bytes: int
    files: int
    gzip_bytes: int
    deb_bytes: int
    installed_size_bytes: int
    """The sum of ``Installed-Size`` (KiB) in bytes: dpkg's own, rounded-up figure."""
    dpkg_info_bytes: int
    bytecode_bytes: int = 0
    """Modelled ``.pyc`` files that maintainer scripts would compile (0 when none run)."""
    bytecode_error: int = 0
    missing: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "bytes": self.apparent_bytes,
            "disk_bytes": self.disk_bytes,
            "files": self.files,
            "gzip_bytes": self.gzip_bytes,
            "deb_bytes": self.deb_bytes,
            "installed_size_bytes": self.installed_size_bytes,
            "dpkg_info_bytes": self.dpkg_info_bytes,
            "bytecode_bytes": self.bytecode_bytes,
            "bytecode_error": self.bytecode_error,
            "missing": list(self.missing),
            "packages": [p.to_json() for p in self.packages],
        }


def sum_set(
    packages: Sequence[Package],
    contents: Sequence[DebContents],
    *,
    compile_python: tuple[int, int] | None = None,
    missing: Sequence[str] = (),
    generated: Sequence[tuple[str, int]] = (),
) -> SetSize:
    """Add up ``contents`` (one per package), then the ``generated`` files (path, size:
    written over the packages' own at the same path). With ``compile_python``, model the
    ``.pyc`` files Debian's python maintainer scripts write for every ``.py``
    file under ``/usr/lib/pythonX.Y`` and ``/usr/share/python3``."""
    by_path: dict[str, int] = {}
    directories: set[str] = set()
    regular = 0
    rows: list[DebPackageSize] = []
    for package, content in zip(packages, contents, strict=True):
        for path, size in content.files:
            by_path[path] = size
        directories.update(content.directories)
        regular += content.regular_files
        rows.append(
            DebPackageSize(
                name=package.name,
                version=package.version,
                installed_size_kib=package.installed_size_kib,
                deb_bytes=package.size,
                apparent_bytes=content.apparent_bytes,
                files=content.regular_files,
                gzip_bytes=content.gzip_bytes,
            )
        )
    for path, size in generated:
        regular += path not in by_path
        by_path[path] = size
        directories.update(_parents(path))
    pyc_bytes = pyc_error = 0
    pyc_paths: list[str] = []
    if compile_python is not None:
        major, minor = compile_python
        roots = (f"/usr/lib/python{major}.{minor}/", "/usr/share/python3/")
        tag = bytecode.cache_tag(compile_python)
        for path, size in list(by_path.items()):
            if path.endswith(".py") and path.startswith(roots):
                estimate = bytecode.pyc_size(size, path, compile_python)
                pyc_bytes += round(estimate.size * STDLIB_PYC_SCALE)
                head, _, name = path.rpartition("/")
                pyc_paths.append(f"{head}/__pycache__/{name[:-3]}.{tag}.pyc")
                directories.add(f"{head}/__pycache__")
        pyc_error = round(pyc_bytes * STDLIB_PYC_ERROR)
    sizes = list(by_path.values())
    disk = file_blocks(sizes) + directory_blocks(directories, [*by_path, *pyc_paths])
    if pyc_paths:
        disk += file_blocks([pyc_bytes // len(pyc_paths)] * len(pyc_paths))
    return SetSize(
        packages=tuple(rows),
        apparent_bytes=sum(sizes) + pyc_bytes,
        disk_bytes=disk,
        files=regular + len(pyc_paths),
        gzip_bytes=sum(c.gzip_bytes for c in contents),
        deb_bytes=sum(p.size for p in packages),
        installed_size_bytes=sum(p.installed_size_kib for p in packages) * 1024,
        dpkg_info_bytes=sum(c.dpkg_info_bytes for c in contents),
        bytecode_bytes=pyc_bytes,
        bytecode_error=pyc_error,
        missing=tuple(missing),
    )


def _parents(path: str) -> list[str]:
    parts = path.strip("/").split("/")[:-1]
    return ["/" + "/".join(parts[: i + 1]) for i in range(len(parts))]


def index_error(url: str, status: int) -> DebianError:
    return DebianError(
        f"The Debian mirror answered {status} for {url}.",
        hint="Check that the mirror apt is configured with carries this release and "
        "architecture (its dists/ directory).",
    )


# ------------------------------------------------------------------- the images


@dataclass(frozen=True)
class Generated:
    """A file a distroless image's build writes itself (not from a package's data)."""

    path: str
    source: str
    """Where in GoogleContainerTools/distroless it comes from."""
    size: int | Mapping[str, int] | None = None
    """Its size, or its size per Debian architecture (``ld.so.cache``)."""
    symlink: str | None = None
    """The target of a symbolic link (counted by its length)."""
    package: str | None = None
    """The package it is made from (the CA bundle: ``ca-certificates``)..."""
    made_of: str | None = None
    """...of these of the package's files (a folder ends with ``/``)."""

    def bytes_on(self, arch: str, derived: Mapping[str, DebContents]) -> int:
        if self.symlink is not None:
            return len(self.symlink.encode())
        if isinstance(self.size, int):
            return self.size
        if self.size is not None:
            return int(self.size[arch])
        made = derived[str(self.package)]
        return sum(
            size
            for path, size in made.files
            if path == self.made_of or path.startswith(str(self.made_of).rstrip("/") + "/")
        )


@dataclass(frozen=True)
class DistrolessImage:
    """One distroless ``python3`` image as its repository defines it."""

    distro: str
    commit: str
    """The GoogleContainerTools/distroless commit its lists were read from."""
    committed: str
    layers: Mapping[str, tuple[str, ...]]
    """``static``, ``base``, ``cc``, ``python``: each a ``config.bzl`` list, verbatim."""
    sources: Mapping[str, str]
    """Layer -> the file and list it was read from (``python3/config.bzl
    PYTHON_PACKAGES["debian13"]``)."""
    generated: tuple[Generated, ...]
    derived: tuple[str, ...]
    """Packages read only to make generated files (``ca-certificates``)."""

    @property
    def packages(self) -> tuple[str, ...]:
        """Every listed package once, in layer order: the image's packages, exactly."""
        return tuple(dict.fromkeys(n for layer in self.layers.values() for n in layer))


@functools.cache
def distroless_images() -> dict[str, DistrolessImage]:
    """The distroless images' package lists and generated files, from
    ``sizefloor/runtime/data/distroless.json`` (each with the commit it was read from)."""
    data = json.loads(
        resources.files("sizefloor.runtime").joinpath("data/distroless.json").read_text("utf-8")
    )
    images: dict[str, DistrolessImage] = {}
    for distro, entry in data["images"].items():
        layers = {name: tuple(layer["packages"]) for name, layer in entry["layers"].items()}
        sources = {
            name: f"{layer['file']} {layer['list']}" for name, layer in entry["layers"].items()
        }
        generated = tuple(
            Generated(
                path=g["path"],
                source=g["from"],
                size=g.get("bytes"),
                symlink=g.get("symlink"),
                package=g.get("package"),
                made_of=g.get("made_of"),
            )
            for g in entry["generated"]
        )
        images[distro] = DistrolessImage(
            distro,
            entry["commit"],
            entry["committed"],
            layers,
            sources,
            generated,
            tuple(entry.get("derived_packages", ())),
        )
    return images


DISTROLESS: dict[str, dict[str, tuple[str, ...]]] = {
    distro: dict(image.layers) for distro, image in distroless_images().items()
}
"""The package lists of Google's distroless ``python3`` images, layer by layer
(GoogleContainerTools/distroless: ``static/config.bzl``, ``base/config.bzl``,
``cc/config.bzl``, ``python3/config.bzl`` at the commit :func:`distroless_images`
names; debian12 as it was before its removal on 2026-05-11). Each package is one
layer; no maintainer script runs."""

DISTROS: dict[str, str] = {"debian12": "bookworm", "debian13": "trixie"}
"""Distroless / sizefloor distro name -> Debian codename."""


@dataclass(frozen=True)
class Computation:
    """A Debian-derived runtime, computed from the archive."""

    image: str
    """``distroless/python3-debian12`` or ``debian:12-slim+python3``."""
    distro: str
    arch: str
    """Debian's name: ``amd64``, ``arm64``."""
    python: str
    """The full Debian version of the interpreter package, e.g. ``3.11.2-6+deb12u9``."""
    size: SetSize
    base_packages: int = 0
    """For ``debian:N-slim+python3``: how many packages the slim base already holds."""
    as_of: str = ""
    unlisted: tuple[str, ...] = ()
    """For distroless: packages its lists' Depends closure has that the lists leave out."""
    list_commit: str = ""
    """For distroless: the GoogleContainerTools/distroless commit its package lists are from."""
    generated: tuple[tuple[str, int], ...] = ()
    """For distroless: the files its build writes itself (path, bytes), in the total."""

    def to_json(self) -> dict[str, Any]:
        document = {
            "image": self.image,
            "distro": self.distro,
            "arch": self.arch,
            "python": self.python,
            "base_packages": self.base_packages,
            "as_of": self.as_of,
            "unlisted": list(self.unlisted),
            **self.size.to_json(),
        }
        if self.list_commit:
            document["list_commit"] = self.list_commit
            document["generated"] = [list(g) for g in self.generated]
        return document


Fetch = Callable[[str], bytes | None]
"""``fetch(url) -> bytes``, or ``None`` for a 404."""


class Reader:
    """Reads one Debian release's indices and packages through a mirror.

    ``fetch`` does the I/O (see :class:`Fetch`); ``cache_get`` / ``cache_set``
    keep what was read from a ``.deb`` by its SHA256, forever.
    """

    def __init__(
        self,
        archive: Archive,
        fetch: Fetch,
        *,
        cache_get: Callable[[str], Any] = lambda key: None,
        cache_set: Callable[[str, Any], None] = lambda key, value: None,
        map_: Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]] = map,
        progress: Callable[[str, int, int], None] = lambda stage, done, total: None,
    ) -> None:
        self.archive = archive
        self.fetch = fetch
        self.cache_get = cache_get
        self.cache_set = cache_set
        self.map = map_
        self.progress = progress
        self._indices: dict[tuple[str, str], PackageIndex] = {}
        self.warnings: list[str] = []

    def index(self, codename: str, arch: str) -> PackageIndex:
        """``main`` of ``codename``, ``-updates`` and ``-security``, newest version of each."""
        key = (codename, arch)
        if key in self._indices:
            return self._indices[key]
        index = PackageIndex()
        suites = [
            (self.archive.uri, codename, True),
            (self.archive.uri, f"{codename}-updates", False),
        ]
        if self.archive.security_uri:
            suites.append((self.archive.security_uri, f"{codename}-security", False))
        else:
            self.warnings.append(
                "no Debian security archive is configured for apt: security updates are not "
                "counted (package versions may be older than an image built today)"
            )
        for uri, suite, needed in suites:
            self.progress(f"reading {suite} {arch}", 0, 0)
            text = self._read_index(uri, suite, arch)
            if text is None:
                if needed:
                    raise DebianError(
                        f"The Debian mirror configured for apt has no {suite} index for {arch} "
                        f"(tried {uri}/dists/{suite}/main/binary-{arch}/Packages.xz and .gz).",
                        hint="Use a mirror that carries this release and architecture "
                        "(SIZEFLOOR_DEBIAN_MIRROR overrides apt's).",
                    )
                continue
            index.add(text, uri)
        self._indices[key] = index
        return index

    def _read_index(self, uri: str, suite: str, arch: str) -> str | None:
        for name in ("Packages.xz", "Packages.gz", "Packages"):
            url = f"{uri}/dists/{suite}/main/binary-{arch}/{name}"
            data = self.fetch(url)
            if data is not None:
                return decompress_index(name, data)
        return None

    def contents(
        self, packages: Sequence[Package], keep: Callable[[str], bool], filter_key: str
    ) -> list[DebContents]:
        """What each package writes, cached by SHA256 and filter; what is not cached is
        downloaded."""
        total = len(packages)

        def one(package: Package) -> DebContents:
            key = f"{package.sha256}:{filter_key}"
            cached = self.cache_get(key)
            if isinstance(cached, dict):
                try:
                    return DebContents.from_json(cached)
                except (KeyError, TypeError, ValueError):
                    pass
            data = self.fetch(package.url)
            if data is None:
                raise DebianError(
                    f"The Debian mirror has no {package.filename} (404).",
                    hint="The mirror may be out of date; try again later.",
                )
            digest = hashlib.sha256(data).hexdigest()
            if package.sha256 and digest != package.sha256:
                raise DebianError(
                    f"{package.filename}: SHA256 {digest} does not match the index's "
                    f"{package.sha256}.",
                    hint="The mirror served a damaged or changed file; try again.",
                )
            result = measure_deb(data, keep=keep, package=package.name)
            self.cache_set(key, result.to_json())
            return result

        results: list[DebContents] = []
        for done, result in enumerate(self.map(one, packages), 1):
            self.progress("reading packages", done, total)
            results.append(result)
        return results

    # -- the two image kinds -------------------------------------------------------

    def distroless(self, distro: str, arch: str, *, as_of: str = "") -> Computation:
        """Google's distroless ``python3-<distro>`` image: exactly its package lists (at the
        commit :func:`distroless_images` names), and the files its build writes itself:
        ``ld.so.cache``, the CA bundle, ``passwd``... and each package's
        ``/var/lib/dpkg/status.d`` entry."""
        image = distroless_images()[distro]
        codename = DISTROS[distro]
        index = self.index(codename, arch)
        names = list(image.packages)
        absent = [n for n in [*names, *image.derived] if n not in index.packages]
        if absent:
            raise DebianError(
                f"The {codename} index for {arch} has no package named {', '.join(absent)}.",
                hint="The distroless package lists in sizefloor/runtime/data/distroless.json "
                "may need updating.",
            )
        packages = [index.packages[n] for n in names]
        # what the lists leave out of their own dependency closure (distroless does not resolve)
        _closure, _missing = index.closure(names)
        unlisted = sorted(p.name for p in _closure if p.name not in names)
        derived_packages = [index.packages[n] for n in image.derived]
        every = self.contents([*packages, *derived_packages], lambda path: True, "all")
        contents = every[: len(packages)]
        derived = dict(zip(image.derived, every[len(packages) :], strict=True))
        generated = [(g.path, g.bytes_on(arch, derived)) for g in image.generated]
        statusd = [*zip(names, contents, strict=True), *derived.items()]
        for name, content in statusd:  # its control file and md5sums, as one entry each
            generated.append((f"/var/lib/dpkg/status.d/{name}", content.statusd_bytes))
        size = sum_set(packages, contents, generated=generated)
        return Computation(
            image=f"distroless/python3-{distro}",
            distro=distro,
            arch=arch,
            python=_python_version(index, distro),
            size=size,
            as_of=as_of,
            unlisted=tuple(unlisted),
            list_commit=image.commit,
            generated=tuple(generated),
        )

    def debian_apt(self, distro: str, arch: str, *, as_of: str = "") -> Computation:
        """What ``apt-get install --no-install-recommends python3`` adds to ``debian:N-slim``.

        The slim base is taken to hold ``Priority: required`` plus apt and their
        closure (debootstrap's minbase); the added packages are filtered as the
        slim image's dpkg configuration filters them, their ``.pyc`` files
        (compiled by Debian's maintainer scripts) are modelled, and dpkg's own
        records of them counted.
        """
        codename = DISTROS[distro]
        index = self.index(codename, arch)
        base, _ = index.closure(_minbase_roots(index))
        base_names = {p.name for p in base}
        added, missing = index.closure(["python3"], present=base_names)
        keep = path_filter(SLIM_EXCLUDES, SLIM_INCLUDES)
        contents = self.contents(added, keep, "slim")
        python = _python_version(index, distro)
        major_minor = tuple(int(x) for x in python.split("-")[0].split(".")[:2])
        size = sum_set(
            added,
            contents,
            compile_python=(major_minor[0], major_minor[1]),
            missing=missing,
        )
        return Computation(
            image=f"debian:{distro.removeprefix('debian')}-slim+python3",
            distro=distro,
            arch=arch,
            python=python,
            size=size,
            base_packages=len(base_names),
            as_of=as_of,
        )

    def minbase(self, distro: str, arch: str, *, as_of: str = "") -> Computation:
        """The ``debian:N-slim`` base as its packages would make it (Priority: required, apt,
        their closure, the slim excludes, dpkg's records): used for the arm64 - amd64
        difference, since only amd64 sizes of the slim images are published."""
        codename = DISTROS[distro]
        index = self.index(codename, arch)
        base, missing = index.closure(_minbase_roots(index))
        keep = path_filter(SLIM_EXCLUDES, SLIM_INCLUDES)
        contents = self.contents(base, keep, "slim")
        size = sum_set(base, contents, missing=missing)
        return Computation(
            image=f"debian:{distro.removeprefix('debian')}-slim",
            distro=distro,
            arch=arch,
            python="",
            size=size,
            base_packages=len(base),
            as_of=as_of,
        )

    def glibc_layer(self, distro: str, arch: str, *, as_of: str = "") -> Computation:
        """distroless ``base-nossl``: its static files and glibc, what a standalone
        CPython needs under it."""
        codename = DISTROS[distro]
        index = self.index(codename, arch)
        names = [*DISTROLESS[distro]["static"], "libc6"]
        packages = [index.packages[n] for n in names if n in index.packages]
        contents = self.contents(packages, lambda path: True, "all")
        return Computation(
            image=f"distroless/base-nossl-{distro}",
            distro=distro,
            arch=arch,
            python="",
            size=sum_set(packages, contents),
            as_of=as_of,
        )


def _minbase_roots(index: PackageIndex) -> list[str]:
    """What debootstrap's minbase variant installs: ``Priority: required``, apt, and
    ``usr-is-merged`` where it exists (debootstrap merges /usr itself, so ``usrmerge``,
    which would pull in perl, is not chosen)."""
    roots = [*index.required(), "apt"]
    if "usr-is-merged" in index.packages:
        roots.append("usr-is-merged")
    return roots


def _python_version(index: PackageIndex, distro: str) -> str:
    minor = {"debian12": "3.11", "debian13": "3.13"}.get(distro, "")
    package = index.packages.get(f"python{minor}-minimal")
    return package.version if package else minor
