"""Basic credentials chosen by host: those in the index URLs the user gave, then ``~/.netrc``.

Credentials are never logged or printed. Imported with the first request, like httpx.
"""

from __future__ import annotations

import netrc
import os
from collections.abc import Generator, Mapping

import httpx


class HostAuth(httpx.Auth):
    """Adds ``Authorization: Basic`` to each request whose host (or ``host:port``) has
    credentials: from ``credentials`` first, else from the netrc file (``NETRC``, else
    ``~/.netrc``), read on the first request that needs it."""

    def __init__(self, credentials: Mapping[str, tuple[str, str]]) -> None:
        self._credentials = dict(credentials)
        self._netrc: netrc.netrc | bool | None = False  # False: not read yet

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        host = request.url.host
        port = request.url.port
        creds = self._credentials.get(f"{host}:{port}") if port else None
        creds = creds or self._credentials.get(host) or self._from_netrc(host)
        if creds is not None and "Authorization" not in request.headers:
            request.headers["Authorization"] = httpx.BasicAuth(*creds)._auth_header
        yield request

    def _from_netrc(self, host: str) -> tuple[str, str] | None:
        if self._netrc is False:
            path = os.environ.get("NETRC") or os.path.expanduser("~/.netrc")
            try:
                self._netrc = netrc.netrc(path) if os.path.isfile(path) else None
            except (OSError, netrc.NetrcParseError):
                self._netrc = None
        if not isinstance(self._netrc, netrc.netrc):
            return None
        found = self._netrc.authenticators(host)
        if found is None:
            return None
        login, _account, password = found
        return (login or "", password or "")
