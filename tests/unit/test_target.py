"""Tests for sizefloor.target: parsing, tag order, markers, errors."""

from __future__ import annotations

import importlib.util
import os
import platform as host_platform
import sys
import sysconfig

import packaging
import pytest
from packaging.markers import Marker, default_environment
from packaging.tags import Tag, sys_tags
from packaging.utils import parse_wheel_filename
from packaging.version import Version

from sizefloor.errors import InputError, TargetError
from sizefloor.target import DEBIAN_STABLE_GLIBC, DEFAULT_MUSL, Target

# --------------------------------------------------------------------------------- defaults


def test_defaults() -> None:
    target = Target.from_options()
    assert target.python_version == sys.version_info[:2]
    assert target.implementation == "cpython"
    assert target.arch == "x86_64"
    assert target.libc == "glibc"
    assert target.libc_version == DEBIAN_STABLE_GLIBC == (2, 41)
    assert target.python_full_version is None
    assert target.docker_platform == "linux/amd64"


def test_direct_construction_matches_from_options() -> None:
    assert Target((3, 12)) == Target.from_options(python="3.12")
    assert Target((3, 12), arch="aarch64", libc="musl") == Target.from_options(
        python="3.12", platform="linux/arm64", libc="musl"
    )
    assert len({Target((3, 12)), Target.from_options(python="cp312")}) == 1


def test_musl_gets_musl_default_version() -> None:
    assert Target((3, 12), libc="musl").libc_version == DEFAULT_MUSL == (1, 2)
    assert Target.from_options(libc="musl").libc_version == (1, 2)


def test_target_error_is_input_error() -> None:
    assert issubclass(TargetError, InputError)
    assert TargetError("x").exit_code == 2


# ----------------------------------------------------------------------------------- python


@pytest.mark.parametrize(
    ("text", "version", "full"),
    [
        ("3.12", (3, 12), None),
        ("3.12.4", (3, 12), "3.12.4"),
        ("312", (3, 12), None),
        ("cp312", (3, 12), None),
        ("CP312", (3, 12), None),
        ("38", (3, 8), None),
        ("3.8", (3, 8), None),
        ("310", (3, 10), None),
        (" 3.13 ", (3, 13), None),
        ("cpython3.11", (3, 11), None),
        ("cpython-3.11", (3, 11), None),
        ("cpython@3.11.2", (3, 11), "3.11.2"),
        ("python3.12", (3, 12), None),
        ("3.14.0rc2", (3, 14), "3.14.0rc2"),
    ],
)
def test_python_spellings(text: str, version: tuple[int, int], full: str | None) -> None:
    target = Target.from_options(python=text)
    assert target.python_version == version
    assert target.python_full_version == full


@pytest.mark.parametrize(
    ("text", "in_hint"),
    [
        ("3.7", "3.8 and later"),
        ("2.7", "3.8 and later"),
        ("cp27", "3.8 and later"),
        ("4.0", "3.8 and later"),
        ("3", "major and the minor"),
        ("three", "MAJOR.MINOR"),
        ("", "MAJOR.MINOR"),
        ("3.12.x", "MAJOR.MINOR"),
        ("3.13t", "Free-threaded"),
        ("cp313t", "Free-threaded"),
        ("pypy3.10", "other implementations"),
        ("pp310", "other implementations"),
    ],
)
def test_python_errors(text: str, in_hint: str) -> None:
    with pytest.raises(TargetError) as info:
        Target.from_options(python=text)
    assert info.value.hint is not None
    assert in_hint in info.value.hint


def test_full_version_changes_markers_and_description() -> None:
    target = Target.from_options(python="3.12.7")
    env = target.marker_environment()
    assert env["python_full_version"] == "3.12.7"
    assert env["implementation_version"] == "3.12.7"
    assert env["python_version"] == "3.12"
    assert target.describe().startswith("CPython 3.12.7 on ")
    # Tags do not depend on the patch version.
    assert target.tags() == Target((3, 12)).tags()


# --------------------------------------------------------------------------------- platform

