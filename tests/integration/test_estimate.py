"""End-to-end tests of ``sizefloor.estimate``: real indexes on 127.0.0.1, real wheels, and a
real ``pip install --target`` of the same wheels as the oracle for the installed bytes.

Every call is isolated from this machine's pip configuration (``use_pip_config=False``),
names the test server as its index and uses a cache directory of its own (or none).
"""

from __future__ import annotations

import struct
import sys
import tarfile
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from indexserver import IndexServer
from lockedprojects import write_backend_project
from oracle import Measured, expected_install, pip_install_target, pip_version
from packaging.utils import canonicalize_name
from projects import (
    BIG_FILE_SIZE,
    BIG_FILES,
    DUP_SECOND,
    SDIST_FILES,
    build_big,
    build_graph,
    build_sdist_graph,
    build_selection,
    copy_wheels,
)
from wheelbuilder import build_wheel, make_files

import sizefloor
from sizefloor.cache import Cache
from sizefloor.dists.wheel import WheelInfo, WheelReader
from sizefloor.errors import (
    IndexAuthError,
    NoCompatibleFiles,
    OfflineMiss,
    ProjectNotFound,
    ResolutionImpossible,
)
from sizefloor.index.files import make_dist_file
from sizefloor.install.plan import InstallScheme, plan_install
from sizefloor.net.http import Http
from sizefloor.report import Report

PY = "3.12"
X86 = ["manylinux_2_17_x86_64"]
ARM = ["manylinux_2_17_aarch64"]
ServerFactory = Callable[..., IndexServer]


# ------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def graph_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_graph(tmp_path_factory.mktemp("graph"))


@pytest.fixture(scope="session")
def graph_oracle(graph_dir: Path) -> Measured:
    return pip_install_target(["app"], graph_dir, python=PY, platforms=X86)


@pytest.fixture(scope="session")
def big_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_big(tmp_path_factory.mktemp("big"))


@pytest.fixture(scope="session")
def big_oracle(big_dir: Path) -> Measured:
    return pip_install_target(["bigpkg"], big_dir, python=PY, platforms=X86)


@pytest.fixture(scope="session")
def selection_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_selection(tmp_path_factory.mktemp("selection"))


@pytest.fixture(scope="session")
def rp_oracle(selection_dir: Path) -> Measured:
    """pip picks rp 1.0 for 3.12: find-links lists no Requires-Python, pip reads METADATA."""
    return pip_install_target(["rp"], selection_dir, python=PY, platforms=X86)


def run(reqs: Any, index: str | None, tmp_path: Path, **options: Any) -> Report:
    """``sizefloor.estimate`` isolated from the machine: no pip config, a private cache,
    bytecode off (the oracle runs pip --no-compile), and launchers as the oracle's pip
    writes them (the test interpreter's path, that pip's template)."""
    options.setdefault("python", PY)
    options.setdefault("use_pip_config", False)
    options.setdefault("compile_bytecode", False)
    options.setdefault("executable", sys.executable)
    options.setdefault("pip_version", pip_version())
    if options.get("use_cache", True):
        options.setdefault("cache_dir", tmp_path / "cache")
    if index is not None:
        options.setdefault("index_url", index)
    return sizefloor.estimate(reqs, **options)


def sizes(report: Report) -> dict[str, tuple[str, int, int]]:
    """name -> (version, installed bytes, files)."""
    return {p.name: (p.version, p.installed_bytes, p.files) for p in report.packages}


def oracle_sizes(measured: Measured, versions: dict[str, str]) -> dict[str, tuple[str, int, int]]:
    """The oracle's per-package sizes as an image would have them (RECORD rows adjusted)."""
    return {
        name: (
            versions[name],
            package.total + measured.record_delta(name, PY),
            package.count,
        )
        for name, package in measured.packages.items()
    }


def inspect_remote(server: IndexServer, wheel: Path) -> WheelInfo:
    """What sizefloor's wheel reader learns of ``wheel`` over HTTP from ``server``."""
    name = wheel.name.split("-", 1)[0]
    dist = make_dist_file(
        canonicalize_name(name),
        wheel.name,
        server.file_url(wheel.name),
        source=server.simple_url,
        size=wheel.stat().st_size,
    )
    assert dist is not None
    with Http() as http:
        return WheelReader(http, Cache(None)).inspect(dist)


def same_report(a: Report, b: Report) -> bool:
    """Equal reports, but for what each run transferred."""
    return {**a.to_json(), "transfer": None} == {**b.to_json(), "transfer": None}


GRAPH_VERSIONS = {"app": "1.0", "lib": "2.0", "tool": "1.0", "clickish": "0.5"}


