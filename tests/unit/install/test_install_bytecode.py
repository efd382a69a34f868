"""Bytecode: the exact mode (``--exact-bytecode``) and the model.

The exact mode compiles each ``.py`` member the way pip does. Checked here byte for
byte against ``py_compile`` and ``compileall`` on real files (a PEP 263 latin-1
file, a BOM, CRLF line ends, an empty ``__init__.py``, files that do not compile),
then end to end against a real ``pip install --compile`` of a wheel served by a
local index: every installed file, ``.pyc`` files included, the same size. The
sources are fetched by range: a large shared library in the wheel is never
downloaded.
"""

from __future__ import annotations

import compileall
import importlib.util
import os
import py_compile
import random
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from indexserver import IndexServer
from oracle import pip_install_target, pip_version
from wheelbuilder import build_wheel

import sizefloor
from sizefloor.dists import zipdir
from sizefloor.dists.wheel import Directory, WheelInfo
from sizefloor.install import bytecode, interpreters
from sizefloor.install.exact import GAP_BYTES, request_spans

PY = f"{sys.version_info.major}.{sys.version_info.minor}"
VERSION = (sys.version_info.major, sys.version_info.minor)
SITE = f"/usr/local/lib/python{PY}/site-packages"
TAG = f"cpython-{sys.version_info.major}{sys.version_info.minor}"

ServerFactory = Callable[..., IndexServer]

CODE = b'''"""A module with a bit of everything the compiler keeps."""

import os
from dataclasses import dataclass

TABLE = {"a": (1, 2.5, b"x"), "b": frozenset({"p", "q"}), "c": [None, True, ...]}


@dataclass
class Point:
    """A point."""

    x: int = 0
    y: int = 0

    def moved(self, dx: int, dy: int = 0) -> "Point":
        return Point(self.x + dx, self.y + dy)


def walk(top: str) -> list[str]:
    # comments never reach the bytecode
    found = []
    for root, _dirs, files in os.walk(top):
        found += [os.path.join(root, f) for f in files if not f.startswith(".")]
    try:
        return sorted(found, key=lambda p: (len(p), p))
    except TypeError as exc:
        raise ValueError(f"bad path: {exc}") from None


async def fetch(n):
    async with lock() as held:
        return [i async for i in held if i % n]
'''

COMPILING: dict[str, bytes] = {
    "code.py": CODE,
    "latin1.py": "# -*- coding: latin-1 -*-\nNAME = 'café crème'\n".encode("latin-1"),
    "__init__.py": b"",
    "bom.py": b"\xef\xbb\xbfGREETING = 'h\xc3\xa9'\n",
    "crlf.py": b"def f():\r\n    return 1\r\n",
    "escape.py": b"PATTERN = '\\d+'\n",  # an invalid escape: a warning, still compiled
}
FAILING: dict[str, bytes] = {
    "syntax.py": b"def broken(:\n    pass\n",
    "null.py": b"x = 1\x00\n",
    "coding.py": "# coding: ascii\nx = 'é'\n".encode(),
}


ENCODED: dict[str, bytes] = {
    name.replace("-", "_"): f"# -*- coding: {name} -*-\nX = 'x'\n".encode()
    for name in ("big5", "euc-jp", "cp1252", "iso-8859-15", "latin-1", "utf-8-sig", "us-ascii")
}
"""Coding lines: from pip 26.3 on, pip compiles only those it decodes without
importing a codec (``latin-1``, ``utf-8-sig``, ``us-ascii``), the others not."""


