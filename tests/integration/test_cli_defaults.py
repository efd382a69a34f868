"""Project defaults, ``-v``, colour and warning names, end to end: ``[tool.sizefloor]`` in a
project's ``pyproject.toml`` and ``SIZEFLOOR_*`` variables against a loopback index.

These runs read no pip configuration of this machine (``PIP_CONFIG_FILE=/dev/null``, no
``PIP_*`` variables) but are not ``--isolated``: ``--isolated`` would read no defaults.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from fatwheels import build_fat
from indexserver import IndexServer

from sizefloor.cli.main import main

ServerFactory = Callable[..., IndexServer]
Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def fat_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fat(tmp_path_factory.mktemp("fat"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "service"
    (folder / "deploy").mkdir(parents=True)
    (folder / ".git").mkdir()  # the top of the repository: the search stops here
    (folder / "deploy" / "requirements.txt").write_text("webapp==1.0\nworker==1.0\n")
    return folder


@pytest.fixture
def run(
    index_server: ServerFactory,
    fat_dir: Path,
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Run:
    """``run(*options, env={...}) -> (status, out, err)`` on the project's requirements."""
    server = index_server(fat_dir)
    for name in list(os.environ):
        if name.startswith(("PIP_", "SIZEFLOOR_")) or name in ("NO_COLOR", "FORCE_COLOR"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)

    def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
        with monkeypatch.context() as scoped:
            for name, value in (env or {}).items():
                scoped.setenv(name, value)
            code = main(
                [
                    str(project / "deploy" / "requirements.txt"),
                    "--index-url", server.simple_url,
                    "--cache-dir", str(tmp_path / "cache"),
                    "--python", "3.12", "--no-compile", "--base", "none",
                    *args,
                ]
            )  # fmt: skip
        out, err = capsys.readouterr()
        return code, out, err

    return cli


def _pyproject(project: Path, table: str) -> Path:
    path = project / "pyproject.toml"
    path.write_text(f'[project]\nname = "service"\n\n[tool.sizefloor]\n{table}\n')
    return path


def test_max_size_in_the_project_exits_3_without_any_flag(run: Run, project: Path) -> None:
    path = _pyproject(project, 'max-size = "10kB"')
    code, out, err = run()
    assert code == 3
    assert out.startswith("package ")  # the report, then the budget
    assert err.startswith("sizefloor: over budget: the installed size is ")
    assert f"above max-size (from {path} [tool.sizefloor]) 10kB (10,000 bytes)" in err
    assert run("--isolated")[0] == 0  # --isolated reads no defaults
    assert run(env={"SIZEFLOOR_MAX_SIZE": "1GB"})[0] == 0  # the environment beats the file
    code, _, err = run("--max-size", "10kB", env={"SIZEFLOOR_MAX_SIZE": "1GB"})
    assert code == 3  # a flag beats the environment
    assert "above --max-size 10kB" in err


def test_the_project_is_found_from_the_inputs_folder_upwards(
    run: Run, project: Path, tmp_path: Path
) -> None:
    _pyproject(project, 'format = "json"\nignore = ["tests", "docs"]')
    code, out, _ = run()
    assert code == 0
    kinds = {f["kind"] for f in json.loads(out)["findings"]}
    assert kinds and not kinds & {"tests", "docs"}
    assert run("--format", "table")[1].startswith("package ")
    code, out, _ = run(env={"SIZEFLOOR_IGNORE": ""})  # set but empty: as if unset
    assert "tests" not in {f["kind"] for f in json.loads(out)["findings"]}
    code, out, _ = run(env={"SIZEFLOOR_IGNORE": "shared-library"})
    assert {"tests", "docs"} <= {f["kind"] for f in json.loads(out)["findings"]}
    assert "shared-library" not in {f["kind"] for f in json.loads(out)["findings"]}
    outside = tmp_path / "pyproject.toml"  # above the repository's top: never read
    outside.write_text('[tool.sizefloor]\nmax-size = "1kB"\n')
    (project / "pyproject.toml").unlink()
    assert run()[0] == 0


@pytest.mark.parametrize(
    ("table", "env", "named"),
    [
        ('max-sise = "1GB"', {}, "[tool.sizefloor]: unknown key 'max-sise'."),
        ('max-size = "200"', {}, "[tool.sizefloor]: max-size: '200' has no unit."),
        ('format = "pdf"', {}, "[tool.sizefloor]: format: 'pdf' is not a format."),
        ('ignore = ["fat"]', {}, "[tool.sizefloor]: ignore: 'fat' is not a kind of finding."),
        ('platform = "linux/s390"', {}, "[tool.sizefloor]: platform: "),
        ("max-size = 5", {}, "[tool.sizefloor]: max-size: 5 is not a non-empty string."),
        ("", {"SIZEFLOOR_MAX_SIZE": "lots"}, "SIZEFLOOR_MAX_SIZE: 'lots' is not a size."),
        ("", {"SIZEFLOOR_MAXSIZE": "1GB"}, "unknown environment variable SIZEFLOOR_MAXSIZE."),
        ("", {"SIZEFLOOR_SILENCE": "loud"}, "SIZEFLOOR_SILENCE: 'loud' is not the name of a"),
    ],
)
def test_bad_defaults_are_input_errors_naming_where_and_the_key(
    run: Run, project: Path, table: str, env: dict[str, str], named: str
) -> None:
    path = _pyproject(project, table)
    code, out, err = run(env=env)
    assert (code, out) == (2, "")
    assert err.startswith("sizefloor: error: ")
    assert named in err
    if not env:
        assert str(path) in err
    assert "Traceback" not in err


def test_broken_toml_is_an_input_error(run: Run, project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.sizefloor\n")
    code, _, err = run()
    assert code == 2
    assert f"{project / 'pyproject.toml'} is not valid TOML" in err and "--isolated" in err


def test_verbose_says_what_was_fetched_the_cache_the_defaults_and_the_time(
    run: Run, project: Path
) -> None:
    path = _pyproject(project, 'max-size = "1GB"')
    code, _, err = run("-v")
    assert code == 0
    lines = err.splitlines()
    assert f"sizefloor: default max-size = 1GB (from {path} [tool.sizefloor])" in lines
    assert any(line.startswith("sizefloor: looking in http://127.0.0.1:") for line in lines)
    fetched = [line for line in lines if line.startswith("sizefloor: fetched ")]
    assert any("/simple/webapp/: 200" in line for line in fetched)
    assert any(".whl (bytes=" in line and ": 206, " in line for line in fetched)
    assert any(line.startswith("sizefloor: cache ") and "hits by kind" in line for line in lines)
    assert lines[-1].startswith("sizefloor: time: ") and "resolving" in lines[-1]
    code, _, err = run("-v")  # warm: the remembered estimate, nothing fetched
    assert "answered from the estimate remembered" in err
    assert "sizefloor: fetched " not in err
    assert run("-q")[2] == ""


def test_colour_on_a_terminal_with_no_color_and_force_color(run: Run) -> None:
    code, out, err = run("--max-size", "1kB", env={"FORCE_COLOR": "1"})
    assert code == 3
    assert out.startswith("\x1b[1mpackage ")  # the header bold, the rules dim
    assert "\n\x1b[2m-------  " in out
    assert "\x1b[1;31mover budget\x1b[0m: " in err
    code, out, err = run("--max-size", "1kB", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in out + err
    code, out, err = run("--max-size", "1kB")  # not a terminal
    assert "\x1b[" not in out + err
    code, out, _ = run("--format", "json", env={"FORCE_COLOR": "1"})
    assert "\x1b[" not in out  # only the table is coloured
    json.loads(out)
