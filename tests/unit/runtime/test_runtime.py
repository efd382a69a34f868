"""The runtime under the dependencies: the shipped size data, what each base implies for the
target, the host interpreter's measurement, and the Debian computation (on a Debian archive
made here, served from disk; the one test that reads Debian's real archive is ``live``)."""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from sizefloor.errors import InputError, OfflineMiss, TargetError
from sizefloor.report import Floor, Report, Totals
from sizefloor.runtime import catalogue as runtime
from sizefloor.runtime import debian
from sizefloor.runtime.bases import choose_base, parse_base
from sizefloor.runtime.catalogue import catalog, raw_entry
from sizefloor.runtime.host import FLOOR_PARTS, InterpreterLayout, classify, measure
from sizefloor.runtime.sizes import runtime_size
from sizefloor.target import Target

DATA = Path(runtime.__file__).parent / "data" / "runtimes.json"


def document() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


# ------------------------------------------------------------------------------ the data file


def test_every_image_has_both_arches_with_sources() -> None:
    images = catalog().images
    assert len(images) >= 35
    for image in images:
        assert set(image.sizes) == {"x86_64", "aarch64"}, image.name
        for arch, figures in image.sizes.items():
            assert figures.installed_bytes > 1_000_000, (image.name, arch)
            assert 0 < figures.download_bytes < figures.installed_bytes, (image.name, arch)
            assert figures.disk_bytes >= figures.installed_bytes * 0.95, (image.name, arch)
            assert figures.method in ("published", "computed", "estimated", "measured")
            assert figures.source and re.fullmatch(r"\d{4}-\d{2}-\d{2}", figures.as_of)
            if figures.method == "estimated":
                assert not figures.exact and figures.error_bytes > 0, (image.name, arch)


def test_arm64_uncompressed_is_estimated_unless_computed() -> None:
    for image in catalog().images:
        arm = image.sizes["aarch64"]
        if image.family != "distroless":
            assert not arm.exact, image.name
            assert arm.method == "estimated"
        else:
            assert arm.exact and arm.method == "computed"


def test_published_figures_exact() -> None:
    by_name = catalog().by_name()
    slim = by_name["python:3.12-slim"].sizes["x86_64"]
    assert slim.installed_bytes == 119_420_000  # repo-info: python:3.12.14-slim-trixie
    assert slim.download_bytes == 43_188_023
    assert slim.exact and slim.download_exact and slim.method == "published"
    assert by_name["python:3.12-slim"].sizes["aarch64"].download_bytes == 43_464_443
    assert by_name["python:3.12-alpine"].sizes["x86_64"].installed_bytes == 48_840_000
    assert by_name["python:3.12-alpine"].sizes["x86_64"].download_bytes == 18_037_743
    assert by_name["python:3.13-slim-bookworm"].sizes["x86_64"].installed_bytes == 120_970_000
    assert by_name["python:3.12"].sizes["x86_64"].download_bytes == 410_908_459
    assert by_name["python:3.12-slim-trixie"] is by_name["python:3.12-slim"]


def test_distroless_figures_are_the_debian_computation() -> None:
    data = document()
    for distro in ("debian12", "debian13"):
        image = catalog().by_name()[f"distroless-{distro}"]
        for arch, debian_arch in (("x86_64", "amd64"), ("aarch64", "arm64")):
            measured = data["measurements"][f"distroless-{distro}/{debian_arch}"]
            figures = image.sizes[arch]
            assert figures.installed_bytes == measured["bytes"]
            assert figures.download_bytes == measured["gzip_bytes"]
            assert figures.disk_bytes == measured["disk_bytes"]
            # Installed-Size rounds each file up to 1 KiB and counts directories: ~6% high
            overstated = measured["installed_size_bytes"] / measured["bytes"]
            assert 1.03 < overstated < 1.09, (distro, arch, overstated)
    debian12 = data["measurements"]["distroless-debian12/amd64"]
    assert debian12["python"].startswith("3.11.2-")
    assert len(debian12["package_list"]) == 34


