"""A Dockerfile as the input: the image its final stage builds, followed from its ``FROM``
to the install lines of the stages it is built from or copies from, the files those
lines read found through the ``COPY``/``ADD`` lines (and ``RUN --mount=type=bind``) in the
build context, and each read as its kind (requirements, ``pyproject.toml``, lock).

What it gives the estimate (:class:`DockerfileInput`): the requirements or the lock, the
base the final ``FROM`` names (which implies the target as ``--base`` does), its
platform, how the installs write (bytecode, the virtual environment's prefix), the lines
that could not be followed with what was assumed, and what the final image holds
besides the floor (:func:`sizefloor.analysis.dockerfile.additions`).
"""

from __future__ import annotations

import glob
import os
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sizefloor.analysis.dockerfile import (
    INSTALLERS,
    AptSizes,
    Found,
    ImageFacts,
    additions,
    facts_of,
)
from sizefloor.context.measure import measure_context
from sizefloor.errors import ProjectFileError, SizefloorError, TargetError
from sizefloor.inputs.dockerfile import Dockerfile, Instruction, Stage, read_dockerfile, split_words
from sizefloor.inputs.dockershell import (
    Action,
    PipInstall,
    ProjectSync,
    Unfollowed,
    VenvCreated,
    actions,
    commands,
)
from sizefloor.inputs.locked import LockedSet
from sizefloor.inputs.origin import Origin
from sizefloor.inputs.pyproject import Selection
from sizefloor.inputs.requirement_line import RequirementLine, editable_line, requirement_line
from sizefloor.inputs.requirements import (
    RequirementSet,
    parse_requirements_text,
    read_requirements,
)
from sizefloor.options import Options, Progress
from sizefloor.report import Report
from sizefloor.runtime.aptsizes import apt_sizes
from sizefloor.runtime.bases import choose_base, parse_base
from sizefloor.runtime.catalogue import CatalogImage, catalog
from sizefloor.target import ARCHITECTURES, Target

__all__ = [
    "DockerfileInput",
    "dockerfile_options",
    "follow_dockerfile",
    "unknown_base_error",
    "with_dockerfile",
]


Reader = Callable[
    [str, Selection, bool], tuple[RequirementSet | None, LockedSet | None, tuple[str, ...]]
]
"""Reads a file an install line names as its kind: (requirements, lock, notes); the flag is
false to leave a project itself out (its dependencies only)."""


@dataclass(frozen=True)
class DockerfileInput:
    """What a Dockerfile gives the estimate."""

    path: str
    context: str
    """The build context's folder."""
    requirements: RequirementSet | None
    locked: LockedSet | None
    notes: tuple[str, ...]
    base: str | None
    """The final ``FROM``'s image as ``--base`` spells it; ``None`` when sizefloor has no
    such base (see :attr:`image`)."""
    image: str
    """The final ``FROM``'s image as written (variables expanded)."""
    image_line: int
    python: str | None = None
    """The patch version the base's tag names (``python:3.12.4-slim``)."""
    platform: str | None = None
    compile_bytecode: bool | None = None
    prefix: str | None = None
    executable: str | None = None
    facts: ImageFacts | None = None


@dataclass
class _Mapping:
    """One ``COPY``/``ADD`` (or bind mount): sources to a destination in the image."""

    sources: tuple[str, ...]
    dest: str
    from_stage: Stage | None
    heredocs: Mapping[str, str] = field(default_factory=dict)
    external: bool = False
    """``--from`` an image, or a URL: nothing sizefloor can read."""


@dataclass
class _Follow:
    dockerfile: Dockerfile
    shown: str
    context: str
    selection: Selection
    read: Reader
    notes: list[str] = field(default_factory=list)
    sets: list[RequirementSet] = field(default_factory=list)
    locks: list[tuple[str, LockedSet]] = field(default_factory=list)
    compiles: list[bool] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    """Where the counted installs write: a virtual environment or ``--prefix`` sets the
    estimate's prefix; ``""`` for the system's, a ``--target`` or the user's site."""
    venvs: dict[str, str] = field(default_factory=dict)
    """Virtual environments made: path -> the interpreter name that made them."""
    wheelhouses: list[tuple[Stage, Instruction, PipInstall]] = field(default_factory=list)

    def note(self, line: int, message: str) -> None:
        self.notes.append(f"{self.shown}:{line}: {message}")


