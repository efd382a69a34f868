"""What a Dockerfile's ``RUN`` lines do, read from their shell text: the commands, split as
the shell splits them (``&&``, ``;``, ``|``, ``sh -c``, heredoc scripts), and among them
the ones that matter to the floor: Python installs (``pip install``/``wheel``, ``uv pip``,
``uv sync``, ``poetry install``, ``pipenv install``), virtual environments made, system
packages added or removed (apt, apk), caches removed, and the lines that cannot be
followed (a script, a download piped into a shell, a ``setup.py install``)."""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from sizefloor.inputs.dockerfile import Instruction, expand

__all__ = [
    "Command",
    "PipInstall",
    "ProjectSync",
    "Removal",
    "SystemPackages",
    "Unfollowed",
    "VenvCreated",
    "actions",
    "commands",
]

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class Command:
    """One simple command of a ``RUN`` line."""

    argv: tuple[str, ...]
    env: Mapping[str, str]
    """The variables it runs with: the instruction's, ``export``s and ``NAME=value``
    prefixes before it."""
    cwd: str
    """Its working folder (``WORKDIR``, then ``cd`` in the same line)."""
    activated: str | None = None
    """A virtual environment activated before it in the same line (``. /venv/bin/activate``)."""
    piped_into: tuple[str, ...] | None = None
    """The command its output is piped into, if any."""


@dataclass(frozen=True)
class PipInstall:
    """``pip install``, ``pip wheel``, ``uv pip install``/``sync``."""

    tool: str
    """``pip``, ``uv pip`` or ``pip wheel``."""
    command: Command
    requirements: tuple[str, ...] = ()
    """``-r`` files, as paths in the image."""
    constraints: tuple[str, ...] = ()
    editables: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    """Requirement specifiers, paths and URLs, as written."""
    index_options: tuple[str, ...] = ()
    """Index options as a requirements file would write them (``--index-url URL``)."""
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    target: str | None = None
    """``--target``, ``--prefix``, ``--root`` or ``pip wheel -w``: where it writes."""
    user: bool = False
    system: bool = False
    """``uv pip install --system``."""
    python: str | None = None
    """``uv pip install --python PATH``."""
    cache: bool = True
    """Keeps its download cache (no ``--no-cache-dir`` / ``--no-cache``)."""
    compiles: bool = True
    """Writes ``.pyc`` files (pip by default; uv with ``--compile-bytecode``)."""
    no_deps: bool = False
    extras: tuple[str, ...] = ()
    """``uv pip install -r pyproject.toml --extra X``."""
    all_extras: bool = False
    unknown_options: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectSync:
    """``uv sync``, ``poetry install``, ``pipenv install``: a project and its lock."""

    tool: str
    command: Command
    project: str
    """The project's folder in the image."""
    extras: tuple[str, ...] = ()
    all_extras: bool = False
    groups: tuple[str, ...] = ()
    """Groups asked for besides the main dependencies."""
    dev: bool = True
    """Installs the development groups too (``uv sync`` and ``poetry install`` do unless
    ``--no-dev`` / ``--only main`` / ``--without dev``)."""
    install_project: bool = True
    cache: bool = True
    compiles: bool = False
    system: bool = False
    """``pipenv install --system``, Poetry with ``virtualenvs.create false``."""


@dataclass(frozen=True)
class VenvCreated:
    command: Command
    path: str
    with_pip: bool


@dataclass(frozen=True)
class SystemPackages:
    """``apt-get install``/``apk add`` (or their removals)."""

    manager: str
    """``apt`` or ``apk``."""
    command: Command
    names: tuple[str, ...]
    remove: bool = False
    recommends: bool = False
    """apt without ``--no-install-recommends``."""
    keeps_cache: bool = False
    """apk without ``--no-cache``."""
    virtual: str | None = None
    """``apk add --virtual NAME``."""
    update: bool = False
    """``apt-get update`` / ``apk update``: package lists downloaded."""


@dataclass(frozen=True)
class Removal:
    """``rm -rf PATH...``, ``apt-get clean``, ``uv cache clean``, ``pip cache purge``."""

    command: Command
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Unfollowed:
    """A command that may install what sizefloor cannot see."""

    command: Command
    why: str


Action = PipInstall | ProjectSync | VenvCreated | SystemPackages | Removal | Unfollowed


# ------------------------------------------------------------------------ commands

