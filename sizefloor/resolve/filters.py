"""Which filenames can matter for a target, judged from the name alone (before any file is
turned into an object: a large project's page lists thousands, most for other platforms)."""

from __future__ import annotations

import hashlib

from sizefloor.target import Target

KNOWN_TAGS = 4096
"""The most name endings a filter remembers its answer for (a hostile page could list
endless distinct ones)."""


class FileFilter:
    """Which filenames can matter for a target: its wheels (judged by the
    platform and Python parts of the name, without parsing tags) and sdists.
    ``key`` names the filter, for caching what it kept."""

    def __init__(self, target: Target) -> None:
        self.platforms = frozenset(target.platform_tags) | {"any"}
        self.interpreters = frozenset(t.interpreter for t in target.tags())
        spec = "|".join(sorted(self.platforms)) + "/" + "|".join(sorted(self.interpreters))
        self.key = hashlib.sha256(spec.encode()).hexdigest()[:16]
        self._known: dict[str, bool] = {}
        """The answer for each ending (``-python-abi-platform.whl``) judged so far."""

    def __call__(self, filename: str) -> bool:
        if not filename.endswith(".whl"):
            return True
        # the answer depends on the name's last three parts (python-abi-platform), shared
        # by most of a project's wheels: a 240-package set's pages name 200,000 files
        cut = filename.rfind("-")
        if cut > 0:
            cut = filename.rfind("-", 0, cut)
        if cut > 0:
            cut = filename.rfind("-", 0, cut)
        if cut < 0:
            return self._judge(filename)
        tags = filename[cut:]
        known = self._known.get(tags)
        if known is None:
            known = self._known[tags] = self._judge(filename)
            if len(self._known) > KNOWN_TAGS:
                self._known.clear()
        return known

    def _judge(self, filename: str) -> bool:
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
