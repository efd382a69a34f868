"""The environment sizefloor sizes for: a Python inside a Linux container image.

A :class:`Target` describes the image, never the machine sizefloor runs on:
the Python version, the CPU architecture, and the C library (glibc or musl)
with its version.  From it come the wheel tags the image's pip would accept,
best first, and the PEP 508 marker environment its dependency markers are
evaluated in.

The only fact taken from the running machine is the default Python version
(``sys.version_info``), used when no ``--python`` is given.

Tag order follows :mod:`packaging.tags` as pip uses it on such a machine
(packaging 26.3 and later): the native ``linux_<arch>`` tag first, then the
``manylinux`` tags from the image's glibc down (with the legacy
``manylinux2014``/``manylinux2010``/``manylinux1`` aliases right after the glibc
versions they stand for), or the ``musllinux`` tags from the image's musl down.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from packaging.tags import Tag, compatible_tags, cpython_tags

from sizefloor.errors import TargetError

__all__ = [
    "ARCHES",
    "ARCHITECTURES",
    "DEBIAN_STABLE_GLIBC",
    "DEFAULT_MUSL",
    "MUSL_ARCHES",
    "Architecture",
    "PlatformSpec",
    "Target",
    "parse_platform",
]

DEBIAN_STABLE_GLIBC: tuple[int, int] = (2, 41)
"""glibc of Debian 13 "trixie", the base of the official ``python:*-slim`` images."""

DEFAULT_MUSL: tuple[int, int] = (1, 2)
"""musl of every supported Alpine release (the official ``python:*-alpine`` images)."""

MIN_PYTHON: tuple[int, int] = (3, 8)
MIN_GLIBC: tuple[int, int] = (2, 5)


class Architecture(NamedTuple):
    """One CPU architecture under each of the names sizefloor meets it by."""

    uname: str
    """``uname -m``, as wheel platform tags spell it: ``aarch64``."""
    platform: str
    """Docker's platform: ``linux/arm64``."""
    docker: str
    """Docker's (Go's) architecture word, as image indexes and registries write it: ``arm64``."""
    debian: str
    """Debian's architecture name, as its package indices write it: ``arm64``."""


ARCHITECTURES: dict[str, Architecture] = {
    a.uname: a
    for a in (
        Architecture("x86_64", "linux/amd64", "amd64", "amd64"),
        Architecture("aarch64", "linux/arm64", "arm64", "arm64"),
        Architecture("armv7l", "linux/arm/v7", "arm", "armhf"),
        Architecture("ppc64le", "linux/ppc64le", "ppc64le", "ppc64el"),
        Architecture("s390x", "linux/s390x", "s390x", "s390x"),
        Architecture("i686", "linux/386", "386", "i386"),
    )
}
"""The supported architectures by ``uname -m``: the one map of their names."""

ARCHES: tuple[str, ...] = tuple(ARCHITECTURES)
"""Supported architectures, in ``uname -m`` spelling (as in wheel platform tags)."""

MUSL_ARCHES: frozenset[str] = frozenset({"x86_64", "aarch64", "i686", "armv7l", "ppc64le", "s390x"})
"""Architectures with musllinux wheels (and Alpine images)."""

# Legacy manylinux aliases (PEP 513, 571, 599) and the glibc they stand for;
# packaging yields each right after the manylinux_2_Y tag of that glibc.
_LEGACY_MANYLINUX: dict[tuple[int, int], str] = {
    (2, 17): "manylinux2014",
    (2, 12): "manylinux2010",
    (2, 5): "manylinux1",
}
_LEGACY_BY_NAME: dict[str, tuple[int, int]] = {v: k for k, v in _LEGACY_MANYLINUX.items()}

