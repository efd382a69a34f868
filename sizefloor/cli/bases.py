"""``sizefloor REQUIREMENTS --compare-bases``: the floor on every base, side by side."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from sizefloor.cli.arguments import input_from
from sizefloor.cli.output import deliver
from sizefloor.cli.progress import Progress
from sizefloor.errors import InputError
from sizefloor.inputs.pyproject import Selection
from sizefloor.options import Options
from sizefloor.render.bases import render_comparison
from sizefloor.report import Report
from sizefloor.runtime.compare import compare_bases
from sizefloor.target import Target

__all__ = ["compare_and_print"]


def compare_and_print(args: argparse.Namespace, options: Options, progress: Progress) -> int:
    """Estimate the requirements on every base, and write the comparison."""
    # the pipeline (and httpx under it) is imported when a run starts: --help stays quick
    from sizefloor.pipeline.estimator import estimate

    if args.base is not None:
        raise InputError(
            "--compare-bases compares every base: it cannot be combined with --base.",
            hint="Drop --base (or --compare-bases).",
        )
    if args.libc is not None or args.libc_version is not None:
        raise InputError(
            "--compare-bases gives each base its own C library: --libc and --libc-version "
            "do not apply.",
            hint="Drop them; --platform picks the architecture.",
        )
    selection = Selection(tuple(args.extra), tuple(args.group), args.all_extras)
    reqs = input_from(args.files, args.package, selection, args.quiet)
    plain = replace(
        options, base="none", image_bytes=None, refresh_runtime=False, alternatives=False
    )

    def estimate_for(target: Target) -> Report:
        return estimate(reqs, target=target, options=plain)

    comparison = compare_bases(
        estimate_for,
        python=args.python,
        platform=args.platform,
        refresh=options.refresh_runtime,
        cache_dir=options.cache_dir,
        use_cache=options.use_cache,
        offline=options.offline,
    )
    progress.clear()
    what = ", ".join([*args.files, *args.package])
    mine = "{}.{}".format(*sys.version_info[:2])
    asked = (
        f"Python {args.python}"
        if args.python
        else f"each with its own Python: {mine}, this interpreter's, where it has that"
    )
    title = f"The floor of {what} on {comparison.platform}, by base ({asked}):"
    text = render_comparison(comparison, title, args.format)
    deliver(
        text,
        args.output,
        comparison.warnings,
        quiet=args.quiet,
        silenced=args.silence,
        table=args.format == "table",
    )
    return 0
