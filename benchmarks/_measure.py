"""Measuring what pip really installs, for ``benchmarks/accuracy.py``.

Two parts:

- ``python benchmarks/_measure.py pip-as EXECUTABLE PIP-ARGS...`` runs pip as
  if the interpreter were ``EXECUTABLE``: the ``#!`` line of every launcher
  and of every ``#!python`` script in ``.data/scripts`` names it, and every
  ``.pyc`` names its source where the image has it (``EXECUTABLE``'s prefix),
  nothing else changes. ``pip install --target`` otherwise writes the path of
  the Python that runs pip, and compiles in a temporary directory, while
  sizefloor models the target image's interpreter (``/usr/local/bin/pythonX.Y``
  by default). It also runs pip as a pip outside any virtualenv, like the
  image's: pip in a virtualenv puts headers (``.data/headers``) in
  ``include/site/pythonX.Y/NAME`` instead.

- :func:`measure_target` walks a ``pip install --target`` directory: bytes
  and count of regular files, ``du``, and which distribution owns each file
  (from each ``*.dist-info/RECORD``).

``pip install --target`` lays files out with pip's *home* scheme in a
temporary directory, then moves its contents into the target: site-packages
(``HOME/lib/python``) becomes the target itself, and ``bin/``, ``share/``,
``include/python/NAME/`` (headers) and other ``.data/data`` directories land
beside the packages. A RECORD row for a file outside site-packages therefore
reads ``../../bin/x``; installed into a real prefix (what sizefloor models:
``PREFIX/lib/pythonX.Y/site-packages``) the same row reads ``../../../bin/x``
and headers live in ``include/pythonX.Y/NAME``. :func:`measure_target`
reports RECORD files at the size they have in a prefix install (the rows
rewritten that way, exactly) and says how many bytes that changed.
"""

from __future__ import annotations

import csv
import io
import os
import posixpath
import re
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from email.parser import HeaderParser


def canonicalize_name(name: str) -> str:
    """PEP 503's normal form (packaging's, without importing it: ``pip-as`` runs this
    module under the target's Python, which may have nothing but pip)."""
    return re.sub(r"[-_.]+", "-", name).lower()


HOME_SITE = "lib/python"
"""site-packages of pip's home scheme, relative to the home (``--target`` temp dir)."""

PREFIX_OWNED = ("bin", "include", "share", "lib")
"""Top-level directories that belong to the prefix in a real image, not to any
package (sizefloor counts no disk for them); in a ``--target`` directory they
are the ``.data`` directories beside the packages."""


def pip_environment(**extra: str) -> dict[str, str]:
    """The environment for every pip command: no pip configuration file, no
    ``PIP_*`` setting that could add an index, find-links or constraints."""
    keep = {"PIP_CERT", "PIP_DEFAULT_TIMEOUT"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k in keep}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    env.update(extra)
    return env


# -- what was installed -------------------------------------------------------


@dataclass
class Distribution:
    name: str
    """Canonical name."""
    version: str
    dist_info: str
    files: set[str] = field(default_factory=set)
    """Paths relative to the target directory, from RECORD (existing regular files)."""
    prefix_files: dict[str, int] = field(default_factory=dict)
    """The same files where a prefix install puts them (``lib/pythonX.Y/site-packages/…``,
    ``bin/…``, ``include/pythonX.Y/NAME/…``) -> size (RECORD at its prefix-install size)."""
    installed_bytes: int = 0
    record_adjustment: int = 0
    """Bytes the RECORD gains in a prefix install."""

    @property
    def file_count(self) -> int:
        return len(self.files)


@dataclass
class TargetMeasure:
    installed_bytes: int
    """Regular files' sizes, RECORD files at their prefix-install size."""
    files: int
    disk_bytes: int
    """``du -s --block-size=1`` of the directory, less the blocks of the
    directory itself and of the prefix-owned directories (bin/ …) in it."""
    raw_installed_bytes: int
    """Regular files' sizes exactly as found (``--target`` RECORD rows)."""
    distributions: dict[str, Distribution]
    sizes: dict[str, int]
    """Every regular file (path relative to the target) and its size as found."""
    unowned: list[str]
    """Regular files no RECORD lists."""
    shared: dict[str, list[str]]
    """Files that more than one RECORD lists -> the distributions."""

    def kind_breakdown(self, name: str) -> dict[str, tuple[int, int]]:
        """A distribution's files by kind -> (count, bytes)."""
        out: dict[str, tuple[int, int]] = {}
        dist = self.distributions[name]
        for path in dist.files:
            kind = file_kind(path, dist.dist_info)
            size = self.sizes.get(path, 0)
            if path == f"{dist.dist_info}/RECORD":
                size += dist.record_adjustment
            count, total = out.get(kind, (0, 0))
            out[kind] = (count + 1, total + size)
        return out


