"""Text views of a report's graph and files: ``--why``, ``--tree``, ``--top``, findings.

Each function takes a :class:`~sizefloor.report.Report` and returns text (or
lines); nothing prints. They read the report alone: no network.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from sizefloor.analysis.findings import display_path, savings
from sizefloor.analysis.graph import DependencyGraph
from sizefloor.analysis.summary import findings_of
from sizefloor.errors import InputError
from sizefloor.render.cells import share
from sizefloor.report import Finding, Report, largest_files
from sizefloor.units import human

ARROW = " → "


def lookup(graph: DependencyGraph, name: str) -> str:
    """The graph key of ``name``, or an :class:`InputError` naming close matches."""
    try:
        return graph.key(name)
    except KeyError:
        names = sorted(n.name for n in graph.nodes.values())
        close = difflib.get_close_matches(name, names, n=3)
        hint = (
            f"Did you mean {' or '.join(close)}?"
            if close
            else f"The packages are: {', '.join(names) or 'none'}."
        )
        raise InputError(f"{name} is not among the packages of this estimate.", hint=hint) from None


def render_why(report: Report, names: Sequence[str], *, limit: int = 20) -> str:
    """Why each of ``names`` is installed: who requires it, every chain from a
    top-level requirement, and what dropping requirements would save."""
    graph = DependencyGraph.from_packages(report.packages)
    total = report.totals.installed_bytes
    retained = graph.retained_bytes()
    unique = graph.unique_bytes()
    blocks = []
    for name in names:
        key = lookup(graph, name)
        node = graph.nodes[key]
        out = [
            f"{node.label}: {human(node.installed_bytes)} installed "
            f"({share(node.installed_bytes, total)} of {human(total)})"
        ]
        why = []
        if key in graph.origins or key in graph.roots:
            origins = graph.origins.get(key, ())
            why.append("requested" + (f" in {', '.join(origins)}" if origins else ""))
        dependents = graph.dependents(key)
        if dependents:
            why.append("required by " + ", ".join(graph.nodes[d].label for d in dependents))
        out.append("; ".join(why) or "not reached from any top-level requirement")
        chains = graph.paths_to(key, limit=limit)
        count = f"{len(chains.paths)}{'+' if chains.truncated else ''}"
        plural = "chain" if len(chains.paths) == 1 else "chains"
        out.append(f"{count} {plural} from the top-level requirements:")
        for path in chains.paths:
            out.append("  " + ARROW.join(graph.nodes[k].label for k in path))
        if chains.truncated:
            out.append(f"  … and more (the first {limit} are shown)")
        reaching = graph.roots_reaching(key)
        goes_with = retained.get(key, node.installed_bytes)
        if key in graph.roots:
            others = [graph.nodes[r].name for r in reaching if r != key]
            if unique.get(key, 0) == 0 and others:
                out.append(
                    f"dropping the {node.name} requirement saves nothing: "
                    f"{_and(others)} pull{'s' if len(others) == 1 else ''} it in too"
                )
            else:
                out.append(
                    f"dropping the {node.name} requirement saves {human(unique.get(key, 0))} "
                    "(the packages only it pulls in)"
                )
        elif reaching:
            names_ = [graph.nodes[r].name for r in reaching]
            condition = (
                f"if {names_[0]} is dropped"
                if len(names_) == 1
                else f"only if {_and(names_)} are all dropped"
            )
            out.append(
                f"it goes {condition}; {human(goes_with)} goes with it "
                "(it and what only it pulls in)"
            )
        blocks.append("\n".join(out))
    return "\n\n".join(blocks) + "\n"


def _and(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def render_tree(report: Report) -> str:
    """The dependency tree from each top-level requirement, largest first, with each
    package's own size, its tree's (it and everything below, counted once) and, for a
    top-level requirement, its unique bytes. A subtree already shown is not repeated."""
    graph = DependencyGraph.from_packages(report.packages)
    unique = graph.unique_bytes()
    rows: list[tuple[str, str, str, str]] = []
    shown: set[str] = set()

    def visit(key: str, lead: str, branch: str, top: bool) -> None:
        node = graph.nodes[key]
        kids = graph.dependencies.get(key, ())
        tree = human(graph.reachable_bytes(key)) if kids else ""
        note = f"unique {human(unique.get(key, 0))}" if top else ""
        if key in shown and kids:
            note = (note + "  " if note else "") + "(its tree is shown above)"
            rows.append((lead + branch + node.label, human(node.installed_bytes), tree, note))
            return
        rows.append((lead + branch + node.label, human(node.installed_bytes), tree, note))
        shown.add(key)
        inner = lead + ("" if top else ("    " if branch.startswith("└") else "│   "))
        for i, kid in enumerate(kids):
            last = i == len(kids) - 1
            visit(kid, inner, "└── " if last else "├── ", False)

    for root in graph.roots:
        visit(root, "", "", True)
    header = ("package", "own", "with deps", "")
    width = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
    lines = []
    for label, own, tree, note in [header, *rows]:
        line = f"{label.ljust(width[0])}  {own.rjust(width[1])}  {tree.rjust(width[2])}  {note}"
        lines.append(line.rstrip())
    attribution = graph.attribution()
    lines.append("")
    lines.append(_attribution_line(report, graph))
    if attribution.unattached:
        lines.append(f"not reached from a top-level requirement: {human(attribution.unattached)}")
    return "\n".join(lines) + "\n"


def _attribution_line(report: Report, graph: DependencyGraph) -> str:
    attribution = graph.attribution()
    parts = [f"{graph.nodes[r].name} {human(b)}" for r, b in attribution.unique.items()]
    text = "unique to each top-level requirement: " + ", ".join(parts)
    text += f"; shared by several: {human(attribution.shared)}"
    if attribution.unattached:
        text += f"; unattached: {human(attribution.unattached)}"
    return text + f" (together {human(attribution.total)})"


def attribution_lines(report: Report) -> list[str]:
    """One line splitting the total among the top-level requirements (for the table)."""
    graph = DependencyGraph.from_packages(report.packages)
    if not graph.roots:
        return []
    return [_attribution_line(report, graph)]


def render_largest(report: Report, n: int) -> list[str]:
    """The ``n`` largest files of the set, one a line."""
    files = largest_files(report.packages, n)
    if not files:
        return []
    count = sum(len(p.contents) for p in report.packages)
    out = [f"largest files ({len(files)} of {count:,}):"]
    size_w = max(len(human(f.size)) for f in files)
    name_w = max(len(f.package) for f in files)
    for f in files:
        path = display_path(f.path)
        out.append(f"  {human(f.size).rjust(size_w)}  {f.package.ljust(name_w)}  {path}")
    return out


def findings_lines(report: Report, findings: Sequence[Finding] | None = None) -> list[str]:
    """The findings, two lines each: what and how much, then the remedy; those that
    save bytes first, then those that are advice."""
    found = list(findings_of(report) if findings is None else findings)
    if not found:
        return []
    total = report.totals.installed_bytes
    saved = savings(found)
    out: list[str] = []
    for saving, heading in (
        (True, f"findings: {human(saved)} ({share(saved, total)}) could go"),
        (False, "worth a look:"),
    ):
        group = [f for f in found if f.saving is saving]
        if not group:
            continue
        out += [heading] if not out else ["", heading]
        for f in group:
            out.extend(_finding_lines(f))
    return out


def _finding_lines(f: Finding) -> list[str]:
    where = ", ".join(f"{name} {human(b)}" for name, b in f.packages[:4])
    if len(f.packages) > 4:
        where += f", {len(f.packages) - 4} more"
    files = f"{f.files:,} file{'s' if f.files != 1 else ''}"
    detail = f"{files} in {where}" if f.kind not in ("large-file", "variant") else f.paths[0][0]
    return [f"  {human(f.bytes):>8}  {f.title}: {detail}", f"            {f.remedy}"]


def unique_by_name(report: Report) -> dict[str, int]:
    """Display name of each top-level package -> its unique bytes."""
    graph = DependencyGraph.from_packages(report.packages)
    return {graph.nodes[k].name: b for k, b in graph.unique_bytes().items()}


def requirement_rows(report: Report) -> list[tuple[str, int, int]]:
    """(top-level package, unique bytes, bytes with its dependencies), by unique bytes."""
    graph = DependencyGraph.from_packages(report.packages)
    unique = graph.unique_bytes()
    rows = [(graph.nodes[r].name, unique[r], graph.reachable_bytes(r)) for r in graph.roots]
    return sorted(rows, key=lambda row: (-row[1], -row[2], row[0]))


def shared_bytes(report: Report) -> int:
    """Bytes pulled in by more than one top-level requirement."""
    return DependencyGraph.from_packages(report.packages).attribution().shared


__all__ = [
    "attribution_lines",
    "findings_lines",
    "lookup",
    "render_largest",
    "render_tree",
    "render_why",
    "requirement_rows",
    "shared_bytes",
    "unique_by_name",
]
