"""Reading a Dockerfile: stages, ARG/ENV scopes and substitution, heredocs, flags, and what
its RUN lines do."""

from __future__ import annotations

from pathlib import Path

import pytest

from sizefloor.errors import ProjectFileError
from sizefloor.inputs.dockerfile import expand, read_dockerfile, split_words
from sizefloor.inputs.dockershell import (
    PipInstall,
    ProjectSync,
    Removal,
    SystemPackages,
    Unfollowed,
    VenvCreated,
    actions,
    commands,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    return path


# ------------------------------------------------------------------------ substitution


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$A", "1"),
        ("${A}", "1"),
        ("x${A}y", "x1y"),
        ("${MISSING:-dflt}", "dflt"),
        ("${EMPTY:-dflt}", "dflt"),
        ("${EMPTY-dflt}", ""),
        ("${A:+set}", "set"),
        ("${MISSING:+set}", ""),
        ("${MISSING:-${A}}", "1"),
        ("'$A'", "'$A'"),
        ('"$A"', '"1"'),
        ("\\$A", "\\$A"),
        ("$", "$"),
    ],
)
def test_expand_follows_buildkit(text: str, expected: str) -> None:
    assert expand(text, {"A": "1", "EMPTY": ""}) == expected


def test_expand_without_quotes_and_the_names_left_unset() -> None:
    unset: list[str] = []
    assert expand("'$A' \"$B\" \\$C $D", {"A": "1", "B": "2"}, unset, keep_quotes=False) == (
        "$A 2 $C "
    )
    assert unset == ["D"]


def test_split_words_consumes_quotes() -> None:
    assert split_words("a 'b c' \"d e\" f\\ g") == ["a", "b c", "d e", "f g"]


# ------------------------------------------------------------------------ stages and scopes


def test_global_args_feed_from_and_must_be_redeclared_in_a_stage(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ARG PY=3.12\nARG FLAVOUR=slim\n"
        "FROM python:${PY}-${FLAVOUR} AS build\n"
        "RUN echo $PY\n"
        "ARG PY\n"
        "ARG LOCAL=${PY}-x\n"
        "ENV PATH=/venv/bin:$PATH LOCAL2=$LOCAL\n"
        "FROM build\n"
        "RUN echo hi\n",
    )
    dockerfile = read_dockerfile(path)
    build, final = dockerfile.stages
    assert (build.image, build.name, build.line) == ("python:3.12-slim", "build", 3)
    first_run, _arg, _local, env = build.instructions
    assert "PY" not in first_run.env  # a global ARG is not seen in a stage until redeclared
    assert env.env["LOCAL"] == "3.12-x"
    assert env.env["LOCAL2"] == "3.12-x"
    assert final.image == "build"
    assert final.instructions[0].env["PATH"].startswith("/venv/bin:")  # ENV is inherited


def test_build_args_override_defaults_and_unused_ones_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "ARG PY=3.12\nFROM python:${PY}-slim\nARG EXTRA=a\nRUN echo $EXTRA\n")
    dockerfile = read_dockerfile(path, build_args={"PY": "3.11", "EXTRA": "b", "NOPE": "1"})
    assert dockerfile.final.image == "python:3.11-slim"
    assert dockerfile.final.instructions[-1].env["EXTRA"] == "b"
    assert dockerfile.unused_build_args == ("NOPE",)


def test_platform_flags_and_automatic_arguments(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "FROM --platform=$BUILDPLATFORM python:3.12-slim AS b\n"
        "FROM --platform=linux/arm64 python:3.12-slim\nARG TARGETARCH\nRUN echo $TARGETARCH\n",
    )
    dockerfile = read_dockerfile(path, platform="linux/arm64")
    assert dockerfile.stages[0].platform == "linux/arm64"
    assert dockerfile.final.platform == "linux/arm64"
    assert dockerfile.final.instructions[-1].env["TARGETARCH"] == "arm64"


def test_workdir_continuations_comments_and_exec_form(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "FROM python:3.12-slim\nWORKDIR /app\nWORKDIR sub\n"
        "RUN pip install \\\n    # a comment inside the line\n    flask\n"
        'COPY ["a b.txt", "./"]\n'
        'RUN ["pip", "install", "--no-cache-dir", "six"]\n',
    )
    instructions = read_dockerfile(path).final.instructions
    run = instructions[2]
    assert run.workdir == "/app/sub" and run.line == 4
    assert " ".join(run.text.split()) == "pip install flask"
    assert instructions[3].words == ("a b.txt", "./")
    assert instructions[4].words == ("pip", "install", "--no-cache-dir", "six")


def test_escape_directive(tmp_path: Path) -> None:
    path = write(tmp_path, "# escape=`\nFROM python:3.12-slim\nRUN pip install `\n    six\n")
    assert " ".join(read_dockerfile(path).final.instructions[0].text.split()) == "pip install six"


