"""sizefloor.inputs.requirement_line: one requirement as written -> a RequirementLine."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from sizefloor.errors import RequirementsError
from sizefloor.inputs.origin import Origin
from sizefloor.inputs.requirement_line import (
    UNSIZED_DIRECTORY,
    UNSIZED_EDITABLE,
    UNSIZED_SOURCE_ARCHIVE,
    UNSIZED_VCS,
    RequirementLine,
    editable_line,
    requirement_line,
)

HERE = Origin("requirements.txt", 9)
FILES = "https://files.example.invalid/packages"
WHEEL = f"{FILES}/Demo_Pkg-1.2-py3-none-any.whl"
REPO = "git+https://h.example.invalid/org/repo.git"


def line(text: str, base_dir: str = "/", *, constraint: bool = False) -> RequirementLine:
    return requirement_line(text, base_dir, HERE, constraint=constraint)


def problem(text: str, base_dir: str = "/", *, constraint: bool = False) -> str:
    with pytest.raises(RequirementsError) as info:
        requirement_line(text, base_dir, HERE, constraint=constraint)
    assert (info.value.file, info.value.line) == ("requirements.txt", 9) and info.value.hint
    return str(info.value)


def project(directory: Path, name: str | None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    body = "[build-system]\n" if name is None else f'[project]\nname = "{name}"\n'
    (directory / "pyproject.toml").write_text(body)
    return directory


# -- requirements --------------------------------------------------------------------------


def test_a_pep508_requirement_keeps_its_marker_unevaluated() -> None:
    req = requirement_line('Pkg[b,a]>=1 ; python_version < "3"', "/", HERE, hashes=("h",))
    assert str(req.requirement) == 'Pkg[a,b]>=1; python_version < "3"'
    assert (req.name, req.hashes, req.unsized_reason, req.editable) == ("pkg", ("h",), None, False)
    assert req.origin == HERE and req.text == 'Pkg[b,a]>=1 ; python_version < "3"'


def test_a_bare_wheel_url_is_named_and_pinned_by_its_file_name() -> None:
    req = requirement_line(f'{WHEEL}; sys_platform == "linux"', "/", HERE)
    assert req.requirement.name == "Demo-Pkg" and req.requirement.url == WHEEL
    assert req.requirement.specifier == SpecifierSet("==1.2")
    assert str(req.requirement.marker) == 'sys_platform == "linux"'
    assert req.unsized_reason is None


def test_a_named_wheel_url_is_kept_as_written() -> None:
    req = requirement_line(f"demo-pkg[x] @ {WHEEL}", "/", HERE)
    assert req.requirement.specifier == SpecifierSet() and req.requirement.extras == {"x"}
    assert "is of 'Demo-Pkg'" in problem(f"other @ {WHEEL}")


def test_archives_and_checkouts_are_not_sized_and_say_how_they_were_named() -> None:
    named = requirement_line(f"{REPO}#egg=tool", "/", HERE)
    assert (named.requirement.name, named.unsized_reason) == ("tool", UNSIZED_VCS)
    guessed = requirement_line(f"{FILES}/thing-2.0.tar.gz", "/", HERE)
    assert guessed.requirement.name == "thing"
    assert guessed.unsized_reason == UNSIZED_SOURCE_ARCHIVE + " (project name guessed from the URL)"


def test_local_paths_are_taken_from_the_base_directory(tmp_path: Path) -> None:
    project(tmp_path / "proj", "real-name")
    req = requirement_line("./proj[extra]", str(tmp_path), HERE)
    assert req.requirement.name == "real-name" and req.requirement.extras == {"extra"}
    assert req.requirement.url == (tmp_path / "proj").as_uri()
    assert req.unsized_reason == UNSIZED_DIRECTORY
    project(tmp_path / "anon", None)
    guessed = requirement_line("./anon", str(tmp_path), HERE)
    assert (
        guessed.unsized_reason
        == UNSIZED_DIRECTORY + " (project name guessed from the directory name)"
    )
    wheel = tmp_path / "w" / "local-3.0-py3-none-any.whl"
    wheel.parent.mkdir()
    wheel.write_bytes(b"")
    local = requirement_line("w/local-3.0-py3-none-any.whl", str(tmp_path), HERE)
    assert local.requirement.url == wheel.as_uri() and str(local.requirement.specifier) == "==3.0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pkg ; python_version <", "invalid environment marker in"),
        ("./missing-1.0.tar.gz", "looks like a path but there is no such file"),
        ("pkg=1.0", "did you mean `==`?"),
        ("sub/file.txt", "It looks like a path, but there is no such file: /sub/file.txt"),
        ("pkg>>1", "Write a PEP 508 requirement"),
    ],
)
def test_what_cannot_be_a_requirement(text: str, expected: str) -> None:
    assert expected in problem(text)


def test_a_string_requirement_points_at_the_current_directory() -> None:
    with pytest.raises(RequirementsError, match="relative to the current directory"):
        requirement_line("./gone-1.0.whl", "/", Origin(None, 1))


def test_constraints_must_be_named_and_without_extras() -> None:
    assert line("pkg<2", constraint=True).name == "pkg"
    assert line(f"demo-pkg @ {WHEEL}", constraint=True).requirement.url == WHEEL
    assert "constraints cannot have extras" in problem("pkg[x]<2", constraint=True)
    assert "unnamed requirements are not allowed as constraints" in problem(
        f"{FILES}/x-1.0.tar.gz", constraint=True
    )


# -- editables -----------------------------------------------------------------------------


def test_an_editable_directory(tmp_path: Path) -> None:
    project(tmp_path / "proj", "mine")
    req = editable_line("./proj[dev]", str(tmp_path), HERE)
    assert req.editable and req.requirement.name == "mine" and req.requirement.extras == {"dev"}
    assert req.unsized_reason == UNSIZED_EDITABLE and req.text == "-e ./proj[dev]"


def test_editable_checkouts_need_a_name() -> None:
    assert editable_line(f"{REPO}#egg=tool", "/", HERE).requirement.name == "tool"
    named = editable_line(f'tool[x] @ {REPO} ; os_name == "posix"', "/", HERE)
    assert named.requirement.extras == {"x"} and named.requirement.marker is not None
    short = editable_line("git://h.example.invalid/r.git#egg=r", "/", HERE)
    assert short.requirement.url == "git+git://h.example.invalid/r.git#egg=r"
    with pytest.raises(RequirementsError, match="cannot tell the project name of -e"):
        editable_line(REPO, "/", HERE)


@pytest.mark.parametrize("value", ["pkg>=1", f"pkg @ {WHEEL}"])
def test_only_directories_and_checkouts_are_editable(value: str) -> None:
    with pytest.raises(RequirementsError, match=r"-e .* (is neither|is not)"):
        editable_line(value, "/", HERE)