def follow_dockerfile(
    path: str,
    selection: Selection,
    *,
    read: Reader,
    build_args: Mapping[str, str] | None = None,
    context: str | None = None,
    platform: str | None = None,
) -> DockerfileInput:
    """Read the Dockerfile at ``path`` and follow its final stage (see the module docs)."""
    dockerfile = read_dockerfile(path, build_args=build_args, platform=platform)
    folder = context if context is not None else os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ProjectFileError(
            "the build context is not a folder", file=folder, hint="Give --context DIR."
        )
    state = _Follow(dockerfile, path, os.path.abspath(folder), selection, read)
    for name in dockerfile.unused_build_args:
        state.notes.append(f"{path}: --build-arg {name}: no ARG of the Dockerfile declares it")
    chain = _chain(dockerfile, dockerfile.final)
    copied = _copied_stages(dockerfile, chain)
    found: list[Found] = []
    for stage in _in_order(dockerfile, chain, copied):
        found += _walk_stage(state, stage, in_image=stage in chain, copied=copied.get(stage.index))
    facts = facts_of(path, [f for f in found if f.in_image], dockerfile.final.label)
    base_stage = chain[-1]
    for name in base_stage.unset:
        state.note(base_stage.line, f"${name} has no value: pass --build-arg {name}=VALUE")
    requirements, locked = _combined(state)
    base, python = _base_of(base_stage.image)
    if base is not None and base.startswith("debian") and not facts.python_from_apt:
        state.note(
            base_stage.line,
            f"{base_stage.image} gets no python3 from apt in the final stage: assumed it has "
            "Debian's python3 (as --base debian:N-slim)",
        )
    if base is not None:
        _mismatched_pythons(state, dockerfile, chain, copied, base)
    prefix, executable = _prefix(state)
    return DockerfileInput(
        path=path,
        context=state.context,
        requirements=requirements,
        locked=locked,
        notes=tuple(dict.fromkeys(state.notes)),
        base=base,
        image=base_stage.image,
        image_line=base_stage.line,
        python=python,
        platform=next((s.platform for s in chain if s.platform), None),
        compile_bytecode=_compiles(state),
        prefix=prefix,
        executable=executable,
        facts=facts,
    )


def dockerfile_options(
    docker: DockerfileInput, options: Options, python: str | None, platform: str | None
) -> tuple[Options, str | None, str | None]:
    """The options, ``--python`` and ``--platform`` with what the Dockerfile says where the
    command line says nothing: its base, the patch version its tag names, its ``FROM
    --platform``, whether its installs compile bytecode, the virtual environment they fill."""
    changes: dict[str, Any] = {}
    if options.base is None:
        if docker.base is None:
            raise unknown_base_error(docker, docker.path)
        changes["base"] = docker.base
        python = python or docker.python
    platform = platform or docker.platform
    if docker.compile_bytecode is False and options.compile_bytecode:
        changes["compile_bytecode"] = False
    if docker.prefix and options.prefix == "/usr/local" and options.executable is None:
        changes["prefix"], changes["executable"] = docker.prefix, docker.executable
    return replace(options, **changes), python, platform


def with_dockerfile(
    report: Report,
    docker: DockerfileInput,
    options: Options,
    target: Target,
    progress: Progress | None = None,
) -> Report:
    """The report with the Dockerfile's part: what its image holds beside the floor, sized
    where that can be measured (Debian packages from the index, the build context)."""
    facts = docker.facts
    if facts is None:
        return report
    apt: AptSizes | str | None = None
    image = _catalog_image(report)
    if image is not None and image.family == "debian:slim":  # its python3 is the runtime
        kept = tuple(p for p in facts.packages if not _RUNTIME_PACKAGE.fullmatch(p.name))
        facts = replace(facts, packages=kept)
    names = [p.name for p in facts.packages if p.manager == "apt"]
    if names and image is not None and image.family in _APT_FAMILIES:
        if progress is not None:
            progress("sizing the Dockerfile's Debian packages", 0, 0)
        apt = apt_sizes(
            names,
            distro=image.distro,
            arch=ARCHITECTURES[target.arch].debian,
            with_python=image.family == "debian:slim",
            cache_dir=options.cache_dir,
            use_cache=options.use_cache,
            offline=options.offline,
        )
    elif names:
        apt = "not sized: sizefloor adds Debian packages to slim Debian bases only"
    context_bytes = _context_bytes(docker) if facts.whole_context else None
    summary = additions(
        facts, report, image=docker.image, base=docker.base, apt=apt, context_bytes=context_bytes
    )
    return replace(report, dockerfile=replace(summary, unfollowed=docker.notes))


