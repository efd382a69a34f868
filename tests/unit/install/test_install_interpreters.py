"""sizefloor.install.interpreters: a CPython of the target's version, found where users keep them.

Each place a user keeps Pythons is laid out in a temporary home (pyenv's versions folder,
uv's managed Pythons, asdf, mise, conda environments, PATH with a failing version
manager's shim), holding small executables that answer the check as a CPython of some
version would; then a real interpreter of another version, when this machine has one,
found through pyenv's folder alone.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sizefloor.cache import Cache
from sizefloor.errors import InterpreterError
from sizefloor.install import interpreters
from sizefloor.options import Options

RUNNING = (sys.version_info.major, sys.version_info.minor)
TARGET = (3, 12) if RUNNING != (3, 12) else (3, 11)
XY = f"{TARGET[0]}.{TARGET[1]}"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="shell-script interpreters")


@pytest.fixture(autouse=True)
def forget() -> Iterator[None]:
    interpreters.forget()
    yield
    interpreters.forget()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty home, PATH holding only the shell's folders, no manager configured."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    for name in (
        "PYENV_ROOT",
        "UV_PYTHON_INSTALL_DIR",
        "XDG_DATA_HOME",
        "ASDF_DATA_DIR",
        "MISE_DATA_DIR",
        "CONDA_PREFIX",
        "CONDA_EXE",
    ):
        monkeypatch.delenv(name, raising=False)
    # the machine's own /usr/bin, /usr/local/bin and /opt are not this test's business
    places = interpreters._places

    def in_home(version: tuple[int, int]) -> Iterator[tuple[str, list[str]]]:
        for place, candidates in places(version):
            if place not in ("/usr/local/bin", "/usr/bin", "/opt", "uv python find"):
                yield place, candidates

    monkeypatch.setattr(interpreters, "_places", in_home)
    return home


def fake_python(path: Path, answer: str, *, fails: bool = False) -> Path:
    """An executable answering the check with ``answer`` (``cpython 3.12.4 0``), as a
    Python would; or failing, as a version manager's shim for a version not selected."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fails:
        body = f'echo "pyenv: {path.name}: command not found" >&2\nexit 127\n'
    else:
        body = f'echo "{answer} {path}"\n'
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_pyenv_versions_are_found_when_the_shim_on_path_fails(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shims = home / ".pyenv" / "shims"
    fake_python(shims / f"python{XY}", "", fails=True)
    fake_python(
        home / ".pyenv" / "versions" / f"{XY}.1" / "bin" / f"python{XY}", f"cpython {XY}.1 0"
    )
    newest = home / ".pyenv" / "versions" / f"{XY}.10" / "bin" / f"python{XY}"
    fake_python(newest, f"cpython {XY}.10 0")
    monkeypatch.setenv("PATH", f"{shims}{os.pathsep}{os.environ['PATH']}")
    search = interpreters.search(TARGET)
    assert search.interpreter is not None
    assert search.interpreter.found == "pyenv"
    assert search.interpreter.version == f"{XY}.10"  # the newest patch release first
    assert search.interpreter.executable == str(newest)
    assert search.looked[:2] == ("PATH", "pyenv")


def test_pyenv_root_is_honoured(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "elsewhere"
    fake_python(root / "versions" / f"{XY}.3" / "bin" / f"python{XY}", f"cpython {XY}.3 0")
    monkeypatch.setenv("PYENV_ROOT", str(root))
    found = interpreters.find(TARGET)
    assert found is not None and found.found == "pyenv" and found.version == f"{XY}.3"


def test_uv_managed_pythons(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uv = home / ".local" / "share" / "uv" / "python"
    fake_python(
        uv / f"cpython-{XY}.8-linux-x86_64-gnu" / "bin" / f"python{XY}", f"cpython {XY}.8 0"
    )
    found = interpreters.find(TARGET)
    assert found is not None and found.found == "uv" and found.version == f"{XY}.8"
    # UV_PYTHON_INSTALL_DIR comes first
    elsewhere = tmp_path / "uv-pythons"
    fake_python(
        elsewhere / f"cpython-{XY}.9-linux-x86_64-gnu" / "bin" / f"python{XY}", f"cpython {XY}.9 0"
    )
    monkeypatch.setenv("UV_PYTHON_INSTALL_DIR", str(elsewhere))
    interpreters.forget()
    found = interpreters.find(TARGET)
    assert found is not None and found.version == f"{XY}.9"


@pytest.mark.parametrize(
    ("where", "layout"),
    [
        ("asdf", ".asdf/installs/python/{v}/bin"),
        ("mise", ".local/share/mise/installs/python/{v}/bin"),
        ("conda", "miniconda3/envs/py/bin"),
    ],
)
def test_asdf_mise_and_conda(home: Path, where: str, layout: str) -> None:
    folder = home / layout.format(v=f"{XY}.2")
    fake_python(folder / f"python{XY}", f"cpython {XY}.2 0")
    found = interpreters.find(TARGET)
    assert found is not None and found.found == where


def test_the_active_conda_environment(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = tmp_path / "env"
    fake_python(env / "bin" / f"python{XY}", f"cpython {XY}.0 0")
    monkeypatch.setenv("CONDA_PREFIX", str(env))
    found = interpreters.find(TARGET)
    assert found is not None and found.found == "conda"


def test_path_comes_first_and_wrong_answers_are_skipped(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third, good = (tmp_path / name for name in ("a", "b", "c", "d"))
    fake_python(first / f"python{XY}", f"pypy {XY}.0 0")  # not CPython
    fake_python(second / f"python{XY}", f"cpython {XY}.0 1")  # free-threaded
    fake_python(third / f"python{XY}", "cpython 3.9.1 0")  # lies about its name
    fake_python(good / f"python{XY}", f"cpython {XY}.5 0")
    fake_python(
        home / ".pyenv" / "versions" / f"{XY}.7" / "bin" / f"python{XY}", f"cpython {XY}.7 0"
    )
    monkeypatch.setenv("PATH", os.pathsep.join(str(d) for d in (first, second, third, good)))
    search = interpreters.search(TARGET)
    assert search.interpreter is not None
    assert (search.interpreter.found, search.interpreter.version) == ("PATH", f"{XY}.5")
    assert len(search.rejected) == 3
    assert any("PyPy" in r for r in search.rejected)
    assert any("free-threaded" in r for r in search.rejected)


def test_none_found_says_where_it_looked(home: Path) -> None:
    search = interpreters.search(TARGET)
    assert search.interpreter is None
    assert {"PATH", "pyenv", "uv", "asdf", "mise", "conda"} <= set(search.looked)
    assert interpreters.install_command(TARGET).endswith(XY)


def test_python_exe_names_one_and_is_checked(home: Path, tmp_path: Path) -> None:
    good = fake_python(tmp_path / "mine" / "python", f"cpython {XY}.4 0")
    found = interpreters.find(TARGET, explicit=str(good))
    assert found is not None and found.found == "--python-exe" and found.version == f"{XY}.4"
    wrong = fake_python(tmp_path / "other" / "python", "cpython 3.9.4 0")
    with pytest.raises(InterpreterError, match=r"is CPython 3\.9\.4; the target's Python is"):
        interpreters.find(TARGET, explicit=str(wrong))
    broken = fake_python(tmp_path / "broken" / "python", "", fails=True)
    with pytest.raises(InterpreterError, match="does not run"):
        interpreters.find(TARGET, explicit=str(broken))
    with pytest.raises(InterpreterError, match="no such file") as raised:
        interpreters.find(TARGET, explicit=str(tmp_path / "missing"))
    assert raised.value.exit_code == 2


def test_options_decide_whether_to_look(home: Path) -> None:
    assert interpreters.for_options(Options(compile_bytecode=False), TARGET) is None
    assert interpreters.for_options(Options(sample_bytecode=False), TARGET) is None
    assert interpreters.for_options(Options(sample_bytecode=False, exact_bytecode=True), TARGET)
    assert interpreters.for_options(Options(), TARGET) is not None


def test_the_running_interpreter_is_not_asked(home: Path) -> None:
    found = interpreters.find(RUNNING)
    assert found is not None and found.found == "running" and found.executable == sys.executable


def test_a_binarys_answer_is_kept_in_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.path.realpath(sys.executable)
    cache = Cache(tmp_path / "cache")
    try:
        answer = interpreters._probe(real, cache)
        assert answer is not None and answer[0] == sys.implementation.name
        cache.flush()
        interpreters.forget()

        def never(executable: str) -> None:
            raise AssertionError("asked again")

        monkeypatch.setattr(interpreters, "_ask", never)
        assert interpreters._probe(real, cache) == answer
    finally:
        cache.close()


def test_a_script_is_asked_each_process(tmp_path: Path) -> None:
    script = fake_python(tmp_path / "shim" / "python", f"cpython {XY}.1 0")
    assert interpreters._identity(str(script)) is None  # its answer may change: not cached


def test_a_real_interpreter_found_through_pyenvs_folder_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a machine with pyenv and another CPython installed but not on PATH."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    versions = sorted((root / "versions").glob(f"{XY}.*")) if (root / "versions").is_dir() else []
    if not versions:
        pytest.skip(f"no CPython {XY} in pyenv's versions folder here")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(root))
    found = interpreters.find(TARGET)
    assert found is not None and found.found == "pyenv"
    assert found.version.startswith(f"{XY}.")
    assert found.identity == f"cpython-{TARGET[0]}{TARGET[1]}-{found.version}"
