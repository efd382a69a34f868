"""The command line's shared options: their argument groups, their checks, and the library
values they become (a :class:`~sizefloor.inputs.requirements.RequirementSet`, an
:class:`~sizefloor.options.Options`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sizefloor.analysis.budget import Budget
from sizefloor.errors import InputError
from sizefloor.inputs.project import recognise
from sizefloor.inputs.pyproject import Selection
from sizefloor.inputs.requirements import (
    RequirementSet,
    parse_requirement_strings,
    read_requirements,
)
from sizefloor.options import Options
from sizefloor.pipeline.inputs import load_input
from sizefloor.units import parse_size

__all__ = [
    "add_analysis_arguments",
    "add_cache_arguments",
    "add_dockerfile_arguments",
    "add_index_arguments",
    "add_resolution_arguments",
    "add_runtime_arguments",
    "build_args_of",
    "check_analysis_arguments",
    "check_resolution_arguments",
    "input_from",
    "option_label",
    "options_from_args",
    "requirements_from",
]


def add_index_arguments(parser: argparse.ArgumentParser) -> argparse._ArgumentGroup:
    """Where packages are looked for (shared by every command that resolves)."""
    index = parser.add_argument_group("index")
    index.add_argument("-i", "--index-url", metavar="URL", help="the main index (default: pip's)")
    index.add_argument(
        "--extra-index-url", action="append", default=[], metavar="URL", help="another index"
    )
    index.add_argument(
        "-f",
        "--find-links",
        action="append",
        default=[],
        metavar="PATH",
        help="a directory or page of files",
    )
    index.add_argument("--no-index", action="store_true", help="use --find-links alone")
    index.add_argument(
        "--isolated",
        action="store_true",
        help="ignore pip's configuration and PIP_* variables, and sizefloor's own defaults "
        "([tool.sizefloor], SIZEFLOOR_*)",
    )
    index.add_argument("--pre", action="store_true", help="allow pre-releases")
    index.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="wait on a connection or read (default: pip's timeout, else 30); a whole "
        "response may take 4 times as long, the whole run 60 times (at least 1800 s)",
    )
    index.add_argument(
        "--max-page-size",
        type=_page_size,
        default=None,
        metavar="SIZE",
        help="refuse index pages larger than this (default 64MiB)",
    )
    return index


def _page_size(text: str) -> int:
    try:
        size = parse_size(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None
    if size <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size above 0")
    return size


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def add_resolution_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that decide what is resolved and how it is sized (shared with ``diff``)."""
    parser.add_argument(
        "-c", "--constraint", action="append", default=[], metavar="FILE", help="a constraints file"
    )
    target = parser.add_argument_group("target")
    target.add_argument("--python", metavar="X.Y", help="the target's Python (default: this one's)")
    target.add_argument(
        "--platform",
        metavar="PLATFORM",
        help="linux/amd64 (default), linux/arm64, a pip platform tag or a uv platform name",
    )
    target.add_argument("--libc", choices=["glibc", "musl"], help="the target's C library")
    target.add_argument(
        "--libc-version",
        "--glibc",
        dest="libc_version",
        metavar="X.Y",
        help="the C library's version (default: glibc of current Debian stable)",
    )
    index = add_index_arguments(parser)
    index.add_argument(
        "--uploaded-prior-to",
        metavar="DATE",
        help="ignore files uploaded at or after DATE (ISO 8601, UTC when no zone)",
    )
    sizing = parser.add_argument_group("sizing")
    sizing.add_argument(
        "--no-compile", action="store_true", help="size without .pyc files (pip --no-compile)"
    )
    sizing.add_argument(
        "--exact-bytecode",
        action="store_true",
        help="compile the .py files (fetched by range) instead of modelling the .pyc sizes, "
        "with a CPython of the target's version",
    )
    sizing.add_argument(
        "--model-bytecode",
        action="store_true",
        help="model the .pyc sizes alone: do not calibrate the model on modules of the "
        "wheels, fetched by range and compiled (the default when a CPython of the target's "
        "version is found: on PATH, in pyenv, uv, asdf, mise, conda...)",
    )
    sizing.add_argument(
        "--python-exe",
        metavar="PATH",
        help="the CPython of the target's version that compiles the bytecode (default: one "
        "found on PATH or in pyenv, uv, asdf, mise, conda, /usr/local/bin, /opt/python*)",
    )
    sizing.add_argument(
        "--pip-version",
        metavar="X.Y",
        default="26.0",
        help="the pip that installs in the image (its launchers differ by version; default 26.0)",
    )


