"""The report's line on its bytecode: which interpreter compiled it, and what to do when none."""

from __future__ import annotations

from dataclasses import replace

from fatwheels import make_report, pkg

from sizefloor.render.formats import render
from sizefloor.render.table import bytecode_line
from sizefloor.report import BytecodeSizing, Report


def _report(sizing: BytecodeSizing) -> Report:
    report = make_report(pkg("app", 10_000_000, requested=True, required_by=("-r r.txt:1",)))
    return replace(report, compile_bytecode=True, bytecode=sizing)


PYENV = {"executable": "/home/u/.pyenv/versions/3.12.8/bin/python3.12", "version": "3.12.8",
         "found": "pyenv"}  # fmt: skip


def test_the_interpreter_that_calibrated_is_named() -> None:
    line = bytecode_line(_report(BytecodeSizing("calibrated", 3_000_000, 40_000, PYENV, "3.12")))
    assert "calibrated by CPython 3.12.8 (/home/u/.pyenv/versions/3.12.8/bin/python3.12" in line
    assert "found in pyenv" in line and "±40.0 kB (0.4% of the total)" in line


def test_compiled_bytecode_is_exact() -> None:
    running = {**PYENV, "found": "running"}
    line = bytecode_line(_report(BytecodeSizing("compiled", 3_000_000, 0, running, "3.12")))
    assert "compiled, exact, by CPython 3.12.8" in line and "found in" not in line
    assert "±" not in line


def test_none_found_states_the_error_and_the_command_in_one_line() -> None:
    sizing = BytecodeSizing(
        "modelled",
        3_000_000,
        810_000,
        None,
        "3.12",
        "no CPython 3.12 was found (looked in: PATH, pyenv, uv)",
        "uv python install 3.12",
    )
    report = _report(sizing)
    line = bytecode_line(report)
    assert "\n" not in line
    assert "modelled: 3.0 MB ±810 kB (8.1% of the total)" in line
    assert "`uv python install 3.12`, then run again" in line
    for fmt in ("table", "markdown", "html"):
        assert "uv python install 3.12" in render(report, fmt), fmt
    document = report.to_json()
    assert document["bytecode"]["hint"] == "uv python install 3.12"
    assert document["bytecode"]["interpreter"] is None


def test_asked_to_model_says_so() -> None:
    sizing = BytecodeSizing("modelled", 3_000_000, 810_000, None, "3.12", "--model-bytecode")
    line = bytecode_line(_report(sizing))
    assert "modelled (--model-bytecode)" in line and "install" not in line