PLATFORMS: list[tuple[str, str, str, tuple[int, int]]] = [
    # Docker
    ("linux/amd64", "x86_64", "glibc", (2, 41)),
    ("linux/amd64/v2", "x86_64", "glibc", (2, 41)),
    ("linux/arm64", "aarch64", "glibc", (2, 41)),
    ("linux/arm64/v8", "aarch64", "glibc", (2, 41)),
    ("linux/arm/v7", "armv7l", "glibc", (2, 41)),
    ("linux/arm", "armv7l", "glibc", (2, 41)),
    ("linux/386", "i686", "glibc", (2, 41)),
    ("linux/ppc64le", "ppc64le", "glibc", (2, 41)),
    ("linux/s390x", "s390x", "glibc", (2, 41)),
    ("amd64", "x86_64", "glibc", (2, 41)),
    ("arm64", "aarch64", "glibc", (2, 41)),
    ("LINUX/ARM64", "aarch64", "glibc", (2, 41)),
    ("linux/x86_64", "x86_64", "glibc", (2, 41)),
    ("aarch64", "aarch64", "glibc", (2, 41)),
    # pip platform tags
    ("manylinux_2_28_x86_64", "x86_64", "glibc", (2, 28)),
    ("manylinux_2_17_aarch64", "aarch64", "glibc", (2, 17)),
    ("manylinux_2_36_armv7l", "armv7l", "glibc", (2, 36)),
    ("manylinux2014_aarch64", "aarch64", "glibc", (2, 17)),
    ("manylinux2014_x86_64", "x86_64", "glibc", (2, 17)),
    ("manylinux2010_x86_64", "x86_64", "glibc", (2, 12)),
    ("manylinux2010_i686", "i686", "glibc", (2, 12)),
    ("manylinux1_x86_64", "x86_64", "glibc", (2, 5)),
    ("musllinux_1_2_aarch64", "aarch64", "musl", (1, 2)),
    ("musllinux_1_1_x86_64", "x86_64", "musl", (1, 1)),
    ("linux_x86_64", "x86_64", "glibc", (2, 41)),
    ("linux_aarch64", "aarch64", "glibc", (2, 41)),
    # uv
    ("x86_64-manylinux_2_28", "x86_64", "glibc", (2, 28)),
    ("aarch64-manylinux_2_40", "aarch64", "glibc", (2, 40)),
    ("aarch64-manylinux2014", "aarch64", "glibc", (2, 17)),
    ("x86_64-manylinux2014", "x86_64", "glibc", (2, 17)),
    ("x86_64-unknown-linux-gnu", "x86_64", "glibc", (2, 41)),
    ("aarch64-unknown-linux-gnu", "aarch64", "glibc", (2, 41)),
    ("aarch64-unknown-linux-musl", "aarch64", "musl", (1, 2)),
    ("x86_64-unknown-linux-musl", "x86_64", "musl", (1, 2)),
    ("armv7-unknown-linux-gnueabihf", "armv7l", "glibc", (2, 41)),
    ("powerpc64le-unknown-linux-gnu", "ppc64le", "glibc", (2, 41)),
    ("linux", "x86_64", "glibc", (2, 41)),
]


@pytest.mark.parametrize(("text", "arch", "libc", "version"), PLATFORMS)
def test_platform_spellings(text: str, arch: str, libc: str, version: tuple[int, int]) -> None:
    target = Target.from_options(python="3.12", platform=text)
    assert (target.arch, target.libc, target.libc_version) == (arch, libc, version)


@pytest.mark.parametrize(
    ("arch", "docker"),
    [
        ("x86_64", "linux/amd64"),
        ("aarch64", "linux/arm64"),
        ("armv7l", "linux/arm/v7"),
        ("ppc64le", "linux/ppc64le"),
        ("s390x", "linux/s390x"),
        ("i686", "linux/386"),
    ],
)
def test_docker_platform_round_trips(arch: str, docker: str) -> None:
    target = Target((3, 12), arch=arch)
    assert target.docker_platform == docker
    assert Target.from_options(python="3.12", platform=docker) == target


def test_libc_options() -> None:
    assert Target.from_options(libc="gnu").libc == "glibc"
    assert Target.from_options(libc="GLIBC").libc == "glibc"
    target = Target.from_options(platform="linux/arm64", libc="musl", libc_version="1.1")
    assert (target.libc, target.libc_version) == ("musl", (1, 1))
    assert Target.from_options(libc_version="2.36").libc_version == (2, 36)
    # A platform that names the libc but not its version takes --libc-version.
    target = Target.from_options(platform="x86_64-unknown-linux-gnu", libc_version="2.31")
    assert target.libc_version == (2, 31)
    # Agreeing options are fine.
    target = Target.from_options(platform="musllinux_1_2_x86_64", libc="musl", libc_version="1.2")
    assert (target.libc, target.libc_version) == ("musl", (1, 2))
    # linux_<arch> and Docker platforms name no libc: --libc decides.
    assert Target.from_options(platform="linux_aarch64", libc="musl").libc == "musl"
    assert Target.from_options(platform="linux", libc="musl").libc == "musl"


