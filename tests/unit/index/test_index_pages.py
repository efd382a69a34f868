"""PEP 691 JSON project pages read into file records (sizefloor.index.finder)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sizefloor.index.pages import _plain_json_records, json_page_records

PAGE_URL = "https://index.test/simple/demo/"

FILES: list[dict[str, Any]] = [
    {
        "filename": "demo-1.0.tar.gz",
        "url": "../../files/demo-1.0.tar.gz",
        "hashes": {"sha256": "aa" * 32},
        "requires-python": ">=3.8",
        "size": 1234,
        "upload-time": "2024-01-02T03:04:05.000000Z",
        "yanked": False,
    },
    {
        "filename": "demo-1.0-py3-none-any.whl",
        "url": "https://files.index.test/demo-1.0-py3-none-any.whl",
        "hashes": {"sha256": "bb" * 32, "md5": "cc" * 16},
        "requires-python": None,
        "core-metadata": {"sha256": "dd" * 32},
        "size": 999,
        "yanked": 'broken ["quotes"], {braces} and ] brackets',
    },
]


def page(**top: Any) -> dict[str, Any]:
    return {"meta": {"api-version": "1.1"}, "name": "demo", "files": FILES, **top}


def test_records_as_the_page_lists_them() -> None:
    records = json_page_records(json.dumps(page()).encode(), PAGE_URL)
    assert records == [
        (
            "demo-1.0.tar.gz",
            "https://index.test/files/demo-1.0.tar.gz",
            1234,
            (("sha256", "aa" * 32),),
            ">=3.8",
            None,
            "2024-01-02T03:04:05.000000Z",
            False,
        ),
        (
            "demo-1.0-py3-none-any.whl",
            "https://files.index.test/demo-1.0-py3-none-any.whl",
            999,
            (("sha256", "bb" * 32), ("md5", "cc" * 16)),
            "",
            'broken ["quotes"], {braces} and ] brackets',
            None,
            True,
        ),
    ]


@pytest.mark.parametrize("indent", [None, 0, 4, "\t"])
def test_any_layout_and_key_order(indent: int | str | None) -> None:
    compact = json_page_records(json.dumps(page()).encode(), PAGE_URL)
    reordered = {"versions": ["1.0"], "files": FILES, "meta": {"api-version": "1.1"}}
    body = json.dumps(reordered, indent=indent).encode()
    assert json_page_records(body, PAGE_URL) == compact
    assert json_page_records(b"\n " + body + b"\r\n", PAGE_URL) == compact


def test_only_the_accepted_files_are_kept() -> None:
    body = json.dumps(page()).encode()
    kept = json_page_records(body, PAGE_URL, accept=lambda name: name.endswith(".whl"))
    assert [r[0] for r in kept] == ["demo-1.0-py3-none-any.whl"]


def test_a_page_without_files_has_none() -> None:
    assert json_page_records(b'{"meta": {}, "name": "demo", "files": []}', PAGE_URL) == []
    assert json_page_records(b'{"meta": {}, "name": "demo"}', PAGE_URL) == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"[]",
        b"<html></html>",
        b'{"files": {}}',
        b'{"files": [1]}',
        b'{"files": [{"filename": "a"} {"filename": "b"}]}',
        b'{"files": [{"filename": "a"}',
        b'{"name": "demo" "files": []}',
        b'{"name": "demo", "files": []',
        b'{"files": []}}',
    ],
)
def test_a_malformed_page_is_an_error(body: bytes) -> None:
    with pytest.raises((ValueError, TypeError)):
        json_page_records(body, PAGE_URL)


@pytest.mark.parametrize(
    "odd",
    [
        {"size": "1234"},  # not an integer: no size
        {"size": True},
        {"hashes": {"sha256": "aa" * 32, "blake2b": 7}},  # a digest that is not text: left out
        {"hashes": None},
        {"yanked": 0},
        {"requires-python": 3},
        {"upload-time": 20240102},
        {"core-metadata": "yes"},
        {"filename": 12},
    ],
)
def test_a_file_off_the_specifications_types_reads_as_the_plain_decoder_reads_it(
    odd: dict[str, Any],
) -> None:
    """The typed decoder (msgspec) gives way to the plain one for a page it does not fit:
    what such a page gives, records or error, is what it always gave."""
    files = [{**FILES[0], **odd}, FILES[1]]
    body = json.dumps(page(files=files)).encode()
    try:
        expected: object = _plain_json_records(body, PAGE_URL, None)
    except (ValueError, TypeError, AttributeError) as exc:
        expected = type(exc)
    try:
        got: object = json_page_records(body, PAGE_URL)
    except (ValueError, TypeError, AttributeError) as exc:
        got = type(exc)
    assert got == expected


def test_the_typed_and_the_plain_decoder_agree_on_a_page_that_fits() -> None:
    files = [*FILES, {**FILES[1], "filename": "demo-2.0-py3-none-any.whl", "core-metadata": None}]
    body = json.dumps(page(files=files), indent=1).encode()
    accept = lambda name: "2.0" not in name  # noqa: E731
    assert json_page_records(body, PAGE_URL, accept) == _plain_json_records(body, PAGE_URL, accept)
    assert json_page_records(body, PAGE_URL) == _plain_json_records(body, PAGE_URL, None)
