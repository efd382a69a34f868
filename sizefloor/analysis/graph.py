"""The dependency graph of a resolution, and what it says about sizes.

A :class:`~sizefloor.report.Report` keeps the graph in its packages'
``required_by`` (each dependent's name, and ``-r FILE:LINE`` for a top-level
requirement), so every analysis here runs offline, on a report alone:

- :meth:`DependencyGraph.paths_to`: the chains from the top-level
  requirements down to a package (``--why``);
- :meth:`DependencyGraph.unique_bytes`: for each top-level requirement, the
  bytes that would go if its line were dropped: the packages reachable only
  through it. Computed with dominators on the graph from a virtual root that
  points at one node per requirement line, which points at its package: a
  package is unique to a requirement when that line's node dominates it. A
  package two top-level requirements reach belongs to neither, and a top-level
  requirement another one also pulls in saves nothing on its own;
- :meth:`DependencyGraph.retained_bytes`: the same for any package (the size
  of its subtree in the dominator tree: what would go with it);
- :meth:`DependencyGraph.reachable_bytes`: a package and everything below it,
  each counted once (the size of its subtree in the dependency tree).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

if TYPE_CHECKING:
    from sizefloor.report import PackageSize

_ENTRY = "\0"
"""The virtual root; requirement-line nodes are ``"\\0" + name``."""

REQUIREMENT_PREFIX = "-r "
"""How ``required_by`` marks a top-level requirement's origin."""


@dataclass(frozen=True)
class Node:
    """One package of the graph."""

    key: str
    """The canonical (PEP 503) name."""
    name: str
    """The name as the index spells it."""
    version: str
    installed_bytes: int

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


@dataclass(frozen=True)
class Chains:
    """The paths from the top-level requirements to one package."""

    target: str
    paths: tuple[tuple[str, ...], ...]
    """Each path runs from a top-level requirement to ``target`` (canonical names)."""
    truncated: bool = False
    """More paths exist than were collected."""


@dataclass(frozen=True)
class Attribution:
    """The installed bytes split among the top-level requirements.

    ``sum(unique.values()) + shared + unattached == total``.
    """

    unique: Mapping[str, int]
    """Top-level requirement (canonical name) -> bytes reachable only through it."""
    shared: int
    """Bytes of packages that more than one top-level requirement pulls in."""
    unattached: int
    """Bytes of packages no top-level requirement reaches (a report without its graph)."""
    total: int


