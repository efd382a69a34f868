"""sizefloor.inputs.options: reading a line's options, checking hashes, global options."""

from __future__ import annotations

import logging

import pytest

from sizefloor.errors import RequirementsError
from sizefloor.inputs.options import Given, IndexOptions, read_options, requirement_hashes
from sizefloor.inputs.origin import Origin

HERE = Origin("requirements.txt", 5)
H = "sha256:" + "ab" * 32
INDEX = "https://index.example.invalid/simple/"
EXTRA = "https://extra.example.invalid/simple/"


def read(text: str) -> list[tuple[str, str, str]]:
    return [(g.option.long, g.value, g.spelled) for g in read_options(text, HERE)]


def problem(text: str) -> str:
    with pytest.raises(RequirementsError) as info:
        read_options(text, HERE)
    assert (info.value.file, info.value.line) == ("requirements.txt", 5)
    assert info.value.hint
    return str(info.value)


# -- reading -------------------------------------------------------------------------------


def test_long_short_attached_and_separate_values() -> None:
    assert read("-r a.txt --hash=x --hash y -rb.txt -r=c.txt --pre") == [
        ("--requirement", "a.txt", "-r"),
        ("--hash", "x", "--hash"),
        ("--hash", "y", "--hash"),
        ("--requirement", "b.txt", "-r"),
        ("--requirement", "c.txt", "-r"),
        ("--pre", "", "--pre"),
    ]


def test_an_unambiguous_prefix_names_a_long_option() -> None:
    assert read(f"--extra-index {INDEX}") == [("--extra-index-url", INDEX, "--extra-index-url")]


def test_quotes_group_a_value() -> None:
    assert read("-e 'pkg @ git+https://h.example.invalid/r.git'") == [
        ("--editable", "pkg @ git+https://h.example.invalid/r.git", "-e")
    ]


def test_no_options() -> None:
    assert read("") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("--only", "ambiguous option --only (could be --only-binary, --only-final)"),
        ("--no-such-thing", "unknown option --no-such-thing"),
        ("-x", "unknown option -x"),
        ("--index-url", "option --index-url needs a value"),
        ("--pre=yes", "option --pre does not take a value"),
        ("--pre stray", "unexpected 'stray' after the options"),
        ("-e ./a stray", "unexpected 'stray' after -e ./a"),
        ("--hash 'unclosed", "cannot split the options"),
    ],
)
def test_what_optparse_would_refuse(text: str, expected: str) -> None:
    assert expected in problem(text)


def test_unknown_options_are_answered_with_the_ones_pip_knows() -> None:
    message = problem("--nope")
    assert "-r/--requirement" in message and "--hash" in message and "--pypi-url" not in message


# -- requirement lines ---------------------------------------------------------------------


def test_requirement_hashes_in_order() -> None:
    other = "sha512:" + "c" * 128
    given = read_options(f"--hash={H} --config-settings k=v --hash {other}", HERE)
    assert requirement_hashes(given, HERE) == (H, other)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abcd", "is not of the form ALGORITHM:DIGEST"),
        ("md5:" + "a" * 32, "unsupported hash algorithm 'md5'"),
        ("sha256:" + "a" * 63, "is not a sha256 digest (64 hexadecimal digits)"),
        ("sha256:" + "g" * 64, "is not a sha256 digest"),
    ],
)
def test_bad_hashes(value: str, expected: str) -> None:
    with pytest.raises(RequirementsError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        requirement_hashes(read_options(f"--hash={value}", HERE), HERE)


def test_a_global_option_does_not_belong_on_a_requirement_line() -> None:
    with pytest.raises(RequirementsError, match="option -i on a requirement line"):
        requirement_hashes(read_options(f"--hash={H} -i {INDEX}", HERE), HERE)


# -- global options ------------------------------------------------------------------------


def apply(options: IndexOptions, text: str, base_dir: str = "/srv/reqs") -> IndexOptions:
    for given in read_options(text, HERE):
        options.apply(given, base_dir, HERE)
    return options


def test_index_url_after_extra_index_urls_drops_them_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="sizefloor.inputs.requirements"):
        options = apply(IndexOptions(), f"--extra-index-url {EXTRA} -i {INDEX}")
    assert options.index_url == INDEX and options.extra_index_urls == []
    assert "drops the extra index URLs given before it" in caplog.text


def test_no_index_drops_every_index_now_and_later() -> None:
    options = apply(IndexOptions(), f"-i {INDEX} --extra-index-url {EXTRA} --no-index")
    apply(options, f"-i {INDEX} --extra-index-url {EXTRA}")
    assert (options.no_index, options.index_url, options.extra_index_urls) == (True, None, [])


def test_find_links_paths_are_relative_to_the_file_and_urls_kept() -> None:
    options = apply(IndexOptions(), "-f wheels -f ../up -f file:///w -f https://h.example.invalid/")
    assert options.find_links == [
        "/srv/reqs/wheels",
        "/srv/up",
        "file:///w",
        "https://h.example.invalid/",
    ]


def test_only_binary_and_no_binary_exclude_each_other_like_pip() -> None:
    options = apply(IndexOptions(), "--no-binary A,b_c --only-binary b-c")
    assert options.no_binary == {"a"} and options.only_binary == {"b-c"}
    apply(options, "--only-binary :all:")
    assert options.only_binary == {":all:"} and options.no_binary == set()
    apply(options, "--only-binary :all:,:none:,x")
    assert options.only_binary == {"x"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("--no-binary=", "--no-binary needs a value"),
        ("--only-binary 'a b'", "names 'a b', which is not a project name"),
        ("--all-releases a", "--all-releases a is not supported"),
        ("--only-final a", "--only-final a is not supported"),
    ],
)
def test_global_options_pip_would_refuse_or_sizefloor_cannot_follow(
    text: str, expected: str
) -> None:
    with pytest.raises(RequirementsError, match=expected):
        apply(IndexOptions(), text)


def test_release_and_binary_flags() -> None:
    options = apply(IndexOptions(), "--all-releases :all: --only-final :none: --prefer-binary")
    assert options.pre and options.prefer_binary
    assert apply(IndexOptions(), "--pre").pre


def test_options_that_change_nothing_are_accepted(caplog: pytest.LogCaptureFixture) -> None:
    options = apply(IndexOptions(), "--require-hashes --use-feature x --trusted-host h")
    assert options == IndexOptions(trusted_hosts=["h"])
    with caplog.at_level(logging.WARNING, logger="sizefloor.inputs.requirements"):
        apply(IndexOptions(), f"--hash={H}")
    assert "--hash without a requirement is ignored" in caplog.text


def test_given_keeps_the_spelling_for_messages() -> None:
    (given,) = read_options("-c c.txt", HERE)
    assert isinstance(given, Given) and given.option.kind == "include" and given.spelled == "-c"
