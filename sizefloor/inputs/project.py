"""What a path given as the input is: a requirements file, a ``pyproject.toml``, a lock file,
a Dockerfile, or a folder holding one of them, recognised by its name and, for a name that
says nothing, by its content.

A folder stands for what a user would mean by it: its Dockerfile, else its lock file
(``uv.lock``, ``pylock.toml``, ``poetry.lock``, ``Pipfile.lock``), else its
``pyproject.toml``, else its ``requirements.txt``; the choice is said in
:attr:`Recognised.note`, and a choice that is not clear is an error listing the
candidates. Formats sizefloor does not read (conda's ``environment.yml``, a ``Pipfile``
without its lock, …) are errors naming the command that exports one it reads.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from typing import Literal, NoReturn

from sizefloor.errors import ProjectFileError

__all__ = ["Kind", "Recognised", "read_dockerfile", "recognise"]

Kind = Literal[
    "requirements",
    "pyproject",
    "uv.lock",
    "pylock.toml",
    "poetry.lock",
    "Pipfile.lock",
    "dockerfile",
]

_LOCKS: tuple[tuple[str, Kind], ...] = (
    ("uv.lock", "uv.lock"),
    ("pylock.toml", "pylock.toml"),
    ("pylock.*.toml", "pylock.toml"),
    ("poetry.lock", "poetry.lock"),
    ("Pipfile.lock", "Pipfile.lock"),
)
_DOCKERFILES = ("Dockerfile", "Containerfile", "*.Dockerfile", "*.dockerfile", "Dockerfile.*")

_UNSUPPORTED: tuple[tuple[str, str, str], ...] = (
    (
        "environment.yml",
        "a conda environment file",
        "sizefloor sizes what pip installs from a package index. Inside the activated "
        "environment, `pip list --format=freeze > requirements.txt` writes its PyPI packages "
        "as a requirements file (conda's own packages have no wheels to size).",
    ),
    ("environment.yaml", "", ""),
    ("conda-lock.yml", "a conda-lock file", ""),
    (
        "Pipfile",
        "a Pipfile without its lock",
        "Lock it with `pipenv lock` and pass Pipfile.lock, or write a requirements file "
        "with `pipenv requirements > requirements.txt`.",
    ),
    (
        "pdm.lock",
        "a PDM lock file",
        "Export it: `pdm export -f requirements -o requirements.txt` (or `pdm export -f "
        "pylock -o pylock.toml` with PDM 2.24 and later).",
    ),
    (
        "hatch.toml",
        "Hatch's configuration",
        "Pass the pyproject.toml that declares the project's dependencies.",
    ),
)


@dataclass(frozen=True)
class Recognised:
    """What a path is, and the file to read for it."""

    kind: Kind | Literal["project"]
    """``project``: a folder with no manifest but a ``setup.py`` / ``setup.cfg``."""
    path: str
    note: str | None = None
    """What was picked in a folder, said to the user."""


def recognise(path: str | os.PathLike[str]) -> Recognised:
    """What ``path`` is (a :class:`ProjectFileError` for a format sizefloor does not read,
    a folder with nothing or too much to read, or a path that does not exist)."""
    text = os.fspath(path)
    if os.path.isdir(text):
        return _folder(text)
    name = os.path.basename(text)
    kind = _by_name(name)
    if kind is not None:
        return Recognised(kind, text)
    if name in ("setup.py", "setup.cfg") and os.path.isfile(text):
        folder = os.path.dirname(text) or "."
        return Recognised("project", folder, f"reading {folder} (the project of {name})")
    _refuse_unsupported(name, text)
    if not os.path.exists(text):
        return Recognised("requirements", text)  # the requirements reader says it is missing
    return Recognised(_by_content(text), text)


def read_dockerfile(path: str) -> NoReturn:
    """A Dockerfile as the input: not read yet."""
    raise ProjectFileError(
        "Dockerfiles: not yet: sizefloor cannot read a Dockerfile's install lines yet",
        file=path,
        hint="Pass the requirements file, pyproject.toml or lock file the Dockerfile installs, "
        "with --base naming its final FROM image (e.g. --base python:3.12-slim).",
    )


def _by_name(name: str) -> Kind | None:
    if name == "pyproject.toml":
        return "pyproject"
    for pattern, kind in _LOCKS:
        if fnmatch.fnmatchcase(name, pattern):
            return kind
    if any(fnmatch.fnmatchcase(name, pattern) for pattern in _DOCKERFILES):
        return "dockerfile"
    return None


def _refuse_unsupported(name: str, path: str) -> None:
    for index, (known, what, hint) in enumerate(_UNSUPPORTED):
        if name == known:
            what = what or _UNSUPPORTED[index - 1][1]
            hint = hint or _UNSUPPORTED[0][2]
            raise ProjectFileError(
                f"this is {what}, a format sizefloor does not read", file=path, hint=hint
            )


_SNIFFERS: tuple[tuple[re.Pattern[str], Kind], ...] = (
    (re.compile(r"^\s*lock-version\s*=\s*\"1\.", re.M), "pylock.toml"),
    (re.compile(r"^\s*version\s*=\s*1\s*$(?s:.*)^\[\[package\]\]", re.M), "uv.lock"),
    (re.compile(r"^\[metadata\]\s*$(?s:.*)^content-hash\s*=", re.M), "poetry.lock"),
    (re.compile(r"^\s*\{\s*\"_meta\"\s*:", re.S), "Pipfile.lock"),
    (re.compile(r"^\s*\[(project|build-system|tool\.poetry)\]\s*$", re.M), "pyproject"),
    (re.compile(r"^\s*(#.*\n\s*)*(ARG\s.*\n\s*)*FROM\s+\S", re.I), "dockerfile"),
)


def _by_content(path: str) -> Kind:
    """A file named like none of them: its first 64 KiB say whether it is a known format
    under another name; anything else is read as a requirements file."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(65536)
    except OSError:
        return "requirements"
    if re.match(r"^\s*(name:.*\n)?\s*channels:\s*$", head, re.M) and "dependencies:" in head:
        raise ProjectFileError(
            "this is a conda environment file, a format sizefloor does not read",
            file=path,
            hint=_UNSUPPORTED[0][2],
        )
    for pattern, kind in _SNIFFERS:
        if pattern.search(head):
            return kind
    return "requirements"


