"""Requirements files built to hurt: huge continuations, deep -r chains, unset variables.

Behaviour is checked here (the answer, and no internal error); how the time grows with the
input is measured by ``benchmarks/hostile.py``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sizefloor.errors import RequirementsError
from sizefloor.inputs.lines import logical_lines
from sizefloor.inputs.requirements import parse_requirements_text, read_requirements

PIP_COMMENT_RE = re.compile(r"(^|\s+)#.*$")
"""pip's own expression (``pip._internal.req.req_file.COMMENT_RE``)."""


@pytest.mark.parametrize(
    "line",
    [
        "pkg  # comment",
        "# whole",
        "   # indented",
        "pkg#not-a-comment",
        "pkg @ https://h.invalid/x.whl#sha256=abc  # but this is",
        "pkg\t#tab",
        "a#b #c",
        "",
        "  ",
        "pkg\u3000# ideographic space",
    ],
)
def test_comments_are_stripped_as_pips_expression_strips_them(line: str) -> None:
    expected = PIP_COMMENT_RE.sub("", line).strip()
    got = [text for _, text in logical_lines(line + "\n", {})]
    assert got == ([expected] if expected else [])


def test_a_hundred_thousand_blank_continuation_lines_are_one_requirement() -> None:
    """Each blank continuation made pip's comment expression scan the whole joined line
    again: 40,000 took over a minute; this many would have taken hours."""
    text = "requests \\\n" + "    \\\n" * 100_000 + ">=2\n"
    reqs = parse_requirements_text(text, filename="requirements.txt", environ={})
    assert [str(r.requirement) for r in reqs.requirements] == ["requests>=2"]
    assert reqs.requirements[0].origin.line == 1


def test_a_continued_comment_is_dropped_whole() -> None:
    text = "pkg==1 \\\n" + "   \\\n" * 1000 + "  # the end\nother\n"
    reqs = parse_requirements_text(text, filename="r.txt", environ={})
    assert [r.name for r in reqs.requirements] == ["pkg", "other"]


def chain(tmp_path: Path, depth: int) -> Path:
    """``r0.txt`` includes ``r1.txt`` ... includes ``r{depth}.txt``; each names ``pkg{i}``."""
    for i in range(depth + 1):
        include = f"-r r{i + 1}.txt\n" if i < depth else ""
        (tmp_path / f"r{i}.txt").write_text(f"pkg{i}\n{include}after{i}\n")
    return tmp_path / "r0.txt"


@pytest.mark.slow
def test_a_deep_include_chain_is_read_in_order(tmp_path: Path) -> None:
    """400 files deep was a RecursionError (an internal error); now any depth is read."""
    depth = 2000
    reqs = read_requirements(chain(tmp_path, depth), environ={})
    names = [r.name for r in reqs.requirements]
    expected = [f"pkg{i}" for i in range(depth + 1)] + [f"after{i}" for i in range(depth, -1, -1)]
    assert names == expected
    assert len(reqs.files) == depth + 1


def test_a_cycle_deep_in_a_chain_names_it(tmp_path: Path) -> None:
    top = chain(tmp_path, 500)
    (tmp_path / "r500.txt").write_text("-r r498.txt\n")
    with pytest.raises(RequirementsError) as caught:
        read_requirements(top, environ={})
    assert "include cycle: " in str(caught.value)
    assert str(caught.value).count(" -> ") == 3  # r498 -> r499 -> r500 -> r498


@pytest.mark.slow
def test_a_deep_chain_from_the_command_line_is_no_internal_error(tmp_path: Path) -> None:
    top = chain(tmp_path, 600)
    (tmp_path / "r600.txt").write_text("-i https://${UNSET_FOR_SIZEFLOOR}@h.invalid/simple/\n")
    done = subprocess.run(
        [sys.executable, "-m", "sizefloor", str(top), "--python", "3.12", "--isolated"],
        capture_output=True, text=True, timeout=300, check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "r600.txt:1: ${UNSET_FOR_SIZEFLOOR} is not set" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_device_that_never_ends_is_refused(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text("-r /dev/zero\n")
    with pytest.raises(RequirementsError, match="larger than 64 MiB"):
        read_requirements(tmp_path / "r.txt", environ={})


@pytest.mark.slow
def test_includes_that_multiply_are_cut_short(tmp_path: Path) -> None:
    """Each file names the next twice: 2**30 reads, unless they are counted."""
    for i in range(30):
        (tmp_path / f"d{i}.txt").write_text(f"-r d{i + 1}.txt\n-r d{i + 1}.txt\n")
    (tmp_path / "d30.txt").write_text("pkg\n")
    with pytest.raises(RequirementsError, match="more than 10,000 -r/-c includes"):
        read_requirements(tmp_path / "d0.txt", environ={})
