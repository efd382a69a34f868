"""What the user asked for, for the target: the resolver's roots, the requirements that cannot
be sized, the wheels named by URL, and the constraints."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from sizefloor.errors import RequirementsError
from sizefloor.index.files import DistFile
from sizefloor.inputs.requirements import RequirementLine, RequirementSet
from sizefloor.report import Unsized
from sizefloor.resolve import Wanted, direct_dist
from sizefloor.target import Target

__all__ = ["Requested", "constraints_of", "requested"]

NOT_A_WHEEL = "not a wheel: cannot be sized without building it"


@dataclass(frozen=True)
class Requested:
    """The requirement lines that apply to the target, sorted for the resolver."""

    roots: tuple[Wanted, ...]
    unsized: tuple[Unsized, ...]
    """Lines that name something sizefloor cannot size without building it."""
    direct: Mapping[NormalizedName, DistFile]
    """Projects named by a wheel's URL: that wheel, and no index, decides them."""


def requested(reqs: RequirementSet, target: Target) -> Requested:
    """The roots of ``reqs`` on ``target``: lines whose markers do not apply are dropped."""
    env = target.marker_environment()
    roots: list[Wanted] = []
    unsized: list[Unsized] = []
    direct: dict[NormalizedName, DistFile] = {}
    for line in reqs.requirements:
        req = line.requirement
        if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
            continue
        reason = line.unsized_reason or None
        if reason is None and req.url:
            dist = _direct_wheel(line, target)
            if dist is None:
                reason = NOT_A_WHEEL
            else:
                direct[canonicalize_name(req.name)] = dist
        if reason:
            unsized.append(Unsized(line.text, str(line.origin), reason))
            continue
        roots.append(Wanted(req, str(line.origin)))
    return Requested(tuple(roots), tuple(unsized), direct)


def _direct_wheel(line: RequirementLine, target: Target) -> DistFile | None:
    """The wheel a ``name @ URL`` line names, ``None`` when it names something else."""
    req = line.requirement
    dist = direct_dist(req.name, req.url or "")
    if dist is None or not dist.is_wheel:
        return None
    if target.wheel_priority(dist.tags) is None:
        raise RequirementsError(
            f"the wheel {dist.filename} does not run on {target.describe()}",
            file=line.origin.file,
            line=line.origin.line,
            hint="Point at a wheel built for the target, or change the target.",
        )
    return dist


def constraints_of(
    reqs: RequirementSet, target: Target, warn: Callable[[str], None]
) -> dict[NormalizedName, SpecifierSet]:
    """Each constrained project's specifiers, intersected, for the constraints that apply."""
    env = target.marker_environment()
    result: dict[NormalizedName, SpecifierSet] = {}
    for line in reqs.constraints:
        req = line.requirement
        if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
            continue
        if req.url:
            warn(f"constraint {line.text} ({line.origin}) names a URL: only its name is used")
        key = canonicalize_name(req.name)
        result[key] = result.get(key, SpecifierSet()) & req.specifier
    return result
