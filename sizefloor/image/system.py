"""Build-only system files in an image: compilers, headers, ``-dev`` packages.

Read from the package manager's own records when the image has them (dpkg's
``/var/lib/dpkg/status`` and ``info/*.list``, apk's ``/lib/apk/db/installed``): every file
of a package that only building needs (``gcc*``, ``g++*``, ``cpp*``, ``binutils*``,
``make``, ``*-dev``, ``build-essential``, ``build-base``, ``linux-headers``, the
sanitizer runtimes only gcc pulls in…). Files no package claims are matched by path:
``/usr/include``, ``/usr/local/include``, gcc's own folders, compiler drivers in
``bin/``, and static libraries (``*.a``) outside site-packages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_BUILD_PACKAGE = re.compile(
    r"^(gcc|g\+\+|cpp|c\+\+|clang|llvm|lld|gfortran|binutils|make|cmake|ninja-build|autoconf"
    r"|automake|libtool|pkg-config|pkgconf|build-essential|build-base|dpkg-dev|libc-dev-bin"
    r"|linux-libc-dev|linux-headers|musl-dev|libc-dev|bison|flex|patch|m4|gdb)"
    r"(-[\w.+-]*)?(:\w+)?$"
    r"|-dev(:\w+)?$|-dev-bin(:\w+)?$|-headers(:\w+)?$"
    r"|^lib(asan|tsan|ubsan|lsan|hwasan|itm|cc1-|binutils|ctf|gprofng|sframe|gcc-\d+-dev"
    r"|stdc\+\+-\d+-dev|objc-\d+-dev)"
)
_RUNTIME_EXCEPTIONS = re.compile(r"^gcc-\d+-base(:\w+)?$|^cpp-\d+-base")
_BUILD_PATH = re.compile(
    r"^/usr/(local/)?include/"
    r"|^/usr/lib/gcc(-cross)?/|^/usr/libexec/gcc/|^/usr/lib/llvm-\d+/"
    r"|^/usr/(local/)?bin/([\w.-]*-)?(gcc|g\+\+|c\+\+|cc|cpp|ld|ld\.bfd|ld\.gold|as|gfortran"
    r"|clang|clang\+\+|make|cmake)(-\d+(\.\d+)*)?$"
)
_STATIC_LIBRARY = re.compile(r"^/(usr/(local/)?)?lib(32|64)?/.*\.a$")
_SITE = re.compile(r"/(site|dist)-packages/")


def is_build_package(name: str) -> bool:
    """Whether a Debian or Alpine package is only needed to build software."""
    return _BUILD_PACKAGE.search(name) is not None and not _RUNTIME_EXCEPTIONS.search(name)


def build_package_files(kept: Mapping[str, bytes]) -> dict[str, str]:
    """Path -> build-only package, from dpkg's and apk's records among ``kept`` files."""
    owners: dict[str, str] = {}
    status = kept.get("/var/lib/dpkg/status")
    installed = _dpkg_installed(status) if status is not None else None
    for path, data in kept.items():
        if not (path.startswith("/var/lib/dpkg/info/") and path.endswith(".list")):
            continue
        package = path.rsplit("/", 1)[1][: -len(".list")]
        name = package.split(":", 1)[0]
        if installed is not None and name not in installed:
            continue
        if not is_build_package(package):
            continue
        for line in data.decode("utf-8", errors="replace").splitlines():
            if line.startswith("/") and line != "/.":
                owners.setdefault(line, name)
    apk = kept.get("/lib/apk/db/installed")
    if apk is not None:
        owners.update(_apk_build_files(apk))
    return owners


def _dpkg_installed(status: bytes) -> set[str]:
    installed: set[str] = set()
    for paragraph in status.decode("utf-8", errors="replace").split("\n\n"):
        fields = dict(
            line.split(":", 1) for line in paragraph.splitlines() if ":" in line and line[:1] != " "
        )
        name = fields.get("Package", "").strip()
        if name and fields.get("Status", "").strip().endswith(" installed"):
            installed.add(name)
    return installed


def _apk_build_files(db: bytes) -> dict[str, str]:
    owners: dict[str, str] = {}
    for paragraph in db.decode("utf-8", errors="replace").split("\n\n"):
        name = ""
        directory = ""
        for line in paragraph.splitlines():
            key, _, value = line.partition(":")
            if key == "P":
                name = value
            elif key == "F":
                directory = value
            elif key == "R" and name and is_build_package(name):
                owners["/" + (f"{directory}/{value}" if directory else value)] = name
    return owners


def build_path_group(path: str) -> str | None:
    """The group a build-only path falls in when no package record claims it."""
    if _BUILD_PATH.search(path):
        for prefix in (
            "/usr/include",
            "/usr/local/include",
            "/usr/lib/gcc",
            "/usr/libexec/gcc",
            "/usr/lib/gcc-cross",
        ):
            if path.startswith(prefix + "/"):
                return prefix
        if path.startswith("/usr/lib/llvm-"):
            return "/".join(path.split("/")[:4])
        return "compiler drivers in bin/"
    if _STATIC_LIBRARY.search(path) and not _SITE.search(path):
        return "static libraries (*.a)"
    return None
