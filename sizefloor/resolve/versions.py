"""Which versions of a project the target can install, and from which files.

- a project named by a direct URL (``name @ url``) has that file's version alone;
- files whose ``Requires-Python`` (as the index lists it) rules out the target's
  Python are left out, and so are files uploaded after ``--uploaded-prior-to``;
- the sdist policy: a project that publishes a wheel for the target anywhere is
  resolved among its wheels only (``--only-binary`` for that platform), its
  sdists used only when the requirements rule out every version with a wheel;
  one with no wheel at all falls back to its sdists (marked in
  :attr:`Projects.sdist_fallback`; its size is then estimated);
- a project with nothing left says why (:class:`NoCompatibleFiles`).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from sizefloor.errors import NoCompatibleFiles, ProjectNotFound
from sizefloor.index.files import DistFile, ProjectFiles, parse_time
from sizefloor.index.finder import Finder
from sizefloor.resolve.candidates import ProjectVersions
from sizefloor.target import Target


class Projects:
    """Each project's :class:`ProjectVersions` for the target, looked up once."""

    def __init__(
        self,
        finder: Finder,
        target: Target,
        *,
        uploaded_prior_to: datetime | None = None,
        direct: Mapping[NormalizedName, DistFile] | None = None,
    ) -> None:
        self.finder = finder
        self.target = target
        self.uploaded_prior_to = uploaded_prior_to
        self.direct = dict(direct or {})
        self.python = Version(
            target.python_full_version or "{}.{}.0".format(*target.python_version)
        )
        """The target's Python, as ``Requires-Python`` is checked against it."""
        self.sdist_fallback: set[NormalizedName] = set()
        """Projects resolved among their sdists: they publish no wheel for the target."""
        self._lock = threading.Lock()
        self._versions: dict[NormalizedName, ProjectVersions] = {}

    def versions(self, name: NormalizedName) -> ProjectVersions:
        """The versions of ``name`` for the target: raises :class:`ProjectNotFound` when no
        index knows it, :class:`NoCompatibleFiles` when none of its files would do."""
        known = self.known(name)
        if known is not None:
            return known
        if name in self.direct:
            dist = self.direct[name]
            found = ProjectVersions(name, self.target, {dist.version: [dist]})
        else:
            found = self._from_indexes(name)
        with self._lock:
            return self._versions.setdefault(name, found)

    def known(self, name: str) -> ProjectVersions | None:
        """The versions of ``name`` when they were looked up already, else ``None``."""
        # read without the lock (entries are only added): the resolver asks this all the
        # time, and waiting on a lock a fetching thread holds costs a GIL switch interval
        return self._versions.get(NormalizedName(name))

    def python_allows(self, requires_python: str | None) -> bool:
        """Whether a ``Requires-Python`` admits the target's Python (pip ignores one it
        cannot parse, and so does this)."""
        return not requires_python or _python_allowed(requires_python, self.python)

    def _from_indexes(self, name: NormalizedName) -> ProjectVersions:
        project = self.finder.project(name)
        if not project.found:
            raise ProjectNotFound(
                name,
                hint="Check the spelling, and that the index it lives on is configured "
                "(--index-url, --extra-index-url, or pip's configuration).",
            )
        wheel_at: dict[Version, list[int]] = {}
        sdist_at: dict[Version, list[int]] = {}
        for position, version, is_wheel in self._usable(project):
            (wheel_at if is_wheel else sdist_at).setdefault(version, []).append(position)
        wheels = {v: project.subset(_compact(at)) for v, at in wheel_at.items()}
        sdists = {v: project.subset(_compact(at)) for v, at in sdist_at.items()}
        if wheels:
            # The target has wheels: like --only-binary, sdists are used only when
            # the requirements rule out every version that has one.
            return ProjectVersions(name, self.target, wheels, fallback=sdists)
        if sdists:
            with self._lock:
                self.sdist_fallback.add(name)
            return ProjectVersions(name, self.target, sdists)
        listed = [f.filename for f in project.files] + self.finder.skipped_names(name)
        raise NoCompatibleFiles(
            name,
            _no_files_message(name, listed, self.target),
            hint="Choose a target this project supports (--python, --platform, --libc), "
            "or a version of it that supports this target.",
        )

    def _usable(self, project: ProjectFiles) -> Iterator[tuple[int, Version, bool]]:
        """``(position, version, is it a wheel)`` of the files whose listed
        ``Requires-Python`` admits the target, uploaded before ``--uploaded-prior-to``
        (files without an upload time are kept): read from the pages' records, so that
        only the versions the resolver looks at are made files."""
        cutoff = self.uploaded_prior_to
        allows = self.python_allows
        for position, version, is_wheel, requires_python, upload in project.listed(
            uploads=cutoff is not None
        ):
            if requires_python and not allows(requires_python):
                continue
            if cutoff is not None:
                uploaded = parse_time(upload)
                if uploaded is not None and uploaded >= cutoff:
                    continue
            yield position, version, is_wheel


def _compact(positions: list[int]) -> Sequence[int]:
    """``positions`` as a range when they follow each other (a page lists a release's files
    together): 48 bytes, where a list of them is 8 bytes and an int object each."""
    first, last = positions[0], positions[-1]  # increasing: the order they are listed in
    return range(first, last + 1) if last - first + 1 == len(positions) else positions


@functools.lru_cache(maxsize=4096)
def _python_allowed(requires_python: str, python: Version) -> bool:
    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True  # pip ignores an unparsable Requires-Python too


def _no_files_message(name: str, names: Sequence[str], target: Target) -> str:
    if not names:
        return f"{name} has no files on the configured indexes."
    wheels = [n[:-4].rsplit("-", 3) for n in names if n.endswith(".whl")]
    platforms = sorted({p for w in wheels if len(w) == 4 for p in w[3].split(".")})
    pythons = sorted({i for w in wheels if len(w) == 4 for i in w[1].split(".")})
    described = target.describe()
    shown = ", ".join(platforms[:12]) + (" …" if len(platforms) > 12 else "")
    return (
        f"{name} publishes no wheel or sdist installable on {described}. "
        f"Its wheels are for the platforms {shown or 'none'} "
        f"and the interpreters {', '.join(pythons[:10]) or 'none'}."
    )
