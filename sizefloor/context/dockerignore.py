""".dockerignore as Docker reads and applies it.

Reading (moby's ``ignorefile.ReadAll``): a UTF-8 BOM at the start is dropped; a line
that starts with ``#`` in its first column is a comment; other lines are stripped of
surrounding white space (a ``#`` after leading spaces is a pattern), blank lines are
skipped; a leading ``!`` makes an exception (white space after it is stripped too);
each pattern is cleaned like Go's ``filepath.Clean`` (``a//b/../c`` -> ``a/c``) and a
leading ``/`` is dropped (patterns are relative to the context's root).

Matching (moby's ``patternmatcher``): a pattern is converted to a regular expression:
``*`` matches any run of characters but ``/``, ``?`` one character but ``/``, ``[…]``
classes and ``\\`` escapes as in Go's ``filepath.Match``; ``**`` matches any number of
folders (zero included); a pattern that starts with ``**`` matches as a suffix and one
that ends with ``**`` as a prefix. A path is excluded by the last pattern that matches it
or one of its parent folders; an exception (``!``) re-includes. A malformed pattern
(``[`` unclosed, a trailing ``\\``) or a lone ``!`` makes ``docker build`` fail, and is
an error here.

Walking (BuildKit's context transfer, ``fsutil``, the default builder since Docker 23):
folders are walked in lexical order without following symlinks; each path's match is
computed with its parent's per-pattern results (``MatchesUsingParentResults``); an
excluded folder is skipped whole unless an exception pattern could match inside it
(when an exception has wildcards, excluded folders are always walked). The legacy
builder (``DOCKER_BUILDKIT=0``) walks the same way but skips an excluded folder unless
an exception pattern literally starts with it, and the CLI first appends
``!.dockerignore`` and ``!Dockerfile`` when the patterns would exclude them.
"""

from __future__ import annotations

import posixpath
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from sizefloor.errors import InputError

# Go's unicode.IsSpace: the Latin-1 spaces plus Unicode's White_Space property.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # fmt: skip
_BOM = "\ufeff"
_REGEX_ESCAPE = set(".+()|{}$")
_PATTERN_CHARS = set("*[]?^\\")


class DockerignoreError(InputError):
    """A .dockerignore that ``docker build`` itself would refuse."""