_PUNCTUATION = ";&|(){}\n"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_KEYWORDS = _words("then do else elif if while until ! time exec sudo nohup command builtin")
_SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"}


def commands(instruction: Instruction) -> tuple[list[Command], list[str]]:
    """The simple commands of a ``RUN`` instruction, and what could not be split (the
    reasons). Heredoc scripts are read line by line; exec form is one command."""
    env = dict(instruction.env)
    problems: list[str] = []
    if instruction.words is not None:
        return [Command(tuple(instruction.words), env, instruction.workdir)], problems
    scripts = []
    text = instruction.text
    for heredoc in instruction.heredocs:
        first = heredoc.body.split("\n", 1)[0]
        if first.startswith("#!") and not any(s in first for s in _SHELLS):
            problems.append(f"a heredoc script run by {first[2:].strip()}")
            continue
        scripts.append(expand(heredoc.body, env) if heredoc.expand else heredoc.body)
    out: list[Command] = []
    state = _State(env=env, cwd=instruction.workdir)
    for script in [text, *scripts]:
        if not script.strip() or re.fullmatch(r"\s*<<-?\s*['\"]?\w+['\"]?\s*", script):
            continue
        try:
            out.extend(_split(script, state, depth=0))
        except ValueError as exc:
            problems.append(f"its shell text cannot be split ({exc})")
    return out, problems


@dataclass
class _State:
    env: dict[str, str]
    cwd: str
    activated: str | None = None


def _split(script: str, state: _State, depth: int) -> Iterator[Command]:
    """The commands of ``script``, following ``cd``, ``export``, ``. activate`` and
    ``sh -c``."""
    lexer = shlex.shlex(_join_continuations(script), posix=True, punctuation_chars=_PUNCTUATION)
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    groups: list[tuple[list[str], str]] = []
    current: list[str] = []
    for token in lexer:
        if token and all(c in _PUNCTUATION for c in token):
            groups.append((current, token.strip("\n") or ";"))
            current = []
        else:
            current.append(token)
    groups.append((current, ""))
    for index, (argv, separator) in enumerate(groups):
        piped = None
        if separator == "|" and index + 1 < len(groups):
            piped = tuple(_strip_prefix(groups[index + 1][0], {})[0])
        yield from _one(argv, state, depth, piped)


def _join_continuations(script: str) -> str:
    return re.sub(r"\\\r?\n", "", script)


