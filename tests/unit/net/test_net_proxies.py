"""Which proxy an origin goes through: pip's setting, then the environment, with NO_PROXY."""

from __future__ import annotations

import pytest

from sizefloor.net.proxies import bypassed, choose_proxy


def chosen(scheme: str, host: str, configured: str | None = None, **env: str) -> str | None:
    found = choose_proxy(scheme, host, None, configured=configured, environ=env)
    return None if found is None else f"{found.url} ({found.source})"


def test_https_origins_use_https_proxy_in_either_case() -> None:
    assert chosen("https", "h", HTTPS_PROXY="http://p:1") == "http://p:1 (HTTPS_PROXY)"
    assert chosen("https", "h", https_proxy="http://p:1") == "http://p:1 (https_proxy)"


def test_the_lower_case_spelling_comes_first() -> None:
    assert chosen("https", "h", https_proxy="http://a:1", HTTPS_PROXY="http://b:1") == (
        "http://a:1 (https_proxy)"
    )


def test_http_origins_use_http_proxy_and_not_https_proxy() -> None:
    assert chosen("http", "h", HTTP_PROXY="http://p:1") == "http://p:1 (HTTP_PROXY)"
    assert chosen("http", "h", HTTPS_PROXY="http://p:1") is None


def test_all_proxy_is_the_fallback_for_both() -> None:
    assert chosen("https", "h", ALL_PROXY="http://p:1") == "http://p:1 (ALL_PROXY)"
    assert chosen("http", "h", all_proxy="http://p:1") == "http://p:1 (all_proxy)"
    assert chosen("https", "h", ALL_PROXY="http://a:1", HTTPS_PROXY="http://b:1") == (
        "http://b:1 (HTTPS_PROXY)"
    )


def test_a_proxy_without_a_scheme_is_an_http_proxy() -> None:
    assert chosen("https", "h", HTTPS_PROXY="proxy.corp:3128") == (
        "http://proxy.corp:3128 (HTTPS_PROXY)"
    )


def test_pips_setting_wins_and_ignores_the_environment() -> None:
    env = {"HTTPS_PROXY": "http://env:1", "NO_PROXY": "h"}
    assert chosen("https", "h", "http://pip:2", **env) == "http://pip:2 (pip's proxy setting)"
    assert chosen("https", "h", "", **env) is None  # an empty setting: no proxy at all


def test_local_files_never_go_through_a_proxy() -> None:
    assert chosen("file", "", ALL_PROXY="http://p:1") is None


@pytest.mark.parametrize(
    ("host", "port", "no_proxy", "expected"),
    [
        ("index.corp", 443, "index.corp", True),
        ("files.index.corp", 443, "index.corp", True),
        ("files.index.corp", 443, ".index.corp", True),
        ("notindex.corp", 443, "index.corp", False),
        ("index.corp", 443, "other, index.corp", True),
        ("index.corp", 443, "other index.corp", True),
        ("index.corp", 8443, "index.corp:443", False),
        ("index.corp", 443, "index.corp:443", True),
        ("10.1.2.3", 443, "10.0.0.0/8", True),
        ("10.1.2.3", 443, "10.1.2.3", True),
        ("11.1.2.3", 443, "10.0.0.0/8", False),
        ("::1", 443, "::1", True),
        ("anything", 443, "*", True),
        ("INDEX.CORP", 443, "index.corp", True),
        ("index.corp", 443, "", False),
    ],
)
def test_no_proxy_entries(host: str, port: int, no_proxy: str, expected: bool) -> None:
    assert bypassed(host, port, no_proxy) is expected


def test_no_proxy_in_either_case() -> None:
    assert chosen("https", "h", HTTPS_PROXY="http://p:1", no_proxy="h") is None
    assert chosen("https", "h", HTTPS_PROXY="http://p:1", NO_PROXY="h") is None