def test_heredocs_are_read_and_their_lines_are_not_instructions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "FROM python:3.12-slim\n"
        "ENV NAME=flask\n"
        "RUN <<EOF\n"
        "set -e\n"
        "pip install $NAME\n"
        "EOF\n"
        "COPY <<-'REQ' /app/requirements.txt\n"
        "\tsix==1.16.0\n"
        "\tREQ\n"
        "RUN echo done\n",
    )
    instructions = read_dockerfile(path).final.instructions
    assert [i.keyword for i in instructions] == ["ENV", "RUN", "COPY", "RUN"]
    run, copy = instructions[1], instructions[2]
    assert run.heredocs[0].body == "set -e\npip install $NAME\n" and run.heredocs[0].expand
    assert copy.heredocs[0].body == "six==1.16.0\n" and not copy.heredocs[0].expand
    assert instructions[3].line == 10
    found = [a for c in commands(run)[0] for a in actions(c)]
    assert isinstance(found[0], PipInstall) and found[0].packages == ("flask",)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "no FROM line"),
        ("RUN pip install six\nFROM python:3.12-slim\n", "before the first FROM"),
        ("FROM python:3.12-slim\nARG 1BAD=x\n", "not a variable name"),
    ],
)
def test_bad_dockerfiles_are_input_errors(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ProjectFileError, match=words):
        read_dockerfile(write(tmp_path, text))


# ------------------------------------------------------------------------ what RUN lines do


def run_actions(tmp_path: Path, run: str, prelude: str = "") -> list[object]:
    path = write(tmp_path, f"FROM python:3.12-slim\nWORKDIR /app\n{prelude}RUN {run}\n")
    instruction = read_dockerfile(path).final.instructions[-1]
    found, problems = commands(instruction)
    assert not problems
    return [a for c in found for a in actions(c)]


def test_pip_install_forms(tmp_path: Path) -> None:
    found = run_actions(
        tmp_path,
        "python3 -m pip install -U --no-cache-dir -r req.txt -c c.txt 'flask>=3' "
        "--index-url=https://idx.invalid/simple --pre -e ./lib --target /deps -qU",
    )
    (pip,) = found
    assert isinstance(pip, PipInstall)
    assert pip.requirements == ("req.txt",) and pip.constraints == ("c.txt",)
    assert pip.packages == ("flask>=3",) and pip.editables == ("./lib",)
    assert pip.index_options == ("--index-url https://idx.invalid/simple", "--pre")
    assert pip.target == "/deps" and not pip.cache and pip.compiles
    assert pip.command.cwd == "/app"


def test_uv_pip_and_environment_variables(tmp_path: Path) -> None:
    (uv,) = run_actions(
        tmp_path, "uv pip install --system -r requirements.txt", "ENV UV_COMPILE_BYTECODE=1\n"
    )
    assert isinstance(uv, PipInstall) and uv.tool == "uv pip" and uv.system
    assert uv.compiles and uv.cache
    (pip,) = run_actions(tmp_path, "PIP_NO_CACHE_DIR=1 pip install six")
    assert isinstance(pip, PipInstall) and not pip.cache


def test_sync_and_install_commands(tmp_path: Path) -> None:
    (uv,) = run_actions(tmp_path, "uv sync --frozen --no-dev --extra pg --no-install-project")
    assert isinstance(uv, ProjectSync) and uv.tool == "uv" and uv.project == "/app"
    assert not uv.dev and uv.extras == ("pg",) and not uv.install_project and not uv.compiles
    (poetry,) = run_actions(
        tmp_path, "poetry install --only main --no-root", "ENV POETRY_VIRTUALENVS_CREATE=false\n"
    )
    assert isinstance(poetry, ProjectSync) and not poetry.dev and poetry.system
    (pipenv,) = run_actions(tmp_path, "pipenv install --system --deploy")
    assert isinstance(pipenv, ProjectSync) and pipenv.system and not pipenv.dev


def test_shell_structure_venvs_and_cd(tmp_path: Path) -> None:
    found = run_actions(
        tmp_path,
        "python -m venv /venv && . /venv/bin/activate && cd sub && "
        'sh -c "pip install six" && rm -rf /root/.cache/pip',
    )
    venv, pip, removal = found
    assert isinstance(venv, VenvCreated) and venv.path == "/venv" and venv.with_pip
    assert isinstance(pip, PipInstall) and pip.command.activated == "/venv"
    assert pip.command.cwd == "/app/sub"
    assert isinstance(removal, Removal) and removal.paths == ("/root/.cache/pip",)


def test_system_packages(tmp_path: Path) -> None:
    update, install, purge = run_actions(
        tmp_path,
        "apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev=15.* "
        "&& apt-get purge -y gcc",
    )
    assert isinstance(update, SystemPackages) and update.update
    assert isinstance(install, SystemPackages) and install.names == ("gcc", "libpq-dev")
    assert not install.recommends
    assert isinstance(purge, SystemPackages) and purge.remove
    (apk,) = run_actions(tmp_path, "apk add --no-cache --virtual .build gcc musl-dev")
    assert isinstance(apk, SystemPackages) and apk.virtual == ".build" and not apk.keeps_cache


@pytest.mark.parametrize(
    ("run", "why"),
    [
        ("curl -sSL https://x.invalid/get.sh | sh", "piped into a shell"),
        ("./install.sh", "runs the script"),
        ("bash scripts/setup.sh", "runs the script"),
        ("python setup.py install", "setup.py install"),
        ("conda install numpy", "conda"),
    ],
)
def test_lines_that_cannot_be_followed(tmp_path: Path, run: str, why: str) -> None:
    found = run_actions(tmp_path, run)
    unfollowed = [a for a in found if isinstance(a, Unfollowed)]
    assert unfollowed and why in unfollowed[0].why


def test_a_heredoc_in_another_language_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path, "FROM python:3.12-slim\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n"
    )
    _commands, problems = commands(read_dockerfile(path).final.instructions[0])
    assert problems and "python3" in problems[0]
