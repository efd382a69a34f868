"""The GitHub Action (``action.yml``), run step by step as a runner would: each ``run:`` step
with ``bash --noprofile --norc -eo pipefail``, its ``env:`` expressions (``${{ inputs.* }}``)
filled from the inputs, and the files GitHub sets (``GITHUB_STEP_SUMMARY``, ``GITHUB_OUTPUT``,
``GITHUB_ENV``, ``GITHUB_PATH``), against a temporary git repository and a loopback index.

Nothing is installed from the network: the ``install`` input is ``false`` and the
``sizefloor`` of this test environment is on ``PATH`` (the install step then only checks it
is there). sizefloor finds the loopback index through ``PIP_INDEX_URL``, as it would find a
CI's index through pip's configuration.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fatwheels import build_fat
from indexserver import IndexServer

ServerFactory = Callable[..., IndexServer]
ROOT = Path(__file__).resolve().parents[2]
_EXPRESSION = re.compile(r"\$\{\{\s*([a-z]+)\.([A-Za-z0-9_-]+)\s*\}\}")


@dataclass
class Outcome:
    status: int
    summary: str
    outputs: dict[str, str]
    stderr: str


@pytest.fixture(scope="module")
def fat_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fat(tmp_path_factory.mktemp("fat"))


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """``main`` requires webapp; the checked-out ``feature`` branch adds worker."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "ci@example.invalid")
    _git(repo, "config", "user.name", "CI")
    (repo / "requirements.txt").write_text("webapp==1.0\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "webapp")
    _git(repo, "checkout", "-q", "-b", "feature")
    (repo / "requirements.txt").write_text("webapp==1.0\nworker==1.0\n")
    _git(repo, "commit", "-q", "-am", "worker too")
    return repo


def run_action(
    repo: Path, tmp_path: Path, index: str, inputs: dict[str, str], event: str = "pull_request"
) -> Outcome:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values.update(inputs)
    files = {
        name: tmp_path / f"{name.lower()}.txt" for name in ("STEP_SUMMARY", "OUTPUT", "ENV", "PATH")
    }
    for path in files.values():
        path.write_text("")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "SIZEFLOOR_", "GITHUB_"))
    }
    env.update(
        {f"GITHUB_{name}": str(path) for name, path in files.items()},
        GITHUB_EVENT_NAME=event,
        GITHUB_BASE_REF="main" if event.startswith("pull_request") else "",
        GITHUB_WORKSPACE=str(repo),
        GITHUB_ACTION_PATH=str(ROOT),
        RUNNER_TEMP=str(tmp_path / "runner"),
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        PIP_CONFIG_FILE=os.devnull,
        PIP_INDEX_URL=index,
        SIZEFLOOR_CACHE_DIR=str(tmp_path / "cache"),
    )
    (tmp_path / "runner").mkdir(exist_ok=True)
    stderr = ""
    status = 0
    for step in action["runs"]["steps"]:
        assert step["shell"] == "bash"
        step_env = dict(env)
        for name, text in (step.get("env") or {}).items():
            step_env[name] = _EXPRESSION.sub(lambda m: _value(m, values, env), str(text))
        script = tmp_path / "step.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=repo, env=step_env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        stderr += done.stderr
        status = done.returncode
        for line in files["ENV"].read_text().splitlines():
            name, _, value = line.partition("=")
            env[name] = value
        for line in files["PATH"].read_text().splitlines():
            env["PATH"] = f"{line}{os.pathsep}{env['PATH']}"
        if status != 0:
            break
    outputs = dict(
        line.partition("=")[::2] for line in files["OUTPUT"].read_text().splitlines() if line
    )
    return Outcome(status, files["STEP_SUMMARY"].read_text(), outputs, stderr)


def _value(match: re.Match[str], inputs: dict[str, str], env: dict[str, str]) -> str:
    scope, name = match.groups()
    if scope == "inputs":
        return inputs[name]
    if scope == "github" and name == "action_path":
        return env["GITHUB_ACTION_PATH"]
    raise AssertionError(f"the test does not know the expression {match.group(0)}")


BASE = {"install": "false", "base": "none", "python": "3.12", "args": "--no-compile"}


@pytest.mark.slow
def test_pull_request_writes_the_summary_the_json_and_the_diff(
    index_server: ServerFactory, fat_dir: Path, repo: Path, tmp_path: Path
) -> None:
    server = index_server(fat_dir)
    outcome = run_action(repo, tmp_path, server.simple_url, {**BASE, "max-size": "1GB"})
    assert outcome.status == 0, outcome.stderr
    report: dict[str, Any] = json.loads(Path(outcome.outputs["json"]).read_text())
    assert {p["name"] for p in report["packages"]} >= {"webapp", "worker"}
    assert outcome.outputs["floor-bytes"] == str(report["floor"]["installed_bytes"])
    assert outcome.summary.startswith("## sizefloor: requirements.txt\n")
    assert "| **total** |" in outcome.summary  # the Markdown report
    assert "## sizefloor diff against main" in outcome.summary
    diff = json.loads(Path(outcome.outputs["diff-json"]).read_text())
    assert int(outcome.outputs["increase-bytes"]) == diff["totals"]["delta_installed_bytes"] > 0


@pytest.mark.slow
def test_a_budget_fails_the_job_with_status_3_after_writing_everything(
    index_server: ServerFactory, fat_dir: Path, repo: Path, tmp_path: Path
) -> None:
    server = index_server(fat_dir)
    outcome = run_action(repo, tmp_path, server.simple_url, {**BASE, "max-size": "10kB"})
    assert outcome.status == 3
    assert "sizefloor: over budget: " in outcome.stderr
    assert "## sizefloor diff against main" in outcome.summary  # the diff is still reported
    assert Path(outcome.outputs["json"]).is_file()

    outcome = run_action(repo, tmp_path, server.simple_url, {**BASE, "max-increase": "1kB"})
    assert outcome.status == 3
    assert "above --max-increase 1kB" in outcome.stderr


@pytest.mark.slow
def test_a_push_reports_the_floor_alone(
    index_server: ServerFactory, fat_dir: Path, repo: Path, tmp_path: Path
) -> None:
    server = index_server(fat_dir)
    outcome = run_action(repo, tmp_path, server.simple_url, BASE, event="push")
    assert outcome.status == 0, outcome.stderr
    assert "sizefloor diff" not in outcome.summary
    assert "diff-json" not in outcome.outputs


@pytest.mark.slow
def test_bad_input_fails_the_job_with_sizefloors_status(
    index_server: ServerFactory, fat_dir: Path, repo: Path, tmp_path: Path
) -> None:
    server = index_server(fat_dir)
    outcome = run_action(repo, tmp_path, server.simple_url, {**BASE, "path": "missing.txt"})
    assert outcome.status == 2
    assert "sizefloor: error: " in outcome.stderr


def test_the_install_step_installs_from_the_actions_own_checkout() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    install = action["runs"]["steps"][0]["run"]
    assert '-m pip install --quiet --disable-pip-version-check "$GITHUB_ACTION_PATH"' in install
    assert set(action["inputs"]) >= {
        "path",
        "base",
        "platform",
        "max-size",
        "max-increase",
        "base-ref",
    }
