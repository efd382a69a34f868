"""The result of an estimate, as immutable values.

:func:`sizefloor.estimate` returns a :class:`Report`; the output formats in
:mod:`sizefloor.render.formats` render one. Nothing here does I/O.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from packaging.utils import canonicalize_name

JSON_SCHEMA_VERSION = 1


class InstalledFile(NamedTuple):
    """One regular file the installer writes."""

    path: str
    """Relative to the prefix: ``lib/python3.12/site-packages/numpy/__init__.py``."""
    size: int
    from_wheel: bool = True
    """``False`` for what the installer writes itself: RECORD, INSTALLER, launchers, .pyc."""


@dataclass(frozen=True)
class PackageSize:
    """What one distribution costs once installed on the target."""

    name: str
    """The project name as the index spells it."""
    version: str
    filename: str | None
    """The wheel (or sdist) that was sized; ``None`` for an unsized requirement."""
    installed_bytes: int
    """Sum of the sizes of the regular files the installer writes."""
    disk_bytes: int
    """What ``du`` reports: files rounded up to 4 KiB blocks, directories included."""
    download_bytes: int
    """The size of the distribution file: what a pull of it transfers."""
    files: int
    """How many regular files the installer writes."""
    exact: bool
    """``True`` when every byte was read from the wheel's own directory."""
    error_bytes: int = 0
    """How far ``installed_bytes`` could be off, either way (0 when exact)."""
    bytecode_bytes: int = 0
    """The part of ``installed_bytes`` that is ``.pyc`` files."""
    bytecode_exact: bool = False
    """The ``.pyc`` sizes were compiled (``--exact-bytecode``), not modelled."""
    required_by: tuple[str, ...] = ()
    """Direct dependents; ``"-r FILE"`` style origins for top-level requirements."""
    requested: bool = False
    """Named directly by the user's requirements."""
    note: str | None = None
    """Why the figure is estimated, when it is."""
    url: str | None = None
    """Where the file was read from (credentials removed)."""
    contents: tuple[InstalledFile, ...] = field(default=(), repr=False)
    """Every file installed, sorted by path (empty when sized from an sdist).
    Left out of :meth:`to_json`; :mod:`sizefloor.analysis.findings` reads it."""

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with :attr:`contents` as three columns: as named tuples, a
        56-package report's 28,000 files took 71 ms to pickle into the result
        cache at the end of every cold run, and about as long to load warm."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "contents"}
        kept = self.__dict__.get(_CONTENTS)
        if isinstance(kept, _Columns):  # loaded and never read: pickled as it came
            return (_package_size, (values, kept.columns))
        contents = self.contents
        columns = (
            "\0".join(f.path for f in contents),  # a path holds no NUL
            array("q", [f.size for f in contents]).tobytes(),
            bytes(f.from_wheel for f in contents),
        )
        return (_package_size, (values, columns))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "filename": self.filename,
            "installed_bytes": self.installed_bytes,
            "disk_bytes": self.disk_bytes,
            "download_bytes": self.download_bytes,
            "files": self.files,
            "bytecode_bytes": self.bytecode_bytes,
            "bytecode_exact": self.bytecode_exact,
            "exact": self.exact,
            "error_bytes": self.error_bytes,
            "required_by": list(self.required_by),
            "requested": self.requested,
            "note": self.note,
            "url": self.url,
        }


def _package_size(values: dict[str, Any], columns: tuple[str, bytes, bytes]) -> PackageSize:
    """A :class:`PackageSize` from what its ``__reduce__`` gave; its files stay packed until
    something reads :attr:`~PackageSize.contents`."""
    package = PackageSize(**values)
    package.__dict__[_CONTENTS] = _Columns(columns)
    return package


_CONTENTS = "_contents"
"""Where a :class:`PackageSize` keeps its files (:class:`_ContentsSlot`)."""


