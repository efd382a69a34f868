"""A Dockerfile read into its stages: each instruction with its flags, its arguments, the
variables in force where it runs (``ARG`` and ``ENV``, ``--build-arg`` overriding an
``ARG``'s default) and the working folder, and BuildKit's heredocs.

The instructions are split by ``dockerfile-parse`` (pure Python: line continuations, the
``escape`` parser directive, comments inside continued lines); BuildKit's own parser
(the ``dockerfile`` package) was the other candidate, but it ships binary wheels for few
platforms (none for Linux on arm64 nor macOS on arm64 in its latest release) and builds
from source only with a Go toolchain. What ``dockerfile-parse`` does not know is done
here as BuildKit does it: heredocs (``RUN <<EOF``, ``COPY <<EOF /file``), variable
substitution with its ``${VAR:-default}`` / ``${VAR:+word}`` / ``${VAR?message}`` forms,
the scopes of ``ARG`` (global ones for ``FROM`` lines, redeclared to be seen in a stage)
and ``ENV``, and the platform arguments (``TARGETPLATFORM``, ``BUILDARCH``, ...).
"""

from __future__ import annotations

import io
import json
import logging
import os
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from dockerfile_parse import DockerfileParser

from sizefloor.errors import ProjectFileError

__all__ = [
    "Dockerfile",
    "Heredoc",
    "Instruction",
    "Stage",
    "expand",
    "platform_arguments",
    "read_dockerfile",
    "split_words",
]

# dockerfile-parse logs a read error before raising it: sizefloor reports the error itself
logging.getLogger("dockerfile_parse").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Heredoc:
    """A here-document of a ``RUN``, ``COPY`` or ``ADD`` line: ``<<EOF`` ... ``EOF``."""

    name: str
    body: str
    """The lines between the marker and the terminator (tabs stripped for ``<<-``)."""
    expand: bool
    """``False`` when the marker is quoted (``<<'EOF'``): no variable is expanded."""


