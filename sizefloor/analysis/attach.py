"""The analyses a report's JSON carries besides its sizes.

:meth:`Report.to_json <sizefloor.report.Report.to_json>` calls
:func:`add_analyses`: the dependency graph, each top-level requirement's unique
bytes (:mod:`sizefloor.analysis.graph`), the findings (:mod:`sizefloor.analysis.findings`) and,
when asked, the largest files and every package's file list.
``docs/json-schema.md`` describes the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from packaging.utils import canonicalize_name

from sizefloor.analysis.findings import find, largest_files, savings
from sizefloor.analysis.graph import DependencyGraph

if TYPE_CHECKING:
    from sizefloor.report import Report


def add_analyses(document: dict[str, Any], report: Report, *, files: bool, top: int) -> None:
    """Add the analyses of ``report`` to its JSON ``document`` (in place)."""
    graph = DependencyGraph.from_packages(report.packages)
    attribution = graph.attribution()
    retained = graph.retained_bytes()
    by_key = {canonicalize_name(p.name): p for p in report.packages}
    for entry in document["packages"]:
        key = canonicalize_name(entry["name"])
        entry["dependencies"] = list(graph.dependencies.get(key, ()))
        entry["unique_bytes"] = attribution.unique.get(key)
        entry["retained_bytes"] = retained.get(key, 0)
        if files:
            entry["contents"] = [
                {"path": f.path, "bytes": f.size, "from_wheel": f.from_wheel}
                for f in by_key[key].contents
            ]
    document["requirements"] = [
        {
            "name": graph.nodes[root].name,
            "origins": list(graph.origins.get(root, ())),
            "unique_bytes": attribution.unique[root],
            "reachable_bytes": graph.reachable_bytes(root),
        }
        for root in graph.roots
    ]
    document["shared_bytes"] = attribution.shared
    document["unattached_bytes"] = attribution.unattached
    found = find(report)
    document["findings"] = [f.to_json() for f in found]
    document["findings_bytes"] = savings(found)
    if top:
        document["largest_files"] = [f.to_json() for f in largest_files(report, top)]


__all__ = ["add_analyses"]
