"""Above the floor: where a real image's bytes go, as named findings with remedies.

Every visible regular file of the image is put in exactly one bucket, the first that
matches in this order, so the findings' bytes add up without counting a file twice:

==================  ====================================================================
``vcs``             version-control folders (``.git``, ``.hg``, ``.svn``, ``.bzr``)
``stale-python``    site-packages of a Python version no interpreter in the image runs
``pip-cache``       pip's cache (``~/.cache/pip``, ``/root/.cache/pip``)
``tool-cache``      other package managers' caches (uv, Poetry, pipenv, npm, yarn)
``apt-cache``       apt's package lists and downloaded packages (``/var/lib/apt/lists``,
                    ``/var/cache/apt``)
``bytecode-cache``  ``__pycache__`` of build tools (pip, setuptools, wheel, when the
                    requirements do not need them) and of sources copied in (outside
                    site-packages and the standard library)
``compilers``       compilers, headers and ``-dev`` packages (see :mod:`sizefloor.image.system`)
*dependencies*      distributions in the requirements' closure: the floor, not a finding
``extra-packages``  distributions installed but not in the requirements' closure
``base``            what remains of the base image's layers
``system``          system files (``/usr``, ``/etc``, ``/var``…) the build added
``app-folder``      the largest remaining folders (``/app/data``), one finding each;
                    named data and model files when most of their bytes are
==================  ====================================================================

Two more findings are about bytes that ship without being in the filesystem:
``duplicate`` (a file a later layer replaced with the same content: ``chmod -R``,
``chown -R``, a second ``COPY``) and ``hidden`` (deleted or replaced with other content by
a later layer). Their scope is ``shipped``: they are not part of the real size.

When the floor includes a runtime (``--base``), the base layers are compared with it as a
whole: their bytes beyond the runtime are the ``base`` finding, and the other buckets
only take files from the layers built on top.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sizefloor.image.floor import Floor
from sizefloor.image.pythons import Distribution, PythonLayout, python_layout
from sizefloor.image.reader import Image, ImageFile
from sizefloor.image.system import build_package_files, build_path_group

VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr"})
BUILD_TOOLS = {
    "pip": "pip",
    "setuptools": "setuptools",
    "pkg_resources": "setuptools",
    "_distutils_hack": "setuptools",
    "wheel": "wheel",
}
DATA_SUFFIXES = frozenset(
    {
        ".csv", ".tsv", ".parquet", ".feather", ".arrow", ".avro", ".orc", ".jsonl",
        ".npy", ".npz", ".h5", ".hdf5", ".pkl", ".pickle", ".joblib", ".pt", ".pth",
        ".ckpt", ".onnx", ".safetensors", ".tflite", ".pb", ".bin", ".gguf", ".tfrecord",
        ".db", ".sqlite", ".zip", ".gz", ".tar", ".xz", ".zst", ".mp4", ".wav", ".jpg",
        ".jpeg", ".png",
    }
)  # fmt: skip
SYSTEM_ROOTS = frozenset(
    {"usr", "lib", "lib32", "lib64", "libx32", "bin", "sbin", "etc", "var", "run", "boot"}
)
_TOOL_CACHE = re.compile(
    r"^(.*?/\.cache/(uv|pypoetry|pipenv|pip-tools|yarn)|.*?/\.npm/_cacache|.*?/\.cache/huggingface"
    r"/xet)/"
)
_PIP_CACHE = re.compile(r"^(.*?/\.cache/pip)/")
_APT = re.compile(r"^(/var/lib/apt/lists|/var/cache/apt)/")
_STDLIB_DIR = re.compile(r"^.*/lib/python\d\.\d+/")

REMEDIES = {
    "vcs": "Add .git (and the other VCS folders) to .dockerignore; `sizefloor context DIR` "
    "lists what the build context sends.",
    "stale-python": "These packages were built for another Python and are never imported: "
    "install the requirements with the image's own interpreter and drop the copied folder.",
    "pip-cache": "pip install --no-cache-dir (or ENV PIP_NO_CACHE_DIR=1), or a BuildKit cache "
    "mount: RUN --mount=type=cache,target=/root/.cache/pip pip install …",
    "tool-cache": "Clear the cache in the same RUN that fills it, or use a BuildKit cache "
    "mount (RUN --mount=type=cache,target=…).",
    "apt-cache": "End the RUN that installs packages with "
    "`rm -rf /var/lib/apt/lists/*` (and apt-get clean).",
    "bytecode-cache": "Add **/__pycache__ to .dockerignore; remove build tools' bytecode "
    "in the RUN that used them, or set PYTHONDONTWRITEBYTECODE=1 while building.",
    "compilers": "Build wheels in a builder stage and copy only the installed result "
    "(multi-stage build), or purge the build packages in the same RUN "
    "(apt-get purge --auto-remove).",
    "extra-packages": "Installed but not needed by the requirements: remove them from what "
    "is installed (or `pip uninstall` in the same RUN), or start from a base without them.",
    "base": "Choose a smaller base (python:3.X-slim, distroless); `sizefloor REQUIREMENTS "
    "--compare-bases` shows the floor on each.",
    "system": "Install only what runs (--no-install-recommends); move build-only packages "
    "to a builder stage.",
    "app-folder": "Check that it is needed at run time; COPY only what runs and "
    ".dockerignore the rest.",
    "data": "Keep data and models out of the image: mount them or fetch them at start, and "
    "add the folder to .dockerignore.",
    "duplicate": "A later layer rewrote these files unchanged (chmod -R, chown -R, a second "
    "COPY): use COPY --chown/--chmod, or change them in the RUN that creates them.",
    "hidden": "Deleting in a later layer does not shrink the image: delete in the same RUN "
    "that creates them, or build in a separate stage.",
}


@dataclass(frozen=True)
class Culprit:
    """One finding: bytes above the floor with a name and a remedy."""

    kind: str
    title: str
    bytes: int
    files: int
    scope: str
    """``image`` (part of the real size) or ``shipped`` (in the layers only)."""
    remedy: str
    items: tuple[tuple[str, int], ...] = ()
    """The largest parts: (folder, package or layer, with its bytes)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "bytes": self.bytes,
            "files": self.files,
            "scope": self.scope,
            "remedy": self.remedy,
            "items": [{"name": name, "bytes": size} for name, size in self.items],
        }


