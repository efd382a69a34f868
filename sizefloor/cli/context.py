"""``sizefloor context DIR``: what ``docker build DIR`` sends, and what .dockerignore could drop."""

from __future__ import annotations

import argparse

from sizefloor.cli.output import deliver
from sizefloor.context.measure import measure_context
from sizefloor.render.context import render_context


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sizefloor context",
        description=(
            "Measure the build context `docker build DIR` sends, with .dockerignore applied "
            "by Docker's own rules (BuildKit), list the largest folders and files sent, and "
            "propose .dockerignore lines for the usual offenders with the bytes each saves."
        ),
        epilog="Example: sizefloor context . --format json",
    )
    parser.add_argument("directory", metavar="DIR", help="the build context folder")
    parser.add_argument(
        "-f",
        "--file",
        metavar="DOCKERFILE",
        help="the Dockerfile, as `docker build -f` takes it (default: DIR/Dockerfile); "
        "DOCKERFILE.dockerignore beside it wins over DIR/.dockerignore",
    )
    parser.add_argument(
        "--builder",
        choices=["buildkit", "legacy"],
        default="buildkit",
        help="whose rules to apply: BuildKit (Docker's default) or the legacy builder "
        "(DOCKER_BUILDKIT=0); they differ on a few exception patterns",
    )
    parser.add_argument(
        "--data-threshold",
        type=int,
        default=1_000_000,
        metavar="BYTES",
        help="smallest data or model folder to propose (default 1000000)",
    )
    parser.add_argument(
        "--top", type=int, default=10, metavar="N", help="folders and files to list (default 10)"
    )
    parser.add_argument("--list", action="store_true", help="also list every file sent")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    return parser


def run(args: argparse.Namespace) -> int:
    if args.top < 0 or args.data_threshold < 0:
        build_parser().error("--top and --data-threshold take a number of 0 or more")
    context = measure_context(
        args.directory,
        dockerfile=args.file,
        data_bytes=args.data_threshold,
        top=args.top,
        builder=args.builder,
    )
    text = render_context(context, args.format, with_paths=args.list)
    deliver(text, args.output, table=args.format == "table")
    return 0
