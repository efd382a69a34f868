"""The resolver's candidates: a version of a project with the file chosen for the target, and a
project's versions, newest first."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from packaging.utils import NormalizedName
from packaging.version import Version

from sizefloor.index.files import DistFile
from sizefloor.target import Target


@dataclass(eq=False)
class Candidate:
    name: NormalizedName
    version: Version
    dist: DistFile
    extras: frozenset[str] = frozenset()
    display_name: str = ""

    @property
    def exact(self) -> bool:
        return self.dist.is_wheel

    def __repr__(self) -> str:
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{self.name}{extras}=={self.version}"


class ProjectVersions:
    """A project's versions for the target, newest first, with their files.

    A version's best file is chosen on first use and kept, so one version
    always yields the same candidate object (resolvelib compares them).
    """

    def __init__(
        self,
        name: NormalizedName,
        target: Target,
        files: Mapping[Version, Sequence[DistFile]],
        fallback: Mapping[Version, Sequence[DistFile]] | None = None,
    ) -> None:
        self.name = name
        self.target = target
        self.versions = sorted(files, reverse=True)
        fallback = {v: f for v, f in (fallback or {}).items() if v not in files}
        self.fallback_versions = sorted(fallback, reverse=True)
        """Versions with only an sdist, used when no version with a wheel is allowed
        (a pin to an old sdist-only release of a project that now has wheels)."""
        self.files = {**fallback, **files}
        self._chosen: dict[tuple[Version, frozenset[str]], Candidate | None] = {}
        self._lock = threading.Lock()

    def candidate(self, version: Version, extras: frozenset[str] = frozenset()) -> Candidate | None:
        """The candidate for ``version`` (with ``extras``), ``None`` when none of its files
        installs on the target."""
        key = (version, extras)
        if key in self._chosen:  # read without the lock: entries are only added
            return self._chosen[key]
        chosen: Candidate | None
        if extras:
            base = self.candidate(version)
            chosen = (
                None
                if base is None
                else Candidate(base.name, base.version, base.dist, extras, base.display_name)
            )
        else:
            dist = self._best(self.files[version])
            chosen = (
                None
                if dist is None
                else Candidate(self.name, version, dist, display_name=self.name)
            )
        with self._lock:
            return self._chosen.setdefault(key, chosen)

    def _best(self, files: Sequence[DistFile]) -> DistFile | None:
        """The wheel whose tags the target ranks first (a higher build number
        breaks ties), or the version's sdist when it has no wheel."""
        best: tuple[tuple[int, int], DistFile] | None = None
        for f in files:
            if not f.is_wheel:
                continue
            priority = self.target.wheel_priority(f.tags)
            if priority is None:
                continue
            key = (priority, -f.build[0] if f.build else 0)
            if best is None or key < best[0]:
                best = (key, f)
        if best is not None:
            return best[1]
        return next((f for f in files if not f.is_wheel), None)