@dataclass(frozen=True)
class Instruction:
    """One instruction of a stage, as it runs."""

    keyword: str
    """Upper case: ``RUN``, ``COPY``, ``ENV``..."""
    line: int
    """1-based, the first physical line."""
    flags: Mapping[str, tuple[str, ...]]
    """``--name=value`` flags before the arguments (``--mount`` may repeat), variables
    expanded; a flag given without a value has ``""``."""
    text: str
    """The arguments after the flags: for ``RUN`` in shell form the command as the shell gets
    it (variables are left to that shell, see :attr:`env`); for the other instructions with
    the Dockerfile's variables expanded, quotes kept."""
    words: tuple[str, ...] | None = None
    """The JSON (exec) form's list, when the arguments are one."""
    heredocs: tuple[Heredoc, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    """The variables in force where it runs: the stage's ``ARG`` values and ``ENV``."""
    workdir: str = "/"
    unset: tuple[str, ...] = ()
    """Variables the instruction names that have no value (they expand to nothing)."""


@dataclass(frozen=True)
class Stage:
    """A ``FROM`` and the instructions up to the next one."""

    index: int
    name: str | None
    """The ``AS`` name, lower case."""
    image: str
    """What it is built ``FROM``, variables expanded: an image, or another stage's name."""
    line: int
    platform: str | None = None
    """``FROM --platform=...``, expanded."""
    instructions: tuple[Instruction, ...] = ()
    unset: tuple[str, ...] = ()
    """Variables the ``FROM`` line names that have no value."""

    @property
    def label(self) -> str:
        return self.name if self.name is not None else str(self.index)


@dataclass(frozen=True)
class Dockerfile:
    """A Dockerfile's stages, the last one the image it builds."""

    path: str
    stages: tuple[Stage, ...]
    build_args: Mapping[str, str] = field(default_factory=dict)
    unused_build_args: tuple[str, ...] = ()
    """``--build-arg`` names no ``ARG`` declares (docker build warns about them too)."""

    @property
    def final(self) -> Stage:
        return self.stages[-1]

    def stage(self, reference: str) -> Stage | None:
        """The stage a ``FROM`` or ``--from`` names (by ``AS`` name or index), if any."""
        wanted = reference.lower()
        for stage in self.stages:
            if stage.name == wanted:
                return stage
        if wanted.isdigit() and int(wanted) < len(self.stages):
            return self.stages[int(wanted)]
        return None


# ---------------------------------------------------------------------------- reading


def read_dockerfile(
    path: str | os.PathLike[str],
    *,
    build_args: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Dockerfile:
    """Read the Dockerfile at ``path``: its stages, instructions, variables and heredocs.

    ``build_args`` are ``--build-arg NAME=VALUE``; ``platform`` the target platform
    (``linux/arm64``) the ``TARGET*`` arguments stand for (default ``linux/amd64``).
    """
    shown = os.fspath(path)
    try:
        with open(shown, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise ProjectFileError(
            f"cannot read the Dockerfile: {exc.strerror or exc}",
            file=shown,
            hint="Check the path.",
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ProjectFileError(
            "the Dockerfile is not UTF-8 text", file=shown, hint="Save it as UTF-8."
        ) from None
    entries, heredocs = _instructions(text)
    args = dict(build_args or {})
    walker = _Walker(shown, args, platform_arguments(platform))
    for keyword, line, value in entries:
        walker.add(keyword, line, value, heredocs.get(line, ()))
    stages = walker.finish()
    if not stages:
        raise ProjectFileError(
            "the Dockerfile has no FROM line: it builds no image",
            file=shown,
            hint="Pass the Dockerfile that builds the service's image.",
        )
    unused = tuple(sorted(n for n in args if n not in walker.declared))
    return Dockerfile(shown, tuple(stages), args, unused)


def platform_arguments(platform: str | None) -> dict[str, str]:
    """BuildKit's automatic platform arguments for a target ``platform`` (the build platform
    is taken to be the same: sizefloor sizes the target's files)."""
    target = (platform or "linux/amd64").strip()
    os_name, _, rest = target.partition("/")
    arch, _, variant = rest.partition("/")
    values: dict[str, str] = {}
    for prefix in ("TARGET", "BUILD"):
        values[f"{prefix}PLATFORM"] = target
        values[f"{prefix}OS"] = os_name
        values[f"{prefix}ARCH"] = arch
        values[f"{prefix}VARIANT"] = variant
    return values


_HEREDOC = re.compile(r"(?<!<)<<(-?)\s*(['\"]?)([A-Za-z_][\w.-]*)\2")
_HEREDOC_KEYWORDS = ("RUN", "COPY", "ADD")


def _instructions(text: str) -> tuple[list[tuple[str, int, str]], dict[int, tuple[Heredoc, ...]]]:
    """The instructions (keyword, 1-based line, value) and the heredocs of each line.

    ``dockerfile-parse`` knows no heredocs: their bodies are blanked out (keeping the line
    numbers) one at a time, and the file parsed again, until none is left unread."""
    lines = text.splitlines(keepends=True)
    heredocs: dict[int, tuple[Heredoc, ...]] = {}
    while True:
        structure = _structure(lines)
        pending = None
        for entry in structure:
            line = entry.start + 1
            if entry.keyword in _HEREDOC_KEYWORDS and line not in heredocs:
                markers = _HEREDOC.findall(_flagless(entry.value))
                if markers:
                    pending = (entry, markers)
                    break
        if pending is None:
            break
        entry, markers = pending
        found: list[Heredoc] = []
        at = entry.end + 1
        for strip, quote, name in markers:
            body: list[str] = []
            while at < len(lines):
                raw = lines[at]
                lines[at] = "\n"
                at += 1
                candidate = raw.rstrip("\r\n")
                if (candidate.lstrip("\t") if strip else candidate) == name:
                    break
                body.append(raw.lstrip("\t") if strip else raw)
            found.append(Heredoc(name, "".join(body), expand=not quote))
        heredocs[entry.start + 1] = tuple(found)
    entries = [
        (e.keyword, e.start + 1, e.value) for e in _structure(lines) if e.keyword != "COMMENT"
    ]
    return entries, heredocs


@dataclass(frozen=True)
class _Entry:
    keyword: str
    start: int
    """0-based, as dockerfile-parse counts."""
    end: int
    value: str


def _structure(lines: Sequence[str]) -> list[_Entry]:
    parser = DockerfileParser(fileobj=io.BytesIO("".join(lines).encode("utf-8")))
    return [
        _Entry(str(e["instruction"]), int(e["startline"]), int(e["endline"]), str(e["value"] or ""))
        for e in parser.structure
    ]


def _flagless(text: str) -> str:
    """The arguments of an instruction without its leading ``--flags``."""
    while True:
        match = re.match(r"\s*--[\w-]+(?:=(?:\"[^\"]*\"|'[^']*'|\S)*)?\s+", text)
        if not match:
            return text
        text = text[match.end() :]


# ------------------------------------------------------------------------ the walk

_SUBSTITUTED = {"ADD", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER",
                "VOLUME", "WORKDIR", "ONBUILD", "ARG"}  # fmt: skip
"""The instructions whose arguments Docker expands itself (``RUN`` leaves it to the shell)."""


@dataclass
class _StageState:
    index: int
    name: str | None
    image: str
    line: int
    platform: str | None
    unset: tuple[str, ...]
    args: dict[str, str]
    env: dict[str, str]
    workdir: str
    instructions: list[Instruction] = field(default_factory=list)


class _Walker:
    """Goes through the instructions in order, keeping the variables of each scope."""

    def __init__(self, path: str, build_args: dict[str, str], automatic: dict[str, str]) -> None:
        self.path = path
        self.build_args = build_args
        self.automatic = automatic
        self.globals: dict[str, str] = dict(automatic)
        self.stages: list[_StageState] = []
        self.declared: set[str] = set()

    def add(self, keyword: str, line: int, value: str, heredocs: tuple[Heredoc, ...]) -> None:
        if keyword == "FROM":
            self._from(line, value)
            return
        if not self.stages:
            if keyword == "ARG":
                self._arg(value, line, self.globals, self.globals)
            elif keyword not in ("COMMENT",):
                raise ProjectFileError(
                    f"{keyword} comes before the first FROM: only ARG may",
                    file=self.path,
                    line=line,
                    hint="Start the Dockerfile with its FROM line (ARG lines may come first).",
                )
            return
        stage = self.stages[-1]
        scope = {**stage.args, **stage.env}
        flags, rest = _split_flags(value, scope)
        words = _json_form(rest)
        unset: list[str] = []
        if keyword in _SUBSTITUTED:
            if words is not None:
                words = tuple(expand(w, scope, unset, keep_quotes=False) for w in words)
            text = expand(rest, scope, unset)
        else:
            text = rest
        if keyword == "ARG":
            self._arg(value, line, stage.args, self.globals)
        elif keyword == "ENV":
            stage.env.update(_key_values(text, line, self.path))
        elif keyword == "WORKDIR":
            folder = split_words(text)[0] if text.strip() else "/"
            stage.workdir = posixpath.normpath(posixpath.join(stage.workdir, folder))
        stage.instructions.append(
            Instruction(
                keyword=keyword,
                line=line,
                flags=flags,
                text=text,
                words=words,
                heredocs=heredocs,
                env={**stage.args, **stage.env},
                workdir=stage.workdir,
                unset=tuple(dict.fromkeys(unset)),
            )
        )

    def _from(self, line: int, value: str) -> None:
        flags, rest = _split_flags(value, self.globals)
        unset: list[str] = []
        words = split_words(expand(rest, self.globals, unset))
        if not words:
            raise ProjectFileError(
                "FROM names no image", file=self.path, line=line, hint="Write FROM IMAGE."
            )
        image = words[0]
        name = words[2].lower() if len(words) >= 3 and words[1].lower() == "as" else None
        platform = flags.get("platform", (None,))[0]
        parent = next((s for s in self.stages if s.name == image.lower()), None)
        env = dict(parent.env) if parent else {}
        workdir = parent.workdir if parent else "/"
        self.stages.append(
            _StageState(
                index=len(self.stages),
                name=name,
                image=image,
                line=line,
                platform=platform or None,
                unset=tuple(dict.fromkeys(unset)),
                args={},
                env=env,
                workdir=workdir,
            )
        )

    def _arg(self, value: str, line: int, scope: dict[str, str], outer: dict[str, str]) -> None:
        """``ARG NAME[=default] ...``: the ``--build-arg`` value, else the default, else the
        global one of that name (a stage's ``ARG NAME`` brings a global value in)."""
        lookup = {**outer, **scope}
        for word in split_words(value):
            name, has_default, default = word.partition("=")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ProjectFileError(
                    f"ARG {word!r}: not a variable name",
                    file=self.path,
                    line=line,
                    hint="Write ARG NAME or ARG NAME=default.",
                )
            self.declared.add(name)
            if name in self.build_args:
                scope[name] = self.build_args[name]
            elif has_default:
                scope[name] = expand(default, lookup, [], keep_quotes=False)
            elif name in outer:
                scope[name] = outer[name]
            elif name in self.automatic:
                scope[name] = self.automatic[name]

    def finish(self) -> list[Stage]:
        return [
            Stage(
                index=s.index,
                name=s.name,
                image=s.image,
                line=s.line,
                platform=s.platform,
                instructions=tuple(s.instructions),
                unset=s.unset,
            )
            for s in self.stages
        ]


def _split_flags(value: str, scope: Mapping[str, str]) -> tuple[dict[str, tuple[str, ...]], str]:
    """The leading ``--name[=value]`` flags (expanded in ``scope``) and the rest."""
    flags: dict[str, tuple[str, ...]] = {}
    rest = value.lstrip()
    while rest.startswith("--"):
        match = re.match(r"--([\w-]+)(?:=((?:\"[^\"]*\"|'[^']*'|[^\s])*))?(?:\s+|$)", rest)
        if not match:
            break
        raw = match.group(2) or ""
        flag_value = expand(raw, scope, [], keep_quotes=False) if raw else ""
        flags[match.group(1).lower()] = (*flags.get(match.group(1).lower(), ()), flag_value)
        rest = rest[match.end() :]
    return flags, rest


def _json_form(text: str) -> tuple[str, ...] | None:
    stripped = text.strip()
    if not stripped.startswith("["):
        return None
    try:
        value = json.loads(stripped)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _key_values(text: str, line: int, path: str) -> Iterator[tuple[str, str]]:
    """``ENV A=1 B="two words"`` or the old ``ENV A value with spaces``."""
    words = split_words(text)
    if words and "=" not in words[0]:
        name, _, value = text.strip().partition(" ")
        yield name, " ".join(split_words(value.strip()))
        return
    for word in words:
        name, has_value, value = word.partition("=")
        if not has_value:
            raise ProjectFileError(
                f"ENV {word!r}: a name without a value",
                file=path,
                line=line,
                hint="Write ENV NAME=value.",
            )
        yield name, value


# ------------------------------------------------------------------------ words


def expand(
    text: str,
    scope: Mapping[str, str],
    unset: list[str] | None = None,
    *,
    keep_quotes: bool = True,
) -> str:
    """``text`` with its variables replaced as BuildKit's word processing does: ``$VAR``,
    ``${VAR}``, ``${VAR:-word}``, ``${VAR-word}``, ``${VAR:+word}``, ``${VAR+word}``,
    ``${VAR:?message}``; nothing inside single quotes; a backslash escapes. A variable with
    no value expands to nothing and is added to ``unset``. ``keep_quotes`` keeps the quotes
    and backslashes (the text is split into words later), else they are consumed."""
    missing = unset if unset is not None else []
    out: list[str] = []
    i = 0
    quote: str | None = None
    while i < len(text):
        char = text[i]
        if char == "\\" and quote != "'" and i + 1 < len(text):
            following = text[i + 1]
            if keep_quotes or (quote == '"' and following not in '"\\$'):
                out.append(char)
            out.append(following)
            i += 2
            continue
        if char in "'\"" and (quote is None or quote == char):
            quote = None if quote == char else char
            if keep_quotes:
                out.append(char)
            i += 1
            continue
        if char == "$" and quote != "'":
            value, i = _variable(text, i, scope, missing)
            out.append(value)
            continue
        out.append(char)
        i += 1
    return "".join(out)


def _variable(
    text: str, start: int, scope: Mapping[str, str], missing: list[str]
) -> tuple[str, int]:
    """The value of the variable at ``text[start]`` (a ``$``), and where the text goes on."""
    simple = re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)", text[start:])
    if simple:
        name = simple.group(1)
        if name not in scope:
            missing.append(name)
        return scope.get(name, ""), start + simple.end()
    if not text.startswith("${", start):
        return "$", start + 1
    depth, at = 1, start + 2
    while at < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[at], 0)
        at += 1
    inner = text[start + 2 : at - 1]
    braced = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])(.*))?", inner, re.S)
    if braced is None:
        return text[start:at], at
    name, operator, word = braced.group(1), braced.group(2), braced.group(3) or ""
    value = scope.get(name)
    empty = value is None or (operator is not None and operator.startswith(":") and not value)
    if operator in (":-", "-"):
        return (expand(word, scope, missing, keep_quotes=False) if empty else value or ""), at
    if operator in (":+", "+"):
        return ("" if empty else expand(word, scope, missing, keep_quotes=False)), at
    if value is None:
        missing.append(name)
    return value or "", at


def split_words(text: str) -> list[str]:
    """Whitespace-separated words, quotes and backslashes consumed (variables untouched)."""
    words: list[str] = []
    current: list[str] = []
    started = False
    quote: str | None = None
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and quote != "'" and i + 1 < len(text):
            current.append(text[i + 1])
            started = True
            i += 2
            continue
        if char in "'\"" and (quote is None or quote == char):
            quote = None if quote == char else char
            started = True
        elif char.isspace() and quote is None:
            if started:
                words.append("".join(current))
            current, started = [], False
        else:
            current.append(char)
            started = True
        i += 1
    if started:
        words.append("".join(current))
    return words