@dataclass(frozen=True)
class Dependency:
    """A package of the requirements' closure, as the floor sizes it and as the image has it."""

    name: str
    version: str | None
    floor_bytes: int
    image_bytes: int
    installed: bool


@dataclass(frozen=True)
class Audit:
    image: Image
    python: PythonLayout
    floor: Floor | None
    dependencies: tuple[Dependency, ...]
    findings: tuple[Culprit, ...]
    accounted: dict[str, int]
    """Bytes of the real size that are not findings: ``dependencies``, ``runtime`` (the
    base layers' part the runtime explains), ``python-packages`` (without requirements),
    ``unattributed``."""
    warnings: tuple[str, ...]

    @property
    def real_bytes(self) -> int:
        return self.image.real_bytes

    @property
    def findings_bytes(self) -> int:
        return sum(c.bytes for c in self.findings if c.scope == "image")

    @property
    def shipped_only_bytes(self) -> int:
        return sum(c.bytes for c in self.findings if c.scope == "shipped")

    @property
    def ratio(self) -> float | None:
        if self.floor is None or not self.floor.installed_bytes:
            return None
        return self.real_bytes / self.floor.installed_bytes

    @property
    def above_floor(self) -> int | None:
        return None if self.floor is None else self.real_bytes - self.floor.installed_bytes

    @property
    def coverage(self) -> float | None:
        """(floor + findings in the image) / real size."""
        if self.floor is None or not self.real_bytes:
            return None
        return (self.floor.installed_bytes + self.findings_bytes) / self.real_bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "image": self.image.summary_json(),
            "python": self.python.to_json(),
            "floor": self.floor.to_json() if self.floor else None,
            "real_bytes": self.real_bytes,
            "ratio": self.ratio,
            "above_floor_bytes": self.above_floor,
            "findings_bytes": self.findings_bytes,
            "shipped_only_bytes": self.shipped_only_bytes,
            "coverage": self.coverage,
            "accounted": dict(self.accounted),
            "dependencies": [
                {
                    "name": d.name,
                    "version": d.version,
                    "floor_bytes": d.floor_bytes,
                    "image_bytes": d.image_bytes,
                    "installed": d.installed,
                }
                for d in self.dependencies
            ],
            "findings": [c.to_json() for c in self.findings],
            "warnings": list(self.warnings),
        }


