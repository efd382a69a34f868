"""One command's run with the conventions in force: the project defaults read, the names
given to ``--silence`` and ``--ignore`` checked, ``-v``'s listeners started, and at the end
where the time went."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from sizefloor.cli import progress
from sizefloor.cli.commands import DEFAULT_KEYS
from sizefloor.cli.config import apply_defaults
from sizefloor.cli.conventions import StageClock, check_kinds, stop_logging, verbose_logging
from sizefloor.cli.silence import check_names
from sizefloor.cli.style import DIM, colour_on, paint

__all__ = ["Session"]

log = logging.getLogger("sizefloor.cli")


class Session:
    def __init__(self, namespace: argparse.Namespace) -> None:
        self.namespace = namespace
        self.handler: logging.Handler | None = None
        self.clock: StageClock | None = None

    @classmethod
    def start(
        cls,
        name: str,
        parser: argparse.ArgumentParser,
        argv: Sequence[str],
        namespace: argparse.Namespace,
        inputs: Sequence[str],
    ) -> Session:
        namespace, defaults = apply_defaults(parser, argv, namespace, inputs, DEFAULT_KEYS[name])
        namespace.silence = check_names(namespace.silence, "--silence")
        if hasattr(namespace, "ignore"):
            namespace.ignore = check_kinds(namespace.ignore, "--ignore")
        session = cls(namespace)
        if namespace.verbose:
            session.handler = verbose_logging(True)
            for key, value in defaults.values.items():
                shown = ",".join(value) if isinstance(value, (list, tuple)) else value
                log.info("default %s = %s (from %s)", key, shown, defaults.origins[key])
            session.clock = StageClock()
            progress.LISTENERS.append(session.clock)
        return session

    def finish(self) -> None:
        if self.clock is not None:
            progress.LISTENERS.remove(self.clock)
            text = self.clock.summary()
            print(f"sizefloor: {paint(text, DIM, on=colour_on(sys.stderr))}", file=sys.stderr)
        stop_logging(self.handler)