def assert_graph(report: Report, oracle: Measured) -> None:
    expected = oracle_sizes(oracle, GRAPH_VERSIONS)
    assert sizes(report) == expected
    delta = sum(oracle.record_delta(name, PY) for name in oracle.packages)
    assert report.totals.installed_bytes == oracle.total + delta
    assert report.totals.files == oracle.count
    assert all(p.exact and p.error_bytes == 0 for p in report.packages)


# ------------------------------------------------------------------ 1. the project graph


def test_graph_matches_pip(
    index_server: ServerFactory, graph_dir: Path, graph_oracle: Measured, tmp_path: Path
) -> None:
    server = index_server(graph_dir)
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("app\n")
    report = run(str(reqs), server.simple_url, tmp_path)

    assert_graph(report, graph_oracle)
    # The RECORD rows of the four files outside site-packages (bin/app, bin/x, the header
    # and share/app/x.txt) are each 3 bytes longer in an image ("../../../" instead of
    # pip --target's "../../"), and the header's directory is include/python3.12/ instead
    # of include/site/python3.11/ (the running interpreter's version): spelled out here so a
    # change in that accounting shows.
    host_include = f"include/site/python{sys.version_info[0]}.{sys.version_info[1]}/"
    assert graph_oracle.record_delta("app", PY) == 4 * 3 + len("include/python3.12/") - len(
        host_include
    )
    assert graph_oracle.record_delta("lib", PY) == 0

    app = report.package("app")
    assert app.requested is True
    assert app.required_by == (f"-r {reqs}:1",)
    assert report.package("lib").required_by == ("app",)
    assert report.package("tool").required_by == ("app",)
    assert report.package("clickish").required_by == ("tool",)
    assert [p.requested for p in report.packages if p.name != "app"] == [False] * 3
    assert "unused-dep" not in {p.name for p in report.packages}
    for p in report.packages:
        wheel = graph_dir / p.filename
        assert p.download_bytes == wheel.stat().st_size
        assert p.url == server.file_url(p.filename)
    assert report.totals.download_bytes == sum(
        (graph_dir / p.filename).stat().st_size for p in report.packages
    )
    assert report.warnings == ()
    assert report.unsized == ()
    assert report.exact is True
    assert report.compile_bytecode is False
    assert report.indexes == (server.simple_url,)


def test_graph_files_match_pip_one_by_one(
    index_server: ServerFactory, graph_dir: Path, graph_oracle: Measured
) -> None:
    """sizefloor's install plan for ``app``, file by file, against what pip wrote."""
    server = index_server(graph_dir)
    info = inspect_remote(server, graph_dir / "app-1.0-py3-none-any.whl")
    plan = plan_install(
        info,
        project="app",
        scheme=InstallScheme((3, 12), executable=sys.executable, pip_version=pip_version()),
        compile_bytecode=False,
        requested=True,
    )
    pip_files = {
        graph_oracle.image_path(path, PY): size
        for path, size in graph_oracle.packages["app"].files.items()
    }
    planned = dict(plan.files)
    record = "lib/python3.12/site-packages/app-1.0.dist-info/RECORD"
    assert set(planned) == set(pip_files)
    assert planned.pop(record) == pip_files.pop(record) + graph_oracle.record_delta("app", PY)
    assert planned == pip_files
    # the later of the two app/dup.py members is the one installed
    assert pip_files["lib/python3.12/site-packages/app/dup.py"] == len(DUP_SECOND)
    # the #!python line became the interpreter's path
    assert pip_files["bin/x"] == len(b"#!" + sys.executable.encode() + b"\nprint('x')\n")


def test_graph_disk_bytes(
    index_server: ServerFactory, graph_dir: Path, graph_oracle: Measured, tmp_path: Path
) -> None:
    """disk_bytes: every file in 4 KiB blocks plus one block per directory the packages
    create (all of them small), as ``du`` counts on ext4."""
    server = index_server(graph_dir)
    report = run(["app"], server.simple_url, tmp_path)
    image = graph_oracle.image_files(PY)
    dirs = set()
    for path in image:
        parent = path.rpartition("/")[0]
        while parent and parent not in ("bin", "include", "share", "lib", "lib/python3.12",
                                        "lib/python3.12/site-packages"):  # fmt: skip
            dirs.add(parent)
            parent = parent.rpartition("/")[0]
    assert sorted(d for d in dirs if not d.startswith("lib/")) == [
        "include/python3.12",
        "include/python3.12/app",
        "share/app",
    ]
    # no RECORD crosses a 4 KiB boundary by the few bytes the layouts differ by
    assert report.totals.disk_bytes == graph_oracle.disk + 4096 * len(dirs)
    lib = report.package("lib")
    assert lib.disk_bytes == 4096 * (lib.files + 2)  # lib/ and lib-2.0.dist-info/


