"""image/system.py: build-only system files, from dpkg's and apk's records or by path."""

from __future__ import annotations

import pytest

from sizefloor.image.system import build_package_files, build_path_group, is_build_package


@pytest.mark.parametrize(
    "name",
    [
        "gcc-12",
        "g++",
        "cpp-12:amd64",
        "binutils-x86-64-linux-gnu",
        "libpq-dev",
        "libc6-dev:amd64",
        "build-essential",
        "build-base",
        "linux-headers",
        "libasan8",
        "make",
    ],
)
def test_build_packages(name: str) -> None:
    assert is_build_package(name)


@pytest.mark.parametrize(
    "name", ["gcc-12-base", "gcc-12-base:amd64", "libpq5", "libc6", "python3.11", "makedev"]
)
def test_runtime_packages(name: str) -> None:
    assert not is_build_package(name)


def status(*paragraphs: tuple[str, str]) -> bytes:
    return "".join(f"Package: {p}\nStatus: {s}\n\n" for p, s in paragraphs).encode()


def test_dpkg_lists_of_installed_build_packages() -> None:
    kept = {
        "/var/lib/dpkg/status": status(
            ("gcc-12", "install ok installed"),
            ("libpq-dev", "deinstall ok config-files"),  # removed: its list is stale
            ("libpq5", "install ok installed"),
        ),
        "/var/lib/dpkg/info/gcc-12:amd64.list": b"/.\n/usr\n/usr/bin/gcc-12\n",
        "/var/lib/dpkg/info/libpq-dev.list": b"/usr/include/libpq-fe.h\n",
        "/var/lib/dpkg/info/libpq5.list": b"/usr/lib/libpq.so.5\n",
    }
    assert build_package_files(kept) == {"/usr": "gcc-12", "/usr/bin/gcc-12": "gcc-12"}


def test_without_a_status_file_every_list_counts() -> None:
    kept = {"/var/lib/dpkg/info/make.list": b"/usr/bin/make\n"}
    assert build_package_files(kept) == {"/usr/bin/make": "make"}


def test_apk_database() -> None:
    db = (
        b"P:musl\nF:lib\nR:ld-musl-x86_64.so.1\n\n"
        b"P:build-base\nF:usr/share/doc\nR:README\n\n"
        b"P:musl-dev\nF:usr/include\nR:stdio.h\nR:stdlib.h\nF:usr/lib\nR:libc.a\n"
    )
    assert build_package_files({"/lib/apk/db/installed": db}) == {
        "/usr/share/doc/README": "build-base",
        "/usr/include/stdio.h": "musl-dev",
        "/usr/include/stdlib.h": "musl-dev",
        "/usr/lib/libc.a": "musl-dev",
    }


@pytest.mark.parametrize(
    ("path", "group"),
    [
        ("/usr/include/stdio.h", "/usr/include"),
        ("/usr/local/include/x/y.h", "/usr/local/include"),
        ("/usr/lib/gcc/x86_64-linux-gnu/12/cc1", "/usr/lib/gcc"),
        ("/usr/libexec/gcc/x86_64-alpine-linux-musl/12/cc1", "/usr/libexec/gcc"),
        ("/usr/lib/llvm-15/bin/clang", "/usr/lib/llvm-15"),
        ("/usr/bin/x86_64-linux-gnu-gcc-12", "compiler drivers in bin/"),
        ("/usr/local/bin/cmake", "compiler drivers in bin/"),
        ("/usr/lib/x86_64-linux-gnu/libfoo.a", "static libraries (*.a)"),
        ("/usr/lib/python3/dist-packages/x/libbundled.a", None),
        ("/usr/bin/python3", None),
        ("/usr/lib/libpq.so.5", None),
    ],
)
def test_build_path_groups(path: str, group: str | None) -> None:
    assert build_path_group(path) == group
