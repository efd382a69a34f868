"""A local project's own code (``.``, ``-e .``, ``-p ./proj``, a folder, a lock's editable
member): its wheel, built as pip builds it, or an estimate from its sources.

The wheel is built with ``pip wheel --no-deps`` (pip's build isolation: the build backend
runs in an environment of its own, with the build requirements from the index), or
``uv build --wheel`` where pip is not at hand, bounded in time, and kept under a
fingerprint of the project's files (paths, sizes, modification times), so an unchanged
project is not built again. When no wheel can be built (no pip or uv, a failing backend,
``--offline`` with nothing kept), its size is estimated from the files a build would
package, as for an sdist (:func:`sizefloor.dists.sdist.estimate_source_tree`), marked
estimated with its error bound.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from sizefloor.dists.sdist import SdistInfo, estimate_source_tree
from sizefloor.index.files import DistFile, make_dist_file
from sizefloor.inputs.references import path_to_url

__all__ = ["BUILD_TIMEOUT", "Builder", "LocalProject", "fingerprint", "local_project"]

BUILD_TIMEOUT = 600.0
"""Seconds a build may take before it is stopped and the sources estimated instead."""

_SKIPPED = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".tox", ".nox", "__pycache__", "node_modules",
        "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs",
    }
)  # fmt: skip
"""Folders a build never packages, left out of the fingerprint and of the estimate."""


@dataclass(frozen=True)
class LocalProject:
    """A local project's own code, ready to size."""

    directory: str
    name: str
    version: str
    wheel: DistFile | None
    """Its wheel, built (a ``file:`` URL); ``None`` when it could not be."""
    estimate: SdistInfo | None
    """Its sources' estimate, when no wheel could be built."""
    note: str
    """How it was sized, for the report."""

    @property
    def source(self) -> DistFile:
        """The file the report names: the wheel, or the folder (its sources)."""
        if self.wheel is not None:
            return self.wheel
        return DistFile(
            project=canonicalize_name(self.name),
            filename=f"{os.path.basename(self.directory) or self.name} (sources)",
            url=path_to_url(self.directory),
            version=_version(self.version),
            is_wheel=False,
            source="local project",
        )


@dataclass(frozen=True)
class Builder:
    """How local projects are built."""

    cache_dir: Path | None
    """Where built wheels are kept (``None``: a folder removed at exit)."""
    pip_arguments: tuple[str, ...] = ()
    """Index options for the build's requirements (``--index-url URL``, ``--isolated``)."""
    offline: bool = False
    timeout: float = BUILD_TIMEOUT


def local_project(
    directory: str, builder: Builder, *, name: str | None = None, version: str | None = None
) -> LocalProject:
    """The own code of the project in ``directory`` (``name`` and ``version``: what its
    manifest says, for an estimate)."""
    directory = os.path.abspath(directory)
    out = _out_dir(directory, builder)
    kept = _built_wheel(out)
    why = None
    if kept is None:
        if builder.offline:
            why = "--offline: no wheel of it was built before"
        else:
            why = _build(directory, out, builder)
            kept = _built_wheel(out)
    if kept is not None:
        wheel_name, wheel_version = _wheel_identity(kept)
        dist = make_dist_file(
            canonicalize_name(wheel_name), kept.name, path_to_url(str(kept)), source="built"
        )
        if dist is not None:
            return LocalProject(
                directory, wheel_name, wheel_version, dist, None, f"built from {directory}"
            )
        why = f"the build wrote {kept.name}, not a wheel of a project"
    name = name or os.path.basename(directory)
    estimate = estimate_source_tree(f"{name} (sources)", _source_files(directory, name))
    note = f"its wheel could not be built ({why}): estimated from its sources"
    return LocalProject(directory, name, version or "0", None, estimate, note)


def fingerprint(directory: str) -> str:
    """A digest of the project's files: their paths, sizes and modification times."""
    digest = hashlib.sha256(os.path.abspath(directory).encode())
    for path, stat in _walk(directory):
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:32]


def _walk(directory: str) -> list[tuple[str, os.stat_result]]:
    found = []
    for root, folders, files in os.walk(directory):
        folders[:] = sorted(f for f in folders if f not in _SKIPPED and not f.endswith(".egg-info"))
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                found.append((os.path.relpath(path, directory), os.stat(path)))
            except OSError:
                continue
    return found


def _source_files(directory: str, name: str) -> dict[str, int]:
    """The project's files as an sdist of it would list them (under one top folder); a
    ``src/`` layout's packages are put at the top, where a build installs them."""
    top = canonicalize_name(name).replace("-", "_")
    files = {}
    for relative, stat in _walk(directory):
        parts = relative.split(os.sep)
        if parts[0] == "src" and len(parts) > 1:
            parts = parts[1:]
        files["/".join([top, *parts])] = stat.st_size
    return files


def _out_dir(directory: str, builder: Builder) -> Path:
    if builder.cache_dir is None:
        temporary = Path(tempfile.mkdtemp(prefix="sizefloor-build-"))
        atexit.register(shutil.rmtree, temporary, ignore_errors=True)
        return temporary
    return builder.cache_dir / "projects" / fingerprint(directory)


def _built_wheel(out: Path) -> Path | None:
    wheels = sorted(out.glob("*.whl")) if out.is_dir() else []
    return wheels[0] if len(wheels) == 1 else None


def _wheel_identity(wheel: Path) -> tuple[str, str]:
    try:
        name, version, _, _ = parse_wheel_filename(wheel.name)
    except InvalidWheelFilename:
        return wheel.name.split("-")[0], "0"
    return name, str(version)


def _build(directory: str, out: Path, builder: Builder) -> str | None:
    """Build the wheel into ``out``; ``None`` when done, else why it was not."""
    command = _command(directory, builder)
    if command is None:
        return "neither pip nor uv is at hand to build it"
    staging = Path(tempfile.mkdtemp(prefix="sizefloor-wheel-"))
    try:
        command = [part if part != "{out}" else str(staging) for part in command]
        why = _run(command, builder.timeout)
        wheels = list(staging.glob("*.whl"))
        if why is None and len(wheels) != 1:
            why = f"the build wrote {len(wheels)} wheels"
        if why is None:
            out.mkdir(parents=True, exist_ok=True)
            shutil.move(str(wheels[0]), out / wheels[0].name)
        return why
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _command(directory: str, builder: Builder) -> list[str] | None:
    if importlib.util.find_spec("pip") is not None:
        return [
            sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-input",
            "--disable-pip-version-check", "--quiet", "--wheel-dir", "{out}",
            *builder.pip_arguments, directory,
        ]  # fmt: skip
    uv = shutil.which("uv")
    if uv is not None:
        arguments = [a for a in builder.pip_arguments if a != "--isolated"]
        return [uv, "build", "--wheel", "--quiet", "--out-dir", "{out}", *arguments, directory]
    return None


def _run(command: Sequence[str], timeout: float) -> str | None:
    """Run ``command`` in a session of its own (so that a timeout stops the backend it
    started too); ``None`` when it succeeded, else why it failed."""
    started = time.monotonic()
    env = {**os.environ, "PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    process = subprocess.Popen(
        list(command),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return f"the build took more than {timeout:.0f} s"
    if process.returncode != 0:
        lines = [line for line in output.decode(errors="replace").splitlines() if line.strip()]
        last = " / ".join(line.strip() for line in lines[-2:]) or f"status {process.returncode}"
        took = time.monotonic() - started
        return f"{os.path.basename(command[0])} failed after {took:.0f} s: {last}"
    return None


def _version(text: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion:
        return Version("0")
