"""Following a Dockerfile's final stage without the network: its base, the files its install
lines read (through COPY, ADD, heredocs and bind mounts), where they write, and the facts of
what the image holds beside the floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.pyproject import Selection
from sizefloor.options import Options
from sizefloor.pipeline.dockerfile import dockerfile_options
from sizefloor.pipeline.inputs import Loaded, load_input


def folder(tmp_path: Path, dockerfile: str, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "Dockerfile").write_text(dockerfile)
    return tmp_path / "Dockerfile"


def names(loaded: Loaded) -> list[str]:
    assert loaded.requirements is not None
    return [r.requirement.name for r in loaded.requirements.requirements]


def test_a_poetry_builder_copied_as_a_venv(tmp_path: Path) -> None:
    path = folder(
        tmp_path,
        "FROM python:3.11-bookworm as builder\n"
        "RUN pip install poetry==1.8.3\n"
        "ENV POETRY_VIRTUALENVS_IN_PROJECT=1 POETRY_CACHE_DIR=/tmp/poetry_cache\n"
        "WORKDIR /app\n"
        "COPY pyproject.toml poetry.lock* ./\n"
        "RUN poetry install --without dev --no-root && rm -rf $POETRY_CACHE_DIR\n"
        "FROM python:3.11-slim-bookworm as runtime\n"
        'ENV VIRTUAL_ENV=/app/.venv PATH="/app/.venv/bin:$PATH"\n'
        "COPY --from=builder ${VIRTUAL_ENV} ${VIRTUAL_ENV}\n",
        {
            "pyproject.toml": '[tool.poetry]\nname = "svc"\nversion = "1"\n'
            '[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^3"\n'
            "[build-system]\nrequires = ['poetry-core']\n"
            "build-backend = 'poetry.core.masonry.api'\n"
        },
    )
    loaded = load_input(path, Selection())
    docker = loaded.dockerfile
    assert docker is not None
    assert names(loaded) == ["flask"]  # --no-root: the project itself is not installed
    assert docker.base == "python:3.11-slim-bookworm" and docker.prefix == "/app/.venv"
    assert docker.compile_bytecode is False  # Poetry compiles only with --compile
    assert docker.notes == ()  # the builder's poetry is its own tool
    facts = docker.facts
    assert facts is not None and facts.caches == () and facts.dev_groups == ()


def test_uv_with_the_whole_context_added(tmp_path: Path) -> None:
    path = folder(
        tmp_path,
        "FROM python:3.12-slim-bookworm\n"
        "COPY --from=ghcr.io/astral-sh/uv:latest /uv /uvx /bin/\n"
        "ADD . /app\nWORKDIR /app\nRUN uv sync --locked\n",
        {"pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["flask"]\n'},
    )
    docker = load_input(path, Selection()).dockerfile
    assert docker is not None and docker.facts is not None
    assert docker.facts.whole_context == (3,)
    assert docker.facts.caches == (("uv", 5),) and docker.facts.dev_groups == (("uv", 5),)


def test_copied_folders_nested_includes_heredocs_and_packages(tmp_path: Path) -> None:
    path = folder(
        tmp_path,
        "FROM python:3.12-slim\n"
        "RUN apt-get update && apt-get install -y build-essential libpq-dev "
        "&& rm -rf /var/lib/apt/lists/*\n"
        "COPY requirements /requirements\n"
        "COPY <<EOF /extra/req.txt\nsix==1.16.0\nEOF\n"
        "RUN pip install --no-cache-dir -r /requirements/production.txt -r /extra/req.txt\n",
        {
            "requirements/production.txt": "-r base.txt\ngunicorn\n",
            "requirements/base.txt": "django\n",
        },
    )
    loaded = load_input(path, Selection())
    assert names(loaded) == ["django", "gunicorn", "six"]
    docker = loaded.dockerfile
    assert docker is not None and docker.facts is not None
    assert [p.name for p in docker.facts.packages] == ["build-essential", "libpq-dev"]
    assert docker.facts.package_lists == ()


def test_an_unknown_base_needs_the_base_option(tmp_path: Path) -> None:
    path = folder(tmp_path, "FROM ubuntu:24.04\nRUN pip3 install six\n", {})
    docker = load_input(path, Selection()).dockerfile
    assert docker is not None and docker.base is None and docker.image == "ubuntu:24.04"
    with pytest.raises(ProjectFileError, match="a base sizefloor has no sizes for"):
        dockerfile_options(docker, Options(), None, None)
    options, python, platform = dockerfile_options(
        docker, Options(base="python:3.12-slim"), None, None
    )
    assert options.base == "python:3.12-slim" and python is None and platform is None


@pytest.mark.parametrize(
    ("image", "base", "python"),
    [
        ("python:3.12.4-slim-bookworm", "python:3.12.4-slim-bookworm", "3.12.4"),
        (
            "docker.io/library/python:3.13-alpine3.20@sha256:" + "ab" * 32,
            "python:3.13-alpine3.20",
            None,
        ),
        (
            "gcr.io/distroless/python3-debian13:debug-nonroot",
            "gcr.io/distroless/python3-debian13:debug-nonroot",
            None,
        ),
        ("debian:trixie-slim", "debian:trixie-slim", None),
        ("scratch", None, None),
        ("python:3.12-slim-bullseye", None, None),
    ],
)
def test_final_images_read_as_bases(
    tmp_path: Path, image: str, base: str | None, python: str | None
) -> None:
    docker = load_input(folder(tmp_path, f"FROM {image}\n", {}), Selection()).dockerfile
    assert docker is not None and (docker.base, docker.python) == (base, python)


def test_the_index_the_environment_names_and_recommends(tmp_path: Path) -> None:
    path = folder(
        tmp_path,
        "FROM python:3.12-slim\n"
        "ARG INDEX=https://idx.invalid/simple\n"
        "ENV PIP_INDEX_URL=$INDEX PIP_EXTRA_INDEX_URL=https://more.invalid/simple\n"
        "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n"
        "RUN pip install --no-cache-dir six\n",
        {},
    )
    loaded = load_input(path, Selection())
    assert loaded.requirements is not None
    assert loaded.requirements.index_url == "https://idx.invalid/simple"
    assert loaded.requirements.extra_index_urls == ("https://more.invalid/simple",)
    docker = loaded.dockerfile
    assert docker is not None and docker.facts is not None
    assert docker.facts.recommends == (4,) and docker.facts.package_lists == ()


def test_a_project_folder_put_together_by_several_copies(tmp_path: Path) -> None:
    """`COPY pyproject.toml .` then `COPY svc ./svc` and `pip install .`: the project is the
    folder its pyproject.toml came from, not that one file."""
    path = folder(
        tmp_path,
        "FROM python:3.12-slim AS build\nWORKDIR /app\nCOPY pyproject.toml .\n"
        "COPY svc ./svc\nRUN pip install --no-cache-dir --prefix=/install .\n"
        "FROM python:3.12-slim\nCOPY --from=build /install /usr/local\n",
        {
            "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n'
            'dependencies = ["flask"]\n[build-system]\nrequires = ["setuptools"]\n'
            'build-backend = "setuptools.build_meta"\n',
            "svc/__init__.py": "",
        },
    )
    loaded = load_input(path, Selection())
    assert loaded.requirements is not None
    (line,) = loaded.requirements.requirements
    assert line.requirement.url is not None
    assert line.requirement.url.rstrip("/").endswith(tmp_path.name)
