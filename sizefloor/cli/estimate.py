"""``sizefloor [estimate] REQUIREMENTS``: the floor of a requirements set."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from sizefloor import __version__
from sizefloor.cli.arguments import (
    add_analysis_arguments,
    add_cache_arguments,
    add_dockerfile_arguments,
    add_project_arguments,
    add_resolution_arguments,
    add_runtime_arguments,
    build_args_of,
    check_analysis_arguments,
    check_resolution_arguments,
    input_from,
    options_from_args,
)
from sizefloor.cli.output import emit
from sizefloor.cli.progress import Progress
from sizefloor.inputs.pyproject import Selection
from sizefloor.render.formats import FORMATS

__all__ = ["build_parser", "run"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sizefloor",
        usage=(
            "sizefloor [estimate] [options] INPUT ...\n"
            "       sizefloor {diff,image,context,completion} ..."
        ),
        description=(
            "The floor of a Python service's container image: the bytes its dependencies "
            "occupy once installed in the target image, plus the smallest Python runtime that "
            "runs them (or the base you name), read from the wheels' central directories: "
            "nothing is downloaded whole, built or installed."
        ),
        epilog="Example: python -m sizefloor requirements.txt --python 3.12 --platform linux/arm64",
    )
    parser.add_argument(
        "files",
        nargs="*",
        metavar="INPUT",
        help="what to size: a requirements file (pip's format), a pyproject.toml, a lock file "
        "(uv.lock, pylock.toml, poetry.lock, Pipfile.lock), a Dockerfile or a project's folder",
    )
    parser.add_argument(
        "-p",
        "--package",
        action="append",
        default=[],
        metavar="SPEC",
        help="a requirement string, e.g. 'flask>=3'; repeatable",
    )
    add_resolution_arguments(parser)
    add_project_arguments(parser)
    add_dockerfile_arguments(parser)
    add_runtime_arguments(parser)
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=list(FORMATS), default="table", help="output format")
    output.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    output.add_argument("-q", "--quiet", action="store_true", help="no progress or warnings")
    add_analysis_arguments(output)
    add_cache_arguments(parser)
    parser.add_argument("--version", action="version", version=f"sizefloor {__version__}")
    return parser


def run(args: argparse.Namespace) -> int:
    parser = build_parser()
    uploaded = check_resolution_arguments(parser, args)
    if not args.files and not args.package:
        parser.error(
            "give a requirements file, a pyproject.toml, a lock file or a folder, or "
            "requirements with -p SPEC"
        )
    check_analysis_arguments(parser, args)
    build_args_of(parser, args)
    progress = Progress(sys.stderr, not args.quiet)
    try:
        if args.compare_bases:
            # start-up: comparing bases (runtime.compare) only with --compare-bases
            from sizefloor.cli.bases import compare_and_print

            return compare_and_print(args, options_from_args(args, uploaded), progress)
        return _estimate_and_print(args, uploaded, progress)
    finally:
        progress.clear()


def _estimate_and_print(
    args: argparse.Namespace, uploaded: datetime | None, progress: Progress
) -> int:
    # the pipeline (and httpx under it) is imported when a run starts: --help stays quick
    from sizefloor.pipeline.estimator import estimate

    reqs = input_from(args.files, args.package, selection_of(args), args.quiet)
    report = estimate(
        reqs,
        python=args.python,
        platform=args.platform,
        libc=args.libc,
        libc_version=args.libc_version,
        options=options_from_args(args, uploaded),
        progress=progress,
    )
    progress.clear()
    return emit(report, args)


def selection_of(args: argparse.Namespace) -> Selection:
    """The extras and groups the command line asks for."""
    return Selection(tuple(args.extra), tuple(args.group), args.all_extras)
