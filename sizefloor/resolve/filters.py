"""Which filenames can matter for a target, judged from the name alone (before any file is
turned into an object: a large project's page lists thousands, most for other platforms)."""

from __future__ import annotations

import hashlib

from sizefloor.target import Target


class FileFilter:
    """Which filenames can matter for a target: its wheels (judged by the
    platform and Python parts of the name, without parsing tags) and sdists.
    ``key`` names the filter, for caching what it kept."""

    def __init__(self, target: Target) -> None:
        self.platforms = frozenset(target.platform_tags) | {"any"}
        self.interpreters = frozenset(t.interpreter for t in target.tags())
        spec = "|".join(sorted(self.platforms)) + "/" + "|".join(sorted(self.interpreters))
        self.key = hashlib.sha256(spec.encode()).hexdigest()[:16]

    def __call__(self, filename: str) -> bool:
        if not filename.endswith(".whl"):
            return True
        parts = filename[:-4].rsplit("-", 3)
        if len(parts) != 4:
            return False
        platform, python = parts[3], parts[1]
        # most names carry one tag of each: test those without splitting
        if platform not in self.platforms and (
            "." not in platform or self.platforms.isdisjoint(platform.split("."))
        ):
            return False
        return python in self.interpreters or (
            "." in python and not self.interpreters.isdisjoint(python.split("."))
        )


def file_filter(target: Target) -> FileFilter:
    return FileFilter(target)
