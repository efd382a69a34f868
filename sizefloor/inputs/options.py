"""Options as pip reads them in requirements files: -r, -c, -e, --hash, --index-url and the rest."""

from __future__ import annotations

import logging
import os
import re
import shlex
from dataclasses import dataclass, field
from typing import Literal

from packaging.utils import canonicalize_name

from sizefloor.inputs.origin import Origin, redact_text
from sizefloor.inputs.references import NAME_RE, scheme
from sizefloor.urls import redact

__all__ = ["Given", "IndexOptions", "Option", "read_options", "requirement_hashes"]

# The reader's logger (sizefloor.inputs.requirements): one name for all it warns about.
logger = logging.getLogger("sizefloor.inputs.requirements")

Kind = Literal["include", "global", "per-requirement", "editable"]


@dataclass(frozen=True)
class Option:
    """An option pip accepts in a requirements file."""

    long: str
    short: str | None
    takes_value: bool
    kind: Kind


_OPTIONS: tuple[Option, ...] = (
    Option("--requirement", "-r", True, "include"),
    Option("--constraint", "-c", True, "include"),
    Option("--editable", "-e", True, "editable"),
    Option("--index-url", "-i", True, "global"),
    Option("--pypi-url", None, True, "global"),  # pip's alias of --index-url
    Option("--extra-index-url", None, True, "global"),
    Option("--find-links", "-f", True, "global"),
    Option("--no-index", None, False, "global"),
    Option("--pre", None, False, "global"),
    Option("--trusted-host", None, True, "global"),
    Option("--only-binary", None, True, "global"),
    Option("--no-binary", None, True, "global"),
    Option("--prefer-binary", None, False, "global"),
    Option("--require-hashes", None, False, "global"),
    Option("--no-require-hashes", None, False, "global"),
    Option("--use-feature", None, True, "global"),
    Option("--all-releases", None, True, "global"),
    Option("--only-final", None, True, "global"),
    Option("--hash", None, True, "per-requirement"),
    Option("--config-settings", "-C", True, "per-requirement"),
    Option("--global-option", None, True, "per-requirement"),
)
_BY_LONG = {option.long: option for option in _OPTIONS}
_BY_SHORT = {option.short: option for option in _OPTIONS if option.short}
_OPTION_NAMES = ", ".join(
    f"{option.short}/{option.long}" if option.short else option.long
    for option in _OPTIONS
    if option.long != "--pypi-url"
)

_HASH_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
_HEX_RE = re.compile(r"[0-9a-fA-F]+")


@dataclass(frozen=True)
class Given:
    """An option as given on a line, with its value."""

    option: Option
    value: str
    spelled: str
    """As written (``-r`` or ``--requirement``), for messages."""


# --------------------------------------------------------------------------- reading


def read_options(text: str, origin: Origin) -> list[Given]:
    """The options in ``text`` (the part of a line from its first ``-`` token on)."""
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise origin.error(
            f"cannot split the options {redact_text(text)!r}: {exc}",
            "Check the quotes on this line.",
        ) from None
    given: list[Given] = []
    index = 0
    while index < len(tokens):
        option, spelled, value = _read_option(tokens[index], given, origin)
        index += 1
        if option.takes_value and value is None:
            if index >= len(tokens):
                raise origin.error(
                    f"option {spelled} needs a value", f"Write it as `{spelled} VALUE`."
                )
            value = tokens[index]
            index += 1
        given.append(Given(option, value or "", spelled))
    return given


def _read_option(token: str, given: list[Given], origin: Origin) -> tuple[Option, str, str | None]:
    """(option, as spelled, value attached to it) of a token that starts an option;
    ``given`` are the options before it on the line."""
    if token.startswith("--"):
        name, equals, attached = token.partition("=")
        option = _long_option(name, origin)
        if not option.takes_value and equals:
            raise origin.error(
                f"option {option.long} does not take a value", f"Write {option.long} alone."
            )
        return option, option.long, attached if equals else None
    if token.startswith("-") and len(token) > 1:
        found = _BY_SHORT.get(token[:2])
        if found is None:
            raise origin.error(
                f"unknown option {token[:2]}",
                f"pip accepts these options in requirements files: {_OPTION_NAMES}.",
            )
        attached = token[2:]
        # "-r=file" is read as "-r file" (optparse itself would open "=file").
        return found, token[:2], attached[1:] if attached.startswith("=") else (attached or None)
    if any(g.option.kind == "editable" for g in given):
        raise origin.error(
            f"unexpected {redact_text(token)!r} after -e {redact_text(given[0].value)}",
            'Quote the editable requirement: -e "name @ git+https://…" '
            "(pip silently ignores the rest of the line).",
        )
    raise origin.error(
        f"unexpected {redact_text(token)!r} after the options",
        "A requirement must come before its options on the line "
        "(`name==1.0 --hash=sha256:…`); pip silently ignores text after options.",
    )


def _long_option(name: str, origin: Origin) -> Option:
    # optparse accepts any unambiguous prefix of a long option (`--extra-index`).
    if name in _BY_LONG:
        return _BY_LONG[name]
    matches = [long for long in _BY_LONG if long.startswith(name)] if len(name) > 2 else []
    if len(matches) == 1:
        return _BY_LONG[matches[0]]
    if matches:
        raise origin.error(
            f"ambiguous option {name} (could be {', '.join(sorted(matches))})",
            "Spell the option out in full.",
        )
    raise origin.error(
        f"unknown option {name}",
        f"pip accepts these options in requirements files: {_OPTION_NAMES}.",
    )


