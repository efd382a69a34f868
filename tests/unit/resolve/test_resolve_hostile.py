"""A wheel declaring thousands of requirements on one project: resolved right, and the
requirements folded into one (the resolver's time grew with the square of their number)."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement
from wheelbuilder import build_wheel

import sizefloor
from sizefloor.resolve.provider import _merged
from sizefloor.resolve.wanted import Wanted


@pytest.fixture
def many(tmp_path: Path) -> Path:
    lines = [f"dep>=0.{i}" for i in range(20_000)] + ["dep<2", "dep[fast]!=1.5"]
    build_wheel(tmp_path, "app", "1.0", requires_dist=lines)
    for version in ("1.0", "1.5", "1.8", "2.0"):
        build_wheel(tmp_path, "dep", version, extra_metadata=["Provides-Extra: fast"])
    return tmp_path


def test_twenty_thousand_requirements_on_one_project_resolve(many: Path, tmp_path: Path) -> None:
    report = sizefloor.estimate(
        ["app"],
        python="3.12",
        find_links=[str(many)],
        no_index=True,
        use_pip_config=False,
        use_cache=False,
        sample_bytecode=False,
    )
    assert sorted((p.name, p.version) for p in report.packages) == [("app", "1.0"), ("dep", "1.8")]


def wanted(*texts: str) -> list[Wanted]:
    return [Wanted(Requirement(t), "app 1.0") for t in texts]


def test_requirements_on_one_project_are_folded_into_one() -> None:
    merged = _merged(wanted("a>=1", "b", "a<3", "a>=1", "a[x]>2", "a[x]!=2.5"))
    assert [str(w.requirement) for w in merged] == ["a<3,>=1", "b", "a[x]!=2.5,>2"]


def test_a_project_named_once_is_left_as_written() -> None:
    given = wanted("a>=1; python_version>'3'", "b")
    assert _merged(given) == given


def test_urls_are_never_folded() -> None:
    given = wanted("a @ https://h.invalid/a-1-py3-none-any.whl", "a>=1", "a<2")
    merged = [str(w.requirement) for w in _merged(given)]
    assert merged == ["a @ https://h.invalid/a-1-py3-none-any.whl", "a<2,>=1"]
