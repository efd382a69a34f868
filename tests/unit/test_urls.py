"""URL helpers: credentials never shown, file: URLs to paths and back."""

from __future__ import annotations

from sizefloor.urls import file_url_path, pathname2url, redact, strip_credentials, url2pathname


def test_redact_hides_passwords_and_tokens() -> None:
    assert redact("https://user:secret@example.invalid/simple/") == (
        "https://user:****@example.invalid/simple/"
    )
    assert redact("https://token@example.invalid/simple/") == "https://****@example.invalid/simple/"
    assert redact("https://example.invalid/simple/") == "https://example.invalid/simple/"


def test_strip_credentials() -> None:
    assert strip_credentials("https://u:p%40ss@example.invalid:8443/x") == (
        "https://example.invalid:8443/x",
        ("u", "p@ss"),
    )
    assert strip_credentials("https://example.invalid/x") == ("https://example.invalid/x", None)


def test_file_urls_round_trip() -> None:
    path = "/tmp/some dir/wheel ä-1.0-py3-none-any.whl"
    url = "file://" + pathname2url(path)
    assert url == "file:///tmp/some%20dir/wheel%20%C3%A4-1.0-py3-none-any.whl"
    assert file_url_path(url) == path
    assert url2pathname("/a%20b") == "/a b"


def test_redact_hides_credentials_of_a_url_that_does_not_parse() -> None:
    assert redact("http://user:s3cret@[bad/x") == "http://user:****@[bad/x"
    assert redact("http://t0ken@[bad") == "http://****@[bad"
    assert redact("http://[bad") == "http://[bad"
