"""Project defaults: ``[tool.sizefloor]`` in the project's ``pyproject.toml``, and
``SIZEFLOOR_*`` environment variables.

The keys (in the file; the variable is ``SIZEFLOOR_`` and the key in capitals, ``-`` as
``_``): ``base``, ``python``, ``platform``, ``max-size``, ``max-increase``, ``format``,
``ignore`` (finding kinds) and ``silence`` (warning names). A flag beats the environment,
which beats the file; ``--isolated`` reads neither (as it reads no pip configuration). For
``ignore`` and ``silence`` the flags add to what the environment or the file lists.

The file is the nearest ``pyproject.toml`` with a ``[tool.sizefloor]`` table, looked for
from the input's folder upwards (the current folder when the input is not a file), up to
the top of the repository (a folder holding ``.git``). An unknown key, an unknown
``SIZEFLOOR_`` variable or a bad value is an input error naming the file or the variable,
and the key.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sizefloor.cli.conventions import check_kinds
from sizefloor.cli.silence import check_names
from sizefloor.errors import InputError
from sizefloor.inputs.tomlfile import toml_parser
from sizefloor.target import parse_platform
from sizefloor.units import parse_size

__all__ = ["ENV_PREFIX", "KEYS", "OTHER_VARIABLES", "Defaults", "apply_defaults", "find_project"]

ENV_PREFIX = "SIZEFLOOR_"

OTHER_VARIABLES = frozenset(
    {
        "SIZEFLOOR_CACHE_DIR",
        "SIZEFLOOR_DEBUG",
        "SIZEFLOOR_DEBIAN_MIRROR",
        "SIZEFLOOR_DEBIAN_SECURITY_MIRROR",
        "SIZEFLOOR_UPDATE_GOLDEN",
    }
)
"""``SIZEFLOOR_`` variables that are not project defaults: where the cache is, tracebacks,
the Debian mirrors of ``--refresh-runtime``, the golden tests' switch. Any other unknown
``SIZEFLOOR_`` variable is refused (a typo in a CI file would otherwise turn a budget off
without a word)."""


@dataclass(frozen=True)
class Key:
    """One default: the attribute it sets and how its text is checked."""

    name: str
    dest: str
    check: Callable[[Any, str], Any]
    """``check(value, where) -> value``: raises :class:`InputError` naming ``where``."""
    listed: bool = False


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: {value!r} is not a non-empty string.")
    return value.strip()


def _python(value: Any, where: str) -> str:
    text = _text(value, where)
    parts = text.split(".")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts) or parts[0] != "3":
        raise InputError(f"{where}: {text!r} is not a Python version.", hint="Write e.g. 3.12.")
    return text


def _platform(value: Any, where: str) -> str:
    text = _text(value, where)
    try:
        parse_platform(text)
    except InputError as exc:
        raise InputError(f"{where}: {exc.message}", hint=exc.hint) from None
    return text


def _size(value: Any, where: str) -> str:
    text = _text(value, where)
    try:
        parse_size(text, unit_required=True)
    except InputError as exc:
        raise InputError(f"{where}: {exc.message}", hint=exc.hint) from None
    return text


def _names(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: {value!r} is not a list of names.")
    return [v.strip().lower() for v in value]


def _finding_kinds(value: Any, where: str) -> list[str]:
    return list(check_kinds(_names(value, where), where))


def _warning_names(value: Any, where: str) -> list[str]:
    return list(check_names(_names(value, where), where))


def _format(value: Any, where: str) -> str:
    text = _text(value, where).lower()
    known = ("table", "json", "markdown", "html")
    if text not in known:
        raise InputError(f"{where}: {text!r} is not a format.", hint=f"One of {', '.join(known)}.")
    return text


KEYS: tuple[Key, ...] = (
    Key("base", "base", _text),
    Key("python", "python", _python),
    Key("platform", "platform", _platform),
    Key("max-size", "max_size", _size),
    Key("max-increase", "max_increase", _size),
    Key("format", "format", _format),
    Key("ignore", "ignore", _finding_kinds, listed=True),
    Key("silence", "silence", _warning_names, listed=True),
)
_BY_NAME = {k.name: k for k in KEYS}
_BY_DEST = {k.dest: k for k in KEYS}


@dataclass(frozen=True)
class Defaults:
    """The defaults in force, each with where it came from (for ``-v``)."""

    values: Mapping[str, Any]
    """Key name -> value."""
    origins: Mapping[str, str]
    """Key name -> ``SIZEFLOOR_MAX_SIZE`` or ``path/pyproject.toml [tool.sizefloor]``."""


def find_project(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` with a ``[tool.sizefloor]`` table, from ``start``
    upwards, not past the top of a git repository."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file() and "sizefloor" in _read(path).get("tool", {}):
            return path
        if (candidate / ".git").exists():
            return None
    return None


def _read(path: Path) -> dict[str, Any]:
    parser = toml_parser()
    try:
        with path.open("rb") as handle:
            document: dict[str, Any] = parser.load(handle)
            return document
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}.") from None
    except parser.TOMLDecodeError as exc:
        raise InputError(
            f"{path} is not valid TOML: {exc}.",
            hint="Fix the file (sizefloor reads its [tool.sizefloor] table for defaults), "
            "or pass --isolated to read no defaults.",
        ) from None


def _from_file(path: Path) -> dict[str, tuple[Any, str]]:
    table = _read(path).get("tool", {}).get("sizefloor", {})
    label = f"{path} [tool.sizefloor]"
    if not isinstance(table, dict):
        raise InputError(f"{label} is not a table.")
    values: dict[str, tuple[Any, str]] = {}
    for raw, value in table.items():
        name = raw.replace("_", "-").lower()
        key = _BY_NAME.get(name)
        if key is None:
            raise InputError(
                f"{label}: unknown key {raw!r}.",
                hint=f"The keys: {', '.join(_BY_NAME)}.",
            )
        values[key.name] = (key.check(value, f"{label}: {raw}"), label)
    return values


def _from_environment(environ: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    values: dict[str, tuple[Any, str]] = {}
    for variable, value in environ.items():
        if not variable.startswith(ENV_PREFIX) or variable in OTHER_VARIABLES:
            continue
        name = variable[len(ENV_PREFIX) :].lower().replace("_", "-")
        key = _BY_NAME.get(name)
        if key is None:
            raise InputError(
                f"unknown environment variable {variable}.",
                hint="The project defaults are "
                + ", ".join(ENV_PREFIX + k.upper().replace("-", "_") for k in _BY_NAME)
                + f"; sizefloor also reads {', '.join(sorted(OTHER_VARIABLES))}.",
            )
        if value.strip():  # set but empty: as if unset
            values[key.name] = (key.check(value, variable), variable)
    return values


def load_defaults(start: Path, environ: Mapping[str, str] | None = None) -> Defaults:
    """The defaults for an input in ``start``: the environment over the project's file."""
    env = os.environ if environ is None else environ
    project = find_project(start)
    merged = _from_file(project) if project is not None else {}
    merged.update(_from_environment(env))
    return Defaults(
        {name: value for name, (value, _) in merged.items()},
        {name: origin for name, (_, origin) in merged.items()},
    )


