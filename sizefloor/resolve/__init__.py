"""Resolution: the complete set of distributions the target would install, and why each is there.

The stage's public names are here; each module says its one job.
"""

from sizefloor.resolve.direct import direct_dist
from sizefloor.resolve.filters import FileFilter, file_filter
from sizefloor.resolve.provider import Provider
from sizefloor.resolve.resolution import Resolution, Resolved, resolve_requirements
from sizefloor.resolve.wanted import Wanted

__all__ = [
    "FileFilter",
    "Provider",
    "Resolution",
    "Resolved",
    "Wanted",
    "direct_dist",
    "file_filter",
    "resolve_requirements",
]
