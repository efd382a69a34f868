"""context/dockerignore.py: moby's pattern reading, compiling and matching, rule by rule."""

from __future__ import annotations

import pytest

from sizefloor.context.dockerignore import (
    DockerignoreError,
    PatternMatcher,
    compile_pattern,
    go_clean,
)


@pytest.mark.parametrize(
    ("path", "clean"),
    [("", "."), ("a//b/../c/", "a/c"), ("./x", "x"), ("//abs", "/abs"), ("/../x", "/x")],
)
def test_go_clean(path: str, clean: str) -> None:
    assert go_clean(path) == clean


@pytest.mark.parametrize(
    ("raw", "kind", "text", "exclusion"),
    [
        ("README.md", "exact", "README.md", False),
        ("build/**", "prefix", "build/**", False),
        ("**/foo", "suffix", "**/foo", False),
        ("**", "suffix", "**", False),
        ("*.py", "regexp", "*.py", False),
        ("**/*.py", "regexp", "**/*.py", False),
        ("a/**/b", "regexp", "a/**/b", False),
        ("!keep/./me", "exact", "keep/me", True),
        ("a\\*b", "regexp", "a\\*b", False),
    ],
)
def test_the_kind_of_match_each_pattern_needs(
    raw: str, kind: str, text: str, exclusion: bool
) -> None:
    pattern = compile_pattern(raw)
    assert (pattern.kind, pattern.text, pattern.exclusion) == (kind, text, exclusion)
    assert (pattern.regex is not None) == (kind == "regexp")
    assert str(pattern) == ("!" if exclusion else "") + text


@pytest.mark.parametrize("raw", ["[abc", "a\\", "[]", "[a-]", "x[\\"])
def test_what_go_filepath_match_rejects(raw: str) -> None:
    with pytest.raises(DockerignoreError, match="syntax error in pattern"):
        compile_pattern(raw)


def test_a_lone_exclamation_mark() -> None:
    with pytest.raises(DockerignoreError, match='illegal exclusion pattern: "!"') as caught:
        compile_pattern("!")
    assert caught.value.exit_code == 2


def test_later_patterns_win_and_parents_count() -> None:
    matcher = PatternMatcher(["logs", "!logs/keep.txt", "*.tmp"])
    assert matcher.matches_or_parent_matches("logs/2024/a.log")
    assert not matcher.matches_or_parent_matches("logs/keep.txt")
    assert matcher.matches_or_parent_matches("x.tmp")
    assert not matcher.matches_or_parent_matches("dir/x.tmp")


def test_parent_results_carry_down_the_walk() -> None:
    matcher = PatternMatcher(["build", "!build/keep"])
    excluded, info = matcher.matches_using_parent("build", None)
    assert excluded and info == [True, False]
    assert matcher.matches_using_parent("build/out.bin", info)[0]
    assert not matcher.matches_using_parent("build/keep", info)[0]


def test_the_legacy_matches_checks_one_parent_as_deep_as_the_pattern() -> None:
    matcher = PatternMatcher(["a/b"])
    assert matcher.matches_legacy("a/b/c/d")
    assert not matcher.matches_legacy(".")
    assert not PatternMatcher(["a"]).matches_legacy("x/a")


def test_which_excluded_folders_may_hold_exceptions() -> None:
    literal = PatternMatcher(["cache", "!cache/keep/**"])
    assert literal.only_prefix_exceptions
    assert literal.may_include_inside("cache") and not literal.may_include_inside("other")
    assert literal.legacy_may_include_inside("cache")
    wildcard = PatternMatcher(["cache", "!**/keep.me"])
    assert not wildcard.only_prefix_exceptions
    assert not wildcard.legacy_may_include_inside("cache")
    assert not PatternMatcher(["cache"]).may_include_inside("cache")
