"""Lock files read into one value, and what a target installs from them: markers, extras
and groups evaluated for the target, not for the machine running sizefloor."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lockedprojects import DATA

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.locked import LockedSet, select
from sizefloor.inputs.pipfilelock import read_pipfile_lock
from sizefloor.inputs.poetrylock import read_poetry_lock
from sizefloor.inputs.pylock import read_pylock
from sizefloor.inputs.pyproject import Selection
from sizefloor.inputs.uvlock import read_uv_lock
from sizefloor.target import Target

AMD64 = Target.from_options(python="3.12", platform="linux/amd64").marker_environment()
ARM64 = Target.from_options(python="3.12", platform="linux/arm64").marker_environment()

UV_LOCK = """\
version = 1
revision = 3
requires-python = ">=3.11"
resolution-markers = [
    "platform_machine == 'aarch64'",
    "platform_machine != 'aarch64'",
]

[[package]]
name = "svc"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "numpy", version = "1.26.4", marker = "platform_machine == 'aarch64'" },
    { name = "numpy", version = "2.1.0", marker = "platform_machine != 'aarch64'" },
    { name = "uvloop", marker = "sys_platform != 'win32'" },
    { name = "colorama", marker = "sys_platform == 'win32'" },
    { name = "tool", extra = ["cli"] },
]