@pytest.mark.parametrize("distro", ["debian12", "debian13"])
@pytest.mark.parametrize("arch", ["amd64", "arm64"])
def test_distroless_is_computed_from_exactly_its_own_package_list(distro: str, arch: str) -> None:
    """The shipped figure sums exactly the packages distroless's config.bzl lists name (at
    the commit the data records), and the files its build writes itself."""
    image = debian.distroless_images()[distro]
    measured = document()["measurements"][f"distroless-{distro}/{arch}"]
    assert [entry.split("=")[0] for entry in measured["package_list"]] == list(image.packages)
    assert measured["list_commit"] == image.commit and len(image.commit) == 40
    generated = dict(measured["generated"])
    assert generated["/etc/ssl/certs/ca-certificates.crt"] > 100_000
    assert generated["/usr/bin/python3"] == len(
        f"/usr/bin/python{image.layers['python'][-2][6:10]}"
    )
    assert all(f"/var/lib/dpkg/status.d/{name}" in generated for name in image.packages)
    if distro == "debian13":
        # python3/config.bzl PYTHON_PACKAGES["debian13"] lists libc-bin, and the image
        # carries the ld.so.cache its build generated (python3/ldconfig/ld.so.cache.<arch>)
        assert "libc-bin" in image.layers["python"] and "libc-bin" in image.packages
        assert generated["/etc/ld.so.cache"] == {"amd64": 3307, "arm64": 3411}[arch]
    else:
        assert "/etc/ld.so.cache" not in generated
    figures = (
        catalog()
        .by_name()[f"distroless-{distro}"]
        .sizes[{"amd64": "x86_64", "arm64": "aarch64"}[arch]]
    )
    assert figures.installed_bytes == measured["bytes"] and figures.exact
    assert image.commit[:12] in figures.source


def test_the_distroless_lists_are_those_of_the_repository() -> None:
    data = json.loads((DATA.parent / "distroless.json").read_text(encoding="utf-8"))
    debian13 = data["images"]["debian13"]["layers"]
    assert debian13["python"]["file"] == "python3/config.bzl"
    assert debian13["python"]["list"] == 'PYTHON_PACKAGES["debian13"]'
    assert debian13["python"]["packages"][-4:] == [
        "libpython3.13-minimal", "libpython3.13-stdlib", "python3.13-minimal", "python3.13-venv",
    ]  # fmt: skip
    assert debian13["base"]["packages"] == ["libc6", "libssl3t64", "libzstd1", "zlib1g"]
    assert debian.DISTROLESS["debian13"]["python"] == tuple(debian13["python"]["packages"])


def test_debian_apt_is_base_plus_computed_packages() -> None:
    data = document()
    entry = raw_entry("debian:12-slim")["sizes"]["amd64"]
    measured = data["measurements"]["debian:12-slim+python3/amd64"]
    assert entry["base"]["installed_bytes"] == 74_830_000
    added = measured["bytes"] + measured["dpkg_info_bytes"]
    assert entry["installed_bytes"] == 74_830_000 + added
    assert measured["bytecode_bytes"] > 5_000_000  # Debian's postinst byte-compiles the stdlib
    assert not entry["exact"]


def test_data_file_names_no_host() -> None:
    text = DATA.read_text(encoding="utf-8")
    assert "://" not in text
    assert not re.search(r"\b[a-z0-9-]+\.(?:org|com|net|io)/", text.replace("gcr.io/", ""))


# ------------------------------------------------------------------------------ base -> target


@pytest.mark.parametrize(
    ("text", "family", "version"),
    [
        ("python:3.12-slim", "python:slim", "3.12"),
        ("python:3.12-slim-trixie", "python:slim", "3.12"),
        ("docker.io/library/python:3.12-slim-bookworm", "python:slim-bookworm", "3.12"),
        ("python:3.12-alpine3.23", "python:alpine", "3.12"),
        ("python:3.12", "python", "3.12"),
        ("python:3.13-trixie", "python", "3.13"),
        ("python:3.13-bookworm", "python:bookworm", "3.13"),
        ("python:slim", "python:slim", None),
        ("python:3.12.14-slim", "python:slim", "3.12.14"),
        ("distroless", "distroless", None),
        ("gcr.io/distroless/python3-debian12", "distroless", None),
        ("debian:bookworm-slim", "debian:slim", None),
        ("debian:13-slim", "debian:slim", None),
        ("standalone", "standalone", None),
        ("host", "host", None),
        ("none", "none", None),
    ],
)
def test_parse_base(text: str, family: str, version: str | None) -> None:
    spec = parse_base(text)
    assert (spec.family, spec.version) == (family, version)


@pytest.mark.parametrize("text", ["ubuntu", "python:3.12-windowsservercore", "alpine", ""])
def test_unknown_base(text: str) -> None:
    with pytest.raises(TargetError, match="Unknown base"):
        parse_base(text)


