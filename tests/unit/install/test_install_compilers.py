"""sizefloor.install.compilers: worker processes of a CPython that size .pyc files."""

from __future__ import annotations

import re
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from sizefloor.errors import SizefloorError
from sizefloor.install import bytecode
from sizefloor.install.compilers import Compiler, CompilerError, Interpreter, find

VERSION = (sys.version_info.major, sys.version_info.minor)
SITE = "/usr/local/lib/python3.x/site-packages"
SOURCES = {
    "plain.py": b"def f(x):\n    return [i * x for i in range(10)]\n",
    "empty.py": b"",
    "coded.py": "# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n".encode("latin-1"),
    "warns.py": b"PATTERN = '\\d+'\n",
    "syntax.py": b"def broken(:\n    pass\n",
    "null.py": b"x = 1\x00\n",
    "bad-utf8.py": b"x = '\xff'\n",
}


def running() -> Interpreter:
    interpreter = find(VERSION)
    assert interpreter is not None
    return interpreter


def test_the_running_interpreter_is_found_without_asking_it() -> None:
    interpreter = running()
    assert interpreter.executable == sys.executable
    assert interpreter.version == ".".join(map(str, sys.version_info[:3]))
    major, minor = VERSION
    assert interpreter.identity == f"cpython-{major}{minor}-{interpreter.version}"


def test_a_version_nobody_has_is_not_found() -> None:
    assert find((3, 99)) is None
    assert find((3, 99)) is None  # and the answer is remembered


def test_interpreter_identity_keeps_the_full_version() -> None:
    assert Interpreter("/x/python3.12", "3.12.10").identity == "cpython-312-3.12.10"


def test_sizes_are_what_this_process_compiles() -> None:
    with Compiler(running(), workers=1) as compiler, bytecode.silenced():
        for name, source in SOURCES.items():
            dfile = f"{SITE}/pkg/{name}"
            assert compiler.size(source, dfile) == bytecode.compiled_size(source, dfile), name
        assert compiler.size(SOURCES["syntax.py"], "/s.py") is None


def test_the_path_is_part_of_the_pyc() -> None:
    source = SOURCES["plain.py"]
    with Compiler(running(), workers=1) as compiler:
        short, long = compiler.size(source, "/a.py"), compiler.size(source, "/" + "a" * 51 + ".py")
    assert short is not None and long is not None and long - short == 50


def test_threads_share_at_most_the_workers_asked_for() -> None:
    with Compiler(running(), workers=2) as compiler:
        with ThreadPoolExecutor(6) as pool:
            sizes = list(pool.map(lambda i: compiler.size(b"x = %d\n" % i, f"/m{i}.py"), range(30)))
        assert len(compiler._all) <= 2
    assert sizes == [bytecode.compiled_size(b"x = %d\n" % i, f"/m{i}.py") for i in range(30)]


def test_closing_ends_every_worker() -> None:
    compiler = Compiler(running(), workers=2)
    compiler.size(b"x = 1\n", "/x.py")
    workers = list(compiler._all)
    assert workers
    compiler.close()
    assert all(worker.poll() is not None for worker in workers)
    compiler.close()  # twice is harmless


def test_a_worker_of_another_version_is_refused_once_and_for_all() -> None:
    compiler = Compiler(Interpreter(sys.executable, "3.99.0"))
    with pytest.raises(CompilerError, match=re.escape("is not CPython 3.99.0")):
        compiler.size(b"x = 1\n", "/x.py")
    with pytest.raises(CompilerError, match=re.escape("is not CPython 3.99.0")):
        compiler.size(b"x = 1\n", "/x.py")  # not started again
    assert compiler._all == []
    compiler.close()


def test_an_interpreter_that_cannot_run() -> None:
    with (
        Compiler(Interpreter("/nonexistent/python3.99", "3.99.0")) as compiler,
        pytest.raises(CompilerError, match=re.escape("cannot run /nonexistent/python3.99")),
    ):
        compiler.size(b"x = 1\n", "/x.py")


def test_compiler_errors_are_sizefloor_errors() -> None:
    error = CompilerError("the worker stopped answering")
    assert isinstance(error, SizefloorError)
    assert error.exit_code == 1 and str(error) == "the worker stopped answering"