@pytest.mark.parametrize(
    ("platform", "libc", "libc_version"),
    [
        ("musllinux_1_2_x86_64", "glibc", None),
        ("manylinux_2_28_x86_64", "musl", None),
        ("manylinux2014_aarch64", "musl", None),
        ("aarch64-unknown-linux-musl", "gnu", None),
        ("x86_64-unknown-linux-gnu", "musl", None),
        ("x86_64-manylinux_2_28", "musl", None),
        ("manylinux_2_28_x86_64", None, "2.36"),
        ("musllinux_1_2_aarch64", None, "1.1"),
        ("manylinux2014_x86_64", "glibc", "2.28"),
    ],
)
def test_platform_contradicting_libc(
    platform: str, libc: str | None, libc_version: str | None
) -> None:
    with pytest.raises(TargetError) as info:
        Target.from_options(platform=platform, libc=libc, libc_version=libc_version)
    assert platform in info.value.message
    assert info.value.hint


@pytest.mark.parametrize(
    "platform",
    [
        "windows/amd64",
        "windows",
        "win_amd64",
        "win32",
        "macos",
        "darwin/arm64",
        "macosx_11_0_arm64",
        "macosx_10_9_x86_64",
        "x86_64-pc-windows-msvc",
        "aarch64-pc-windows-msvc",
        "aarch64-apple-darwin",
        "arm64-apple-ios",
        "aarch64-linux-android",
        "wasm32-pyodide2024",
    ],
)
def test_non_linux_platforms(platform: str) -> None:
    with pytest.raises(TargetError) as info:
        Target.from_options(platform=platform)
    assert "sizefloor sizes Linux container images" in info.value.message
    assert info.value.hint is not None and "linux/amd64" in info.value.hint


@pytest.mark.parametrize(
    "platform",
    [
        "linux/riscv64",
        "riscv64-unknown-linux",
        "linux/arm/v6",
        "linux/arm/v5",
        "linux/mips64le",
        "linux_riscv64",
        "manylinux_2_28_riscv64",
        "manylinux2014_ppc64",
        "musllinux_1_2_loongarch64",
    ],
)
def test_unsupported_architectures(platform: str) -> None:
    with pytest.raises(TargetError) as info:
        Target.from_options(platform=platform)
    assert "Unsupported architecture" in info.value.message
    assert info.value.hint is not None and "linux/arm64" in info.value.hint


@pytest.mark.parametrize(
    "platform",
    ["manylinux2010_aarch64", "manylinux1_aarch64", "aarch64-manylinux2010", "manylinux1_s390x"],
)
def test_legacy_manylinux_only_where_it_exists(platform: str) -> None:
    with pytest.raises(TargetError) as info:
        Target.from_options(platform=platform)
    assert info.value.hint is not None and "manylinux2014_" in info.value.hint


@pytest.mark.parametrize(
    "platform", ["", "linux/amd64/v9", "linux/arm64/v7", "solaris-sparc", "foo", "linux/"]
)
def test_garbage_platforms(platform: str) -> None:
    with pytest.raises(TargetError) as info:
        Target.from_options(platform=platform)
    assert info.value.hint


@pytest.mark.parametrize(
    ("libc", "libc_version", "in_hint"),
    [
        ("uclibc", None, "--libc musl"),
        (None, "2", "MAJOR.MINOR"),
        (None, "two.36", "MAJOR.MINOR"),
        (None, "2.4", "2.5"),
        (None, "3.0", "2.5"),
        (None, "1.2", "--libc musl"),
        ("musl", "2.36", "--libc glibc"),
        ("musl", "0.9", "1.x"),
    ],
)
def test_libc_errors(libc: str | None, libc_version: str | None, in_hint: str) -> None:
    with pytest.raises(TargetError) as info:
        Target.from_options(libc=libc, libc_version=libc_version)
    assert info.value.hint is not None and in_hint in info.value.hint


def test_direct_construction_is_validated() -> None:
    with pytest.raises(TargetError, match="Only CPython"):
        Target((3, 12), implementation="pypy")
    with pytest.raises(TargetError, match="not supported"):
        Target((3, 7))
    with pytest.raises(TargetError, match="Unsupported architecture"):
        Target((3, 12), arch="riscv64")
    with pytest.raises(TargetError, match="Unknown C library"):
        Target((3, 12), libc="uclibc")
    with pytest.raises(TargetError, match="does not match"):
        Target((3, 12), python_full_version="3.11.4")
    with pytest.raises(TargetError):
        Target((3, 12), libc_version=(2, 4))


