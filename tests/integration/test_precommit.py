"""The pre-commit hook (``.pre-commit-hooks.yaml``), run by pre-commit itself.

pre-commit clones the hook's repository and builds its environment as it does for any user:
``repo:`` is a git repository made from this working tree (its files as they are now,
committed), and pre-commit installs sizefloor there with pip, which reaches the package
registry this machine's pip configuration names (``PIP_*`` and pip's files are left as they
are for that). The hook then sizes a temporary project against a loopback index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from fatwheels import build_fat
from indexserver import IndexServer

ServerFactory = Callable[..., IndexServer]
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def _commit_all(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.email=t@example.invalid", "-c", "user.name=T", "commit", "-qm", message)
    return _git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this working tree's files, and its commit."""
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = _git(ROOT, "ls-files", "-co", "--exclude-standard", "-z")
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    _git(repo, "init", "-q", "-b", "main")
    return repo, _commit_all(repo, "the working tree")


@pytest.fixture(scope="module")
def fat_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fat(tmp_path_factory.mktemp("fat"))


def _project(tmp_path: Path, hook_repo: tuple[Path, str], args: list[str]) -> Path:
    project = tmp_path / "project"
    project.mkdir(parents=True)
    _git(project, "init", "-q", "-b", "main")
    (project / "requirements.txt").write_text("webapp==1.0\nworker==1.0\n")
    (project / "README.md").write_text("a service\n")
    repo, rev = hook_repo
    config = {
        "repos": [{"repo": str(repo), "rev": rev, "hooks": [{"id": "sizefloor", "args": args}]}]
    }
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _commit_all(project, "a project")
    return project


def _pre_commit(project: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIZEFLOOR_")}
    env["PRE_COMMIT_HOME"] = str(tmp_path.parent / "pre-commit-home")  # shared by the tests
    env["SIZEFLOOR_CACHE_DIR"] = str(tmp_path / "cache")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", *args],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_the_hook_fails_a_commit_over_budget_and_passes_one_within(
    index_server: ServerFactory, fat_dir: Path, hook_repo: tuple[Path, str], tmp_path: Path
) -> None:
    server = index_server(fat_dir)
    common = ["requirements.txt", "--isolated", "--index-url", server.simple_url]
    common += ["--python", "3.12", "--no-compile", "--base", "none"]
    project = _project(tmp_path / "over", hook_repo, [*common, "--max-size", "10kB"])
    done = _pre_commit(project, tmp_path, "sizefloor", "--files", "requirements.txt")
    assert done.returncode == 1, done.stdout + done.stderr
    assert re.search(r"sizefloor \(the image's floor within its budget\)\.+Failed", done.stdout)
    assert "- exit code: 3" in done.stdout
    assert "sizefloor: over budget: the installed size is " in done.stdout

    skipped = _pre_commit(project, tmp_path, "sizefloor", "--files", "README.md")
    assert skipped.returncode == 0
    assert "(no files to check)Skipped" in skipped.stdout

    project = _project(tmp_path / "within", hook_repo, [*common, "--max-size", "1GB"])
    done = _pre_commit(project, tmp_path, "sizefloor", "--files", "requirements.txt")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"sizefloor \(the image's floor within its budget\)\.+Passed", done.stdout)


def test_the_hook_runs_on_the_files_that_decide_the_floor() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert (hook["id"], hook["language"], hook["pass_filenames"]) == ("sizefloor", "python", False)
    files = re.compile(hook["files"])
    for name in (
        "requirements.txt", "requirements/prod.txt", "requirements-dev.in", "pyproject.toml",
        "uv.lock", "pylock.toml", "pylock.prod.toml", "poetry.lock", "Pipfile.lock",
        "Dockerfile", "deploy/Dockerfile.prod", "api.Dockerfile", "constraints.txt",
    ):  # fmt: skip
        assert files.search(name), name
    for name in ("README.md", "src/app.py", "requirements.py", "docs/pyproject.md"):
        assert not files.search(name), name
