"""What the estimate command does with a report: the views, the file, the budget.

``--why NAME`` and ``--tree`` print their answer (text) instead of the report;
with ``-o FILE`` the report is written to the file as well. ``--top N`` adds
the N largest files to the report, ``--list-files`` every file to the JSON.
``--max-size SIZE`` makes the exit status 3, with one line on stderr, when
the floor is above SIZE.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sizefloor.report import Report

EXIT_OVER_BUDGET = 3


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
    from sizefloor.analysis.budget import Budget
    from sizefloor.errors import InputError

    args.budget = None
    if args.max_size is not None:
        try:
            args.budget = Budget.parse(args.max_size)
        except InputError as exc:
            parser.error(f"--max-size: {exc.message} {exc.hint or ''}".strip())
    if (args.why or args.tree) and args.format != "table" and not args.output:
        parser.error(
            "--why and --tree print text in place of the report: use them with the table "
            f"format, or write the {args.format} report to a file with -o FILE"
        )
    if args.format == "html" and not args.output and sys.stdout.isatty():
        parser.error("--format html writes a page: give it a file with -o report.html")


def deliver(
    text: str, output: str | None, warnings: Iterable[str] = (), *, quiet: bool = False
) -> None:
    """A command's result to ``-o FILE`` or stdout, then its warnings to stderr."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if not quiet:
        for warning in warnings:
            print(f"sizefloor: warning: {warning}", file=sys.stderr)


def emit(report: Report, args: argparse.Namespace) -> int:
    """Write the report and the views, print the warnings, check the budget."""
    from sizefloor.analysis.budget import Budget
    from sizefloor.render.formats import render

    text = render(report, args.format, top=args.top, files=args.list_files)
    queries = []
    if args.tree or args.why:
        from sizefloor.render import views

        if args.tree:
            queries.append(views.render_tree(report))
        if args.why:
            queries.append(views.render_why(report, args.why))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    if queries:
        sys.stdout.write("\n".join(queries))
    elif not args.output:
        sys.stdout.write(text)
    if not args.quiet:
        for warning in report.warnings:
            print(f"sizefloor: warning: {warning}", file=sys.stderr)
    budget: Budget | None = args.budget
    if budget is not None:
        message = budget.check(report)
        if message is not None:
            print(f"sizefloor: {message}", file=sys.stderr)
            return EXIT_OVER_BUDGET
    return 0


__all__ = ["EXIT_OVER_BUDGET", "add_analysis_arguments", "check_analysis_arguments", "emit"]
