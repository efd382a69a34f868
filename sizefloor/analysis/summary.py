"""The analyses an estimate keeps with its report: the graph's figures and the findings.

:func:`analyse` works them out once from the packages (:mod:`sizefloor.analysis.graph`,
:mod:`sizefloor.analysis.findings`); the pipeline stores the result on the
:class:`~sizefloor.report.Report`, so rendering it, remembering it and reading it back
compute nothing again. ``docs/json-schema.md`` describes what the JSON carries of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from packaging.utils import canonicalize_name

from sizefloor.report import Analysis, Finding, PackageLinks, PackageSize, Report, RequirementShare

__all__ = ["analyse", "analysed", "findings_of"]


def analyse(packages: Sequence[PackageSize]) -> Analysis:
    """The graph's figures and the findings of ``packages``."""
    # start-up: a remembered report keeps its analysis, and rendering it needs neither
    from sizefloor.analysis.findings import find
    from sizefloor.analysis.graph import DependencyGraph  # (the same)

    graph = DependencyGraph.from_packages(packages)
    attribution = graph.attribution()
    retained = graph.retained_bytes()
    links: dict[str, PackageLinks] = {}
    for p in packages:
        key = canonicalize_name(p.name)
        links[key] = PackageLinks(
            dependencies=tuple(graph.dependencies.get(key, ())),
            unique_bytes=attribution.unique.get(key),
            retained_bytes=retained.get(key, 0),
        )
    requirements = tuple(
        RequirementShare(
            name=graph.nodes[root].name,
            origins=tuple(graph.origins.get(root, ())),
            unique_bytes=attribution.unique[root],
            reachable_bytes=graph.reachable_bytes(root),
        )
        for root in graph.roots
    )
    return Analysis(
        links=links,
        requirements=requirements,
        shared_bytes=attribution.shared,
        unattached_bytes=attribution.unattached,
        findings=tuple(find(packages)),
    )


def analysed(report: Report) -> Report:
    """``report`` with its :class:`~sizefloor.report.Analysis` (itself when it has one)."""
    if report.analysis is not None:
        return report
    return replace(report, analysis=analyse(report.packages))


def findings_of(report: Report) -> tuple[Finding, ...]:
    """The report's findings: those it keeps, or worked out now for one built by hand."""
    analysis = report.analysis or analyse(report.packages)
    return analysis.findings
