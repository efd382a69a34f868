"""One requirement as written (PEP 508, a URL, a path or ``-e``) -> a :class:`RequirementLine`."""

from __future__ import annotations

import os
from dataclasses import dataclass

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from sizefloor.inputs.origin import Origin, redact_text
from sizefloor.inputs.references import (
    VCS_SCHEMES,
    Reference,
    archive_extension,
    classify_url,
    directory_project_name,
    egg_name,
    guess_name,
    is_url,
    local_directory,
    local_file,
    looks_like_path,
    path_to_url,
    scheme,
    strip_extras,
    wheel_name,
)

__all__ = [
    "UNSIZED_DIRECTORY",
    "UNSIZED_EDITABLE",
    "UNSIZED_SOURCE_ARCHIVE",
    "UNSIZED_VCS",
    "RequirementLine",
    "editable_line",
    "requirement_line",
]

UNSIZED_EDITABLE = "cannot be sized without building it: editable install"
UNSIZED_VCS = "cannot be sized without building it: VCS checkout"
UNSIZED_DIRECTORY = "cannot be sized without building it: local directory"
UNSIZED_SOURCE_ARCHIVE = "cannot be sized without building it: source archive"
_UNSIZED = {"vcs": UNSIZED_VCS, "directory": UNSIZED_DIRECTORY, "archive": UNSIZED_SOURCE_ARCHIVE}
_GUESSED_FROM_URL = " (project name guessed from the URL)"
_GUESSED_FROM_DIRECTORY = " (project name guessed from the directory name)"
_SPEC_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">", "===")


@dataclass(frozen=True, repr=False)
class RequirementLine:
    """One requirement, as written on one (logical) line."""

    requirement: Requirement
    """Name, extras, specifier, url and marker. The marker is not evaluated here."""
    origin: Origin
    hashes: tuple[str, ...] = ()
    """``"sha256:abcd…"`` strings, in file order."""
    editable: bool = False
    unsized_reason: str | None = None
    """Why the requirement cannot be sized without building it; ``None`` when it can."""
    text: str = ""
    """The requirement as written (after ``${VAR}`` expansion), credentials redacted."""

    @property
    def name(self) -> str:
        """The canonical (normalized) project name."""
        return canonicalize_name(self.requirement.name)

    def __repr__(self) -> str:
        return (
            f"RequirementLine(requirement={redact_text(str(self.requirement))!r}, "
            f"origin={self.origin!r}, hashes={self.hashes!r}, editable={self.editable!r}, "
            f"unsized_reason={self.unsized_reason!r}, text={self.text!r})"
        )


@dataclass(frozen=True)
class _Pointed:
    """What a requirement's text points at, before it is named."""

    reference: Reference | None
    """``None`` for a plain PEP 508 requirement (name and specifier)."""
    requirement: Requirement | None
    """The PEP 508 requirement, when the text is one."""
    name: str | None = None
    """The name given before ``@``."""
    extras: str = ""
    """``[a,b]`` as written (or normalised from the PEP 508 requirement)."""


# --------------------------------------------------------------------------- requirements


def requirement_line(
    text: str,
    base_dir: str,
    origin: Origin,
    *,
    hashes: tuple[str, ...] = (),
    constraint: bool = False,
) -> RequirementLine:
    """A non-editable requirement: PEP 508, bare URL or local path (relative to
    ``base_dir``). ``constraint``: it comes from a constraints file."""
    shown = redact_text(text)
    body, marker = _split_marker(text, origin, shown)
    pointed = _pointed(body, base_dir, origin, shown, url=is_url(text))
    named = True  # named by the user (pip would know the name without building)
    reason: str | None = None
    if pointed.reference is None:
        assert pointed.requirement is not None
        requirement = pointed.requirement
        requirement.marker = marker
    else:
        requirement, reason, named = _direct_requirement(pointed, marker, origin, shown)
    if constraint:
        _check_constraint(requirement, named, origin, shown)
    return RequirementLine(
        requirement=requirement,
        origin=origin,
        hashes=hashes,
        editable=False,
        unsized_reason=reason,
        text=shown,
    )


