"""Where the fat is: what a report's installed file lists say could go.

Each :class:`Finding` names the bytes acting on it would save and a one-line
remedy. They are read from :attr:`PackageSize.contents
<sizefloor.report.PackageSize.contents>`, the files the wheels' central
directories list, so they need no download and no network:

=================  ==================================================================
``tests``          test suites shipped inside packages (``tests/``, ``test/`` folders)
``testing``        test helpers kept as public modules (``numpy/testing/``)
``docs``           documentation and examples (``doc/``, ``docs/``, ``examples/``,
                   ``share/doc``, ``share/man``)
``stubs``          type stubs: ``*.pyi`` files and ``*-stubs`` packages
``sources``        C, C++, Cython and Fortran sources and headers, ``include/``
``bytecode``       ``.pyc`` files shipped in a wheel that the target never loads
``shared-library`` one shared library bundled several times (``numpy.libs/`` and
                   ``scipy.libs/`` each carrying ``libgfortran-040039e1.so.5.0.0``), or
                   installed under several names in one package (``pyarrow``'s
                   ``libarrow_python.so``, ``.so.2600``, ``.so.2600.1.0``)
``large-file``     the largest single files, for a look
``variant``        a known lighter variant of a requirement, sized for the same target
                   (:mod:`sizefloor.analysis.variants`, added by the pipeline)
=================  ==================================================================

A file counts towards one deletable kind at most (the first that matches, in
the order above), so the bytes of the findings add up. A ``shared-library``
finding saves the bytes of its identical copies (hard-linked, a layer stores
one); when the copies are only different builds of one library its bytes are
those besides the largest build, and it is advice (:attr:`Finding.saving` is
``False``), like the ``large-file`` findings, which point at files another
finding may count too. Copies of one library within one package (the names a
library goes by, which a wheel cannot hold as symbolic links) are a finding of
their own: the one copy needed, and the others' bytes saved by symbolic links;
only that one copy then counts towards the copies across packages.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable, Sequence

from sizefloor.report import (
    FINDING_KINDS,
    Finding,
    InstalledFile,
    LargeFile,
    PackageSize,
    largest_files,
)
from sizefloor.units import human

DEFAULT_PREFIX = "/usr/local"
"""Where the official Python images install; used to write runnable remedies."""

KINDS = FINDING_KINDS

TITLES = {
    "tests": "test suites inside packages",
    "testing": "test helpers shipped as modules",
    "docs": "documentation and examples",
    "stubs": "type stubs",
    "sources": "C/C++/Cython sources and headers",
    "bytecode": "bytecode shipped in wheels that the target never loads",
    "shared-library": "the same shared library bundled more than once",
    "large-file": "a large single file",
}

TEST_DIRS = frozenset({"tests", "test"})
HELPER_DIRS = frozenset({"testing"})
DOC_DIRS = frozenset({"doc", "docs", "documentation", "example", "examples", "demo", "demos"})
SOURCE_SUFFIXES = frozenset(
    {
        ".c", ".cc", ".cpp", ".cxx", ".c++",
        ".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".tcc",
        ".pyx", ".pxd", ".pxi",
        ".f", ".f90", ".f95", ".cu", ".cuh",
    }
)  # fmt: skip
LARGE_FILE_BYTES = 5_000_000
"""A file this large or larger can be a ``large-file`` finding."""
LARGE_FILES = 5
"""At most this many ``large-file`` findings."""

_SITE = re.compile(r"^lib/python(?P<version>\d+)\.(?P<minor>\d+)/site-packages/")
_SHARED_LIBRARY = re.compile(
    r"^(?P<base>lib[A-Za-z0-9_+.]*?)(?P<hashes>(?:-[0-9a-f]{8})*)\.so(?P<version>(?:\.\d+)*)$"
)
_CACHE_TAG = re.compile(r"\.(?P<tag>[a-z]+-\d+)(?:\.opt-\d+)?\.pyc$")


# -- classification ----------------------------------------------------------


def site_relative(path: str) -> str | None:
    """``path`` (relative to the prefix) relative to site-packages, or ``None``."""
    match = _SITE.match(path)
    return path[match.end() :] if match else None


def _cache_tag(packages: Sequence[PackageSize]) -> str | None:
    for p in packages:
        for f in p.contents:
            match = _SITE.match(f.path)
            if match:
                return f"cpython-{match.group('version')}{match.group('minor')}"
    return None


def _matched_dir(inner: str, names: frozenset[str]) -> str | None:
    """The first folder of ``inner`` (a site-packages path) named one of ``names``,
    as a path; never inside a ``.dist-info`` folder."""
    parts = inner.split("/")[:-1]
    if parts and parts[0].endswith(".dist-info"):
        return None
    for i, part in enumerate(parts):
        if part in names:
            return "/".join(parts[: i + 1])
    return None


@functools.lru_cache(maxsize=65536)
def _folder_kind(directory: str) -> tuple[str, str] | None:
    """``(kind, folder)`` when a folder of ``directory`` (site-packages relative)
    is a test suite, test helpers or docs; the answer is shared by every file
    in it, so it is worked out once a folder."""
    probe = directory + "/-"
    for kind, names in (("tests", TEST_DIRS), ("testing", HELPER_DIRS), ("docs", DOC_DIRS)):
        folder = _matched_dir(probe, names)
        if folder is not None:
            return kind, folder
    return None


@functools.lru_cache(maxsize=65536)
def _site_folder(directory: str) -> str | None:
    """:func:`site_relative` of a folder, with its trailing slash (``"a/b/"``;
    ``""`` for site-packages itself): the same for every file in it, so worked
    out once a folder."""
    return site_relative(directory + "/")


def _suffix(name: str) -> str:
    """``posixpath.splitext(name)[1].lower()`` for a file name (no ``/``), without
    the generic function's cost: a set has tens of thousands of files. As there,
    leading dots do not start a suffix (``.pyi`` has none, ``.x.pyi`` has one)."""
    dot = name.rfind(".")
    if dot > 0 and (name[0] != "." or name[:dot].strip(".")):
        return name[dot:].lower()
    return ""


def classify(
    path: str, from_wheel: bool, *, cache_tag: str | None, sources: frozenset[str]
) -> tuple[str, str] | None:
    """``(kind, group)`` for a file a deletable finding covers, else ``None``.

    ``path`` is relative to the prefix; ``group`` is the folder (or file) the
    finding lists it under. ``sources`` holds the ``.py`` paths of the set, to
    tell a ``.pyc`` Python loads from one it never does.
    """
    directory, _, name = path.rpartition("/")
    folder = _site_folder(directory)  # "a/b/": the folder relative to site-packages
    if folder is None:
        if path.startswith(("share/doc/", "share/man/")):
            return "docs", "/".join(path.split("/")[:3])
        if path.startswith("include/"):
            return "sources", "/".join(path.split("/")[:3])
        return None
    hit = _folder_kind(folder[:-1])
    if hit is not None:
        return hit
    top = folder.partition("/")[0] if folder else name
    if top.endswith("-stubs"):
        return "stubs", top
    suffix = _suffix(name)
    if suffix == ".pyi":
        return "stubs", top
    if suffix in SOURCE_SUFFIXES:
        return "sources", top
    if from_wheel and suffix in (".pyc", ".pyo") and _dead_bytecode(path, cache_tag, sources):
        return "bytecode", top
    return None


def _dead_bytecode(path: str, cache_tag: str | None, sources: frozenset[str]) -> bool:
    """A ``.pyc`` from a wheel that the target's Python never loads: cached for
    another version, or beside (not instead of) its source."""
    directory, filename = posixpath.split(path)
    if posixpath.basename(directory) == "__pycache__":
        match = _CACHE_TAG.search(filename)
        stem = filename.split(".", 1)[0]
        source = posixpath.join(posixpath.dirname(directory), stem + ".py")
        return match is None or match.group("tag") != cache_tag or source not in sources
    return path[:-1] in sources  # legacy foo.pyc next to foo.py: the source wins


# -- findings ----------------------------------------------------------------


class _Tally:
    def __init__(self) -> None:
        self.bytes = 0
        self.files = 0
        self.packages: dict[str, int] = {}
        self.groups: dict[str, int] = {}

    def add(self, package: str, group: str, size: int) -> None:
        self.bytes += size
        self.files += 1
        self.packages[package] = self.packages.get(package, 0) + size
        self.groups[group] = self.groups.get(group, 0) + size


def _largest(items: dict[str, int], limit: int | None = None) -> tuple[tuple[str, int], ...]:
    ranked = sorted(items.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(ranked[:limit] if limit is not None else ranked)


def find(packages: Sequence[PackageSize], *, prefix: str = DEFAULT_PREFIX) -> list[Finding]:
    """The findings for a report's packages, largest saving first."""
    cache_tag = _cache_tag(packages)
    site = _site_dir(packages, prefix)
    sources = frozenset(f.path for p in packages for f in p.contents if f.path.endswith(".py"))
    tallies: dict[str, _Tally] = {}
    claimed: set[tuple[str, str]] = set()
    for p in packages:
        for f in p.contents:
            hit = classify(f.path, f.from_wheel, cache_tag=cache_tag, sources=sources)
            if hit is not None:
                kind, group = hit
                tally = tallies.get(kind)
                if tally is None:
                    tally = tallies[kind] = _Tally()
                tally.add(p.name, group, f.size)
                claimed.add((p.name, f.path))
    findings = [
        Finding(
            kind=kind,
            title=TITLES[kind],
            bytes=t.bytes,
            files=t.files,
            packages=_largest(t.packages),
            paths=_largest(t.groups, 10),
            remedy=_remedy(kind, site, cache_tag),
        )
        for kind, t in tallies.items()
    ]
    findings += _shared_libraries(packages, claimed, site)
    findings.sort(key=lambda f: (not f.saving, -f.bytes, KINDS.index(f.kind), f.paths))
    findings += _large_files(packages, site)
    return findings


