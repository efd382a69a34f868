"""The command line: the only module that prints errors and chooses exit statuses.

``sizefloor [estimate] REQUIREMENTS ...`` is the main job; the other commands
are named first (``sizefloor diff old.txt new.txt``). Each command lives in
:mod:`sizefloor.commands`.

Exit status: 0 done, 1 a failure (network, index, an internal error),
2 bad input (usage, requirements, target), 3 over a ``--max-size`` budget,
130 interrupted.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_INPUT = 2
EXIT_OVER_BUDGET = 3

COMMANDS = {
    "estimate": "sizefloor.commands.estimate",
    "diff": "sizefloor.commands.diff",
    "image": "sizefloor.commands.image",
    "context": "sizefloor.commands.context",
}
"""Command name -> module; ``estimate`` is also what runs when no command is named."""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    name = args[0] if args and args[0] in COMMANDS else "estimate"
    if args and args[0] == name:
        args = args[1:]
    module = importlib.import_module(COMMANDS[name])
    parser = module.build_parser()
    namespace = parser.parse_args(args)
    _fewer_malloc_arenas()
    try:
        code: int = module.run(namespace)
        return code
    except KeyboardInterrupt:
        print("sizefloor: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        return report_error(exc)


M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the most malloc arenas (``MALLOC_ARENA_MAX``)."""


def _fewer_malloc_arenas(arenas: int = 2) -> None:
    """Let glibc's malloc keep at most ``arenas`` arenas in this process.

    glibc gives threads arenas of their own, up to eight per core, and each
    keeps the memory freed in it: the fetch pool's threads each parse pages
    and wheel directories, and a cold run on a 173-package lock file peaked
    at 172-180 MB resident with 85 MB of it in use (tracemalloc). With two
    arenas the same run peaks at 143 MB, at the same speed (one: 137 MB).
    Only the command line does this: a library does not change its host
    process's allocator. Elsewhere than glibc it does nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt(M_ARENA_MAX, arenas)


def report_error(exc: BaseException) -> int:
    """Print ``exc`` as one paragraph on stderr and return its exit status."""
    from sizefloor.errors import SizefloorError

    if isinstance(exc, SizefloorError):
        print(f"sizefloor: error: {exc}", file=sys.stderr)
        return exc.exit_code
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"sizefloor: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_FAILURE
    print(
        f"sizefloor: internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in sizefloor; please report it with the command you ran "
        "(set SIZEFLOOR_DEBUG=1 to see the traceback).",
        file=sys.stderr,
    )
    if os.environ.get("SIZEFLOOR_DEBUG"):
        raise exc
    return EXIT_FAILURE
