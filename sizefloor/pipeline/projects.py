"""The local projects an input names, sized with their own code.

A local project (``.`` or ``-e .`` in a requirements file, ``-p ./proj``, a folder or
``pyproject.toml`` of a packaged project) is built (:mod:`sizefloor.dists.localproject`):
its wheel then stands in the requirements as ``name @ file:///…/name-1.0-py3-none-any.whl``
and is resolved and sized as any wheel named by URL, its dependencies read from its own
metadata. When no wheel can be built, its dependencies come from its ``pyproject.toml``
and its own files are estimated from its sources, a package of the report marked
estimated. It is never left out in silence.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

from sizefloor.analysis.summary import analysed
from sizefloor.cache import default_cache_dir
from sizefloor.dists.localproject import Builder, LocalProject, local_project
from sizefloor.errors import ProjectFileError
from sizefloor.inputs.pyproject import PyProject, Selection, read_pyproject
from sizefloor.inputs.references import path_to_url
from sizefloor.inputs.requirement_line import RequirementLine
from sizefloor.inputs.requirements import (
    RequirementSet,
)
from sizefloor.install.plan import InstallScheme
from sizefloor.options import Options, Progress
from sizefloor.pipeline.inputs import local_directory
from sizefloor.pipeline.locations import Locations, find_locations
from sizefloor.pipeline.sizing import size_distribution
from sizefloor.report import PackageSize, Report, Totals
from sizefloor.resolve import Resolved
from sizefloor.target import Target

__all__ = ["Prepared", "builder_for", "prepare_projects", "size_local"]


# --------------------------------------------------------------------------- local projects


@dataclass(frozen=True)
class _Estimated:
    project: LocalProject
    origin: str
    text: str


@dataclass(frozen=True)
class Prepared:
    """Requirements whose local projects are built (or estimated), and what is left to add
    to the report of their estimate."""

    requirements: RequirementSet
    estimated: tuple[_Estimated, ...] = ()
    built: tuple[LocalProject, ...] = ()
    notes: tuple[str, ...] = ()

    def finish(self, report: Report, target: Target, options: Options) -> Report:
        """``report`` with the estimated projects added, the built ones noted, and the notes."""
        if not (self.estimated or self.built or self.notes):
            return report
        packages = [_noted(p, self.built) for p in report.packages]
        added = [_estimated_package(e, target, options) for e in self.estimated]
        every = sorted([*packages, *added], key=lambda p: (-p.installed_bytes, p.name))
        more = Totals.of(added)
        totals = Totals(
            report.totals.installed_bytes + more.installed_bytes,
            report.totals.disk_bytes + more.disk_bytes,
            report.totals.download_bytes,
            report.totals.files + more.files,
            report.totals.error_bytes + more.error_bytes,
        )
        warnings = tuple(dict.fromkeys([*self.notes, *report.warnings]))
        updated = replace(
            report, packages=tuple(every), totals=totals, warnings=warnings, analysis=None
        )
        return analysed(updated)


def builder_for(options: Options, locations: Locations) -> Builder:
    """How local projects are built: with the index sizefloor reads, into its cache."""
    arguments: list[str] = []
    if not options.use_pip_config:
        arguments.append("--isolated")
    indexes = list(locations.indexes)
    if indexes:
        arguments += ["--index-url", indexes[0]]
        for extra in indexes[1:]:
            arguments += ["--extra-index-url", extra]
    else:
        arguments.append("--no-index")
    for link in locations.links:
        arguments += ["--find-links", link]
    cache_dir = None
    if options.use_cache:
        cache_dir = options.cache_dir or default_cache_dir()
    return Builder(cache_dir, tuple(arguments), offline=options.offline)


def prepare_projects(
    reqs: RequirementSet, target: Target, options: Options, progress: Progress | None = None
) -> Prepared:
    """Build (or estimate) every local project ``reqs`` names."""
    local = [line for line in reqs.requirements if local_directory(line) is not None]
    if not local:
        return Prepared(reqs)
    builder = builder_for(options, find_locations(options, reqs))
    lines: list[RequirementLine] = []
    estimated: list[_Estimated] = []
    built: list[LocalProject] = []
    notes: list[str] = []
    for line in reqs.requirements:
        directory = local_directory(line)
        if directory is None:
            lines.append(line)
            continue
        if progress is not None:
            progress(f"building {os.path.basename(directory)}", 0, 0)
        project, manifest = _build(directory, builder)
        if line.editable:
            notes.append(
                f"{line.text} ({line.origin}): sized as its wheel installs; an editable "
                "install leaves the sources in place and adds a .pth file instead"
            )
        wheel = project.wheel
        if wheel is not None and target.wheel_priority(wheel.tags) is None:
            notes.append(
                f"{line.text} ({line.origin}): its wheel built here ({wheel.filename}) is "
                f"not for {target.describe()}: sized from its sources"
            )
            project = replace(project, wheel=None)
        if project.wheel is not None:
            _check_unique(project, built, line)
            lines.append(_wheel_line(line, project))
            built.append(project)
            continue
        if project.estimate is None:
            project = local_project(directory, replace(builder, offline=True))
        lines += _dependency_lines(line, project, manifest, target)
        estimated.append(_Estimated(project, str(line.origin), line.text))
    return Prepared(
        replace(reqs, requirements=tuple(lines)), tuple(estimated), tuple(built), tuple(notes)
    )


def _check_unique(
    project: LocalProject, built: Sequence[LocalProject], line: RequirementLine
) -> None:
    """Two local projects of one name cannot both be installed (pip refuses too)."""
    for other in built:
        if other.name.lower() == project.name.lower() and other.directory != project.directory:
            raise ProjectFileError(
                f"{line.text}: {project.directory} and {other.directory} are both the "
                f"project {project.name!r}: one install cannot hold both",
                file=line.origin.file,
                line=line.origin.line,
                hint="Give each project its own name (its pyproject.toml's [project] name), "
                "or name only one of them.",
            )


def _build(directory: str, builder: Builder) -> tuple[LocalProject, PyProject | None]:
    manifest = None
    if os.path.isfile(os.path.join(directory, "pyproject.toml")):
        try:
            manifest = read_pyproject(os.path.join(directory, "pyproject.toml"))
        except ProjectFileError:
            manifest = None
    name = manifest.name if manifest else None
    version = manifest.version if manifest else None
    return local_project(directory, builder, name=name, version=version), manifest


def _wheel_line(line: RequirementLine, project: LocalProject) -> RequirementLine:
    assert project.wheel is not None
    extras = line.requirement.extras
    named = f"{project.name}[{','.join(sorted(extras))}]" if extras else project.name
    requirement = Requirement(f"{named} @ {project.wheel.url}")
    requirement.marker = line.requirement.marker
    return RequirementLine(requirement, line.origin, text=line.text)


def _dependency_lines(
    line: RequirementLine, project: LocalProject, manifest: PyProject | None, target: Target
) -> list[RequirementLine]:
    """The requirements of a project estimated from its sources: its ``pyproject.toml``'s,
    for the extras asked for, markers evaluated for the target."""
    if manifest is None or manifest.dynamic_dependencies:
        raise ProjectFileError(
            f"the dependencies of {project.directory} are known only to its build backend, "
            f"and {project.note.split(': estimated')[0].removeprefix('its wheel ')}",
            file=line.origin.file,
            line=line.origin.line,
            hint="Make `pip wheel --no-deps "
            f"{project.directory}` succeed, or pass the project's requirements as a "
            "requirements file (e.g. `uv export` or `pip-compile`).",
        )
    extras = tuple(line.requirement.extras)
    selected = read_pyproject(manifest.path, Selection(extras=extras))
    env = target.marker_environment()
    result = []
    for dependency in selected.requirements.requirements:
        marker = dependency.requirement.marker
        if marker is not None and not any(
            marker.evaluate({**env, "extra": e}) for e in ("", *extras)
        ):
            continue
        dependency.requirement.marker = None
        result.append(replace(dependency, origin=line.origin))
    return result


def _noted(package: PackageSize, built: Sequence[LocalProject]) -> PackageSize:
    for project in built:
        if project.wheel is not None and package.filename == project.wheel.filename:
            note = f"{project.note}; {package.note}" if package.note else project.note
            return replace(package, note=note)
    return package


def _estimated_package(item: _Estimated, target: Target, options: Options) -> PackageSize:
    return size_local(item.project, (f"-r {item.origin}",), target, options)


def size_local(
    project: LocalProject, required_by: tuple[str, ...], target: Target, options: Options
) -> PackageSize:
    """A local project estimated from its sources, sized as an sdist is."""
    assert project.estimate is not None
    scheme = InstallScheme(
        target.python_version,
        prefix=options.prefix,
        executable=options.executable,
        pip_version=options.pip_version,
    )
    try:
        version = Version(project.version)
    except InvalidVersion:
        version = Version("0")
    source = project.source
    resolved = Resolved(
        name=source.project,
        display_name=project.name,
        version=version,
        dist=source,
        required_by=required_by,
        requested=True,
        direct_url=path_to_url(project.directory),
    )
    sized = size_distribution(
        resolved, project.estimate, scheme, compile_bytecode=options.compile_bytecode
    )
    return replace(sized.package, note=f"{project.note}; {sized.package.note}")
