"""``sizefloor diff OLD NEW``: what changing a requirements set costs.

``OLD`` and ``NEW`` are requirements files, or files of a git revision
written ``REV:path`` (``HEAD~1:requirements.txt``, ``main:./requirements.txt``),
read with ``git show``; the files they include with ``-r``/``-c`` are read
from the same revision. Both sets are estimated for the same target with
the same options; the output lists the packages added, removed and changed
with their exact byte deltas, and the total's.
"""

from __future__ import annotations

import argparse
import os
import posixpath
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from sizefloor.analysis.budget import Budget
from sizefloor.analysis.diff import diff_reports
from sizefloor.cli.arguments import (
    add_cache_arguments,
    add_resolution_arguments,
    check_resolution_arguments,
    option_label,
    options_from_args,
)
from sizefloor.cli.exits import EXIT_OK, EXIT_OVER_BUDGET
from sizefloor.cli.output import deliver
from sizefloor.cli.progress import Progress
from sizefloor.errors import InputError
from sizefloor.render.diff import render_diff

_INCLUDE = re.compile(
    r"^\s*(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(?P<path>\S+)", re.MULTILINE
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sizefloor diff",
        description=(
            "Compare two requirements sets: the packages added, removed and changed, "
            "with the installed bytes each adds or saves, and the total."
        ),
        epilog=(
            "Examples: sizefloor diff old.txt new.txt; "
            "sizefloor diff HEAD~1:requirements.txt requirements.txt"
        ),
    )
    parser.add_argument("old", metavar="OLD", help="requirements file, or REV:path in git")
    parser.add_argument("new", metavar="NEW", help="requirements file, or REV:path in git")
    add_resolution_arguments(parser)
    output = parser.add_argument_group("output")
    output.add_argument(
        "--format", choices=["table", "json", "markdown"], default="table", help="output format"
    )
    output.add_argument("-o", "--output", metavar="FILE", help="write the comparison to FILE")
    output.add_argument("-q", "--quiet", action="store_true", help="no progress or warnings")
    output.add_argument(
        "--max-increase",
        metavar="SIZE",
        help="exit with status 3 when NEW installs more than SIZE above OLD (e.g. 50MB)",
    )
    add_cache_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    # the pipeline (and httpx under it) is imported when a run starts: --help stays quick
    from sizefloor.pipeline.estimator import estimate

    parser = build_parser()
    uploaded = check_resolution_arguments(parser, args)
    budget = None
    if args.max_increase is not None:
        try:
            budget = Budget.parse(args.max_increase, option_label(args, "max-increase"))
        except InputError as exc:
            parser.error(f"--max-increase: {exc.message} {exc.hint or ''}".strip())
    options = replace(options_from_args(args, uploaded), alternatives=False)  # no findings
    progress = Progress(sys.stderr, not args.quiet)
    reports = []
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sizefloor-diff-") as scratch:
        try:
            for side, spec in (("old", args.old), ("new", args.new)):
                path = materialize(spec, Path(scratch) / side)
                report = estimate(
                    path,
                    python=args.python,
                    platform=args.platform,
                    libc=args.libc,
                    libc_version=args.libc_version,
                    options=options,
                    progress=progress,
                )
                warnings += [w for w in report.warnings if w not in warnings]
                reports.append(report)
        finally:
            progress.clear()
    diff = diff_reports(reports[0], reports[1], old_label=args.old, new_label=args.new)
    text = render_diff(diff, args.format)
    deliver(
        text,
        args.output,
        warnings,
        quiet=args.quiet,
        silenced=args.silence,
        table=args.format == "table",
    )
    if budget is not None:
        message = budget.message(diff.delta, "the increase")
        if message is not None:
            print(f"sizefloor: {message}", file=sys.stderr)
            return EXIT_OVER_BUDGET
    return EXIT_OK


def materialize(spec: str, scratch: Path) -> str:
    """A path to read ``spec`` from: the file itself, or for ``REV:path`` a copy of
    the revision's file (and of those it includes) under ``scratch``."""
    if os.path.exists(spec) or ":" not in spec:
        return spec
    rev, _, path = spec.partition(":")
    if not rev or not path:
        raise InputError(
            f"{spec!r} is neither a file nor REV:path.",
            hint="Give a requirements file, or a git revision and a path such as "
            "HEAD~1:requirements.txt.",
        )
    prefix = _git(["rev-parse", "--show-prefix"], spec).strip()
    if path.startswith(("./", "../")):
        path = posixpath.normpath(posixpath.join(prefix, path))
    top = _copy_from_git(rev, path, scratch, spec, seen=set())
    return str(top)


def _copy_from_git(rev: str, path: str, scratch: Path, spec: str, seen: set[str]) -> Path:
    """Write ``rev:path`` to ``scratch/path``, and the files it includes, recursively."""
    target = scratch / path
    if path in seen:
        return target
    seen.add(path)
    text = _git(["show", f"{rev}:{path}"], spec)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    for match in _INCLUDE.finditer(text):
        included = _unquote(match.group("path"))
        if "://" in included or os.path.isabs(included):
            continue
        inner = posixpath.normpath(posixpath.join(posixpath.dirname(path), included))
        if inner.startswith("../"):
            continue  # outside the repository: left to the reader's error
        _copy_from_git(rev, inner, scratch, spec, seen)
    return target


def _unquote(text: str) -> str:
    try:
        parts = shlex.split(text)
    except ValueError:
        return text
    return parts[0] if parts else text


def _git(arguments: list[str], spec: str) -> str:
    try:
        result = subprocess.run(
            ["git", *arguments], capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise InputError(
            f"{spec!r} names a git revision, and git is not installed.",
            hint="Install git, or pass the two requirements files as paths.",
        ) from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["git failed"])[-1]
        raise InputError(
            f"cannot read {spec!r} from git: {detail.removeprefix('fatal: ')}",
            hint="Write REV:path with a revision git knows (HEAD~1, main, a tag) and a path "
            "relative to the repository's root (or ./path relative to this directory).",
        )
    return result.stdout


__all__ = ["build_parser", "materialize", "run"]
