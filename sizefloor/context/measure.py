"""What ``docker build DIR`` sends: the build context after ``.dockerignore``.

:func:`measure_context` walks ``DIR`` once (symlinks are not followed, as Docker does not follow
them), applies the ignore file with Docker's own rules (:mod:`sizefloor.context.dockerignore`,
BuildKit's walk) and returns a :class:`Context`: the files sent, the largest folders and files among
them, and :class:`Proposal` lines for ``.dockerignore`` with the bytes each would save, computed by
applying the file with the line appended (later lines win, so an appended line is what a user would
get).

The ignore file is ``<Dockerfile>.dockerignore`` beside the Dockerfile when it exists
(BuildKit's Dockerfile-specific ignore file), else ``DIR/.dockerignore``. The Dockerfile
and the ignore file are always sent: Docker needs them even when they match a pattern.

Bytes are the regular files' sizes (symlinks, folders and special files count 0).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sizefloor.context.dockerignore import PatternMatcher, read_patterns
from sizefloor.errors import InputError

__all__ = ["Context", "ContextError", "Proposal", "measure_context"]

VCS_DIRS = ("git", "hg", "svn", "bzr")
CACHE_DIRS = (
    "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", ".nox",
    ".ipynb_checkpoints", ".hypothesis", ".pytype",
)  # fmt: skip
DATA_SUFFIXES = frozenset(
    {
        ".csv", ".tsv", ".parquet", ".feather", ".arrow", ".avro", ".orc", ".jsonl", ".npy",
        ".npz", ".h5", ".hdf5", ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".ckpt", ".onnx",
        ".safetensors", ".tflite", ".pb", ".bin", ".gguf", ".tfrecord", ".db", ".sqlite",
        ".json", ".ndjson", ".xlsx", ".xls",
    }
)  # fmt: skip
DATA_FOLDER_NAMES = frozenset(
    {"data", "datasets", "dataset", "models", "checkpoints", "weights", "mlruns", "wandb"}
)  # fmt: skip
DEFAULT_DATA_BYTES = 1_000_000


class ContextError(InputError):
    """A build context that cannot be measured (missing, unreadable)."""


@dataclass
class _Node:
    path: str
    """Relative to the context, ``/``-separated; ``""`` for the root."""
    kind: str
    """``dir``, ``file``, ``symlink`` or ``other``."""
    size: int = 0
    children: list[_Node] = field(default_factory=list)
    unreadable: bool = False

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Proposal:
    """A line to add to .dockerignore, and what it saves."""

    line: str
    reason: str
    saves_bytes: int
    saves_files: int

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "reason": self.reason,
            "saves_bytes": self.saves_bytes,
            "saves_files": self.saves_files,
        }


@dataclass(frozen=True)
class Context:
    directory: str
    ignore_file: str | None
    patterns: tuple[str, ...]
    sent: tuple[tuple[str, int], ...]
    """Every regular file sent, with its size, sorted by path."""
    sent_symlinks: int
    total_bytes: int
    total_files: int
    always_sent: tuple[str, ...]
    folders: tuple[tuple[str, int], ...]
    """The largest folders sent (one or two levels deep), largest first."""
    largest_files: tuple[tuple[str, int], ...]
    proposals: tuple[Proposal, ...]
    together_saves_bytes: int
    together_saves_files: int

    @property
    def sent_bytes(self) -> int:
        return sum(size for _, size in self.sent)

    @property
    def sent_files(self) -> int:
        return len(self.sent)

    def to_json(self, *, with_paths: bool = False) -> dict[str, Any]:
        document: dict[str, Any] = {
            "context": self.directory,
            "ignore_file": self.ignore_file,
            "patterns": list(self.patterns),
            "sent_bytes": self.sent_bytes,
            "sent_files": self.sent_files,
            "sent_symlinks": self.sent_symlinks,
            "excluded_bytes": self.total_bytes - self.sent_bytes,
            "excluded_files": self.total_files - self.sent_files,
            "always_sent": list(self.always_sent),
            "largest_folders": [{"path": p, "bytes": b} for p, b in self.folders],
            "largest_files": [{"path": p, "bytes": b} for p, b in self.largest_files],
            "proposals": [p.to_json() for p in self.proposals],
            "together_saves_bytes": self.together_saves_bytes,
            "together_saves_files": self.together_saves_files,
        }
        if with_paths:
            document["sent"] = [{"path": p, "bytes": b} for p, b in self.sent]
        return document


def _scan(root: Path) -> _Node:
    top = _Node("", "dir")
    stack = [(root, top)]
    while stack:
        folder, node = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=_byte_order)
        except PermissionError:
            node.unreadable = True
            continue
        for entry in entries:
            path = f"{node.path}/{entry.name}" if node.path else entry.name
            if entry.is_symlink():
                child = _Node(path, "symlink")
            elif entry.is_dir(follow_symlinks=False):
                child = _Node(path, "dir")
                stack.append((Path(entry.path), child))
            elif entry.is_file(follow_symlinks=False):
                child = _Node(path, "file", entry.stat(follow_symlinks=False).st_size)
            else:
                child = _Node(path, "other")
            node.children.append(child)
    return top


def _byte_order(entry: os.DirEntry[str]) -> bytes:
    """Go sorts names as bytes."""
    return os.fsencode(entry.name)


def _walk(root: _Node, matcher: PatternMatcher, *, legacy: bool = False) -> Iterator[_Node]:
    """The nodes the builder sends (files, symlinks, others; folders are implied)."""
    stack: list[tuple[_Node, list[bool] | None]] = [
        (child, None) for child in reversed(root.children)
    ]
    if root.unreadable:
        raise ContextError(f"cannot read the build context {root.path or '.'}: permission denied")
    while stack:
        node, parent = stack.pop()
        excluded, info = matcher.matches_using_parent(node.path, parent)
        if node.kind == "dir":
            if excluded and _skip_folder(matcher, node.path, legacy=legacy):
                continue
            if node.unreadable:
                if excluded:
                    continue
                raise ContextError(
                    f"cannot read {node.path} in the build context: permission denied",
                    hint="docker build would fail the same way; fix its permissions or "
                    "add it to .dockerignore.",
                )
            stack.extend((child, info) for child in reversed(node.children))
        elif not excluded:
            yield node


def _skip_folder(matcher: PatternMatcher, path: str, *, legacy: bool) -> bool:
    """Whether an excluded folder is skipped whole (not walked for exceptions)."""
    if not matcher.exclusions:
        return True
    if legacy:
        return not matcher.legacy_may_include_inside(path)
    return matcher.only_prefix_exceptions and not matcher.may_include_inside(path)


def _all_nodes(root: _Node) -> Iterator[_Node]:
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def measure_context(
    directory: str | os.PathLike[str],
    *,
    dockerfile: str | os.PathLike[str] | None = None,
    data_bytes: int = DEFAULT_DATA_BYTES,
    top: int = 10,
    builder: str = "buildkit",
) -> Context:
    """Measure what ``docker build directory [-f dockerfile]`` sends (see the module docs).

    ``builder`` is ``buildkit`` (Docker's default) or ``legacy`` (``DOCKER_BUILDKIT=0``).
    """
    if builder not in ("buildkit", "legacy"):
        raise ContextError(
            f"unknown builder {builder!r}", hint="The builders are 'buildkit' and 'legacy'."
        )
    root = Path(directory)
    if not root.is_dir():
        raise ContextError(f"{root}: no such folder.", hint="Give the folder `docker build` gets.")
    docker_path = Path(dockerfile) if dockerfile is not None else root / "Dockerfile"
    ignore_path = _ignore_file(root, docker_path, legacy=builder == "legacy")
    transfer = _Transfer.of(root, docker_path, ignore_path, legacy=builder == "legacy")
    sent = transfer.files()
    proposals = _proposals(transfer, sent, data_bytes)
    together = transfer.files([p.line for p in proposals]) if proposals else sent
    sizes = transfer.sizes
    return Context(
        directory=str(root),
        ignore_file=str(ignore_path) if ignore_path.is_file() else None,
        patterns=tuple(transfer.patterns),
        sent=tuple(sorted(sent.items())),
        sent_symlinks=sum(1 for n in transfer.nodes() if n.kind == "symlink"),
        total_bytes=sum(sizes.values()),
        total_files=len(sizes),
        always_sent=tuple(transfer.always),
        folders=_largest_folders(sent, top),
        largest_files=tuple(sorted(sent.items(), key=lambda kv: (-kv[1], kv[0]))[:top]),
        proposals=tuple(proposals),
        together_saves_bytes=sum(sent.values()) - sum(together.values()),
        together_saves_files=len(sent) - len(together),
    )


def _ignore_file(root: Path, dockerfile: Path, *, legacy: bool) -> Path:
    """``<Dockerfile>.dockerignore`` when it exists (BuildKit only), else ``.dockerignore``."""
    specific = Path(str(dockerfile) + ".dockerignore")
    return specific if specific.is_file() and not legacy else root / ".dockerignore"


def _read_ignore_file(path: Path) -> list[str]:
    if not path.is_file():
        return []
    try:
        text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError as exc:
        raise ContextError(f"cannot read {path}: {exc.strerror}") from None
    return read_patterns(text)


@dataclass(frozen=True)
class _Transfer:
    """What the builder sends from the scanned context, with lines appended to the patterns."""

    tree: _Node
    patterns: list[str]
    sizes: dict[str, int]
    """Every regular file of the context, sent or not, with its size."""
    dockerfile: str | None
    """The Dockerfile's path in the context, when it is inside it."""
    always: list[str]
    """The Dockerfile and the ignore file: sent whatever the patterns say."""
    legacy: bool

    @classmethod
    def of(cls, root: Path, dockerfile: Path, ignore_file: Path, *, legacy: bool) -> _Transfer:
        patterns = _read_ignore_file(ignore_file)
        tree = _scan(root)
        sizes = {n.path: n.size for n in _all_nodes(tree) if n.kind == "file"}
        docker_rel = _relative(dockerfile, root)
        always = [
            rel
            for rel in (docker_rel, _relative(ignore_file, root))
            if rel is not None and rel in sizes
        ]
        return cls(tree, patterns, sizes, docker_rel, always, legacy)

    def nodes(self, extra: Sequence[str] = ()) -> list[_Node]:
        """The files, symlinks and others sent with ``extra`` lines appended."""
        rules = [*self.patterns, *extra]
        if self.legacy:
            rules = _trim_build_files(rules, self.dockerfile or "Dockerfile")
        return list(_walk(self.tree, PatternMatcher(rules), legacy=self.legacy))

    def files(self, extra: Sequence[str] = ()) -> dict[str, int]:
        """The regular files sent with ``extra`` lines appended, and their sizes."""
        result = {n.path: n.size for n in self.nodes(extra) if n.kind == "file"}
        for rel in self.always:
            result[rel] = self.sizes[rel]
        return result


def _proposals(transfer: _Transfer, sent: dict[str, int], data_bytes: int) -> list[Proposal]:
    """Each candidate line that saves bytes, measured appended to the current patterns."""
    proposals = []
    now_bytes = sum(sent.values())
    for line, reason in _candidates(transfer.tree, sent, data_bytes):
        after = transfer.files([line])
        saved = now_bytes - sum(after.values())
        if saved > 0:
            proposals.append(Proposal(line, reason, saved, len(sent) - len(after)))
    proposals.sort(key=lambda p: (-p.saves_bytes, p.line))
    return proposals


def _trim_build_files(patterns: list[str], dockerfile: str) -> list[str]:
    """The legacy CLI's ``TrimBuildFilesFromExcludes``: keep .dockerignore and the Dockerfile."""
    matcher = PatternMatcher(patterns)
    result = list(patterns)
    if matcher.matches_legacy(".dockerignore"):
        result.append("!.dockerignore")
    if PatternMatcher(result).matches_legacy(dockerfile):
        result.append("!" + dockerfile)
    return result


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _largest_folders(sent: dict[str, int], top: int) -> tuple[tuple[str, int], ...]:
    folders: dict[str, int] = defaultdict(int)
    for path, size in sent.items():
        parts = path.split("/")[:-1]
        for depth in (1, 2):
            if len(parts) >= depth:
                folders["/".join(parts[:depth])] += size
    ranked = sorted(folders.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(ranked[:top])


def _scope(paths: list[str], name: str) -> str:
    """``name`` when every match sits at the root, else ``**/name``."""
    return name if all("/" not in p for p in paths) else f"**/{name}"


def _candidates(tree: _Node, sent: dict[str, int], data_bytes: int) -> list[tuple[str, str]]:
    dirs = [n for n in _all_nodes(tree) if n.kind == "dir" and n.path]
    sent_under: dict[str, int] = defaultdict(int)
    for path, size in sent.items():
        parts = path.split("/")
        for depth in range(1, len(parts)):
            sent_under["/".join(parts[:depth])] += size
    found: list[tuple[str, str]] = []
    offenders: list[str] = []
    by_name: dict[str, list[str]] = defaultdict(list)
    for node in dirs:
        if sent_under.get(node.path):
            by_name[node.name].append(node.path)
    for vcs in VCS_DIRS:
        if paths := by_name.get("." + vcs):
            found.append((_scope(paths, "." + vcs), "version control"))
            offenders += paths
    for node in dirs:
        venv = any(c.name == "pyvenv.cfg" and c.kind == "file" for c in node.children)
        if venv and sent_under.get(node.path):
            found.append((node.path, "a virtual environment (pyvenv.cfg)"))
            offenders.append(node.path)
    for name in (*CACHE_DIRS, "node_modules"):
        if paths := by_name.get(name):
            found.append((_scope(paths, name), "caches" if name != "node_modules" else name))
            offenders += paths
    found += _data_candidates(dirs, sent, tuple(p + "/" for p in offenders), data_bytes)
    return list(dict.fromkeys(found))


def _data_candidates(
    dirs: list[_Node], sent: dict[str, int], offenders: tuple[str, ...], data_bytes: int
) -> list[tuple[str, str]]:
    """Folders mostly of data and model files (or named so), then data files by suffix."""
    total_under: dict[str, int] = defaultdict(int)
    data_under: dict[str, int] = defaultdict(int)
    code_under: dict[str, int] = defaultdict(int)
    rest = {p: s for p, s in sent.items() if not p.startswith(offenders)}
    for path, size in rest.items():
        parts = path.split("/")
        suffix = _suffix(parts[-1])
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            total_under[folder] += size
            if suffix in DATA_SUFFIXES:
                data_under[folder] += size
            elif suffix == ".py":
                code_under[folder] += size
    found: list[tuple[str, str]] = []
    chosen: list[str] = []
    for node in sorted(dirs, key=lambda n: n.path):
        if any(node.path.startswith(c + "/") for c in chosen):
            continue
        total = total_under.get(node.path, 0)
        data = data_under.get(node.path, 0)
        named = node.name.lower() in DATA_FOLDER_NAMES
        code = code_under.get(node.path, 0)
        if (data >= data_bytes and data * 2 >= total) or (
            named and total >= data_bytes and code * 10 < total
        ):
            chosen.append(node.path)
            found.append((node.path, "data and models"))
    loose: dict[str, int] = defaultdict(int)
    for path, size in rest.items():
        suffix = _suffix(path.rsplit("/", 1)[-1])
        if suffix in DATA_SUFFIXES and not any(path.startswith(c + "/") for c in chosen):
            loose[suffix] += size
    for suffix, size in sorted(loose.items()):
        if size >= data_bytes:
            found.append((f"**/*{suffix}", "data and models"))
    return found


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""
