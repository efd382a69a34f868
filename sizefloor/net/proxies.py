"""Which proxy a request goes through, chosen as pip chooses it.

- pip's ``proxy`` setting (``--proxy``, ``PIP_PROXY``, ``proxy =`` in pip.conf) comes first
  and, like pip, makes the environment's proxy variables ignored: every origin goes
  through it (an empty value: no proxy at all);
- otherwise the environment: ``https_proxy`` / ``HTTPS_PROXY`` for ``https:`` origins,
  ``http_proxy`` / ``HTTP_PROXY`` for ``http:`` ones, then ``all_proxy`` / ``ALL_PROXY``
  (the lower-case spelling first, as Python's :func:`urllib.request.getproxies` reads
  them), except for the hosts ``no_proxy`` / ``NO_PROXY`` names: a host, a domain
  (``example.com`` and ``.example.com`` both match its subdomains), ``host:port``, an IP
  address, a CIDR block (``10.0.0.0/8``), or ``*`` for every host.

A proxy written without a scheme (``proxy.corp:3128``) is an HTTP proxy, as pip reads it.
Pure functions over strings: the transports (:mod:`sizefloor.net.transport`) ask
:func:`choose_proxy` once per origin.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["ChosenProxy", "bypassed", "choose_proxy"]


@dataclass(frozen=True)
class ChosenProxy:
    """The proxy an origin's requests go through, and where that was set."""

    url: str
    source: str
    """``pip's proxy setting``, or the environment variable's name (``HTTPS_PROXY``)."""


def choose_proxy(
    scheme: str,
    host: str,
    port: int | None,
    *,
    configured: str | None,
    environ: Mapping[str, str] | None = None,
) -> ChosenProxy | None:
    """The proxy for ``scheme://host:port``, or ``None`` to connect directly."""
    if scheme not in ("http", "https"):
        return None
    if configured is not None:
        configured = configured.strip()
        return ChosenProxy(_with_scheme(configured), "pip's proxy setting") if configured else None
    env = os.environ if environ is None else environ
    found = _from_environment(scheme, env)
    if found is None:
        return None
    name, value = found
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
    if bypassed(host, port, no_proxy):
        return None
    return ChosenProxy(_with_scheme(value), name)


def _from_environment(scheme: str, env: Mapping[str, str]) -> tuple[str, str] | None:
    for base in (f"{scheme}_proxy", "all_proxy"):
        for name in (base, base.upper()):
            value = env.get(name, "").strip()
            if value:
                return name, value
    return None


def _with_scheme(proxy: str) -> str:
    return proxy if "://" in proxy else f"http://{proxy}"


def bypassed(host: str, port: int | None, no_proxy: str) -> bool:
    """Whether ``no_proxy`` (comma- or space-separated entries) says to reach ``host``
    directly."""
    host = host.strip("[]").lower().rstrip(".")
    address = _address(host)
    for raw in no_proxy.replace(" ", ",").split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        if address is not None and _address_matches(address, entry):
            return True
        name, _, entry_port = entry.rpartition(":") if _has_port(entry) else (entry, "", "")
        if entry_port and port is not None and entry_port != str(port):
            continue
        name = name.lstrip(".").rstrip(".")
        if name and (host == name or host.endswith("." + name)):
            return True
    return False


def _has_port(entry: str) -> bool:
    """``host:port`` (an IPv6 address has colons of its own: ``[::1]:8080`` only)."""
    if entry.startswith("["):
        return "]:" in entry
    return entry.count(":") == 1 and entry.rpartition(":")[2].isdigit()


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _address_matches(address: ipaddress.IPv4Address | ipaddress.IPv6Address, entry: str) -> bool:
    entry = entry.strip("[]")
    try:
        if "/" in entry:
            return address in ipaddress.ip_network(entry, strict=False)
        return address == ipaddress.ip_address(entry)
    except ValueError:
        return False
