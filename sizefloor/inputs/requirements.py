"""The sources of requirements: pip requirements files and plain requirement strings.

This is a parser of pip's requirements-file format written to behave like pip's
own ``req_file.py`` (logical lines first, then options), with three differences
that matter to sizefloor:

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

The public entry points are :func:`read_requirements`,
:func:`parse_requirements_text` and :func:`parse_requirement_strings`; all
return a :class:`RequirementSet`.
"""

from __future__ import annotations

import codecs
import logging
import os
import posixpath
import re
import shlex
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from packaging.markers import InvalidMarker, Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from sizefloor.errors import RequirementsError
from sizefloor.urls import redact, url2pathname

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

UNSIZED_EDITABLE = "cannot be sized without building it: editable install"
UNSIZED_VCS = "cannot be sized without building it: VCS checkout"
UNSIZED_DIRECTORY = "cannot be sized without building it: local directory"
UNSIZED_SOURCE_ARCHIVE = "cannot be sized without building it: source archive"
_GUESSED_FROM_URL = " (project name guessed from the URL)"
_GUESSED_FROM_DIRECTORY = " (project name guessed from the directory name)"


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class Origin:
    """Where a requirement was written: a file and line, or the n-th string given."""

    file: str | None
    """The file's path as given (top-level) or as resolved (included); ``None`` for strings."""
    line: int | None
    """1-based; for a continued line, the number of its first physical line."""

    def __str__(self) -> str:
        if self.file is None:
            return "<string>" if self.line is None else f"<string {self.line}>"
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def comes_from(self, *, constraint: bool = False) -> str:
        """pip's way of naming the origin: ``-r requirements.txt (line 12)``."""
        if self.file is None:
            return str(self)
        flag = "-c" if constraint else "-r"
        if self.line is None:
            return f"{flag} {self.file}"
        return f"{flag} {self.file} (line {self.line})"


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


_URL_IN_TEXT_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>]+")


def redact_text(text: str) -> str:
    """Redact the credentials of every URL found in ``text``."""
    return _URL_IN_TEXT_RE.sub(lambda m: redact(m.group(0)), text)


# --------------------------------------------------------------------------- public API


def read_requirements(
    path: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None
) -> RequirementSet:
    """Read a pip requirements file (and the files it includes with ``-r``/``-c``).

    ``${VAR}`` references are expanded from ``environ`` (default: ``os.environ``).
    """
    display = os.fspath(path)
    if _is_remote(display):
        raise RequirementsError(
            f"cannot read requirements from a URL: {redact(display)}",
            hint="sizefloor reads local files only: download the file and pass its path.",
        )
    parser = _Parser(os.environ if environ is None else environ)
    content = parser.read_file(display, including=None)
    parser.parse_content(
        content, display, constraint=False, chain=((os.path.abspath(display), display),)
    )
    return parser.result()


def parse_requirements_text(
    text: str, *, filename: str, environ: Mapping[str, str] | None = None
) -> RequirementSet:
    """Parse requirements-file ``text`` as if read from ``filename``.

    ``filename`` is used in origins and messages, and its directory is the base
    of relative paths (``-r``, ``-c``, ``-f``, local wheels and directories).
    """
    parser = _Parser(os.environ if environ is None else environ)
    parser.files.append(filename)
    parser.parse_content(
        _strip_bom(text), filename, constraint=False, chain=((os.path.abspath(filename), filename),)
    )
    return parser.result()


def parse_requirement_strings(lines: Iterable[str]) -> RequirementSet:
    """Parse plain requirement strings, e.g. from the command line.

    Each string is one requirement (PEP 508, URL, or path of a local wheel,
    archive or project directory; paths are relative to the current directory).
    Options and comments are not accepted. ``Origin(file=None, line=index + 1)``.
    """
    parser = _Parser({})
    base_dir = os.getcwd()
    for index, raw in enumerate(lines):
        origin = Origin(None, index + 1)
        text = raw.strip()
        if not text:
            raise parser.error(
                origin,
                "an empty requirement",
                "Give a requirement such as `requests>=2`, or leave the empty argument out.",
            )
        if text.startswith("-"):
            raise parser.error(
                origin,
                f"{redact_text(text)!r} is an option, not a requirement",
                "Options such as -r, -e or --index-url belong in a requirements file "
                "(or to sizefloor's own command line), not in a requirement string.",
            )
        parser.requirements.append(
            parser.make_requirement(text, base_dir, origin, hashes=(), constraint=False)
        )
    return parser.result()


# --------------------------------------------------------------------------- logical lines

_COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_ENV_VAR_RE = re.compile(r"\$\{([A-Z0-9_]+)\}")

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-16-LE's BOM is a prefix of UTF-32-LE's: check the longer ones first.
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_PEP263_RE = re.compile(rb"coding[:=]\s*([-\w.]+)")


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _logical_lines(content: str, environ: Mapping[str, str]) -> Iterator[tuple[int, str]]:
    """pip's preprocessing: join continued lines, drop comments and blanks, expand ``${VAR}``."""
    for number, line in _ignore_comments(_join_lines(enumerate(content.splitlines(), start=1))):
        yield number, _expand_env(line, environ)


def _join_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    # Exactly pip's join_lines: a line ending with a backslash is joined with the
    # next one (without a space), unless it is a comment; the joined line takes
    # the number of its first line; a comment line ends a continuation.
    first_number: int | None = None
    parts: list[str] = []
    for number, line in lines:
        if not line.endswith("\\") or _COMMENT_RE.match(line):
            if _COMMENT_RE.match(line):
                line = " " + line  # so that the comment is stripped once joined
            if parts:
                parts.append(line)
                assert first_number is not None
                yield first_number, "".join(parts)
                parts = []
            else:
                yield number, line
        else:
            if not parts:
                first_number = number
            parts.append(line.strip("\\"))
    if parts:
        assert first_number is not None
        yield first_number, "".join(parts)


def _ignore_comments(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    for number, line in lines:
        line = _COMMENT_RE.sub("", line).strip()
        if line:
            yield number, line


def _expand_env(line: str, environ: Mapping[str, str]) -> str:
    # Like pip, an unset or empty variable is left as written.
    def replace(match: re.Match[str]) -> str:
        return environ.get(match.group(1)) or match.group(0)

    return _ENV_VAR_RE.sub(replace, line)


def _break_args_options(line: str) -> tuple[str, str]:
    """pip's split of a line into requirement text and options: at the first
    space-separated token that starts with ``-`` (markers must not be shlexed)."""
    tokens = line.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]).strip(), " ".join(tokens[index:])
    return line.strip(), ""


# --------------------------------------------------------------------------- options

_Kind = Literal["include", "global", "per-requirement", "editable"]


@dataclass(frozen=True)
class _Option:
    long: str
    short: str | None
    takes_value: bool
    kind: _Kind


_OPTIONS: tuple[_Option, ...] = (
    _Option("--requirement", "-r", True, "include"),
    _Option("--constraint", "-c", True, "include"),
    _Option("--editable", "-e", True, "editable"),
    _Option("--index-url", "-i", True, "global"),
    _Option("--pypi-url", None, True, "global"),  # pip's alias of --index-url
    _Option("--extra-index-url", None, True, "global"),
    _Option("--find-links", "-f", True, "global"),
    _Option("--no-index", None, False, "global"),
    _Option("--pre", None, False, "global"),
    _Option("--trusted-host", None, True, "global"),
    _Option("--only-binary", None, True, "global"),
    _Option("--no-binary", None, True, "global"),
    _Option("--prefer-binary", None, False, "global"),
    _Option("--require-hashes", None, False, "global"),
    _Option("--no-require-hashes", None, False, "global"),
    _Option("--use-feature", None, True, "global"),
    _Option("--all-releases", None, True, "global"),
    _Option("--only-final", None, True, "global"),
    _Option("--hash", None, True, "per-requirement"),
    _Option("--config-settings", "-C", True, "per-requirement"),
    _Option("--global-option", None, True, "per-requirement"),
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
class _Given:
    option: _Option
    value: str
    spelled: str  # as written, for messages


# --------------------------------------------------------------------------- requirement forms

# The URL schemes pip recognises as URLs (pip._internal.vcs.versioncontrol.is_url).
_VCS_SCHEMES = frozenset(
    {
        "git+http", "git+https", "git+ssh", "git+git", "git+file",
        "hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http",
        "svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file",
        "bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file",
    }
)  # fmt: skip
_URL_SCHEMES = frozenset({"http", "https", "file", "ftp"}) | _VCS_SCHEMES
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_ARCHIVE_EXTENSIONS = (
    ".whl", ".zip", ".tar.bz2", ".tbz", ".tar.gz", ".tgz", ".tar",
    ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
)  # fmt: skip
_EGG_RE = re.compile(r"[#&]egg=([^&]*)")
_NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_EXTRAS_RE = re.compile(r"^(.+)(\[[^\]]+\])$")
_PYPROJECT_PROJECT_RE = re.compile(r"^\[project\][ \t]*$(.*?)(?=^\[|\Z)", re.MULTILINE | re.DOTALL)
_PYPROJECT_NAME_RE = re.compile(r"""^[ \t]*name[ \t]*=[ \t]*(["'])([^"'\n]+)\1""", re.MULTILINE)
_SPEC_OPERATORS = ("~=", "==", "!=", "<=", ">=", "<", ">", "===")


def _scheme(text: str) -> str:
    try:
        return urllib.parse.urlsplit(text).scheme.lower()
    except ValueError:
        return ""


def _is_url(text: str) -> bool:
    return _scheme(text) in _URL_SCHEMES


def _is_remote(text: str) -> bool:
    return _scheme(text) in ("http", "https", "ftp")


def _looks_like_path(text: str) -> bool:
    if os.path.sep in text or (os.path.altsep is not None and os.path.altsep in text):
        return True
    return text.startswith(".")


def _archive_extension(name: str) -> str | None:
    lowered = name.lower()
    for extension in sorted(_ARCHIVE_EXTENSIONS, key=len, reverse=True):
        if lowered.endswith(extension):
            return extension
    return None


def _strip_extras(text: str) -> tuple[str, str]:
    match = _EXTRAS_RE.match(text)
    if match:
        return match.group(1).rstrip(), match.group(2)
    return text, ""


def _url_filename(url: str) -> str:
    path = urllib.parse.urlsplit(url).path
    return urllib.parse.unquote(posixpath.basename(path.rstrip("/")))


def _is_installable_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyproject.toml")) or os.path.isfile(
        os.path.join(path, "setup.py")
    )


