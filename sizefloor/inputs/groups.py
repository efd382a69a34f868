"""PEP 735 dependency groups: a group's requirement strings, ``include-group`` followed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from packaging.utils import canonicalize_name

from sizefloor.errors import ProjectFileError

__all__ = ["group_requirements"]


def group_requirements(
    groups: Mapping[str, Any], wanted: str, *, path: str
) -> list[tuple[str, str]]:
    """The requirement strings of the group ``wanted`` of a ``[dependency-groups]`` table,
    each with the (declared) name of the group it is written in, includes followed in
    order, as PEP 735 says; a :class:`ProjectFileError` for an unknown group, a cycle or an
    entry that is neither a string nor an ``include-group`` table."""
    by_name: dict[str, str] = {}
    for declared in groups:
        key = canonicalize_name(declared)
        if key in by_name:
            raise ProjectFileError(
                f"[dependency-groups] names the group {declared!r} twice "
                f"({by_name[key]!r} is the same name)",
                file=path,
                hint="Group names are compared normalised: merge the two groups.",
            )
        by_name[key] = declared
    return _expand(groups, by_name, wanted, (), path)


def _expand(
    groups: Mapping[str, Any],
    by_name: Mapping[str, str],
    wanted: str,
    chain: Sequence[str],
    path: str,
) -> list[tuple[str, str]]:
    declared = by_name.get(canonicalize_name(wanted))
    if declared is None:
        known = ", ".join(sorted(by_name)) or "none"
        raise ProjectFileError(
            f"no dependency group named {wanted!r} (groups: {known})",
            file=path,
            hint="Name one of the groups of [dependency-groups].",
        )
    if declared in chain:
        cycle = " -> ".join([*chain[chain.index(declared) :], declared])
        raise ProjectFileError(
            f"the dependency groups include each other: {cycle}",
            file=path,
            hint="Remove one of the include-group entries that form the cycle.",
        )
    entries = groups[declared]
    if not isinstance(entries, list):
        raise ProjectFileError(
            f"the dependency group {declared!r} is not a list",
            file=path,
            hint='Write it as a list: dev = ["pytest>=8", {include-group = "test"}].',
        )
    result: list[tuple[str, str]] = []
    for entry in entries:
        if isinstance(entry, str):
            result.append((entry, declared))
        elif isinstance(entry, dict) and set(entry) == {"include-group"}:
            included = str(entry["include-group"])
            result.extend(_expand(groups, by_name, included, (*chain, declared), path))
        else:
            raise ProjectFileError(
                f"the dependency group {declared!r} holds {entry!r}, which is neither a "
                "requirement nor an include-group table",
                file=path,
                hint='Each entry is a PEP 508 string or {include-group = "name"}.',
            )
    return result