def go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` on ``/``-separated paths."""
    if path == "":
        return "."
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def read_patterns(text: str) -> list[str]:
    """The patterns of a .dockerignore file's text, as moby's ``ReadAll`` returns them."""
    patterns: list[str] = []
    lines = text.split("\n")
    if lines and lines[0].startswith(_BOM):
        lines[0] = lines[0][len(_BOM) :]
    if lines and lines[-1] == "":
        lines.pop()
    for raw in lines:
        line = raw[:-1] if raw.endswith("\r") else raw
        if line.startswith("#"):
            continue
        pattern = line.strip(_GO_SPACE)
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip(_GO_SPACE)
        if pattern:
            pattern = go_clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append("!" + pattern if invert else pattern)
    return patterns


@dataclass(frozen=True)
class Pattern:
    text: str
    """The cleaned pattern, without its ``!``."""
    exclusion: bool
    kind: str
    """``exact``, ``prefix``, ``suffix`` or ``regexp``, as moby decides it."""
    regex: re.Pattern[str] | None

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            if path.endswith(suffix):
                return True
            return suffix.startswith("/") and path == suffix[1:]
        assert self.regex is not None
        return self.regex.match(path) is not None

    @property
    def without_trailing_glob(self) -> str:
        text = self.text
        for tail in ("/**", "/*"):
            if text.endswith(tail):
                text = text[: -len(tail)]
        return text

    def __str__(self) -> str:
        return ("!" if self.exclusion else "") + self.text


def _bad_glob(pattern: str) -> bool:
    """Whether Go's ``filepath.Match`` rejects ``pattern`` (``ErrBadPattern``)."""
    i, n = 0, len(pattern)

    def escaped(j: int) -> int | None:  # getEsc: the index after one class character
        if j >= n or pattern[j] in "-]":
            return None
        if pattern[j] == "\\":
            j += 1
            if j >= n:
                return None
        j += 1
        return j if j < n else None

    while i < n:
        c = pattern[i]
        if c == "\\":
            if i + 1 >= n:
                return True
            i += 2
        elif c == "[":
            i += 1
            if i < n and pattern[i] == "^":
                i += 1
            ranges = 0
            while True:
                if i < n and pattern[i] == "]" and ranges > 0:
                    i += 1
                    break
                nxt = escaped(i)
                if nxt is None:
                    return True
                i = nxt
                if pattern[i] == "-":
                    nxt = escaped(i + 1)
                    if nxt is None:
                        return True
                    i = nxt
                ranges += 1
        else:
            i += 1
    return False


def compile_pattern(raw: str) -> Pattern:
    """One pattern as moby's ``patternmatcher.New`` and ``Pattern.compile`` read it."""
    text = go_clean(raw.strip(_GO_SPACE))
    exclusion = text.startswith("!")
    if exclusion:
        if len(text) == 1:
            raise DockerignoreError('illegal exclusion pattern: "!"')
        text = text[1:]
    if _bad_glob(text):
        raise DockerignoreError(f"syntax error in pattern {raw!r}")
    regex, kind = _translate(text)
    compiled = None
    if kind == "regexp":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                compiled = re.compile(regex + r"\Z")
            except re.error as exc:
                raise DockerignoreError(f"syntax error in pattern {raw!r} ({exc})") from None
    return Pattern(text, exclusion, kind, compiled)


def _translate(text: str) -> tuple[str, str]:
    """moby's ``Pattern.compile``: the regular expression, and the kind of match it needs.

    The kind is ``exact`` until a wildcard, class or escape makes it ``regexp``; a leading
    ``**`` makes it ``suffix`` (until a later wildcard makes it ``regexp``), and a trailing
    ``**`` after an exact start ``prefix``.
    """
    regex = "^"
    kind = "exact"
    i, n, step = 0, len(text), 0
    while i < n:
        c = text[i]
        i += 1
        if c == "*":
            if i < n and text[i] == "*":
                i += 1
                if i < n and text[i] == "/":
                    i += 1
                if i >= n:
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        regex += ".*"
                        kind = "regexp"
                else:
                    regex += "(.*/)?"
                    kind = "regexp"
                if step == 0:
                    kind = "suffix"
            else:
                regex += "[^/]*"
                kind = "regexp"
        elif c == "?":
            regex += "[^/]"
            kind = "regexp"
        elif c in _REGEX_ESCAPE:
            regex += "\\" + c
        elif c == "\\":
            if i < n:
                regex += "\\" + text[i]
                i += 1
                kind = "regexp"
            else:
                regex += "\\\\"
        elif c in "[]":
            regex += c
            kind = "regexp"
        else:
            regex += c
        step += 1
    return regex, kind


class PatternMatcher:
    """moby's ``PatternMatcher``: patterns in order, later ones winning."""

    def __init__(self, patterns: Sequence[str]) -> None:
        self.patterns = [compile_pattern(p) for p in patterns if p.strip(_GO_SPACE)]
        self.exclusions = any(p.exclusion for p in self.patterns)
        self.only_prefix_exceptions = not any(
            p.exclusion and set(p.without_trailing_glob) & _PATTERN_CHARS for p in self.patterns
        )

    def matches_using_parent(self, path: str, parent: list[bool] | None) -> tuple[bool, list[bool]]:
        """``MatchesUsingParentResults``: (excluded, per-pattern results for children)."""
        matched = False
        info = [False] * len(self.patterns)
        for i, pattern in enumerate(self.patterns):
            match = parent[i] if parent else False
            if not match:
                if pattern.exclusion != matched:
                    continue
                match = pattern.match(path)
                if not match and not parent:
                    dirs = posixpath.dirname(path)
                    if dirs:
                        parts = dirs.split("/")
                        match = any(
                            pattern.match("/".join(parts[: k + 1])) for k in range(len(parts))
                        )
            info[i] = match
            if match:
                matched = not pattern.exclusion
        return matched, info

    def matches_or_parent_matches(self, path: str) -> bool:
        """``MatchesOrParentMatches``: the legacy builder's test for one path."""
        matched = False
        dirs = posixpath.dirname(path)
        parts = dirs.split("/") if dirs else []
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            match = pattern.match(path) or any(
                pattern.match("/".join(parts[: k + 1])) for k in range(len(parts))
            )
            if match:
                matched = not pattern.exclusion
        return matched

    def matches_legacy(self, path: str) -> bool:
        """The deprecated ``Matches``: one parent folder checked, as deep as the pattern."""
        path = go_clean(path)
        if path == ".":
            return False
        matched = False
        parent = posixpath.dirname(path) or "."
        parent_dirs = parent.split("/")
        for pattern in self.patterns:
            if pattern.exclusion != matched:
                continue
            match = pattern.match(path)
            depth = len(pattern.text.split("/"))
            if not match and parent != "." and depth <= len(parent_dirs):
                match = pattern.match("/".join(parent_dirs[:depth]))
            if match:
                matched = not pattern.exclusion
        return matched

    def legacy_may_include_inside(self, directory: str) -> bool:
        """The legacy builder's test: an exception pattern that starts with the folder."""
        prefix = directory + "/"
        return any(p.exclusion and (p.text + "/").startswith(prefix) for p in self.patterns)

    def may_include_inside(self, directory: str) -> bool:
        """Whether an exception pattern could re-include something under an excluded folder."""
        if not self.exclusions:
            return False
        prefix = directory + "/"
        return any(
            p.exclusion and (p.without_trailing_glob + "/").startswith(prefix)
            for p in self.patterns
        )
