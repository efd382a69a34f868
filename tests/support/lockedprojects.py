"""A service kept in every form sizefloor reads, for the tests: requirements file,
``pyproject.toml`` (PEP 621 and Poetry's), ``uv.lock`` and ``pylock.toml`` (locked with uv
in the test, against the loopback index), ``poetry.lock`` and ``Pipfile.lock`` (fixtures in
``tests/data/projects/``, their hashes filled from the wheels served), and local projects
with an in-tree PEP 517 backend (built by pip without any index).

The service needs ``app`` (-> ``lib``, ``tool[cli]`` -> ``clickish``), ``compat`` and
``natx`` (a native wheel; on arm64 it pulls ``armhelper`` in); its extra ``extra1`` adds
``yk==1.0``, its group ``dev`` ``pr==1.0`` and ``test`` includes ``dev`` and adds ``up``.
The wheels are :func:`projects.build_graph` and :func:`projects.build_selection`'s.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = [
    "DATA",
    "SERVICE_REQUIREMENTS",
    "fill_fixture",
    "uv",
    "write_backend_project",
    "write_requirements",
    "write_service",
]

DATA = Path(__file__).parent.parent / "data" / "projects"

SERVICE_REQUIREMENTS = [
    "app",
    "compat",
    "natx; platform_machine == 'aarch64' or platform_machine == 'x86_64'",
]

_PYPROJECT = """\
[project]
name = "svc"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
    "app",
    "compat",
    "natx; platform_machine == 'aarch64' or platform_machine == 'x86_64'",
]

[project.optional-dependencies]
extra1 = ["yk==1.0"]

[dependency-groups]
dev = ["pr==1.0"]
test = [{include-group = "dev"}, "up"]
"""


def write_service(folder: Path) -> Path:
    """The service's ``pyproject.toml`` (a virtual project: no build system) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(_PYPROJECT)
    return folder


def write_requirements(path: Path, extra: list[str] | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([*SERVICE_REQUIREMENTS, *(extra or [])]) + "\n")
    return path


def uv(folder: Path, *arguments: str, index: str) -> str:
    """Run uv on the project in ``folder`` against the loopback index, isolated from this
    machine (no uv configuration, a private cache, no Python downloads, this interpreter)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "PIP_"))}
    env.update(
        UV_NO_CONFIG="1",
        UV_CACHE_DIR=str(folder.parent / ".uv-cache"),
        UV_PYTHON_DOWNLOADS="never",
        UV_INDEX_URL=index,
        UV_OFFLINE="0",
    )
    command = [sys.executable, "-m", "uv", *arguments, "--python", sys.executable]
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise AssertionError(f"uv failed: {' '.join(command)}\n{done.stdout}\n{done.stderr}")
    return done.stdout


def fill_fixture(name: str, dest: Path, wheels: Path) -> Path:
    """Copy the fixture ``tests/data/projects/NAME`` to ``dest``, its ``{sha256:FILE}``
    placeholders replaced by the hashes of the wheels served from ``wheels``."""
    source = DATA / name
    dest.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        text = path.read_text()
        text = re.sub(
            r"\{sha256:([^}]+)\}",
            lambda m: hashlib.sha256((wheels / m.group(1)).read_bytes()).hexdigest(),
            text,
        )
        (dest / path.name).write_text(text)
    return dest


_BACKEND = '''\
"""A minimal in-tree PEP 517 backend: the project's package into a pure wheel."""
import base64, hashlib, os, zipfile

try:
    import tomllib
except ImportError:
    import tomli as tomllib


def _project():
    with open("pyproject.toml", "rb") as handle:
        data = tomllib.load(handle)
    project = data["project"]
    if "dependencies" not in project:  # dynamic: the backend knows them
        project["dependencies"] = data["tool"]["test"]["dependencies"]
    return project


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    if os.environ.get("SIZEFLOOR_TEST_BREAK_BUILD") or os.path.exists("BREAK_BUILD"):
        raise RuntimeError("this build is broken on purpose")
    project = _project()
    name, version = project["name"], project["version"]
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    members = []
    for root, dirs, files in os.walk(dist):
        dirs.sort()
        for file in sorted(files):
            if not file.endswith(".pyc"):
                path = os.path.join(root, file)
                with open(path, "rb") as handle:
                    members.append((path.replace(os.sep, "/"), handle.read()))
    requires = "".join(f"Requires-Dist: {d}\\n" for d in project.get("dependencies", []))
    metadata = f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n{requires}"
    members.append((f"{info}/METADATA", metadata.encode()))
    wheel = b"Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    members.append((f"{info}/WHEEL", wheel))
    rows = [
        f"{p},sha256={base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()},{len(d)}"
        for p, d in members
    ]
    record = "\\n".join([*rows, f"{info}/RECORD,,"]) + "\\n"
    members.append((f"{info}/RECORD", record.encode()))
    filename = f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in members:
            z.writestr(zipfile.ZipInfo(path, (2020, 1, 1, 0, 0, 0)), data)
    return filename
'''


def write_backend_project(
    folder: Path,
    name: str = "ownpkg",
    *,
    dependencies: tuple[str, ...] = ("lib>=2",),
    dynamic: bool = False,
    broken: bool = False,
) -> Path:
    """A packaged project in ``folder`` built by an in-tree backend (no build requirement,
    so pip builds it with no index): a package of a few modules, ``dependencies``
    declared (or ``dynamic``: the backend still writes them), the build ``broken`` on
    purpose when asked."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_build").mkdir(exist_ok=True)
    (folder / "_build" / "backend.py").write_text(_BACKEND)
    listed = ", ".join(f'"{d}"' for d in dependencies)
    declared = 'dynamic = ["dependencies"]\n' if dynamic else f"dependencies = [{listed}]\n"
    backend_deps = f"dependencies = [{listed}]\n" if dynamic else ""
    (folder / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_build"]\n\n'
        f'[project]\nname = "{name}"\nversion = "1.0"\n{declared}'
        + (f"\n[tool.test]\n{backend_deps}" if backend_deps else "")
    )
    package = folder / name.replace("-", "_")
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("from .core import run\n")
    (package / "core.py").write_text("def run():\n    return 42\n" * 40)
    (package / "data.json").write_text('{"x": 1}\n' * 30)
    if broken:
        (folder / "BREAK_BUILD").write_text("")
    return folder


def copy_tree(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, dirs_exist_ok=True)
    return dest