def savings(findings: Iterable[Finding]) -> int:
    """The bytes all the saving findings together would save (they do not overlap)."""
    return sum(f.bytes for f in findings if f.saving)


def _site_dir(packages: Sequence[PackageSize], prefix: str) -> str:
    for p in packages:
        for f in p.contents:
            match = _SITE.match(f.path)
            if match:
                return f"{prefix.rstrip('/')}/{match.group(0).rstrip('/')}"
    return f"{prefix.rstrip('/')}/lib/python3/site-packages"


def _remedy(kind: str, site: str, cache_tag: str | None) -> str:
    if kind == "tests":
        return (
            "Not needed at run time: delete them after pip install, e.g. "
            f"`find {site} -type d \\( -name tests -o -name test \\) -prune -exec rm -rf {{}} +`"
        )
    if kind == "testing":
        return (
            "Test helpers that are importable modules: delete them only if nothing your "
            "service runs imports them (`rm -rf` the folders listed)"
        )
    if kind == "docs":
        return (
            "Not needed at run time: delete after install, e.g. "
            f"`find {site} -type d \\( -name doc -o -name docs -o -name examples \\) "
            "-prune -exec rm -rf {} +` and `rm -rf /usr/local/share/doc /usr/local/share/man`"
        )
    if kind == "stubs":
        return (
            "Read by type checkers only: move *-stubs and types-* packages to development "
            f"requirements, and `find {site} -name '*.pyi' -delete`"
        )
    if kind == "sources":
        return (
            "Needed only to compile against these packages: delete them in the final stage, "
            f"`find {site} -regex '.*\\.\\(c\\|cc\\|cpp\\|h\\|hpp\\|pyx\\|pxd\\|pxi\\)' -delete`"
        )
    if kind == "bytecode":
        keep = f"*.{cache_tag}.pyc" if cache_tag else "*.cpython-3*.pyc"
        return (
            "Bytecode for another Python, or shadowed by its source: never loaded; "
            f"`find {site} -name '*.pyc' ! -name '{keep}' -delete`"
        )
    raise ValueError(kind)


