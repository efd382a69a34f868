"""The input as the user keeps it, read: a path recognised (a requirements file, a
``pyproject.toml``, a lock file, a folder) and read into requirements or a lock, with
what was said on the way. Light to import: building and sizing are elsewhere."""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.origin import Origin
from sizefloor.inputs.project import recognise
from sizefloor.inputs.pyproject import PyProject, Selection, read_pyproject
from sizefloor.inputs.requirement_line import RequirementLine, requirement_line
from sizefloor.inputs.requirements import (
    RequirementSet,
    parse_requirement_strings,
    read_requirements,
)
from sizefloor.options import Options
from sizefloor.report import Report
from sizefloor.urls import url2pathname

if TYPE_CHECKING:
    from sizefloor.inputs.locked import LockedSet
    from sizefloor.pipeline.dockerfile import DockerfileInput

__all__ = ["Loaded", "load_input", "local_directory", "selection_of", "with_notes"]


@dataclass(frozen=True)
class Loaded:
    """An input read: requirements, or a lock file, and what was said while reading it."""

    requirements: RequirementSet | None = None
    locked: LockedSet | None = None
    notes: tuple[str, ...] = ()
    dockerfile: DockerfileInput | None = None
    """What a Dockerfile says beside its requirements: its base, platform, additions."""


def selection_of(options: Options) -> Selection:
    return Selection(options.extras, options.groups, options.all_extras)


def load_input(
    given: str | os.PathLike[str] | Sequence[str] | RequirementSet,
    selection: Selection,
    *,
    build_args: Sequence[tuple[str, str]] = (),
    context: str | None = None,
    platform: str | None = None,
) -> Loaded:
    """Read ``given``: a path of any form sizefloor reads, requirement strings, or a set.
    ``build_args``, ``context`` and ``platform`` are for a Dockerfile (``--build-arg``,
    ``--context``, the target platform its ``TARGET*`` arguments stand for)."""
    if isinstance(given, RequirementSet):
        return Loaded(requirements=given)
    if not isinstance(given, (str, os.PathLike)):
        if isinstance(given, Iterable):
            return Loaded(requirements=parse_requirement_strings(list(given)))
        raise TypeError("requirements must be a path, a list of strings or a RequirementSet")
    recognised = recognise(given)
    notes: tuple[str, ...] = ()  # the folder's pick is for the command line to say first
    path = recognised.path
    kind = recognised.kind
    if kind == "requirements":
        if selection != Selection():
            raise ProjectFileError(
                "--extra, --all-extras and --group choose from a project's extras and groups: "
                "a requirements file has none",
                file=path,
                hint="Pass the project's pyproject.toml, lock file or folder, or drop them.",
            )
        return Loaded(requirements=read_requirements(path), notes=notes)
    if kind == "pyproject":
        project = read_pyproject(path, selection)
        return Loaded(requirements=_with_itself(project), notes=notes + project.notes)
    if kind == "project":
        line = requirement_line(".", os.path.abspath(path), Origin(path, None))
        return Loaded(requirements=RequirementSet(requirements=(line,), files=(path,)), notes=notes)
    if kind == "dockerfile":
        # start-up: the Dockerfile machinery (shell, apt sizes, contexts) only for a Dockerfile
        from sizefloor.pipeline.dockerfile import follow_dockerfile

        docker = follow_dockerfile(
            path,
            selection,
            read=_read_parts,
            build_args=dict(build_args),
            context=context,
            platform=platform,
        )
        return Loaded(docker.requirements, docker.locked, docker.notes, docker)
    # start-up: the lock readers (and their locked-set types) only for a lock file
    from sizefloor.inputs.pipfilelock import read_pipfile_lock
    from sizefloor.inputs.poetrylock import read_poetry_lock  # (the same)
    from sizefloor.inputs.pylock import read_pylock  # (the same)
    from sizefloor.inputs.uvlock import read_uv_lock  # (the same)

    readers = {
        "uv.lock": read_uv_lock,
        "pylock.toml": read_pylock,
        "Pipfile.lock": read_pipfile_lock,
    }
    if kind == "poetry.lock":
        return Loaded(locked=read_poetry_lock(path, selection), notes=notes)
    return Loaded(locked=readers[kind](path), notes=notes)


def _read_parts(
    path: str, selection: Selection, itself: bool = True
) -> tuple[RequirementSet | None, LockedSet | None, tuple[str, ...]]:
    """A file a Dockerfile's install line reads, as its kind (for :mod:`.dockerfile`);
    ``itself`` false: a project's dependencies without the project (``--no-root``)."""
    if not itself and recognise(path).kind == "pyproject":
        project = read_pyproject(path, selection)
        return project.requirements, None, project.notes
    loaded = load_input(path, selection)
    return loaded.requirements, loaded.locked, loaded.notes


def _with_itself(project: PyProject) -> RequirementSet:
    """What installing the project installs: its dependencies (a virtual project), or the
    project itself (its dependencies are its wheel's), and the dependency groups asked for."""
    reqs = project.requirements
    if not project.packaged:
        return reqs
    extras = f"[{','.join(project.extras)}]" if project.extras else ""
    line = requirement_line(f".{extras}", project.directory, Origin(project.path, None))
    groups = reqs.requirements[project.groups_from :]
    return replace(reqs, requirements=(line, *groups))


def local_directory(line: RequirementLine) -> str | None:
    """The folder a requirement names, when it names a local project's folder."""
    url = line.requirement.url or ""
    if not url.startswith("file:") or line.unsized_reason is None:
        return None
    path = url2pathname(urllib.parse.urlsplit(url).path)
    return path if os.path.isdir(path) else None


def with_notes(report: Report, notes: Sequence[str]) -> Report:
    """``report`` with ``notes`` first among its warnings."""
    if not notes:
        return report
    return replace(report, warnings=tuple(dict.fromkeys([*notes, *report.warnings])))
