"""What a URL or path in a requirement points at, and the project name it carries or suggests."""

from __future__ import annotations

import os
import posixpath
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from sizefloor.inputs.origin import Origin
from sizefloor.urls import redact, url2pathname

__all__ = [
    "NAME_RE",
    "VCS_SCHEMES",
    "Reference",
    "archive_extension",
    "classify_url",
    "directory_project_name",
    "egg_name",
    "guess_name",
    "is_remote",
    "is_url",
    "local_directory",
    "local_file",
    "looks_like_path",
    "path_to_url",
    "scheme",
    "strip_extras",
    "wheel_name",
]

# The URL schemes pip recognises as URLs (pip._internal.vcs.versioncontrol.is_url).
VCS_SCHEMES = frozenset(
    {
        "git+http", "git+https", "git+ssh", "git+git", "git+file",
        "hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http",
        "svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file",
        "bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file",
    }
)  # fmt: skip
_URL_SCHEMES = frozenset({"http", "https", "file", "ftp"}) | VCS_SCHEMES
_VCS_PREFIXES = ("git+", "hg+", "svn+", "bzr+")
_ARCHIVE_EXTENSIONS = (
    ".whl", ".zip", ".tar.bz2", ".tbz", ".tar.gz", ".tgz", ".tar",
    ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma",
)  # fmt: skip
_EGG_RE = re.compile(r"[#&]egg=([^&]*)")
_EXTRAS_RE = re.compile(r"^(.+)(\[[^\]]+\])$")
_PYPROJECT_PROJECT_RE = re.compile(r"^\[project\][ \t]*$(.*?)(?=^\[|\Z)", re.MULTILINE | re.DOTALL)
_PYPROJECT_NAME_RE = re.compile(r"""^[ \t]*name[ \t]*=[ \t]*(["'])([^"'\n]+)\1""", re.MULTILINE)

NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
"""A valid project name (PEP 508)."""

Kind = Literal["wheel", "archive", "directory", "vcs"]


@dataclass(frozen=True)
class Reference:
    """What a URL or path points at, once classified."""

    url: str
    """Normalized: an absolute ``file:`` URL for local things."""
    kind: Kind
    path: str | None = None
    """The local path, for local things."""


# --------------------------------------------------------------------------- text


def scheme(text: str) -> str:
    """The URL scheme of ``text``, lower case; ``""`` when it has none."""
    try:
        return urllib.parse.urlsplit(text).scheme.lower()
    except ValueError:
        return ""


def is_url(text: str) -> bool:
    """Whether pip would read ``text`` as a URL (a VCS one included)."""
    return scheme(text) in _URL_SCHEMES


def is_remote(text: str) -> bool:
    """Whether ``text`` is a URL of a file on another machine."""
    return scheme(text) in ("http", "https", "ftp")


def looks_like_path(text: str) -> bool:
    """pip's test of whether a requirement is meant as a path."""
    if os.path.sep in text or (os.path.altsep is not None and os.path.altsep in text):
        return True
    return text.startswith(".")


def archive_extension(name: str) -> str | None:
    """The archive extension ``name`` ends with (the longest), if any."""
    lowered = name.lower()
    for extension in sorted(_ARCHIVE_EXTENSIONS, key=len, reverse=True):
        if lowered.endswith(extension):
            return extension
    return None


def strip_extras(text: str) -> tuple[str, str]:
    """``path[extra]`` -> (``path``, ``[extra]``); ``(text, "")`` without extras."""
    match = _EXTRAS_RE.match(text)
    if match:
        return match.group(1).rstrip(), match.group(2)
    return text, ""


def path_to_url(path: str) -> str:
    """The ``file:`` URL of a local path."""
    return Path(os.path.abspath(path)).as_uri()


def _url_filename(url: str) -> str:
    path = urllib.parse.urlsplit(url).path
    return urllib.parse.unquote(posixpath.basename(path.rstrip("/")))


# --------------------------------------------------------------------------- classification


