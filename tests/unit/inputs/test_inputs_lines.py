"""sizefloor.inputs.lines: bytes -> text -> pip's logical lines."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from sizefloor.errors import RequirementsError
from sizefloor.inputs.lines import decode, logical_lines, read_text, split_options, strip_bom
from sizefloor.inputs.origin import Origin


def lines(content: str, **environ: str) -> list[tuple[int, str]]:
    return list(logical_lines(content, environ))


# -- logical lines -------------------------------------------------------------------------


def test_continued_lines_join_without_a_space_and_keep_the_first_number() -> None:
    assert lines("a\\\n==1.0\nb\n") == [(1, "a==1.0"), (3, "b")]


def test_a_continuation_at_the_end_of_the_text_is_kept() -> None:
    assert lines("one\ntwo \\") == [(1, "one"), (2, "two")]


def test_a_comment_line_ends_a_continuation_and_is_dropped() -> None:
    assert lines("a \\\n# comment\nb\n") == [(1, "a"), (3, "b")]


def test_a_comment_ending_in_a_backslash_continues_nothing() -> None:
    assert lines("# note \\\nb\n") == [(2, "b")]


def test_a_hash_needs_whitespace_before_it_to_start_a_comment() -> None:
    assert lines("a#b\nc  # trailing\n") == [(1, "a#b"), (2, "c")]


def test_blank_lines_are_dropped_and_whitespace_trimmed() -> None:
    assert lines("\n   \n\t x \t\n") == [(3, "x")]


def test_only_braced_upper_case_variables_are_expanded() -> None:
    text = "${HOST}/${lower} $HOST ${EMPTY} ${UNSET}\n"
    assert lines(text, HOST="h.example.invalid", EMPTY="") == [
        (1, "h.example.invalid/${lower} $HOST ${EMPTY} ${UNSET}")
    ]


def test_a_hash_from_a_variable_is_not_a_comment() -> None:
    # expansion comes after comments are stripped, as in pip
    assert lines("pkg --hash=${H}\n", H="x #y") == [(1, "pkg --hash=x #y")]


def test_split_options_at_the_first_token_that_starts_with_a_dash() -> None:
    assert split_options("pkg==1 --hash=sha256:x") == ("pkg==1", "--hash=sha256:x")
    assert split_options("-r other.txt") == ("", "-r other.txt")
    assert split_options('pkg; python_version < "3.11"') == ('pkg; python_version < "3.11"', "")
    # only spaces separate: a tab before an option keeps it in the requirement
    assert split_options("pkg\t--hash=x") == ("pkg\t--hash=x", "")


# -- decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_a_byte_order_mark_says_the_encoding(encoding: str) -> None:
    data = "café==1\n".encode(encoding)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    assert decode(data, "r.txt") == "café==1\n"


def test_a_coding_line_on_one_of_the_first_two_lines_says_the_encoding() -> None:
    data = "# first\n# -*- coding: latin-1 -*-\ncafé\n".encode("latin-1")
    assert decode(data, "r.txt").endswith("café\n")


def test_undecodable_text_names_the_line() -> None:
    with pytest.raises(RequirementsError) as info:
        decode(b"ok\nstill ok\n\xff\n", "r.txt")
    assert (info.value.file, info.value.line) == ("r.txt", 3)
    assert "0xff" in str(info.value) and info.value.hint == "Save the file as UTF-8."


def test_an_unknown_declared_encoding_is_an_error() -> None:
    with pytest.raises(RequirementsError, match="unknown encoding 'no-such-codec'"):
        decode(b"# coding: no-such-codec\npkg\n", "r.txt")


def test_strip_bom() -> None:
    assert strip_bom("\ufeffpkg") == "pkg"
    assert strip_bom("pkg") == "pkg"


# -- reading files -------------------------------------------------------------------------


def test_read_text_reads_and_decodes(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(codecs.BOM_UTF8 + b"pkg\n")
    assert read_text(str(path), including=None) == "pkg\n"


def test_a_missing_top_level_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.txt")
    with pytest.raises(RequirementsError) as info:
        read_text(missing, including=None)
    assert str(info.value).startswith(f"{missing}: no such requirements file")
    assert "current directory" in str(info.value.hint)


def test_a_missing_included_file_names_the_line_that_includes_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "c.txt")
    with pytest.raises(RequirementsError) as info:
        read_text(missing, including=Origin("base.txt", 4), kind="constraints")
    assert (info.value.file, info.value.line) == ("base.txt", 4)
    assert f"the constraints file named on this line does not exist: {missing}" in str(info.value)
    assert "directory of base.txt" in str(info.value.hint)


def test_a_directory_is_not_a_requirements_file(tmp_path: Path) -> None:
    with pytest.raises(RequirementsError, match="is a directory, not a requirements file"):
        read_text(str(tmp_path), including=None)