def anchor_of(inputs: Sequence[str]) -> Path:
    """Where to look for the project from: the first input that is a path, else here."""
    for item in inputs:
        path = Path(item)
        if path.exists():
            return path if path.is_dir() else path.parent
    return Path.cwd()


def apply_defaults(
    parser: argparse.ArgumentParser,
    argv: Sequence[str],
    namespace: argparse.Namespace,
    inputs: Sequence[str],
    keys: Collection[str],
    environ: Mapping[str, str] | None = None,
) -> tuple[argparse.Namespace, Defaults]:
    """``argv`` parsed again with the defaults among ``keys`` in force, so that a flag
    still wins; the namespace unchanged with ``--isolated``."""
    if getattr(namespace, "isolated", False):
        return namespace, Defaults({}, {})
    defaults = load_defaults(anchor_of(inputs), environ)
    dests = {action.dest: action for action in parser._actions}
    settable: dict[str, Any] = {}
    for name, value in defaults.values.items():
        key = _BY_NAME[name]
        action = dests.get(key.dest)
        if action is None or name not in keys:
            continue  # not an option of this command (max-size for diff, ...)
        if action.choices is not None and not key.listed and value not in action.choices:
            continue  # a format this command does not write (html for diff)
        settable[key.dest] = list(value) if key.listed else value
    applied = Defaults(
        {k.name: v for k, v in ((_BY_DEST[d], v) for d, v in settable.items())},
        {_BY_DEST[d].name: defaults.origins[_BY_DEST[d].name] for d in settable},
    )
    if not settable:
        return namespace, applied
    parser.set_defaults(**settable)
    namespace = parser.parse_args(list(argv))
    namespace.default_origins = {  # those a flag did not replace
        name: origin
        for name, origin in applied.origins.items()
        if getattr(namespace, _BY_NAME[name].dest) == settable[_BY_NAME[name].dest]
    }
    return namespace, applied