# -- exact: one file ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COMPILING))
def test_compile_pyc_is_what_py_compile_writes(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    source = tmp_path / name
    source.write_bytes(COMPILING[name])
    dfile = f"{SITE}/pkg/{name}"
    cfile = tmp_path / "out.pyc"
    with bytecode.silenced():
        py_compile.compile(
            str(source),
            cfile=str(cfile),
            dfile=dfile,
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP,
        )
        st = source.stat()
        ours = bytecode.compile_pyc(
            COMPILING[name], dfile, mtime=int(st.st_mtime), source_size=st.st_size
        )
        size = bytecode.compiled_size(COMPILING[name], dfile)
    assert ours == cfile.read_bytes()
    assert size == len(ours)


@pytest.mark.parametrize("name", sorted(COMPILING) + sorted(FAILING))
def test_compile_pyc_is_what_pip_writes(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip: ``compileall.compile_file(path, force=True, quiet=True)``, the installed
    path as the source's name; a file that does not compile gets no ``.pyc``."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    data = {**COMPILING, **FAILING}[name]
    source = tmp_path / name
    source.write_bytes(data)
    with bytecode.silenced():
        ok = compileall.compile_file(str(source), force=True, quiet=True)
        st = source.stat()
        ours = bytecode.compile_pyc(data, str(source), mtime=int(st.st_mtime))
    cached = Path(importlib.util.cache_from_source(str(source)))
    if name in FAILING:
        assert not ok and not cached.exists()
        assert ours is None
        assert bytecode.compiled_size(data, str(source)) is None
    else:
        assert ok
        assert ours == cached.read_bytes()


def test_the_pyc_names_its_source() -> None:
    short = bytecode.compiled_size(CODE, "/a/x.py")
    long = bytecode.compiled_size(CODE, "/a/" + "d" * 40 + "/x.py")
    assert short is not None and long is not None
    assert long - short == 41  # the path is stored once, whatever the code objects


@pytest.mark.parametrize(
    ("source", "declared", "compiled"),
    [
        (b"# -*- coding: big5 -*-\nX = 1\n", "big5", False),
        (b"#!/usr/bin/env python\n# vim: set fileencoding=euc-jp :\n", "euc-jp", False),
        (b"# coding=cp1252\n", "cp1252", False),
        (b"# coding: latin-1\n", "latin-1", True),
        (b"# coding: ISO_8859_1\n", "ISO_8859_1", True),
        (b"# coding: utf-8-sig\n", "utf-8-sig", True),
        (b"# coding: UTF8\n", "UTF8", True),
        (b"# coding: us-ascii\n", "us-ascii", True),
        (b"# coding: cp437\n", "cp437", True),
        (b"x = 1\n# coding: big5\n", None, True),
        (b"\xef\xbb\xbfX = 1\n", "utf-8", True),
        (b"X = 1\n", None, True),
    ],
)
def test_pip_skips_sources_whose_codec_it_has_not_imported(
    source: bytes, declared: str | None, compiled: bool
) -> None:
    assert bytecode.coding(source) == declared
    assert bytecode.pip_compiles(source, (26, 3)) is compiled
    assert bytecode.pip_compiles(source, (26, 2))


# -- exact: range requests ---------------------------------------------------------------


def _member(name: str, offset: int, compressed: int) -> zipdir.Member:
    return zipdir.Member(name, compressed, compressed, offset, 8, 0, 0, 3, 0)


def test_neighbouring_modules_take_one_request_and_a_library_splits_them() -> None:
    names = ["a.py", "b.py", "c.py", "big.so", "d.py", "tiny.txt", "e.py"]
    sizes = [1000, 2000, 500, 5_000_000, 700, 200, 900]
    members, offset = [], 0
    for name, size in zip(names, sizes, strict=True):
        members.append(_member(name, offset, size - 30 - len(name)))
        offset += size
    directory = Directory(offset + 500, tuple(members), offset)
    wanted = [m for m in members if m.name.endswith(".py")]
    spans = request_spans(directory, wanted)
    # a, b, c together; the library between c and d is skipped; the small text
    # file between d and e is fetched along
    assert spans == [(0, 3500), (3500 + 5_000_000, offset)]
    assert GAP_BYTES >= 200


# -- exact: end to end -------------------------------------------------------------------


def _exact_wheel(root: Path) -> Path:
    library = random.Random(11).randbytes(400_000)  # incompressible, between modules
    return build_wheel(
        root,
        "exactpkg",
        "1.0",
        files={
            "exactpkg/__init__.py": b"",
            "exactpkg/broken.py": FAILING["syntax.py"],
            "exactpkg/code.py": CODE,
            "exactpkg/latin1.py": COMPILING["latin1.py"],
            "exactpkg/libblob.so": library,
            "exactpkg/zlast.py": CODE.replace(b"Point", b"Place"),
            **{f"exactpkg/enc_{name}.py": source for name, source in ENCODED.items()},
        },
        data={
            "scripts/exacttool.py": b"#!python\nimport exactpkg\nprint(exactpkg)\n",
            "data/share/exactpkg/helper.py": b"def helper():\n    return 2\n",
        },
    )


def test_exact_bytecode_is_what_pip_installs(index_server: ServerFactory, tmp_path: Path) -> None:
    root = tmp_path / "wheels"
    wheel = _exact_wheel(root)
    server = index_server(root)

    def run() -> sizefloor.Report:
        return sizefloor.estimate(
            ["exactpkg"],
            python=PY,
            use_pip_config=False,
            index_url=server.simple_url,
            cache_dir=tmp_path / "cache",
            executable=sys.executable,
            pip_version=pip_version(),
            exact_bytecode=True,
        )

    report = run()
    measured = pip_install_target(
        ["exactpkg"],
        root,
        python=PY,
        platforms=["manylinux_2_17_x86_64"],
        compile=True,
        image_prefix="/usr/local",
    )
    truth = measured.image_files(PY)
    (package,) = report.packages
    ours = {f.path: f.size for f in package.contents}
    assert set(ours) == set(truth)
    assert f"lib/python{PY}/site-packages/exactpkg/__pycache__/broken.{TAG}.pyc" not in ours
    assert f"bin/__pycache__/exacttool.{TAG}.pyc" in ours
    assert f"share/exactpkg/__pycache__/helper.{TAG}.pyc" in ours
    skipped = {
        n for n, source in ENCODED.items() if not bytecode.pip_compiles(source, pip_version())
    }
    for name in ENCODED:
        pyc = f"lib/python{PY}/site-packages/exactpkg/__pycache__/enc_{name}.{TAG}.pyc"
        assert (pyc in ours) is (name not in skipped), name
    record = f"lib/python{PY}/site-packages/exactpkg-1.0.dist-info/RECORD"
    for path, size in truth.items():
        expected = size + (measured.record_delta("exactpkg", PY) if path == record else 0)
        assert ours[path] == expected, path
    assert package.installed_bytes == measured.total + measured.record_delta("exactpkg", PY)
    assert package.bytecode_exact and package.error_bytes == 0
    assert package.note is not None and "exact" in package.note
    assert report.to_json()["packages"][0]["bytecode_exact"] is True

    # the library was never fetched: the modules were, and the archive's tail
    size, library = wheel.stat().st_size, 400_000
    assert 0 < report.transfer["source_bytes"] < size - library
    assert server.bytes_sent("/files/") < size // 20

    # a warm run compiles from the cache: nothing fetched, the same figures
    server.clear_log()
    again = run()
    assert again.transfer["source_bytes"] == 0
    assert server.bytes_sent("/files/") == 0
    assert again.packages[0].contents == package.contents


def _exact(tmp_path: Path, name: str, **where: object) -> sizefloor.Report:
    return sizefloor.estimate(
        ["exactpkg", "tinypkg"],
        python=PY,
        use_pip_config=False,
        cache_dir=tmp_path / name,
        executable=sys.executable,
        pip_version=pip_version(),
        exact_bytecode=True,
        **where,
    )


def test_exact_bytecode_without_ranges_from_a_folder_and_small(
    index_server: ServerFactory, tmp_path: Path
) -> None:
    """The same figures whatever the wheels are read from: a server that honours
    Range, one that does not (whole files), a local folder; and for a wheel small
    enough to be fetched whole."""
    root = tmp_path / "wheels"
    _exact_wheel(root)
    tiny = build_wheel(root, "tinypkg", "1.0", files={"tinypkg/__init__.py": CODE})
    assert tiny.stat().st_size < 16 * 1024
    ranged = _exact(tmp_path, "a", index_url=index_server(root).simple_url)
    whole = _exact(tmp_path, "b", index_url=index_server(root, ranges=False).simple_url)
    local = _exact(tmp_path, "c", find_links=(str(root),), no_index=True)
    for report in (ranged, whole, local):
        assert [p.contents for p in report.packages] == [p.contents for p in ranged.packages]
        assert all(p.bytecode_exact for p in report.packages)
    assert ranged.transfer["source_bytes"] > 0 and whole.transfer["source_bytes"] > 0
    assert local.transfer["source_bytes"] == 0
    tinyone = ranged.package("tinypkg").contents
    pyc = next(f for f in tinyone if f.path.endswith(f"__init__.{TAG}.pyc"))
    assert pyc.size == bytecode.compiled_size(CODE, f"{SITE}/tinypkg/__init__.py")


def test_exact_bytecode_without_a_cpython_of_the_target_warns_and_models(
    index_server: ServerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "wheels"
    _exact_wheel(root)
    server = index_server(root)
    other = f"3.{sys.version_info.minor - 1}"
    interpreters.forget()
    monkeypatch.setattr(interpreters, "_places", lambda version: iter(()))  # none anywhere
    try:
        report = sizefloor.estimate(
            ["exactpkg"],
            python=other,
            use_pip_config=False,
            index_url=server.simple_url,
            cache_dir=tmp_path / "cache",
            exact_bytecode=True,
        )
    finally:
        interpreters.forget()
    (package,) = report.packages
    assert not package.bytecode_exact and package.error_bytes > 0
    assert report.transfer["source_bytes"] == 0
    assert any("--exact-bytecode" in w and other in w for w in report.warnings)
    assert report.bytecode is not None and report.bytecode.method == "modelled"
    assert report.bytecode.hint is not None and other in report.bytecode.hint


def test_exact_bytecode_for_another_python_is_compiled_by_it(
    index_server: ServerFactory, tmp_path: Path
) -> None:
    others = [
        (v, interpreters.find(v)) for v in ((3, 12), (3, 10), (3, 13), (3, 11)) if v != VERSION
    ]
    found = [(v, i) for v, i in others if i is not None]
    if not found:
        pytest.skip("no other CPython 3.10-3.13 here")
    (major, minor), interpreter = found[0]
    root = tmp_path / "wheels"
    _exact_wheel(root)
    server = index_server(root)
    report = sizefloor.estimate(
        ["exactpkg"],
        python=f"{major}.{minor}",
        use_pip_config=False,
        index_url=server.simple_url,
        cache_dir=tmp_path / "cache",
        exact_bytecode=True,
    )
    (package,) = report.packages
    assert package.bytecode_exact and package.error_bytes == 0
    assert report.bytecode is not None and report.bytecode.method == "compiled"
    assert report.bytecode.interpreter is not None
    assert report.bytecode.interpreter["executable"] == interpreter.executable
    # each .pyc is what that interpreter compiles
    site = f"/usr/local/lib/python{major}.{minor}/site-packages"
    script = (
        "import marshal, sys; src = sys.stdin.buffer.read(); "
        f"print(16 + len(marshal.dumps(compile(src, {site + '/exactpkg/code.py'!r}, 'exec', "
        "dont_inherit=True))))"
    )
    expected = subprocess.run(
        [interpreter.executable, "-I", "-c", script],
        input=CODE,
        capture_output=True,
        check=True,
    )
    tag = f"cpython-{major}{minor}"
    pyc = f"exactpkg/__pycache__/code.{tag}.pyc"
    assert next(f.size for f in package.contents if f.path.endswith(pyc)) == int(expected.stdout)


def test_the_cli_takes_exact_bytecode() -> None:
    from sizefloor.cli.arguments import options_from_args
    from sizefloor.cli.estimate import build_parser

    args = build_parser().parse_args(["r.txt", "--exact-bytecode"])
    args.pip_version = (26, 0)
    assert options_from_args(args, None).exact_bytecode
    args = build_parser().parse_args(["r.txt"])
    args.pip_version = (26, 0)
    assert not options_from_args(args, None).exact_bytecode


# -- the model ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", sorted(bytecode.MODEL))
def test_the_model_grows_with_the_source(version: tuple[int, int]) -> None:
    path = f"/usr/local/lib/python{version[0]}.{version[1]}/site-packages/pkg/mod.py"
    for ratio in (None, 0.05, 0.2, 0.3, 0.5):
        sizes = [
            bytecode.pyc_size(
                n,
                path,
                version,
                compressed_size=None if ratio is None else max(1, round(n * ratio)),
            ).size
            for n in (1, 10, 100, 1_000, 10_000, 100_000, 1_000_000)
        ]
        assert sizes == sorted(sizes), (ratio, sizes)
        assert sizes[0] > bytecode.PYC_HEADER + len(path)
    empty = bytecode.pyc_size(0, path, version)
    assert empty.size == bytecode.MODEL[version].empty + len(path) and empty.error == 0


def test_each_python_has_its_own_coefficients() -> None:
    known = sorted(bytecode.MODEL)
    assert (3, 10) in known and (3, 13) in known
    for version in known:
        assert bytecode.coefficients(version) is bytecode.MODEL[version]
    assert bytecode.coefficients((3, 6)) is bytecode.MODEL[known[0]]
    assert bytecode.coefficients((3, 99)) is bytecode.MODEL[known[-1]]
    assert len({bytecode.MODEL[v] for v in known}) == len(known)


def test_the_stated_error_is_the_model_error() -> None:
    assert 0.05 < bytecode.RELATIVE_ERROR < 0.5
    estimate = bytecode.pyc_size(10_000, "/x/pkg/mod.py", VERSION, compressed_size=2_500)
    assert estimate.error == round(estimate.size * bytecode.RELATIVE_ERROR)


def test_the_model_reads_compressed_sizes_from_the_directory(tmp_path: Path) -> None:
    """WheelInfo keeps each member's compressed size, through the cache too."""
    wheel = build_wheel(tmp_path, "zpkg", "1.0", files={"zpkg/__init__.py": CODE})
    with zipfile.ZipFile(wheel) as zf:
        expected = {i.filename: i.compress_size for i in zf.infolist() if not i.is_dir()}
        members = tuple((i.filename, i.file_size) for i in zf.infolist() if not i.is_dir())
    info = WheelInfo(
        wheel.name,
        wheel.stat().st_size,
        members,
        b"Name: zpkg\n",
        None,
        compressed_sizes=tuple(expected.values()),
    )
    again = WheelInfo.from_cache(info.to_cache())
    assert again.compressed_size() == expected
    assert WheelInfo(wheel.name, 1, members, b"", None).compressed_size() == {}
    assert os.path.basename(str(wheel)) == info.filename