# Docker architecture words (GOARCH) -> uname -m.
_DOCKER_ARCH: dict[str, str] = {
    "amd64": "x86_64",
    "x86_64": "x86_64",
    "x86-64": "x86_64",
    "arm64": "aarch64",
    "aarch64": "aarch64",
    "386": "i686",
    "i386": "i686",
    "i686": "i686",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "armv7l": "armv7l",
    "armhf": "armv7l",
}
# Rust target-triple architectures (uv's --python-platform) -> uname -m.
_TRIPLE_ARCH: dict[str, str] = {
    "x86_64": "x86_64",
    "aarch64": "aarch64",
    "armv7": "armv7l",
    "armv7l": "armv7l",
    "i686": "i686",
    "powerpc64le": "ppc64le",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
}
# Architectures a user may plausibly name but that sizefloor does not support.
_UNSUPPORTED_ARCH = re.compile(
    r"riscv64|mips64le|mips64el|mips|loong64|loongarch64|ppc64|powerpc64|armv[5-6]\w*|"
    r"arm/v[5-6]|armel|wasm32|ppc|sparc\w*"
)
_NOT_LINUX = re.compile(
    r"(windows|win32|win_|win-|macos|macosx|darwin|ios|android|emscripten|pyodide|"
    r"wasm32-|freebsd|netbsd|openbsd|solaris)"
    r"|.*-(pc-windows|apple-|linux-android|w64-)"
)

_PLATFORM_HINT = (
    "Use a Docker platform (linux/amd64, linux/arm64, linux/arm/v7, linux/386, "
    "linux/ppc64le, linux/s390x), a pip platform tag (manylinux_2_28_x86_64, "
    "musllinux_1_2_aarch64, linux_x86_64) or a uv platform "
    "(x86_64-unknown-linux-gnu, aarch64-unknown-linux-musl, x86_64-manylinux_2_28)."
)
_PYTHON_HINT = (
    "Give the image's Python as MAJOR.MINOR (3.12), MAJOR.MINOR.PATCH (3.12.7), "
    "or a tag like cp312; sizefloor supports CPython 3.8 and later."
)


class PlatformSpec(NamedTuple):
    """What a platform string says: an architecture, and the C library when it names one."""

    arch: str
    """``uname -m``."""
    libc: str | None
    libc_version: tuple[int, int] | None

    @property
    def docker_platform(self) -> str:
        return ARCHITECTURES[self.arch].platform


