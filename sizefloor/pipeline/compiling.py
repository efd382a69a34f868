"""Bytecode compiled rather than modelled: which CPython compiles it, whether it can be, and the
compiling itself, done on a thread while the packages that need none of it are sized."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from sizefloor.cache import Cache
from sizefloor.dists.wheel import WheelInfo, WheelReader
from sizefloor.index.files import DistFile
from sizefloor.install import interpreters
from sizefloor.install.exact import (
    Compiled,
    Modelled,
    WheelToCompile,
    calibration_targets,
    compile_all,
    sample_all,
)
from sizefloor.install.interpreters import Interpreter, Search
from sizefloor.install.plan import InstallScheme
from sizefloor.options import Options
from sizefloor.report import BytecodeSizing, PackageSize
from sizefloor.resolve import Resolved
from sizefloor.resolve.inspections import Inspection
from sizefloor.target import Target

__all__ = [
    "Compiling",
    "Inspecting",
    "bytecode_interpreter",
    "bytecode_sizing",
    "wants_exact_bytecode",
    "wants_sampled_bytecode",
]


class Inspecting(Protocol):
    """What compiling needs of the resolver's provider (or of a lock file's run): each
    file's inspection."""

    def inspection(self, dist: DistFile) -> Inspection: ...


def bytecode_interpreter(options: Options, target: Target, cache: Cache | None) -> Search | None:
    """Where a CPython of the target's version was looked for, and the one found
    (:func:`sizefloor.install.interpreters.for_options`)."""
    return interpreters.for_options(options, target.python_version, cache)


def wants_exact_bytecode(
    options: Options, target: Target, warn: Callable[[str], None], search: Search | None
) -> bool:
    """Whether every ``.pyc`` is compiled (``--exact-bytecode``, when a CPython of the
    target's version is here; otherwise a warning, and the model)."""
    if not (options.exact_bytecode and options.compile_bytecode):
        return False
    if search is None or search.interpreter is None:
        xy = "{}.{}".format(*target.python_version)
        warn(
            f"--exact-bytecode: no CPython {xy} was found to compile with; the .pyc sizes are "
            f"modelled instead (`{interpreters.install_command(target.python_version)}`, or "
            "--python-exe PATH, then run again)"
        )
        return False
    return True


def wants_sampled_bytecode(options: Options, exact: bool, search: Search | None) -> bool:
    """Whether the ``.pyc`` model is calibrated on compiled modules (a CPython of the
    target's version is at hand, and nothing asked otherwise)."""
    if exact or not (options.sample_bytecode and options.compile_bytecode):
        return False
    return search is not None and search.interpreter is not None


def bytecode_sizing(
    options: Options,
    target: Target,
    search: Search | None,
    packages: Sequence[PackageSize],
    *,
    exact: bool,
    sampled: bool,
) -> BytecodeSizing | None:
    """What the report says of its ``.pyc`` bytes: how they were sized, by which
    interpreter, their stated error; and when none was found, what would find one."""
    if not options.compile_bytecode:
        return None
    wheels = [p for p in packages if p.exact]
    size = sum(p.bytecode_bytes for p in wheels)
    error = sum(p.error_bytes for p in wheels)
    xy = "{}.{}".format(*target.python_version)
    found = search.interpreter if search is not None else None
    if found is not None and (exact or sampled):
        # the wheels' sampling errors are independent: together, root-sum-square (what
        # the calibration's goal is set on); the model's, alone, are summed (its bias is
        # shared)
        spread = round(math.sqrt(sum(p.error_bytes**2 for p in wheels)))
        return BytecodeSizing(
            "compiled" if exact else "calibrated", size, spread, found.to_json(), xy
        )
    if not options.sample_bytecode and not options.exact_bytecode:
        return BytecodeSizing("modelled", size, error, None, xy, "--model-bytecode")
    looked = ", ".join(search.looked) if search is not None else "nowhere"
    reason = f"no CPython {xy} was found (looked in: {looked})"
    if search is not None and search.rejected:
        reason += f"; not usable: {'; '.join(search.rejected[:3])}"
    hint = interpreters.install_command(target.python_version)
    return BytecodeSizing("modelled", size, error, None, xy, reason, hint)


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
        interpreter: Interpreter,
        warn: Callable[[str], None],
        modelled: Modelled | None = None,
    ) -> Compiling:
        """Compile every wheel's modules (``exact``), or samples of those worth calibrating,
        with ``interpreter`` (in this process when it is the one running)."""
        wheels = [
            WheelToCompile(r.dist, info, r.display_name)
            for r in resolved
            if isinstance(info := provider.inspection(r.dist), WheelInfo)
        ]
        compiling = cls()
        if exact:
            here = interpreter.found == "running"
            compiling.urls = frozenset(w.dist.url for w in wheels)
            compiling._run(
                lambda: compiling.compiled.update(
                    compile_all(reader, wheels, scheme, warn, None if here else interpreter)
                )
            )
            return compiling
        targets = calibration_targets(wheels, scheme, modelled)
        compiling.urls = frozenset(w.dist.url for w, _ in targets)
        compiling._run(
            lambda: compiling.compiled.update(
                sample_all(reader, targets, scheme, warn, interpreter, modelled)
            )
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
