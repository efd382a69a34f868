"""What every command that estimates shares beyond its own options: ``-v``/``--verbose``,
``--silence NAME``, ``--ignore KIND``, and what they do.

``-v`` reports, on stderr, what the library says through :mod:`logging` (the ``sizefloor``
logger: each request with where it went and what it brought, the cache's hits and misses,
a remembered estimate, an alternative measured), the defaults in force and where each came
from, and where the time went (from the progress the library reports: the time between one
stage and the next). The library itself never prints: this module is what listens.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import TextIO

from sizefloor.cli.style import DIM, colour_on, paint
from sizefloor.errors import InputError
from sizefloor.report import FINDING_KINDS, Report

__all__ = [
    "FINDING_KINDS",
    "StageClock",
    "add_convention_arguments",
    "check_kinds",
    "ignoring",
    "verbose_logging",
]


def add_convention_arguments(parser: argparse.ArgumentParser, *, findings: bool) -> None:
    """``-v``, ``--silence`` (and ``--ignore`` where the command reports findings)."""
    group = parser.add_argument_group("messages and defaults")
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="say on stderr what was fetched and from where, the cache's hits, the defaults "
        "in force, and where the time went",
    )
    group.add_argument(
        "--silence",
        action="append",
        default=[],
        metavar="NAME",
        help="keep the warnings of that name off stderr (the name is printed after each "
        "warning; 'all' for every one); repeatable, or NAME,NAME",
    )
    if findings:
        group.add_argument(
            "--ignore",
            action="append",
            default=[],
            metavar="KIND",
            help=f"leave out findings of that kind ({', '.join(FINDING_KINDS)}; 'variant' also "
            "skips measuring the lighter variants); repeatable",
        )


def check_kinds(kinds: Iterable[str], where: str) -> tuple[str, ...]:
    """``kinds`` (comma-separated items allowed), each a finding kind."""
    result: list[str] = []
    for item in kinds:
        for kind in (part.strip().lower() for part in item.split(",")):
            if not kind:
                continue
            if kind not in FINDING_KINDS:
                raise InputError(
                    f"{where}: {kind!r} is not a kind of finding.",
                    hint=f"The kinds: {', '.join(FINDING_KINDS)}.",
                )
            result.append(kind)
    return tuple(dict.fromkeys(result))


def ignoring(report: Report, kinds: Iterable[str]) -> Report:
    """``report`` without the findings of ``kinds`` (the JSON and every format then lack them)."""
    dropped = set(kinds)
    if not dropped or report.analysis is None:
        return report
    kept = tuple(f for f in report.analysis.findings if f.kind not in dropped)
    return replace(report, analysis=replace(report.analysis, findings=kept))


class _Line(logging.Handler):
    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.DEBUG)
        self.stream = stream
        self.colour = colour_on(stream)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            self.stream.write(f"sizefloor: {paint(text, DIM, on=self.colour)}\n")
        except Exception:  # a message that cannot be written must not stop the run
            self.handleError(record)


def verbose_logging(enabled: bool, stream: TextIO | None = None) -> logging.Handler | None:
    """Listen to the ``sizefloor`` logger on ``stream`` (stderr); the handler to remove."""
    if not enabled:
        return None
    logger = logging.getLogger("sizefloor")
    handler = _Line(stream or sys.stderr)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return handler


def stop_logging(handler: logging.Handler | None) -> None:
    if handler is not None:
        logger = logging.getLogger("sizefloor")
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


class StageClock:
    """Where the time went: each stage the progress names runs until the next is named."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.stages: dict[str, float] = {}
        self._current: str | None = None
        self._since = self.started

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == self._current:
            return
        self._close()
        self._current = stage
        self._since = time.perf_counter()

    def _close(self) -> None:
        now = time.perf_counter()
        if self._current is not None:
            self.stages[self._current] = self.stages.get(self._current, 0.0) + now - self._since
        self._since = now

    def summary(self) -> str:
        self._close()
        self._current = None
        total = time.perf_counter() - self.started
        accounted = sum(self.stages.values())
        parts = [f"{stage} {seconds:.2f} s" for stage, seconds in self.stages.items()]
        parts.append(f"the rest {max(total - accounted, 0.0):.2f} s")
        return f"time: {total:.2f} s in all: " + ", ".join(parts)