class _Buckets:
    """Bytes and files per bucket and key; for application folders, their data files' bytes."""

    def __init__(self) -> None:
        self.bytes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.files: dict[str, int] = defaultdict(int)
        self.data: dict[str, int] = defaultdict(int)

    def add(self, kind: str, key: str, f: ImageFile) -> None:
        self.bytes[kind][key] += f.size
        self.files[kind] += 1
        if kind == "app" and _suffix(f.path) in DATA_SUFFIXES:
            self.data[key] += f.size

    def total(self, kind: str) -> int:
        return sum(self.bytes.get(kind, {}).values())

    def items(self, kind: str, limit: int = 8) -> tuple[tuple[str, int], ...]:
        ranked = sorted(self.bytes.get(kind, {}).items(), key=lambda kv: (-kv[1], kv[0]))
        return tuple(ranked[:limit])


def _folder(path: str, depth: int = 2) -> str:
    parts = path.strip("/").split("/")
    keep = parts[:depth] if len(parts) > depth else parts[: max(1, len(parts) - 1)]
    return "/" + "/".join(keep)


def _upto(path: str, names: Iterable[str]) -> str | None:
    parts = path.split("/")
    for i, part in enumerate(parts):
        if part in names:
            return "/".join(parts[: i + 1])
    return None


def audit(image: Image, floor: Floor | None = None, *, top_folders: int = 5) -> Audit:
    """Compare ``image`` with ``floor`` (or just name its findings, without a floor)."""
    layout = python_layout(image)
    sorter = _Sorter.of(image, layout, floor)
    buckets = _Buckets()
    for f in image.files:
        if f.size:
            buckets.add(*sorter.bucket(f), f)
    findings = _image_findings(buckets, image, floor, top_folders)
    findings += _shipped_findings(image)
    dependencies, dep_warnings = _dependencies(layout, floor, buckets)
    return Audit(
        image=image,
        python=layout,
        floor=floor,
        dependencies=dependencies,
        findings=tuple(findings),
        accounted=_accounted(buckets, findings, floor if sorter.runtime_known else None),
        warnings=tuple(_warnings(image, layout, floor) + dep_warnings),
    )


@dataclass(frozen=True)
class _Sorter:
    """Puts each visible file in the first bucket that matches (the module's table)."""

    owners: dict[str, Distribution]
    """Each attributed file's distribution."""
    stale: tuple[str, ...]
    site_dirs: tuple[str, ...]
    build_files: dict[str, str]
    closure: set[str] | None
    """The requirements' closure (canonical names); ``None`` without a floor."""
    runtime_known: bool
    """The floor includes a runtime: the base layers are compared with it as a whole."""
    base_layers: int

    @classmethod
    def of(cls, image: Image, layout: PythonLayout, floor: Floor | None) -> _Sorter:
        return cls(
            owners=layout.owner_of(),
            stale=tuple(sp.path + "/" for sp in layout.stale),
            site_dirs=tuple(sp.path + "/" for sp in layout.site_packages),
            build_files=build_package_files(image.kept),
            closure=set(floor.packages) if floor is not None else None,
            runtime_known=floor is not None and floor.runtime_bytes is not None,
            base_layers=image.base_layers,
        )

    def bucket(self, f: ImageFile) -> tuple[str, str]:
        """(bucket, the folder, package or group it is listed under)."""
        path = f.path
        guard = self.runtime_known and f.layer < self.base_layers
        dist = self.owners.get(path)
        if vcs := _upto(path, VCS_DIRS):
            return "vcs", vcs
        if path.startswith(self.stale):
            return "stale-python", next(s for s in self.stale if path.startswith(s))[:-1]
        if not guard and (kind_key := _cache(path, self.closure, self.site_dirs)):
            return kind_key
        if not guard and (package := self.build_files.get(path) or build_path_group(path)):
            return "compilers", package
        if dist is not None and self.closure is not None and dist.key in self.closure:
            return "dependencies", dist.key
        if dist is not None and not guard:
            kind = "extra-packages" if self.closure is not None else "python-packages"
            return kind, f"{dist.name} {dist.version}"
        if f.layer < self.base_layers:
            return "base", _folder(path)
        if path.split("/")[1] in SYSTEM_ROOTS:
            return "system", _folder(path)
        return "app", _folder(path)