def _shared_libraries(
    packages: Sequence[PackageSize], claimed: set[tuple[str, str]], site: str
) -> list[Finding]:
    groups: dict[str, list[tuple[str, InstalledFile]]] = {}
    names: dict[tuple[str, str], list[InstalledFile]] = {}  # (package, folder + name): copies
    for p in packages:
        for f in p.contents:
            # every name the pattern matches has ".so" in it: most files go at this test
            if ".so" not in f.path or (p.name, f.path) in claimed:
                continue
            match = _SHARED_LIBRARY.match(posixpath.basename(f.path))
            if match is not None:
                groups.setdefault(library_key(match.group("base")), []).append((p.name, f))
                stem = posixpath.dirname(f.path) + "/" + match.group("base") + match.group("hashes")
                names.setdefault((p.name, stem), []).append(f)
    findings, redundant = _copies_within(names, site)
    for key, found in groups.items():
        copies = [(name, f) for name, f in found if (name, f.path) not in redundant]
        if len(copies) >= 2:
            findings.append(_across_packages(key, copies, site))
    return findings


def _copies_within(
    names: dict[tuple[str, str], list[InstalledFile]], site: str
) -> tuple[list[Finding], set[tuple[str, str]]]:
    """One library installed under several names in one package (``libarrow_python.so``,
    ``.so.2600``, ``.so.2600.1.0``: wheels cannot hold symbolic links, so each name is a
    whole copy). The loader needs one file; the others can be symbolic links to it."""
    findings: list[Finding] = []
    redundant: set[tuple[str, str]] = set()
    for (package, _), copies in names.items():
        if len(copies) < 2:
            continue
        # the one needed: the fully versioned name (the real file), the largest on a tie
        keep = max(copies, key=lambda f: (f.path.count("."), f.size, f.path))
        others = sorted((f for f in copies if f is not keep), key=lambda f: f.path)
        redundant.update((package, f.path) for f in others)
        saved = sum(f.size for f in others)
        folder = posixpath.dirname(keep.path)
        where = site_relative(folder)
        prefix = site.split("/lib/python")[0]
        target = f"{site}/{where}" if where is not None else f"{prefix}/{folder}"
        name = posixpath.basename(keep.path)
        links = " && ".join(f"ln -sf {name} {posixpath.basename(f.path)}" for f in others)
        remedy = (
            f"{len(copies)} copies of one library in {package} (wheels cannot hold symbolic "
            f"links, so each name it goes by is a whole file); the loader needs one, {name}: "
            f"replace the others with symbolic links in the same RUN as pip install, "
            f"`cd {target} && {links}`, to save {human(saved)}"
        )
        if len({f.size for f in copies}) > 1:
            remedy += (
                "; their sizes differ: check that the package loads only one "
                "(`readelf -d` on its extension modules names it) before linking"
            )
        findings.append(
            Finding(
                kind="shared-library",
                title=f"{name} installed {len(copies)} times in {package}",
                bytes=saved,
                files=len(copies),
                packages=((package, sum(f.size for f in copies)),),
                saving=True,
                paths=_largest({display_path(f.path): f.size for f in copies}, 10),
                remedy=remedy,
            )
        )
    return findings, redundant


