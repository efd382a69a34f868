"""``sizefloor.estimate`` takes every option as a typed keyword that ``help()`` shows."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest

import sizefloor
from sizefloor.options import Options


def test_every_option_is_a_keyword_with_the_options_default() -> None:
    parameters = inspect.signature(sizefloor.estimate).parameters
    for field in dataclasses.fields(Options):
        assert field.name in parameters, f"estimate() lacks the {field.name} keyword"
        parameter = parameters[field.name]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default == field.default, field.name


def test_no_catch_all_keywords() -> None:
    kinds = {p.kind for p in inspect.signature(sizefloor.estimate).parameters.values()}
    assert inspect.Parameter.VAR_KEYWORD not in kinds


def test_a_misspelt_option_fails_at_the_call(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="nocompile"):
        sizefloor.estimate(["six"], nocompile=True)  # type: ignore[call-arg]


def test_options_and_keywords_together_are_refused() -> None:
    with pytest.raises(TypeError, match="either options= or option keywords"):
        sizefloor.estimate(["six"], options=Options(), compile_bytecode=False)


def test_the_public_names() -> None:
    for name in ("Options", "Floor", "RuntimeSize", "Report", "PackageSize", "Totals", "Target"):
        assert name in sizefloor.__all__
        assert getattr(sizefloor, name).__name__ == name
    assert callable(sizefloor.estimate)