def _accounted(buckets: _Buckets, findings: list[Culprit], runtime: Floor | None) -> dict[str, int]:
    """The real size's bytes that are not findings (see :attr:`Audit.accounted`)."""
    accounted = {
        "dependencies": buckets.total("dependencies"),
        "python-packages": buckets.total("python-packages"),
    }
    if runtime is not None and runtime.runtime_bytes is not None:
        accounted["runtime"] = min(buckets.total("base"), runtime.runtime_bytes)
    shown = {name for c in findings if c.kind == "app-folder" for name, _ in c.items}
    accounted["unattributed"] = sum(
        size for name, size in buckets.bytes.get("app", {}).items() if name not in shown
    )
    return accounted


def _suffix(path: str) -> str:
    name = path.rsplit("/", 1)[-1].lower()
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def _cache(
    path: str, closure: set[str] | None, site_dirs: tuple[str, ...]
) -> tuple[str, str] | None:
    if m := _PIP_CACHE.match(path):
        return "pip-cache", m.group(1)
    if m := _TOOL_CACHE.match(path):
        return "tool-cache", m.group(1)
    if m := _APT.match(path):
        return "apt-cache", m.group(1)
    if "/__pycache__/" not in path:
        return None
    site = next((s for s in site_dirs if path.startswith(s)), None)
    if site is not None:
        top = path[len(site) :].split("/", 1)[0]
        tool = BUILD_TOOLS.get(top)
        if tool is not None and (closure is None or tool not in closure):
            return "bytecode-cache", site + top
        return None
    if _STDLIB_DIR.match(path):
        return None
    return "bytecode-cache", _folder(path)


_TITLES = {
    "vcs": "VCS folders (.git, .hg…)",
    "stale-python": "site-packages of a Python no interpreter here runs",
    "pip-cache": "pip's cache",
    "tool-cache": "other package managers' caches",
    "apt-cache": "apt's package lists and downloads",
    "bytecode-cache": "__pycache__ of build tools and copied sources",
    "compilers": "compilers, headers and -dev packages",
    "extra-packages": "Python packages not in the requirements' closure",
    "system": "system files the build added",
}
"""The buckets that are findings as they stand, with their titles, in the module's order."""


def _image_findings(
    buckets: _Buckets, image: Image, floor: Floor | None, top_folders: int
) -> list[Culprit]:
    """The findings in the real size, largest first."""
    found = [
        Culprit(
            kind,
            title,
            buckets.total(kind),
            buckets.files[kind],
            "image",
            REMEDIES[kind],
            buckets.items(kind),
        )
        for kind, title in _TITLES.items()
        if buckets.total(kind)
    ]
    found += _base_finding(buckets, image, floor)
    found += _folder_findings(buckets, top_folders)
    found.sort(key=lambda c: (-c.bytes, c.kind))
    return found


