"""What an installer writes for one wheel: the model behind every figure.

Given a wheel's member list (:class:`sizefloor.dists.wheel.WheelInfo`), this
module lists the files pip writes into the image, with their sizes:

- every member, ``.data/purelib`` and ``.data/platlib`` moved into
  site-packages, ``.data/scripts`` into ``bin/`` (a ``#!python`` first line
  rewritten to the interpreter's path), ``.data/headers`` and ``.data/data``
  where pip puts them; a name listed twice is written once;
- the rewritten ``RECORD`` (one ``path,hash,size`` row a file, CRLF, sorted),
  ``INSTALLER``, ``REQUESTED`` for requested projects, ``direct_url.json``
  for URL requirements;
- one launcher a console or GUI entry point (pip's template);
- ``__pycache__/*.cpython-XY.pyc`` for every ``.py`` file when compiling:
  these sizes are a fitted model (:mod:`sizefloor.install.bytecode`), the only part
  that is not exact, unless the modules were compiled (``compiled``, see
  :mod:`sizefloor.install.exact`): then they are exact too. When only a sample
  was compiled, the model of the others is corrected by it
  (:mod:`sizefloor.install.calibrate`).

Sizes are bytes of regular files. ``disk_bytes`` models ``du``: each file
rounded up to 4 KiB blocks, each directory one block per 4 KiB of entries.
"""

from __future__ import annotations

import configparser
import itertools
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sizefloor.dists.wheel import WheelInfo
from sizefloor.install import bytecode, calibrate

BLOCK = 4096
HASH_FIELD = len("sha256=") + 43
"""A RECORD hash field as wheels write it: sha256, urlsafe base64 without padding."""

LAUNCHER_TEMPLATES: tuple[tuple[tuple[int, int], str], ...] = (
    # pip 26 and later: no coding line, str.removesuffix
    (
        (26, 0),
        "import sys\n"
        "from {module} import {import_name}\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n"
        "    sys.exit({func}())\n",
    ),
    # pip 25: its own template, without `import re`
    (
        (25, 0),
        "# -*- coding: utf-8 -*-\n"
        "import sys\n"
        "from {module} import {import_name}\n"
        "if __name__ == '__main__':\n"
        "    if sys.argv[0].endswith('-script.pyw'):\n"
        "        sys.argv[0] = sys.argv[0][:-11]\n"
        "    elif sys.argv[0].endswith('.exe'):\n"
        "        sys.argv[0] = sys.argv[0][:-4]\n"
        "    sys.exit({func}())\n",
    ),
    # older pip: distlib's template
    (
        (0, 0),
        "# -*- coding: utf-8 -*-\n"
        "import re\n"
        "import sys\n"
        "from {module} import {import_name}\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
        "    sys.exit({func}())\n",
    ),
)
"""The launcher pip writes for an entry point (after the ``#!`` line), by pip version."""


def launcher_template(pip_version: tuple[int, int]) -> str:
    for since, template in LAUNCHER_TEMPLATES:
        if pip_version >= since:
            return template
    return LAUNCHER_TEMPLATES[-1][1]


_PYTHON_SHEBANG = re.compile(rb"^#!python[w0-9.]*([ \t].*)?$")


@dataclass(frozen=True)
class InstallScheme:
    """Where pip puts what it installs (its install scheme: site-packages, scripts,
    headers, data), relative to the image's prefix, and what it writes into
    launchers and scripts."""

    python_version: tuple[int, int]
    prefix: str = "/usr/local"
    executable: str | None = None
    """The interpreter path written into launchers; default ``{prefix}/bin/pythonX.Y``."""
    pip_version: tuple[int, int] = (26, 0)
    """The pip that installs: its launcher template differs between versions."""

    @property
    def site_packages(self) -> str:
        major, minor = self.python_version
        return f"lib/python{major}.{minor}/site-packages"

    @property
    def shebang(self) -> bytes:
        major, minor = self.python_version
        exe = self.executable or f"{self.prefix}/bin/python{major}.{minor}"
        return b"#!" + exe.encode() + b"\n"

    def headers_dir(self, project: str) -> str:
        major, minor = self.python_version
        return f"include/python{major}.{minor}/{project}"