@pytest.mark.parametrize(
    ("base", "python", "arch", "libc", "libc_version", "full"),
    [
        ("python:3.12-slim", "3.12", "x86_64", "glibc", (2, 41), "3.12.14"),
        ("python:3.12-slim-bookworm", "3.12", "x86_64", "glibc", (2, 36), "3.12.13"),
        ("python:3.12-alpine", "3.12", "x86_64", "musl", (1, 2), "3.12.14"),
        ("python:3.13", "3.13", "x86_64", "glibc", (2, 41), "3.13.14"),
        ("distroless", "3.13", "x86_64", "glibc", (2, 41), "3.13.5"),
        ("distroless-debian12", "3.11", "x86_64", "glibc", (2, 36), "3.11.2"),
        ("debian:12-slim", "3.11", "x86_64", "glibc", (2, 36), "3.11.2"),
        ("debian:13-slim", "3.13", "x86_64", "glibc", (2, 41), "3.13.5"),
        ("standalone", "3.14", "x86_64", "glibc", (2, 41), None),
    ],
)
def test_base_implies_target(
    base: str,
    python: str,
    arch: str,
    libc: str,
    libc_version: tuple[int, int],
    full: str | None,
) -> None:
    resolved, target = choose_base(base)
    assert resolved.kind == "image"
    assert target.python == python
    assert (target.arch, target.libc, target.libc_version) == (arch, libc, libc_version)
    assert target.python_full_version == full


def test_family_takes_python_and_platform() -> None:
    base, target = choose_base("distroless", python="3.11", platform="linux/arm64")
    assert base.name == "distroless-debian12"
    assert (target.python, target.arch) == ("3.11", "aarch64")
    base, target = choose_base("python:slim", python="3.10")
    assert base.name == "python:3.10-slim" and target.python_full_version == "3.10.21"
    base, target = choose_base("python:3.12-slim", python="3.12.3")
    assert target.python_full_version == "3.12.3"  # the user's pin wins for markers


def test_older_glibc_allowed_newer_refused() -> None:
    _, target = choose_base("python:3.12-slim", platform="manylinux_2_28_x86_64")
    assert target.libc_version == (2, 28)
    with pytest.raises(TargetError, match=r"glibc 2\.36; wheels for glibc 2\.39"):
        choose_base("python:3.12-slim-bookworm", platform="manylinux_2_39_x86_64")


@pytest.mark.parametrize(
    ("base", "options", "says"),
    [
        ("distroless", {"python": "3.12"}, r"offers Python 3\.11 and 3\.13, not 3\.12"),
        ("python:3.12-slim", {"python": "3.11"}, r"runs Python 3\.12.*3\.11"),
        ("python:3.8-slim", {}, r"known for Python 3\.9, 3\.10.*3\.14"),
        ("debian:12-slim", {"python": "3.13"}, r"offers Python 3\.11, not 3\.13"),
        ("python:3.12-alpine", {"platform": "manylinux_2_28_x86_64"}, r"musl image.*glibc"),
        ("python:3.12-alpine", {"libc": "glibc"}, r"musl image"),
        ("python:3.12-slim", {"platform": "musllinux_1_2_x86_64"}, r"glibc image.*musl"),
        ("python:3.12-slim", {"platform": "linux/s390x"}, r"linux/amd64, linux/arm64"),
    ],
)
def test_base_conflicts(base: str, options: dict[str, str], says: str) -> None:
    with pytest.raises(TargetError, match=says) as info:
        choose_base(base, **options)
    assert info.value.exit_code == 2
    assert info.value.hint


def test_none_is_the_plain_target() -> None:
    base, target = choose_base("none", python="3.12", platform="linux/arm64")
    assert base.kind == "none"
    assert target == Target.from_options(python="3.12", platform="linux/arm64")
    size = runtime_size(base, target)
    assert (size.installed_bytes, size.download_bytes, size.disk_bytes) == (0, 0, 0)


@pytest.mark.skipif(sys.platform != "linux", reason="host is a Linux interpreter")
def test_host_target_is_this_interpreter() -> None:
    base, target = choose_base("host")
    assert base.kind == "host"
    assert target.python_version == sys.version_info[:2]
    other = f"3.{sys.version_info[1] + 1}"
    with pytest.raises(TargetError, match="this interpreter"):
        choose_base("host", python=other)
    foreign = "linux/arm64" if target.arch == "x86_64" else "linux/amd64"
    with pytest.raises(TargetError, match="this interpreter"):
        choose_base("host", platform=foreign)


def test_runtime_size_of_an_image() -> None:
    base, target = choose_base("python:3.12-slim", platform="linux/arm64")
    size = runtime_size(base, target)
    figures = catalog().by_name()["python:3.12-slim"].sizes["aarch64"]
    assert size.installed_bytes == figures.installed_bytes
    assert size.download_bytes == 43_464_443
    assert not size.exact
    assert size.arch == "linux/arm64" and size.image == "python:3.12.14-slim-trixie"
    assert size.to_json()["exact"] is False


