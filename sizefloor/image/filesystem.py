"""The image's filesystem, built in memory by applying layers in order.

Only the tree and each file's size, layer and digest are kept, never file contents
(except the few metadata files a layer scan was asked to keep). The rules are those of
Docker's layer applier and the OCI image spec:

- whiteouts and opaque markers of a layer act on the layers below it, before the
  layer's own entries are added;
- an entry replaces whatever was at its path, except a directory over a directory,
  which merges;
- a path whose parent is a symlink is resolved through it, inside the image's root
  (``/`` is the image's root, ``..`` stops there, as in the chroot Docker applies
  layers in);
- a hard link shares its target's *inode*: its bytes are counted once.

Sizes (the definition every figure uses): a regular file counts its size, once per
inode however many hard links name it; directories, symlinks, devices and fifos count
0. This is what the floor counts too (the regular files pip writes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sizefloor.errors import ImageError
from sizefloor.image.layer import Entry, Parts

_MAX_HOPS = 40


@dataclass
class Inode:
    """One regular file's data, as some layer wrote it."""

    layer: int
    size: int
    digest: str | None
    path: str
    """Where the layer first wrote it."""
    content: bytes | None = None


class Dir:
    __slots__ = ("children", "layer")

    def __init__(self, layer: int) -> None:
        self.children: dict[str, FsNode] = {}
        self.layer = layer


class File:
    __slots__ = ("inode",)

    def __init__(self, inode: int) -> None:
        self.inode = inode


class Symlink:
    __slots__ = ("layer", "target")

    def __init__(self, target: str, layer: int) -> None:
        self.target = target
        self.layer = layer


class Special:
    __slots__ = ("layer",)

    def __init__(self, layer: int) -> None:
        self.layer = layer


FsNode = Dir | File | Symlink | Special


@dataclass(frozen=True)
class LayerCounts:
    """What one layer adds, before later layers hide any of it."""

    content_bytes: int
    files: int
    whiteouts: int


class Filesystem:
    """The merged filesystem of the layers applied so far."""

    def __init__(self) -> None:
        self.root = Dir(-1)
        self.inodes: list[Inode] = []

    # -- applying a layer -----------------------------------------------------------

    def apply(self, entries: list[Entry], layer: int, *, name: str) -> LayerCounts:
        whiteouts = 0
        for entry in entries:
            if entry.kind == "whiteout":
                whiteouts += 1
                parent = self._parent(entry.path, layer, create=False, name=name)
                if parent is not None:
                    parent.children.pop(entry.path[-1], None)
            elif entry.kind == "opaque":
                whiteouts += 1
                marked = self._lookup(entry.path, name=name)
                if isinstance(marked, Dir):
                    marked.children.clear()
        content = files = 0
        for entry in entries:
            if entry.kind in ("whiteout", "opaque"):
                continue
            parent = self._parent(entry.path, layer, create=True, name=name)
            assert parent is not None
            leaf = entry.path[-1]
            if entry.kind == "dir":
                if not isinstance(parent.children.get(leaf), Dir):
                    parent.children[leaf] = Dir(layer)
                continue
            node: FsNode
            if entry.kind == "file":
                self.inodes.append(
                    Inode(layer, entry.size, entry.digest, "/".join(entry.path), entry.content)
                )
                node = File(len(self.inodes) - 1)
                content += entry.size
                files += 1
            elif entry.kind == "hardlink":
                node = self._hardlink(entry, name=name)
                files += 1
            elif entry.kind == "symlink":
                node = Symlink(entry.link or "", layer)
            else:
                node = Special(layer)
            parent.children[leaf] = node
        return LayerCounts(content, files, whiteouts)

    def _hardlink(self, entry: Entry, *, name: str) -> FsNode:
        target_path = tuple((entry.link or "").split("/"))
        target = self._lookup(target_path, name=name)
        if isinstance(target, File):
            return File(target.inode)
        if isinstance(target, Symlink):
            return Symlink(target.target, target.layer)
        raise ImageError(
            f"{name} has a hard link /{'/'.join(entry.path)} to /{entry.link}, which "
            + ("is a directory." if isinstance(target, Dir) else "does not exist.")
            + " The archive is damaged.",
        )

    def _parent(self, path: Parts, layer: int, *, create: bool, name: str) -> Dir | None:
        """The directory that holds ``path``, symlinks followed, created when asked."""
        return self._walk(path[:-1], layer, create=create, name=name, hops=0)

    def _walk(self, parts: Parts, layer: int, *, create: bool, name: str, hops: int) -> Dir | None:
        current = self.root
        done: list[str] = []
        for i, part in enumerate(parts):
            child = current.children.get(part)
            if isinstance(child, Symlink):
                if hops >= _MAX_HOPS:
                    raise ImageError(
                        f"{name}: too many levels of symlinks at /{'/'.join(parts[: i + 1])}."
                    )
                resolved = _join(tuple(done), child.target) + parts[i + 1 :]
                return self._walk(resolved, layer, create=create, name=name, hops=hops + 1)
            if not isinstance(child, Dir):
                if not create:
                    return None
                child = Dir(layer)  # a missing parent, or a file in the way: a directory now
                current.children[part] = child
            current = child
            done.append(part)
        return current

    def _lookup(self, path: Parts, *, name: str) -> FsNode | None:
        parent = self._walk(path[:-1], -1, create=False, name=name, hops=0)
        if parent is None:
            return None
        if not path:
            return self.root
        return parent.children.get(path[-1])

    # -- reading the result -----------------------------------------------------------

    def walk(self) -> Iterator[tuple[str, FsNode]]:
        """Every path (``/``-joined, no leading slash) and its node, in no particular order."""
        stack: list[tuple[str, Dir]] = [("", self.root)]
        while stack:
            prefix, directory = stack.pop()
            for key, node in directory.children.items():
                path = f"{prefix}/{key}" if prefix else key
                yield path, node
                if isinstance(node, Dir):
                    stack.append((path, node))


def _join(base: Parts, target: str) -> Parts:
    """``target`` resolved from the directory ``base``, inside the root (``..`` stops at ``/``)."""
    parts: list[str] = [] if target.startswith("/") else list(base)
    for part in target.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return tuple(parts)
