"""Requirements files and plain requirement strings, read as pip reads them: a RequirementSet.

This reads pip's requirements-file format as pip's own ``req_file.py`` does
(logical lines first, then options), with three differences that matter to
sizefloor:

* markers are *kept*, never evaluated: the resolver evaluates them for the
  target image, not for the interpreter running sizefloor;
* nothing is built, downloaded or installed: requirements that could only be
  sized by building them (editable installs, VCS checkouts, local directories,
  source archives) are returned with an ``unsized_reason``;
* every problem is a :class:`~sizefloor.errors.RequirementsError` naming the
  file and line, with a hint; credentials in URLs never appear in messages or
  reprs (they are kept in the data, which needs them to fetch).

Paths in requirement lines (local wheels, archives, directories) and in ``-r``,
``-c`` and ``-f`` lines are relative to the directory of the file that names
them. (pip resolves ``-r``/``-c`` that way but resolves local paths in
requirement lines against the current directory.)

The work is shared out: :mod:`~sizefloor.inputs.lines` makes the logical lines,
:mod:`~sizefloor.inputs.options` reads their options,
:mod:`~sizefloor.inputs.requirement_line` makes each requirement (with
:mod:`~sizefloor.inputs.references` for URLs and paths); this module follows
``-r``/``-c`` from file to file and gathers the result.

The public entry points are :func:`read_requirements`,
:func:`parse_requirements_text` and :func:`parse_requirement_strings`; all
return a :class:`RequirementSet`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from sizefloor.errors import RequirementsError
from sizefloor.inputs.lines import logical_lines, read_text, split_options, strip_bom
from sizefloor.inputs.options import Given, IndexOptions, read_options, requirement_hashes
from sizefloor.inputs.origin import Origin, redact_text
from sizefloor.inputs.references import is_remote, scheme
from sizefloor.inputs.requirement_line import (
    UNSIZED_DIRECTORY,
    UNSIZED_EDITABLE,
    UNSIZED_SOURCE_ARCHIVE,
    UNSIZED_VCS,
    RequirementLine,
    editable_line,
    requirement_line,
)
from sizefloor.urls import file_url_path, redact

__all__ = [
    "UNSIZED_DIRECTORY",
    "UNSIZED_EDITABLE",
    "UNSIZED_SOURCE_ARCHIVE",
    "UNSIZED_VCS",
    "Origin",
    "RequirementLine",
    "RequirementSet",
    "parse_requirement_strings",
    "parse_requirements_text",
    "read_requirements",
    "redact_text",
]

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True, repr=False)
class RequirementSet:
    """Everything a set of requirements files (or strings) asks for."""

    requirements: tuple[RequirementLine, ...] = ()
    constraints: tuple[RequirementLine, ...] = ()
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    """URLs or absolute paths."""
    no_index: bool = False
    pre: bool = False
    trusted_hosts: tuple[str, ...] = ()
    only_binary: frozenset[str] = field(default_factory=frozenset)
    """Canonical project names, or ``":all:"``."""
    no_binary: frozenset[str] = field(default_factory=frozenset)
    prefer_binary: bool = False
    files: tuple[str, ...] = ()
    """Every file read, in the order first read."""

    def merged(self, other: RequirementSet) -> RequirementSet:
        """Combine two sets, ``other`` coming after ``self`` (as with several ``-r`` options).

        Requirements and constraints are concatenated; the later ``index_url``
        wins; URL, host and file lists are concatenated without duplicates;
        ``--no-index`` from either side drops every index.
        """
        no_index = self.no_index or other.no_index
        if ":all:" in other.only_binary or ":all:" in other.no_binary:
            only_binary, no_binary = other.only_binary, other.no_binary
        else:
            only_binary = (self.only_binary - other.no_binary) | other.only_binary
            no_binary = (self.no_binary - other.only_binary) | other.no_binary
        return RequirementSet(
            requirements=self.requirements + other.requirements,
            constraints=self.constraints + other.constraints,
            index_url=None if no_index else (other.index_url or self.index_url),
            extra_index_urls=()
            if no_index
            else _unique(self.extra_index_urls + other.extra_index_urls),
            find_links=_unique(self.find_links + other.find_links),
            no_index=no_index,
            pre=self.pre or other.pre,
            trusted_hosts=_unique(self.trusted_hosts + other.trusted_hosts),
            only_binary=frozenset(only_binary),
            no_binary=frozenset(no_binary),
            prefer_binary=self.prefer_binary or other.prefer_binary,
            files=_unique(self.files + other.files),
        )

    def __repr__(self) -> str:
        index_url = None if self.index_url is None else redact(self.index_url)
        return (
            f"RequirementSet(requirements={self.requirements!r}, "
            f"constraints={self.constraints!r}, index_url={index_url!r}, "
            f"extra_index_urls={tuple(redact(u) for u in self.extra_index_urls)!r}, "
            f"find_links={tuple(redact(u) for u in self.find_links)!r}, "
            f"no_index={self.no_index!r}, pre={self.pre!r}, "
            f"trusted_hosts={self.trusted_hosts!r}, "
            f"only_binary={sorted(self.only_binary)!r}, no_binary={sorted(self.no_binary)!r}, "
            f"prefer_binary={self.prefer_binary!r}, files={self.files!r})"
        )


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


# --------------------------------------------------------------------------- public API


def read_requirements(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> RequirementSet:
    """Read a pip requirements file (and the files it includes with ``-r``/``-c``).

    ``${VAR}`` references are expanded from ``environ`` (default: ``os.environ``).
    """
    display = os.fspath(path)
    if is_remote(display):
        raise RequirementsError(
            f"cannot read requirements from a URL: {redact(display)}",
            hint="sizefloor reads local files only: download the file and pass its path.",
        )
    reader = _Reader(os.environ if environ is None else environ)
    content = reader.read_file(display, including=None)
    reader.read_content(
        content, display, constraint=False, chain=((os.path.abspath(display), display),)
    )
    return reader.result()


def parse_requirements_text(
    text: str, *, filename: str, environ: Mapping[str, str] | None = None
) -> RequirementSet:
    """Parse requirements-file ``text`` as if read from ``filename``.

    ``filename`` is used in origins and messages, and its directory is the base
    of relative paths (``-r``, ``-c``, ``-f``, local wheels and directories).
    """
    reader = _Reader(os.environ if environ is None else environ)
    reader.files.append(filename)
    reader.read_content(
        strip_bom(text), filename, constraint=False, chain=((os.path.abspath(filename), filename),)
    )
    return reader.result()


def parse_requirement_strings(lines: Iterable[str]) -> RequirementSet:
    """Parse plain requirement strings, e.g. from the command line.

    Each string is one requirement (PEP 508, URL, or path of a local wheel,
    archive or project directory; paths are relative to the current directory).
    Options and comments are not accepted. ``Origin(file=None, line=index + 1)``.
    """
    reader = _Reader({})
    base_dir = os.getcwd()
    for index, raw in enumerate(lines):
        origin = Origin(None, index + 1)
        text = raw.strip()
        if not text:
            raise origin.error(
                "an empty requirement",
                "Give a requirement such as `requests>=2`, or leave the empty argument out.",
            )
        if text.startswith("-"):
            raise origin.error(
                f"{redact_text(text)!r} is an option, not a requirement",
                "Options such as -r, -e or --index-url belong in a requirements file "
                "(or to sizefloor's own command line), not in a requirement string.",
            )
        reader.requirements.append(requirement_line(text, base_dir, origin))
    return reader.result()


# --------------------------------------------------------------------------- the reader

MAX_INCLUDES = 10_000
"""The most ``-r``/``-c`` lines followed in one read: a file including another twice,
which includes another twice, and so on 30 deep, would be read a billion times."""

# The files being included, outermost first: (absolute path, path as displayed).
_Chain = tuple[tuple[str, str], ...]


@dataclass
class _Frame:
    """A file being read: where it is, how its lines count, and the lines still to read."""

    key: str
    """Its absolute path."""
    display: str
    """Its path as given or as resolved from the file including it."""
    constraint: bool
    base_dir: str
    """The directory paths on its lines are relative to."""
    lines: Iterator[tuple[int, str]] = field(default_factory=lambda: iter(()))


class _Reader:
    """Reads requirements files line by line, following ``-r`` and ``-c``."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.requirements: list[RequirementLine] = []
        self.constraints: list[RequirementLine] = []
        self.options = IndexOptions()
        self.files: list[str] = []
        self.includes = 0

    def result(self) -> RequirementSet:
        options = self.options
        return RequirementSet(
            requirements=tuple(self.requirements),
            constraints=tuple(self.constraints),
            index_url=options.index_url,
            extra_index_urls=_unique(options.extra_index_urls),
            find_links=_unique(options.find_links),
            no_index=options.no_index,
            pre=options.pre,
            trusted_hosts=_unique(options.trusted_hosts),
            only_binary=frozenset(options.only_binary),
            no_binary=frozenset(options.no_binary),
            prefer_binary=options.prefer_binary,
            files=_unique(self.files),
        )

    def read_file(
        self, display: str, *, including: Origin | None, kind: str = "requirements"
    ) -> str:
        """Read and decode a file; ``including`` is the ``-r``/``-c`` line naming it."""
        content = read_text(display, including=including, kind=kind)
        self.files.append(display)
        return content

    def read_content(self, content: str, display: str, *, constraint: bool, chain: _Chain) -> None:
        """Read the lines of the file ``display`` (``constraint``: a constraints file), and
        of the files it includes, depth first, in order. Iterative: an ``-r`` chain
        hundreds of files deep is read like any other (``chain`` holds the files already
        being read, outermost first)."""
        stack = [
            _Frame(key, shown, constraint, os.path.dirname(os.path.abspath(shown)))
            for key, shown in chain[:-1]
        ]
        reading = {frame.key for frame in stack}
        first = _Frame(chain[-1][0], display, constraint, os.path.dirname(os.path.abspath(display)))
        first.lines = logical_lines(content, self.environ, display)
        stack.append(first)
        reading.add(first.key)
        base = len(stack) - 1
        while len(stack) > base:
            frame = stack[-1]
            item = next(frame.lines, None)
            if item is None:
                stack.pop()
                reading.discard(frame.key)
                continue
            number, line = item
            included = self._line(frame, Origin(frame.display, number), line, stack, reading)
            if included is not None:
                stack.append(included)
                reading.add(included.key)

    def _line(
        self, frame: _Frame, origin: Origin, line: str, stack: list[_Frame], reading: set[str]
    ) -> _Frame | None:
        """Take in one logical line; the file it includes, to be read next, if any."""
        args, options_text = split_options(line)
        given = read_options(options_text, origin)
        editables = [g for g in given if g.option.kind == "editable"]
        if args or editables:
            self._requirement(args, given, editables, frame.base_dir, origin, frame.constraint)
            return None
        includes = [g for g in given if g.option.kind == "include"]
        if not includes:
            for option in given:
                self.options.apply(option, frame.base_dir, origin)
            return None
        if len(given) > 1:
            raise origin.error(
                f"{includes[0].spelled} shares its line with other options",
                "Put each -r/-c option on a line of its own "
                "(pip follows only the first and ignores the rest of the line).",
            )
        return self._include(includes[0], frame, origin, stack, reading)

    def _include(
        self,
        given: Given,
        frame: _Frame,
        origin: Origin,
        stack: list[_Frame],
        reading: set[str],
    ) -> _Frame:
        is_constraint = given.option.long == "--constraint"
        kind = "constraints" if is_constraint else "requirements"
        included = _included_path(given, frame.display, origin, kind)
        key = os.path.abspath(included)
        if key in reading:
            keys = [f.key for f in stack]
            cycle = [f.display for f in stack[keys.index(key) :]] + [included]
            raise origin.error(
                f"include cycle: {' -> '.join(cycle)}",
                "Remove one of the -r/-c lines that form the cycle.",
            )
        self.includes += 1
        if self.includes > MAX_INCLUDES:
            raise origin.error(
                f"more than {MAX_INCLUDES:,} -r/-c includes followed: the files include "
                "one another over and over",
                "Include each file once (a file named by several -r lines is read each time).",
            )
        content = self.read_file(included, including=origin, kind=kind)
        # Inside a constraints file, -r lines are constraints as well.
        # (pip itself reads them as requirements.)
        child = _Frame(key, included, frame.constraint or is_constraint, os.path.dirname(key))
        child.lines = logical_lines(content, self.environ, included)
        return child

    def _requirement(
        self,
        args: str,
        given: list[Given],
        editables: list[Given],
        base_dir: str,
        origin: Origin,
        constraint: bool,
    ) -> None:
        if args and editables:
            raise origin.error(
                f"a requirement and -e on the same line ({redact_text(args)!r})",
                "Put the editable requirement on a line of its own.",
            )
        if len(editables) > 1:
            raise origin.error(
                "several -e options on one line",
                "Put each -e option on a line of its own (pip reads only the first).",
            )
        hashes = requirement_hashes(given, origin)
        if editables:
            if constraint:
                raise origin.error(
                    f"editable requirement in a constraints file: -e {editables[0].value}",
                    "A constraints file may only name projects with version specifiers; "
                    "move the -e line to a requirements file.",
                )
            if hashes:
                logger.warning("%s: --hash on an editable requirement is ignored", origin)
            line = editable_line(editables[0].value, base_dir, origin)
        else:
            line = requirement_line(args, base_dir, origin, hashes=hashes, constraint=constraint)
        (self.constraints if constraint else self.requirements).append(line)


def _included_path(given: Given, display: str, origin: Origin, kind: str) -> str:
    """The path of the file an ``-r``/``-c`` line of the file ``display`` names."""
    reference = given.value
    if is_remote(reference):
        raise origin.error(
            f"{given.spelled} names a URL: {redact(reference)}",
            f"sizefloor reads local files only: download the {kind} file "
            f"and name the local copy with {given.spelled}.",
        )
    if scheme(reference) == "file":
        reference = file_url_path(reference)
    if not reference:
        raise origin.error(f"{given.spelled} names no file", "Give a file name.")
    return os.path.normpath(os.path.join(os.path.dirname(display), reference))