def test_graph_as_strings_and_extras_origin(
    index_server: ServerFactory, graph_dir: Path, graph_oracle: Measured, tmp_path: Path
) -> None:
    server = index_server(graph_dir)
    report = run(["app"], server.simple_url, tmp_path, use_cache=False)
    assert_graph(report, graph_oracle)
    assert report.package("app").required_by == ("-r <string 1>",)
    assert report.sources == ("<strings>",)

    # Asking for tool[cli] directly: tool (now requested) and clickish, required by tool
    report = run(["tool[cli]"], server.simple_url, tmp_path, use_cache=False)
    assert {p.name: p.required_by for p in report.packages} == {
        "tool": ("-r <string 1>",),
        "clickish": ("tool",),
    }
    assert sizes(report) == {
        "tool": ("1.0", *expected_install(graph_dir / "tool-1.0-py3-none-any.whl", requested=True)),
        "clickish": (
            "0.5",
            *expected_install(graph_dir / "clickish-0.5-py3-none-any.whl", requested=False),
        ),
    }


def test_record_listing_a_file_twice(index_server: ServerFactory, tmp_path: Path) -> None:
    """A wheel whose RECORD lists a file twice: pip copies the wheel's RECORD rows as they
    are written, the duplicate included (see oracle.expected_install), while sizefloor
    builds RECORD from the central directory, which lists the file once. sizefloor's
    RECORD is therefore shorter by exactly that one row (plus its CRLF): a known limit of
    not reading RECORD, asserted to the byte so that a change shows."""
    root = tmp_path / "wheels"
    wheel = build_wheel(
        root,
        "twice",
        "1.0",
        files={"twice/__init__.py": b"T = 1\n", "twice/core.py": b"C = 2\n" * 4},
        record_twice=["twice/core.py"],
    )
    server = index_server(root)
    report = run(["twice"], server.simple_url, tmp_path)
    pip_bytes, pip_files = expected_install(wheel, requested=True)
    row = "twice/core.py,sha256=" + "x" * 43 + ",24\r\n"
    assert sizes(report) == {"twice": ("1.0", pip_bytes - len(row), pip_files)}


# ------------------------------------------------------------------- 2. HTML via pypiserver


def test_pypiserver_html_same_numbers(
    pypiserver: Callable[[Path], str], graph_dir: Path, graph_oracle: Measured, tmp_path: Path
) -> None:
    url = pypiserver(graph_dir)
    report = run(["app"], url, tmp_path)
    assert_graph(report, graph_oracle)
    assert report.warnings == ()
    assert report.package("app").url == url.replace("/simple/", "/packages/") + (
        "app-1.0-py3-none-any.whl"
    )


# ------------------------------------------------------ 3. Range off, suffix ranges, metadata


def test_range_off_same_numbers_and_warning(
    index_server: ServerFactory,
    big_dir: Path,
    big_oracle: Measured,
    tmp_path: Path,
) -> None:
    server = index_server(big_dir, ranges=False)
    report = run(["bigpkg"], server.simple_url, tmp_path)
    assert sizes(report) == oracle_sizes(big_oracle, {"bigpkg": "1.0"})
    wheel = big_dir / "bigpkg-1.0-py3-none-any.whl"
    assert len(report.warnings) == 1
    assert "ignores Range" in report.warnings[0]
    assert wheel.name in report.warnings[0]
    assert server.bytes_sent("/files/") == wheel.stat().st_size


def test_suffix_ranges_off_same_numbers_no_warning(
    index_server: ServerFactory, big_dir: Path, big_oracle: Measured, tmp_path: Path
) -> None:
    server = index_server(big_dir, suffix_ranges=False)
    report = run(["bigpkg"], server.simple_url, tmp_path)
    assert sizes(report) == oracle_sizes(big_oracle, {"bigpkg": "1.0"})
    assert report.warnings == ()
    assert all(r.status != 416 for r in server.requests)