_APT_FAMILIES = ("python:slim", "python:slim-bookworm", "debian:slim")
_RUNTIME_PACKAGE = re.compile(r"python3(\.\d+)?(-minimal)?|libpython3(\.\d+)?-(minimal|stdlib)")
"""What ``apt-get install python3`` on ``debian:N-slim`` adds: the runtime, not an addition."""


def _catalog_image(report: Report) -> CatalogImage | None:
    runtime = report.runtime
    if runtime is None:
        return None
    return catalog().by_name().get(runtime.base)


def _context_bytes(docker: DockerfileInput) -> int | None:
    """What ``COPY . .`` copies: the build context, ``.dockerignore`` applied."""
    try:
        return measure_context(docker.context, dockerfile=docker.path).sent_bytes
    except (SizefloorError, OSError):
        return None


def unknown_base_error(given: DockerfileInput, shown: str) -> ProjectFileError:
    """The error for a final ``FROM`` sizefloor has no base for, naming what to pass."""
    image = given.image
    guess = _guess_base(image)
    return ProjectFileError(
        f"the image is built FROM {image}, a base sizefloor has no sizes for: its Python, "
        "C library and runtime size are not known",
        file=shown,
        line=given.image_line,
        hint=f"Pass the catalogued base closest to it with --base ({guess}); --base none "
        "sizes the dependencies alone (with --python X.Y).",
    )


def _mismatched_pythons(
    state: _Follow,
    dockerfile: Dockerfile,
    chain: list[Stage],
    copied: Mapping[int, list[str]],
    base: str,
) -> None:
    """A stage the final image copies from that runs another Python than the final base:
    what it installs there (compiled wheels, a venv) will not run in the image."""
    final = _python_minor(base)
    for index in copied:
        stage = dockerfile.stages[index]
        origin = _chain(dockerfile, stage)[-1]
        name, _patch = _base_of(origin.image)
        minor = _python_minor(name) if name else None
        if final and minor and minor != final:
            state.note(
                origin.line,
                f"stage {stage.label} runs Python {minor[0]}.{minor[1]} ({origin.image}) but the "
                f"final image's base runs {final[0]}.{final[1]}: what it installs and the final "
                f"stage copies will not import there (sized for {final[0]}.{final[1]})",
            )


def _python_minor(base: str) -> tuple[int, int] | None:
    try:
        return choose_base(base)[1].python_version
    except TargetError:
        return None


def _guess_base(image: str) -> str:
    name = _normalise_image(image)
    tail = name.rsplit("/", 1)[-1]
    if tail.startswith("python:"):
        version = re.match(r"python:(\d+\.\d+)", tail)
        xy = version.group(1) if version else "3.12"
        return f"e.g. --base python:{xy}-slim"
    if "alpine" in name:
        return "e.g. --base python:3.12-alpine"
    if "debian" in name or "ubuntu" in name:
        return "e.g. --base debian:12-slim, or python:3.12-slim"
    return "e.g. --base python:3.12-slim, distroless, debian:12-slim or standalone"


# ------------------------------------------------------------------------ the stages


def _chain(dockerfile: Dockerfile, stage: Stage) -> list[Stage]:
    """``stage`` and the stages it is built ``FROM``, down to the one on an image."""
    chain = [stage]
    while True:
        parent = dockerfile.stage(chain[-1].image)
        if parent is None or parent in chain or parent.index >= chain[-1].index:
            return chain
        chain.append(parent)


def _copied_stages(dockerfile: Dockerfile, chain: list[Stage]) -> dict[int, list[str]]:
    """The stages whose files reach the final image through ``COPY --from``, each with the
    paths copied from it (a stage built FROM a copied one is copied too, for its part)."""
    copied: dict[int, list[str]] = {}
    queue = list(chain)
    while queue:
        stage = queue.pop(0)
        for instruction in stage.instructions:
            if instruction.keyword not in ("COPY", "ADD") or "from" not in instruction.flags:
                continue
            source = dockerfile.stage(instruction.flags["from"][-1])
            if source is None or source in chain:
                continue
            words = _copy_words(instruction)
            paths = [posixpath.normpath(posixpath.join("/", w)) for w in words[:-1]]
            for member in _chain(dockerfile, source):
                if member in chain:
                    break
                known = copied.setdefault(member.index, [])
                fresh = [p for p in paths if p not in known]
                known.extend(fresh)
                if fresh and member not in queue:
                    queue.append(member)
    return copied