def classify_url(url: str, base_dir: str, origin: Origin, shown: str) -> Reference:
    """What ``url`` points at; a relative ``file:`` path is taken from ``base_dir``.
    ``shown`` is the requirement as written, credentials redacted, for messages."""
    kind = scheme(url)
    if kind in VCS_SCHEMES or kind.startswith(_VCS_PREFIXES):
        return Reference(url, "vcs")
    if kind == "file":
        parts = urllib.parse.urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise origin.error(
                f"{shown!r}: file: URLs naming another host are not supported",
                "Use file:///absolute/path or a plain path.",
            )
        path = os.path.normpath(os.path.join(base_dir, url2pathname(parts.path)))
        if os.path.isdir(path):
            return local_directory(path, origin)
        if not os.path.isfile(path):
            raise origin.error(
                f"{shown!r} names a file that does not exist: {path}",
                "Check the path, or build the wheel first.",
            )
        return local_file(path, fragment=parts.fragment)
    if kind in ("http", "https", "ftp"):
        if _url_filename(url).lower().endswith(".whl"):
            return Reference(url, "wheel")
        return Reference(url, "archive")
    raise origin.error(
        f"{shown!r}: {redact(url)!r} is not a URL sizefloor can use",
        "Use an https:// URL, a file:// URL, a VCS URL (git+https://…) "
        "or a plain path without `name @`.",
    )


def local_directory(path: str, origin: Origin) -> Reference:
    """A local project directory: one with a ``pyproject.toml`` or a ``setup.py``."""
    if not _is_installable_dir(path):
        raise origin.error(
            f"directory {path} is not installable: it has neither pyproject.toml nor setup.py",
            "Name the project's root directory.",
        )
    return Reference(path_to_url(path), "directory", path)


def _is_installable_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyproject.toml")) or os.path.isfile(
        os.path.join(path, "setup.py")
    )


def local_file(path: str, fragment: str = "") -> Reference:
    """A local wheel or source archive (``fragment``: the URL's, kept, e.g. a hash)."""
    url = path_to_url(path) + (f"#{fragment}" if fragment else "")
    kind: Kind = "wheel" if path.lower().endswith(".whl") else "archive"
    return Reference(url, kind, path)


# --------------------------------------------------------------------------- names


def wheel_name(url: str, origin: Origin, shown: str) -> tuple[str, str]:
    """(project name, version) from the wheel file name at the end of ``url``."""
    filename = _url_filename(url)
    try:
        _, version, _, _ = parse_wheel_filename(filename)
    except InvalidWheelFilename as exc:
        raise origin.error(
            f"{shown!r}: invalid wheel file name {filename!r}: {exc}",
            "A wheel is named NAME-VERSION(-BUILD)-PYTHON-ABI-PLATFORM.whl; "
            "fix or rename the file.",
        ) from None
    return filename.split("-", 1)[0].replace("_", "-"), str(version)


def egg_name(url: str, origin: Origin, shown: str) -> str | None:
    """The project name an ``#egg=name`` fragment gives, if any."""
    match = _EGG_RE.search(url)
    if not match:
        return None
    egg = match.group(1)
    if not NAME_RE.match(egg):
        raise origin.error(
            f"{shown!r}: #egg={egg} is not a project name",
            "Write #egg=name (no version, no extras), or better `name @ URL`.",
        )
    return egg


def directory_project_name(path: str) -> tuple[str, bool]:
    """The project name of a local directory, and whether it was only guessed."""
    try:
        with open(os.path.join(path, "pyproject.toml"), encoding="utf-8") as file:
            pyproject = file.read()
    except (OSError, UnicodeDecodeError):
        pyproject = ""
    table = _PYPROJECT_PROJECT_RE.search(pyproject)
    if table:
        found = _PYPROJECT_NAME_RE.search(table.group(1))
        if found and NAME_RE.match(found.group(2).strip()):
            return found.group(2).strip(), False
    return _sanitize_name(os.path.basename(os.path.normpath(path))), True


def guess_name(reference: Reference) -> str:
    """A name for an unnamed URL that pip would have to build to name."""
    path = urllib.parse.urlsplit(reference.url).path
    if reference.kind == "vcs":
        last = posixpath.basename(path.rstrip("/")).split("@", 1)[0]
        return _sanitize_name(last.removesuffix(".git"))
    filename = urllib.parse.unquote(posixpath.basename(path.rstrip("/")))
    extension = archive_extension(filename) or ""
    stem = filename[: len(filename) - len(extension)]
    project, dash, version = stem.rpartition("-")
    if dash and version[:1].isdigit():
        return _sanitize_name(project)
    return _sanitize_name(stem)


def _sanitize_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("._-") or "unnamed"