@pytest.mark.parametrize("metadata", [True, False], ids=["pep658", "no-pep658"])
def test_metadata_on_or_off_same_numbers(
    index_server: ServerFactory,
    big_dir: Path,
    big_oracle: Measured,
    tmp_path: Path,
    metadata: bool,
) -> None:
    server = index_server(big_dir, metadata=metadata)
    report = run(["bigpkg"], server.simple_url, tmp_path)
    assert sizes(report) == oracle_sizes(big_oracle, {"bigpkg": "1.0"})
    assert report.warnings == ()
    wheel = big_dir / "bigpkg-1.0-py3-none-any.whl"
    files = [r for r in server.requests if r.path.startswith("/files/")]
    metadata_requests = [r for r in files if r.path.endswith(".metadata")]
    if not metadata:
        assert metadata_requests == []
    # Either the METADATA member was inside the fetched tail, or it came from the
    # .metadata file: in both cases only ranges of the wheel itself were read.
    assert all(r.range is not None and r.status == 206 for r in files if r not in metadata_requests)
    assert server.bytes_sent("/files/") < wheel.stat().st_size // 50


# ------------------------------------------------------------------- 4. bytes transferred


def test_bytes_transferred_under_one_percent(
    index_server: ServerFactory, big_dir: Path, big_oracle: Measured, tmp_path: Path
) -> None:
    wheel = big_dir / "bigpkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        content = sum(i.file_size for i in zf.infolist() if i.filename.endswith(".bin"))
        compressed = sum(i.compress_size for i in zf.infolist() if i.filename.endswith(".bin"))
    assert content == BIG_FILES * BIG_FILE_SIZE == 3_500_000
    assert compressed >= content  # incompressible: deflate cannot shrink it
    server = index_server(big_dir)
    report = run(["bigpkg"], server.simple_url, tmp_path)

    sent = server.bytes_sent("/files/")
    assert sent * 100 < wheel.stat().st_size
    expected_bytes, expected_files = expected_install(wheel, requested=True)
    assert sizes(report) == {"bigpkg": ("1.0", expected_bytes, expected_files)}
    assert (expected_bytes, expected_files) == (
        big_oracle.total,
        big_oracle.count,
    )  # the zipfile oracle agrees with pip
    assert expected_files == BIG_FILES + 1 + 5  # blobs, __init__, METADATA WHEEL RECORD + 2
    assert report.package("bigpkg").download_bytes == wheel.stat().st_size


# --------------------------------------------------------- 5. zip64 and a huge directory


def _central_directory_size(wheel: Path) -> int:
    data = wheel.read_bytes()
    eocd = data.rfind(b"PK\x05\x06")
    (cd_size,) = struct.unpack_from("<L", data, eocd + 12)
    if cd_size == 0xFFFFFFFF:  # zip64: the size is in the zip64 end record
        z64 = data.rfind(b"PK\x06\x06")
        (cd_size,) = struct.unpack_from("<Q", data, z64 + 40)
    return int(cd_size)


def _member_sizes(wheel: Path) -> list[tuple[str, int]]:
    with zipfile.ZipFile(wheel) as zf:
        return [(i.filename, i.file_size) for i in zf.infolist() if not i.is_dir()]


def test_zip64_wheel_exact(index_server: ServerFactory, tmp_path: Path) -> None:
    root = tmp_path / "wheels"
    files = make_files(300, 1_000, "zsix/m")
    files["zsix/__init__.py"] = b""
    wheel = build_wheel(root, "zsix", "1.0", files=files, force_zip64=True)
    assert b"PK\x06\x06" in wheel.read_bytes()
    assert wheel.stat().st_size > 2 * 32 * 1024  # read by ranges, not whole

    server = index_server(root)
    info = inspect_remote(server, wheel)
    assert list(info.members) == _member_sizes(wheel)
    assert info.ranged is True

    report = run(["zsix"], server.simple_url, tmp_path)
    assert sizes(report) == {"zsix": ("1.0", *expected_install(wheel, requested=True))}
    assert report.warnings == ()


@pytest.mark.slow
def test_twenty_thousand_members(index_server: ServerFactory, tmp_path: Path) -> None:
    root = tmp_path / "wheels"
    files = make_files(20_000, 12)
    files["pkg/__init__.py"] = b""
    wheel = build_wheel(root, "many", "1.0", files=files, compression=zipfile.ZIP_STORED)
    assert _central_directory_size(wheel) > 1_000_000

    server = index_server(root)
    report = run(["many"], server.simple_url, tmp_path)
    expected_bytes, expected_files = expected_install(wheel, requested=True)
    assert expected_files == 20_001 + 3 + 2
    assert sizes(report) == {"many": ("1.0", expected_bytes, expected_files)}
    # the central directory (over 1 MB) is about all that was read, not the 20,000 members
    assert server.bytes_sent("/files/") < _central_directory_size(wheel) + 64 * 1024
    info = inspect_remote(server, wheel)
    assert list(info.members) == _member_sizes(wheel)
    assert report.warnings == ()


