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
from collections.abc import Collection, Iterable
from pathlib import Path

from sizefloor.analysis.budget import Budget
from sizefloor.cli.conventions import ignoring
from sizefloor.cli.exits import EXIT_OK, EXIT_OVER_BUDGET
from sizefloor.cli.silence import shown
from sizefloor.cli.style import BOLD, DIM, RED, YELLOW, colour_on, paint, say
from sizefloor.render.formats import render
from sizefloor.report import Report


def deliver(
    text: str,
    output: str | None,
    warnings: Iterable[str] = (),
    *,
    quiet: bool = False,
    silenced: Collection[str] = (),
    table: bool = False,
) -> None:
    """A command's result to ``-o FILE`` or stdout (a ``table`` highlighted on a terminal),
    then its warnings to stderr."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(highlight(text) if table and colour_on(sys.stdout) else text)
    if not quiet:
        print_warnings(warnings, silenced)


def print_warnings(warnings: Iterable[str], silenced: Collection[str] = ()) -> None:
    """Each warning not silenced, on a line of stderr, its name after it."""
    for name, warning in shown(warnings, silenced):
        say(sys.stderr, "warning", f"{warning} [{name}]", YELLOW)


def highlight(text: str) -> str:
    """A table for a terminal: the floor's lines and each header row bold, the rules dim."""
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if line and set(line) <= {"-", " "}:
            out.append(paint(line, DIM))
        elif line.startswith("floor") or (following and set(following) <= {"-", " "}):
            out.append(paint(line, BOLD))
        else:
            out.append(line)
    return "\n".join(out)


def emit(report: Report, args: argparse.Namespace) -> int:
    """Write the report and the views, print the warnings, check the budget."""
    report = ignoring(report, getattr(args, "ignore", ()))
    text = render(report, args.format, top=args.top, files=args.list_files)
    queries = []
    if args.tree or args.why:
        # start-up: the views (and the dependency graph they draw) only for --tree and --why
        from sizefloor.render.views import render_tree, render_why

        if args.tree:
            queries.append(render_tree(report))
        if args.why:
            queries.append(render_why(report, args.why))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    colour = colour_on(sys.stdout) and args.format == "table"
    if queries:
        sys.stdout.write("\n".join(queries))
    elif not args.output:
        sys.stdout.write(highlight(text) if colour else text)
    if not args.quiet:
        print_warnings(report.warnings, getattr(args, "silence", ()))
    budget: Budget | None = args.budget
    if budget is not None:
        message = budget.check(report)
        if message is not None:
            label, _, rest = message.partition(": ")
            say(sys.stderr, label, rest, RED)
            return EXIT_OVER_BUDGET
    return EXIT_OK


__all__ = ["deliver", "emit", "highlight", "print_warnings"]