class _Columns:
    """A package's files as they were pickled: paths, sizes and origins in three columns."""

    __slots__ = ("columns",)

    def __init__(self, columns: tuple[str, bytes, bytes]) -> None:
        self.columns = columns

    def unpack(self) -> tuple[InstalledFile, ...]:
        joined, packed_sizes, from_wheel = self.columns
        sizes = array("q")
        sizes.frombytes(packed_sizes)
        paths = joined.split("\0") if sizes else []
        return tuple(map(InstalledFile, paths, sizes.tolist(), map(bool, from_wheel)))


class _ContentsSlot:
    """:attr:`PackageSize.contents`, unpacked on first read. A remembered estimate loads
    whole reports (a 240-package monolith's is 48,000 files, three times over with
    its measured variants) to answer with totals the findings already hold: making
    every file's tuple took half of a warm run."""

    def __get__(self, package: object, owner: type | None = None) -> Any:
        if package is None:
            return ()  # the field's default, as the dataclass reads it
        kept = package.__dict__.get(_CONTENTS, ())
        if isinstance(kept, _Columns):
            kept = package.__dict__[_CONTENTS] = kept.unpack()
        return kept

    def __set__(self, package: object, value: tuple[InstalledFile, ...]) -> None:
        package.__dict__[_CONTENTS] = value


setattr(PackageSize, "contents", _ContentsSlot())  # noqa: B010 (a descriptor mypy would refuse)


@dataclass(frozen=True)
class Unsized:
    """A requirement that cannot be sized without building it."""

    requirement: str
    origin: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "origin": self.origin, "reason": self.reason}


@dataclass(frozen=True)
class Totals:
    installed_bytes: int
    disk_bytes: int
    download_bytes: int
    files: int
    error_bytes: int = 0

    @classmethod
    def of(cls, packages: Sequence[PackageSize]) -> Totals:
        return cls(
            installed_bytes=sum(p.installed_bytes for p in packages),
            disk_bytes=sum(p.disk_bytes for p in packages),
            download_bytes=sum(p.download_bytes for p in packages),
            files=sum(p.files for p in packages),
            error_bytes=sum(p.error_bytes for p in packages),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "installed_bytes": self.installed_bytes,
            "disk_bytes": self.disk_bytes,
            "download_bytes": self.download_bytes,
            "files": self.files,
            "error_bytes": self.error_bytes,
        }


@dataclass(frozen=True)
class RuntimePart:
    """One part of a measured interpreter (``--base host``): stdlib, lib-dynload, tests, ..."""

    name: str
    bytes: int
    disk_bytes: int
    files: int
    in_floor: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "bytes": self.bytes,
            "disk_bytes": self.disk_bytes,
            "files": self.files,
            "in_floor": self.in_floor,
        }


@dataclass(frozen=True)
class RuntimeSize:
    """The base under the dependencies: the Python runtime and the image around it."""

    base: str
    """``python:3.12-slim``, ``distroless-debian12``, ``host``, ``none``."""
    python: str | None
    installed_bytes: int
    """Sum of its file sizes: what ``docker images`` shows for the base image."""
    download_bytes: int
    """Its compressed layers: what a pull transfers."""
    disk_bytes: int
    source: str
    exact: bool
    """``False`` when ``installed_bytes`` is an estimate (e.g. arm64 uncompressed sizes)."""
    image: str | None = None
    """The exact image the figures are for: ``python:3.12.14-slim-trixie``."""
    arch: str | None = None
    as_of: str | None = None
    method: str | None = None
    """``published``, ``computed``, ``measured`` or ``estimated``."""
    error_bytes: int = 0
    note: str | None = None
    parts: tuple[RuntimePart, ...] = ()
    chosen_by: str = "--base"
    """``--base`` when the user named it; ``default`` when it is the smallest catalogued
    runtime that runs the target, added because no base was named."""

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "base": self.base,
            "python": self.python,
            "installed_bytes": self.installed_bytes,
            "download_bytes": self.download_bytes,
            "disk_bytes": self.disk_bytes,
            "source": self.source,
            "exact": self.exact,
            "image": self.image,
            "arch": self.arch,
            "as_of": self.as_of,
            "method": self.method,
            "error_bytes": self.error_bytes,
            "note": self.note,
            "chosen_by": self.chosen_by,
        }
        if self.parts:
            document["parts"] = [p.to_json() for p in self.parts]
        return document