# ------------------------------------------------------------------- 6. several indexes


def test_several_indexes_merged(
    index_server: ServerFactory,
    graph_dir: Path,
    graph_oracle: Measured,
    tmp_path: Path,
) -> None:
    only_lib = copy_wheels(graph_dir, tmp_path / "a", ["lib"])
    the_rest = copy_wheels(graph_dir, tmp_path / "b", ["app", "tool", "clickish"])
    a = index_server(only_lib)
    b = index_server(the_rest)
    report = run(["app"], a.simple_url, tmp_path, extra_index_urls=(b.simple_url,))
    assert_graph(report, graph_oracle)
    assert report.package("lib").url == a.file_url("lib-2.0-py3-none-any.whl")
    for name in ("app", "tool", "clickish"):
        assert report.package(name).url.startswith(b.url + "/files/")
    assert report.indexes == (a.simple_url, b.simple_url)


def test_same_project_on_two_indexes_best_version_wins(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    new = tmp_path / "new"
    copy_wheels(graph_dir, old, ["lib"])
    (old / "lib-2.0-py3-none-any.whl").unlink()
    copy_wheels(graph_dir, new, ["lib"])
    (new / "lib-1.0-py3-none-any.whl").unlink()
    a = index_server(old)
    b = index_server(new)
    report = run(["lib"], a.simple_url, tmp_path, extra_index_urls=(b.simple_url,))
    assert report.package("lib").version == "2.0"
    assert report.package("lib").url == b.file_url("lib-2.0-py3-none-any.whl")


# ------------------------------------------------------------------- 7. find-links only


def test_find_links_directory_no_index(
    graph_dir: Path, graph_oracle: Measured, tmp_path: Path
) -> None:
    report = run(["app"], None, tmp_path, find_links=(str(graph_dir),), no_index=True)
    assert_graph(report, graph_oracle)
    assert report.indexes == ()
    for p in report.packages:
        assert p.download_bytes == (graph_dir / p.filename).stat().st_size
        assert p.url is not None and p.url.startswith("file:")


# --------------------------------------------------------------------------- 8. target


def test_platform_arm64_picks_aarch64_wheel_and_marker(
    index_server: ServerFactory, selection_dir: Path, tmp_path: Path
) -> None:
    server = index_server(selection_dir)
    arm = run(["natx"], server.simple_url, tmp_path, platform="linux/arm64")
    amd = run(["natx"], server.simple_url, tmp_path, platform="linux/amd64")

    # pip picks the wheel for --platform but evaluates markers on this (x86_64) machine, so
    # it never installs armhelper: natx comes from pip, armhelper from its own wheel.
    arm_oracle = pip_install_target(["natx"], selection_dir, python=PY, platforms=ARM)
    armhelper = selection_dir / "armhelper-1.0-py3-none-any.whl"
    assert sizes(arm) == {
        **oracle_sizes(arm_oracle, {"natx": "1.0"}),
        "armhelper": ("1.0", *expected_install(armhelper, requested=False)),
    }
    amd_wheel = selection_dir / "natx-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
    assert sizes(amd) == {"natx": ("1.0", *expected_install(amd_wheel, requested=True))}

    assert arm.package("natx").filename == "natx-1.0-cp312-cp312-manylinux_2_17_aarch64.whl"
    assert amd.package("natx").filename == "natx-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
    assert amd.package("natx").installed_bytes - arm.package("natx").installed_bytes == (
        # the .so's content, its name in its RECORD row, the WHEEL file's Tag line
        8_000 - 5_000 + 2 * (len("x86_64") - len("aarch64"))
    )
    assert arm.package("armhelper").required_by == ("natx",)
    assert arm.target["platform"] == "linux/arm64"
    assert arm.target["arch"] == "aarch64"


@pytest.mark.parametrize(
    ("python", "expected"),
    [("3.10", {"compat", "backport"}), ("3.12", {"compat"})],
)
def test_python_version_marker(
    index_server: ServerFactory,
    selection_dir: Path,
    tmp_path: Path,
    python: str,
    expected: set[str],
) -> None:
    server = index_server(selection_dir)
    report = run(["compat"], server.simple_url, tmp_path, python=python)
    assert {p.name for p in report.packages} == expected
    wheels = {n: selection_dir / f"{n}-1.0-py3-none-any.whl" for n in expected}
    for name, wheel in wheels.items():
        assert sizes(report)[name] == (
            "1.0",
            *expected_install(wheel, requested=name == "compat"),
        )
    assert report.target["python"] == python


def test_musl_picks_musllinux_wheel(
    index_server: ServerFactory, selection_dir: Path, tmp_path: Path
) -> None:
    server = index_server(selection_dir)
    musl = run(["muslx"], server.simple_url, tmp_path, libc="musl")
    glibc = run(["muslx"], server.simple_url, tmp_path)
    musl_wheel = selection_dir / "muslx-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"
    glibc_wheel = selection_dir / "muslx-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
    assert musl.package("muslx").filename == musl_wheel.name
    assert glibc.package("muslx").filename == glibc_wheel.name
    assert sizes(musl) == {"muslx": ("1.0", *expected_install(musl_wheel, requested=True))}
    assert sizes(glibc) == {"muslx": ("1.0", *expected_install(glibc_wheel, requested=True))}
    assert musl.target["libc"] == "musl"
    assert musl.target["libc_version"] == "1.2"


def test_windows_only_project_is_an_input_error(
    index_server: ServerFactory, selection_dir: Path, tmp_path: Path
) -> None:
    server = index_server(selection_dir)
    with pytest.raises(NoCompatibleFiles) as info:
        run(["winonly"], server.simple_url, tmp_path)
    assert info.value.exit_code == 2
    assert "win_amd64" in str(info.value)
    assert "winonly" in str(info.value)


# ----------------------------------------------- 9. Requires-Python, yanked, pre, upload time


@pytest.mark.parametrize(("python", "version"), [("3.12", "1.0"), ("3.13", "2.0")])
def test_requires_python_filters_versions(
    index_server: ServerFactory, selection_dir: Path, tmp_path: Path, python: str, version: str
) -> None:
    server = index_server(selection_dir)
    report = run(["rp"], server.simple_url, tmp_path, python=python)
    wheel = selection_dir / f"rp-{version}-py3-none-any.whl"
    assert sizes(report) == {"rp": (version, *expected_install(wheel, requested=True))}


@pytest.mark.parametrize("where", ["pypiserver", "find-links"])
def test_requires_python_from_wheel_metadata(
    pypiserver: Callable[[Path], str],
    selection_dir: Path,
    rp_oracle: Measured,
    tmp_path: Path,
    where: str,
) -> None:
    """pypiserver lists no data-requires-python and a find-links directory has none: the
    wheel's own METADATA says it, and rp 2.0 (>=3.13) must not be picked for 3.12. pip
    reads the same metadata and passes over it (the oracle checks that)."""
    rp_only = copy_wheels(selection_dir, tmp_path / "rp", ["rp"])
    if where == "pypiserver":
        report = run(["rp"], pypiserver(rp_only), tmp_path)
    else:
        report = run(["rp"], None, tmp_path, find_links=(str(rp_only),), no_index=True)
    assert sizes(report) == oracle_sizes(rp_oracle, {"rp": "1.0"})
    report13 = run(["rp"], None, tmp_path, python="3.13", find_links=(str(rp_only),), no_index=True)
    assert report13.package("rp").version == "2.0"


def test_yanked_skipped_unless_pinned(
    index_server: ServerFactory, selection_dir: Path, tmp_path: Path
) -> None:
    server = index_server(selection_dir, yanked={"yk-1.1-py3-none-any.whl": "broken"})
    loose = run(["yk"], server.simple_url, tmp_path)
    pinned = run(["yk==1.1"], server.simple_url, tmp_path)
    for report, version in ((loose, "1.0"), (pinned, "1.1")):
        wheel = selection_dir / f"yk-{version}-py3-none-any.whl"
        assert sizes(report) == {"yk": (version, *expected_install(wheel, requested=True))}


def test_prereleases_only_with_pre(
    index_server: ServerFactory, selection_dir: Path, tmp_path: Path
) -> None:
    server = index_server(selection_dir)
    stable = run(["pr"], server.simple_url, tmp_path)
    pre = run(["pr"], server.simple_url, tmp_path, pre=True)
    assert stable.package("pr").version == "1.0"
    assert pre.package("pr").version == "2.0b1"
    wheel = selection_dir / "pr-2.0b1-py3-none-any.whl"
    assert sizes(pre) == {"pr": ("2.0b1", *expected_install(wheel, requested=True))}


def test_uploaded_prior_to_hides_newer_files(
    index_server: ServerFactory, selection_dir: Path, tmp_path: Path
) -> None:
    times = {
        "up-1.0-py3-none-any.whl": datetime(2024, 1, 10, tzinfo=timezone.utc),
        "up-2.0-py3-none-any.whl": datetime(2024, 6, 1, tzinfo=timezone.utc),
    }
    server = index_server(selection_dir, upload_times=times)
    before = run(
        ["up"], server.simple_url, tmp_path,
        uploaded_prior_to=datetime(2024, 3, 1, tzinfo=timezone.utc),
    )  # fmt: skip
    after = run(
        ["up"], server.simple_url, tmp_path,
        uploaded_prior_to=datetime(2024, 7, 1, tzinfo=timezone.utc),
    )  # fmt: skip
    everything = run(["up"], server.simple_url, tmp_path)
    assert before.package("up").version == "1.0"
    assert after.package("up").version == "2.0"
    assert everything.package("up").version == "2.0"
    wheel = selection_dir / "up-1.0-py3-none-any.whl"
    assert sizes(before) == {"up": ("1.0", *expected_install(wheel, requested=True))}
    assert before.warnings == ()


# --------------------------------------------------------------------- 10. constraints


def test_constraints_narrow_without_adding(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    server = index_server(graph_dir)
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("lib<2\nclickish<1\nnot-on-the-index==9.9\n")
    report = run(["app"], server.simple_url, tmp_path, constraints=(str(constraints),))
    assert {p.name: p.version for p in report.packages} == {
        "app": "1.0",
        "lib": "1.0",
        "tool": "1.0",
        "clickish": "0.5",
    }
    lib1 = graph_dir / "lib-1.0-py3-none-any.whl"
    assert sizes(report)["lib"] == ("1.0", *expected_install(lib1, requested=False))
    assert not any(r.path.startswith("/simple/not-on-the-index") for r in server.requests)


def test_a_guess_fetched_ahead_does_not_decide(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    """The provider fetches ahead of the resolver: ``app`` asks for ``lib>=1``, so
    lib 2.0's wheel may be read before the resolver has seen the root ``lib<2``
    that rules it out (whether it is depends on which answer arrives first). The
    guess costs requests; the answer is the resolver's."""
    server = index_server(graph_dir)
    report = run(["app", "lib<2"], server.simple_url, tmp_path)
    assert {p.name: p.version for p in report.packages}["lib"] == "1.0"
    lib1 = graph_dir / "lib-1.0-py3-none-any.whl"
    assert sizes(report)["lib"] == ("1.0", *expected_install(lib1, requested=True))


def test_constraint_in_requirements_file(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    server = index_server(graph_dir)
    (tmp_path / "c.txt").write_text("lib==1.0\n")
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("-c c.txt\nlib\n")
    report = run(str(reqs), server.simple_url, tmp_path)
    assert {p.name: p.version for p in report.packages} == {"lib": "1.0"}


# -------------------------------------------------------------------- 11. sdist-only dep


def test_sdist_only_dependency_is_estimated(index_server: ServerFactory, tmp_path: Path) -> None:
    root = build_sdist_graph(tmp_path / "wheels")
    server = index_server(root)
    report = run(["usesrc"], server.simple_url, tmp_path)

    assert {p.name for p in report.packages} == {"usesrc", "srconly", "lib"}
    src = report.package("srconly")
    assert src.exact is False
    assert src.filename == "srconly-1.0.tar.gz"
    assert src.required_by == ("usesrc",)
    assert src.note is not None and "estimated" in src.note and "sdist" in src.note
    # The documented model (sizefloor.dists.sdist): the package's own files (not tests/, not
    # README), PKG-INFO's size for METADATA, 100 for WHEEL, 20 for top_level.txt, 4 for
    # INSTALLER, 80 a row for RECORD (the files and the six the build and pip add); five
    # dist-info files; ±50% as it compiles nothing.
    sdist = root / "srconly-1.0.tar.gz"
    with tarfile.open(sdist) as tf:
        fh = tf.extractfile("srconly-1.0/PKG-INFO")
        assert fh is not None
        pkg_info = fh.read()
    assert b"Requires-Dist: lib>=2" in pkg_info
    package = {k: v for k, v in SDIST_FILES.items() if k.startswith("srconly/")}
    expected = (
        sum(map(len, package.values())) + len(pkg_info) + 100 + 20 + 80 * (len(package) + 6) + 4
    )
    assert src.installed_bytes == expected
    assert src.files == len(package) + 5
    assert src.error_bytes == expected // 2
    assert report.totals.error_bytes == expected // 2
    assert src.download_bytes == sdist.stat().st_size
    # its Requires-Dist from PKG-INFO was followed
    lib = report.package("lib")
    assert lib.version == "2.0"
    assert lib.required_by == ("srconly",)
    assert lib.exact is True
    assert report.exact is False


# ------------------------------------------------------- 12. editable, VCS, local directory


@pytest.mark.slow
def test_unbuildable_lines_are_reported_unsized_local_projects_are_built(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    server = index_server(graph_dir)
    for name in ("editme", "localdir"):
        write_backend_project(tmp_path / name, name, dependencies=())
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("lib\n-e ./editme\ngit+http://127.0.0.1:9/repo.git#egg=vcsproj\n./localdir\n")
    report = run(str(reqs), server.simple_url, tmp_path)
    assert {p.name for p in report.packages} == {"lib", "editme", "localdir"}
    assert all(p.exact for p in report.packages)
    assert [(u.origin, u.reason) for u in report.unsized] == [
        (f"{reqs}:3", "cannot be sized without building it: VCS checkout"),
    ]
    assert "-e ./editme" in report.warnings[0] and "editable" in report.warnings[0]
    assert "vcsproj" in report.warnings[1] and str(reqs) in report.warnings[1]
    assert report.exact is False
    lib2 = graph_dir / "lib-2.0-py3-none-any.whl"
    assert sizes(report)["lib"] == ("2.0", *expected_install(lib2, requested=True))


# ------------------------------------------------------------------ 13. library errors


def test_unknown_project(index_server: ServerFactory, graph_dir: Path, tmp_path: Path) -> None:
    server = index_server(graph_dir)
    with pytest.raises(ProjectNotFound) as info:
        run(["no-such-project"], server.simple_url, tmp_path)
    assert info.value.exit_code == 2
    assert "no-such-project" in str(info.value)


def test_conflict_names_both_origins(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    server = index_server(graph_dir)
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("app\nlib<2\nclickish<0.5\n")
    # lib<2 agrees with app's lib>=1; clickish<0.5 (line 3) clashes with the
    # clickish>=0.5 of tool's cli extra
    with pytest.raises(ResolutionImpossible) as info:
        run(str(reqs), server.simple_url, tmp_path)
    message = str(info.value)
    assert f"{reqs}:3" in message
    assert "tool 1.0" in message
    assert "clickish<0.5" in message and "clickish>=0.5" in message
    assert info.value.exit_code == 2


def test_auth_library(index_server: ServerFactory, graph_dir: Path, tmp_path: Path) -> None:
    server = index_server(graph_dir, auth=("alice", "s3cret-Pw"))
    with pytest.raises(IndexAuthError):
        run(["lib"], server.simple_url, tmp_path)
    url = server.simple_url.replace("http://", "http://alice:s3cret-Pw@")
    report = run(["lib"], url, tmp_path)
    assert report.package("lib").version == "2.0"
    assert "s3cret-Pw" not in repr(report.to_json())
    assert report.indexes == (server.simple_url.replace("http://", "http://alice:****@"),)


# ---------------------------------------------------------------------- 14. retries


def test_transient_failures_are_retried(
    index_server: ServerFactory, graph_dir: Path, graph_oracle: Measured, tmp_path: Path
) -> None:
    server = index_server(graph_dir, fail_first=2)
    report = run(["app"], server.simple_url, tmp_path)
    assert_graph(report, graph_oracle)
    statuses = [r.status for r in server.requests]
    assert statuses.count(503) == 2
    assert statuses[:2] == [503, 503]


# ------------------------------------------------------------------------ 15. the cache


def test_offline_from_cache_makes_no_request(
    index_server: ServerFactory, graph_dir: Path, graph_oracle: Measured, tmp_path: Path
) -> None:
    server = index_server(graph_dir)
    online = run(["app"], server.simple_url, tmp_path)
    assert server.requests != []
    server.clear_log()
    offline = run(["app"], server.simple_url, tmp_path, offline=True)
    assert server.requests == []
    assert same_report(offline, online)
    assert_graph(offline, graph_oracle)


def test_offline_with_empty_cache_names_what_is_missing(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    server = index_server(graph_dir)
    with pytest.raises(OfflineMiss) as info:
        run(["app"], server.simple_url, tmp_path, offline=True)
    assert info.value.exit_code == 1
    assert f"{server.simple_url}app/" in str(info.value)
    assert server.requests == []


def test_second_online_run_reads_no_wheel(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    """Central directories are cached forever: a second run fetches no file bytes."""
    server = index_server(graph_dir)
    first = run(["app"], server.simple_url, tmp_path)
    server.clear_log()
    second = run(["app"], server.simple_url, tmp_path)
    assert same_report(second, first)
    assert server.bytes_sent("/files/") == 0


def test_no_cache_writes_nothing(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    server = index_server(graph_dir)
    run(["lib"], server.simple_url, tmp_path, use_cache=False)
    assert not (tmp_path / "cache").exists()