def test_refresh_of_a_published_image_warns() -> None:
    base, target = choose_base("python:3.12-slim")
    warnings: list[str] = []
    size = runtime_size(base, target, refresh=True, use_cache=False, warn=warnings.append)
    assert size.installed_bytes == 119_420_000
    assert warnings and "published" in warnings[0]


def test_floor_adds_runtime_and_dependencies() -> None:
    base, target = choose_base("distroless-debian12")
    size = runtime_size(base, target)
    totals = Totals(installed_bytes=1000, disk_bytes=4096, download_bytes=300, files=2)
    report = Report("0", target.to_json(), (), totals, runtime=size, image_bytes=10**9)
    assert report.floor == Floor(
        size.installed_bytes + 1000, size.disk_bytes + 4096, size.download_bytes + 300, 0, True
    )
    doc = report.to_json()
    assert doc["runtime"]["base"] == "distroless-debian12"
    assert set(doc["runtime"]) >= {"base", "python", "installed_bytes", "download_bytes",
                                   "source", "exact"}  # fmt: skip
    assert doc["floor"]["installed_bytes"] == size.installed_bytes + 1000
    assert doc["image"]["above_floor_bytes"] == 10**9 - doc["floor"]["installed_bytes"]
    assert doc["image"]["ratio"] == round(10**9 / doc["floor"]["installed_bytes"], 3)


# ------------------------------------------------------------------------------ the host


def _fake_interpreter(root: Path) -> InterpreterLayout:
    """A small CPython-shaped prefix, with a hard link and a symbolic link."""
    stdlib = root / "lib" / "python3.99"
    files = {
        "os.py": 1000,
        "json/__init__.py": 2000,
        "json/__pycache__/__init__.cpython-399.pyc": 1500,
        "test/test_os.py": 3000,
        "unittest/test/test_case.py": 700,
        "idlelib/idle.py": 400,
        "idlelib/idle_test/test_x.py": 50,
        "tkinter/__init__.py": 600,
        "turtle.py": 90,
        "ensurepip/_bundled/pip-99-py3-none-any.whl": 5000,
        "config-3.99/libpython3.99.a": 8000,
        "config-3.99/Makefile": 300,
        "site-packages/dependency.py": 10**6,
        "lib-dynload/_json.so": 4000,
        "lib-dynload/_tkinter.so": 4100,
    }
    for name, size in files.items():
        path = stdlib / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
    os.link(stdlib / "os.py", stdlib / "os_again.py")  # counted once
    os.symlink("os.py", stdlib / "os_link.py")  # its target's length: 5 bytes
    (root / "bin").mkdir()
    (root / "bin" / "python3.99").write_bytes(b"\x7fELF" + b"\0" * 16000)
    (root / "lib" / "libpython3.99.so.1.0").write_bytes(b"L" * 90000)
    include = root / "include" / "python3.99"
    include.mkdir(parents=True)
    (include / "Python.h").write_bytes(b"h" * 1200)
    return InterpreterLayout(
        stdlib=stdlib,
        dynload=stdlib / "lib-dynload",
        executable=root / "bin" / "python3.99",
        libpython=root / "lib" / "libpython3.99.so.1.0",
        static_libs=(stdlib / "config-3.99" / "libpython3.99.a",),
        include=include,
        prefix=root,
    )


def test_host_parts_of_a_fake_interpreter(tmp_path: Path) -> None:
    measured = measure(_fake_interpreter(tmp_path), compress=False)
    got = {p.name: p.bytes for p in measured.parts}
    assert got == {
        "stdlib": 1000 + 2000 + 300 + 5,
        "lib-dynload": 4000,
        "libpython": 90000,
        "binary": 16004,
        "tests": 3000 + 700 + 50,
        "idle": 400,
        "tkinter": 600 + 90 + 4100,
        "ensurepip": 5000,
        "bytecode": 1500,
        "static library": 8000,
        "headers": 1200,
    }
    assert measured.floor_bytes == 3305 + 4000 + 90000 + 16004
    runtime = measured.to_runtime()
    assert runtime.installed_bytes == measured.floor_bytes
    assert [p.name for p in runtime.parts if p.in_floor] == list(FLOOR_PARTS)


