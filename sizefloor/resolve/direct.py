"""Requirements that name their file: ``name @ url``."""

from __future__ import annotations

import urllib.parse

from packaging.utils import canonicalize_name

from sizefloor.index.files import DistFile, make_dist_file


def direct_dist(name: str, url: str) -> DistFile | None:
    """A :class:`DistFile` for a ``name @ url`` requirement pointing at a wheel or sdist
    (``None`` for anything else); a ``#algorithm=digest`` fragment is its hash. Its size
    is learned when it is read."""
    location, _, fragment = url.partition("#")
    filename = urllib.parse.unquote(location.rstrip("/").rsplit("/", 1)[-1])
    hashes = {}
    if "=" in fragment:
        algorithm, _, digest = fragment.partition("=")
        hashes[algorithm] = digest
    return make_dist_file(
        canonicalize_name(name), filename, location, source="direct URL", hashes=hashes
    )
