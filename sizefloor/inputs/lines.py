"""Physical lines to logical lines as pip reads them: decoding, continuations, comments, ${VAR}."""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping

from sizefloor.errors import RequirementsError
from sizefloor.inputs.origin import Origin

__all__ = ["decode", "logical_lines", "read_text", "split_options", "strip_bom"]

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

MAX_FILE_BYTES = 64 * 1024 * 1024
"""The largest requirements file read: ``-r /dev/zero`` must not fill the memory."""


# --------------------------------------------------------------------------- files


def read_text(display: str, *, including: Origin | None, kind: str = "requirements") -> str:
    """The text of the file at ``display``; ``including`` is the ``-r``/``-c`` line
    naming it (``None`` for a file given on the command line). ``kind`` names the
    file in messages: ``requirements`` or ``constraints``."""
    try:
        with open(display, "rb") as file:
            status = os.fstat(file.fileno())
            small = stat.S_ISREG(status.st_mode) and status.st_size <= MAX_FILE_BYTES
            data = file.read() if small else file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        if including is None:
            raise RequirementsError(
                f"no such {kind} file",
                file=display,
                hint="Check the path (it is relative to the current directory).",
            ) from None
        raise including.error(
            f"the {kind} file named on this line does not exist: {display}",
            f"Check the path: it is relative to the directory of {including.file}.",
        ) from None
    except IsADirectoryError:
        raise (including or Origin(display, None)).error(
            f"{display} is a directory, not a {kind} file",
            "Name the requirements file inside it, e.g. requirements.txt.",
        ) from None
    except OSError as exc:
        raise (including or Origin(display, None)).error(
            f"cannot read {kind} file {display}: {exc.strerror or exc}",
            "Check that the file exists and is readable.",
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise (including or Origin(display, None)).error(
            f"{display} is larger than {MAX_FILE_BYTES >> 20} MiB: not a {kind} file",
            "Name the requirements file itself (a device or a huge file was named).",
        )
    return decode(data, display)


def decode(data: bytes, display: str) -> str:
    """A file's bytes as text: a BOM, else a PEP 263 coding line on one of the first two
    lines, else UTF-8 says how (pip's ``auto_decode``)."""
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


def strip_bom(text: str) -> str:
    """``text`` without the byte order mark an editor may have left at its start."""
    return text[1:] if text.startswith("\ufeff") else text


# --------------------------------------------------------------------------- lines


def logical_lines(
    content: str, environ: Mapping[str, str], display: str | None = None
) -> Iterator[tuple[int, str]]:
    """pip's preprocessing: join continued lines, drop comments and blanks, expand
    ``${VAR}``. Yields (number of the first physical line, the logical line).

    With ``display`` (the file's name, for the message), a ``${VAR}`` that is not set or
    is empty is a :class:`RequirementsError` naming it: pip leaves it as written, and
    ``--index-url https://${TOKEN}@host/`` then fails as a network error (retried, exit 1)
    where the input is what is wrong."""
    for number, line in _ignore_comments(_join_lines(enumerate(content.splitlines(), start=1))):
        if display is not None:
            _check_set(line, environ, display, number)
        yield number, _expand_env(line, environ)


def _check_set(line: str, environ: Mapping[str, str], display: str, number: int) -> None:
    for match in _ENV_VAR_RE.finditer(line):
        name = match.group(1)
        if not environ.get(name):
            state = "empty" if name in environ else "not set"
            raise RequirementsError(
                f"${{{name}}} is {state}",
                file=display,
                line=number,
                hint=f"Set the environment variable {name} before running sizefloor, or "
                "write the value in the file.",
            )


def _join_lines(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    # Exactly pip's join_lines: a line ending with a backslash is joined with the
    # next one (without a space), unless it is a comment; the joined line takes
    # the number of its first line; a comment line ends a continuation.
    first_number: int | None = None
    parts: list[str] = []
    for number, line in lines:
        comment = _is_comment(line)
        if not line.endswith("\\") or comment:
            if comment:
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


def _is_comment(line: str) -> bool:
    """pip's ``COMMENT_RE.match``: the line's first non-blank character is ``#``."""
    return line.lstrip().startswith("#")


def _strip_comment(line: str) -> str:
    """pip's ``COMMENT_RE.sub("", line)`` (``(^|\\s+)#.*$``), stripped: the line up to the first
    ``#`` that starts it or follows whitespace. In one pass: the regular expression takes
    time in the square of a run of blanks, and a continued line can be all blanks (10,000
    continuation lines took 4 s, 40,000 over a minute)."""
    start = 0
    while (found := line.find("#", start)) >= 0:
        if found == 0 or line[found - 1].isspace():
            return line[:found].strip()
        start = found + 1
    return line.strip()


def _ignore_comments(lines: Iterable[tuple[int, str]]) -> Iterator[tuple[int, str]]:
    for number, line in lines:
        line = _strip_comment(line)
        if line:
            yield number, line


def _expand_env(line: str, environ: Mapping[str, str]) -> str:
    # Like pip, an unset or empty variable is left as written.
    def replace(match: re.Match[str]) -> str:
        return environ.get(match.group(1)) or match.group(0)

    return _ENV_VAR_RE.sub(replace, line)


def split_options(line: str) -> tuple[str, str]:
    """pip's split of a logical line into requirement text and options: at the first
    space-separated token that starts with ``-`` (markers must not be shlexed)."""
    tokens = line.split(" ")
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]).strip(), " ".join(tokens[index:])
    return line.strip(), ""