def _sanitize_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("._-") or "unnamed"


def _directory_project_name(path: str) -> tuple[str, bool]:
    """The project name of a local directory, and whether it was only guessed."""
    try:
        with open(os.path.join(path, "pyproject.toml"), encoding="utf-8") as file:
            pyproject = file.read()
    except (OSError, UnicodeDecodeError):
        pyproject = ""
    table = _PYPROJECT_PROJECT_RE.search(pyproject)
    if table:
        found = _PYPROJECT_NAME_RE.search(table.group(1))
        if found and _NAME_RE.match(found.group(2).strip()):
            return found.group(2).strip(), False
    return _sanitize_name(os.path.basename(os.path.normpath(path))), True


def _path_to_url(path: str) -> str:
    return Path(os.path.abspath(path)).as_uri()


@dataclass
class _Direct:
    """What a URL or path points at, once classified."""

    url: str  # normalized (absolute file: URL for local things)
    kind: Literal["wheel", "archive", "directory", "vcs"]
    path: str | None = None  # for local things


# --------------------------------------------------------------------------- the parser

# The files being included, outermost first: (absolute path, path as displayed).
_Chain = tuple[tuple[str, str], ...]


class _Parser:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.requirements: list[RequirementLine] = []
        self.constraints: list[RequirementLine] = []
        self.index_url: str | None = None
        self.extra_index_urls: list[str] = []
        self.find_links: list[str] = []
        self.no_index = False
        self.pre = False
        self.trusted_hosts: list[str] = []
        self.only_binary: set[str] = set()
        self.no_binary: set[str] = set()
        self.prefer_binary = False
        self.files: list[str] = []

    def result(self) -> RequirementSet:
        return RequirementSet(
            requirements=tuple(self.requirements),
            constraints=tuple(self.constraints),
            index_url=self.index_url,
            extra_index_urls=_unique(self.extra_index_urls),
            find_links=_unique(self.find_links),
            no_index=self.no_index,
            pre=self.pre,
            trusted_hosts=_unique(self.trusted_hosts),
            only_binary=frozenset(self.only_binary),
            no_binary=frozenset(self.no_binary),
            prefer_binary=self.prefer_binary,
            files=_unique(self.files),
        )

    @staticmethod
    def error(origin: Origin, message: str, hint: str) -> RequirementsError:
        message, hint = redact_text(message), redact_text(hint)
        if origin.file is None:
            return RequirementsError(f"{origin}: {message}", line=origin.line, hint=hint)
        return RequirementsError(message, file=origin.file, line=origin.line, hint=hint)

    # ----------------------------------------------------------------- files

    def read_file(
        self, display: str, *, including: Origin | None, kind: str = "requirements"
    ) -> str:
        """Read and decode a file; ``including`` is the ``-r``/``-c`` line naming it."""
        try:
            with open(display, "rb") as file:
                data = file.read()
        except FileNotFoundError:
            if including is None:
                raise RequirementsError(
                    f"no such {kind} file",
                    file=display,
                    hint="Check the path (it is relative to the current directory).",
                ) from None
            raise self.error(
                including,
                f"the {kind} file named on this line does not exist: {display}",
                f"Check the path: it is relative to the directory of {including.file}.",
            ) from None
        except IsADirectoryError:
            raise self.error(
                including or Origin(display, None),
                f"{display} is a directory, not a {kind} file",
                "Name the requirements file inside it, e.g. requirements.txt.",
            ) from None
        except OSError as exc:
            raise self.error(
                including or Origin(display, None),
                f"cannot read {kind} file {display}: {exc.strerror or exc}",
                "Check that the file exists and is readable.",
            ) from None
        self.files.append(display)
        return self._decode(data, display)

    def _decode(self, data: bytes, display: str) -> str:
        encoding = "utf-8"
        for bom, bom_encoding in _BOMS:
            if data.startswith(bom):
                data, encoding = data[len(bom) :], bom_encoding
                break
        else:
            for first_line in data.split(b"\n")[:2]:
                if first_line[:1] == b"#":
                    declared = _PEP263_RE.search(first_line)
                    if declared is not None:
                        encoding = declared.group(1).decode("ascii")
                        break
        try:
            return data.decode(encoding)
        except LookupError:
            raise RequirementsError(
                f"declares an unknown encoding {encoding!r}",
                file=display,
                line=1,
                hint="Fix the coding: comment, or remove it and save the file as UTF-8.",
            ) from None
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise RequirementsError(
                f"is not valid {encoding} text (byte 0x{data[exc.start]:02x} cannot be decoded)",
                file=display,
                line=line,
                hint="Save the file as UTF-8.",
            ) from None

    # ----------------------------------------------------------------- lines

    def parse_content(self, content: str, display: str, *, constraint: bool, chain: _Chain) -> None:
        base_dir = os.path.dirname(os.path.abspath(display))
        for number, line in _logical_lines(content, self.environ):
            origin = Origin(display, number)
            args, options_text = _break_args_options(line)
            try:
                tokens = shlex.split(options_text)
            except ValueError as exc:
                raise self.error(
                    origin,
                    f"cannot split the options {redact_text(options_text)!r}: {exc}",
                    "Check the quotes on this line.",
                ) from None
            given = self._parse_options(tokens, origin)
            editables = [g for g in given if g.option.kind == "editable"]
            if args or editables:
                self._requirement_line(args, given, editables, base_dir, origin, constraint)
            else:
                self._option_line(given, display, base_dir, origin, constraint, chain)

    def _parse_options(self, tokens: list[str], origin: Origin) -> list[_Given]:
        given: list[_Given] = []
        index = 0
        while index < len(tokens):
            token = tokens[index]
            index += 1
            value: str | None
            if token.startswith("--"):
                name, equals, attached = token.partition("=")
                option = self._long_option(name, origin)
                value = attached if equals else None
                spelled = option.long
                if not option.takes_value and equals:
                    raise self.error(
                        origin,
                        f"option {option.long} does not take a value",
                        f"Write {option.long} alone.",
                    )
            elif token.startswith("-") and len(token) > 1:
                found = _BY_SHORT.get(token[:2])
                if found is None:
                    raise self.error(
                        origin,
                        f"unknown option {token[:2]}",
                        f"pip accepts these options in requirements files: {_OPTION_NAMES}.",
                    )
                option, spelled = found, token[:2]
                attached = token[2:]
                # "-r=file" is read as "-r file" (optparse itself would open "=file").
                value = attached[1:] if attached.startswith("=") else (attached or None)
            elif any(g.option.kind == "editable" for g in given):
                raise self.error(
                    origin,
                    f"unexpected {redact_text(token)!r} after -e {redact_text(given[0].value)}",
                    'Quote the editable requirement: -e "name @ git+https://…" '
                    "(pip silently ignores the rest of the line).",
                )
            else:
                raise self.error(
                    origin,
                    f"unexpected {redact_text(token)!r} after the options",
                    "A requirement must come before its options on the line "
                    "(`name==1.0 --hash=sha256:…`); pip silently ignores text after options.",
                )
            if option.takes_value and value is None:
                if index >= len(tokens):
                    raise self.error(
                        origin,
                        f"option {spelled} needs a value",
                        f"Write it as `{spelled} VALUE`.",
                    )
                value = tokens[index]
                index += 1
            given.append(_Given(option, value or "", spelled))
        return given

    def _long_option(self, name: str, origin: Origin) -> _Option:
        # optparse accepts any unambiguous prefix of a long option (`--extra-index`).
        if name in _BY_LONG:
            return _BY_LONG[name]
        matches = [long for long in _BY_LONG if long.startswith(name)] if len(name) > 2 else []
        if len(matches) == 1:
            return _BY_LONG[matches[0]]
        if matches:
            raise self.error(
                origin,
                f"ambiguous option {name} (could be {', '.join(sorted(matches))})",
                "Spell the option out in full.",
            )
        raise self.error(
            origin,
            f"unknown option {name}",
            f"pip accepts these options in requirements files: {_OPTION_NAMES}.",
        )

    def _option_line(
        self,
        given: list[_Given],
        display: str,
        base_dir: str,
        origin: Origin,
        constraint: bool,
        chain: _Chain,
    ) -> None:
        includes = [g for g in given if g.option.kind == "include"]
        if includes:
            if len(given) > 1:
                raise self.error(
                    origin,
                    f"{includes[0].spelled} shares its line with other options",
                    "Put each -r/-c option on a line of its own "
                    "(pip follows only the first and ignores the rest of the line).",
                )
            self._include(includes[0], display, origin, constraint, chain)
            return
        for option in given:
            self._apply_global(option, base_dir, origin)

    def _include(
        self,
        given: _Given,
        display: str,
        origin: Origin,
        constraint: bool,
        chain: _Chain,
    ) -> None:
        is_constraint = given.option.long == "--constraint"
        kind = "constraints" if is_constraint else "requirements"
        reference = given.value
        if _is_remote(reference):
            raise self.error(
                origin,
                f"{given.spelled} names a URL: {redact(reference)}",
                f"sizefloor reads local files only: download the {kind} file "
                f"and name the local copy with {given.spelled}.",
            )
        if _scheme(reference) == "file":
            reference = url2pathname(urllib.parse.urlsplit(reference).path)
        if not reference:
            raise self.error(origin, f"{given.spelled} names no file", "Give a file name.")
        included = os.path.normpath(os.path.join(os.path.dirname(display), reference))
        key = os.path.abspath(included)
        keys = [k for k, _ in chain]
        if key in keys:
            cycle = [shown for _, shown in chain[keys.index(key) :]] + [included]
            raise self.error(
                origin,
                f"include cycle: {' -> '.join(cycle)}",
                "Remove one of the -r/-c lines that form the cycle.",
            )
        content = self.read_file(included, including=origin, kind=kind)
        # Inside a constraints file, -r lines are constraints as well.
        # (pip itself reads them as requirements.)
        self.parse_content(
            content,
            included,
            constraint=constraint or is_constraint,
            chain=(*chain, (key, included)),
        )

    def _apply_global(self, given: _Given, base_dir: str, origin: Origin) -> None:
        long, value = given.option.long, given.value
        if long in ("--index-url", "--pypi-url"):
            if self.no_index:
                return  # pip ignores index options once --no-index is given
            if self.extra_index_urls:
                logger.warning(
                    "%s: --index-url comes after --extra-index-url: like pip, sizefloor "
                    "drops the extra index URLs given before it (%s)",
                    origin,
                    ", ".join(redact(u) for u in self.extra_index_urls),
                )
                self.extra_index_urls.clear()
            self.index_url = value
        elif long == "--extra-index-url":
            if not self.no_index:
                self.extra_index_urls.append(value)
        elif long == "--no-index":
            self.no_index = True
            self.index_url = None
            self.extra_index_urls.clear()
        elif long == "--find-links":
            if _scheme(value) in ("http", "https", "file", "ftp"):
                self.find_links.append(value)
            else:
                self.find_links.append(os.path.normpath(os.path.join(base_dir, value)))
        elif long == "--pre":
            self.pre = True
        elif long == "--prefer-binary":
            self.prefer_binary = True
        elif long == "--trusted-host":
            self.trusted_hosts.append(value)
        elif long == "--only-binary":
            self._format_control(given, self.only_binary, self.no_binary, origin)
        elif long == "--no-binary":
            self._format_control(given, self.no_binary, self.only_binary, origin)
        elif long == "--all-releases":
            if value != ":all:":
                raise self.error(
                    origin,
                    f"--all-releases {value} is not supported",
                    "Use --pre (or --all-releases :all:) to allow pre-releases everywhere.",
                )
            self.pre = True
        elif long == "--only-final":
            if value not in (":all:", ":none:"):
                raise self.error(
                    origin,
                    f"--only-final {value} is not supported",
                    "Pin the project to a final release instead.",
                )
        elif long == "--hash":
            logger.warning("%s: --hash without a requirement is ignored (as pip does)", origin)
        # --require-hashes, --no-require-hashes, --use-feature, --config-settings and
        # --global-option do not change what gets installed: accepted and ignored.

    def _format_control(
        self, given: _Given, target: set[str], other: set[str], origin: Origin
    ) -> None:
        # pip's FormatControl.handle_mutual_excludes.
        value = given.value
        if not value or value.startswith("-"):
            raise self.error(
                origin,
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
            if not _NAME_RE.match(name):
                raise self.error(
                    origin,
                    f"{given.spelled} names {name!r}, which is not a project name",
                    "Give :all:, :none: or project names separated by commas (no spaces).",
                )
            canonical = canonicalize_name(name)
            other.discard(canonical)
            target.add(canonical)

    # ----------------------------------------------------------------- requirements

    def _requirement_line(
        self,
        args: str,
        given: list[_Given],
        editables: list[_Given],
        base_dir: str,
        origin: Origin,
        constraint: bool,
    ) -> None:
        if args and editables:
            raise self.error(
                origin,
                f"a requirement and -e on the same line ({redact_text(args)!r})",
                "Put the editable requirement on a line of its own.",
            )
        if len(editables) > 1:
            raise self.error(
                origin,
                "several -e options on one line",
                "Put each -e option on a line of its own (pip reads only the first).",
            )
        for option in given:
            if option.option.kind in ("include", "global"):
                raise self.error(
                    origin,
                    f"option {option.spelled} on a requirement line",
                    f"Put {option.spelled} on a line of its own: on a requirement line pip "
                    "accepts only --hash and --config-settings and ignores the rest.",
                )
        hashes = tuple(
            self._check_hash(option, origin) for option in given if option.option.long == "--hash"
        )
        if editables:
            if constraint:
                raise self.error(
                    origin,
                    f"editable requirement in a constraints file: -e {editables[0].value}",
                    "A constraints file may only name projects with version specifiers; "
                    "move the -e line to a requirements file.",
                )
            if hashes:
                logger.warning("%s: --hash on an editable requirement is ignored", origin)
            line = self.make_editable(editables[0].value, base_dir, origin)
        else:
            line = self.make_requirement(args, base_dir, origin, hashes, constraint)
        (self.constraints if constraint else self.requirements).append(line)

    def _check_hash(self, given: _Given, origin: Origin) -> str:
        algorithm, colon, digest = given.value.partition(":")
        if not colon:
            raise self.error(
                origin,
                f"--hash={given.value} is not of the form ALGORITHM:DIGEST",
                "Write --hash=sha256:<64 hex digits>.",
            )
        if algorithm not in _HASH_LENGTHS:
            raise self.error(
                origin,
                f"unsupported hash algorithm {algorithm!r} in --hash={given.value}",
                "pip accepts only sha256, sha384 and sha512 hashes: "
                "recompute it with `pip hash` or `sha256sum`.",
            )
        if not _HEX_RE.fullmatch(digest) or len(digest) != _HASH_LENGTHS[algorithm]:
            raise self.error(
                origin,
                f"--hash={given.value} is not a {algorithm} digest "
                f"({_HASH_LENGTHS[algorithm]} hexadecimal digits)",
                "Copy the whole digest, e.g. from `pip hash` or `sha256sum`.",
            )
        return given.value

    def make_requirement(
        self,
        text: str,
        base_dir: str,
        origin: Origin,
        hashes: tuple[str, ...],
        constraint: bool,
    ) -> RequirementLine:
        """A non-editable requirement: PEP 508, bare URL or local path.

        Follows pip's ``parse_req_from_line``.
        """
        shown = redact_text(text)
        is_url = _is_url(text)
        separator = "; " if is_url else ";"
        body, marker = text, None
        if separator in text:
            body, marker_text = text.split(separator, 1)
            if marker_text.strip():
                try:
                    marker = Marker(marker_text.strip())
                except InvalidMarker as exc:
                    raise self.error(
                        origin,
                        f"invalid environment marker in {shown!r}: {_first_line(exc)}",
                        'Write a PEP 508 marker, e.g. `; python_version < "3.11"`.',
                    ) from None
        body = body.strip()

        name: str | None = None
        extras = ""
        named = True  # named by the user (pip would know the name without building)
        guess_note = ""
        direct: _Direct | None = None
        requirement: Requirement | None = None
        if is_url:
            direct = self._classify_url(body, base_dir, origin, shown)
        else:
            path_text, extras = _strip_extras(body)
            path = os.path.normpath(os.path.join(base_dir, path_text))
            if _looks_like_path(body) and os.path.isdir(path):
                direct = self._local_directory(path, origin, shown)
            elif _archive_extension(path) is not None:
                if os.path.isfile(path):
                    direct = self._local_file(path)
                else:
                    before_at, at, _ = body.partition("@")
                    if not at or _looks_like_path(before_at):
                        raise self.error(
                            origin,
                            f"{shown!r} looks like a path but there is no such file: {path}",
                            "Check the path: it is relative to "
                            + (
                                "the current directory."
                                if origin.file is None
                                else f"the directory of {origin.file}."
                            ),
                        )
            if direct is None:
                requirement = self._pep508(body, base_dir, origin)
                if requirement.url:
                    direct = self._classify_url(requirement.url, base_dir, origin, shown)
                    name = requirement.name
                    extras = "[" + ",".join(sorted(requirement.extras)) + "]"

        if direct is None:
            assert requirement is not None
            requirement.marker = marker
            reason = None
        else:
            wheel_version: str | None = None
            if direct.kind == "wheel":
                wheel_name, wheel_version = self._wheel_name(direct.url, origin, shown)
                if name is None:
                    name = wheel_name
                elif canonicalize_name(name) != canonicalize_name(wheel_name):
                    raise self.error(
                        origin,
                        f"{shown!r} names project {name!r} but the wheel is of {wheel_name!r}",
                        "Fix the project name before the @, or the URL.",
                    )
                else:
                    wheel_version = None  # `name @ url`: keep it as written
            if name is None:
                name = self._egg(direct.url, origin, shown)
            if name is None:
                named = False
                if direct.kind == "directory":
                    assert direct.path is not None
                    name, guessed = _directory_project_name(direct.path)
                    guess_note = _GUESSED_FROM_DIRECTORY if guessed else ""
                else:
                    name, guess_note = _guess_name(direct), _GUESSED_FROM_URL
            requirement = self._direct_requirement(name, extras, direct.url, marker, origin, shown)
            if wheel_version is not None:
                requirement.specifier = SpecifierSet(f"=={wheel_version}")
            reason = None if direct.kind == "wheel" else _reason(direct.kind) + guess_note

        if constraint:
            self._check_constraint(requirement, named, origin, shown)
        return RequirementLine(
            requirement=requirement,
            origin=origin,
            hashes=hashes,
            editable=False,
            unsized_reason=reason,
            text=shown,
        )

    def make_editable(self, value: str, base_dir: str, origin: Origin) -> RequirementLine:
        """An ``-e`` requirement (pip's parse_editable)."""
        shown = redact_text(value)
        name: str | None = None
        extras = ""
        marker: Marker | None = None
        direct: _Direct | None = None
        try:
            parsed = Requirement(value)
        except InvalidRequirement:
            parsed = None
        if parsed is not None and parsed.url:
            # `-e name[extras] @ URL ; marker`
            name, marker = parsed.name, parsed.marker
            extras = "[" + ",".join(sorted(parsed.extras)) + "]"
            direct = self._classify_url(parsed.url, base_dir, origin, shown)
        else:
            path_text, extras = _strip_extras(value)
            path = os.path.normpath(os.path.join(base_dir, path_text))
            url = value
            if os.path.isdir(path):
                url = _path_to_url(path)
            elif _scheme(path_text) == "file":
                url = path_text
            else:
                extras = ""
                for vcs in ("git", "hg", "svn", "bzr"):
                    if value.lower().startswith(f"{vcs}:"):
                        url = f"{vcs}+{value}"
                        break
            if _scheme(url) not in _VCS_SCHEMES and _scheme(url) != "file":
                raise self.error(
                    origin,
                    f"-e {shown} is neither a local project directory nor a VCS URL",
                    "An editable requirement is a directory with a pyproject.toml or setup.py, "
                    "or a URL such as git+https://host/repo.git#egg=name.",
                )
            direct = self._classify_url(url, base_dir, origin, shown)
            name = self._egg(url, origin, shown)
        if direct.kind not in ("directory", "vcs"):
            raise self.error(
                origin,
                f"-e {shown} is not a project directory or a VCS URL",
                "Only project directories and VCS URLs can be installed in editable mode; "
                "drop the -e.",
            )
        guess_note = ""
        if name is None:
            if direct.kind == "vcs":
                raise self.error(
                    origin,
                    f"cannot tell the project name of -e {shown}",
                    "Name it: `-e name @ git+https://…`, or add #egg=name to the URL.",
                )
            assert direct.path is not None
            name, guessed = _directory_project_name(direct.path)
            guess_note = _GUESSED_FROM_DIRECTORY if guessed else ""
        requirement = self._direct_requirement(name, extras, direct.url, marker, origin, shown)
        return RequirementLine(
            requirement=requirement,
            origin=origin,
            hashes=(),
            editable=True,
            unsized_reason=UNSIZED_EDITABLE + guess_note,
            text=f"-e {shown}",
        )

    # ----------------------------------------------------------------- helpers

    def _pep508(self, body: str, base_dir: str, origin: Origin) -> Requirement:
        try:
            return Requirement(body)
        except InvalidRequirement as exc:
            if os.path.sep in body and "://" not in body:
                path = os.path.normpath(os.path.join(base_dir, body))
                if os.path.exists(path):
                    hint = (
                        f"It looks like a path, and {path} exists but is not a wheel, a source "
                        "archive or a project directory; if it is a requirements file, "
                        "include it with -r."
                    )
                else:
                    hint = f"It looks like a path, but there is no such file: {path}"
            elif "=" in body and not any(op in body for op in _SPEC_OPERATORS):
                hint = "`=` is not a valid operator; did you mean `==`?"
            else:
                hint = (
                    "Write a PEP 508 requirement such as `name>=1.0`, `name[extra]==2.1` "
                    "or `name @ https://…/name-1.0-py3-none-any.whl`."
                )
            raise self.error(
                origin,
                f"invalid requirement {redact_text(body)!r}: {redact_text(_first_line(exc))}",
                hint,
            ) from None

    def _classify_url(self, url: str, base_dir: str, origin: Origin, shown: str) -> _Direct:
        scheme = _scheme(url)
        if scheme in _VCS_SCHEMES or scheme.startswith(_VCS_PREFIXES):
            return _Direct(url, "vcs")
        if scheme == "file":
            parts = urllib.parse.urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                raise self.error(
                    origin,
                    f"{shown!r}: file: URLs naming another host are not supported",
                    "Use file:///absolute/path or a plain path.",
                )
            path = os.path.normpath(os.path.join(base_dir, url2pathname(parts.path)))
            if os.path.isdir(path):
                return self._local_directory(path, origin, shown)
            if not os.path.isfile(path):
                raise self.error(
                    origin,
                    f"{shown!r} names a file that does not exist: {path}",
                    "Check the path, or build the wheel first.",
                )
            return self._local_file(path, fragment=parts.fragment)
        if scheme in ("http", "https", "ftp"):
            if _url_filename(url).lower().endswith(".whl"):
                return _Direct(url, "wheel")
            return _Direct(url, "archive")
        raise self.error(
            origin,
            f"{shown!r}: {redact(url)!r} is not a URL sizefloor can use",
            "Use an https:// URL, a file:// URL, a VCS URL (git+https://…) "
            "or a plain path without `name @`.",
        )

    def _local_directory(self, path: str, origin: Origin, shown: str) -> _Direct:
        if not _is_installable_dir(path):
            raise self.error(
                origin,
                f"directory {path} is not installable: it has neither pyproject.toml nor setup.py",
                "Name the project's root directory.",
            )
        return _Direct(_path_to_url(path), "directory", path)

    @staticmethod
    def _local_file(path: str, fragment: str = "") -> _Direct:
        url = _path_to_url(path) + (f"#{fragment}" if fragment else "")
        kind: Literal["wheel", "archive"] = "wheel" if path.lower().endswith(".whl") else "archive"
        return _Direct(url, kind, path)

    def _wheel_name(self, url: str, origin: Origin, shown: str) -> tuple[str, str]:
        filename = _url_filename(url)
        try:
            _, version, _, _ = parse_wheel_filename(filename)
        except InvalidWheelFilename as exc:
            raise self.error(
                origin,
                f"{shown!r}: invalid wheel file name {filename!r}: {exc}",
                "A wheel is named NAME-VERSION(-BUILD)-PYTHON-ABI-PLATFORM.whl; "
                "fix or rename the file.",
            ) from None
        return filename.split("-", 1)[0].replace("_", "-"), str(version)

    def _egg(self, url: str, origin: Origin, shown: str) -> str | None:
        match = _EGG_RE.search(url)
        if not match:
            return None
        egg = match.group(1)
        if not _NAME_RE.match(egg):
            raise self.error(
                origin,
                f"{shown!r}: #egg={egg} is not a project name",
                "Write #egg=name (no version, no extras), or better `name @ URL`.",
            )
        return egg

    def _direct_requirement(
        self,
        name: str,
        extras: str,
        url: str,
        marker: Marker | None,
        origin: Origin,
        shown: str,
    ) -> Requirement:
        extras = "" if extras == "[]" else extras
        try:
            requirement = Requirement(f"{name}{extras} @ {url}")
        except InvalidRequirement as exc:
            raise self.error(
                origin,
                f"invalid requirement {shown!r}: {redact_text(_first_line(exc))}",
                "Check the project name and the URL (spaces must be written %20).",
            ) from None
        if marker is not None:
            requirement.marker = marker
        return requirement

    def _check_constraint(
        self, requirement: Requirement, named: bool, origin: Origin, shown: str
    ) -> None:
        # pip's check_invalid_constraint_type.
        problem = ""
        if not named:
            problem = "unnamed requirements are not allowed as constraints"
        elif requirement.extras:
            problem = "constraints cannot have extras"
        if problem:
            raise self.error(
                origin,
                f"{problem}: {shown!r}",
                "A constraints file may only name projects with version specifiers "
                "(or `name @ URL`); move this line to a requirements file.",
            )


def _reason(kind: str) -> str:
    return {
        "vcs": UNSIZED_VCS,
        "directory": UNSIZED_DIRECTORY,
        "archive": UNSIZED_SOURCE_ARCHIVE,
    }[kind]


def _guess_name(direct: _Direct) -> str:
    """A name for an unnamed URL that pip would have to build to name."""
    path = urllib.parse.urlsplit(direct.url).path
    if direct.kind == "vcs":
        last = posixpath.basename(path.rstrip("/")).split("@", 1)[0]
        return _sanitize_name(last.removesuffix(".git"))
    filename = urllib.parse.unquote(posixpath.basename(path.rstrip("/")))
    extension = _archive_extension(filename) or ""
    stem = filename[: len(filename) - len(extension)]
    project, dash, version = stem.rpartition("-")
    if dash and version[:1].isdigit():
        return _sanitize_name(project)
    return _sanitize_name(stem)


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