def _folder(folder: str) -> Recognised:
    """What a folder stands for: its Dockerfile, lock file, pyproject.toml or
    requirements.txt, in that order."""
    names = sorted(os.listdir(folder))
    shown = folder.rstrip("/") or "/"

    def pick(name: str, why: str) -> Recognised:
        path = os.path.join(folder, name)
        kind = _by_name(name) or "requirements"
        return Recognised(kind, path, f"reading {path} ({why})")

    dockerfiles = [
        n for n in names if _by_name(n) == "dockerfile" and os.path.isfile(_at(folder, n))
    ]
    if "Dockerfile" in dockerfiles or "Containerfile" in dockerfiles:
        chosen = "Dockerfile" if "Dockerfile" in dockerfiles else "Containerfile"
        return pick(chosen, f"the folder's {chosen}")
    if len(dockerfiles) == 1:
        return pick(dockerfiles[0], "the folder's Dockerfile")
    if dockerfiles:
        _ambiguous(shown, dockerfiles, "Dockerfiles")
    locks = [n for n in names if _by_name(n) not in (None, "pyproject", "dockerfile")]
    if len(locks) == 1:
        return pick(locks[0], "the folder's lock file")
    if locks:
        _ambiguous(shown, locks, "lock files")
    if "pyproject.toml" in names:
        return pick("pyproject.toml", "the folder's project")
    if "requirements.txt" in names:
        return pick("requirements.txt", "the folder's requirements")
    if "setup.py" in names or "setup.cfg" in names:
        return Recognised("project", folder, f"reading {shown} (a setuptools project)")
    others = [n for n in names if fnmatch.fnmatch(n, "requirements*.txt")]
    if len(others) == 1:
        return pick(others[0], "the folder's requirements")
    if others:
        _ambiguous(shown, others, "requirements files")
    for known, what, hint in _UNSUPPORTED:
        if known in names and what:
            raise ProjectFileError(
                f"the folder holds {what} ({known}), a format sizefloor does not read",
                file=shown,
                hint=hint,
            )
    raise ProjectFileError(
        "nothing sizefloor reads in this folder: no Dockerfile, lock file, pyproject.toml "
        "or requirements.txt",
        file=shown,
        hint="Pass the file that lists the service's dependencies.",
    )


def _at(folder: str, name: str) -> str:
    return os.path.join(folder, name)


def _ambiguous(folder: str, candidates: list[str], what: str) -> NoReturn:
    listed = ", ".join(candidates)
    raise ProjectFileError(
        f"the folder holds several {what} ({listed}): which one is meant is not clear",
        file=folder,
        hint=f"Pass the one you mean, e.g. `sizefloor {os.path.join(folder, candidates[0])}`.",
    )