def _strip_prefix(argv: Sequence[str], env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """``argv`` without shell keywords, ``env``/``sudo`` and ``NAME=value`` prefixes (added
    to a copy of ``env``)."""
    words = list(argv)
    local = dict(env)
    while words:
        head = words[0]
        if head in _KEYWORDS or head == "env":
            words.pop(0)
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", head):
            name, _, value = head.partition("=")
            local[name] = expand(value, local, keep_quotes=False)
            words.pop(0)
        else:
            break
    return words, local


def _one(
    argv: list[str], state: _State, depth: int, piped: tuple[str, ...] | None
) -> Iterator[Command]:
    words, env = _strip_prefix(argv, state.env)
    if not words:
        state.env.update({k: v for k, v in env.items() if k not in state.env})
        return
    words = [expand(w, env, keep_quotes=False) if "$" in w else w for w in words]
    head = posixpath.basename(words[0])
    if head == "cd" and len(words) > 1:
        state.cwd = posixpath.normpath(posixpath.join(state.cwd, words[1]))
        return
    if head == "poetry" and words[1:2] == ["config"] and len(words) >= 4:
        setting = {
            "virtualenvs.create": "POETRY_VIRTUALENVS_CREATE",
            "virtualenvs.in-project": "POETRY_VIRTUALENVS_IN_PROJECT",
        }.get(words[-2])
        if setting:
            state.env[setting] = words[-1]
            return
    if head == "export":
        for word in words[1:]:
            name, has, value = word.partition("=")
            if has:
                state.env[name] = value
        return
    if head in (".", "source") and len(words) > 1:
        activate = posixpath.normpath(posixpath.join(state.cwd, words[1]))
        if activate.endswith("/bin/activate"):
            state.activated = activate[: -len("/bin/activate")]
            state.env["VIRTUAL_ENV"] = state.activated
            return
    if head in _SHELLS and "-c" in words[1:] and depth < 3:
        script = words[words.index("-c", 1) + 1] if words.index("-c", 1) + 1 < len(words) else ""
        yield from _split(script, state, depth + 1)
        return
    yield Command(tuple(words), env, state.cwd, state.activated, piped)


# ------------------------------------------------------------------------ what they do

_CANONICAL = {
    "-r": "--requirement", "--requirement": "--requirement",
    "-c": "--constraint", "--constraint": "--constraint", "--overrides": "--constraint",
    "-e": "--editable", "--editable": "--editable",
    "-i": "--index-url", "--index-url": "--index-url", "--default-index": "--index-url",
    "--pypi-url": "--index-url",
    "--extra-index-url": "--extra-index-url", "--index": "--extra-index-url",
    "-f": "--find-links", "--find-links": "--find-links",
    "-t": "--target", "--target": "--target", "--prefix": "--prefix", "--root": "--root",
    "-w": "--wheel-dir", "--wheel-dir": "--wheel-dir",
    "--trusted-host": "--trusted-host", "--allow-insecure-host": "--trusted-host",
    "--only-binary": "--only-binary", "--no-binary": "--no-binary",
    "--python": "--python", "-p": "--python", "--extra": "--extra", "--cache-dir": "--cache-dir",
}  # fmt: skip
"""pip's and uv's options that take a value and matter here, by their canonical name."""
_PIP_VALUED = frozenset(_CANONICAL) | _words(
    """--build-constraints -b --src --upgrade-strategy --platform --python-version
    --implementation --abi --progress-bar --cert --client-cert --log --log-file --proxy
    --retries --timeout --exists-action --global-option --build-option --config-settings -C
    --config-setting --report --root-user-action --keyring-provider --use-feature
    --use-deprecated --group --index-strategy --resolution --prerelease --exclude-newer
    --link-mode --python-platform --directory --project --color --refresh-package
    --reinstall-package --upgrade-package -P --torch-backend --config-file
    --no-build-isolation-package --resume-retries --uploaded-prior-to
    --build-constraint"""
)
"""Every option of ``pip install``/``wheel`` and ``uv pip install`` that takes a value."""
_PIP_FLAGS = _words(
    """-U --upgrade --no-deps --user --no-cache-dir --no-cache -n --pre --no-compile --compile
    --compile-bytecode --force-reinstall -I --ignore-installed --no-build-isolation
    --require-hashes -q --quiet -v --verbose --disable-pip-version-check
    --break-system-packages --no-index --isolated --no-warn-script-location
    --no-warn-conflicts --prefer-binary --no-clean --dry-run --system --strict --no-color
    --reinstall --all-extras --no-python-downloads --native-tls --offline --no-sources
    --verify-hashes --no-input --check-build-dependencies --ignore-requires-python
    --use-pep517 --no-use-pep517 --progress --no-progress -y --yes --no-verify-hashes --exact
    --seed --force"""
)
_TRUE = {"1", "true", "yes", "on", "y"}


def actions(command: Command) -> list[Action]:
    """What ``command`` does that matters to the floor (nothing for most commands)."""
    argv = list(command.argv)
    head = posixpath.basename(argv[0])
    piped = command.piped_into
    if piped and _is_interpreter(piped[0]) and head in ("curl", "wget"):
        return [
            Unfollowed(command, "a download piped into a shell runs code sizefloor cannot read")
        ]
    if re.fullmatch(r"python(\d+(\.\d+)?)?", head):
        return _python(command, argv)
    if re.fullmatch(r"pip(\d+(\.\d+)?)?", head):
        return _pip(command, argv[1:], "pip")
    if head == "uv":
        return _uv(command, argv[1:])
    if head == "poetry":
        return _poetry(command, argv[1:])
    if head == "pipenv":
        return _pipenv(command, argv[1:])
    if head in ("virtualenv",):
        paths = [a for a in argv[1:] if not a.startswith("-")]
        if paths:
            return [VenvCreated(command, _abs(command, paths[0]), "--no-pip" not in argv)]
        return []
    if head in ("apt-get", "apt", "aptitude"):
        return _apt(command, argv[1:])
    if head == "apk":
        return _apk(command, argv[1:])
    if head == "rm":
        paths = [_abs(command, a) for a in argv[1:] if not a.startswith("-")]
        return [Removal(command, tuple(paths))] if paths else []
    return _unfollowed(command, argv, head)


def _is_interpreter(word: str) -> bool:
    name = posixpath.basename(word)
    return name in _SHELLS or bool(re.fullmatch(r"python(\d+(\.\d+)?)?", name))


def _unfollowed(command: Command, argv: list[str], head: str) -> list[Action]:
    if head in _SHELLS and len(argv) > 1 and not argv[1].startswith("-"):
        return [Unfollowed(command, f"runs the script {argv[1]}")]
    if argv[0].endswith(".sh") or (argv[0].startswith("./") and "." not in argv[0][2:]):
        return [Unfollowed(command, f"runs the script {argv[0]}")]
    if head in ("conda", "mamba", "micromamba") and "install" in argv[1:]:
        return [Unfollowed(command, f"{head} installs packages sizefloor does not read")]
    if head in ("pdm", "hatch", "pipx", "easy_install", "pixi") and len(argv) > 1:
        return [Unfollowed(command, f"{head} {argv[1]} is not read by sizefloor")]
    return []


def _python(command: Command, argv: list[str]) -> list[Action]:
    rest = argv[1:]
    while rest and rest[0].startswith("-") and rest[0] != "-m":
        rest.pop(0)
    if len(rest) >= 2 and rest[0] == "-m":
        module, args = rest[1], rest[2:]
        if module == "pip":
            return _pip(command, args, "pip")
        if module == "uv":
            return _uv(command, args)
        if module in ("venv", "virtualenv"):
            paths = [a for a in args if not a.startswith("-")]
            if paths:
                with_pip = "--without-pip" not in args and "--no-pip" not in args
                return [VenvCreated(command, _abs(command, paths[-1]), with_pip)]
        if module == "poetry":
            return _poetry(command, args)
        if module in ("pipx", "pdm", "conda"):
            return [Unfollowed(command, f"python -m {module} is not read by sizefloor")]
        return []
    if rest and rest[0].endswith("setup.py") and {"install", "develop"} & set(rest[1:]):
        return [Unfollowed(command, "setup.py install is not followed (pip install . is)")]
    return []


def _options(args: Sequence[str]) -> Iterator[tuple[str, str | None]]:
    """pip-style arguments as (option, value) pairs; an argument is ``("", value)``."""
    words = list(args)
    while words:
        word = words.pop(0)
        if word == "--":
            yield from (("", w) for w in words)
            return
        if word.startswith("--"):
            name, has, value = word.partition("=")
            if has:
                yield name, value
            elif name in _PIP_VALUED and words:
                yield name, words.pop(0)
            else:
                yield name, None
        elif word.startswith("-") and len(word) > 1:
            for at in range(1, len(word)):
                short = "-" + word[at]
                if short in _PIP_VALUED:
                    value = word[at + 1 :] or (words.pop(0) if words else "")
                    yield short, value
                    break
                yield short, None
        else:
            yield "", word


def _pip(command: Command, args: list[str], tool: str) -> list[Action]:
    if not args:
        return []
    sub, rest = args[0], args[1:]
    while sub.startswith("-") and rest:  # pip -q install ...
        sub, rest = rest[0], rest[1:]
    if sub == "cache" and rest[:1] in (["purge"], ["remove"]):
        return [Removal(command, ("~pip-cache",))]
    if sub not in ("install", "wheel", "sync"):
        return []
    env = command.env
    wheel = sub == "wheel"
    found, flags, unknown = _pip_options(rest)
    packages = found.get("", [])
    requirements = found.get("--requirement", [])
    if sub == "sync":  # uv pip sync FILE...: installs exactly the files' requirements
        requirements, packages = requirements + packages, []
    if tool == "uv pip":
        cache = not ({"--no-cache", "-n"} & flags) and not _truthy(env, "UV_NO_CACHE")
        compiles = "--compile-bytecode" in flags or _truthy(env, "UV_COMPILE_BYTECODE")
    else:
        cache = "--no-cache-dir" not in flags and "PIP_NO_CACHE_DIR" not in env
        compiles = "--no-compile" not in flags and not _truthy(env, "PIP_NO_COMPILE")
    index_options = [
        f"{option} {value}"
        for option in (
            "--index-url",
            "--extra-index-url",
            "--trusted-host",
            "--only-binary",
            "--no-binary",
        )
        for value in found.get(option, [])
    ]
    index_options += [flag for flag in ("--pre", "--prefer-binary") if flag in flags]
    places = [
        *found.get("--wheel-dir", []),
        *found.get("--root", []),
        *found.get("--prefix", []),
        *found.get("--target", []),
    ]
    target = places[-1] if places else None
    if wheel and target is None:
        target = command.cwd
    return [
        PipInstall(
            tool="pip wheel" if wheel else tool,
            command=command,
            requirements=tuple(requirements),
            constraints=tuple(found.get("--constraint", [])),
            editables=tuple(found.get("--editable", [])),
            packages=tuple(packages),
            index_options=tuple(index_options),
            find_links=tuple(found.get("--find-links", [])),
            no_index="--no-index" in flags,
            target=_abs(command, target) if target else None,
            user="--user" in flags or _truthy(env, "PIP_USER"),
            system="--system" in flags or _truthy(env, "UV_SYSTEM_PYTHON"),
            python=found["--python"][-1] if found.get("--python") else None,
            cache=cache,
            compiles=compiles,
            no_deps="--no-deps" in flags,
            extras=tuple(found.get("--extra", [])),
            all_extras="--all-extras" in flags,
            unknown_options=tuple(unknown),
        )
    ]


def _pip_options(args: Sequence[str]) -> tuple[dict[str, list[str]], set[str], list[str]]:
    """The values of pip's options by canonical name (``""``: the arguments), the flags, and
    the options sizefloor does not know."""
    found: dict[str, list[str]] = {}
    flags: set[str] = set()
    unknown: list[str] = []
    for name, value in _options(args):
        if name == "":
            found.setdefault("", []).append(value or "")
        elif value is not None:
            canonical = _CANONICAL.get(name, "")
            if canonical:
                found.setdefault(canonical, []).append(value)
            elif name not in _PIP_VALUED:
                unknown.append(f"{name}={value}")
        else:
            if name not in _PIP_FLAGS and name not in _PIP_VALUED:
                unknown.append(name)
            flags.add(name)
    return found, flags, unknown


def _truthy(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in _TRUE


def _abs(command: Command, path: str) -> str:
    if path.startswith("~"):
        path = command.env.get("HOME", "/root") + path[1:]
    return posixpath.normpath(posixpath.join(command.cwd, path))


def _uv(command: Command, args: list[str]) -> list[Action]:
    words = [a for a in args if a not in ("-q", "--quiet", "-v", "--verbose")]
    if words[:1] == ["pip"] and len(words) > 1:
        return _pip(command, words[1:], "uv pip")
    if words[:1] == ["venv"]:
        paths = [a for _o, a in _options(words[1:]) if _o == "" and a]
        return [
            VenvCreated(command, _abs(command, paths[0] if paths else ".venv"), "--seed" in words)
        ]
    if words[:2] == ["cache", "clean"] or words[:2] == ["cache", "prune"]:
        return [Removal(command, ("~uv-cache",))]
    if words[:1] != ["sync"]:
        return []
    found, flags = _gather(words[1:])
    env = command.env
    project = (found.get("--project") or found.get("--directory") or [command.cwd])[-1]
    groups = list(found.get("--group", [])) + list(found.get("--only-group", []))
    dev = not ({"--no-dev", "--only-dev"} & flags) and not _truthy(env, "UV_NO_DEV")
    dev = dev and "--no-default-groups" not in flags and "--only-group" not in found
    if "--all-groups" in flags:
        groups.append(":all:")
    return [
        ProjectSync(
            tool="uv",
            command=command,
            project=_abs(command, project),
            extras=tuple(found.get("--extra", [])),
            all_extras="--all-extras" in flags,
            groups=tuple(groups),
            dev=dev,
            install_project=not ({"--no-install-project", "--no-install-workspace"} & flags)
            and not _truthy(env, "UV_NO_INSTALL_PROJECT"),
            cache=not ({"--no-cache", "-n"} & flags) and not _truthy(env, "UV_NO_CACHE"),
            compiles="--compile-bytecode" in flags or _truthy(env, "UV_COMPILE_BYTECODE"),
        )
    ]


_SYNC_VALUED = _words(
    """--project --directory --extra -E --extras --group --only-group --with --without --only
    --python -p --index-url --default-index --extra-index-url --index --package
    --no-install-package --cache-dir --config-file --link-mode --python-platform --categories
    -C --config-setting --exclude-newer --prerelease --resolution --index-strategy
    --keyring-provider --refresh-package --reinstall-package --upgrade-package -P
    --extras-from-lock --script --output-format"""
)


def _gather(args: Sequence[str]) -> tuple[dict[str, list[str]], set[str]]:
    found: dict[str, list[str]] = {}
    flags: set[str] = set()
    words = list(args)
    while words:
        word = words.pop(0)
        name, has, value = word.partition("=")
        if has and name.startswith("-"):
            found.setdefault(name, []).extend(value.split(","))
        elif word in _SYNC_VALUED and words:
            found.setdefault(word, []).extend(words.pop(0).split(","))
        elif word.startswith("-"):
            flags.add(word)
        else:
            found.setdefault("", []).append(word)
    return found, flags


def _poetry(command: Command, args: list[str]) -> list[Action]:
    found, flags = _gather(args)
    if found.get("", [])[:1] != ["install"] and found.get("", [])[:1] != ["sync"]:
        return []
    env = command.env
    only = [g for v in found.get("--only", []) for g in v.split(",")]
    without = [g for v in found.get("--without", []) for g in v.split(",")]
    groups = [g for v in found.get("--with", []) for g in v.split(",")]
    groups += [g for g in only if g != "main"]
    extras = [e for v in found.get("-E", []) + found.get("--extras", []) for e in v.split()]
    create = env.get("POETRY_VIRTUALENVS_CREATE", "true").strip().lower() not in (
        "0",
        "false",
        "no",
        "off",
    )
    return [
        ProjectSync(
            tool="poetry",
            command=command,
            project=_abs(
                command, (found.get("--directory") or found.get("-C") or [command.cwd])[-1]
            ),
            extras=tuple(extras),
            all_extras="--all-extras" in flags,
            groups=tuple(groups),
            dev=not only and "dev" not in without and "--no-dev" not in flags,
            install_project="--no-root" not in flags,
            cache="--no-cache" not in flags,
            compiles="--compile" in flags,
            system=not create,
        )
    ]


def _pipenv(command: Command, args: list[str]) -> list[Action]:
    found, flags = _gather(args)
    if found.get("", [])[:1] not in (["install"], ["sync"]):
        return []
    extra = found.get("", [])[1:]
    if extra:
        return [
            Unfollowed(command, f"pipenv install {' '.join(extra)} changes the Pipfile; not read")
        ]
    return [
        ProjectSync(
            tool="pipenv",
            command=command,
            project=command.cwd,
            dev="--dev" in flags or "-d" in flags,
            cache=True,
            compiles=True,
            system="--system" in flags or _truthy(command.env, "PIPENV_SYSTEM"),
        )
    ]


def _apt(command: Command, args: list[str]) -> list[Action]:
    found, flags = _gather([a for a in args if a not in ("-y", "-q", "-qq", "--yes", "--quiet")])
    words = found.get("", [])
    if not words:
        return []
    verb, names = words[0], [n for n in words[1:] if not n.startswith("-")]
    if verb == "update":
        return [SystemPackages("apt", command, (), update=True)]
    if verb == "clean":
        return [Removal(command, ("/var/cache/apt/archives",))]
    if verb in ("install",):
        recommends = "--no-install-recommends" not in flags and not _apt_no_recommends(flags)
        names = [re.sub(r"[=/].*$", "", n) for n in names]
        return [SystemPackages("apt", command, tuple(names), recommends=recommends)]
    if verb in ("purge", "remove", "autoremove"):
        return [SystemPackages("apt", command, tuple(names), remove=True)]
    return []


def _apt_no_recommends(flags: set[str]) -> bool:
    return any("Install-Recommends" in f and ("false" in f.lower() or "=0" in f) for f in flags)


def _apk(command: Command, args: list[str]) -> list[Action]:
    words: list[str] = []
    flags: set[str] = set()
    virtual = None
    rest = list(args)
    while rest:
        word = rest.pop(0)
        if word in ("-t", "--virtual") and rest:
            virtual = rest.pop(0)
        elif word.startswith("--virtual="):
            virtual = word.partition("=")[2]
        elif word.startswith("-"):
            flags.add(word)
        else:
            words.append(word)
    if not words:
        return []
    verb, names = words[0], tuple(re.sub(r"[=<>~].*$", "", n) for n in words[1:])
    if verb == "update":
        return [
            SystemPackages("apk", command, (), update=True, keeps_cache="--no-cache" not in flags)
        ]
    if verb == "add":
        return [
            SystemPackages(
                "apk", command, names, keeps_cache="--no-cache" not in flags, virtual=virtual
            )
        ]
    if verb == "del":
        return [SystemPackages("apk", command, names, remove=True)]
    return []