# -------------------------------------------------------------------------------------- tags


def _x86_64_manylinux_down_from_2_17() -> list[str]:
    tags = ["manylinux_2_17_x86_64", "manylinux2014_x86_64"]
    for minor in range(16, 4, -1):
        tags.append(f"manylinux_2_{minor}_x86_64")
        if minor == 12:
            tags.append("manylinux2010_x86_64")
    tags.append("manylinux1_x86_64")
    return tags


def test_platform_tags_hand_written_x86_64() -> None:
    target = Target.from_options(python="3.12", platform="manylinux_2_19_x86_64")
    assert target.platform_tags == (
        "linux_x86_64",
        "manylinux_2_19_x86_64",
        "manylinux_2_18_x86_64",
        *_x86_64_manylinux_down_from_2_17(),
    )
    assert target.platform_tags[-1] == "manylinux1_x86_64"
    assert target.platform_tags[-2] == "manylinux_2_5_x86_64"


def test_platform_tags_hand_written_aarch64() -> None:
    target = Target.from_options(python="3.12", platform="manylinux_2_20_aarch64")
    assert target.platform_tags == (
        "linux_aarch64",
        "manylinux_2_20_aarch64",
        "manylinux_2_19_aarch64",
        "manylinux_2_18_aarch64",
        "manylinux_2_17_aarch64",
        "manylinux2014_aarch64",
    )


def test_platform_tags_aarch64_default_glibc() -> None:
    tags = Target.from_options(python="3.12", platform="linux/arm64").platform_tags
    assert tags[0] == "linux_aarch64"
    assert tags[1] == "manylinux_2_41_aarch64"
    expected_manylinux = [f"manylinux_2_{minor}_aarch64" for minor in range(41, 16, -1)]
    assert [t for t in tags if t.startswith("manylinux_")] == expected_manylinux
    assert "manylinux2014_aarch64" in tags
    assert tags.index("manylinux2014_aarch64") == tags.index("manylinux_2_17_aarch64") + 1
    assert tags[-1] == "manylinux2014_aarch64"
    assert not any(t.startswith(("manylinux2010", "manylinux1_", "musllinux")) for t in tags)
    assert "manylinux_2_16_aarch64" not in tags


@pytest.mark.parametrize(
    ("platform", "has_2014", "oldest"),
    [
        ("linux/arm/v7", True, "manylinux_2_17_armv7l"),
        ("linux/ppc64le", True, "manylinux_2_17_ppc64le"),
        ("linux/s390x", True, "manylinux_2_17_s390x"),
        ("linux/386", True, "manylinux_2_5_i686"),
    ],
)
def test_platform_tags_other_arches(platform: str, has_2014: bool, oldest: str) -> None:
    target = Target.from_options(python="3.12", platform=platform)
    tags = target.platform_tags
    arch = target.arch
    assert tags[0] == f"linux_{arch}"
    assert tags[1] == f"manylinux_2_41_{arch}"
    assert (f"manylinux2014_{arch}" in tags) is has_2014
    assert [t for t in tags if t.startswith("manylinux_")][-1] == oldest
    assert (f"manylinux2010_{arch}" in tags) is (arch == "i686")
    assert (f"manylinux1_{arch}" in tags) is (arch == "i686")


def test_musl_platform_tags() -> None:
    target = Target.from_options(python="3.12", platform="linux/arm64", libc="musl")
    assert target.platform_tags == (
        "linux_aarch64",
        "musllinux_1_2_aarch64",
        "musllinux_1_1_aarch64",
        "musllinux_1_0_aarch64",
    )
    assert Target((3, 12), libc="musl", libc_version=(1, 1)).platform_tags == (
        "linux_x86_64",
        "musllinux_1_1_x86_64",
        "musllinux_1_0_x86_64",
    )
    assert not any("manylinux" in str(tag) for tag in target.tags())