@dataclass(frozen=True)
class Floor:
    """The smallest image that runs the requirements: the runtime plus the dependencies."""

    installed_bytes: int
    disk_bytes: int
    download_bytes: int
    error_bytes: int = 0
    exact: bool = True

    @classmethod
    def of(cls, runtime: RuntimeSize | None, totals: Totals, exact: bool) -> Floor:
        if runtime is None:
            return cls(
                totals.installed_bytes, totals.disk_bytes, totals.download_bytes,
                totals.error_bytes, exact,
            )  # fmt: skip
        return cls(
            installed_bytes=runtime.installed_bytes + totals.installed_bytes,
            disk_bytes=runtime.disk_bytes + totals.disk_bytes,
            download_bytes=runtime.download_bytes + totals.download_bytes,
            error_bytes=runtime.error_bytes + totals.error_bytes,
            exact=exact and runtime.exact,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "installed_bytes": self.installed_bytes,
            "disk_bytes": self.disk_bytes,
            "download_bytes": self.download_bytes,
            "error_bytes": self.error_bytes,
            "exact": self.exact,
        }


FINDING_KINDS = (
    "tests",
    "testing",
    "docs",
    "stubs",
    "sources",
    "bytecode",
    "shared-library",
    "large-file",
    "variant",
)
"""What a :class:`Finding` can be about: the kinds :mod:`sizefloor.analysis.findings` finds, and
``variant`` (:mod:`sizefloor.analysis.variants`); ``--ignore`` takes each."""