# --------------------------------------------------------------------------- requirement lines


def requirement_hashes(given: list[Given], origin: Origin) -> tuple[str, ...]:
    """The ``--hash`` values of a requirement line, in order, once its options are
    checked: only per-requirement ones (and ``-e``) belong there."""
    for option in given:
        if option.option.kind in ("include", "global"):
            raise origin.error(
                f"option {option.spelled} on a requirement line",
                f"Put {option.spelled} on a line of its own: on a requirement line pip "
                "accepts only --hash and --config-settings and ignores the rest.",
            )
    return tuple(
        _checked_hash(option, origin) for option in given if option.option.long == "--hash"
    )


def _checked_hash(given: Given, origin: Origin) -> str:
    algorithm, colon, digest = given.value.partition(":")
    if not colon:
        raise origin.error(
            f"--hash={given.value} is not of the form ALGORITHM:DIGEST",
            "Write --hash=sha256:<64 hex digits>.",
        )
    if algorithm not in _HASH_LENGTHS:
        raise origin.error(
            f"unsupported hash algorithm {algorithm!r} in --hash={given.value}",
            "pip accepts only sha256, sha384 and sha512 hashes: "
            "recompute it with `pip hash` or `sha256sum`.",
        )
    if not _HEX_RE.fullmatch(digest) or len(digest) != _HASH_LENGTHS[algorithm]:
        raise origin.error(
            f"--hash={given.value} is not a {algorithm} digest "
            f"({_HASH_LENGTHS[algorithm]} hexadecimal digits)",
            "Copy the whole digest, e.g. from `pip hash` or `sha256sum`.",
        )
    return given.value


# --------------------------------------------------------------------------- global options


@dataclass
class IndexOptions:
    """The global options read so far: where to look, and which files to accept."""

    index_url: str | None = None
    extra_index_urls: list[str] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)
    no_index: bool = False
    pre: bool = False
    trusted_hosts: list[str] = field(default_factory=list)
    only_binary: set[str] = field(default_factory=set)
    no_binary: set[str] = field(default_factory=set)
    prefer_binary: bool = False

    def apply(self, given: Given, base_dir: str, origin: Origin) -> None:
        """Apply a global option found in a file whose directory is ``base_dir``."""
        long, value = given.option.long, given.value
        if long in ("--index-url", "--pypi-url", "--extra-index-url", "--no-index"):
            self._index(long, value, origin)
        elif long == "--find-links":
            if scheme(value) in ("http", "https", "file", "ftp"):
                self.find_links.append(value)
            else:
                self.find_links.append(os.path.normpath(os.path.join(base_dir, value)))
        elif long == "--only-binary":
            self._format_control(given, self.only_binary, self.no_binary, origin)
        elif long == "--no-binary":
            self._format_control(given, self.no_binary, self.only_binary, origin)
        elif long in ("--pre", "--all-releases", "--only-final"):
            self._releases(long, value, origin)
        elif long == "--prefer-binary":
            self.prefer_binary = True
        elif long == "--trusted-host":
            self.trusted_hosts.append(value)
        elif long == "--hash":
            logger.warning("%s: --hash without a requirement is ignored (as pip does)", origin)
        # --require-hashes, --no-require-hashes, --use-feature, --config-settings and
        # --global-option do not change what gets installed: accepted and ignored.

    def _index(self, long: str, value: str, origin: Origin) -> None:
        if long == "--no-index":
            self.no_index = True
            self.index_url = None
            self.extra_index_urls.clear()
        elif self.no_index:
            return  # pip ignores index options once --no-index is given
        elif long == "--extra-index-url":
            self.extra_index_urls.append(value)
        else:
            if self.extra_index_urls:
                logger.warning(
                    "%s: --index-url comes after --extra-index-url: like pip, sizefloor "
                    "drops the extra index URLs given before it (%s)",
                    origin,
                    ", ".join(redact(u) for u in self.extra_index_urls),
                )
                self.extra_index_urls.clear()
            self.index_url = value

    def _releases(self, long: str, value: str, origin: Origin) -> None:
        if long == "--pre":
            self.pre = True
        elif long == "--all-releases":
            if value != ":all:":
                raise origin.error(
                    f"--all-releases {value} is not supported",
                    "Use --pre (or --all-releases :all:) to allow pre-releases everywhere.",
                )
            self.pre = True
        elif value not in (":all:", ":none:"):
            raise origin.error(
                f"--only-final {value} is not supported",
                "Pin the project to a final release instead.",
            )

    @staticmethod
    def _format_control(given: Given, target: set[str], other: set[str], origin: Origin) -> None:
        # pip's FormatControl.handle_mutual_excludes.
        value = given.value
        if not value or value.startswith("-"):
            raise origin.error(
                f"{given.spelled} needs a value",
                f"Write {given.spelled} :all:, :none: or comma-separated project names.",
            )
        names = value.split(",")
        while ":all:" in names:
            other.clear()
            target.clear()
            target.add(":all:")
            del names[: names.index(":all:") + 1]
            if ":none:" not in names:
                return
        for name in names:
            if name == ":none:":
                target.clear()
                continue
            if not NAME_RE.match(name):
                raise origin.error(
                    f"{given.spelled} names {name!r}, which is not a project name",
                    "Give :all:, :none: or project names separated by commas (no spaces).",
                )
            canonical = canonicalize_name(name)
            other.discard(canonical)
            target.add(canonical)
