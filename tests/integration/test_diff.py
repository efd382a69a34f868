"""``sizefloor diff``: the deltas are exactly those of two separate estimate runs.

A loopback index serves :mod:`fatwheels`; the old set is webapp 1.0 + worker 1.0, the new
one webapp 2.0 (alpha 1.0 -> 2.0, gamma added, worker and beta removed, common unchanged).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fatwheels import build_fat, make_report, pkg
from indexserver import IndexServer

from sizefloor.analysis.diff import diff_reports
from sizefloor.cli.diff import materialize
from sizefloor.cli.main import main
from sizefloor.errors import InputError
from sizefloor.render.diff import render_diff

ServerFactory = Callable[..., IndexServer]
Run = Callable[..., tuple[int, str, str]]

OLD = "webapp==1.0\nworker==1.0\n"
NEW = "webapp==2.0\n"


@pytest.fixture(scope="module")
def fat_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fat(tmp_path_factory.mktemp("fat"))


@pytest.fixture
def sizefloor_cli(
    index_server: ServerFactory, fat_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Run:
    """``run(*arguments) -> (exit status, stdout, stderr)``, isolated, on the loopback index;
    each call has a cache of its own (``cache`` names it)."""
    server = index_server(fat_dir)

    def run(*args: str, cache: str = "cache") -> tuple[int, str, str]:
        common = ["--isolated", "--index-url", server.simple_url, "--python", "3.12"]
        common += ["--no-compile", "--cache-dir", str(tmp_path / cache)]
        code = main([*args, *common])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _files(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(OLD)
    new.write_text(NEW)
    return old, new


def _estimate(run: Run, path: Path, cache: str) -> dict[str, Any]:
    code, out, err = run(str(path), "--format", "json", cache=cache)
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document


def test_deltas_match_two_separate_runs(sizefloor_cli: Run, tmp_path: Path) -> None:
    old, new = _files(tmp_path)
    code, out, err = sizefloor_cli("diff", str(old), str(new), "--format", "json", cache="d")
    assert code == 0, err
    diff = json.loads(out)
    before = _estimate(sizefloor_cli, old, "a")
    after = _estimate(sizefloor_cli, new, "b")
    old_sizes = {p["name"]: p["installed_bytes"] for p in before["packages"]}
    new_sizes = {p["name"]: p["installed_bytes"] for p in after["packages"]}

    changes = {p["name"]: p for p in diff["packages"]}
    assert {n: p["status"] for n, p in changes.items()} == {
        "alpha": "changed",
        "webapp": "changed",
        "gamma": "added",
        "worker": "removed",
        "beta": "removed",
    }
    assert diff["unchanged"] == ["common"]
    for name in set(old_sizes) | set(new_sizes):
        delta = new_sizes.get(name, 0) - old_sizes.get(name, 0)
        if name in changes:
            assert changes[name]["delta_installed_bytes"] == delta, name
            assert changes[name]["old_installed_bytes"] == old_sizes.get(name, 0)
            assert changes[name]["new_installed_bytes"] == new_sizes.get(name, 0)
        else:
            assert delta == 0
    assert changes["alpha"]["old_version"] == "1.0" and changes["alpha"]["new_version"] == "2.0"
    assert changes["alpha"]["delta_installed_bytes"] > 60_000  # big.bin, and its RECORD row
    totals = diff["totals"]
    assert totals["old_installed_bytes"] == before["totals"]["installed_bytes"]
    assert totals["new_installed_bytes"] == after["totals"]["installed_bytes"]
    assert totals["delta_installed_bytes"] == (
        after["totals"]["installed_bytes"] - before["totals"]["installed_bytes"]
    )
    assert totals["delta_installed_bytes"] == sum(
        p["delta_installed_bytes"] for p in diff["packages"]
    )
    assert totals["delta_files"] == after["totals"]["files"] - before["totals"]["files"]
    assert totals["delta_download_bytes"] == (
        after["totals"]["download_bytes"] - before["totals"]["download_bytes"]
    )


def test_table_shows_exact_byte_deltas(sizefloor_cli: Run, tmp_path: Path) -> None:
    old, new = _files(tmp_path)
    _, out, _ = sizefloor_cli("diff", str(old), str(new), "--format", "json")
    diff = json.loads(out)
    code, out, _ = sizefloor_cli("diff", str(old), str(new))
    assert code == 0
    lines = out.splitlines()
    delta = diff["totals"]["delta_installed_bytes"]
    assert lines[0].startswith(f"{old} → {new}: +")
    assert f"{delta:+,} bytes); 1 added, 2 removed, 2 changed" in lines[0]
    for change in diff["packages"]:
        row = next(line for line in lines if line.split()[1:2] == [change["name"]])
        assert row.split()[0] == change["status"]
        assert row.endswith(f"{change['delta_installed_bytes']:+,}")
    assert next(line for line in lines if line.startswith("total")).endswith(f"{delta:+,}")
    assert "unchanged: 1 package" in lines
    code, markdown, _ = sizefloor_cli("diff", str(old), str(new), "--format", "markdown")
    assert markdown.startswith("### sizefloor diff: +")
    assert "<details><summary>Packages (5 changed)</summary>" in markdown


def test_max_increase(
    sizefloor_cli: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = _files(tmp_path)
    _, out, _ = sizefloor_cli("diff", str(old), str(new), "--format", "json")
    delta = json.loads(out)["totals"]["delta_installed_bytes"]
    assert delta > 0
    assert sizefloor_cli("diff", str(old), str(new), "--max-increase", f"{delta}B", "-q")[0] == 0
    code, _, err = sizefloor_cli("diff", str(old), str(new), "--max-increase", f"{delta - 1}B")
    assert code == 3
    assert err == (
        f"sizefloor: over budget: the increase is {delta / 1000:.1f} kB ({delta:,} bytes), "
        f"above --max-increase {delta - 1}B ({delta - 1:,} bytes) by 1 B\n"
    )
    with pytest.raises(SystemExit) as caught:  # a bare number is not read as bytes
        sizefloor_cli("diff", str(old), str(new), "--max-increase", "20")
    assert caught.value.code == 2
    _, err = capsys.readouterr()
    assert "--max-increase: '20' has no unit." in err and "MiB" in err


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_revisions(sizefloor_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``HEAD:requirements.txt`` reads the committed file and what it includes (``-r``) from
    the revision; the result is the file-based diff's."""
    repo = tmp_path / "repo"
    (repo / "reqs").mkdir(parents=True)
    _git(repo, "init", "-q")
    (repo / "reqs" / "requirements.txt").write_text("webapp==1.0\n-r base.txt\n")
    (repo / "reqs" / "base.txt").write_text("worker==1.0\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "old")
    (repo / "reqs" / "requirements.txt").write_text(NEW)
    (repo / "reqs" / "base.txt").write_text("gamma==1.0\n")  # not what HEAD has
    monkeypatch.chdir(repo)
    code, out, err = sizefloor_cli(
        "diff", "HEAD:reqs/requirements.txt", "reqs/requirements.txt", "--format", "json"
    )
    assert code == 0, err
    from_git = json.loads(out)
    old, new = _files(tmp_path)
    _, out, _ = sizefloor_cli("diff", str(old), str(new), "--format", "json")
    from_files = json.loads(out)
    assert from_git["packages"] == from_files["packages"]
    assert from_git["totals"] == from_files["totals"]
    assert from_git["old"]["label"] == "HEAD:reqs/requirements.txt"

    monkeypatch.chdir(repo / "reqs")  # ./path is relative to this directory
    code, out, _ = sizefloor_cli(
        "diff", "HEAD:./requirements.txt", "requirements.txt", "--format", "json"
    )
    assert code == 0 and json.loads(out)["totals"] == from_files["totals"]

    code, out, err = sizefloor_cli("diff", "HEAD~5:reqs/requirements.txt", "requirements.txt")
    assert code == 2 and out == ""
    assert err.startswith("sizefloor: error: cannot read 'HEAD~5:reqs/requirements.txt' from git")
    assert "Traceback" not in err


def test_materialize_plain_paths_and_bad_specs(tmp_path: Path) -> None:
    assert materialize("requirements.txt", tmp_path) == "requirements.txt"
    plain = tmp_path / "a:b.txt"
    plain.write_text("x\n")
    assert materialize(str(plain), tmp_path) == str(plain)  # an existing file wins
    with pytest.raises(InputError, match="neither a file nor REV:path"):
        materialize("HEAD:", tmp_path)


def test_diff_of_constructed_reports() -> None:
    old = make_report(pkg("a", 100), pkg("b", 50), pkg("c", 7))
    new = make_report(pkg("a", 130, version="2.0"), pkg("c", 7), pkg("d", 1))
    diff = diff_reports(old, new)
    assert [(c.name, c.status, c.delta) for c in diff.changes] == [
        ("b", "removed", -50),
        ("a", "changed", 30),
        ("d", "added", 1),
        ("c", "unchanged", 0),
    ]
    assert diff.delta == -19
    text = render_diff(diff, "table")
    assert "old → new: -19 B installed (157 B → 138 B, -12.1%; -19 bytes)" in text
    assert "a        1.0 → 2.0" in text
