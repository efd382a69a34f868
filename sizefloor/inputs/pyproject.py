"""``pyproject.toml`` -> the requirements it declares, as a :class:`RequirementSet`.

PEP 621 ``[project] dependencies`` (with ``optional-dependencies`` for the extras asked
for), PEP 735 ``[dependency-groups]`` (``include-group`` followed), or Poetry's
``[tool.poetry.dependencies]`` and groups (:mod:`sizefloor.inputs.poetry`). Each
requirement's origin is ``pyproject.toml:LINE`` where the line can be told. Whether the
project installs code of its own (it has a build system, or a ``setup.py``) is said too:
that code is sized from the project's wheel (:mod:`sizefloor.dists.localproject`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.utils import NormalizedName, canonicalize_name

from sizefloor.errors import ProjectFileError, RequirementsError
from sizefloor.inputs.groups import group_requirements
from sizefloor.inputs.origin import Origin
from sizefloor.inputs.requirement_line import RequirementLine, requirement_line
from sizefloor.inputs.requirements import RequirementSet
from sizefloor.inputs.tomlfile import TomlFile, read_toml, table

__all__ = ["PyProject", "Selection", "read_pyproject"]


@dataclass(frozen=True)
class Selection:
    """What to install besides the main dependencies: extras and dependency groups."""

    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    all_extras: bool = False


@dataclass(frozen=True)
class PyProject:
    """What a ``pyproject.toml`` says a service needs."""

    path: str
    name: str | None
    version: str | None
    requirements: RequirementSet
    """The dependencies selected (main, extras, groups), origins ``pyproject.toml:LINE``."""
    packaged: bool
    """Installing the project installs code of its own (not a uv/Poetry virtual project)."""
    dynamic_dependencies: bool
    """``dependencies`` is declared dynamic: only the build backend knows them."""
    extras: tuple[str, ...] = ()
    """The extras selected, as the project declares them."""
    declared_extras: tuple[str, ...] = ()
    """Every extra the project declares."""
    groups_from: int = 0
    """The requirements from this index on are the dependency groups'; those before it
    are the project's own (main and extras)."""
    notes: tuple[str, ...] = field(default=())
    """What the reading had to approximate or leave out."""

    @property
    def directory(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))


def read_pyproject(path: str, selection: Selection = Selection()) -> PyProject:
    """Read ``path``, a ``pyproject.toml``, for the extras and groups of ``selection``."""
    toml = read_toml(path, "pyproject.toml")
    project = table(toml.data, "project", path=path)
    poetry = table(toml.data, "tool", "poetry", path=path)
    if not project and not poetry and "dependency-groups" not in toml.data:
        raise ProjectFileError(
            "this pyproject.toml declares no dependencies: it has no [project] table, "
            "no [tool.poetry] table and no [dependency-groups]",
            file=path,
            hint="Pass the project's requirements file or lock file instead.",
        )
    reader = _Reader(toml, selection)
    if project.get("dependencies") is not None or not poetry:
        reader.pep621(project)
    else:
        reader.poetry(poetry)
    main = len(reader.lines)
    reader.groups(poetry)
    name = project.get("name") or poetry.get("name")
    version = project.get("version") or poetry.get("version")
    return PyProject(
        path=path,
        name=str(name) if name else None,
        version=str(version) if version else None,
        requirements=RequirementSet(requirements=tuple(reader.lines), files=(path,)),
        groups_from=main,
        packaged=_packaged(toml, project, poetry),
        dynamic_dependencies="dependencies" in (project.get("dynamic") or ()),
        extras=tuple(reader.extras_selected),
        declared_extras=tuple(reader.extras_declared),
        notes=tuple(reader.notes),
    )


def _packaged(toml: TomlFile, project: dict[str, Any], poetry: dict[str, Any]) -> bool:
    """Whether installing the project installs code of its own: it declares a build
    system (or has a ``setup.py``), and neither uv nor Poetry is told it is virtual."""
    directory = os.path.dirname(os.path.abspath(toml.path))
    uv = table(toml.data, "tool", "uv", path=toml.path)
    if uv.get("package") is False or poetry.get("package-mode") is False:
        return False
    if uv.get("package") is True:
        return True
    has_build = "build-system" in toml.data or os.path.exists(os.path.join(directory, "setup.py"))
    return has_build and bool(project.get("name") or poetry.get("name"))