def _in_order(
    dockerfile: Dockerfile, chain: list[Stage], copied: Mapping[int, list[str]]
) -> list[Stage]:
    wanted = {s.index for s in chain} | set(copied)
    return [s for s in dockerfile.stages if s.index in wanted]


def _copy_words(instruction: Instruction) -> list[str]:
    words = (
        list(instruction.words) if instruction.words is not None else split_words(instruction.text)
    )
    return words


def _walk_stage(
    state: _Follow, stage: Stage, *, in_image: bool, copied: list[str] | None
) -> list[Found]:
    """Go through one stage's instructions: its copies, and what its ``RUN`` lines do."""
    found: list[Found] = []
    for instruction in stage.instructions:
        if instruction.unset and instruction.keyword in ("COPY", "ADD", "RUN"):
            names = ", ".join(f"${n}" for n in instruction.unset)
            state.note(instruction.line, f"{names} has no value here: it expands to nothing")
        if instruction.keyword in ("COPY", "ADD") and in_image and _copies_context(instruction):
            found.append(Found(instruction.line, None, True, whole_context=True))
        if instruction.keyword != "RUN":
            continue
        run_commands, problems = commands(instruction)
        for problem in problems:
            state.note(instruction.line, f"{problem}: not followed; nothing counted from it")
        mounts = tuple(_cache_mounts(instruction))
        for command in run_commands:
            for action in actions(command):
                reaches = _act(state, stage, instruction, action, in_image=in_image, copied=copied)
                found.append(
                    Found(instruction.line, action, reaches, cache_mounts=mounts, in_chain=in_image)
                )
    return found


def _copies_context(instruction: Instruction) -> bool:
    words = _copy_words(instruction)
    if len(words) < 2 or "from" in instruction.flags:
        return False
    return any(posixpath.normpath(w) in (".", "/") for w in words[:-1])


def _cache_mounts(instruction: Instruction) -> Iterator[str]:
    for mount in instruction.flags.get("mount", ()):
        fields = dict(part.partition("=")[::2] for part in mount.split(","))
        if fields.get("type") in ("cache", "tmpfs"):
            target = fields.get("target") or fields.get("dst") or fields.get("destination", "")
            yield posixpath.normpath(posixpath.join(instruction.workdir, target))


def _act(
    state: _Follow,
    stage: Stage,
    instruction: Instruction,
    action: Action,
    *,
    in_image: bool,
    copied: list[str] | None,
) -> bool:
    """Follow one action; whether what it writes reaches the final image."""
    line = instruction.line
    if isinstance(action, VenvCreated):
        state.venvs[action.path] = posixpath.basename(action.command.argv[0])
        return in_image or _covered(action.path, copied or [])
    if isinstance(action, Unfollowed):
        shown = " ".join(action.command.argv)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        state.note(line, f"`{shown}`: {action.why}: not followed; nothing counted from it")
        return in_image
    if isinstance(action, PipInstall):
        if action.tool == "pip wheel":
            state.wheelhouses.append((stage, instruction, action))
            return False
        location = _location(state, action)
        tooling = not action.requirements and all(_installer(p) for p in action.packages)
        if not in_image and not _covered(location, copied or []) and tooling:
            return False  # the builder's own tools (poetry, uv...): nothing of the image's
        if not in_image and not _covered(location, copied or []):
            state.note(
                line,
                f"{action.tool} install in stage {stage.label} writes to {location}, which the "
                "final image does not copy: not counted",
            )
            return False
        _pip(state, stage, instruction, action, location)
        return True
    if isinstance(action, ProjectSync):
        location = _sync_location(action)
        if not in_image and not _covered(location, copied or []):
            state.note(
                line,
                f"{action.tool} in stage {stage.label} writes to {location}, which the final "
                "image does not copy: not counted",
            )
            return False
        _sync(state, stage, instruction, action)
        return True
    return in_image


def _covered(location: str, copied: Sequence[str]) -> bool:
    return any(
        location == path
        or location.startswith(path.rstrip("/") + "/")
        or path.startswith(location + "/")
        for path in copied
    )