@dataclass(frozen=True)
class Finding:
    """Something in the installed files that could go, and what it would save."""

    kind: str
    """One of :data:`FINDING_KINDS`."""
    title: str
    bytes: int
    """What acting on it saves (for ``large-file``: the file's size)."""
    files: int
    """How many files it concerns."""
    packages: tuple[tuple[str, int], ...]
    """(package, bytes), largest first."""
    paths: tuple[tuple[str, int], ...]
    """(folder or file, bytes), largest first, at most 10; site-packages paths are
    relative to site-packages, others to the prefix."""
    remedy: str
    """What to do about it, in one line."""
    saving: bool = True
    """``False`` for advice whose bytes may be counted by another finding."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "bytes": self.bytes,
            "files": self.files,
            "saving": self.saving,
            "packages": [{"name": n, "bytes": b} for n, b in self.packages],
            "paths": [{"path": p, "bytes": b} for p, b in self.paths],
            "remedy": self.remedy,
        }


@dataclass(frozen=True)
class LargeFile:
    """One file of the set, with the package that installs it."""

    package: str
    path: str
    """Relative to the prefix."""
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"package": self.package, "path": self.path, "bytes": self.size}


def largest_files(packages: Iterable[PackageSize], n: int) -> list[LargeFile]:
    """The ``n`` largest files across ``packages``, largest first."""
    ranked = heapq.nsmallest(
        max(n, 0),
        ((-f.size, p.name, f.path) for p in packages for f in p.contents),
    )
    return [LargeFile(name, path, -negative) for negative, name, path in ranked]


@dataclass(frozen=True)
class PackageLinks:
    """Where one package sits in the dependency graph."""

    dependencies: tuple[str, ...]
    """What it requires (canonical names), largest first."""
    unique_bytes: int | None
    """For a top-level requirement: the bytes only it pulls in (``None`` for the others)."""
    retained_bytes: int
    """It and what only it pulls in: what would go with it."""


@dataclass(frozen=True)
class RequirementShare:
    """One top-level requirement's part of the total."""

    name: str
    origins: tuple[str, ...]
    """Where it is required (``requirements.txt:3``)."""
    unique_bytes: int
    """What dropping it saves: the packages only it pulls in."""
    reachable_bytes: int
    """It and everything below it, each counted once."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "origins": list(self.origins),
            "unique_bytes": self.unique_bytes,
            "reachable_bytes": self.reachable_bytes,
        }


@dataclass(frozen=True)
class Analysis:
    """What the packages say beyond their sizes, worked out once by
    :func:`sizefloor.analysis.summary.analyse` and kept with the report."""

    links: Mapping[str, PackageLinks]
    """Canonical package name -> its place in the graph."""
    requirements: tuple[RequirementShare, ...]
    shared_bytes: int
    """Bytes of packages that more than one top-level requirement pulls in."""
    unattached_bytes: int
    """Bytes of packages no top-level requirement reaches."""
    findings: tuple[Finding, ...]

    @property
    def findings_bytes(self) -> int:
        """What the saving findings together would save (they do not overlap)."""
        return sum(f.bytes for f in self.findings if f.saving)


@dataclass(frozen=True)
class ImageAddition:
    """Something a Dockerfile puts in its image that the floor does not need."""

    kind: str
    """``system-package``, ``build-tool``, ``package-lists``, ``cache``, ``installer``,
    ``dev-group``, ``venv-pip`` or ``build-context``."""
    name: str
    """What it is: ``gcc``, ``pip's cache``, ``COPY . .``."""
    origin: str
    """Where the Dockerfile adds it: ``Dockerfile:12``."""
    bytes: int | None
    """Its size when it was measured (or estimated, see :attr:`exact`); ``None``: not sized."""
    exact: bool
    """``False`` when :attr:`bytes` is an estimate."""
    detail: str
    """How it was sized, or why it was not."""
    remedy: str
    """What to do about it, in one line."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "origin": self.origin,
            "bytes": self.bytes,
            "exact": self.exact,
            "detail": self.detail,
            "remedy": self.remedy,
        }


@dataclass(frozen=True)
class DockerfileReport:
    """What a Dockerfile given as the input builds, beside the floor of its image."""

    path: str
    image: str
    """The final stage's ``FROM`` image (followed through ``FROM <stage>``)."""
    stage: str
    """The final stage's name (or index)."""
    base: str | None
    """The base it stands for (as ``--base`` spells it); ``None`` when ``--base`` named one
    for an image sizefloor has no sizes for."""
    additions: tuple[ImageAddition, ...] = ()
    additions_bytes: int = 0
    """The sized additions together (system packages shared by several counted once)."""
    additions_exact: bool = True
    unfollowed: tuple[str, ...] = ()
    """Lines that could not be followed, each with what was assumed (``Dockerfile:7: ...``)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "image": self.image,
            "stage": self.stage,
            "base": self.base,
            "additions": [a.to_json() for a in self.additions],
            "additions_bytes": self.additions_bytes,
            "additions_exact": self.additions_exact,
            "unfollowed": list(self.unfollowed),
        }


@dataclass(frozen=True)
class BytecodeSizing:
    """How the ``.pyc`` bytes were sized, by which interpreter, and how far off they may be."""

    method: str
    """``compiled`` (``--exact-bytecode``), ``calibrated`` (the model corrected by modules
    compiled) or ``modelled`` (the model alone)."""
    bytes: int
    """The ``.pyc`` bytes of the estimate (packages sized from wheels)."""
    error_bytes: int
    """Their stated error, either way: the root-sum-square of the packages' when calibrated
    (their sampling errors are independent), the sum when modelled alone."""
    interpreter: Mapping[str, str] | None = None
    """The CPython that compiled: ``executable``, ``version``, ``found`` (where it was
    found: ``running``, ``--python-exe``, ``PATH``, ``pyenv``, ``uv``...)."""
    python: str = ""
    """The target's Python, ``X.Y``."""
    reason: str = ""
    """Why the model alone, when it is: ``--model-bytecode``, or that no CPython of the
    target's version was found (and where sizefloor looked)."""
    hint: str | None = None
    """The command that gets an interpreter, when none was found (``uv python install
    3.12``): run it, then run sizefloor again."""

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "bytes": self.bytes,
            "error_bytes": self.error_bytes,
            "interpreter": dict(self.interpreter) if self.interpreter is not None else None,
            "reason": self.reason or None,
            "hint": self.hint,
        }