@pytest.mark.parametrize(
    ("relative", "dynload", "part"),
    [
        ("asyncio/base_events.py", False, "stdlib"),
        ("test/support/__init__.py", False, "tests"),
        ("ctypes/test/test_x.py", False, "tests"),
        ("lib2to3/tests/data/x.py", False, "tests"),
        ("idlelib/idle_test/x.py", False, "tests"),
        ("idlelib/run.py", False, "idle"),
        ("tkinter/ttk.py", False, "tkinter"),
        ("turtledemo/clock.py", False, "tkinter"),
        ("ensurepip/__init__.py", False, "ensurepip"),
        ("email/__pycache__/utils.cpython-311.opt-1.pyc", False, "bytecode"),
        ("_tkinter.cpython-311-x86_64-linux-gnu.so", True, "tkinter"),
        ("_ssl.cpython-311-x86_64-linux-gnu.so", True, "lib-dynload"),
    ],
)
def test_classify(relative: str, dynload: bool, part: str) -> None:
    assert classify(relative, dynload=dynload) == part


def _independent_walk(roots: list[Path], single: list[Path], skip: Path) -> tuple[int, int]:
    """(apparent bytes, files) of every non-directory under ``roots`` plus ``single`` files,
    hard links once, ``skip`` left out: written apart from sizefloor.runtime.host on purpose."""
    seen: set[tuple[int, int]] = set()
    total = count = 0
    paths: list[str] = [str(p) for p in single]
    for root in roots:
        for directory, dirnames, filenames in os.walk(root):
            if Path(directory) == skip.parent:
                dirnames[:] = [d for d in dirnames if Path(directory, d) != skip]
            paths.extend(os.path.join(directory, f) for f in filenames)
            paths.extend(
                os.path.join(directory, d)
                for d in dirnames
                if os.path.islink(os.path.join(directory, d))
            )
    for path in paths:
        st = os.lstat(path)
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        total += st.st_size
        count += 1
    return total, count


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="host is a Linux interpreter")
def test_host_measurement_matches_an_independent_walk() -> None:
    measured = measure(compress=False)
    stdlib = Path(sysconfig.get_path("stdlib"))
    include = Path(sysconfig.get_path("include"))
    single = [Path(measured.executable)]
    libpython = measured.part("libpython")
    single += [Path(p) for p, _, _ in libpython.files]
    roots = [stdlib] + ([include] if include.is_dir() else [])
    total, count = _independent_walk(roots, single, stdlib / "site-packages")
    parts_total = sum(p.bytes for p in measured.parts)
    parts_count = sum(len(p.files) for p in measured.parts)
    assert (parts_total, parts_count) == (total, count)
    assert measured.part("stdlib").bytes > 1_000_000
    assert measured.part("lib-dynload").files


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("du") is None, reason="needs du")
@pytest.mark.skipif(sys.platform != "linux", reason="host is a Linux interpreter")
def test_host_parts_equal_du_of_the_same_files(tmp_path: Path) -> None:
    measured = measure(compress=False)
    for part in measured.parts:
        if not part.files:
            continue
        listing = tmp_path / f"{part.name}.list"
        listing.write_bytes(b"\0".join(p.encode() for p, _, _ in part.files))
        apparent = subprocess.run(
            ["du", "-c", "-b", f"--files0-from={listing}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        blocks = subprocess.run(
            ["du", "-c", "-B1", f"--files0-from={listing}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert int(apparent.stdout.splitlines()[-1].split()[0]) == part.bytes, part.name
        assert int(blocks.stdout.splitlines()[-1].split()[0]) == part.disk_bytes, part.name


# ------------------------------------------------------------------------------ Debian


@pytest.mark.parametrize(
    ("a", "b", "sign"),
    [
        ("1.0", "1.0", 0),
        ("1.0-1", "1.0-2", -1),
        ("1:0.9", "2.0", 1),
        ("3.11.2-6+deb12u9", "3.11.2-6+deb12u8", 1),
        ("1.0~rc1", "1.0", -1),
        ("1.0a", "1.0", 1),
        ("2.36-9+deb12u10", "2.36-9+deb12u9", 1),
        ("1.2.5", "1.10", -1),
    ],
)
def test_compare_versions(a: str, b: str, sign: int) -> None:
    result = debian.compare_versions(a, b)
    assert (result > 0) - (result < 0) == sign


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_apt_sources_both_formats(tmp_path: Path) -> None:
    etc = tmp_path / "apt"
    _write(etc / "sources.list", "# comment\ndeb-src http://src.invalid/debian bookworm main\n")
    _write(
        etc / "sources.list.d" / "debian.sources",
        "Types: deb\n# a comment\nURIs: http://mirror.invalid/debian\n"
        "Suites: bookworm bookworm-updates\nComponents: main\n\n"
        "Types: deb\nURIs: http://mirror.invalid/debian-security/\n"
        "Suites: bookworm-security\nComponents: main\n\n"
        "Types: deb\nEnabled: no\nURIs: http://off.invalid/\nSuites: trixie\nComponents: main\n",
    )
    _write(
        etc / "sources.list.d" / "other.list",
        "deb [arch=amd64] http://third.invalid/x nodistro main\n",
    )
    _write(etc / "sources.list.d" / "ignored.list.disabled", "deb http://no.invalid/ trixie main\n")
    sources = debian.read_apt_sources(etc)
    assert [s.uri for s in sources] == [
        "http://mirror.invalid/debian",
        "http://mirror.invalid/debian-security/",
        "http://third.invalid/x",
    ]
    archive = debian.find_archive(etc, environ={})
    assert archive.uri == "http://mirror.invalid/debian"
    assert archive.security_uri == "http://mirror.invalid/debian-security"
    override = debian.find_archive(etc, environ={"SIZEFLOOR_DEBIAN_MIRROR": "file:///m/"})
    assert (override.uri, override.security_uri) == ("file:///m", None)


def test_no_debian_mirror_is_an_input_error(tmp_path: Path) -> None:
    _write(tmp_path / "apt" / "sources.list", "deb http://third.invalid/x nodistro main\n")
    with pytest.raises(InputError, match="No Debian mirror"):
        debian.find_archive(tmp_path / "apt", environ={})


def _deb(name: str, files: Mapping[str, bytes], *, links: Mapping[str, str] = {}) -> bytes:
    """A .deb: ar with debian-binary, control.tar.xz and data.tar.xz."""

    def tar(members: Mapping[str, bytes], symlinks: Mapping[str, str] = {}) -> bytes:
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as archive:
            dirs: set[str] = set()
            for path in [*members, *symlinks]:
                parts = path.split("/")[:-1]
                for i in range(1, len(parts) + 1):
                    dirs.add("/".join(parts[:i]))
            for directory in sorted(dirs):
                info = tarfile.TarInfo("./" + directory + "/")
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            for path, data in members.items():
                info = tarfile.TarInfo("./" + path)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            for path, target in symlinks.items():
                info = tarfile.TarInfo("./" + path)
                info.type = tarfile.SYMTYPE
                info.linkname = target
                archive.addfile(info)
        return lzma.compress(raw.getvalue())

    control = tar({"control": f"Package: {name}\n".encode(), "md5sums": b"0" * 40})
    data = tar(dict(files), dict(links))
    out = io.BytesIO()
    out.write(b"!<arch>\n")
    for member, body in (
        ("debian-binary", b"2.0\n"),
        ("control.tar.xz", control),
        ("data.tar.xz", data),
    ):
        header = f"{member + '/':<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(body):<10}`\n"
        out.write(header.encode())
        out.write(body)
        if len(body) % 2:
            out.write(b"\n")
    return out.getvalue()


def test_measure_deb_counts_files_links_and_filters() -> None:
    deb = _deb(
        "libdemo",
        {
            "usr/lib/libdemo.so.1": b"E" * 5000,
            "usr/share/doc/libdemo/changelog.gz": b"c" * 700,
            "usr/share/doc/libdemo/copyright": b"C" * 300,
            "usr/share/man/man1/demo.1.gz": b"m" * 200,
        },
        links={"usr/lib/libdemo.so": "libdemo.so.1"},
    )
    everything = debian.measure_deb(deb)
    assert everything.apparent_bytes == 5000 + 700 + 300 + 200 + len("libdemo.so.1")
    assert everything.regular_files == 4
    assert everything.gzip_bytes > 0 and everything.dpkg_info_bytes > 0
    keep = debian.path_filter(debian.SLIM_EXCLUDES, debian.SLIM_INCLUDES)
    slim = debian.measure_deb(deb, keep=keep)
    assert slim.apparent_bytes == 5000 + 300 + len("libdemo.so.1")  # the copyright stays
    assert "/usr/share/doc/libdemo/copyright" in dict(slim.files)
    assert debian.DebContents.from_json(slim.to_json()) == slim


PACKAGES: dict[str, dict[str, Any]] = {
    "libc6": {"priority": "required", "files": {"usr/lib/libc.so.6": 2000}},
    "base-files": {"priority": "required", "files": {"etc/debian_version": 10}},
    "apt": {"depends": "libc6", "files": {"usr/bin/apt": 500}},
    "python3": {
        "depends": "python3.11 (>= 3.11.2), libpython3-stdlib",
        "files": {"usr/share/python3/debpython/__init__.py": 1000},
    },
    "libpython3-stdlib": {"depends": "libpython3.11-stdlib", "files": {"usr/share/doc/x": 9}},
    "python3.11": {
        "depends": "python3.11-minimal (= 3.11.2-6), libpython3.11-stdlib",
        "version": "3.11.2-6",
        "files": {"usr/bin/python3.11": 7000},
    },
    "python3.11-minimal": {"version": "3.11.2-6", "files": {"usr/lib/python3.11/os.py": 4000}},
    "libpython3.11-stdlib": {
        "depends": "mime-support | media-types, libffi8, libc6 (>= 2.34)",
        "files": {"usr/lib/python3.11/json/__init__.py": 3000},
    },
    "media-types": {"provides": "mime-support", "files": {"etc/mime.types": 100}},
    "libffi8": {"files": {"usr/lib/libffi.so.8": 300}},
}


def _archive(root: Path, suite: str, arch: str) -> None:
    """A Debian archive on disk: dists/<suite>/main/binary-<arch>/Packages.xz and the pool."""
    stanzas = []
    for name, spec in PACKAGES.items():
        files = {path: b"x" * size for path, size in spec["files"].items()}
        deb = _deb(name, files)
        version = spec.get("version", "1.0")
        filename = f"pool/main/{name[0]}/{name}/{name}_{version}_{arch}.deb"
        (root / filename).parent.mkdir(parents=True, exist_ok=True)
        (root / filename).write_bytes(deb)
        fields = [
            f"Package: {name}",
            f"Version: {version}",
            f"Architecture: {arch}",
            f"Installed-Size: {sum(spec['files'].values()) // 1024 + 4}",
            f"Priority: {spec.get('priority', 'optional')}",
        ]
        if "depends" in spec:
            fields.append(f"Depends: {spec['depends']}")
        if "provides" in spec:
            fields.append(f"Provides: {spec['provides']}")
        fields += [
            f"Filename: {filename}",
            f"Size: {len(deb)}",
            f"SHA256: {hashlib.sha256(deb).hexdigest()}",
        ]
        stanzas.append("\n".join(fields))
    index = root / "dists" / suite / "main" / f"binary-{arch}" / "Packages.xz"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_bytes(lzma.compress(("\n\n".join(stanzas) + "\n").encode()))


def _reader(root: Path) -> tuple[debian.Reader, dict[str, Any]]:
    store: dict[str, Any] = {}

    def fetch(url: str) -> bytes | None:
        path = Path(url.removeprefix("file://"))
        return path.read_bytes() if path.is_file() else None

    archive = debian.Archive(f"file://{root}", None, "test")
    reader = debian.Reader(archive, fetch, cache_get=store.get, cache_set=store.__setitem__)
    return reader, store


def test_closure_alternatives_virtual_and_present(tmp_path: Path) -> None:
    _archive(tmp_path, "bookworm", "amd64")
    reader, _ = _reader(tmp_path)
    index = reader.index("bookworm", "amd64")
    packages, missing = index.closure(["python3"], present={"libc6"})
    names = {p.name for p in packages}
    assert names == {
        "python3", "libpython3-stdlib", "python3.11", "python3.11-minimal",
        "libpython3.11-stdlib", "media-types", "libffi8",
    }  # fmt: skip
    assert missing == []
    assert index.required() == ["base-files", "libc6"]
    _, missing = index.closure(["nonexistent"])
    assert missing == ["nonexistent"]


def test_debian_apt_computation_on_a_local_archive(tmp_path: Path) -> None:
    _archive(tmp_path, "bookworm", "amd64")
    reader, store = _reader(tmp_path)
    result = reader.debian_apt("debian12", "amd64", as_of="2026-01-01")
    assert result.python == "3.11.2-6"
    assert result.base_packages == 3  # base-files, libc6, apt
    size = result.size
    files = 1000 + 7000 + 4000 + 3000 + 100 + 300  # usr/share/doc/x is excluded (slim)
    assert size.apparent_bytes == files + size.bytecode_bytes
    # .pyc for the three .py files under /usr/lib/python3.11 and /usr/share/python3
    assert size.bytecode_bytes > 0 and size.files == 6 + 3
    assert len(store) == 7  # each .deb read once, cached by SHA256 and filter
    again = reader.debian_apt("debian12", "amd64")
    assert again.size.apparent_bytes == size.apparent_bytes
    assert len(store) == 7
    warnings = reader.warnings
    assert warnings and "security" in warnings[0]


def test_distroless_computation_uses_exactly_the_list_and_adds_what_the_build_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _archive(tmp_path, "bookworm", "amd64")
    reader, _ = _reader(tmp_path)
    image = debian.DistrolessImage(
        distro="debian12",
        commit="0" * 40,
        committed="2026-01-01",
        # python3.11 and the others are in the archive, but not in the lists: left out
        layers={"base": ("libc6",), "python": ("python3.11-minimal", "libffi8", "libc6")},
        sources={"base": "base/config.bzl", "python": "python3/config.bzl"},
        generated=(
            debian.Generated("/etc/ld.so.cache", "ldconfig", size={"amd64": 1234}),
            debian.Generated("/etc/passwd", "passwd", size=149),
            debian.Generated("/usr/bin/python3", "alias", symlink="/usr/bin/python3.11"),
            debian.Generated("/etc/mime.bundle", "made", package="media-types", made_of="/etc/"),
        ),
        derived=("media-types",),
    )
    monkeypatch.setattr(debian, "distroless_images", lambda: {"debian12": image})
    result = reader.distroless("debian12", "amd64")
    assert [p.name for p in result.size.packages] == ["libc6", "python3.11-minimal", "libffi8"]
    assert result.list_commit == "0" * 40
    generated = dict(result.generated)
    assert generated["/etc/ld.so.cache"] == 1234
    assert generated["/usr/bin/python3"] == len("/usr/bin/python3.11")
    assert generated["/etc/mime.bundle"] == 100  # media-types' /etc/mime.types
    statusd = {p: b for p, b in generated.items() if p.startswith("/var/lib/dpkg/status.d/")}
    assert set(statusd) == {
        f"/var/lib/dpkg/status.d/{n}"
        for n in ("libc6", "python3.11-minimal", "libffi8", "media-types")
    }
    # each: its control file and md5sums (40 bytes) as the fake .deb holds them
    assert statusd["/var/lib/dpkg/status.d/libc6"] == len("Package: libc6\n") + 40
    files = 2000 + 4000 + 300  # the three listed packages' files, and only theirs
    assert result.size.apparent_bytes == files + sum(generated.values())


def test_refresh_runtime_through_a_configured_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--refresh-runtime`` for debian:12-slim: the mirror comes from the environment (as
    from apt's configuration), the result is cached and served again with --offline."""
    from sizefloor.runtime.refresh import refreshed_figures

    root = tmp_path / "mirror"
    _archive(root, "bookworm", "amd64")
    monkeypatch.setenv("SIZEFLOOR_DEBIAN_MIRROR", f"file://{root}")
    image = catalog().by_name()["debian:12-slim"]
    shipped = image.sizes["x86_64"]
    base = raw_entry("debian:12-slim")["sizes"]["amd64"]["base"]
    fresh = refreshed_figures(image, "x86_64", shipped, cache_dir=tmp_path / "cache")
    assert fresh.as_of == runtime.today()
    added = fresh.installed_bytes - base["installed_bytes"]
    assert 15_400 < added < 40_000  # 15,400 bytes of files + modelled .pyc + dpkg's records
    offline = refreshed_figures(
        image, "x86_64", shipped, cache_dir=tmp_path / "cache", offline=True
    )
    assert offline == fresh
    with pytest.raises(OfflineMiss):
        refreshed_figures(image, "x86_64", shipped, cache_dir=tmp_path / "empty", offline=True)


@pytest.mark.slow
@pytest.mark.live
@pytest.mark.parametrize(
    ("distro", "arch"), [("debian13", "amd64"), ("debian13", "arm64"), ("debian12", "amd64")]
)
def test_live_distroless_matches_the_debian_computation_of_its_list(
    tmp_path: Path, distro: str, arch: str
) -> None:
    """``--base distroless`` against Debian's archive today (through the mirror apt is
    configured with): exactly distroless's own package list, its data.tar files summed,
    plus what the build writes (ld.so.cache on Debian 13): within 1%."""
    from sizefloor.cache import Cache
    from sizefloor.net.http import Http, HttpOptions
    from sizefloor.runtime.refresh import compute

    try:
        debian.find_archive()
    except InputError:
        pytest.skip("no Debian mirror configured for apt")
    cache = Cache(tmp_path / "cache")
    with Http(HttpOptions(timeout=120.0)) as http:
        result, _ = compute("distroless", distro, arch, cache=cache, http=http)
    cache.close()
    image = catalog().by_name()[f"distroless-{distro}"]
    shipped = image.sizes[{"amd64": "x86_64", "arm64": "aarch64"}[arch]].installed_bytes
    assert [p.name for p in result.size.packages] == list(
        debian.distroless_images()[distro].packages
    )
    assert abs(result.size.apparent_bytes - shipped) <= 0.01 * shipped