def test_tag_order() -> None:
    target = Target.from_options(python="3.12", platform="linux/arm64")
    tags = target.tags()
    position = {str(tag): index for index, tag in enumerate(tags)}
    assert str(tags[0]) == "cp312-cp312-linux_aarch64"
    assert str(tags[1]) == "cp312-cp312-manylinux_2_41_aarch64"
    best = "manylinux_2_41_aarch64"
    ordered = [
        f"cp312-cp312-{best}",
        "cp312-cp312-manylinux2014_aarch64",
        f"cp312-abi3-{best}",
        "cp312-abi3-manylinux2014_aarch64",
        f"cp312-none-{best}",
        f"cp311-abi3-{best}",
        f"cp32-abi3-{best}",
        f"py312-none-{best}",
        f"py3-none-{best}",
        f"py311-none-{best}",
        f"py30-none-{best}",
        "cp312-none-any",
        "py312-none-any",
        "py3-none-any",
        "py311-none-any",
        "py30-none-any",
    ]
    indexes = [position[tag] for tag in ordered]
    assert indexes == sorted(indexes)
    assert str(tags[-1]) == "py30-none-any"
    # Nothing for another interpreter, ABI, architecture or libc.
    assert "cp31-abi3-linux_aarch64" not in position
    assert "cp311-cp311-linux_aarch64" not in position
    assert "cp313-abi3-linux_aarch64" not in position
    assert not any("x86_64" in tag or "musllinux" in tag for tag in position)
    assert not any(tag.startswith(("pp", "cp312-cp312t", "cp312-abi3t")) for tag in position)
    assert len(position) == len(tags)  # no duplicates


def test_every_cpython_abi_tag_comes_before_abi3() -> None:
    tags = [str(t) for t in Target((3, 11)).tags()]
    last_cp311 = max(i for i, t in enumerate(tags) if t.startswith("cp311-cp311-"))
    first_abi3 = min(i for i, t in enumerate(tags) if "-abi3-" in t)
    assert last_cp311 < first_abi3


def test_tag_priority_is_cached_and_consistent() -> None:
    target = Target.from_options(python="3.12", platform="linux/arm64")
    priority = target.tag_priority()
    assert priority is target.tag_priority()
    assert target.tags() is target.tags()
    assert [priority[tag] for tag in target.tags()] == list(range(len(target.tags())))
    # Equal targets are equal even after one has computed its tags.
    assert target == Target.from_options(python="3.12", platform="linux/arm64")


@pytest.mark.parametrize(
    ("filename", "fits"),
    [
        ("numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", True),
        ("numpy-2.1.0-cp312-cp312-musllinux_1_2_aarch64.whl", False),
        ("numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", False),
        ("numpy-2.1.0-cp311-cp311-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", False),
        ("numpy-2.1.0-cp312-cp312-manylinux_2_42_aarch64.whl", False),
        ("numpy-2.1.0-cp312-cp312-macosx_14_0_arm64.whl", False),
        ("numpy-2.1.0-cp312-cp312-win_arm64.whl", False),
        ("cryptography-43.0.0-cp39-abi3-manylinux_2_28_aarch64.whl", True),
        ("cryptography-43.0.0-cp313-abi3-manylinux_2_28_aarch64.whl", False),
        ("six-1.16.0-py2.py3-none-any.whl", True),
        ("foo-1.0-py2-none-any.whl", False),
        ("foo-1.0-cp312-none-any.whl", True),
        ("foo-1.0-py3-none-linux_aarch64.whl", True),
    ],
)
def test_wheel_priority(filename: str, fits: bool) -> None:
    target = Target.from_options(python="3.12", platform="linux/arm64")
    wheel_tags = parse_wheel_filename(filename)[3]
    priority = target.wheel_priority(wheel_tags)
    assert (priority is not None) is fits
    if priority is not None:
        assert priority == min(target.tag_priority()[t] for t in wheel_tags if t in target.tags())


def test_wheel_priority_prefers_specific_wheels() -> None:
    target = Target.from_options(python="3.12", platform="linux/arm64")

    def rank(filename: str) -> int:
        result = target.wheel_priority(parse_wheel_filename(filename)[3])
        assert result is not None
        return result

    native = rank("pkg-1.0-cp312-cp312-manylinux_2_28_aarch64.whl")
    older_glibc = rank("pkg-1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl")
    abi3 = rank("pkg-1.0-cp38-abi3-manylinux_2_28_aarch64.whl")
    pure = rank("pkg-1.0-py3-none-any.whl")
    assert native < older_glibc < abi3 < pure
    assert target.wheel_priority(frozenset()) is None
    assert target.wheel_priority(frozenset({Tag("py3", "none", "any")})) == pure


def test_tags_do_not_depend_on_the_host_abi() -> None:
    # cpython_tags(abis=None) would read the running interpreter's flags.
    for target in (Target((3, 9)), Target((3, 13)), Target((3, 14), arch="aarch64")):
        major, minor = target.python_version
        abis = {tag.abi for tag in target.tags()}
        assert abis == {f"cp{major}{minor}", "abi3", "none"}