def _split_marker(text: str, origin: Origin, shown: str) -> tuple[str, Marker | None]:
    """(the requirement, its environment marker): split at ``;`` (``"; "`` in a URL)."""
    separator = "; " if is_url(text) else ";"
    if separator not in text:
        return text.strip(), None
    body, marker_text = text.split(separator, 1)
    if not marker_text.strip():
        return body.strip(), None
    try:
        return body.strip(), Marker(marker_text.strip())
    except InvalidMarker as exc:
        raise origin.error(
            f"invalid environment marker in {shown!r}: {_first_line(exc)}",
            'Write a PEP 508 marker, e.g. `; python_version < "3.11"`.',
        ) from None


def _pointed(body: str, base_dir: str, origin: Origin, shown: str, *, url: bool) -> _Pointed:
    """What ``body`` points at: a URL, a local directory or archive, or a PEP 508
    requirement (which may itself be ``name @ URL``)."""
    if url:
        return _Pointed(classify_url(body, base_dir, origin, shown), None)
    path_text, extras = strip_extras(body)
    path = os.path.normpath(os.path.join(base_dir, path_text))
    if looks_like_path(body) and os.path.isdir(path):
        return _Pointed(local_directory(path, origin), None, extras=extras)
    if archive_extension(path) is not None:
        if os.path.isfile(path):
            return _Pointed(local_file(path), None, extras=extras)
        before_at, at, _ = body.partition("@")
        if not at or looks_like_path(before_at):
            raise origin.error(
                f"{shown!r} looks like a path but there is no such file: {path}",
                "Check the path: it is relative to "
                + (
                    "the current directory."
                    if origin.file is None
                    else f"the directory of {origin.file}."
                ),
            )
    requirement = _pep508(body, base_dir, origin)
    if not requirement.url:
        return _Pointed(None, requirement)
    return _Pointed(
        classify_url(requirement.url, base_dir, origin, shown),
        requirement,
        name=requirement.name,
        extras="[" + ",".join(sorted(requirement.extras)) + "]",
    )


def _direct_requirement(
    pointed: _Pointed, marker: Marker | None, origin: Origin, shown: str
) -> tuple[Requirement, str | None, bool]:
    """``name @ URL`` for a requirement that points at something, why it cannot be
    sized (``None`` for a wheel), and whether the user named it."""
    reference, name = pointed.reference, pointed.name
    assert reference is not None
    wheel_version: str | None = None
    if reference.kind == "wheel":
        name, wheel_version = _wheel_naming(name, reference, origin, shown)
    if name is None:
        name = egg_name(reference.url, origin, shown)
    named, guess_note = name is not None, ""
    if name is None:
        name, guess_note = _guessed_name(reference)
    requirement = _name_at_url(name, pointed.extras, reference.url, marker, origin, shown)
    if wheel_version is not None:
        requirement.specifier = SpecifierSet(f"=={wheel_version}")
    if reference.kind == "wheel":
        return requirement, None, named
    return requirement, _UNSIZED[reference.kind] + guess_note, named


def _wheel_naming(
    name: str | None, reference: Reference, origin: Origin, shown: str
) -> tuple[str, str | None]:
    """The project name of a wheel reference, and the version to pin it to (``None``
    for ``name @ url``, kept as written)."""
    found, version = wheel_name(reference.url, origin, shown)
    if name is None:
        return found, version
    if canonicalize_name(name) != canonicalize_name(found):
        raise origin.error(
            f"{shown!r} names project {name!r} but the wheel is of {found!r}",
            "Fix the project name before the @, or the URL.",
        )
    return name, None


def _guessed_name(reference: Reference) -> tuple[str, str]:
    """A name for what pip would have to build to name, and the note that says so."""
    if reference.kind == "directory":
        assert reference.path is not None
        name, guessed = directory_project_name(reference.path)
        return name, _GUESSED_FROM_DIRECTORY if guessed else ""
    return guess_name(reference), _GUESSED_FROM_URL


def _check_constraint(requirement: Requirement, named: bool, origin: Origin, shown: str) -> None:
    # pip's check_invalid_constraint_type.
    problem = ""
    if not named:
        problem = "unnamed requirements are not allowed as constraints"
    elif requirement.extras:
        problem = "constraints cannot have extras"
    if problem:
        raise origin.error(
            f"{problem}: {shown!r}",
            "A constraints file may only name projects with version specifiers "
            "(or `name @ URL`); move this line to a requirements file.",
        )


# --------------------------------------------------------------------------- editables


