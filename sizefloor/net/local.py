"""Locations on this machine (``file:`` URLs): what the client's file transport answers for a
directory, and pip's test for a local location that is not there.

Kept apart from :mod:`sizefloor.net.filetransport`, which needs httpx, so that the index code
can use these without importing it.
"""

from __future__ import annotations

import os

from sizefloor.urls import file_url_path, is_file_url

DIRECTORY_TYPE = "application/vnd.sizefloor.directory+json"
"""The media type of a local directory's file list (a PEP 691 page whose ``files`` have a
``filename``, ``url`` and ``size``), answered only to requests that name it in ``Accept``."""


def missing_directory(url: str) -> bool:
    """Whether ``url`` is a ``file:`` URL that names no directory (pip skips such an index or
    find-links location, with a warning)."""
    return is_file_url(url) and not os.path.isdir(file_url_path(url))
