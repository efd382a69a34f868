"""``pyproject.toml``: PEP 621 and its extras, PEP 735 groups, Poetry's dependencies and
constraints, with the line each requirement is written on."""

from __future__ import annotations

from pathlib import Path

import pytest

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.poetry import poetry_dependencies, poetry_specifier
from sizefloor.inputs.pyproject import Selection, read_pyproject

PEP621 = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "svc"
version = "1.0"
dependencies = [
    "flask>=3",
    'gunicorn; sys_platform == "linux"',
]

[project.optional-dependencies]
postgres = ["psycopg[binary]>=3"]
Redis = ["redis"]

[dependency-groups]
test = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]
"""


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    return str(path)


def lines(project_path: str, selection: Selection | None = None) -> list[tuple[str, int | None]]:
    project = read_pyproject(project_path, selection or Selection())
    return [(str(line.requirement), line.origin.line) for line in project.requirements.requirements]


def test_pep621_dependencies_with_their_lines(tmp_path: Path) -> None:
    path = write(tmp_path, PEP621)
    assert lines(path) == [("flask>=3", 9), ('gunicorn; sys_platform == "linux"', 10)]
    project = read_pyproject(path)
    assert project.packaged and not project.dynamic_dependencies
    assert (project.name, project.version) == ("svc", "1.0")


def test_extras_and_groups(tmp_path: Path) -> None:
    path = write(tmp_path, PEP621)
    chosen = lines(path, Selection(extras=("postgres",), groups=("test",)))
    assert chosen[2:] == [("psycopg[binary]>=3", 14), ("pytest>=8", 18), ("ruff", 19)]
    every = lines(path, Selection(all_extras=True))
    assert [name for name, _ in every][2:] == ["psycopg[binary]>=3", "redis"]
    assert lines(path, Selection(extras=("redis",)))[2][0] == "redis"  # names compare normalised


def test_an_unknown_extra_or_group_lists_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, PEP621)
    with pytest.raises(ProjectFileError, match=r"no extra named 'mysql'.*postgres, Redis"):
        read_pyproject(path, Selection(extras=("mysql",)))
    with pytest.raises(ProjectFileError, match=r"no dependency group named 'docs'.*test, lint"):
        read_pyproject(path, Selection(groups=("docs",)))


def test_a_group_cycle_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[project]\nname = "x"\n[dependency-groups]\n'
        'a = [{include-group = "b"}]\nb = [{include-group = "a"}]\n',
    )
    with pytest.raises(ProjectFileError, match="include each other: a -> b -> a"):
        read_pyproject(path, Selection(groups=("a",)))


def test_without_a_build_system_the_project_is_virtual(tmp_path: Path) -> None:
    assert not read_pyproject(write(tmp_path, '[project]\nname = "x"\n')).packaged
    text = PEP621 + "\n[tool.uv]\npackage = false\n"
    assert not read_pyproject(write(tmp_path, text)).packaged


def test_dynamic_dependencies_are_said(tmp_path: Path) -> None:
    path = write(tmp_path, '[build-system]\n[project]\nname = "x"\ndynamic = ["dependencies"]\n')
    assert read_pyproject(path).dynamic_dependencies


def test_bad_toml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nname = "x"\ndependencies = [\n  "a",\n  b\n]\n')
    with pytest.raises(
        ProjectFileError, match=r"pyproject.toml:5: this pyproject.toml is not valid TOML"
    ):
        read_pyproject(path)


def test_a_bad_requirement_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[project]\nname = "x"\ndependencies = [\n  "flask =3",\n]\n')
    with pytest.raises(ProjectFileError, match=r"pyproject.toml:4: \[project\] dependencies"):
        read_pyproject(path)


POETRY = """\
[tool.poetry]
name = "svc"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.11"
django = "^4.2"
requests = {version = "~2.31", extras = ["socks"]}
numpy = [
    {version = "<2", python = "<3.12"},
    {version = "^2", python = ">=3.12"},
]
boto3 = {version = "*", optional = true}

[tool.poetry.extras]
aws = ["boto3"]

[tool.poetry.group.dev.dependencies]
pytest = "^8.0"
"""


def test_poetry_dependencies_and_constraints(tmp_path: Path) -> None:
    path = write(tmp_path, POETRY)
    assert lines(path) == [
        ("django<5.0,>=4.2", 7),
        ("requests[socks]<2.32,>=2.31", 8),
        ('numpy<2; python_version < "3.12"', 9),
        ('numpy<3,>=2; python_version >= "3.12"', 9),
    ]
    with_aws = lines(path, Selection(extras=("aws",), groups=("dev",)))
    assert with_aws[4:] == [("boto3", 13), ("pytest<9.0,>=8.0", 19)]
    assert not read_pyproject(path).packaged


@pytest.mark.parametrize(
    ("constraint", "specifier"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0", ">=0,<1"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1", ">=1,<2"),
        ("1.2.*", "==1.2.*"),
        ("1.2.3", "==1.2.3"),
        ("*", ""),
        (">= 1.2 < 2.0", ">=1.2,<2.0"),
        ("~=1.4", "~=1.4"),
    ],
)
def test_poetry_constraints_in_pep440(constraint: str, specifier: str) -> None:
    assert poetry_specifier(constraint) == (specifier, None)


def test_poetry_alternatives_keep_the_last_and_say_so() -> None:
    specifier, note = poetry_specifier("^2.7 || ^3.4")
    assert specifier == ">=3.4,<4.0"
    assert note is not None and "^3.4" in note


def test_poetry_git_and_path_dependencies() -> None:
    git = poetry_dependencies("x", {"git": "https://host/x.git", "tag": "v1"})
    assert git[0].text == "x @ git+https://host/x.git@v1"
    assert poetry_dependencies("y", {"path": "../y", "extras": ["a"]})[0].text == "../y[a]"
    with pytest.raises(ValueError, match="not a version"):
        poetry_specifier("^banana")