def add_project_arguments(parser: argparse.ArgumentParser) -> None:
    """What to install of a project or lock file besides its main dependencies."""
    project = parser.add_argument_group("project (pyproject.toml, lock files, folders)")
    project.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="NAME",
        help="install the project's extra NAME (repeatable)",
    )
    project.add_argument(
        "--all-extras", action="store_true", help="install every extra the project declares"
    )
    project.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="NAME",
        help="install the dependency group NAME (PEP 735, Poetry's, uv's dev groups, a "
        "Pipfile.lock's develop; repeatable); without it, a lock installs its main "
        "dependencies",
    )


def add_dockerfile_arguments(parser: argparse.ArgumentParser) -> None:
    """What ``docker build`` would be given besides the Dockerfile."""
    docker = parser.add_argument_group("Dockerfile")
    docker.add_argument(
        "--build-arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a build argument, as docker build takes it: it overrides the ARG's default "
        "(repeatable)",
    )
    docker.add_argument(
        "--context",
        metavar="DIR",
        help="the build context its COPY lines read from (default: the Dockerfile's folder)",
    )


def build_args_of(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``--build-arg NAME=VALUE`` as pairs (``parser.error`` on one without a name)."""
    pairs = []
    for given in getattr(args, "build_arg", []):
        name, has_value, value = given.partition("=")
        if not name.strip():
            parser.error(f"--build-arg {given!r}: give NAME=VALUE")
        if not has_value:
            value = os.environ.get(name, "")  # docker build takes a bare NAME from the environment
        pairs.append((name.strip(), value))
    args.build_arg = pairs


def add_runtime_arguments(parser: argparse.ArgumentParser) -> None:
    """``--base`` and what goes with it: the runtime under the dependencies."""
    runtime = parser.add_argument_group("runtime (the floor of the whole image)")
    runtime.add_argument(
        "--base",
        metavar="NAME",
        help="what the service runs on; it implies the target: python:3.12-slim, "
        "python:3.12-slim-bookworm, python:3.12-alpine, python:3.12, distroless, "
        "debian:12-slim, standalone, host (this interpreter, measured) or none",
    )
    runtime.add_argument(
        "--refresh-runtime",
        action="store_true",
        help="recompute a Debian-derived base (distroless, debian:N-slim) from the Debian "
        "mirror apt is configured with (cached)",
    )
    runtime.add_argument(
        "--image-size",
        metavar="SIZE",
        help="a real image's size as docker images prints it (e.g. 3.77GB, 850MB, 1.2GiB): "
        "compared with the floor",
    )
    runtime.add_argument(
        "--compare-bases",
        action="store_true",
        help="the floor of the same requirements on every base that can run them",
    )


def add_cache_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the cache is, and whether to use it."""
    cache = parser.add_argument_group("cache")
    cache.add_argument("--cache-dir", metavar="DIR", help="where to cache (default: user cache)")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    cache.add_argument("--offline", action="store_true", help="answer from the cache alone")


def add_analysis_arguments(group: Any) -> None:
    """Add the report options to an argument group (or parser)."""
    group.add_argument(
        "--why",
        action="append",
        default=[],
        metavar="NAME",
        help="print why NAME is installed: every chain from a top-level requirement (repeatable)",
    )
    group.add_argument(
        "--tree",
        action="store_true",
        help="print the dependency tree with each subtree's size",
    )
    group.add_argument(
        "--top",
        type=_count,
        default=0,
        metavar="N",
        help="list the N largest files of the set",
    )
    group.add_argument(
        "--list-files",
        action="store_true",
        help="JSON: include every package's installed files (large)",
    )
    group.add_argument(
        "--max-size",
        metavar="SIZE",
        help="exit with status 3 when the floor is above SIZE (500MB, 1.5GB, 800MiB)",
    )


def option_label(args: argparse.Namespace, key: str) -> str:
    """``--max-size``, or ``max-size (from FILE [tool.sizefloor])`` when a project default
    (:mod:`sizefloor.cli.config`) set it."""
    origin = getattr(args, "default_origins", {}).get(key)
    return f"{key} (from {origin})" if origin else f"--{key}"


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of files (0 or more)")
    return value


def check_analysis_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Reject option combinations that cannot work, before any network use."""
    args.budget = None
    if args.max_size is not None:
        try:
            args.budget = Budget.parse(args.max_size, option_label(args, "max-size"))
        except InputError as exc:
            parser.error(f"--max-size: {exc.message} {exc.hint or ''}".strip())
    if (args.why or args.tree) and args.format != "table" and not args.output:
        parser.error(
            "--why and --tree print text in place of the report: use them with the table "
            f"format, or write the {args.format} report to a file with -o FILE"
        )
    if args.format == "html" and not args.output and sys.stdout.isatty():
        parser.error("--format html writes a page: give it a file with -o report.html")


def check_resolution_arguments(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> datetime | None:
    """Validate the shared options (``parser.error`` on bad ones); the upload cut-off."""
    try:
        uploaded = _parse_date(args.uploaded_prior_to) if args.uploaded_prior_to else None
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    try:
        major, _, minor = args.pip_version.partition(".")
        args.pip_version = (int(major), int(minor or 0))
    except ValueError:
        parser.error(f"--pip-version: {args.pip_version!r} is not a version like 25.1")
    return uploaded


def _parse_date(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--uploaded-prior-to: {text!r} is not a date; use e.g. 2025-06-01 or "
            "2025-06-01T12:00:00Z"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def requirements_from(files: Sequence[str], packages: Sequence[str] | None) -> RequirementSet:
    """The requirements files, then the ``-p`` requirement strings, merged in order
    (the command line has made sure there is at least one)."""
    sets = [read_requirements(path) for path in files]
    if packages:
        sets.append(parse_requirement_strings(list(packages)))
    merged = sets[0]
    for more in sets[1:]:
        merged = merged.merged(more)
    return merged


def input_from(
    files: Sequence[str], packages: Sequence[str] | None, selection: Selection, quiet: bool
) -> str | RequirementSet:
    """What the command line asks to size: one path as it is (any form sizefloor reads), or
    the requirements of several (requirements files, ``pyproject.toml``, folders) and the
    ``-p`` strings merged. What a folder stands for is said on stderr first."""
    sets = []
    for path in files:
        recognised = recognise(path)
        if recognised.note and not quiet:
            print(f"sizefloor: {recognised.note}", file=sys.stderr)
        if len(files) == 1 and not packages:
            return path
        loaded = load_input(path, selection)
        if loaded.requirements is None:
            raise InputError(
                f"{recognised.path} is a lock file: it cannot be merged with other inputs.",
                hint="Size the lock file alone, or pass requirements files to merge.",
            )
        sets.append(loaded.requirements)
    if packages:
        sets.append(parse_requirement_strings(list(packages)))
    merged = sets[0]
    for more in sets[1:]:
        merged = merged.merged(more)
    return merged


def options_from_args(args: argparse.Namespace, uploaded: datetime | None) -> Options:
    """The estimate's :class:`~sizefloor.options.Options` from the shared options."""
    return Options(
        index_url=args.index_url,
        extra_index_urls=tuple(args.extra_index_url),
        find_links=tuple(os.path.abspath(f) if os.path.exists(f) else f for f in args.find_links),
        no_index=args.no_index,
        use_pip_config=not args.isolated,
        pre=args.pre,
        uploaded_prior_to=uploaded,
        compile_bytecode=not args.no_compile,
        exact_bytecode=getattr(args, "exact_bytecode", False),
        sample_bytecode=not getattr(args, "model_bytecode", False),
        python_exe=getattr(args, "python_exe", None),
        constraints=tuple(args.constraint),
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        use_cache=not args.no_cache,
        offline=args.offline,
        timeout=getattr(args, "timeout", None),
        max_page_bytes=getattr(args, "max_page_size", None) or Options.max_page_bytes,
        pip_version=args.pip_version,
        base=getattr(args, "base", None),
        refresh_runtime=getattr(args, "refresh_runtime", False),
        image_bytes=_image_bytes(getattr(args, "image_size", None)),
        extras=tuple(getattr(args, "extra", ())),
        all_extras=getattr(args, "all_extras", False),
        groups=tuple(getattr(args, "group", ())),
        build_args=tuple(getattr(args, "build_arg", ())),
        context=getattr(args, "context", None),
        # --ignore variant: the lighter variants are not measured (a second estimate each)
        alternatives="variant" not in (getattr(args, "ignore", None) or ()),
    )


def _image_bytes(text: str | None) -> int | None:
    if text is None:
        return None
    return parse_size(text)
