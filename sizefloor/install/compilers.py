"""CPython interpreters that compile Python modules for sizefloor, in worker processes.

A ``.pyc`` is what one CPython X.Y makes of a source: only an X.Y can say its
size exactly (:func:`sizefloor.install.bytecode.compiled_size` does it in process,
for the running interpreter). :class:`Compiler` does the same in a few
worker processes of an X.Y interpreter:

- the running one when it is the target's (the workers compile in parallel,
  beside the threads that fetch: compiling holds the GIL);
- else one found where users keep their Pythons (:mod:`sizefloor.install.interpreters`:
  ``PATH``, pyenv, uv, asdf, mise, conda..., or ``--python-exe``), once it has
  said it is CPython X.Y.

Each worker is ``python -I -c WORKER``: isolated mode (no site-packages, no
``PYTHON*`` variables), the standard library alone. Frames on its standard
input: the installed path (``dfile``) and the source; it answers with the
size of the ``.pyc`` pip would write (the 16-byte header and the marshalled
code object, compiled as ``py_compile`` does, warnings ignored) or -1 when
the source does not compile. A worker that dies or answers nonsense raises
:class:`CompilerError`: the caller models that wheel's bytecode instead.
"""

from __future__ import annotations

import contextlib
import os
import queue
import struct
import subprocess
import threading
from typing import TYPE_CHECKING

from sizefloor.errors import CompilerError
from sizefloor.install import interpreters
from sizefloor.install.interpreters import Interpreter

if TYPE_CHECKING:
    from sizefloor.cache import Cache

__all__ = ["Compiler", "Interpreter", "find"]

WORKER = r"""
import marshal, struct, sys, warnings
warnings.simplefilter("ignore")
read, out = sys.stdin.buffer.read, sys.stdout.buffer
out.write(("%s %d.%d.%d\n" % ((sys.implementation.name,) + tuple(sys.version_info[:3]))).encode())
out.flush()
while True:
    head = read(8)
    if len(head) < 8:
        break
    n, m = struct.unpack("<II", head)
    dfile, source = read(n).decode("utf-8", "surrogateescape"), read(m)
    try:
        code = compile(source, dfile, "exec", dont_inherit=True, optimize=0)
        size = 16 + len(marshal.dumps(code))
    except Exception:
        size = -1
    out.write(struct.pack("<q", size))
    out.flush()
"""
"""The worker: the header line (implementation and version), then one answer a frame."""

WORKERS = 4
"""At most this many worker processes (and no more than the machine's CPUs)."""

_HEAD = struct.Struct("<II")
_SIZE = struct.Struct("<q")


def find(
    version: tuple[int, int], *, explicit: str | None = None, cache: Cache | None = None
) -> Interpreter | None:
    """A CPython of ``version``: the running one, else one found where users keep them
    (:func:`sizefloor.install.interpreters.find`)."""
    return interpreters.find(version, explicit=explicit, cache=cache)


class Compiler:
    """Worker processes of one interpreter, shared by threads: :meth:`size` takes
    an idle worker (starting one while there are fewer than ``workers``)."""

    def __init__(self, interpreter: Interpreter, workers: int | None = None) -> None:
        self.interpreter = interpreter
        self._most = max(1, min(workers or WORKERS, os.cpu_count() or 1))
        self._idle: queue.Queue[subprocess.Popen[bytes]] = queue.Queue()
        self._all: list[subprocess.Popen[bytes]] = []
        self._lock = threading.Lock()
        self._broken: str | None = None
        """Why a worker could not start: then none is tried again."""

    def __enter__(self) -> Compiler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def size(self, source: bytes, dfile: str) -> int | None:
        """The size of the ``.pyc`` pip writes for ``source`` installed at
        ``dfile`` (``None``: it does not compile)."""
        worker = self._take()
        try:
            stdin, stdout = worker.stdin, worker.stdout
            assert stdin is not None and stdout is not None
            name = dfile.encode("utf-8", "surrogateescape")
            stdin.write(_HEAD.pack(len(name), len(source)) + name + source)
            stdin.flush()
            answer = stdout.read(_SIZE.size)
            if len(answer) != _SIZE.size:
                raise CompilerError(f"{self.interpreter.executable} stopped answering")
        except (OSError, ValueError, CompilerError) as exc:
            self._discard(worker)
            raise CompilerError(str(exc)) from exc
        self._idle.put(worker)
        (size,) = _SIZE.unpack(answer)
        return None if size < 0 else size

    def _take(self) -> subprocess.Popen[bytes]:
        while True:
            try:
                return self._idle.get_nowait()
            except queue.Empty:
                pass
            with self._lock:
                if self._broken is not None:
                    raise CompilerError(self._broken)
                if len(self._all) < self._most:
                    try:
                        worker = self._start()
                    except CompilerError as exc:
                        self._broken = str(exc)
                        raise
                    self._all.append(worker)
                    return worker
            try:  # a worker is busy: wait for one (or for room to start one)
                return self._idle.get(timeout=0.1)
            except queue.Empty:
                continue

    def _start(self) -> subprocess.Popen[bytes]:
        try:
            worker = subprocess.Popen(
                [self.interpreter.executable, "-I", "-c", WORKER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise CompilerError(f"cannot run {self.interpreter.executable}: {exc}") from exc
        assert worker.stdout is not None
        header = worker.stdout.readline().decode("ascii", "replace").split()
        if header != ["cpython", self.interpreter.version]:
            _stop(worker)
            raise CompilerError(
                f"{self.interpreter.executable} is not CPython {self.interpreter.version}"
            )
        return worker

    def _discard(self, worker: subprocess.Popen[bytes]) -> None:
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        _stop(worker)

    def close(self) -> None:
        """Stop every worker (they end when their input closes)."""
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            try:
                if worker.stdin is not None:
                    worker.stdin.close()
                worker.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                worker.kill()
                worker.wait()
            if worker.stdout is not None:
                worker.stdout.close()


def _stop(worker: subprocess.Popen[bytes]) -> None:
    """Kill a worker and close its pipes."""
    worker.kill()
    worker.wait()
    for pipe in (worker.stdin, worker.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
