"""What to say when the requirements cannot all be satisfied."""

from __future__ import annotations

from collections.abc import Iterable

from resolvelib.resolvers import RequirementInformation

from sizefloor.errors import ResolutionImpossible
from sizefloor.resolve.candidates import Candidate
from sizefloor.resolve.versions import Projects
from sizefloor.resolve.wanted import Wanted


def explain(
    causes: Iterable[RequirementInformation[Wanted, Candidate]], projects: Projects
) -> ResolutionImpossible:
    """The error for resolvelib's ``causes``: each clashing requirement with where it came
    from and, when a lone project is at stake, the versions the target has of it."""
    causes = list(causes)
    lines = [f"  {c.requirement.requirement} (from {c.requirement.origin})" for c in causes]
    names = sorted({c.requirement.name for c in causes})
    detail = _versions_available(names[0], projects) if len(names) == 1 else ""
    return ResolutionImpossible(
        "These requirements cannot all be satisfied:\n" + "\n".join(dict.fromkeys(lines)) + detail,
        hint="Relax or remove one of them, or change the target if a version is missing "
        "only for it.",
    )


def _versions_available(name: str, projects: Projects) -> str:
    """A lone requirement with nothing to match: which versions exist for the target."""
    project = projects.known(name)
    if project is None:
        return ""
    described = projects.target.describe()
    if not project.versions:
        return f"\nNo version of {name} is available for {described}."
    shown = ", ".join(str(v) for v in project.versions[:8])
    more = " …" if len(project.versions) > 8 else ""
    return f"\nVersions available for {described}: {shown}{more}."
