"""The project as the user keeps it: the same service as a requirements file, a
``pyproject.toml`` (PEP 621, Poetry's), ``uv.lock`` and ``pylock.toml`` locked with uv in
the test, ``poetry.lock`` and ``Pipfile.lock`` fixtures, and folders holding each, gives
the same packages and the same installed bytes, byte for byte, on linux/amd64 and
linux/arm64. Local projects are built (an in-tree backend: pip needs no index), never
0 B. Real index on 127.0.0.1, real uv, real pip.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from indexserver import IndexServer
from lockedprojects import (
    fill_fixture,
    uv,
    write_backend_project,
    write_requirements,
    write_service,
)
from projects import build_graph, build_selection

import sizefloor
from sizefloor.errors import ProjectFileError
from sizefloor.report import Report

PY = "3.12"
PLATFORMS = ("linux/amd64", "linux/arm64")


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("service-wheels")
    build_graph(root)
    build_selection(root)
    return root


@pytest.fixture(scope="module")
def server(wheels: Path) -> Iterator[IndexServer]:
    with IndexServer(wheels) as running:
        yield running


@pytest.fixture(scope="module")
def forms(
    tmp_path_factory: pytest.TempPathFactory, server: IndexServer, wheels: Path
) -> dict[str, Path]:
    """The service in every form, each in a folder of its own (a folder with one form)."""
    root = tmp_path_factory.mktemp("forms")
    index = server.simple_url
    requirements = write_requirements(root / "reqs" / "requirements.txt")
    pyproject = write_service(root / "pep621")
    locked = write_service(root / "uv")
    uv(locked, "lock", index=index)
    exported = write_service(root / "pylock")
    shutil.copy(locked / "uv.lock", exported / "uv.lock")
    uv(
        exported,
        "export",
        "--format",
        "pylock.toml",
        "--no-dev",
        "-o",
        "pylock.toml",
        "-q",
        index=index,
    )
    (exported / "uv.lock").unlink()
    (exported / "pyproject.toml").unlink()
    poetry = fill_fixture("poetry", root / "poetry", wheels)
    pipenv = fill_fixture("pipenv", root / "pipenv", wheels)
    poetry_project = root / "poetry-pyproject"
    poetry_project.mkdir()
    shutil.copy(poetry / "pyproject.toml", poetry_project / "pyproject.toml")
    return {
        "requirements.txt": requirements,
        "pyproject.toml": pyproject / "pyproject.toml",
        "uv.lock": locked / "uv.lock",
        "pylock.toml": exported / "pylock.toml",
        "poetry.lock": poetry / "poetry.lock",
        "Pipfile.lock": pipenv / "Pipfile.lock",
        "poetry pyproject.toml": poetry_project / "pyproject.toml",
        "folder (uv.lock)": locked,
        "folder (pyproject.toml)": pyproject,
        "folder (poetry.lock)": poetry,
        "folder (requirements.txt)": requirements.parent,
    }


def run(given: Any, server: IndexServer, tmp_path: Path, **options: Any) -> Report:
    options.setdefault("python", PY)
    options.setdefault("use_pip_config", False)
    options.setdefault("cache_dir", tmp_path / "cache")
    return sizefloor.estimate(given, index_url=server.simple_url, **options)


def sized(report: Report) -> dict[str, tuple[str, int, int, int, bool]]:
    """name -> (version, installed bytes, disk bytes, files, exact)."""
    return {
        p.name: (p.version, p.installed_bytes, p.disk_bytes, p.files, p.exact)
        for p in report.packages
    }


@pytest.mark.slow
@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_form_gives_the_same_packages_and_bytes(
    forms: dict[str, Path], server: IndexServer, tmp_path: Path, platform: str
) -> None:
    reference = run(str(forms["requirements.txt"]), server, tmp_path, platform=platform)
    expected = sized(reference)
    names = {"app", "lib", "tool", "clickish", "compat", "natx"}
    if platform == "linux/arm64":
        names.add("armhelper")
    assert set(expected) == names
    assert reference.totals.installed_bytes > 0
    for form, path in forms.items():
        report = run(str(path), server, tmp_path, platform=platform)
        assert sized(report) == expected, form
        assert report.totals == reference.totals, form
        assert report.warnings == reference.warnings, form
        requested = {p.name for p in report.packages if p.requested}
        assert requested == {"app", "compat", "natx"}, form


@pytest.mark.slow
def test_extras_and_groups_select_the_same_in_every_form(
    forms: dict[str, Path], server: IndexServer, tmp_path: Path
) -> None:
    with_extra = run(str(forms["pyproject.toml"]), server, tmp_path, extras=["extra1"])
    assert "yk" in sized(with_extra)
    for form in ("uv.lock", "poetry.lock", "poetry pyproject.toml"):
        report = run(str(forms[form]), server, tmp_path, extras=["extra1"])
        assert sized(report) == sized(with_extra), form
    grouped = run(str(forms["pyproject.toml"]), server, tmp_path, groups=["test"])
    assert {"pr", "up"} <= set(sized(grouped))
    assert sized(run(str(forms["uv.lock"]), server, tmp_path, groups=["test"])) == sized(grouped)
    dev = run(str(forms["Pipfile.lock"]), server, tmp_path, groups=["dev"])
    assert "pr" in sized(dev) and "up" not in sized(dev)
    poetry_dev = run(str(forms["poetry.lock"]), server, tmp_path, groups=["dev"])
    assert sized(poetry_dev) == sized(dev)


@pytest.mark.slow
def test_a_lock_names_its_wheels_no_index_page_is_read(
    forms: dict[str, Path], server: IndexServer, tmp_path: Path
) -> None:
    server.clear_log()
    run(str(forms["uv.lock"]), server, tmp_path, use_cache=False)
    paths = [r.path for r in server.requests]
    assert paths and not any(p.startswith("/simple/") for p in paths)


@pytest.mark.slow
def test_pins_of_a_lock_stand_against_uploaded_prior_to(
    forms: dict[str, Path], server: IndexServer, tmp_path: Path
) -> None:
    from datetime import datetime, timezone

    early = datetime(2023, 1, 1, tzinfo=timezone.utc)
    report = run(str(forms["uv.lock"]), server, tmp_path, uploaded_prior_to=early)
    assert sized(report)["lib"][0] == "2.0"
    assert any("stand as they are" in w for w in report.warnings)


# ------------------------------------------------------------------ the project's own code


@pytest.mark.slow
@pytest.mark.parametrize("line", [".", "-e ."])
def test_a_dot_line_sizes_the_project_and_its_dependencies(
    tmp_path: Path, server: IndexServer, line: str
) -> None:
    project = write_backend_project(tmp_path / "proj")
    (project / "requirements.txt").write_text(f"{line}\n")
    report = run(str(project / "requirements.txt"), server, tmp_path)
    own = report.package("ownpkg")
    assert own.exact and own.installed_bytes > 3000
    assert "built from" in (own.note or "")
    assert report.package("lib").version == "2.0"
    assert report.package("lib").required_by == ("ownpkg",)
    assert (
        report.totals.installed_bytes >= own.installed_bytes + report.package("lib").installed_bytes
    )
    assert not report.unsized
    if line == "-e .":
        assert any("editable" in w for w in report.warnings)


@pytest.mark.slow
def test_a_project_that_does_not_build_is_estimated_never_zero(
    tmp_path: Path, server: IndexServer
) -> None:
    project = write_backend_project(tmp_path / "proj", broken=True)
    (project / "requirements.txt").write_text(".\n")
    report = run(str(project / "requirements.txt"), server, tmp_path)
    own = report.package("ownpkg")
    assert not own.exact and own.installed_bytes > 3000 and own.error_bytes > 0
    assert "could not be built" in (own.note or "")
    assert "lib" in sized(report)
    assert report.totals.installed_bytes > own.installed_bytes


@pytest.mark.slow
def test_dynamic_dependencies_come_from_the_build(tmp_path: Path, server: IndexServer) -> None:
    project = write_backend_project(tmp_path / "proj", dynamic=True)
    report = run(str(project), server, tmp_path)
    assert {"ownpkg", "lib"} <= set(sized(report))
    broken = write_backend_project(tmp_path / "broken", dynamic=True, broken=True)
    with pytest.raises(ProjectFileError, match="known only to its build backend"):
        run(str(broken), server, tmp_path)


@pytest.mark.slow
def test_a_folder_and_p_size_the_project_too(tmp_path: Path, server: IndexServer) -> None:
    project = write_backend_project(tmp_path / "proj")
    by_folder = run(str(project), server, tmp_path)
    by_p = run([str(project)], server, tmp_path)
    assert sized(by_folder) == sized(by_p)
    assert {"ownpkg", "lib"} == set(sized(by_folder))


@pytest.mark.slow
def test_a_uv_workspace_member_is_built(tmp_path: Path, server: IndexServer) -> None:
    project = write_backend_project(tmp_path / "proj")
    uv(project, "lock", index=server.simple_url)
    report = run(str(project / "uv.lock"), server, tmp_path)
    assert {"ownpkg", "lib"} == set(sized(report))
    assert report.package("ownpkg").exact


# ------------------------------------------------------------------ the command line


def cli(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sizefloor", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


@pytest.mark.slow
def test_the_command_line_says_what_a_folder_stands_for(
    forms: dict[str, Path], server: IndexServer, tmp_path: Path
) -> None:
    done = cli(
        str(forms["folder (uv.lock)"]), "--python", PY, "-i", server.simple_url,
        "--isolated", "--cache-dir", str(tmp_path / "cache"), "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "uv.lock (the folder's lock file)" in done.stderr
    assert '"app"' in done.stdout


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        (
            "environment.yml",
            "name: x\nchannels:\n  - conda-forge\ndependencies:\n  - numpy\n",
            "conda",
        ),
        ("Pipfile", "[packages]\nrequests = '*'\n", "pipenv lock"),
        ("pdm.lock", "", "pdm export"),
        ("env.yaml", "channels:\n  - defaults\ndependencies:\n  - python=3.12\n", "conda"),
    ],
)
def test_formats_sizefloor_does_not_read_exit_2_naming_the_export(
    tmp_path: Path, name: str, content: str, words: str
) -> None:
    (tmp_path / name).write_text(content)
    done = cli(str(tmp_path / name))
    assert done.returncode == 2
    assert words in done.stderr
    assert "Traceback" not in done.stderr


def test_an_ambiguous_folder_lists_the_candidates(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text("version = 1\n")
    (tmp_path / "poetry.lock").write_text("[metadata]\n")
    done = cli(str(tmp_path))
    assert done.returncode == 2
    assert "poetry.lock, uv.lock" in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("form", ["uv.lock", "pylock.toml"])
def test_a_lock_files_estimate_is_remembered_by_its_bytes(
    forms: dict[str, Path], server: IndexServer, tmp_path: Path, form: str
) -> None:
    first = run(str(forms[form]), server, tmp_path)
    assert first.transfer["requests"] > 0
    server.clear_log()
    second = run(str(forms[form]), server, tmp_path)
    assert server.requests == []
    assert set(second.transfer.values()) == {0}
    assert {**second.to_json(), "transfer": None} == {**first.to_json(), "transfer": None}
    edited = tmp_path / "edited" / form
    edited.parent.mkdir()
    edited.write_text(forms[form].read_text() + "\n# edited\n")
    third = run(str(edited), server, tmp_path)
    assert third.transfer["requests"] == 0  # its wheels are cached, but it was sized again
    assert sized(third) == sized(first)


@pytest.mark.slow
def test_a_lock_with_a_local_project_is_not_remembered(tmp_path: Path, server: IndexServer) -> None:
    project = write_backend_project(tmp_path / "member", "member", dependencies=())
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "hand"\n\n[[packages]]\nname = "member"\n'
        f'directory = {{ path = "{project.as_posix()}" }}\n'
    )
    first = run(str(lock), server, tmp_path)
    (project / "member" / "more.py").write_text("MORE = 1\n" * 500)
    second = run(str(lock), server, tmp_path)
    assert second.totals.installed_bytes > first.totals.installed_bytes