def editable_line(value: str, base_dir: str, origin: Origin) -> RequirementLine:
    """An ``-e`` requirement (pip's ``parse_editable``): a project directory (relative
    to ``base_dir``) or a VCS URL, never sized."""
    shown = redact_text(value)
    pointed, marker = _editable_pointed(value, base_dir, origin, shown)
    reference, name = pointed.reference, pointed.name
    assert reference is not None
    if reference.kind not in ("directory", "vcs"):
        raise origin.error(
            f"-e {shown} is not a project directory or a VCS URL",
            "Only project directories and VCS URLs can be installed in editable mode; drop the -e.",
        )
    guess_note = ""
    if name is None:
        if reference.kind == "vcs":
            raise origin.error(
                f"cannot tell the project name of -e {shown}",
                "Name it: `-e name @ git+https://…`, or add #egg=name to the URL.",
            )
        name, guess_note = _guessed_name(reference)
    requirement = _name_at_url(name, pointed.extras, reference.url, marker, origin, shown)
    return RequirementLine(
        requirement=requirement,
        origin=origin,
        hashes=(),
        editable=True,
        unsized_reason=UNSIZED_EDITABLE + guess_note,
        text=f"-e {shown}",
    )


def _editable_pointed(
    value: str, base_dir: str, origin: Origin, shown: str
) -> tuple[_Pointed, Marker | None]:
    """What an ``-e`` value points at, and its marker: ``name[extras] @ URL ; marker``,
    a directory (with ``[extras]``), a ``file:`` URL or a VCS URL (``#egg=name``)."""
    try:
        parsed: Requirement | None = Requirement(value)
    except InvalidRequirement:
        parsed = None
    if parsed is not None and parsed.url:
        extras = "[" + ",".join(sorted(parsed.extras)) + "]"
        reference = classify_url(parsed.url, base_dir, origin, shown)
        return _Pointed(reference, parsed, parsed.name, extras), parsed.marker
    path_text, extras = strip_extras(value)
    path = os.path.normpath(os.path.join(base_dir, path_text))
    url = value
    if os.path.isdir(path):
        url = path_to_url(path)
    elif scheme(path_text) == "file":
        url = path_text
    else:
        extras = ""
        for vcs in ("git", "hg", "svn", "bzr"):
            if value.lower().startswith(f"{vcs}:"):
                url = f"{vcs}+{value}"
                break
    if scheme(url) not in VCS_SCHEMES and scheme(url) != "file":
        raise origin.error(
            f"-e {shown} is neither a local project directory nor a VCS URL",
            "An editable requirement is a directory with a pyproject.toml or setup.py, "
            "or a URL such as git+https://host/repo.git#egg=name.",
        )
    reference = classify_url(url, base_dir, origin, shown)
    return _Pointed(reference, None, egg_name(url, origin, shown), extras), None


# --------------------------------------------------------------------------- helpers


def _pep508(body: str, base_dir: str, origin: Origin) -> Requirement:
    try:
        return Requirement(body)
    except InvalidRequirement as exc:
        raise origin.error(
            f"invalid requirement {redact_text(body)!r}: {redact_text(_first_line(exc))}",
            _pep508_hint(body, base_dir),
        ) from None


def _pep508_hint(body: str, base_dir: str) -> str:
    """What to do about ``body``, which is not a PEP 508 requirement."""
    if os.path.sep in body and "://" not in body:
        path = os.path.normpath(os.path.join(base_dir, body))
        if os.path.exists(path):
            return (
                f"It looks like a path, and {path} exists but is not a wheel, a source "
                "archive or a project directory; if it is a requirements file, "
                "include it with -r."
            )
        return f"It looks like a path, but there is no such file: {path}"
    if "=" in body and not any(op in body for op in _SPEC_OPERATORS):
        return "`=` is not a valid operator; did you mean `==`?"
    return (
        "Write a PEP 508 requirement such as `name>=1.0`, `name[extra]==2.1` "
        "or `name @ https://…/name-1.0-py3-none-any.whl`."
    )


def _name_at_url(
    name: str, extras: str, url: str, marker: Marker | None, origin: Origin, shown: str
) -> Requirement:
    """``name[extras] @ url ; marker``."""
    extras = "" if extras == "[]" else extras
    try:
        requirement = Requirement(f"{name}{extras} @ {url}")
    except InvalidRequirement as exc:
        raise origin.error(
            f"invalid requirement {shown!r}: {redact_text(_first_line(exc))}",
            "Check the project name and the URL (spaces must be written %20).",
        ) from None
    if marker is not None:
        requirement.marker = marker
    return requirement


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
