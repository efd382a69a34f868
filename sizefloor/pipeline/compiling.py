"""Bytecode compiled rather than modelled: whether it can be, and the compiling itself, done on a
thread while the packages that need none of it are sized."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from sizefloor.dists.wheel import WheelInfo, WheelReader
from sizefloor.index.files import DistFile
from sizefloor.install import bytecode, calibrate
from sizefloor.install.exact import (
    Compiled,
    WheelToCompile,
    compile_all,
    sample_all,
    worth_calibrating,
)
from sizefloor.install.plan import InstallScheme
from sizefloor.options import Options
from sizefloor.resolve import Resolved
from sizefloor.resolve.inspections import Inspection
from sizefloor.target import Target

__all__ = ["Compiling", "Inspecting", "wants_exact_bytecode", "wants_sampled_bytecode"]


class Inspecting(Protocol):
    """What compiling needs of the resolver's provider (or of a lock file's run): each
    file's inspection."""

    def inspection(self, dist: DistFile) -> Inspection: ...


def wants_exact_bytecode(options: Options, target: Target, warn: Callable[[str], None]) -> bool:
    """Whether every ``.pyc`` is compiled (``--exact-bytecode``, when the target's Python is
    the one running sizefloor; otherwise a warning, and the model)."""
    if not (options.exact_bytecode and options.compile_bytecode):
        return False
    why = bytecode.exact_unavailable(target.python_version)
    if why is not None:
        warn(f"--exact-bytecode: {why}; the .pyc sizes are modelled instead")
    return why is None


def wants_sampled_bytecode(options: Options, target: Target, exact: bool) -> bool:
    """Whether the ``.pyc`` model is calibrated on compiled samples (a CPython of the
    target's version is at hand, and nothing asked otherwise)."""
    if exact or not (options.sample_bytecode and options.compile_bytecode):
        return False
    return calibrate.available(target)


class Compiling:
    """The compiled bytecode of some wheels, by URL, filled in on a thread of its own."""

    def __init__(self) -> None:
        self.compiled: dict[str, Compiled] = {}
        self.urls: frozenset[str] = frozenset()
        """The wheels being compiled: their sizes wait for :meth:`wait`."""
        self._thread: threading.Thread | None = None
        self._failure: list[BaseException] = []

    @classmethod
    def start(
        cls,
        resolved: Sequence[Resolved],
        provider: Inspecting,
        reader: WheelReader,
        scheme: InstallScheme,
        *,
        exact: bool,
        warn: Callable[[str], None],
    ) -> Compiling:
        """Compile every wheel's modules (``exact``), or a sample of those worth calibrating."""
        wheels = [
            WheelToCompile(r.dist, info, r.display_name)
            for r in resolved
            if isinstance(info := provider.inspection(r.dist), WheelInfo)
        ]
        if not exact:
            wheels = worth_calibrating(wheels, scheme)
        compile_wheels = compile_all if exact else sample_all
        compiling = cls()
        compiling.urls = frozenset(w.dist.url for w in wheels)
        compiling._run(
            lambda: compiling.compiled.update(compile_wheels(reader, wheels, scheme, warn))
        )
        return compiling

    def _run(self, work: Callable[[], None]) -> None:
        def run() -> None:
            try:
                work()
            except BaseException as exc:  # handed to the waiting thread
                self._failure.append(exc)

        self._thread = threading.Thread(target=run, name="sizefloor-compile", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        """Wait for the compiling to end, raising what it raised; any number of times."""
        if self._thread is not None:
            self._thread.join()
        if self._failure:
            raise self._failure[0]
