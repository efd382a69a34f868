"""Poetry's way of writing dependencies, in PEP 508 and PEP 440: caret (``^1.2``), tilde
(``~1.2``), wildcard (``1.2.*``) and bare (``1.2``) constraints, ``||`` alternatives, and
the tables with ``extras``, ``markers``, ``python``, ``platform``, ``path``, ``url`` and
``git`` (poetry-core's rules)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

__all__ = ["PoetryDependency", "poetry_dependencies", "poetry_specifier"]

_OPERATOR = re.compile(r"^(===|==|!=|<=|>=|~=|<|>|\^|~|=)?\s*(.*)$")
_SPLIT_AND = re.compile(r"\s*,\s*|\s+(?=[<>=!~^])")


@dataclass(frozen=True)
class PoetryDependency:
    """One requirement as PEP 508 text, and what Poetry says about it."""

    text: str
    optional: bool = False
    note: str | None = None
    """Something the conversion had to approximate (an ``||`` constraint)."""


def poetry_specifier(constraint: str) -> tuple[str, str | None]:
    """A Poetry version constraint as a PEP 440 specifier (``""``: any version), and a note
    when it had to be approximated: of ``a || b`` alternatives the last (newest) is kept.
    Raises :class:`ValueError` with the reason for a constraint that is not Poetry's."""
    text = constraint.strip()
    note = None
    if "|" in text:
        alternatives = [a for a in re.split(r"\s*\|\|?\s*", text) if a]
        note = (
            f"the constraint {constraint!r} has alternatives PEP 440 cannot write: "
            f"sized with the last one, {alternatives[-1]!r}"
        )
        text = alternatives[-1]
    if text in ("", "*"):
        return "", note
    parts = [p for p in _SPLIT_AND.split(text) if p]
    specifiers = [_one(part) for part in parts]
    result = ",".join(s for s in specifiers if s)
    try:
        SpecifierSet(result)
    except InvalidSpecifier as exc:
        raise ValueError(f"{constraint!r} is not a version constraint ({exc})") from None
    return result, note


def _one(part: str) -> str:
    match = _OPERATOR.match(part.strip())
    assert match is not None  # the pattern matches any string
    operator, version = match.group(1) or "", match.group(2).strip()
    if version in ("", "*"):
        return ""
    if operator == "^":
        return _caret(version)
    if operator == "~":
        return _tilde(version)
    if operator in ("", "="):
        return f"=={version}"
    return f"{operator}{version}"


def _release(version: str) -> tuple[int, ...]:
    try:
        return Version(version).release
    except InvalidVersion:
        raise ValueError(f"{version!r} is not a version") from None


def _caret(version: str) -> str:
    """``^1.2.3``: >=1.2.3,<2.0.0; ``^0.2.3``: <0.3.0; ``^0.0.3``: <0.0.4; ``^0``: <1."""
    release = _release(version)
    given = len(version.split("."))
    release = release[:given] if len(release) >= given else release
    index = next((i for i, part in enumerate(release) if part != 0), len(release) - 1)
    upper = [*release[:index], release[index] + 1]
    return f">={version},<{_padded(upper, len(release))}"


def _tilde(version: str) -> str:
    """``~1.2.3``: >=1.2.3,<1.3.0; ``~1.2``: <1.3; ``~1``: <2."""
    release = _release(version)
    index = 0 if len(release) == 1 else 1
    upper = [*release[:index], release[index] + 1]
    return f">={version},<{_padded(upper, len(release))}"


def _padded(parts: list[int], length: int) -> str:
    return ".".join(str(p) for p in parts + [0] * (length - len(parts)))


def _python_marker(constraint: str) -> str:
    """A Poetry ``python`` constraint as a marker on ``python_version``."""
    specifier, _ = poetry_specifier(constraint)
    clauses = []
    for spec in SpecifierSet(specifier):
        variable = "python_full_version" if spec.version.count(".") >= 2 else "python_version"
        if spec.version.endswith(".*"):
            variable = "python_version"
        clauses.append(f'{variable} {spec.operator} "{spec.version}"')
    return " and ".join(clauses)


def poetry_dependencies(name: str, value: Any) -> list[PoetryDependency]:
    """The PEP 508 requirements a ``[tool.poetry.dependencies]`` entry stands for: one, or
    one per table of a multiple-constraints list. Raises :class:`ValueError` with the reason
    when the entry is not one Poetry reads."""
    if isinstance(value, str):
        specifier, note = poetry_specifier(value)
        return [PoetryDependency(f"{name}{specifier}", note=note)]
    if isinstance(value, list):
        return [d for item in value for d in poetry_dependencies(name, item)]
    if not isinstance(value, Mapping):
        raise ValueError(f"{value!r} is neither a constraint string nor a table")
    return [_from_table(name, value)]


def _from_table(name: str, value: Mapping[str, Any]) -> PoetryDependency:
    extras = value.get("extras") or []
    if not isinstance(extras, list):
        raise ValueError("extras is not a list")
    named = f"{name}[{','.join(str(e) for e in extras)}]" if extras else name
    markers = [f"({value['markers']})"] if value.get("markers") else []
    if value.get("python"):
        markers.append(f"({_python_marker(str(value['python']))})")
    if value.get("platform"):
        markers.append(f'sys_platform == "{value["platform"]}"')
    note = None
    if "path" in value:
        body = f"{value['path']}{named[len(name) :]}"
    elif "url" in value:
        body = f"{named} @ {value['url']}"
    elif "git" in value:
        body = f"{named} @ {_git_url(value)}"
    else:
        specifier, note = poetry_specifier(str(value.get("version", "*")))
        body = f"{named}{specifier}"
    marker = " and ".join(markers)
    text = f"{body} ; {marker}" if marker else body
    return PoetryDependency(text, optional=bool(value.get("optional")), note=note)


def _git_url(value: Mapping[str, Any]) -> str:
    url = str(value["git"])
    if not url.startswith("git+"):
        url = f"git+{url}"
    revision = value.get("rev") or value.get("tag") or value.get("branch")
    if revision:
        url += f"@{revision}"
    if value.get("subdirectory"):
        url += f"#subdirectory={value['subdirectory']}"
    return url