def _location(state: _Follow, action: PipInstall) -> str:
    """Where an install writes: its ``--target``/``--prefix``, the user's site, the
    virtual environment it runs in, else the system's prefix."""
    command = action.command
    if action.target:
        return action.target
    if action.user:
        return command.env.get("HOME", "/root") + "/.local"
    program = command.argv[0]
    if action.tool == "uv pip":
        if action.python:
            program = action.python
        elif action.system:
            return "/usr/local"
        elif command.env.get("VIRTUAL_ENV"):
            return command.env["VIRTUAL_ENV"]
        else:
            return posixpath.join(command.cwd, ".venv")
    if "/" in program:
        folder = posixpath.dirname(posixpath.dirname(program))
        if folder not in ("/usr", "/usr/local", "/"):
            return folder
    if command.activated:
        return command.activated
    for entry in command.env.get("PATH", "").split(":"):
        root = posixpath.dirname(entry.rstrip("/"))
        if entry.rstrip("/").endswith("/bin") and (
            root in state.venvs or root == command.env.get("VIRTUAL_ENV")
        ):
            return root
    return "/usr/local"


def _sync_location(action: ProjectSync) -> str:
    env = action.command.env
    if action.tool == "uv":
        where = env.get("UV_PROJECT_ENVIRONMENT") or ".venv"
        return posixpath.normpath(posixpath.join(action.project, where))
    if action.system:
        return "/usr/local"
    if env.get("POETRY_VIRTUALENVS_IN_PROJECT", "").lower() in ("1", "true") or env.get(
        "PIPENV_VENV_IN_PROJECT", ""
    ).lower() in ("1", "true"):
        return posixpath.join(action.project, ".venv")
    return env.get("HOME", "/root") + "/.cache"


# ------------------------------------------------------------------------ the files


def _lookup(
    state: _Follow, stage: Stage, instruction: Instruction, image_path: str, depth: int = 0
) -> str | tuple[str] | None:
    """The build context's path of ``image_path`` as ``stage`` has it where ``instruction``
    runs (``(text,)`` for a heredoc's content), or ``None``."""
    if depth > 8:
        return None
    for mapping in reversed(_mappings(state, stage, instruction)):
        hit = _match(state, mapping, stage, instruction, image_path, depth)
        if hit is not None:
            return hit
    parent = state.dockerfile.stage(stage.image)
    if parent is not None and parent.index < stage.index:
        last = parent.instructions[-1] if parent.instructions else None
        if last is not None:
            return _lookup(state, parent, last, image_path, depth + 1)
    return None


def _mappings(state: _Follow, stage: Stage, upto: Instruction) -> list[_Mapping]:
    out: list[_Mapping] = []
    for instruction in stage.instructions:
        if instruction.keyword in ("COPY", "ADD"):
            words = _copy_words(instruction)
            if len(words) >= 2:
                out.append(_mapping_of(state, instruction, words))
        if instruction is upto:
            out += _mounts(state, instruction)
            break
    return out


def _mapping_of(state: _Follow, instruction: Instruction, words: list[str]) -> _Mapping:
    sources = tuple(words[:-1])
    dest = posixpath.normpath(posixpath.join(instruction.workdir, words[-1]))
    into_folder = words[-1].endswith(("/", "/.")) or words[-1] == "."
    if into_folder or len(sources) > 1:
        dest += "/"  # a folder: a file copied there lands inside it
    from_stage = None
    external = False
    if "from" in instruction.flags:
        from_stage = state.dockerfile.stage(instruction.flags["from"][-1])
        external = from_stage is None
    heredocs = {h.name: h.body for h in instruction.heredocs}
    if any(re.match(r"[a-z]+://", s) for s in sources):
        external = True
    return _Mapping(sources, dest, from_stage, heredocs, external)


def _mounts(state: _Follow, instruction: Instruction) -> list[_Mapping]:
    out: list[_Mapping] = []
    for mount in instruction.flags.get("mount", ()):
        fields = dict(part.partition("=")[::2] for part in mount.split(","))
        if fields.get("type", "bind") != "bind" or "target" not in fields:
            continue
        source = fields.get("source") or fields.get("src") or "."
        target = fields.get("target") or fields.get("dst") or fields.get("destination", "")
        dest = posixpath.normpath(posixpath.join(instruction.workdir, target))
        from_stage = state.dockerfile.stage(fields["from"]) if "from" in fields else None
        out.append(
            _Mapping((source,), dest, from_stage, external="from" in fields and from_stage is None)
        )
    return out