@dataclass(frozen=True)
class InstallPlan:
    """The files one wheel puts into the image."""

    files: tuple[tuple[str, int], ...]
    """(path relative to the prefix, size) of every regular file, bytecode included."""
    bytecode_bytes: int
    bytecode_error: int
    """How far the modelled bytecode could be off, either way."""
    directories: frozenset[str]
    """Directories the files live in (relative to the prefix, the prefix's own excluded)."""
    generated: frozenset[str] = frozenset()
    """The files the installer writes itself (RECORD, INSTALLER, launchers, .pyc), not
    taken from the wheel."""
    bytecode_exact: bool = False
    """Every ``.pyc`` size was compiled, none modelled."""

    @property
    def installed_bytes(self) -> int:
        return sum(size for _, size in self.files)

    @property
    def file_count(self) -> int:
        return len(self.files)

    @property
    def disk_bytes(self) -> int:
        return file_blocks(size for _, size in self.files) + directory_blocks(
            self.directories, (path for path, _ in self.files)
        )


def file_blocks(sizes: Iterable[int]) -> int:
    """Disk usage of regular files of these sizes: whole 4 KiB blocks."""
    return sum(-(-size // BLOCK) * BLOCK for size in sizes)


def directory_blocks(directories: Iterable[str], paths: Iterable[str]) -> int:
    """Disk usage of ``directories`` holding the files at ``paths``, ext4-style:
    each entry takes 8 bytes plus its name rounded up to 4 (``.`` and ``..``
    12 each), packed into 4 KiB blocks, at least one block a directory."""
    used: dict[str, int] = dict.fromkeys(directories, 24)
    for path in itertools.chain(paths, list(used)):
        parent, _, name = path.rpartition("/")
        n = used.get(parent)
        if n is not None:
            # the entry's bytes, worked out inline: a set's paths run to tens of thousands
            length = len(name) if name.isascii() else len(name.encode())
            used[parent] = n + 8 + (length + 3) // 4 * 4
    return sum(_directory_size(n) for n in used.values())


HTREE_FILL = 0.69
"""How full ext4's hashed-directory leaves are on average (ln 2: leaves split in
half when full, entries arrive in hash order)."""


def _directory_size(used: int) -> int:
    """Bytes a directory whose entries take ``used`` bytes occupies: one block
    while they fit; past that ext4 indexes it (an htree): a root block and leaf
    blocks about two-thirds full, at least two. Checked against real
    directories of 263, 430 and 597 entries (3, 5 and 9-10 blocks)."""
    if used <= BLOCK:
        return BLOCK
    leaves = max(2, math.ceil(used / (BLOCK * HTREE_FILL)))
    return (1 + leaves) * BLOCK


def plan_install(
    info: WheelInfo,
    *,
    project: str,
    scheme: InstallScheme,
    compile_bytecode: bool,
    requested: bool = False,
    direct_url: str | None = None,
    compiled: Mapping[str, int | None] | None = None,
) -> InstallPlan:
    """Every file pip writes when it installs ``info`` into ``scheme``.

    ``compiled`` maps a ``.py`` member's name to the size of the ``.pyc`` it
    compiles to (``None``: it does not compile, so pip writes no ``.pyc``);
    the members it does not name get the model's size, calibrated by the
    members it names (:func:`sizefloor.install.calibrate.calibrated_sizes`)."""
    site = scheme.site_packages
    dist_info = f"{site}/{info.dist_info()}"
    placed, modules = _wheel_files(info, project, scheme)
    generated = {
        **_launchers(info.entry_points, scheme),
        **_dist_info_files(dist_info, requested=requested, direct_url=direct_url),
    }
    placed.update(generated)
    pycs = _Bytecode()
    if compile_bytecode:
        # pip compiles every .py file it took from the wheel, wherever it went
        # (scripts and data files too), but not the files it wrote itself
        taken = {path: member for path, member in modules.items() if path not in generated}
        pycs = _bytecode(info, placed, taken, scheme, compiled)
    record_path = f"{dist_info}/RECORD"
    files = {**placed, **pycs.sizes, record_path: _record_size(record_path, placed, pycs, site)}
    return InstallPlan(
        # sorted by path (paths are unique: sorting the strings alone is quicker)
        files=tuple([(path, files[path]) for path in sorted(files)]),
        bytecode_bytes=sum(pycs.sizes.values()),
        bytecode_error=pycs.error,
        directories=_directories(files, site),
        generated=frozenset([*generated, *pycs.sizes, record_path]),
        bytecode_exact=bool(pycs.sizes) and not pycs.modelled,
    )


# --------------------------------------------------------------------------- what pip writes


def _wheel_files(
    info: WheelInfo, project: str, scheme: InstallScheme
) -> tuple[dict[str, int], dict[str, str]]:
    """The wheel's members where pip puts them (path relative to the prefix -> size,
    the last of a path winning; a script's ``#!python`` line rewritten), and the
    member each ``.py`` file comes from."""
    scripts = info.dist_info()[: -len(".dist-info")] + ".data/scripts/"
    heads = dict(info.script_heads)
    placed: dict[str, int] = {}
    modules: dict[str, str] = {}  # .py path -> the member it comes from
    for name, size, path in _placements(info, project, scheme):
        if name.startswith(scripts):
            size = _script_size(size, heads.get(name), scheme)
        placed[path] = size
        if path.endswith(".py"):
            modules[path] = name
    return placed, modules


def _launchers(entry_points: bytes | None, scheme: InstallScheme) -> dict[str, int]:
    """The launcher pip writes into ``bin/`` for each console and GUI entry point."""
    return {
        f"bin/{name}": _launcher_size(module_attr, scheme)
        for name, module_attr in _entry_points(entry_points)
    }


def _dist_info_files(dist_info: str, *, requested: bool, direct_url: str | None) -> dict[str, int]:
    """The files pip adds to the ``.dist-info`` directory (RECORD aside):
    ``INSTALLER``, ``direct_url.json`` for a URL requirement, ``REQUESTED`` for a
    requested project."""
    files = {f"{dist_info}/INSTALLER": len(b"pip\n")}
    if direct_url is not None:
        files[f"{dist_info}/direct_url.json"] = _direct_url_size(direct_url)
    if requested:
        files[f"{dist_info}/REQUESTED"] = 0
    return files


@dataclass
class _Bytecode:
    """The ``.pyc`` files pip writes for one wheel."""

    sizes: dict[str, int] = field(default_factory=dict)
    """``.pyc`` path (relative to the prefix) -> size."""
    error: int = 0
    """How far the modelled sizes could be off, together, either way."""
    modelled: int = 0
    """How many sizes are the model's."""


def _bytecode(
    info: WheelInfo,
    placed: Mapping[str, int],
    modules: Mapping[str, str],
    scheme: InstallScheme,
    compiled: Mapping[str, int | None] | None,
) -> _Bytecode:
    """The ``.pyc`` of each of ``modules`` (installed path -> member): the size
    ``compiled`` gives the member, else the model's, corrected by the compiled
    ones when there are (a sample, see :mod:`sizefloor.install.calibrate`)."""
    tag = bytecode.cache_tag(scheme.python_version)
    compressed = info.compressed_size()
    in_site = scheme.site_packages + "/"

    def model(path: str, member: str) -> bytecode.PycEstimate:
        return bytecode.pyc_size(
            placed[path],
            f"{scheme.prefix}/{path}" if path.startswith(in_site) else compiled_path(path, scheme),
            scheme.python_version,
            compressed_size=compressed.get(member),
        )

    pycs = _Bytecode()
    estimates: dict[str, bytecode.PycEstimate] = {}  # .pyc path -> the model's
    measured: list[tuple[str, str, int]] = []  # compiled non-empty modules
    for path, member in modules.items():
        directory, _, filename = path.rpartition("/")
        pyc = f"{directory}/__pycache__/{filename[:-3]}.{tag}.pyc"
        exact = compiled.get(member, -1) if compiled is not None else -1
        if exact is None:
            continue  # a syntax error: pip writes no .pyc and no RECORD row
        if exact >= 0:
            pycs.sizes[pyc] = exact
            if placed[path]:
                measured.append((path, member, exact))
        else:
            estimates[pyc] = model(path, member)
    if estimates:
        pairs = [(model(path, member).size, exact) for path, member, exact in measured]
        _add_modelled(pycs, estimates, pairs)
    return pycs


def _add_modelled(
    pycs: _Bytecode,
    estimates: Mapping[str, bytecode.PycEstimate],
    pairs: Sequence[tuple[int, int]],
) -> None:
    """Add the modules that were not compiled: the model's sizes, corrected by the
    (modelled, real) sizes of the compiled ones in ``pairs`` when there are any;
    an empty module's model is exact (no error), so it is left alone."""
    calibrated: dict[str, tuple[int, int]] = {}
    if pairs:
        scaled = {pyc: e.size for pyc, e in estimates.items() if e.error}
        calibrated = calibrate.calibrated_sizes(scaled, pairs)[0]
    for pyc, estimate in estimates.items():
        size, error = calibrated.get(pyc, (estimate.size, estimate.error))
        pycs.sizes[pyc] = size
        pycs.error += error
        pycs.modelled += 1


def _record_size(record_path: str, placed: Mapping[str, int], pycs: _Bytecode, site: str) -> int:
    """The rewritten RECORD: each file's row (path, sha256 hash, size), and rows
    without hash or size for the ``.pyc`` files and RECORD itself."""
    rows = _record_rows([record_path, *placed, *pycs.sizes], site)
    return rows + sum(HASH_FIELD + len(str(size)) for size in placed.values())


def _directories(files: Iterable[str], site: str) -> frozenset[str]:
    """The directories ``files`` live in and their ancestors, the prefix's own
    (:func:`_prefix_dirs`) excluded."""
    directories: set[str] = set()
    shared = _prefix_dirs(site)
    # every file's parent once (a folder holds many files), then its ancestors
    for parent in {path.rpartition("/")[0] for path in files}:
        while parent and parent not in directories and parent not in shared:
            directories.add(parent)
            parent = parent.rpartition("/")[0]
    return frozenset(directories)


# --------------------------------------------------------------------------- paths and sizes


def wheel_paths(info: WheelInfo, *, project: str, scheme: InstallScheme) -> dict[str, str]:
    """Member name -> where pip puts it, relative to the prefix, for every member it
    installs (not directories, not ``RECORD``, which it rewrites): ``.data/purelib``
    and ``.data/platlib`` into site-packages, ``.data/scripts`` into ``bin/``,
    ``.data/headers`` and ``.data/data`` where pip puts them."""
    return {name: path for name, _, path in _placements(info, project, scheme)}


def _placements(
    info: WheelInfo, project: str, scheme: InstallScheme
) -> Iterator[tuple[str, int, str]]:
    """(member name, size, where pip puts it) for every member pip installs."""
    site = scheme.site_packages
    dist_info = info.dist_info()
    record = f"{dist_info}/RECORD"
    data_dir = dist_info[: -len(".dist-info")] + ".data/"
    for name, size in info.members:
        if name.endswith("/") or name == record:
            continue
        if not name.startswith(data_dir):
            yield name, size, f"{site}/{name}"
            continue
        key, _, inner = name[len(data_dir) :].partition("/")  # the scheme's key
        if not inner:
            continue
        if key in ("purelib", "platlib"):
            yield name, size, f"{site}/{inner}"
        elif key == "scripts":
            yield name, size, f"bin/{inner}"
        elif key == "headers":
            yield name, size, f"{scheme.headers_dir(project)}/{inner}"
        elif key == "data":
            yield name, size, inner


def compiled_paths(info: WheelInfo, *, project: str, scheme: InstallScheme) -> dict[str, str]:
    """Member name -> the path its ``.pyc`` names (:func:`compiled_path`), for every
    ``.py`` member pip byte-compiles (where two install to one path, the later one)."""
    by_path = {
        path: name for name, path in wheel_paths(info, project=project, scheme=scheme).items()
    }
    return {
        name: compiled_path(path, scheme) for path, name in by_path.items() if path.endswith(".py")
    }


def compiled_path(path: str, scheme: InstallScheme) -> str:
    """The source path a ``.pyc`` holds for the file at ``path`` (relative to the
    prefix). pip compiles each file at site-packages joined with its RECORD path,
    not normalised: ``/usr/local/bin/tool.py`` is compiled as
    ``/usr/local/lib/python3.12/site-packages/../../../bin/tool.py``."""
    site = scheme.site_packages
    return f"{scheme.prefix}/{site}/{_record_path(path, site)}"


def _prefix_dirs(site: str) -> frozenset[str]:
    """Directories of the prefix itself: the runtime owns them, not a package."""
    parts = site.split("/")
    return frozenset(["bin", "include", "share", *("/".join(parts[:i]) for i in range(1, 4))])


def _record_path(path: str, site: str) -> str:
    """``path`` (relative to the prefix) as RECORD writes it: relative to site-packages."""
    if path.startswith(site + "/"):
        return path[len(site) + 1 :]
    return "../" * (site.count("/") + 1) + path


def _needs_quotes(value: str) -> bool:
    """:mod:`csv`'s default dialect quotes a field that holds a comma, a quote or a
    line break, or starts with a space (and doubles the quotes in it)."""
    return "," in value or '"' in value or "\r" in value or "\n" in value or value[:1] == " "


def _record_rows(paths: Iterable[str], site: str) -> int:
    """Bytes of the RECORD rows of ``paths`` less their hash and size fields: each
    row is the path (relative to site-packages as :func:`_record_path` writes it,
    quoted as csv does, UTF-8), two commas, the two fields, CRLF.

    A wheel's rows can run to thousands, and paths that need quoting are rare:
    the paths are measured together, and looked at one by one only when one of
    the characters that can call for quotes appears somewhere in them."""
    in_site = site + "/"
    up = "../" * (site.count("/") + 1)
    fields = [path[len(in_site) :] if path.startswith(in_site) else up + path for path in paths]
    text = "".join(fields)
    total = (len(text) if text.isascii() else len(text.encode())) + 4 * len(fields)
    if any(c in text for c in ',"\r\n '):
        total += sum(2 + field.count('"') for field in fields if _needs_quotes(field))
    return total


def _script_size(size: int, head: bytes | None, scheme: InstallScheme) -> int:
    """A ``.data/scripts`` file's installed size: pip swaps ``#!python`` for the
    interpreter's path. Without the file's first line, assume it is ``#!python``
    (what setuptools writes)."""
    if head is None:
        return size - len(b"#!python\n") + len(scheme.shebang)
    first, newline, _ = head.partition(b"\n")
    if not newline or not _PYTHON_SHEBANG.match(first.rstrip(b"\r")):
        return size
    return size - len(first) - 1 + len(scheme.shebang)


def _entry_points(text: bytes | None) -> list[tuple[str, str]]:
    """(script name, ``module:attr``) for console and GUI scripts."""
    if not text:
        return []
    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text.decode("utf-8", errors="replace"))
    except configparser.Error:
        return []
    scripts: dict[str, str] = {}
    for section in ("console_scripts", "gui_scripts"):
        if parser.has_section(section):
            for name, value in parser.items(section):
                scripts[name] = value
    return sorted(scripts.items())


def _launcher_size(value: str, scheme: InstallScheme) -> int:
    spec = value.split("[", 1)[0].strip()
    module, _, attr = spec.partition(":")
    attr = attr.strip() or ""
    text = launcher_template(scheme.pip_version).format(
        module=module.strip(), import_name=attr.split(".")[0], func=attr
    )
    return len(scheme.shebang) + len(text.encode())


def _direct_url_size(url: str) -> int:
    """``direct_url.json`` for a wheel installed from a URL (PEP 610)."""
    base, _, fragment = url.partition("#")
    archive: dict[str, object] = {}
    if "=" in fragment:
        algo, _, digest = fragment.partition("=")
        archive = {"hash": f"{algo}={digest}", "hashes": {algo: digest}}
    document = {"archive_info": archive, "url": base}
    return len(json.dumps(document, sort_keys=True).encode())
