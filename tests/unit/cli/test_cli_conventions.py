"""The conventions on their own: warning names, the ``SIZEFLOOR_`` variables, ``--help``,
colour decisions."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from sizefloor.cli.config import ENV_PREFIX, KEYS, OTHER_VARIABLES
from sizefloor.cli.main import main
from sizefloor.cli.silence import check_names, name_of, shown
from sizefloor.cli.style import colour_on
from sizefloor.errors import InputError

PACKAGE = Path(__file__).resolve().parents[3] / "sizefloor"


@pytest.mark.parametrize(
    ("warning", "name"),
    [
        (
            "pip's configuration sets a constraints file (/etc/xdg/pip/constraints.txt, from "
            "/etc/xdg/pip/pip.conf [global]); sizefloor does not apply it — pass it with -c if "
            "the image build uses it",
            "pip-constraint",
        ),
        ("pip's configuration sets pre = yes (from x); sizefloor does not apply it", "pip-option"),
        (
            "skipping extra index file:///opt/x (from y): no such directory (pip ...)",
            "index-skipped",
        ),
        ("skipping --find-links /nowhere: not a directory", "index-skipped"),
        ("the server of a-1.whl ignores Range requests: read the whole file", "no-range"),
        ("-e ./x (r.txt:1) is not sized: an editable install", "unsized"),
        ("--uploaded-prior-to: some files have no upload time on their index", "upload-time"),
        ("the cache at /c cannot be used (locked); going on without it", "cache"),
        ("no catalogued runtime runs CPython 3.9: the floor is the dependencies", "no-runtime"),
        ("something nobody named yet", "other"),
    ],
)
def test_each_warning_has_its_stable_name(warning: str, name: str) -> None:
    assert name_of(warning) == name


def test_silencing_by_name_and_all() -> None:
    warnings = ["the server of x ignores Range requests", "something else"]
    assert shown(warnings, ()) == [("no-range", warnings[0]), ("other", warnings[1])]
    assert shown(warnings, ("no-range",)) == [("other", warnings[1])]
    assert shown(warnings, ("all",)) == []
    assert check_names(["no-range,cache", "ALL"], "--silence") == ("no-range", "cache", "all")
    with pytest.raises(InputError, match="--silence: 'loud' is not the name of a warning"):
        check_names(["loud"], "--silence")


def test_every_sizefloor_variable_the_code_reads_is_known() -> None:
    """An unknown SIZEFLOOR_ variable is refused: one the code reads must be listed."""
    known = set(OTHER_VARIABLES) | {ENV_PREFIX + key.name.upper().replace("-", "_") for key in KEYS}
    read = set()
    for path in PACKAGE.rglob("*.py"):
        read |= set(re.findall(r"\bSIZEFLOOR_[A-Z_]+[A-Z]\b", path.read_text()))
    assert read - known == set()


def test_help_lists_the_commands_and_where_defaults_come_from(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("diff", "image", "context", "completion"):
        assert re.search(rf"^  {command} +\S", out, re.MULTILINE), command
    assert "sizefloor {diff,image,context,completion} ..." in out
    assert "[tool.sizefloor]" in out and "SIZEFLOOR_*" in out
    flat = " ".join(out.split())
    assert "A flag beats the environment, which beats the file; --isolated reads neither." in flat
    assert "-v, --verbose" in out and "--silence NAME" in out


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("tty", "env", "expected"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),  # empty: not set
        (False, {"FORCE_COLOR": "1"}, True),
        (False, {"FORCE_COLOR": "0"}, False),
        (False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (True, {"TERM": "dumb"}, False),
    ],
)
def test_colour_follows_the_terminal_no_color_and_force_color(
    tty: bool, env: dict[str, str], expected: bool
) -> None:
    stream = _Tty() if tty else io.StringIO()
    assert colour_on(stream, env) is expected