@dataclass(frozen=True)
class Target:
    """A CPython inside a Linux container image.

    ``python_full_version`` is the image's exact Python version when known
    (``--python 3.12.7``).  When it is not, the marker environment uses
    ``"X.Y.0"`` for ``python_full_version`` and ``implementation_version``: the
    oldest release of that minor version, so markers such as
    ``python_full_version >= "3.12.1"`` are treated as false rather than guessed
    true.

    A musl target built directly (``Target((3, 12), libc="musl")``) gets musl
    :data:`DEFAULT_MUSL` rather than the glibc default.  Construction validates
    every field and raises :class:`~sizefloor.errors.TargetError` for targets
    that cannot exist.
    """

    python_version: tuple[int, int]
    implementation: str = "cpython"
    arch: str = "x86_64"
    libc: str = "glibc"
    libc_version: tuple[int, int] = DEBIAN_STABLE_GLIBC
    python_full_version: str | None = None

    def __post_init__(self) -> None:
        if self.libc == "musl" and self.libc_version == DEBIAN_STABLE_GLIBC:
            object.__setattr__(self, "libc_version", DEFAULT_MUSL)
        self._validate()

    def _validate(self) -> None:
        version = self.python_version
        if (
            not isinstance(version, tuple)
            or len(version) != 2
            or not all(isinstance(part, int) for part in version)
        ):
            raise TargetError(
                f"Invalid Python version {version!r}: expected (major, minor).",
                hint=_PYTHON_HINT,
            )
        if version[0] != 3 or version < MIN_PYTHON:
            raise TargetError(
                f"Python {version[0]}.{version[1]} is not supported.", hint=_PYTHON_HINT
            )
        if self.implementation != "cpython":
            raise TargetError(
                f"Only CPython targets are supported, not {self.implementation!r}.",
                hint="Size the image's CPython; PyPy and other implementations are not "
                "supported yet.",
            )
        if self.python_full_version is not None:
            match = _FULL_VERSION.fullmatch(self.python_full_version)
            if match is None or (int(match[1]), int(match[2])) != version:
                raise TargetError(
                    f"Python full version {self.python_full_version!r} does not match "
                    f"Python {version[0]}.{version[1]}.",
                    hint="Pass a full version of the same minor version, e.g. "
                    f"{version[0]}.{version[1]}.0, or none at all.",
                )
        if self.arch not in ARCHITECTURES:
            raise TargetError(
                f"Unsupported architecture {self.arch!r}.",
                hint="Supported architectures: " + ", ".join(ARCHES) + ".",
            )
        if self.libc not in ("glibc", "musl"):
            raise TargetError(
                f"Unknown C library {self.libc!r}.",
                hint="Use glibc (Debian, Ubuntu, the python:*-slim images) or musl "
                "(Alpine, the python:*-alpine images).",
            )
        libc_version = self.libc_version
        if (
            not isinstance(libc_version, tuple)
            or len(libc_version) != 2
            or not all(isinstance(part, int) and part >= 0 for part in libc_version)
        ):
            raise TargetError(
                f"Invalid {self.libc} version {libc_version!r}: expected (major, minor).",
                hint="Give the version as MAJOR.MINOR, e.g. 2.36 for glibc or 1.2 for musl.",
            )
        text = f"{libc_version[0]}.{libc_version[1]}"
        if self.libc == "glibc":
            if not MIN_GLIBC <= libc_version < (3, 0):
                hint = (
                    "glibc versions run from 2.5 (manylinux1) to 2.x; Debian 13 has 2.41, "
                    "Debian 12 2.36, Ubuntu 24.04 2.39."
                )
                if libc_version[0] == 1:
                    hint += " For Alpine's musl 1.x pass --libc musl."
                raise TargetError(f"There is no usable glibc {text}.", hint=hint)
        else:
            if self.arch not in MUSL_ARCHES:
                raise TargetError(
                    f"There are no musllinux wheels for {self.arch}.",
                    hint="musl targets: " + ", ".join(sorted(MUSL_ARCHES)) + ".",
                )
            if libc_version[0] != 1:
                hint = "musl versions are 1.x; Alpine 3.13 and later ship musl 1.2."
                if libc_version[0] == 2:
                    hint += " For a glibc version pass --libc glibc."
                raise TargetError(f"There is no musl {text}.", hint=hint)

    # ------------------------------------------------------------------ parsing

    @classmethod
    def from_options(
        cls,
        *,
        python: str | None = None,
        platform: str | None = None,
        libc: str | None = None,
        libc_version: str | None = None,
    ) -> Target:
        """Build a target from command-line style strings.

        ``python``: ``3.12``, ``3.12.7``, ``312`` or ``cp312`` (default: the
        running interpreter's major.minor).  ``platform``: a Docker platform
        (``linux/arm64``), a pip platform tag (``manylinux_2_28_x86_64``,
        ``musllinux_1_2_aarch64``, ``linux_x86_64``) or a uv platform
        (``aarch64-unknown-linux-musl``, ``x86_64-manylinux_2_28``, ``linux``);
        default ``linux/amd64``.  ``libc``: ``glibc`` (or ``gnu``) or ``musl``;
        default glibc, or whatever the platform names.  ``libc_version``:
        ``2.36``, ``1.2``; default :data:`DEBIAN_STABLE_GLIBC` for glibc,
        :data:`DEFAULT_MUSL` for musl, or what the platform tag names.
        """
        version, full_version = _parse_python(python)
        spec = PlatformSpec("x86_64", None, None) if platform is None else parse_platform(platform)
        chosen_libc = _parse_libc(libc) if libc is not None else None
        if spec.libc is not None and chosen_libc is not None and spec.libc != chosen_libc:
            raise TargetError(
                f"--platform {platform} means {spec.libc}, but --libc {libc} was given.",
                hint="Drop --libc, or pick a platform for the other C library "
                f"(e.g. {_example_platform(spec.arch, chosen_libc)}).",
            )
        final_libc = spec.libc or chosen_libc or "glibc"
        wanted_version = (
            _parse_libc_version(libc_version, final_libc) if libc_version is not None else None
        )
        if (
            spec.libc_version is not None
            and wanted_version is not None
            and spec.libc_version != wanted_version
        ):
            fixed = f"{spec.libc_version[0]}.{spec.libc_version[1]}"
            raise TargetError(
                f"--platform {platform} means {final_libc} {fixed}, but --libc-version "
                f"{libc_version} was given.",
                hint="Drop --libc-version, or name the platform without a version "
                f"(e.g. {ARCHITECTURES[spec.arch].platform}).",
            )
        final_version = wanted_version or spec.libc_version
        if final_version is None:
            final_version = DEFAULT_MUSL if final_libc == "musl" else DEBIAN_STABLE_GLIBC
        return cls(
            python_version=version,
            arch=spec.arch,
            libc=final_libc,
            libc_version=final_version,
            python_full_version=full_version,
        )

    # --------------------------------------------------------------- properties

    @property
    def docker_platform(self) -> str:
        """The platform as ``docker build --platform`` spells it, e.g. ``linux/arm64``."""
        return ARCHITECTURES[self.arch].platform

    @property
    def python(self) -> str:
        """``"3.12"``."""
        return f"{self.python_version[0]}.{self.python_version[1]}"

    @property
    def platform_tags(self) -> tuple[str, ...]:
        """Wheel platform tags the image accepts, best first (as packaging orders them)."""
        return _platform_tags(self.arch, self.libc, self.libc_version)

    @functools.cached_property
    def _tags(self) -> tuple[Tag, ...]:
        major, minor = self.python_version
        interpreter = f"cp{major}{minor}"
        platforms = list(self.platform_tags)
        # Explicit abis: with abis=None cpython_tags would read the *host's* ABI flags.
        tags: list[Tag] = list(
            cpython_tags((major, minor), abis=[interpreter], platforms=platforms)
        )
        tags.extend(compatible_tags((major, minor), interpreter, platforms))
        return tuple(dict.fromkeys(tags))

    @functools.cached_property
    def _priority(self) -> dict[Tag, int]:
        return {tag: index for index, tag in enumerate(self._tags)}

    def tags(self) -> tuple[Tag, ...]:
        """Every wheel tag the image's pip accepts, best first (computed once)."""
        return self._tags

    def tag_priority(self) -> dict[Tag, int]:
        """Tag -> rank, 0 being best.  Computed once per target; do not mutate it."""
        return self._priority

    def wheel_priority(self, filename_tags: Iterable[Tag]) -> int | None:
        """The best (lowest) rank among a wheel's tags; ``None`` if none fits the target."""
        priority = self._priority
        best: int | None = None
        for tag in filename_tags:
            rank = priority.get(tag)
            if rank is not None and (best is None or rank < best):
                best = rank
        return best

    def marker_environment(self) -> dict[str, str]:
        """The PEP 508 marker environment inside the image (nothing from the host).

        ``python_full_version`` and ``implementation_version`` are the full
        version when known, else ``"X.Y.0"``.  ``platform_release`` and
        ``platform_version`` (the kernel's) are unknowable and left empty.
        """
        full = self.python_full_version or f"{self.python}.0"
        return {
            "implementation_name": "cpython",
            "implementation_version": full,
            "os_name": "posix",
            "platform_machine": self.arch,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": "Linux",
            "platform_version": "",
            "python_full_version": full,
            "python_version": self.python,
            "sys_platform": "linux",
        }

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready description, as reports embed it."""
        return {
            "python": self.python,
            "python_full_version": self.python_full_version,
            "implementation": self.implementation,
            "platform": self.docker_platform,
            "arch": self.arch,
            "libc": self.libc,
            "libc_version": f"{self.libc_version[0]}.{self.libc_version[1]}",
            "platform_tags": list(self.platform_tags),
        }

    def describe(self) -> str:
        """``"CPython 3.12 on linux/arm64 (musl 1.2)"``."""
        version = self.python_full_version or self.python
        libc_version = f"{self.libc_version[0]}.{self.libc_version[1]}"
        return f"CPython {version} on {self.docker_platform} ({self.libc} {libc_version})"


# ---------------------------------------------------------------------- helpers

_FULL_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)(?:(?:a|b|rc)\d+)?")


@functools.cache
def _platform_tags(arch: str, libc: str, version: tuple[int, int]) -> tuple[str, ...]:
    # Mirrors packaging.tags._linux_platforms + _manylinux/_musllinux.platform_tags
    # for a machine with exactly this libc (glibc's major is always 2 here).
    tags = [f"linux_{arch}"]
    major, minor = version
    if libc == "glibc":
        oldest = 5 if arch in ("x86_64", "i686") else 17
        for glibc_minor in range(minor, oldest - 1, -1):
            tags.append(f"manylinux_{major}_{glibc_minor}_{arch}")
            legacy = _LEGACY_MANYLINUX.get((major, glibc_minor))
            if legacy is not None:
                tags.append(f"{legacy}_{arch}")
    else:
        tags.extend(f"musllinux_{major}_{m}_{arch}" for m in range(minor, -1, -1))
    return tuple(tags)


def _parse_python(text: str | None) -> tuple[tuple[int, int], str | None]:
    if text is None:
        return (sys.version_info[0], sys.version_info[1]), None
    value = text.strip().lower()
    for other in ("pypy", "pp", "graalpy", "jython", "ironpython"):
        if value.startswith(other):
            raise TargetError(
                f"Only CPython targets are supported, not {text!r}.",
                hint="Size the image's CPython; other implementations are not supported yet.",
            )
    for prefix in ("cpython", "python", "cp"):
        if value.startswith(prefix):
            value = value[len(prefix) :].lstrip("-@")
            break
    full: str | None = None
    if match := re.fullmatch(r"(\d+)\.(\d+)", value):
        version = (int(match[1]), int(match[2]))
    elif match := _FULL_VERSION.fullmatch(value):
        version = (int(match[1]), int(match[2]))
        full = value
    elif re.fullmatch(r"\d{2,3}", value):
        version = (int(value[0]), int(value[1:]))
    else:
        hint = _PYTHON_HINT
        if value.endswith("t") and re.fullmatch(r"\d+(\.\d+)*t", value):
            hint = "Free-threaded CPython builds are not supported yet. " + hint
        elif re.fullmatch(r"\d+", value):
            hint = "Give both the major and the minor version. " + hint
        raise TargetError(f"Cannot read Python version {text!r}.", hint=hint)
    if version[0] != 3 or version < MIN_PYTHON:
        raise TargetError(f"Python {text} is not supported.", hint=_PYTHON_HINT)
    return version, full


def _parse_libc(text: str) -> str:
    value = text.strip().lower()
    if value in ("glibc", "gnu", "gnu libc", "libc6"):
        return "glibc"
    if value in ("musl", "musl libc"):
        return "musl"
    raise TargetError(
        f"Unknown C library {text!r}.",
        hint="Use --libc glibc (Debian, Ubuntu, python:*-slim) or --libc musl "
        "(Alpine, python:*-alpine).",
    )


def _parse_libc_version(text: str, libc: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\.(\d+)\s*", text)
    if match is None:
        example = "1.2" if libc == "musl" else "2.36"
        raise TargetError(
            f"Cannot read {libc} version {text!r}.",
            hint=f"Give it as MAJOR.MINOR, e.g. {example}.",
        )
    return int(match[1]), int(match[2])


def _unsupported_arch(text: str, arch: str) -> TargetError:
    return TargetError(
        f"Unsupported architecture {arch!r} in platform {text!r}.",
        hint="sizefloor supports linux/amd64, linux/arm64, linux/arm/v7, linux/386, "
        "linux/ppc64le and linux/s390x.",
    )


def _uname_arch(text: str, arch: str) -> str:
    if arch in ARCHITECTURES:
        return arch
    raise _unsupported_arch(text, arch)


def parse_platform(text: str) -> PlatformSpec:
    value = text.strip().lower()
    if not value:
        raise TargetError("Empty platform.", hint=_PLATFORM_HINT)
    if _NOT_LINUX.match(value):
        raise TargetError(
            f"{text!r} is not a Linux platform: sizefloor sizes Linux container images.",
            hint=_PLATFORM_HINT,
        )
    if value == "linux":
        return PlatformSpec("x86_64", None, None)

    # Docker: [linux/]ARCH[/VARIANT]
    parts = value.split("/")
    if parts[0] == "linux" and len(parts) > 1:
        parts = parts[1:]
    word = parts[0]
    if len(parts) <= 2 and (
        word in _DOCKER_ARCH or word == "arm" or _UNSUPPORTED_ARCH.fullmatch(word)
    ):
        variant = parts[1] if len(parts) == 2 else None
        if word == "arm":
            if variant in (None, "v7"):
                return PlatformSpec("armv7l", None, None)
            raise _unsupported_arch(text, f"arm/{variant}")
        arch = _DOCKER_ARCH.get(word)
        if arch is None:
            raise _unsupported_arch(text, word)
        if variant is not None and not (
            (arch == "x86_64" and variant in ("v1", "v2", "v3", "v4"))
            or (arch == "aarch64" and variant in ("v8", "v9"))
        ):
            raise TargetError(
                f"Unknown variant {variant!r} for {word} in platform {text!r}.",
                hint=_PLATFORM_HINT,
            )
        return PlatformSpec(arch, None, None)

    # pip tags: manylinux_X_Y_ARCH, manylinux2014_ARCH, musllinux_X_Y_ARCH, linux_ARCH
    if match := re.fullmatch(r"manylinux_(\d+)_(\d+)_(\w+)", value):
        arch = _uname_arch(text, match[3])
        return PlatformSpec(arch, "glibc", (int(match[1]), int(match[2])))
    if match := re.fullmatch(r"(manylinux(?:2014|2010|1))_(\w+)", value):
        return _legacy_manylinux(text, match[1], match[2])
    if match := re.fullmatch(r"musllinux_(\d+)_(\d+)_(\w+)", value):
        arch = _uname_arch(text, match[3])
        return PlatformSpec(arch, "musl", (int(match[1]), int(match[2])))
    if match := re.fullmatch(r"linux_(\w+)", value):
        return PlatformSpec(_uname_arch(text, match[1]), None, None)

    # uv: ARCH-manylinux_X_Y, ARCH-manylinux2014, ARCH-unknown-linux-{gnu,musl}
    if match := re.fullmatch(r"(\w+)-manylinux_(\d+)_(\d+)", value):
        arch = _triple_arch(text, match[1])
        return PlatformSpec(arch, "glibc", (int(match[2]), int(match[3])))
    if match := re.fullmatch(r"(\w+)-(manylinux(?:2014|2010|1))", value):
        return _legacy_manylinux(text, match[2], _triple_arch(text, match[1]))
    if match := re.fullmatch(r"(\w+)-unknown-linux(?:-(gnu|gnueabihf|musl|musleabihf))?", value):
        arch = _triple_arch(text, match[1])
        abi = match[2]
        if abi is None:
            return PlatformSpec(arch, None, None)
        return PlatformSpec(arch, "musl" if abi.startswith("musl") else "glibc", None)

    raise TargetError(f"Unknown platform {text!r}.", hint=_PLATFORM_HINT)


def _triple_arch(text: str, word: str) -> str:
    arch = _TRIPLE_ARCH.get(word)
    if arch is None:
        raise _unsupported_arch(text, word)
    return arch


def _legacy_manylinux(text: str, name: str, arch: str) -> PlatformSpec:
    arch = _uname_arch(text, arch)
    version = _LEGACY_BY_NAME[name]
    if name != "manylinux2014" and arch not in ("x86_64", "i686"):
        raise TargetError(
            f"There is no {name} for {arch} (platform {text!r}).",
            hint=f"{name} exists only for x86_64 and i686; for {arch} use "
            f"manylinux2014_{arch} or manylinux_2_X_{arch}.",
        )
    return PlatformSpec(arch, "glibc", version)


def _example_platform(arch: str, libc: str) -> str:
    if libc == "musl":
        return f"musllinux_1_2_{arch}"
    return f"manylinux_2_28_{arch}"