[package.optional-dependencies]
pg = [{ name = "psycopg" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://i/s" }
resolution-markers = ["platform_machine == 'aarch64'"]
wheels = [
    { url = "https://i/numpy-1.26.4-cp312-cp312-manylinux_2_17_aarch64.whl", hash = "sha256:aa" },
]

[[package]]
name = "numpy"
version = "2.1.0"
source = { registry = "https://i/s" }
resolution-markers = ["platform_machine != 'aarch64'"]
sdist = { url = "https://i/numpy-2.1.0.tar.gz", hash = "sha256:bb", size = 1000 }

[[package.wheels]]
url = "https://i/numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
hash = "sha256:cc"
size = 200

[[package]]
name = "uvloop"
version = "0.19.0"
source = { registry = "https://i/s" }

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://i/s" }

[[package]]
name = "tool"
version = "1.0"
source = { git = "https://host/tool.git?rev=v1#abc" }

[package.optional-dependencies]
cli = [{ name = "click" }]

[[package]]
name = "click"
version = "8.1.7"
source = { registry = "https://i/s" }

[[package]]
name = "psycopg"
version = "3.2.1"
source = { registry = "https://i/s" }

[[package]]
name = "pytest"
version = "8.3.2"
source = { registry = "https://i/s" }
"""


def chosen(locked: LockedSet, env: dict[str, str], **selection: object) -> dict[str, str | None]:
    return {c.package.name: c.package.version for c in select(locked, env, Selection(**selection))}  # type: ignore[arg-type]


def test_uv_lock_walks_from_the_project_for_the_target(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text(UV_LOCK)
    locked = read_uv_lock(str(path))
    assert locked.roots == ("svc",)
    common = {"svc": "0.1.0", "uvloop": "0.19.0", "tool": "1.0", "click": "8.1.7"}
    assert chosen(locked, AMD64) == {**common, "numpy": "2.1.0"}
    assert chosen(locked, ARM64) == {**common, "numpy": "1.26.4"}
    assert "psycopg" in chosen(locked, AMD64, extras=("pg",))
    assert "pytest" in chosen(locked, AMD64, groups=("dev",))
    numpy = next(p for p in locked.packages if p.version == "2.1.0")
    assert [w.size for w in numpy.wheels] == [200] and numpy.sdist is not None
    assert numpy.wheels[0].hashes == (("sha256", "cc"),)
    selected = {c.package.name: c for c in select(locked, AMD64, Selection())}
    assert selected["click"].parents == ("tool",)
    # the project is packaged: its dependencies are its own, not asked for by name
    assert selected["svc"].requested and not selected["uvloop"].requested
    assert selected["uvloop"].parents == ("svc",)
    grouped = {c.package.name: c for c in select(locked, AMD64, Selection(groups=("dev",)))}
    assert grouped["pytest"].requested
    with pytest.raises(ProjectFileError, match=r"no extra named 'mysql' \(extras: pg\)"):
        select(locked, AMD64, Selection(extras=("mysql",)))


PYLOCK = """\
lock-version = "1.0"
requires-python = ">=3.11"
extras = ["pg"]
dependency-groups = ["dev"]
default-groups = []
created-by = "hand"

[[packages]]
name = "flask"
version = "3.0.0"
wheels = [{ url = "https://i/flask-3.0.0-py3-none-any.whl", size = 10, hashes = { sha256 = "ff" } }]

[[packages]]
name = "psycopg"
version = "3.2.1"
marker = "'pg' in extras"
wheels = [
    { name = "psycopg-3.2.1-py3-none-any.whl", path = "wheels/psycopg-3.2.1-py3-none-any.whl" },
]

[[packages]]
name = "pytest"
version = "8.3.2"
marker = "'dev' in dependency_groups"
wheels = [{ url = "https://i/pytest-8.3.2-py3-none-any.whl", hashes = { sha256 = "tt" } }]

[[packages]]
name = "armonly"
version = "1.0"
marker = "platform_machine == 'aarch64'"
wheels = [{ url = "https://i/armonly-1.0-py3-none-any.whl", hashes = { sha256 = "aa" } }]
"""


def test_pylock_selects_by_markers_with_extras_and_groups(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(PYLOCK)
    locked = read_pylock(str(path))
    assert set(chosen(locked, AMD64)) == {"flask"}
    assert set(chosen(locked, ARM64)) == {"flask", "armonly"}
    assert set(chosen(locked, AMD64, extras=("pg",), groups=("dev",))) == {
        "flask",
        "psycopg",
        "pytest",
    }
    psycopg = next(p for p in locked.packages if p.name == "psycopg")
    assert psycopg.wheels[0].url == (tmp_path / "wheels" / psycopg.wheels[0].filename).as_uri()
    assert all(c.parents is None for c in select(locked, AMD64, Selection()))


def test_poetry_lock_by_groups_and_markers(tmp_path: Path) -> None:
    folder = tmp_path / "poetry"
    shutil.copytree(DATA / "poetry", folder)
    locked = read_poetry_lock(str(folder / "poetry.lock"), Selection())
    main = {"app", "lib", "tool", "clickish", "compat", "natx"}
    assert set(chosen(locked, AMD64)) == main
    assert set(chosen(locked, ARM64)) == main | {"armhelper"}
    assert set(chosen(locked, AMD64, groups=("dev",), extras=("extra1",))) == main | {"pr", "yk"}
    assert locked.direct == {"app", "compat", "natx"}
    app = next(p for p in locked.packages if p.name == "app")
    assert app.wheels[0].url is None and app.wheels[0].filename == "app-1.0-py3-none-any.whl"


def test_a_poetry_lock_without_groups_is_walked_from_its_pyproject(tmp_path: Path) -> None:
    folder = tmp_path / "poetry"
    shutil.copytree(DATA / "poetry", folder)
    lock = folder / "poetry.lock"
    text = re.sub(r"^(groups|markers) = .*\n", "", lock.read_text(), flags=re.M)
    lock.write_text(text.replace('lock-version = "2.1"', 'lock-version = "2.0"'))
    main = {"app", "lib", "tool", "clickish", "compat", "natx"}
    locked = read_poetry_lock(str(lock), Selection())
    assert set(chosen(locked, AMD64)) - {"<project>"} == main
    assert set(chosen(locked, ARM64)) - {"<project>"} == main | {"armhelper"}
    with_extra = read_poetry_lock(str(lock), Selection(extras=("extra1",), groups=("dev",)))
    assert set(chosen(with_extra, AMD64)) - {"<project>"} == main | {"yk", "pr"}
    (folder / "pyproject.toml").unlink()
    with pytest.raises(ProjectFileError, match="before Poetry 2"):
        read_poetry_lock(str(lock), Selection())


def test_pipfile_lock_default_and_develop(tmp_path: Path) -> None:
    folder = tmp_path / "pipenv"
    shutil.copytree(DATA / "pipenv", folder)
    locked = read_pipfile_lock(str(folder / "Pipfile.lock"))
    main = {"app", "lib", "tool", "clickish", "compat", "natx"}
    assert set(chosen(locked, AMD64)) == main
    assert set(chosen(locked, ARM64)) == main | {"armhelper"}
    assert set(chosen(locked, AMD64, groups=("dev",))) == main | {"pr"}
    assert set(chosen(locked, AMD64, groups=("develop",))) == main | {"pr"}
    natx = next(p for p in locked.packages if p.name == "natx")
    assert len(natx.hashes) == 2 and natx.version == "1.0"
    assert locked.direct == {"app", "compat", "natx", "pr"}


@pytest.mark.parametrize(
    ("reader", "name", "text", "words"),
    [
        (read_uv_lock, "uv.lock", "version = 2\n[[package]]\n", "uv.lock version 2"),
        (read_uv_lock, "uv.lock", "[[package]]\nname = 1\n", "not a uv.lock"),
        (read_pylock, "pylock.toml", "[[packages]]\n", "no `lock-version`"),
        (read_pipfile_lock, "Pipfile.lock", "{ not json", "not JSON"),
    ],
)
def test_damaged_locks_are_input_errors(
    tmp_path: Path, reader: object, name: str, text: str, words: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ProjectFileError, match=re.escape(words)):
        reader(str(path))  # type: ignore[operator]


CONFLICTS = """\
version = 1
requires-python = ">=3.11"
conflicts = [[{ package = "svc", extra = "cpu" }, { package = "svc", extra = "gpu" }]]

[[package]]
name = "svc"
version = "0.1.0"
source = { virtual = "." }

[package.optional-dependencies]
cpu = [{ name = "torch", version = "2.5.0+cpu", marker = "extra == 'extra-3-svc-cpu'" }]
gpu = [{ name = "torch", version = "2.5.0", marker = "extra == 'extra-3-svc-gpu'" }]

[[package]]
name = "torch"
version = "2.5.0+cpu"
source = { registry = "https://i/cpu" }

[[package]]
name = "torch"
version = "2.5.0"
source = { registry = "https://i/s" }
"""


def test_uv_conflicting_extras_follow_its_encoded_markers(tmp_path: Path) -> None:
    path = tmp_path / "uv.lock"
    path.write_text(CONFLICTS)
    locked = read_uv_lock(str(path))
    assert chosen(locked, AMD64, extras=("cpu",))["torch"] == "2.5.0+cpu"
    assert chosen(locked, AMD64, extras=("gpu",))["torch"] == "2.5.0"
    assert "torch" not in chosen(locked, AMD64)