def _host_glibc() -> tuple[int, int] | None:
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, OSError, ValueError):
        return None
    if not text or not text.startswith("glibc "):
        return None
    major, minor = text.split()[1].split(".")[:2]
    return int(major), int(minor)


@pytest.mark.skipif(
    not (
        sys.platform == "linux"
        and sysconfig.get_platform() == "linux-x86_64"
        and sys.implementation.name == "cpython"
        and host_platform.libc_ver()[0] == "glibc"
        and not sysconfig.get_config_var("Py_DEBUG")
        and not sysconfig.get_config_var("Py_GIL_DISABLED")
        and importlib.util.find_spec("_manylinux") is None
        and _host_glibc() is not None
    ),
    reason="needs a plain glibc CPython on linux x86_64",
)
def test_tags_match_packaging_sys_tags_on_this_host() -> None:
    host_glibc = _host_glibc()
    assert host_glibc is not None
    target = Target(
        (sys.version_info[0], sys.version_info[1]), arch="x86_64", libc_version=host_glibc
    )
    ours = [str(tag) for tag in target.tags()]
    theirs = [str(tag) for tag in sys_tags()]
    assert set(ours) == set(theirs)
    # packaging < 26.3 put linux_<arch> last instead of first; everything else agrees.
    assert [t for t in ours if "-linux_" not in t] == [t for t in theirs if "-linux_" not in t]
    if Version(packaging.__version__) >= Version("26.3"):
        assert ours == theirs


# ----------------------------------------------------------------------------------- markers


def test_marker_environment_is_the_targets() -> None:
    target = Target.from_options(python="3.12", platform="linux/arm64", libc="musl")
    env = target.marker_environment()
    assert env == {
        "implementation_name": "cpython",
        "implementation_version": "3.12.0",
        "os_name": "posix",
        "platform_machine": "aarch64",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": "3.12.0",
        "python_version": "3.12",
        "sys_platform": "linux",
    }
    # Every key of the host's environment is overridden: nothing leaks from the host.
    assert set(default_environment()) <= set(env)


@pytest.mark.parametrize(
    ("marker", "expected"),
    [
        ('platform_machine == "aarch64"', True),
        ('platform_machine == "x86_64"', False),
        ('sys_platform == "linux"', True),
        ('sys_platform == "win32"', False),
        ('platform_system == "Linux"', True),
        ('os_name == "nt"', False),
        ('python_version >= "3.12"', True),
        ('python_version < "3.12"', False),
        ('python_version >= "3.10" and python_version < "3.13"', True),
        ('python_full_version >= "3.12.1"', False),
        ('implementation_name == "cpython"', True),
        ('platform_python_implementation == "PyPy"', False),
        ('python_version == "3.11" or platform_machine != "x86_64"', True),
        ('extra == "test"', False),
    ],
)
def test_marker_evaluation(marker: str, expected: bool) -> None:
    target = Target.from_options(python="3.12", platform="linux/arm64")
    assert Marker(marker).evaluate(target.marker_environment()) is expected


def test_marker_python_version_differs_from_host() -> None:
    host_minor = sys.version_info[1]
    other = Target((3, 8 if host_minor != 8 else 9))
    marker = Marker(f'python_version == "3.{host_minor}"')
    assert marker.evaluate(other.marker_environment()) is False
    assert marker.evaluate(Target((3, host_minor)).marker_environment()) is True


# --------------------------------------------------------------------------------- reporting


def test_to_json_and_describe() -> None:
    target = Target.from_options(python="3.12", platform="linux/arm64", libc="musl")
    assert target.to_json() == {
        "python": "3.12",
        "python_full_version": None,
        "implementation": "cpython",
        "platform": "linux/arm64",
        "arch": "aarch64",
        "libc": "musl",
        "libc_version": "1.2",
        "platform_tags": [
            "linux_aarch64",
            "musllinux_1_2_aarch64",
            "musllinux_1_1_aarch64",
            "musllinux_1_0_aarch64",
        ],
    }
    assert target.describe() == "CPython 3.12 on linux/arm64 (musl 1.2)"
    assert Target((3, 11)).describe() == "CPython 3.11 on linux/amd64 (glibc 2.41)"
    assert Target.from_options(python="3.12.7", platform="linux/arm/v7").describe() == (
        "CPython 3.12.7 on linux/arm/v7 (glibc 2.41)"
    )
