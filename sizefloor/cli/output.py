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

from sizefloor.analysis.budget import Budget
from sizefloor.cli.exits import EXIT_OK, EXIT_OVER_BUDGET
from sizefloor.render import views
from sizefloor.render.formats import render
from sizefloor.report import Report


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
    text = render(report, args.format, top=args.top, files=args.list_files)
    queries = []
    if args.tree or args.why:
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
    return EXIT_OK


__all__ = ["deliver", "emit"]
