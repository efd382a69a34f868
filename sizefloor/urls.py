"""Small URL helpers shared by the modules that talk to indexes."""

from __future__ import annotations

import urllib.parse


def redact(url: str) -> str:
    """Return ``url`` with any password (or lone token) replaced by ``****``.

    >>> redact("https://user:secret@example.invalid/simple/")
    'https://user:****@example.invalid/simple/'
    >>> redact("https://token@example.invalid/simple/")
    'https://****@example.invalid/simple/'
    """
    parts = urllib.parse.urlsplit(url)
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
