"""The plain metadata reader agrees with the standard library's email parser."""

from __future__ import annotations

import email.parser

import pytest

from sizefloor.dists.wheel import metadata_headers, metadata_requires, metadata_requires_python

SAMPLES = [
    b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b>=1\n"
    b"Requires-Dist: c; extra == 'x'\nRequires-Python: >=3.9\n\nLong: description\n"
    b"Requires-Dist: not-a-header\n",
    b"Metadata-Version: 2.4\r\nName: a\r\nVersion: 1\r\nRequires-Dist: b\r\n\r\nbody\r\n",
    b"Metadata-Version: 1.2\nName: a\nVersion: 1\nSummary: folded\n  over two lines\n"
    b"requires-dist: lower-case\nRequires-Python: \n",
    b"Metadata-Version: 2.1\nName: a\nVersion: 1\nDescription: one\n        |two\n"
    b"Requires-Dist: after-folded\n",
]


@pytest.mark.parametrize("metadata", SAMPLES)
def test_matches_email_parser(metadata: bytes) -> None:
    message = email.parser.BytesParser().parsebytes(metadata, headersonly=True)
    expected = [str(v).strip() for v in message.get_all("Requires-Dist") or []]
    assert metadata_requires(metadata) == expected
    python = message.get("Requires-Python")
    assert metadata_requires_python(metadata) == (str(python).strip() or None if python else None)


def test_folded_value_is_joined() -> None:
    found = metadata_headers(SAMPLES[2], "Summary")
    assert found == {"Summary": ["folded over two lines"]}


def test_utf8_is_decoded_as_utf8() -> None:
    # core metadata is UTF-8; the email parser reads bytes as ASCII with escapes
    metadata = "Metadata-Version: 2.1\nName: ä\nVersion: 1\nRequires-Dist: ünïcode\n".encode()
    assert metadata_requires(metadata) == ["ünïcode"]