def _across_packages(key: str, copies: list[tuple[str, InstalledFile]], site: str) -> Finding:
    """One library bundled by several packages: identical copies can be hard-linked;
    different builds go only with their own package."""
    by_package: dict[str, int] = {}
    builds: dict[tuple[str, int], int] = {}  # (file name, size) -> copies: same = identical
    for name, f in copies:
        by_package[name] = by_package.get(name, 0) + f.size
        build = (posixpath.basename(f.path), f.size)
        builds[build] = builds.get(build, 0) + 1
    linkable = sum((count - 1) * size for (_, size), count in builds.items())
    others = sum(size for _, size in builds) - max(size for _, size in builds)
    remedy = f"{len(copies)} copies in {', '.join(sorted(by_package))}"
    if linkable:
        remedy += (
            f"; the identical ones can be hard-linked in the same RUN as pip install "
            f"(`hardlink {site}`, util-linux) to save {human(linkable)}"
        )
    if len(builds) > 1:
        remedy += (
            f"; {len(builds)} different builds ({human(others)} besides the largest) are "
            "not interchangeable: they go only with one of the packages"
        )
    return Finding(
        kind="shared-library",
        title=f"{key} bundled {len(copies)} times",
        bytes=linkable or others,
        files=len(copies),
        packages=_largest(by_package),
        saving=bool(linkable),
        paths=_largest({display_path(f.path): f.size for _, f in copies}, 10),
        remedy=remedy,
    )


def library_key(base: str) -> str:
    """What copies of one library have in common: ``libgfortran`` for
    ``libgfortran-040039e1.so.5.0.0``; every OpenBLAS build is ``openblas``."""
    key = base.lower()
    if "openblas" in key:
        return "openblas"
    return key


def _large_files(packages: Sequence[PackageSize], site: str) -> list[Finding]:
    found = []
    for item in largest_files(packages, LARGE_FILES):
        if item.size < LARGE_FILE_BYTES:
            break
        found.append(
            Finding(
                kind="large-file",
                title=f"{TITLES['large-file']} in {item.package}",
                bytes=item.size,
                files=1,
                packages=((item.package, item.size),),
                paths=((display_path(item.path), item.size),),
                remedy=(
                    f"One of the {LARGE_FILES} largest files of the set, a fact to know where "
                    f"the bytes are; `--why {item.package}` shows what pulls {item.package} in"
                ),
                saving=False,
            )
        )
    return found


def display_path(path: str) -> str:
    """``path`` relative to site-packages when it is in there, else to the prefix."""
    inner = site_relative(path)
    return inner if inner is not None else path


def folders(package: PackageSize, depth: int = 2) -> list[tuple[str, int]]:
    """``package``'s bytes by folder, ``depth`` levels below site-packages (or the
    prefix), largest first; files at a shallower level are grouped under their folder."""
    sizes: dict[str, int] = {}
    for f in package.contents:
        inner = site_relative(f.path)
        parts = (inner if inner is not None else f.path).split("/")[:-1]
        key = "/".join(parts[:depth]) if parts else "."
        sizes[key] = sizes.get(key, 0) + f.size
    return list(_largest(sizes))


__all__ = [
    "KINDS",
    "Finding",
    "LargeFile",
    "classify",
    "display_path",
    "find",
    "folders",
    "largest_files",
    "library_key",
    "savings",
    "site_relative",
]
