"""Small URL helpers shared by the modules that talk to indexes."""

from __future__ import annotations

import os
import urllib.parse


def redact(url: str) -> str:
    """Return ``url`` with any password (or lone token) replaced by ``****``.

    >>> redact("https://user:secret@example.invalid/simple/")
    'https://user:****@example.invalid/simple/'
    >>> redact("https://token@example.invalid/simple/")
    'https://****@example.invalid/simple/'
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # a URL that does not parse ("http://u:pw@[bad"): hide it by hand
        scheme, sep, rest = url.partition("://")
        authority, slash, path = rest.partition("/")
        if "@" not in authority:
            return url
        userinfo, _, host = authority.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        return f"{scheme}{sep}{user + ':' if colon else ''}****@{host}{slash}{path}"
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, sep, _password = userinfo.partition(":")
    shown = f"{user}:****" if sep else "****"
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{shown}@{host}"))


def strip_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """Split ``url`` into a URL without userinfo and the (user, password) it carried."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urllib.parse.urlunsplit(parts._replace(netloc=host))
    return clean, (urllib.parse.unquote(user), urllib.parse.unquote(password))


def url2pathname(path: str) -> str:
    """The local path of a ``file:`` URL's path part (``urllib.request``'s, which
    is imported only where paths need more than unquoting: Windows)."""
    if os.name == "nt":  # pragma: no cover - drive letters and UNC names
        # Imported here: urllib.request loads http.client, email and ssl, needed nowhere else.
        from urllib.request import url2pathname as windows_url2pathname

        return windows_url2pathname(path)
    return urllib.parse.unquote(path)


def pathname2url(path: str) -> str:
    """The URL path of a local path (see :func:`url2pathname`)."""
    if os.name == "nt":  # pragma: no cover
        # Imported here, as in url2pathname.
        from urllib.request import pathname2url as windows_pathname2url

        return windows_pathname2url(path)
    return urllib.parse.quote(path)


def is_file_url(url: str) -> bool:
    """Whether ``url`` names something on this machine (a ``file:`` URL)."""
    return url.startswith("file:")


def file_url_path(url: str) -> str:
    """The local path a ``file:`` URL names (its host, if any, is not looked at)."""
    return url2pathname(urllib.parse.urlsplit(url).path)


def file_url(path: str) -> str:
    """The ``file:`` URL of a local path, made absolute (``file:/abs/path``)."""
    return "file:" + pathname2url(os.path.abspath(path))
