"""What ``--base`` names: an image of the catalogue, this interpreter, or nothing, and its target.

``--base NAME`` says what the service runs on. A base implies a target: the
Python version(s) it ships, its C library and that library's version, and the
architectures sizefloor has sizes for. :func:`choose_base` turns a base name plus
the user's ``--python`` / ``--platform`` / ``--libc`` into a
:class:`~sizefloor.target.Target`, refusing combinations the base cannot run
(copying a 3.12 site-packages into a 3.11 image is the mistake to catch).
:func:`~sizefloor.runtime.sizes.runtime_size` gives the base's own bytes.

The bases:

* ``python:3.X-slim`` (Debian 13, also ``-slim-trixie``), ``python:3.X-slim-bookworm``,
  ``python:3.X-alpine`` (musl), ``python:3.X`` (the full image, also ``-trixie``) and
  ``python:3.X-bookworm``; ``python:slim`` etc. take the version from ``--python``;
* ``distroless`` (``distroless-debian12``: CPython 3.11, ``distroless-debian13``: 3.13);
* ``debian:12-slim`` / ``debian:13-slim`` plus Debian's ``python3`` (no recommends);
* ``standalone``: a stripped python-build-standalone CPython on a minimal glibc;
* ``host``: this interpreter, measured from its own files (:mod:`sizefloor.runtime.host`);
* ``none``: dependencies only.
"""

from __future__ import annotations

import platform as _platform
import re
import sys
from dataclasses import dataclass

from sizefloor.errors import TargetError
from sizefloor.runtime.catalogue import FAMILIES, CatalogImage, catalog
from sizefloor.target import ARCHITECTURES, PlatformSpec, Target, parse_platform

__all__ = [
    "Base",
    "base_for_target",
    "choose_base",
    "host_platform",
    "parse_base",
    "smallest_base",
]


@dataclass(frozen=True)
class Base:
    """What ``--base`` named, resolved: an image of the catalog, ``host`` or ``none``."""

    name: str
    """As reports show it: ``python:3.12-slim``, ``distroless-debian12``, ``host``, ``none``."""
    kind: str
    """``image``, ``host`` or ``none``."""
    image: CatalogImage | None = None
    chosen_by: str = "--base"
    """``--base`` when the user named it, ``default`` when sizefloor chose the smallest."""

    @property
    def family(self) -> str:
        return self.image.family if self.image else self.kind


@dataclass(frozen=True)
class _BaseSpec:
    family: str
    """A :data:`FAMILIES` key, ``host`` or ``none``."""
    version: str | None
    """``3``, ``3.12`` or ``3.12.14`` when the name carries one."""
    distro: str | None = None
    """For distroless / debian:slim: ``debian12`` or ``debian13`` when named."""


_PYTHON_VARIANTS: dict[tuple[str, ...], str] = {
    (): "python",
    ("trixie",): "python",
    ("bookworm",): "python:bookworm",
    ("slim",): "python:slim",
    ("slim", "trixie"): "python:slim",
    ("slim", "bookworm"): "python:slim-bookworm",
    ("alpine",): "python:alpine",
}

_BASES_HINT = (
    "Bases: python:3.X-slim, python:3.X-slim-bookworm, python:3.X-alpine, python:3.X, "
    "python:3.X-bookworm, distroless (distroless-debian12, distroless-debian13), "
    "debian:12-slim, debian:13-slim, standalone, host, none."
)


