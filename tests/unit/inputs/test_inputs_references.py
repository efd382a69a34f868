"""sizefloor.inputs.references: what a URL or path points at, and the name it carries."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sizefloor.errors import RequirementsError
from sizefloor.inputs.origin import Origin
from sizefloor.inputs.references import (
    Reference,
    archive_extension,
    classify_url,
    directory_project_name,
    egg_name,
    guess_name,
    is_remote,
    is_url,
    local_directory,
    local_file,
    looks_like_path,
    path_to_url,
    scheme,
    strip_extras,
    wheel_name,
)

HERE = Origin("requirements.txt", 2)
FILES = "https://files.example.invalid/packages"


def project(directory: Path, pyproject: str | None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if pyproject is None:
        (directory / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    else:
        (directory / "pyproject.toml").write_text(pyproject)
    return directory


# -- text ----------------------------------------------------------------------------------


def test_schemes_and_urls() -> None:
    assert scheme("HTTPS://h.example.invalid/x") == "https"
    assert scheme("pkg>=1") == "" and scheme("http://[bad") == ""
    assert is_url("git+ssh://git@h.example.invalid/r.git") and is_url("file:///x")
    assert not is_url("svn+unknown://h/x") and not is_url("./dir")
    assert is_remote(f"{FILES}/a.whl") and is_remote("ftp://h.example.invalid/a")
    assert not is_remote("file:///a.whl") and not is_remote("git+https://h.example.invalid/r")


def test_paths() -> None:
    assert looks_like_path("./pkg") and looks_like_path("sub/pkg") and looks_like_path(".")
    assert not looks_like_path("pkg")
    assert archive_extension("x-1.0.TAR.GZ") == ".tar.gz"
    assert archive_extension("x-1.0.tar.lzma") == ".tar.lzma"
    assert archive_extension("x-1.0.rpm") is None
    assert strip_extras("./dir [a,b]") == ("./dir", "[a,b]")
    assert strip_extras("./dir") == ("./dir", "")
    assert path_to_url("/srv/w/x.whl") == "file:///srv/w/x.whl"


# -- classification ------------------------------------------------------------------------


def test_remote_urls_are_wheels_archives_or_checkouts() -> None:
    assert classify_url(f"{FILES}/a-1.0-py3-none-any.whl#sha256=00", "/", HERE, "s") == Reference(
        f"{FILES}/a-1.0-py3-none-any.whl#sha256=00", "wheel"
    )
    assert classify_url(f"{FILES}/a-1.0.tar.gz", "/", HERE, "s").kind == "archive"
    assert classify_url("git+https://h.example.invalid/r.git@v1", "/", HERE, "s").kind == "vcs"
    assert classify_url("git+weird://h.example.invalid/r", "/", HERE, "s").kind == "vcs"


def test_local_file_urls(tmp_path: Path) -> None:
    wheel = tmp_path / "a-1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    found = classify_url(f"{wheel.as_uri()}#sha256=00", "/", HERE, "s")
    assert found == Reference(f"{wheel.as_uri()}#sha256=00", "wheel", str(wheel))
    directory = project(tmp_path / "proj", None)
    assert classify_url(directory.as_uri(), "/", HERE, "s").kind == "directory"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("file://other.example.invalid/x.whl", "file: URLs naming another host"),
        ("file:///no/such/x.whl", "names a file that does not exist: /no/such/x.whl"),
        ("ssh://h.example.invalid/x.whl", "is not a URL sizefloor can use"),
    ],
)
def test_urls_that_cannot_be_used(url: str, expected: str) -> None:
    with pytest.raises(RequirementsError, match=expected):
        classify_url(url, "/", HERE, "shown")


def test_a_directory_must_be_a_project(tmp_path: Path) -> None:
    with pytest.raises(RequirementsError, match=re.escape("neither pyproject.toml nor setup.py")):
        local_directory(str(tmp_path), HERE)
    project(tmp_path, None)
    assert local_directory(str(tmp_path), HERE) == Reference(
        tmp_path.as_uri(), "directory", str(tmp_path)
    )


def test_local_files_are_wheels_or_archives() -> None:
    assert local_file("/w/A-1.0-py3-none-any.WHL").kind == "wheel"
    assert local_file("/w/a-1.0.zip", fragment="md5=0") == Reference(
        "file:///w/a-1.0.zip#md5=0", "archive", "/w/a-1.0.zip"
    )


# -- names ---------------------------------------------------------------------------------


def test_wheel_name_and_version_from_the_file_name() -> None:
    assert wheel_name(f"{FILES}/My_Pkg-2.0-1-py3-none-any.whl", HERE, "s") == ("My-Pkg", "2.0")
    with pytest.raises(RequirementsError, match=re.escape("invalid wheel file name 'nope.whl'")):
        wheel_name(f"{FILES}/nope.whl", HERE, "s")


def test_egg_fragments() -> None:
    assert (
        egg_name("git+https://h.example.invalid/r.git#egg=pkg&subdirectory=x", HERE, "s") == "pkg"
    )
    assert egg_name("git+https://h.example.invalid/r.git", HERE, "s") is None
    with pytest.raises(RequirementsError, match="#egg=pkg>=1 is not a project name"):
        egg_name("git+https://h.example.invalid/r.git#egg=pkg>=1", HERE, "s")


def test_a_directory_is_named_by_its_project_table_else_guessed(tmp_path: Path) -> None:
    named = project(tmp_path / "src-dir", '[tool.x]\nname = "no"\n[project]\nname = "real"\n')
    assert directory_project_name(str(named)) == ("real", False)
    unnamed = project(tmp_path / "My Dir!", '[tool.x]\nname = "no"\n')
    assert directory_project_name(str(unnamed)) == ("My-Dir", True)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (Reference("git+https://h.example.invalid/org/tool.git@v2", "vcs"), "tool"),
        (Reference(f"{FILES}/some_pkg-1.2.3.tar.gz", "archive"), "some_pkg"),
        (Reference(f"{FILES}/snapshot.zip", "archive"), "snapshot"),
        (Reference(f"{FILES}/%2B%2B.zip", "archive"), "unnamed"),
    ],
)
def test_guessed_names(reference: Reference, expected: str) -> None:
    assert guess_name(reference) == expected