def file_kind(path: str, dist_info: str) -> str:
    top = path.split("/", 1)[0]
    if path.endswith(".pyc"):
        return ".pyc"
    if top == "bin":
        return "scripts"
    if top == "include":
        return "headers"
    if top in PREFIX_OWNED or top in ("etc",):
        return "data"
    if top == dist_info:
        return (
            path.rsplit("/", 1)[-1]
            if path.endswith(("/RECORD", "/INSTALLER", "/REQUESTED"))
            else "dist-info"
        )
    if path.endswith(".py"):
        return ".py"
    if ".so" in path.rsplit("/", 1)[-1]:
        return "native"
    return "other"


def measure_target(root: str, python_version: str) -> TargetMeasure:
    """Measure a ``pip install --target`` directory (see the module's doc)."""
    sizes: dict[str, int] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*filenames, *dirnames]:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            if stat.S_ISREG(st.st_mode):
                sizes[os.path.relpath(full, root).replace(os.sep, "/")] = st.st_size

    distributions: dict[str, Distribution] = {}
    owners: dict[str, list[str]] = {}
    for entry in sorted(os.listdir(root)):
        if not entry.endswith(".dist-info"):
            continue
        meta_path = os.path.join(root, entry, "METADATA")
        record_path = os.path.join(root, entry, "RECORD")
        if not os.path.isfile(record_path):
            continue
        with open(meta_path, encoding="utf-8", errors="replace") as f:
            meta = HeaderParser().parse(f, headersonly=True)
        dist = Distribution(
            canonicalize_name(meta.get("Name", entry)), meta.get("Version", ""), entry
        )
        with open(record_path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        dist.record_adjustment = (
            _prefix_record_size(rows, python_version) - sizes[f"{entry}/RECORD"]
        )
        for row in rows:
            if not row:
                continue
            rel = _from_record(row[0])
            if rel in sizes:
                if rel not in dist.files:  # a wheel's own .pyc is listed again once compiled
                    owners.setdefault(rel, []).append(dist.name)
                dist.files.add(rel)
                size = sizes[rel]
                if rel == f"{entry}/RECORD":
                    size += dist.record_adjustment
                dist.prefix_files[_prefix_path(row[0], python_version)] = size
        dist.installed_bytes = sum(sizes[p] for p in dist.files) + dist.record_adjustment
        distributions[dist.name] = dist

    raw = sum(sizes.values())
    adjustment = sum(d.record_adjustment for d in distributions.values())
    return TargetMeasure(
        installed_bytes=raw + adjustment,
        files=len(sizes),
        disk_bytes=_disk_usage(root),
        raw_installed_bytes=raw,
        distributions=distributions,
        sizes=sizes,
        unowned=sorted(p for p in sizes if p not in owners),
        shared={p: names for p, names in owners.items() if len(names) > 1},
    )


def _from_record(path: str) -> str:
    """A RECORD path (relative to the home scheme's site-packages) as a path
    relative to the ``--target`` directory."""
    full = posixpath.normpath(posixpath.join(HOME_SITE, path))
    if full.startswith(HOME_SITE + "/"):
        return full[len(HOME_SITE) + 1 :]
    return full  # bin/…, share/…, include/python/…: moved to the target's top


def _prefix_path(path: str, python_version: str) -> str:
    """A RECORD path as the path a prefix install gives the file, relative to the prefix."""
    full = posixpath.normpath(posixpath.join(HOME_SITE, path))
    if full.startswith(HOME_SITE + "/"):
        return f"lib/python{python_version}/site-packages/" + full[len(HOME_SITE) + 1 :]
    if full.startswith("include/python/"):
        return f"include/python{python_version}/" + full[len("include/python/") :]
    return full


def _prefix_record_size(rows: list[list[str]], python_version: str) -> int:
    """The RECORD's size had the same files gone into a prefix install."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in rows:
        if row and row[0].startswith("../../"):
            path = "../../../" + row[0][len("../../") :]
            if path.startswith("../../../include/python/"):
                path = (
                    f"../../../include/python{python_version}/"
                    + path[len("../../../include/python/") :]
                )
            row = [path, *row[1:]]
        writer.writerow(row)
    return len(out.getvalue().encode("utf-8"))


def _disk_usage(root: str) -> int:
    result = subprocess.run(
        ["du", "-s", "--block-size=1", root], capture_output=True, text=True, check=True
    )
    total = int(result.stdout.split()[0])
    total -= os.lstat(root).st_blocks * 512
    for name in PREFIX_OWNED:
        path = os.path.join(root, name)
        if os.path.isdir(path) and not os.path.islink(path):
            total -= os.lstat(path).st_blocks * 512
    return total


# -- pip as the image's interpreter -------------------------------------------


def _pip_as(executable: str, args: list[str]) -> int:
    from pip._internal.cli.main import main
    from pip._internal.locations import _sysconfig
    from pip._internal.operations.install import wheel
    from pip._vendor.distlib.scripts import ScriptMaker

    # The image's pip is no virtualenv's: headers go to include/pythonX.Y/NAME
    # (include/python/NAME in the home scheme), not include/site/pythonX.Y/NAME.
    _sysconfig.running_under_virtualenv = lambda: False  # type: ignore[attr-defined]

    ScriptMaker.executable = executable  # type: ignore[assignment]  # launchers
    # distlib opens the executable to see whether it is a script; the image's
    # interpreter is a binary, and it is not on this machine.
    ScriptMaker._is_shell = lambda self, path: False  # type: ignore[method-assign]

    def fix_script(path: str) -> bool:  # .data/scripts: pip's own, with our path
        with open(path, "rb") as script:
            firstline = script.readline()
            if not firstline.startswith(b"#!python"):
                return False
            rest = script.read()
        with open(path, "wb") as script:
            script.write(b"#!" + executable.encode() + os.linesep.encode("ascii"))
            script.write(rest)
        return True

    wheel.fix_script = fix_script
    _compile_as_image(os.path.dirname(os.path.dirname(executable)))
    return main(args)


_TARGET_HOME = re.compile(r"^.*/pip-target-[^/]+/")


def _compile_as_image(prefix: str) -> None:
    """Make pip's byte-compilation name the files where the image has them.

    A ``.pyc`` holds its source's path. ``pip install --target`` compiles in its
    temporary home (``TMP/pip-target-XXXXXXXX/lib/python/…``, ``…/bin/…``);
    the image's pip compiles at ``PREFIX/lib/pythonX.Y/site-packages/…`` and
    ``PREFIX/bin/…``. pip calls ``compileall.compile_file(path, force=True,
    quiet=True)``: the same call, with ``ddir`` set to the image's directory of
    the file, writes the ``.pyc`` the image's pip writes, byte for byte.
    """
    import compileall

    site = f"{prefix}/lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"
    compile_file = compileall.compile_file

    def compile_as_image(fullname: str, *args: object, **kwargs: object) -> bool:
        # pip compiles site-packages joined with the RECORD path, not normalised:
        # HOME/lib/python/pkg/x.py, HOME/lib/python/../../bin/x.py; in the image
        # SITE/pkg/x.py and SITE/../../../bin/x.py
        path = os.fspath(fullname)
        home = _TARGET_HOME.match(path)
        rest = path[home.end() :] if home is not None else ""
        if rest.startswith("lib/python/") and not args and "ddir" not in kwargs:
            inner = rest[len("lib/python/") :]
            if inner.startswith("../../"):
                image = f"{site}/../../../{inner[len('../../') :]}"
            else:
                image = f"{site}/{inner}"
            kwargs["ddir"] = os.path.dirname(image)
        return bool(compile_file(fullname, *args, **kwargs))  # type: ignore[arg-type]

    compileall.compile_file = compile_as_image  # type: ignore[assignment]


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "pip-as":
        sys.exit("usage: python _measure.py pip-as EXECUTABLE PIP-ARGS...")
    sys.exit(_pip_as(sys.argv[2], sys.argv[3:]))