class _Reader:
    def __init__(self, toml: TomlFile, selection: Selection) -> None:
        self.toml = toml
        self.selection = selection
        self.base_dir = os.path.dirname(os.path.abspath(toml.path))
        self.lines: list[RequirementLine] = []
        self.notes: list[str] = []
        self.extras_selected: list[str] = []
        self.extras_declared: list[str] = []

    def add(self, text: str, header: str, where: str) -> None:
        line = self.toml.line_of(text, after=header)
        origin = Origin(self.toml.path, line)
        try:
            self.lines.append(requirement_line(text, self.base_dir, origin))
        except RequirementsError as exc:
            raise ProjectFileError(
                f"{where}: {exc.message.split(': ', 1)[-1]}",
                file=self.toml.path,
                line=line,
                hint=exc.hint,
            ) from None

    def pep621(self, project: dict[str, Any]) -> None:
        dependencies = _string_list(project.get("dependencies") or [], "dependencies", self)
        for text in dependencies:
            self.add(text, "[project]", "[project] dependencies")
        optional = table(project, "optional-dependencies", path=self.toml.path)
        for extra in self._extras(list(optional), "[project.optional-dependencies]"):
            where = f"[project.optional-dependencies] {extra}"
            for text in _string_list(optional[extra], where, self):
                self.add(text, "[project.optional-dependencies]", where)

    def poetry(self, poetry: dict[str, Any]) -> None:
        main = table(poetry, "dependencies", path=self.toml.path)
        extras = table(poetry, "extras", path=self.toml.path)
        chosen = self._extras(list(extras), "[tool.poetry.extras]")
        wanted = {canonicalize_name(n) for e in chosen for n in extras[e]}
        self._poetry_table(main, "[tool.poetry.dependencies]", wanted)

    def groups(self, poetry: dict[str, Any]) -> None:
        """The dependency groups asked for: PEP 735's, else Poetry's."""
        pep735 = table(self.toml.data, "dependency-groups", path=self.toml.path)
        poetry_groups = table(poetry, "group", path=self.toml.path)
        if "dev-dependencies" in poetry:
            poetry_groups.setdefault("dev", {"dependencies": poetry["dev-dependencies"]})
        by_poetry = {canonicalize_name(g): g for g in poetry_groups}
        for group in self.selection.groups:
            if _has_group(pep735, group) or canonicalize_name(group) not in by_poetry:
                if not _has_group(pep735, group):
                    self._unknown_group(group, [*pep735, *poetry_groups])
                for text, declared in group_requirements(pep735, group, path=self.toml.path):
                    self.add(text, "[dependency-groups]", f"[dependency-groups] {declared}")
                continue
            declared = by_poetry[canonicalize_name(group)]
            header = f"[tool.poetry.group.{declared}.dependencies]"
            dependencies = table(poetry_groups, declared, "dependencies", path=self.toml.path)
            self._poetry_table(dependencies, header, None)

    def _poetry_table(
        self, dependencies: dict[str, Any], header: str, wanted: set[NormalizedName] | None
    ) -> None:
        # Imported here: only a Poetry project needs it, and every run imports this module.
        from sizefloor.inputs.poetry import poetry_dependencies

        for name, value in dependencies.items():
            if name.lower() == "python":
                continue
            try:
                converted = poetry_dependencies(name, value)
            except ValueError as exc:
                raise ProjectFileError(
                    f"{header} {name}: {exc}",
                    file=self.toml.path,
                    line=_key_line(self.toml, name, header),
                    hint="Write a Poetry constraint such as ^1.2, ~1.2, 1.2.* or >=1.2,<2.",
                ) from None
            for dependency in converted:
                optional = dependency.optional and wanted is not None
                if optional and canonicalize_name(name) not in (wanted or set()):
                    continue
                if dependency.note:
                    self.notes.append(f"{self.toml.path}: {name}: {dependency.note}")
                self._add_poetry(dependency.text, name, header)

    def _add_poetry(self, text: str, name: str, header: str) -> None:
        line = _key_line(self.toml, name, header)
        try:
            self.lines.append(requirement_line(text, self.base_dir, Origin(self.toml.path, line)))
        except RequirementsError as exc:
            raise ProjectFileError(
                f"{header} {name}: {exc.message.split(': ', 1)[-1]}",
                file=self.toml.path,
                line=line,
                hint=exc.hint,
            ) from None

    def _extras(self, declared: list[str], where: str) -> list[str]:
        """The declared extras selected: all of them, or those asked for (each must be
        declared)."""
        self.extras_declared = declared
        if self.selection.all_extras:
            self.extras_selected = declared
            return declared
        by_name = {canonicalize_name(e): e for e in declared}
        chosen = []
        for extra in self.selection.extras:
            found = by_name.get(canonicalize_name(extra))
            if found is None:
                known = ", ".join(declared) or "none"
                raise ProjectFileError(
                    f"no extra named {extra!r} in {where} (extras: {known})",
                    file=self.toml.path,
                    hint="Name one of the project's extras with --extra, or use --all-extras.",
                )
            chosen.append(found)
        self.extras_selected = chosen
        return chosen

    def _unknown_group(self, group: str, known: Sequence[str]) -> None:
        raise ProjectFileError(
            f"no dependency group named {group!r} (groups: {', '.join(known) or 'none'})",
            file=self.toml.path,
            hint="Name one of the project's groups with --group.",
        )


def _has_group(pep735: dict[str, Any], group: str) -> bool:
    return canonicalize_name(group) in {canonicalize_name(g) for g in pep735}


def _key_line(toml: TomlFile, key: str, header: str) -> int | None:
    """The line of ``key =`` under ``header``, ``None`` when it cannot be told."""
    lines = toml.text.splitlines()
    start = next((i for i, text in enumerate(lines) if text.strip() == header), None)
    if start is None:
        return None
    for number in range(start + 1, len(lines)):
        stripped = lines[number].strip()
        if stripped.startswith("["):
            return None
        if "=" in stripped and stripped.split("=", 1)[0].strip().strip("\"'") == key:
            return number + 1
    return None


def _string_list(value: Any, where: str, reader: _Reader) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectFileError(
            f"{where} is not a list of requirement strings",
            file=reader.toml.path,
            hint='Write it as a list of PEP 508 strings: ["requests>=2", "click"].',
        )
    return list(value)