def _match(
    state: _Follow,
    mapping: _Mapping,
    stage: Stage,
    instruction: Instruction,
    image_path: str,
    depth: int,
) -> str | tuple[str] | None:
    dest = mapping.dest.rstrip("/") or "/"
    for source in mapping.sources:
        heredoc = re.fullmatch(r"<<-?['\"]?([\w.-]+)['\"]?", source)
        if heredoc and heredoc.group(1) in mapping.heredocs:
            if image_path in (dest, posixpath.join(dest, heredoc.group(1))):
                return (mapping.heredocs[heredoc.group(1)],)
            continue
        if mapping.external:
            continue
        candidates = _under(dest, source, image_path)
        if mapping.from_stage is not None:
            last = mapping.from_stage.instructions[-1] if mapping.from_stage.instructions else None
            for candidate in candidates:
                inner = posixpath.normpath(posixpath.join("/", candidate))
                if last is not None:
                    hit = _lookup(state, mapping.from_stage, last, inner, depth + 1)
                    if hit is not None:
                        return hit
            continue
        into_folder = mapping.dest.endswith("/") and image_path == dest
        for candidate in candidates:
            for path in _context_paths(state.context, candidate):
                # a file copied into a folder is inside it, not the folder itself
                if os.path.exists(path) and not (into_folder and os.path.isfile(path)):
                    return path
    return None


def _under(dest: str, source: str, image_path: str) -> list[str]:
    """Where ``image_path`` would come from, in ``source``'s terms, if a copy of ``source``
    to ``dest`` wrote it: as a folder's contents, or as the file itself."""
    out: list[str] = []
    if image_path == dest:
        out.append(source)
    elif image_path.startswith(dest.rstrip("/") + "/"):
        rest = image_path[len(dest.rstrip("/")) + 1 :]
        out.append(posixpath.join(source, rest))
        if posixpath.basename(source.rstrip("/")) == rest.split("/", 1)[0] or _is_glob(source):
            inner = rest.split("/", 1)
            out.append(posixpath.join(posixpath.dirname(source.rstrip("/")), *inner))
    return out


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def _context_paths(context: str, relative: str) -> list[str]:
    """The context's files ``relative`` names (a glob may name several)."""
    path = os.path.normpath(os.path.join(context, relative.lstrip("/")))
    if not (path + os.sep).startswith(context.rstrip(os.sep) + os.sep) and path != context:
        return []
    if _is_glob(relative):
        return sorted(glob.glob(path))
    return [path]


PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg")
"""What makes a folder a project pip can install."""


def _project_folder(
    state: _Follow, stage: Stage, instruction: Instruction, image_path: str
) -> str | None:
    """The build context's folder of the project at ``image_path``, found through where its
    ``pyproject.toml`` (or ``setup.py``) came from: a project folder in the image is often
    put together by several COPY lines (``COPY pyproject.toml .``, ``COPY src ./src``)."""
    for name in PROJECT_FILES:
        hit = _lookup(state, stage, instruction, posixpath.join(image_path, name))
        if isinstance(hit, str) and os.path.basename(hit) == name:
            return os.path.dirname(hit)
    return None


def _find(
    state: _Follow, stage: Stage, instruction: Instruction, image_path: str, what: str
) -> str | tuple[str]:
    """A file an install line names, found in the context; a note when it is not copied."""
    absolute = posixpath.normpath(posixpath.join(instruction.workdir, image_path))
    if what in ("the project", "the path"):
        project = _project_folder(state, stage, instruction, absolute)
        if project is not None:
            return project
    hit = _lookup(state, stage, instruction, absolute)
    if hit is not None:
        return hit
    relative = (
        posixpath.relpath(absolute, instruction.workdir)
        if absolute.startswith(instruction.workdir)
        else image_path
    )
    for guess in dict.fromkeys([relative, posixpath.basename(absolute)]):
        path = os.path.join(state.context, guess)
        if not guess.startswith("..") and os.path.exists(path):
            state.note(
                instruction.line,
                f"{what} {image_path} is not copied into the image by any COPY line: read "
                f"{os.path.relpath(path)} of the build context, assumed to be it",
            )
            return path
    raise ProjectFileError(
        f"{what} {image_path} this line installs is neither copied into the image nor in the "
        f"build context ({state.context}): the floor would leave it out",
        file=state.shown,
        line=instruction.line,
        hint="Pass the folder docker build is given with --context DIR (default: the "
        "Dockerfile's folder), or fix the COPY line that should bring it in.",
    )


# ------------------------------------------------------------------------ the installs


