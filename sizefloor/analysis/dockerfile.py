"""What a Dockerfile's image holds that its floor does not need: system packages it
installs (build tools among them), package lists and download caches left in a layer,
installers, development dependency groups, the ``pip`` of a virtual environment, and the
whole build context copied in. :func:`facts_of` reads them from the actions of the lines
that reach the final image; :func:`additions` makes the report's values, with the sizes
measured elsewhere (Debian packages, the build context) or estimated from the report
(a download cache: the wheels it downloaded)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sizefloor.inputs.dockershell import (
    Action,
    PipInstall,
    ProjectSync,
    Removal,
    SystemPackages,
    VenvCreated,
)
from sizefloor.report import DockerfileReport, ImageAddition, Report
from sizefloor.units import human

__all__ = [
    "INSTALLERS",
    "AptSizes",
    "Found",
    "ImageFacts",
    "Installed",
    "additions",
    "facts_of",
    "is_build_tool",
]

_BUILD_TOOLS = re.compile(
    r"(build-essential|build-base|gcc(-\d+)?|g\+\+(-\d+)?|cpp(-\d+)?|clang(-\d+)?|llvm(-\d+)?|"
    r"make|cmake|ninja-build|autoconf|automake|libtool|pkg-config|pkgconf|gfortran(-\d+)?|"
    r"cargo|rustc|golang(-go)?|go|musl-dev|linux-headers|libc6?-dev|binutils|"
    r"swig|bison|flex|.+-dev|.+-devel)"
)


def is_build_tool(name: str) -> bool:
    """A package that builds software rather than runs it: compilers, make, headers."""
    return _BUILD_TOOLS.fullmatch(name) is not None


@dataclass(frozen=True)
class Found:
    """An action of a line whose effect reaches the final image (or not: ``in_image``)."""

    line: int
    action: Action | None
    in_image: bool
    whole_context: bool = False
    cache_mounts: tuple[str, ...] = ()
    """The ``RUN --mount=type=cache`` targets of its line: what it writes there is not
    in the image."""
    in_chain: bool = True
    """Its stage is the final one or one it is built FROM (its layers are the image's);
    ``False`` for a stage the final one copies from (only the folder copied is)."""


@dataclass(frozen=True)
class Installed:
    """A system package installed and left in the image."""

    manager: str
    name: str
    line: int
    removed_at: int | None = None
    """A later line that removes it: the bytes stay in the earlier layer all the same."""


@dataclass(frozen=True)
class ImageFacts:
    """What the lines reaching the final image put in it besides the dependencies."""

    dockerfile: str
    stage: str
    packages: tuple[Installed, ...] = ()
    package_lists: tuple[tuple[str, int], ...] = ()
    """(manager, line) of an update whose lists are left in the layer."""
    caches: tuple[tuple[str, int], ...] = ()
    """(tool, line) of an install that keeps its download cache."""
    installers: tuple[tuple[str, int], ...] = ()
    dev_groups: tuple[tuple[str, int], ...] = ()
    venv_pip: tuple[tuple[str, int], ...] = ()
    whole_context: tuple[int, ...] = ()
    recommends: tuple[int, ...] = ()
    """Lines of ``apt-get install`` without ``--no-install-recommends``."""
    python_from_apt: bool = False


@dataclass(frozen=True)
class AptSizes:
    """Debian packages measured: each named package with what it pulls in, and the set."""

    each: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """name -> (bytes, packages): the package and the dependencies the base lacks."""
    together: int = 0
    detail: str = ""
    missing: tuple[str, ...] = ()
    """Named packages the archive does not have."""


INSTALLERS = frozenset(
    {
        "pip",
        "setuptools",
        "wheel",
        "uv",
        "poetry",
        "pipenv",
        "pip-tools",
        "virtualenv",
        "build",
        "poetry-plugin-export",
        "pdm",
        "hatch",
    }
)


def facts_of(dockerfile: str, found: Sequence[Found], stage: str) -> ImageFacts:
    """The facts of the lines that reach the final image, in order."""
    packages: dict[tuple[str, str], Installed] = {}
    virtuals: dict[str, tuple[str, ...]] = {}
    lists: list[tuple[str, int]] = []
    caches: list[tuple[str, int]] = []
    installers: list[tuple[str, int]] = []
    dev: list[tuple[str, int]] = []
    venv_pip: list[tuple[str, int]] = []
    context: list[int] = []
    recommends: list[int] = []
    python_apt = False
    for item in found:
        action = item.action
        if item.whole_context:
            context.append(item.line)
            continue
        removed = _removed_in_line(found, item.line)
        if not item.in_chain and not isinstance(action, (PipInstall, ProjectSync, VenvCreated)):
            continue
        if isinstance(action, SystemPackages):
            _system(action, item, packages, virtuals, lists, recommends, removed)
            python_apt = python_apt or any(n.startswith("python3") for n in action.names)
        elif isinstance(action, PipInstall):
            if action.cache and item.in_chain and not _cache_gone(item, removed, "pip"):
                caches.append(("uv" if action.tool == "uv pip" else "pip", item.line))
            installers += [(_name(p), item.line) for p in action.packages if _name(p) in INSTALLERS]
        elif isinstance(action, ProjectSync):
            if action.cache and item.in_chain and not _cache_gone(item, removed, action.tool):
                caches.append((action.tool, item.line))
            if action.dev and action.tool in ("uv", "poetry"):
                dev.append((action.tool, item.line))
        elif isinstance(action, VenvCreated) and action.with_pip:
            venv_pip.append((action.path, item.line))
    return ImageFacts(
        dockerfile=dockerfile,
        stage=stage,
        packages=tuple(packages.values()),
        package_lists=tuple(lists),
        caches=tuple(dict.fromkeys(caches)),
        installers=tuple(dict.fromkeys(installers)),
        dev_groups=tuple(dev),
        venv_pip=tuple(venv_pip),
        whole_context=tuple(context),
        recommends=tuple(recommends),
        python_from_apt=python_apt,
    )


def _name(spec: str) -> str:
    return re.split(r"[\[<>=!~;@ ]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _removed_in_line(found: Sequence[Found], line: int) -> tuple[str, ...]:
    """The paths ``rm``/``clean`` commands of ``line`` remove."""
    return tuple(
        path
        for item in found
        if item.line == line and isinstance(item.action, Removal)
        for path in item.action.paths
    )


def _cache_gone(item: Found, removed: Sequence[str], tool: str) -> bool:
    """The download cache of ``tool`` is not in the layer: a cache mount, or removed in the
    same line."""
    folder = {
        "pip": "/.cache/pip",
        "uv": "/.cache/uv",
        "poetry": "/.cache/pypoetry",
        "uv pip": "/.cache/uv",
        "pipenv": "/.cache/pipenv",
    }.get(tool, "/.cache")
    marks = (f"~{tool}-cache", f"~{tool.split()[0]}-cache")
    env = item.action.command.env if isinstance(item.action, (PipInstall, ProjectSync)) else {}
    named = {env[n].rstrip("/") for n in _CACHE_VARIABLES if env.get(n)}
    for path in (*item.cache_mounts, *removed):
        path = path.rstrip("/*")
        if path in marks or path in named or path.endswith((folder, "/.cache", "/root")):
            return True
    return False


_CACHE_VARIABLES = ("PIP_CACHE_DIR", "UV_CACHE_DIR", "POETRY_CACHE_DIR", "XDG_CACHE_HOME")


def _system(
    action: SystemPackages,
    item: Found,
    packages: dict[tuple[str, str], Installed],
    virtuals: dict[str, tuple[str, ...]],
    lists: list[tuple[str, int]],
    recommends: list[int],
    removed: Sequence[str],
) -> None:
    if action.update:
        cleared = any(
            p.startswith("/var/lib/apt/lists") or p.startswith("/var/cache/apk") for p in removed
        )
        if not cleared and (action.manager == "apt" or action.keeps_cache):
            lists.append((action.manager, item.line))
        return
    names = action.names
    if action.remove:
        gone = [n for name in names for n in virtuals.get(name, (name,))]
        for name in gone:
            key = (action.manager, name)
            if key in packages:
                known = packages[key]
                if known.line == item.line:
                    del packages[key]
                else:
                    packages[key] = Installed(known.manager, known.name, known.line, item.line)
        return
    if action.virtual:
        virtuals[action.virtual] = names
    if action.manager == "apt" and action.recommends:
        recommends.append(item.line)
    if action.manager == "apk" and action.keeps_cache:
        lists.append(("apk", item.line))
    for name in names:
        packages.setdefault((action.manager, name), Installed(action.manager, name, item.line))


# ------------------------------------------------------------------------ the report


def additions(
    facts: ImageFacts,
    report: Report,
    *,
    image: str,
    base: str | None,
    apt: AptSizes | str | None,
    context_bytes: int | None,
) -> DockerfileReport:
    """The Dockerfile's part of the report: what the image holds beside the floor
    (``apt``: the Debian packages' sizes, or why they were not read; ``context_bytes``: what
    ``COPY . .`` copies)."""
    out = [*_packages(facts, apt), *_lists(facts), *_caches(facts, report), *_unneeded(facts)]
    for line in facts.whole_context:
        out.append(
            ImageAddition(
                "build-context",
                "COPY . . (the whole build context)",
                f"{facts.dockerfile}:{line}",
                context_bytes,
                context_bytes is not None,
                "what docker build sends, .dockerignore applied",
                "copy what the service runs, or see `sizefloor context DIR` for the "
                ".dockerignore lines that would shrink it",
            )
        )
    total, exact = _together(out, apt)
    return DockerfileReport(
        path=facts.dockerfile,
        image=image,
        stage=facts.stage,
        base=base,
        additions=tuple(out),
        additions_bytes=total,
        additions_exact=exact,
    )


def _lists(facts: ImageFacts) -> list[ImageAddition]:
    out = []
    for manager, line in facts.package_lists:
        lists = "/var/lib/apt/lists" if manager == "apt" else "/var/cache/apk"
        remedy = (
            "end the same RUN with `rm -rf /var/lib/apt/lists/*`"
            if manager == "apt"
            else "use `apk add --no-cache`"
        )
        name = f"{manager}'s package lists ({lists})"
        where = f"{facts.dockerfile}:{line}"
        out.append(ImageAddition("package-lists", name, where, None, False, "not sized", remedy))
    return out


def _unneeded(facts: ImageFacts) -> list[ImageAddition]:
    """Installers, development groups and a virtual environment's pip."""
    out = []
    where = facts.dockerfile
    for name, line in facts.installers:
        out.append(
            ImageAddition(
                "installer", name, f"{where}:{line}", None, False,
                "installs the service; not needed to run it (not sized)",
                "install it in a build stage, or drop it from the final one",
            )
        )  # fmt: skip
    for tool, line in facts.dev_groups:
        flag = "--no-dev" if tool == "uv" else "--only main"
        verb = "sync" if tool == "uv" else "install"
        out.append(
            ImageAddition(
                "dev-group", f"{tool}'s development dependency groups", f"{where}:{line}", None,
                False, f"`{tool} {verb}` installs them by default; the floor leaves them out "
                "(not sized)", f"add {flag}",
            )
        )  # fmt: skip
    for path, line in facts.venv_pip:
        out.append(
            ImageAddition(
                "venv-pip", f"pip in the virtual environment {path}", f"{where}:{line}", None,
                False, "python -m venv installs pip into the environment (not sized)",
                "create it with --without-pip (install with uv, or with the base's pip --prefix)",
            )
        )  # fmt: skip
    return out


def _packages(facts: ImageFacts, apt: AptSizes | str | None) -> list[ImageAddition]:
    out: list[ImageAddition] = []
    for package in facts.packages:
        kind = "build-tool" if is_build_tool(package.name) else "system-package"
        size: int | None = None
        detail = "not sized: sizefloor reads Debian's packages only"
        if isinstance(apt, str) and package.manager == "apt":
            detail = apt
        if isinstance(apt, AptSizes) and package.manager == "apt":
            if package.name in apt.each:
                size, count = apt.each[package.name]
                detail = (
                    f"with the {count - 1} packages it pulls in that the base lacks; {apt.detail}"
                )
                if count == 1:
                    detail = f"the package alone; {apt.detail}"
                if count == 0:
                    detail = "already in the base image: it adds nothing"
            elif package.name in apt.missing:
                detail = "not sized: the Debian archive has no package of that name"
        if package.removed_at is not None:
            detail += f"; removed at line {package.removed_at}, a later layer: its bytes stay"
        if package.line in facts.recommends:
            detail += "; without --no-install-recommends apt adds its recommended packages too"
        remedy = (
            "build in an earlier stage and copy the result"
            if kind == "build-tool"
            else "needed at run time? if not, leave it out"
        )
        if package.removed_at is not None:
            remedy = "install, use and remove it in one RUN, or in a build stage"
        out.append(
            ImageAddition(
                kind,
                package.name,
                f"{facts.dockerfile}:{package.line}",
                size,
                False,
                detail,
                remedy,
            )
        )
    return out


def _caches(facts: ImageFacts, report: Report) -> list[ImageAddition]:
    """Download caches left in a layer: about the wheels downloaded (an estimate)."""
    out: list[ImageAddition] = []
    downloads = sum(p.download_bytes for p in report.packages) or None
    for tool, line in facts.caches:
        flag = {"pip": "--no-cache-dir", "uv": "--no-cache", "poetry": "--no-cache"}.get(tool, "")
        detail = (
            f"estimated: the wheels it downloads, {human(downloads)}" if downloads else "not sized"
        )
        out.append(
            ImageAddition(
                "cache",
                f"{tool}'s download cache",
                f"{facts.dockerfile}:{line}",
                downloads,
                False,
                detail,
                f"add {flag}, or a RUN --mount=type=cache for it".lstrip(),
            ),
        )
        downloads = None  # the first cache holds them; the others are not sized again
    return out


def _together(out: Sequence[ImageAddition], apt: AptSizes | str | None) -> tuple[int, bool]:
    """The sized additions together: the apt set once, the others added."""
    total = 0
    exact = True
    apt_named = [
        a for a in out if a.kind in ("system-package", "build-tool") and a.bytes is not None
    ]
    if apt_named and isinstance(apt, AptSizes):
        total += apt.together
        exact = False
    for addition in out:
        if addition.kind in ("system-package", "build-tool") or addition.bytes is None:
            continue
        total += addition.bytes
        exact = exact and addition.exact
    return total, exact
