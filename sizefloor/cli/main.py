"""The command line: the only module that prints errors and chooses exit statuses.

``sizefloor [estimate] INPUT ...`` is the main job; the other commands
are named first (``sizefloor diff old.txt new.txt``). Each command is a module of
:mod:`sizefloor.cli` with ``build_parser() -> argparse.ArgumentParser`` and ``run(args) -> int``;
it may raise :class:`~sizefloor.errors.SizefloorError`, which :func:`main` turns into a message
and an exit status.

Exit status: 0 done, 1 a failure (network, index, an internal error),
2 bad input (usage, requirements, target), 3 over a ``--max-size`` budget,
130 interrupted.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from sizefloor.cli.commands import COMMANDS, DEFAULT_KEYS, inputs_of, parser_for
from sizefloor.cli.exits import EXIT_FAILURE, EXIT_INTERRUPTED
from sizefloor.cli.session import Session
from sizefloor.cli.style import RED, say
from sizefloor.errors import SizefloorError

__all__ = ["COMMANDS", "entry", "main", "report_error"]


def entry() -> NoReturn:
    """``sizefloor`` and ``python -m sizefloor``: :func:`main`, then out at once.

    When :func:`main` returns, the answer is written and the cache closed. What
    a normal interpreter exit would still do is free the run's objects (a
    hundred megabytes of them on a large lock file) and join the idle fetch
    threads: 0.16 s of a 3 s cold run on 56 packages. The output streams are
    flushed, and the process ends with :func:`os._exit`. Calling :func:`main`
    itself (tests, other programs) exits nothing."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone, a closed stream
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    name = args[0] if args and args[0] in COMMANDS else "estimate"
    if args and args[0] == name:
        args = args[1:]
    module, parser = parser_for(name)
    namespace = parser.parse_args(args)
    _tune_allocator()
    _tune_collector()
    session = None
    try:
        if name in DEFAULT_KEYS:
            session = Session.start(name, parser, args, namespace, inputs_of(name, namespace))
            namespace = session.namespace
        code: int = module.run(namespace)
        return code
    except KeyboardInterrupt:
        print("sizefloor: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        return report_error(exc)
    finally:
        if session is not None:
            session.finish()


M_ARENA_MAX = -8
M_MMAP_THRESHOLD = -3
"""glibc's ``mallopt`` parameters (``MALLOC_ARENA_MAX``, ``MALLOC_MMAP_THRESHOLD_``)."""


def _tune_allocator(arenas: int = 2, mmap_threshold: int = 64 * 1024) -> None:
    """Keep glibc's malloc from holding on to memory the run has freed.

    - glibc gives threads arenas of their own, up to eight per core, each
      keeping what was freed in it: the fetch pool's threads all parse pages
      and wheel directories. At most ``arenas`` are made.
    - Blocks of ``mmap_threshold`` bytes or more (page bodies, response
      buffers, decoded text) are mapped on their own and unmapped when freed.
      By default glibc raises that threshold each time such a block is freed,
      after which megabyte-sized buffers come from the heap and leave holes
      there that small long-lived objects keep from being returned.

    A cold run on the 173-package lock file peaked at 172-180 MiB resident
    with 85 MiB of it in use (tracemalloc); with two arenas at 141-146 MiB,
    with the fixed threshold too at 122-123 MiB, at the same speed within this
    machine's noise. Only the command line does this: a library does not change
    its host process's allocator. Elsewhere than glibc it does nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes  # only on Linux, where glibc may be there to tune

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt(M_ARENA_MAX, arenas)
    mallopt(M_MMAP_THRESHOLD, mmap_threshold)


COLLECTOR_THRESHOLDS = (50_000, 50, 1_000)
"""The cyclic collector's thresholds for a run (Python's are 700, 10, 10)."""


def _tune_collector() -> None:
    """Collect cyclic garbage less often. A cold run makes millions of objects that live
    until it ends (pages' files, wheels' members, installed files) and makes almost no
    cycles: with Python's thresholds the collector ran thousands of times over a growing
    heap, 0.5-1 s of a 240-package monolith's 8-9 s (same peak memory within 3 MiB). What
    is loaded so far is frozen out of its scans. Only the command line does this, as with
    the allocator."""
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def report_error(exc: BaseException) -> int:
    """Print ``exc`` as one paragraph on stderr and return its exit status."""
    if isinstance(exc, SizefloorError):
        say(sys.stderr, "error", str(exc), RED)
        return exc.exit_code
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        say(sys.stderr, "error", f"{exc.strerror or exc}{where}", RED)
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