@dataclass(frozen=True)
class Report:
    """Everything an estimate found, sorted largest package first."""

    sizefloor_version: str
    target: Mapping[str, Any]
    """The target as :meth:`sizefloor.target.Target.to_json` describes it."""
    packages: tuple[PackageSize, ...]
    totals: Totals
    unsized: tuple[Unsized, ...] = ()
    warnings: tuple[str, ...] = ()
    compile_bytecode: bool = True
    sources: tuple[str, ...] = ()
    """The requirements files (or ``"<strings>"``) the estimate read."""
    indexes: tuple[str, ...] = field(default=())
    """The index URLs used, credentials removed."""
    transfer: Mapping[str, int] = field(default_factory=dict)
    """What this run transferred: requests, and bytes on the wire for index pages,
    wheel files and separate metadata files (0 for what came from the cache)."""
    runtime: RuntimeSize | None = None
    """The base the dependencies run on (``--base``); ``None`` when none was named."""
    image_bytes: int | None = None
    """A real image's size to compare with the floor (``--image-size``)."""
    analysis: Analysis | None = None
    """The graph and the findings (:mod:`sizefloor.analysis`); every estimate has them."""
    dockerfile: DockerfileReport | None = None
    """What the Dockerfile given as the input adds to its image beside the floor."""
    bytecode: BytecodeSizing | None = None
    """How the ``.pyc`` bytes were sized (``None`` with ``--no-compile``)."""

    @property
    def floor(self) -> Floor:
        """Runtime plus dependencies (the dependencies alone without a base)."""
        return Floor.of(self.runtime, self.totals, self.exact)

    @property
    def exact(self) -> bool:
        return all(p.exact for p in self.packages) and not self.unsized

    def package(self, name: str) -> PackageSize:
        """The entry for ``name`` (any spelling PEP 503 treats as equal)."""
        wanted = canonicalize_name(name)
        for p in self.packages:
            if canonicalize_name(p.name) == wanted:
                return p
        raise KeyError(name)

    def to_json(self, *, files: bool = False, top: int = 0) -> dict[str, Any]:
        """The report as JSON (``docs/json-schema.md``); ``files`` adds each package's
        installed files, ``top`` the ``top`` largest files of the set."""
        document = {
            "schema_version": JSON_SCHEMA_VERSION,
            "sizefloor": self.sizefloor_version,
            "target": dict(self.target),
            "compile_bytecode": self.compile_bytecode,
            "bytecode": self.bytecode.to_json() if self.bytecode is not None else None,
            "sources": list(self.sources),
            "indexes": list(self.indexes),
            "packages": [self._package_json(p, files) for p in self.packages],
            "unsized": [u.to_json() for u in self.unsized],
            "totals": self.totals.to_json(),
            "exact": self.exact,
            "transfer": dict(self.transfer),
            "warnings": list(self.warnings),
            "runtime": self.runtime.to_json() if self.runtime else None,
            "floor": self.floor.to_json(),
        }
        if self.image_bytes is not None:
            floor = self.floor.installed_bytes
            document["image"] = {
                "bytes": self.image_bytes,
                "ratio": round(self.image_bytes / floor, 3) if floor else None,
                "above_floor_bytes": self.image_bytes - floor,
            }
        if self.analysis is not None:
            document["requirements"] = [r.to_json() for r in self.analysis.requirements]
            document["shared_bytes"] = self.analysis.shared_bytes
            document["unattached_bytes"] = self.analysis.unattached_bytes
            document["findings"] = [f.to_json() for f in self.analysis.findings]
            document["findings_bytes"] = self.analysis.findings_bytes
        if self.dockerfile is not None:
            document["dockerfile"] = self.dockerfile.to_json()
        if top:
            document["largest_files"] = [f.to_json() for f in largest_files(self.packages, top)]
        return document

    def _package_json(self, package: PackageSize, files: bool) -> dict[str, Any]:
        entry = package.to_json()
        if self.analysis is not None:
            links = self.analysis.links[canonicalize_name(package.name)]
            entry["dependencies"] = list(links.dependencies)
            entry["unique_bytes"] = links.unique_bytes
            entry["retained_bytes"] = links.retained_bytes
        if files:
            entry["contents"] = [
                {"path": f.path, "bytes": f.size, "from_wheel": f.from_wheel}
                for f in package.contents
            ]
        return entry
