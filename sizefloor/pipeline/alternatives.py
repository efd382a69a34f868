"""Advice that is measured: the known lighter variants of a report's requirements, each
estimated for the same target with the same options (a second estimate through the same
pipeline, so its pages and wheels come from the cache the first one filled), and kept on
the report as ``variant`` findings (:mod:`sizefloor.analysis.variants`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from sizefloor.analysis.variants import Swap, swaps_for, unmeasured_finding, variant_finding
from sizefloor.errors import SizefloorError
from sizefloor.inputs.requirements import RequirementSet
from sizefloor.report import Finding, Report

__all__ = ["measured_variants", "with_alternatives", "with_findings"]

log = logging.getLogger(__name__)

PYTORCH_INDEX = "PyTorch's CPU wheel index is not one of this run's indexes"


def with_alternatives(
    report: Report, reqs: RequirementSet, estimate_for: Callable[[RequirementSet], Report]
) -> Report:
    """``report`` with a ``variant`` finding, first, for each known lighter variant of its
    top-level requirements; ``estimate_for`` sizes a set for the report's target."""
    swaps = swaps_for(report, reqs)
    if not swaps or report.analysis is None:
        return report
    return with_findings(report, measured_variants(report, swaps, estimate_for))


def measured_variants(
    report: Report, swaps: Sequence[Swap], estimate_for: Callable[[RequirementSet], Report]
) -> list[Finding]:
    """A ``variant`` finding for each of ``swaps`` (:func:`swaps_for` of ``report``), the
    largest saving first: measured by ``estimate_for``, or saying why it could not be."""
    found: list[Finding] = []
    for swap in swaps:
        if swap.swapped is None:
            found.append(unmeasured_finding(swap, report, PYTORCH_INDEX))
            continue
        log.info("measuring %s in place of %s", swap.replacement, swap.line.text)
        try:
            lighter = estimate_for(swap.swapped)
        except SizefloorError as exc:
            found.append(unmeasured_finding(swap, report, _reason(exc)))
            continue
        found.append(variant_finding(swap, report, lighter))
    found.sort(key=lambda f: -f.bytes)
    return found


def with_findings(report: Report, found: Sequence[Finding]) -> Report:
    """``report`` with the variant findings ``found`` before its own."""
    if report.analysis is None or not found:
        return report
    analysis = replace(report.analysis, findings=(*found, *report.analysis.findings))
    return replace(report, analysis=analysis)


def _reason(exc: SizefloorError) -> str:
    """The first sentence of why the lighter set could not be estimated."""
    message = " ".join(exc.message.split())
    return message.rstrip(".")