@dataclass(frozen=True)
class DependencyGraph:
    """Packages, who requires whom, and the top-level requirements."""

    nodes: Mapping[str, Node]
    dependencies: Mapping[str, tuple[str, ...]]
    """Package -> the packages it requires, largest first."""
    roots: tuple[str, ...]
    """The packages the requirements name, largest first."""
    origins: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Top-level package -> where it is required (``requirements.txt:3``)."""

    @classmethod
    def from_packages(cls, packages: Iterable[PackageSize]) -> DependencyGraph:
        """The graph a report's packages describe through ``required_by``."""
        nodes: dict[str, Node] = {}
        parents: dict[str, list[str]] = {}
        origins: dict[str, list[str]] = {}
        requested: set[str] = set()
        for p in packages:
            key = canonicalize_name(p.name)
            nodes[key] = Node(key, p.name, p.version, p.installed_bytes)
            if p.requested:
                requested.add(key)
            for who in p.required_by:
                if who.startswith(REQUIREMENT_PREFIX):
                    origins.setdefault(key, []).append(who[len(REQUIREMENT_PREFIX) :])
                else:
                    parents.setdefault(key, []).append(canonicalize_name(who))
        children: dict[str, set[str]] = {key: set() for key in nodes}
        for child, dependents in parents.items():
            for parent in dependents:
                if parent in nodes and parent != child:
                    children[parent].add(child)

        def by_size(keys: Iterable[str]) -> tuple[str, ...]:
            return tuple(sorted(keys, key=lambda k: (-nodes[k].installed_bytes, k)))

        graph = cls(
            nodes=nodes,
            dependencies={key: by_size(kids) for key, kids in children.items()},
            roots=(),
            origins={k: tuple(v) for k, v in origins.items()},
        )
        roots = requested | set(origins)
        reach = {root: graph.reachable_bytes(root) for root in roots}
        ordered = tuple(sorted(roots, key=lambda k: (-reach[k], k)))
        return cls(graph.nodes, graph.dependencies, ordered, graph.origins)

    # -- look-ups ----------------------------------------------------------

    def key(self, name: str) -> str:
        """The canonical name of ``name``; :class:`KeyError` when it is not in the graph."""
        key = canonicalize_name(name)
        if key not in self.nodes:
            raise KeyError(name)
        return key

    def dependents(self, key: str) -> tuple[str, ...]:
        """The packages that require ``key`` directly, largest first."""
        found = [k for k, kids in self.dependencies.items() if key in kids]
        return tuple(sorted(found, key=lambda k: (-self.nodes[k].installed_bytes, k)))

    def reachable(self, starts: Iterable[str]) -> set[str]:
        """``starts`` and every package below them."""
        seen: set[str] = set()
        stack = [s for s in starts if s in self.nodes]
        while stack:
            key = stack.pop()
            if key in seen:
                continue
            seen.add(key)
            stack.extend(k for k in self.dependencies.get(key, ()) if k not in seen)
        return seen

    def reachable_bytes(self, key: str) -> int:
        """``key`` and everything it pulls in, each package counted once."""
        return sum(self.nodes[k].installed_bytes for k in self.reachable([key]))

    def roots_reaching(self, key: str) -> tuple[str, ...]:
        """The top-level requirements whose trees contain ``key``."""
        return tuple(r for r in self.roots if key in self.reachable([r]))

    # -- why -----------------------------------------------------------------

    def paths_to(self, key: str, *, limit: int = 100) -> Chains:
        """The simple paths from the top-level requirements to ``key``, shortest first.

        A path may pass through another top-level requirement (``scikit-learn ->
        scipy -> numpy`` while scipy is requested too). At most ``limit`` paths
        are collected; ``truncated`` says when there were more.
        """
        parents: dict[str, list[str]] = {k: [] for k in self.nodes}
        for parent, kids in self.dependencies.items():
            for kid in kids:
                parents[kid].append(parent)
        roots = set(self.roots)
        found: list[tuple[str, ...]] = []
        truncated = False
        # depth-first, upwards from the target; a path is recorded at each root it reaches
        stack: list[tuple[str, tuple[str, ...]]] = [(key, (key,))]
        while stack:
            node, path = stack.pop()
            if node in roots:
                if len(found) >= limit:
                    truncated = True
                    break
                found.append(tuple(reversed(path)))
            for parent in sorted(parents[node], reverse=True):
                if parent not in path:
                    stack.append((parent, (*path, parent)))
        found.sort(key=lambda p: (len(p), [self._order(k) for k in p]))
        return Chains(key, tuple(found), truncated)

    def _order(self, key: str) -> tuple[int, str]:
        return (-self.nodes[key].installed_bytes, key)

    # -- what removing it saves --------------------------------------------

    def _flow(self) -> dict[str, tuple[str, ...]]:
        """Successors with the virtual root and one node per requirement line."""
        flow: dict[str, tuple[str, ...]] = dict(self.dependencies)
        flow[_ENTRY] = tuple(_ENTRY + r for r in self.roots)
        for r in self.roots:
            flow[_ENTRY + r] = (r,)
        return flow

    def dominators(self) -> dict[str, str]:
        """Immediate dominators of the graph seen from the virtual root.

        Keys are package names and requirement-line nodes (``"\\0" + name``);
        a top-level package that only its own line pulls in is dominated by that
        line's node, one that other packages require too by the virtual root.
        """
        return immediate_dominators(_ENTRY, self._flow())

    def retained_bytes(self) -> dict[str, int]:
        """Package (or requirement-line node) -> the bytes that go when it goes."""
        idom = self.dominators()
        retained: dict[str, int] = {}
        # children after parents in a dominator tree: deeper nodes first
        depth: dict[str, int] = {_ENTRY: 0}

        def depth_of(node: str) -> None:
            chain = []
            while node not in depth:
                chain.append(node)
                node = idom[node]
            d = depth[node]
            for n in reversed(chain):
                d += 1
                depth[n] = d

        for node in idom:
            depth_of(node)
        for node in sorted(idom, key=lambda n: -depth[n]):
            own = self.nodes[node].installed_bytes if node in self.nodes else 0
            retained[node] = retained.get(node, 0) + own
            if node != _ENTRY:
                parent = idom[node]
                retained[parent] = retained.get(parent, 0) + retained[node]
        return {k: v for k, v in retained.items() if k != _ENTRY}

    def attribution(self) -> Attribution:
        """Each top-level requirement's unique bytes, and the rest."""
        retained = self.retained_bytes()
        unique = {r: retained.get(_ENTRY + r, 0) for r in self.roots}
        total = sum(n.installed_bytes for n in self.nodes.values())
        attached = sum(self.nodes[k].installed_bytes for k in self.reachable(self.roots))
        return Attribution(
            unique=unique,
            shared=attached - sum(unique.values()),
            unattached=total - attached,
            total=total,
        )

    def unique_bytes(self) -> dict[str, int]:
        """Top-level requirement -> the bytes that go when its line is dropped."""
        return dict(self.attribution().unique)


def immediate_dominators(entry: str, successors: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """``node -> immediate dominator`` for the nodes reachable from ``entry``
    (``entry`` maps to itself): Cooper, Harvey and Kennedy's iterative algorithm."""
    order: list[str] = []
    visited = {entry}
    stack: list[tuple[str, Iterable[str]]] = [(entry, iter(successors.get(entry, ())))]
    while stack:
        node, pending = stack[-1]
        for child in pending:
            if child not in visited:
                visited.add(child)
                stack.append((child, iter(successors.get(child, ()))))
                break
        else:
            stack.pop()
            order.append(node)
    post = {node: i for i, node in enumerate(order)}
    reverse_post = order[::-1]
    predecessors: dict[str, list[str]] = {node: [] for node in order}
    for node in order:
        for child in successors.get(node, ()):
            if child in post:
                predecessors[child].append(node)

    idom: dict[str, str] = {entry: entry}

    def intersect(a: str, b: str) -> str:
        while a != b:
            while post[a] < post[b]:
                a = idom[a]
            while post[b] < post[a]:
                b = idom[b]
        return a

    changed = True
    while changed:
        changed = False
        for node in reverse_post[1:]:
            new: str | None = None
            for pred in predecessors[node]:
                if pred in idom:
                    new = pred if new is None else intersect(pred, new)
            if new is not None and idom.get(node) != new:
                idom[node] = new
                changed = True
    return idom


__all__ = [
    "REQUIREMENT_PREFIX",
    "Attribution",
    "Chains",
    "DependencyGraph",
    "Node",
    "immediate_dominators",
]