def _base_finding(buckets: _Buckets, image: Image, floor: Floor | None) -> list[Culprit]:
    """The base layers' bytes; with a runtime in the floor, only those beyond it."""
    base_total = buckets.total("base")
    if not base_total:
        return []
    layers = f"{image.base_layers} layer{'s' if image.base_layers != 1 else ''}"
    if floor is not None and floor.runtime_bytes is not None:
        beyond = max(0, base_total - floor.runtime_bytes)
        title = f"base image beyond the {floor.runtime_name or 'runtime'} runtime ({layers})"
    else:
        beyond = base_total
        title = f"base image ({layers}: operating system and Python runtime)"
    if not beyond:
        return []
    return [
        Culprit(
            "base",
            title,
            beyond,
            buckets.files["base"],
            "image",
            REMEDIES["base"],
            buckets.items("base"),
        )
    ]


def _folder_findings(buckets: _Buckets, top_folders: int) -> list[Culprit]:
    """The largest application folders, one finding each; data when most bytes are data."""
    folders = sorted(buckets.bytes.get("app", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    found = []
    for folder, size in folders[:top_folders]:
        is_data = buckets.data.get(folder, 0) * 2 >= size
        found.append(
            Culprit(
                "app-folder",
                f"data and model files in {folder}" if is_data else f"application folder {folder}",
                size,
                0,
                "image",
                REMEDIES["data" if is_data else "app-folder"],
                ((folder, size),),
            )
        )
    return found


def _shipped_findings(image: Image) -> list[Culprit]:
    groups: dict[str, dict[str, int]] = {"duplicate": defaultdict(int), "hidden": defaultdict(int)}
    counts = {"duplicate": 0, "hidden": 0}
    for copy in image.shipped_only:
        kind = "duplicate" if copy.same_as is not None else "hidden"
        groups[kind][f"layer {copy.layer + 1}: {_folder(copy.path)}"] += copy.size
        counts[kind] += 1
    titles = {
        "duplicate": "the same file in several layers (shipped, then replaced unchanged)",
        "hidden": "files hidden by a later layer (shipped but not visible)",
    }
    found = []
    for kind, title in titles.items():
        total = sum(groups[kind].values())
        if total:
            items = sorted(groups[kind].items(), key=lambda kv: (-kv[1], kv[0]))[:8]
            found.append(
                Culprit(kind, title, total, counts[kind], "shipped", REMEDIES[kind], tuple(items))
            )
    return found


def _dependencies(
    layout: PythonLayout, floor: Floor | None, buckets: _Buckets
) -> tuple[tuple[Dependency, ...], list[str]]:
    if floor is None:
        return (), []
    in_image = buckets.bytes.get("dependencies", {})
    versions: dict[str, str] = {}
    for sp in layout.site_packages:
        if sp.stale:
            continue
        for dist in sp.distributions:
            versions.setdefault(dist.key, dist.version)
    result = []
    missing = []
    for name, size in sorted(floor.packages.items(), key=lambda kv: (-kv[1], kv[0])):
        installed = name in versions
        result.append(Dependency(name, versions.get(name), size, in_image.get(name, 0), installed))
        if not installed:
            missing.append(name)
    warnings = []
    if missing and layout.site_packages:
        warnings.append(
            "not installed in the image, though the requirements need them: " + ", ".join(missing)
        )
    return tuple(result), warnings


def _warnings(image: Image, layout: PythonLayout, floor: Floor | None) -> list[str]:
    out: list[str] = []
    for sp in layout.stale:
        count = len(sp.distributions)
        out.append(
            f"{sp.path} holds {count} package{'' if count == 1 else 's'} for Python {sp.python}, "
            "but the "
            f"image's interpreter is Python {', '.join(layout.versions)}: they are never "
            "imported (built for another Python, copied in)."
        )
    if floor is not None:
        target = str(floor.target.get("python") or "")
        if layout.default_version and target and target != layout.default_version:
            out.append(
                f"the floor is sized for Python {target}, but the image runs Python "
                f"{layout.default_version}; pass --python {layout.default_version} to compare "
                "like with like."
            )
        platform = str(floor.target.get("platform") or "")
        if platform and image.platform.split("/")[:2] != platform.split("/")[:2]:
            out.append(f"the floor is sized for {platform}, but the image is {image.platform}")
    if image.layers and all(layer.command is None for layer in image.layers):
        out.append("the image's config does not record which command made each layer")
    return out