def _pip(
    state: _Follow, stage: Stage, instruction: Instruction, action: PipInstall, location: str
) -> None:
    origin = Origin(state.shown, instruction.line)
    packages = [p for p in action.packages if not _installer(p)]
    installers = [p for p in action.packages if _installer(p)]
    if not packages and not action.requirements and not action.editables and installers:
        return  # the installer's own upgrade: an addition, not the service's
    sets: list[RequirementSet] = []
    for option in action.unknown_options:
        state.note(
            instruction.line, f"{action.tool} option {option} is not known to sizefloor: ignored"
        )
    if action.no_deps:
        state.note(instruction.line, "--no-deps: the dependencies are resolved all the same")
    index_options = [*_index_environment(action), *action.index_options]
    if index_options:
        sets.append(parse_requirements_text("\n".join(index_options) + "\n", filename=state.shown))
    for image_path in action.requirements:
        found = _find(state, stage, instruction, image_path, "the requirements file")
        if found is not None:
            sets.append(_read_listed(state, found, action))
    for image_path in action.constraints:
        found = _find(state, stage, instruction, image_path, "the constraints file")
        if isinstance(found, str):
            more = read_requirements(found)
            sets.append(
                replace(more, requirements=(), constraints=more.requirements + more.constraints)
            )
    lines = []
    for value in action.editables:
        found = _find(state, stage, instruction, value, "the project")
        if isinstance(found, str):
            lines.append(editable_line(found, state.context, origin))
    built = len(state.wheelhouses)
    for spec in packages:
        line = _package_line(state, stage, instruction, spec, origin)
        if line is not None:
            lines.append(line)
    if lines:
        sets.append(RequirementSet(requirements=tuple(lines), files=(state.shown,)))
    if (action.find_links or action.no_index) and not (built and not state.wheelhouses):
        state.note(
            instruction.line,
            "--no-index/--find-links name folders inside the image (wheels built in an "
            "earlier stage): the same requirements are looked up on the index",
        )
    state.sets.extend(sets)
    state.compiles.append(action.compiles)
    # pip's --target/--prefix/--root and --user write with the system's interpreter
    state.locations.append("" if action.user or action.target is not None else location)


def _index_environment(action: PipInstall) -> list[str]:
    """The index the install's environment names (``ENV PIP_INDEX_URL=...``, uv's
    ``UV_INDEX_URL``/``UV_DEFAULT_INDEX``), as requirements-file options."""
    env = action.command.env
    uv = action.tool == "uv pip"
    main = (
        env.get("UV_DEFAULT_INDEX") or env.get("UV_INDEX_URL") if uv else env.get("PIP_INDEX_URL")
    )
    extra = env.get("UV_EXTRA_INDEX_URL" if uv else "PIP_EXTRA_INDEX_URL", "")
    options = [f"--index-url {main}"] if main else []
    return options + [f"--extra-index-url {url}" for url in extra.split()]


def _installer(spec: str) -> bool:
    name = re.split(r"[\[<>=!~;@ ]", spec.strip(), maxsplit=1)[0]
    return name.lower().replace("_", "-") in INSTALLERS


def _package_line(
    state: _Follow, stage: Stage, instruction: Instruction, spec: str, origin: Origin
) -> RequirementLine | None:
    """A package argument as a requirement: a name, a URL, or a path found in the context."""
    if not _looks_local(spec):
        return requirement_line(spec, state.context, origin)
    split = re.fullmatch(r"(.*?)(\[[^\]]*\])?", spec)
    body, extras = (split.group(1), split.group(2)) if split else (spec, None)
    if (_is_glob(body) or _from_wheelhouse(state, body)) and _wheelhouse(state, instruction):
        return None
    found = _find(state, stage, instruction, body, "the path")
    if isinstance(found, str):
        return requirement_line(found + (extras or ""), state.context, origin)
    return None


def _looks_local(spec: str) -> bool:
    return spec.startswith((".", "/", "~")) or spec.endswith((".whl", ".tar.gz", ".zip"))


def _from_wheelhouse(state: _Follow, path: str) -> bool:
    return any(
        w.target and posixpath.basename(path.rstrip("/*")) in posixpath.basename(w.target)
        for _s, _i, w in state.wheelhouses
    )


def _wheelhouse(state: _Follow, instruction: Instruction) -> bool:
    """Wheels an earlier stage built with ``pip wheel``: what it was asked for counts."""
    if not state.wheelhouses:
        return False
    built, state.wheelhouses = state.wheelhouses, []
    for stage, made, wheel in built:
        _pip(state, stage, made, replace(wheel, tool="pip", target=None), "/usr/local")
    state.note(
        instruction.line,
        "installs the wheels `pip wheel` built in an earlier stage: counted as what that line "
        "asked for",
    )
    return True