def parse_base(text: str) -> _BaseSpec:
    """Read a ``--base`` value (any spelling sizefloor knows) into a family and version."""
    value = text.strip().lower()
    for prefix in ("docker.io/library/", "docker.io/", "library/", "index.docker.io/library/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    if value in ("none", "host"):
        return _BaseSpec(value, None)
    if value in ("standalone", "python-build-standalone", "pbs"):
        return _BaseSpec("standalone", None)
    if match := re.fullmatch(
        r"(?:standalone|python-build-standalone|pbs)[:-](\d+(?:\.\d+){0,2})", value
    ):
        return _BaseSpec("standalone", match[1])
    distroless = re.fullmatch(
        r"(?:gcr\.io/)?(?:distroless/python3|distroless|python3)(?:-(debian1[23]))?(?::[\w.-]+)?",
        value,
    )
    if distroless and (value.startswith(("distroless", "gcr.io")) or distroless[1]):
        return _BaseSpec("distroless", None, distroless[1])
    debian = re.fullmatch(r"debian(?::(12|13|bookworm|trixie)?-?slim)?", value)
    if debian and value != "debian":
        which = debian[1]
        distro = {"12": "debian12", "bookworm": "debian12", "13": "debian13", "trixie": "debian13"}
        return _BaseSpec("debian:slim", None, distro.get(which or ""))
    if value == "python" or value.startswith("python:"):
        tag = value.partition(":")[2] or "latest"
        words = tag.split("-")
        version: str | None = None
        if words and re.fullmatch(r"\d+(?:\.\d+){0,2}", words[0]):
            version = words.pop(0)
        if words == ["latest"]:
            words = []
        words = ["alpine" if re.fullmatch(r"alpine(?:3\.\d+)?", w) else w for w in words]
        family = _PYTHON_VARIANTS.get(tuple(words))
        if family is not None:
            return _BaseSpec(family, version)
    raise TargetError(f"Unknown base {text!r}.", hint=_BASES_HINT)


def _python_of(text: str | None) -> tuple[tuple[int, int] | None, str | None]:
    """``--python`` as (major, minor) and the full version when given."""
    if text is None:
        return None, None
    probe = Target.from_options(python=text)
    return probe.python_version, probe.python_full_version


def _offered(images: list[CatalogImage]) -> str:
    versions = [i.python_xy for i in images]
    if len(versions) == 1:
        return versions[0]
    return ", ".join(versions[:-1]) + " and " + versions[-1]


def _who_has(wanted: tuple[int, int]) -> list[str]:
    """One base name per family that runs Python ``wanted``."""
    names: dict[str, str] = {}
    for image in catalog().images:
        if image.python_minor == wanted:
            names.setdefault(image.family, image.name)
    return list(names.values())


def _pick_image(spec: _BaseSpec, text: str, wanted: tuple[int, int] | None) -> CatalogImage:
    images = catalog().family(spec.family)
    family = FAMILIES[spec.family]
    if spec.distro is not None:
        images = [i for i in images if i.distro == spec.distro]
    if spec.version is not None and spec.version != "3":
        minor = tuple(int(x) for x in spec.version.split(".")[:2])
        if len(minor) < 2:
            raise TargetError(f"Cannot read the Python version in base {text!r}.", hint=_BASES_HINT)
        found = [i for i in images if i.python_minor == minor]
        if not found:
            raise TargetError(
                f"sizefloor has no sizes for {text}: {family.title} is known for Python "
                f"{_offered(images)}.",
                hint="Pick one of those, or --base standalone / host for another Python.",
            )
        image = found[0]
        if wanted is not None and wanted != image.python_minor:
            raise TargetError(
                f"--base {text} runs Python {image.python_xy}, so --python "
                f"{wanted[0]}.{wanted[1]} cannot be its target.",
                hint=f"Drop --python, or pick the base for that Python "
                f"({family.title} exists for {_offered(images)}).",
            )
        return image
    if wanted is not None:
        found = [i for i in images if i.python_minor == wanted]
        if not found:
            what = text if spec.distro is None else f"{text} ({spec.distro})"
            others = _who_has(wanted)
            raise TargetError(
                f"--base {what} offers Python {_offered(images)}, not {wanted[0]}.{wanted[1]}.",
                hint="Drop --python to use the base's own"
                + (f", or pick a base that has it: {', '.join(others)}." if others else "."),
            )
        return found[-1]
    if family.default != "newest" and spec.distro is None:
        return catalog().by_name()[family.default]
    return images[-1]


def choose_base(
    base: str,
    *,
    python: str | None = None,
    platform: str | None = None,
    libc: str | None = None,
    libc_version: str | None = None,
) -> tuple[Base, Target]:
    """The base ``base`` names and the target it implies, with the user's overrides.

    Raises :class:`~sizefloor.errors.TargetError` when the overrides ask for
    something the base cannot be: another Python, a missing architecture, the
    other C library, or a newer C library than it has.
    """
    spec = parse_base(base)
    if spec.family == "none":
        target = Target.from_options(
            python=python, platform=platform, libc=libc, libc_version=libc_version
        )
        return Base("none", "none"), target
    if spec.family == "host":
        return Base("host", "host"), _host_target(python, platform, libc, libc_version)
    wanted, full = _python_of(python)
    image = _pick_image(spec, base.strip(), wanted)
    asked = _asked_platform(image, platform, libc, libc_version)
    _check_platform(image, asked)
    libc_v = image.libc_version if asked.libc_version is None else asked.libc_version
    if full is None and re.fullmatch(r"\d+\.\d+\.\d+", image.python):
        full = image.python
    target = Target(
        python_version=image.python_minor,
        arch=asked.arch,
        libc=image.libc,
        libc_version=libc_v,
        python_full_version=full,
    )
    return Base(image.name, "image", image), target


def _asked_platform(
    image: CatalogImage, platform: str | None, libc: str | None, libc_version: str | None
) -> PlatformSpec:
    """What ``--platform``, ``--libc`` and ``--libc-version`` ask of the base together
    (``Target`` explains a clash between them)."""
    arch = "x86_64"
    user_libc: str | None = None
    user_version: tuple[int, int] | None = None
    if platform is not None:
        arch, user_libc, user_version = parse_platform(platform)
    if libc is not None:
        chosen = Target.from_options(libc=libc).libc
        if user_libc is not None and user_libc != chosen:
            # let Target explain the clash between --platform and --libc
            Target.from_options(platform=platform, libc=libc)
        user_libc = chosen
    if libc_version is not None:
        parts = re.fullmatch(r"\s*(\d+)\.(\d+)\s*", libc_version)
        if parts is None:
            Target.from_options(libc=user_libc or image.libc, libc_version=libc_version)
        else:
            user_version = (int(parts[1]), int(parts[2]))
    return PlatformSpec(arch, user_libc, user_version)


def _check_platform(image: CatalogImage, asked: PlatformSpec) -> None:
    """Refuse what the base cannot be: another architecture than its data has, the other C
    library, or a newer C library than it has."""
    name = image.name
    if asked.arch not in image.sizes:
        known = ", ".join(ARCHITECTURES[a].platform for a in image.arches)
        raise TargetError(
            f"--base {name} has no image for {ARCHITECTURES[asked.arch].platform} in "
            f"sizefloor's data: it has sizes for {known}.",
            hint=f"Use --platform {ARCHITECTURES[image.arches[0]].platform}, or --base none for "
            "dependencies only.",
        )
    if asked.libc is not None and asked.libc != image.libc:
        raise TargetError(
            f"--base {name} is a {image.libc} image ({image.distro}); the platform asked for "
            f"{asked.libc}.",
            hint=f"Drop --libc / the libc in --platform, or pick a {asked.libc} base "
            + ("(python:3.X-alpine)." if asked.libc == "musl" else "(python:3.X-slim)."),
        )
    if asked.libc_version is not None and asked.libc_version > image.libc_version:
        have = "{}.{}".format(*image.libc_version)
        want = "{}.{}".format(*asked.libc_version)
        raise TargetError(
            f"--base {name} has {image.libc} {have}; wheels for {image.libc} {want} "
            "cannot run on it.",
            hint=f"Drop the C library version (the base implies {image.libc} {have}), or "
            "pick a newer base.",
        )


def host_platform() -> tuple[str, str, tuple[int, int]]:
    """This machine as a target: (``uname -m``, libc, libc version)."""
    arch = _platform.machine()
    if sys.platform != "linux":
        raise TargetError(
            f"--base host measures this interpreter, which runs on {sys.platform}: sizefloor "
            "sizes Linux images.",
            hint="Run on the Linux machine or image in question, or pick another base.",
        )
    if arch not in ARCHITECTURES:
        raise TargetError(f"--base host: this machine's architecture {arch!r} is not supported.")
    name, version = _platform.libc_ver()
    if name == "glibc" and version:
        major, minor = version.split(".")[:2]
        return arch, "glibc", (int(major), int(minor))
    return arch, "musl", (1, 2)


def _host_target(
    python: str | None, platform: str | None, libc: str | None, libc_version: str | None
) -> Target:
    arch, host_libc, host_version = host_platform()
    mine = sys.version_info[:2]
    here = f"CPython {mine[0]}.{mine[1]} on {ARCHITECTURES[arch].platform} ({host_libc} " + (
        "{}.{})".format(*host_version)
    )
    if python is not None:
        wanted, _full = _python_of(python)
        if wanted != mine:
            raise TargetError(
                f"--base host is this interpreter, {here}; --python {python} cannot be its target.",
                hint="Drop --python, or run sizefloor with that Python, or pick another base.",
            )
    if platform is not None or libc is not None or libc_version is not None:
        asked = Target.from_options(
            python=f"{mine[0]}.{mine[1]}", platform=platform, libc=libc, libc_version=libc_version
        )
        if asked.arch != arch or (
            (libc is not None or _names_libc(platform)) and (asked.libc != host_libc)
        ):
            raise TargetError(
                f"--base host is this interpreter, {here}; the platform asked for "
                f"{asked.docker_platform} ({asked.libc}).",
                hint="Drop --platform / --libc, or pick another base.",
            )
    full = _platform.python_version()
    if not re.fullmatch(r"\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?", full):
        full = None  # type: ignore[assignment]
    return Target(
        python_version=(mine[0], mine[1]),
        arch=arch,
        libc=host_libc,
        libc_version=host_version,
        python_full_version=full,
    )


def _names_libc(platform: str | None) -> bool:
    return platform is not None and parse_platform(platform).libc is not None


def base_for_target(base: str, target: Target) -> Base:
    """The base ``base`` names, checked against a target built elsewhere."""
    checked, _ = choose_base(
        base,
        python=target.python_full_version or target.python,
        platform=target.docker_platform,
        libc=target.libc,
        libc_version="{}.{}".format(*target.libc_version),
    )
    return checked


def smallest_base(
    *,
    python: str | None = None,
    platform: str | None = None,
    libc: str | None = None,
    libc_version: str | None = None,
) -> str | None:
    """The name of the smallest catalogued runtime that runs the target these options
    describe: its Python, its architecture, its C library (and at least the C library's
    version, when the options name one). A distroless image comes first where one has that
    Python; otherwise the smallest image that matches. ``None`` when none does."""
    target = Target.from_options(
        python=python, platform=platform, libc=libc, libc_version=libc_version
    )
    named = parse_platform(platform).libc_version if platform is not None else None
    at_least = target.libc_version if (libc_version is not None or named) else None
    fits = [
        image
        for image in catalog().images
        if image.python_minor == target.python_version
        and image.libc == target.libc
        and target.arch in image.sizes
        and (at_least is None or image.libc_version >= at_least)
    ]
    distroless = [image for image in fits if image.family == "distroless"]
    pool = distroless or fits
    if not pool:
        return None
    smallest = min(pool, key=lambda i: (i.sizes[target.arch].installed_bytes, i.name))
    return smallest.name
