"""``sizefloor image IMAGE.tar -r requirements.txt``: a real image against its floor."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sizefloor.cli.arguments import add_index_arguments, requirements_from
from sizefloor.cli.exits import EXIT_OK
from sizefloor.cli.output import deliver
from sizefloor.cli.progress import Progress
from sizefloor.errors import TargetError
from sizefloor.image.audit import audit
from sizefloor.image.pythons import python_layout
from sizefloor.image.reader import Image, read_image
from sizefloor.options import Options
from sizefloor.render.image import render_image
from sizefloor.report import Report
from sizefloor.target import parse_platform


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sizefloor image",
        description=(
            "Measure a real image (a `docker save` archive, or an OCI image layout as a "
            "directory or tar): its real size, layer by layer, and, given its requirements, "
            "how far above their floor it is and where the extra bytes are. Nothing is "
            "extracted or written."
        ),
        epilog="Example: sizefloor image app.tar -r requirements.txt",
    )
    parser.add_argument("image", metavar="IMAGE", help="docker save archive or OCI layout")
    parser.add_argument(
        "-r",
        "--requirement",
        action="append",
        default=[],
        metavar="FILE",
        help="the image's requirements file (repeatable); without one, no floor is computed",
    )
    parser.add_argument(
        "-p", "--package", action="append", default=[], metavar="SPEC", help="a requirement"
    )
    parser.add_argument(
        "-c", "--constraint", action="append", default=[], metavar="FILE", help="constraints"
    )
    image = parser.add_argument_group("image")
    image.add_argument("--ref", metavar="NAME", help="which image, when the archive holds several")
    image.add_argument(
        "--base-layers",
        type=int,
        metavar="N",
        help="how many bottom layers are the base image (default: read from the history)",
    )
    image.add_argument(
        "--top", type=int, default=5, metavar="N", help="application folders to list (default 5)"
    )
    target = parser.add_argument_group("target (default: what the image runs)")
    target.add_argument("--python", metavar="X.Y", help="default: the image's interpreter")
    target.add_argument(
        "--platform",
        metavar="PLATFORM",
        help="default: the image's; also picks the image in a multi-platform layout",
    )
    target.add_argument("--libc", choices=["glibc", "musl"], help="default: the image's")
    target.add_argument("--libc-version", metavar="X.Y", help="the C library's version")
    target.add_argument(
        "--base", metavar="NAME", help="the runtime the floor includes (python:3.12-slim, …)"
    )
    index = add_index_arguments(parser)
    index.add_argument("--no-compile", action="store_true", help="size without .pyc files")
    cache = parser.add_argument_group("cache")
    cache.add_argument("--cache-dir", metavar="DIR", help="where to cache (default: user cache)")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    cache.add_argument("--offline", action="store_true", help="answer from the cache alone")
    output = parser.add_argument_group("output")
    output.add_argument("--format", choices=["table", "json"], default="table")
    output.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    output.add_argument("-q", "--quiet", action="store_true", help="no warnings on stderr")
    return parser


def run(args: argparse.Namespace) -> int:
    if args.top < 0 or (args.base_layers is not None and args.base_layers < 0):
        build_parser().error("--top and --base-layers take a number of 0 or more")
    progress = Progress(sys.stderr, not args.quiet)
    try:
        image = read_image(
            args.image,
            ref=args.ref,
            platform=args.platform,
            base_layers=args.base_layers,
            progress=progress,
        )
    finally:
        progress.clear()
    estimate = None
    warnings: list[str] = []
    if args.requirement or args.package:
        estimate = _estimate(args, image)
        warnings = list(estimate.warnings)
    result = audit(image, estimate, top_folders=args.top)
    text = render_image(result, args.format)
    deliver(
        text,
        args.output,
        warnings,
        quiet=args.quiet,
        silenced=args.silence,
        table=args.format == "table",
    )
    return EXIT_OK


def _estimate(args: argparse.Namespace, image: Image) -> Report:
    """The image's requirements estimated for what the image runs (or for ``--base``)."""
    # the pipeline (and httpx under it) is imported when a run starts: --help stays quick
    from sizefloor.pipeline.estimator import estimate

    options = Options(
        index_url=args.index_url,
        extra_index_urls=tuple(args.extra_index_url),
        find_links=tuple(os.path.abspath(f) if os.path.exists(f) else f for f in args.find_links),
        no_index=args.no_index,
        use_pip_config=not args.isolated,
        pre=args.pre,
        compile_bytecode=not args.no_compile,
        constraints=tuple(args.constraint),
        cache_dir=Path(args.cache_dir) if args.cache_dir else None,
        use_cache=not args.no_cache,
        offline=args.offline,
        base=args.base,
    )
    python, platform, libc = args.python, args.platform, args.libc
    if args.base is None:  # a base implies its own target; otherwise the image's
        python = python or python_layout(image).default_version
        platform = platform or _docker_platform(image.platform)
        if libc is None and any(p.startswith("/lib/ld-musl-") for p in _paths(image)):
            libc = "musl"
    return estimate(
        requirements_from(args.requirement, args.package),
        python=python,
        platform=platform,
        libc=libc,
        libc_version=args.libc_version,
        options=options,
    )


def _docker_platform(platform: str) -> str | None:
    """An image config's platform (``linux/arm64/v8``) as a target platform, or ``None``
    for one sizefloor does not size."""
    try:
        return parse_platform(platform).docker_platform
    except TargetError:
        return None


def _paths(image: Image) -> list[str]:
    return [f.path for f in image.files] + list(image.symlinks)