def _read_listed(state: _Follow, found: str | tuple[str], action: PipInstall) -> RequirementSet:
    if isinstance(found, tuple):
        return parse_requirements_text(found[0], filename=state.shown)
    if os.path.basename(found) == "pyproject.toml":
        requirements, _lock, notes = state.read(
            found, Selection(action.extras, (), action.all_extras), True
        )
        state.notes.extend(notes)
        return requirements or RequirementSet()
    return read_requirements(found)


def _sync(state: _Follow, stage: Stage, instruction: Instruction, action: ProjectSync) -> None:
    """``uv sync``, ``poetry install``, ``pipenv install``: the project's lock, else its
    ``pyproject.toml``."""
    names = {
        "uv": ("uv.lock", "pyproject.toml"),
        "poetry": ("poetry.lock", "pyproject.toml"),
        "pipenv": ("Pipfile.lock",),
    }[action.tool]
    groups = tuple(g for g in action.groups if g != ":all:")
    if action.tool == "pipenv" and action.dev:
        groups += ("develop",)
    selection = Selection(
        tuple(dict.fromkeys((*state.selection.extras, *action.extras))),
        tuple(dict.fromkeys((*state.selection.groups, *groups))),
        state.selection.all_extras or action.all_extras,
    )
    for name in names:
        image_path = posixpath.join(action.project, name)
        hit = _lookup(state, stage, instruction, image_path)
        if isinstance(hit, str):
            requirements, locked, notes = state.read(hit, selection, action.install_project)
            if locked is not None:
                state.locks.append((f"{state.shown}:{instruction.line}", locked))
            elif requirements is not None:
                state.sets.append(requirements)
            state.notes.extend(notes)
            state.compiles.append(action.compiles)
            venv = _sync_location(action)
            state.locations.append(venv if venv.endswith("/.venv") else "")
            return
    _find(
        state,
        stage,
        instruction,
        posixpath.join(action.project, names[0]),
        f"{action.tool}'s lock file",
    )


def _combined(state: _Follow) -> tuple[RequirementSet | None, LockedSet | None]:
    """One lock, or the requirements of every counted install merged."""
    if state.locks:
        where, lock = state.locks[0]
        paths = {each.path for _w, each in state.locks}
        if len(paths) > 1:
            state.notes.append(
                f"{where}: several lock files are installed: {lock.path} is sized alone"
            )
        if state.sets and any(s.requirements for s in state.sets):
            state.notes.append(
                f"{where}: the image also installs requirements beside "
                f"{os.path.basename(lock.path)}: "
                "sizefloor sizes the lock's packages, the others are not counted"
            )
        return None, lock
    if not state.sets:
        return RequirementSet(), None
    merged = state.sets[0]
    for more in state.sets[1:]:
        merged = merged.merged(more)
    return merged, None


def _compiles(state: _Follow) -> bool | None:
    if not state.compiles or all(state.compiles):
        return None
    if not any(state.compiles):
        return False
    state.notes.append(
        f"{state.shown}: some installs compile bytecode and some do not: sized with it"
    )
    return None


def _prefix(state: _Follow) -> tuple[str | None, str | None]:
    """The virtual environment (or ``--prefix``) the installs write to, when they all write
    to one; ``None`` for the system's prefix."""
    places = set(state.locations)
    if len(places) != 1:
        return None, None
    place = places.pop()
    if place in ("", "/usr/local", "/usr") or place.endswith("/.local"):
        return None, None
    return place, f"{place}/bin/{state.venvs.get(place, 'python')}"


# ------------------------------------------------------------------------ the base


def _normalise_image(image: str) -> str:
    text = image.strip().split("@", 1)[0].lower()
    for prefix in (
        "docker.io/library/",
        "index.docker.io/library/",
        "registry-1.docker.io/library/",
        "mirror.gcr.io/library/",
        "docker.io/",
        "library/",
    ):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text


def _base_of(image: str) -> tuple[str | None, str | None]:
    """The ``--base`` name for a ``FROM`` image and the patch version its tag names, or
    ``(None, None)`` for an image sizefloor has no base for."""
    name = _normalise_image(image)
    if ":" not in name.rsplit("/", 1)[-1] and name in ("python", "debian"):
        name += ":latest"
    try:
        spec = parse_base(name)
    except TargetError:
        return None, None
    if spec.family in ("host", "none", "standalone"):
        return None, None
    if name.startswith("debian:latest") or name == "debian:latest":
        return None, None
    python = spec.version if spec.version and spec.version.count(".") == 2 else None
    return name, python
