"""What a path is: recognised by name, then by content; what a folder stands for."""

from __future__ import annotations

from pathlib import Path

import pytest

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.project import read_dockerfile, recognise


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("requirements.txt", "requirements"),
        ("requirements-prod.in", "requirements"),
        ("pyproject.toml", "pyproject"),
        ("uv.lock", "uv.lock"),
        ("pylock.toml", "pylock.toml"),
        ("pylock.prod.toml", "pylock.toml"),
        ("poetry.lock", "poetry.lock"),
        ("Pipfile.lock", "Pipfile.lock"),
        ("Dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("api.Dockerfile", "dockerfile"),
        ("Dockerfile.prod", "dockerfile"),
    ],
)
def test_by_name(tmp_path: Path, name: str, kind: str) -> None:
    (tmp_path / name).write_text("")
    assert recognise(tmp_path / name).kind == kind


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ('version = 1\nrequires-python = ">=3.11"\n\n[[package]]\nname = "a"\n', "uv.lock"),
        ('lock-version = "1.0"\ncreated-by = "x"\n', "pylock.toml"),
        (
            '[[package]]\nname = "a"\n\n[metadata]\nlock-version = "2.1"\ncontent-hash = "x"\n',
            "poetry.lock",
        ),
        ('{\n    "_meta": {}, "default": {}\n}\n', "Pipfile.lock"),
        ('[project]\nname = "x"\n', "pyproject"),
        ("# syntax=docker/dockerfile:1\nARG PY=3.12\nFROM python:${PY}-slim\n", "dockerfile"),
        ("flask>=3\n# [project]\n", "requirements"),
    ],
)
def test_by_content_under_another_name(tmp_path: Path, content: str, kind: str) -> None:
    (tmp_path / "deps.lock").write_text(content)
    assert recognise(tmp_path / "deps.lock").kind == kind


def test_a_folder_prefers_dockerfile_then_lock_then_pyproject_then_requirements(
    tmp_path: Path,
) -> None:
    for name in ("requirements.txt", "pyproject.toml", "uv.lock", "Dockerfile"):
        (tmp_path / name).write_text("")
    assert recognise(tmp_path).kind == "dockerfile"
    (tmp_path / "Dockerfile").unlink()
    picked = recognise(tmp_path)
    assert (picked.kind, Path(picked.path).name) == ("uv.lock", "uv.lock")
    assert picked.note is not None and "the folder's lock file" in picked.note
    (tmp_path / "uv.lock").unlink()
    assert recognise(tmp_path).kind == "pyproject"
    (tmp_path / "pyproject.toml").unlink()
    assert recognise(tmp_path).kind == "requirements"


def test_an_ambiguous_folder_lists_its_candidates(tmp_path: Path) -> None:
    for name in ("uv.lock", "pylock.toml", "pyproject.toml"):
        (tmp_path / name).write_text("")
    with pytest.raises(ProjectFileError, match=r"several lock files \(pylock.toml, uv.lock\)"):
        recognise(tmp_path)
    for name in ("api.Dockerfile", "worker.Dockerfile"):
        (tmp_path / name).write_text("")
    with pytest.raises(ProjectFileError, match=r"api\.Dockerfile, worker\.Dockerfile"):
        recognise(tmp_path)


def test_a_setuptools_folder_is_a_project(tmp_path: Path) -> None:
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    assert recognise(tmp_path).kind == "project"
    assert recognise(tmp_path / "setup.py").kind == "project"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("environment.yml", "dependencies: []\n", "pip list --format=freeze"),
        ("environment.yaml", "dependencies: []\n", "pip list --format=freeze"),
        ("Pipfile", "[packages]\n", "pipenv lock"),
        ("pdm.lock", "", "pdm export"),
        ("mine.yml", "name: x\nchannels:\n  - defaults\ndependencies:\n  - numpy\n", "conda"),
    ],
)
def test_formats_not_read_name_the_export_command(
    tmp_path: Path, name: str, content: str, words: str
) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(ProjectFileError, match="does not read") as info:
        recognise(tmp_path / name)
    assert words in str(info.value)
    assert info.value.exit_code == 2


def test_a_folder_with_only_an_unread_format_says_so(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text("[packages]\n")
    with pytest.raises(ProjectFileError, match="a Pipfile without its lock"):
        recognise(tmp_path)
    (tmp_path / "Pipfile").unlink()
    with pytest.raises(ProjectFileError, match="nothing sizefloor reads"):
        recognise(tmp_path)


def test_dockerfiles_are_not_read_yet(tmp_path: Path) -> None:
    with pytest.raises(ProjectFileError, match="Dockerfiles: not yet"):
        read_dockerfile(str(tmp_path / "Dockerfile"))
