"""A Dockerfile as the input: the image its final stage builds gives the same packages and
installed bytes as the same set written as a requirements file on the same base, byte for
byte, on linux/amd64 and linux/arm64 (single stage on python:3.X-slim; multi-stage built on
slim and ending on distroless); its ARGs, --build-arg, COPY lines, an unknown base, lines
that cannot be followed, and what it adds beside the floor. Real index on 127.0.0.1, real
Dockerfiles written in the test, a Debian archive on disk for the apt packages' sizes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from debarchive import write_archive
from indexserver import IndexServer
from lockedprojects import uv, write_requirements, write_service
from projects import build_graph, build_selection
from wheelbuilder import build_wheel

import sizefloor
from sizefloor.errors import ProjectFileError
from sizefloor.report import Report

PLATFORMS = ("linux/amd64", "linux/arm64")


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("docker-wheels")
    build_graph(root)
    build_selection(root)
    for arch, size in (("aarch64", 5_000), ("x86_64", 8_000)):  # natx for distroless's 3.11
        build_wheel(
            root,
            "natx",
            "1.0",
            files={"natx/__init__.py": b"", f"natx/_native.{arch}.so": bytes(size)},
            requires_dist=['armhelper; platform_machine == "aarch64"'],
            tag=f"cp311-cp311-manylinux_2_17_{arch}",
        )
    return root


@pytest.fixture(scope="module")
def server(wheels: Path) -> Iterator[IndexServer]:
    with IndexServer(wheels) as running:
        yield running


@pytest.fixture(autouse=True)
def no_debian_mirror(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the real Debian archive: an empty one on disk unless a test makes one."""
    monkeypatch.setenv("SIZEFLOOR_DEBIAN_MIRROR", (tmp_path / "no-mirror").as_uri())


def run(given: Any, server: IndexServer, tmp_path: Path, **options: Any) -> Report:
    options.setdefault("use_pip_config", False)
    options.setdefault("cache_dir", tmp_path / "cache")
    return sizefloor.estimate(given, index_url=server.simple_url, **options)


def sized(report: Report) -> dict[str, tuple[str, int, int, int, bool]]:
    return {
        p.name: (p.version, p.installed_bytes, p.disk_bytes, p.files, p.exact)
        for p in report.packages
    }


def service(folder: Path, dockerfile: str, name: str = "Dockerfile") -> Path:
    """A service's folder: its requirements, a module, and ``dockerfile``."""
    write_requirements(folder / "requirements.txt")
    (folder / "app.py").write_text("print('hello')\n")
    (folder / name).write_text(dockerfile)
    return folder / name


SINGLE = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app.py .
CMD ["python", "app.py"]
"""

MULTI = """\
FROM python:3.11-slim AS build
RUN python3 -m venv /venv && /venv/bin/pip install --upgrade pip setuptools wheel

FROM build AS build-venv
COPY requirements.txt /requirements.txt
RUN /venv/bin/pip install --disable-pip-version-check -r /requirements.txt

FROM gcr.io/distroless/python3-debian12:nonroot
COPY --from=build-venv /venv /venv
COPY app.py /app/
WORKDIR /app
ENTRYPOINT ["/venv/bin/python3", "app.py"]
"""

TARGET_DIR = """\
FROM python:3.11-slim AS builder
WORKDIR /src
COPY requirements.txt .
RUN pip install --no-cache-dir --target=/deps -r requirements.txt
RUN pip install --no-cache-dir flask-tooling-not-copied || true

FROM gcr.io/distroless/python3-debian12@sha256:{DIGEST}
COPY --from=builder /deps /deps
ENV PYTHONPATH=/deps
"""


@pytest.mark.slow
@pytest.mark.parametrize("platform", PLATFORMS)
def test_single_stage_on_slim_is_the_requirements_file_on_slim(
    tmp_path: Path, server: IndexServer, platform: str
) -> None:
    dockerfile = service(tmp_path / "svc", SINGLE)
    reference = run(
        str(tmp_path / "svc" / "requirements.txt"), server, tmp_path,
        base="python:3.12-slim", platform=platform,
    )  # fmt: skip
    report = run(str(dockerfile), server, tmp_path, platform=platform)
    assert sized(report) == sized(reference) and report.totals == reference.totals
    assert ("armhelper" in sized(report)) == (platform == "linux/arm64")
    assert report.runtime is not None and reference.runtime is not None
    assert report.runtime.base == "python:3.12-slim" and report.runtime.chosen_by == "Dockerfile"
    assert report.floor == reference.floor and report.target == reference.target
    assert {p.name for p in report.packages if p.requested} == {"app", "compat", "natx"}
    assert report.dockerfile is not None and report.dockerfile.additions == ()
    assert report.warnings == reference.warnings


@pytest.mark.slow
def test_from_platform_says_the_architecture(tmp_path: Path, server: IndexServer) -> None:
    text = SINGLE.replace("FROM python:3.12-slim", "FROM --platform=linux/arm64 python:3.12-slim")
    dockerfile = service(tmp_path / "svc", text)
    report = run(str(dockerfile), server, tmp_path)
    assert report.target["platform"] == "linux/arm64" and "armhelper" in sized(report)
    amd = run(str(dockerfile), server, tmp_path, platform="linux/amd64")  # the option wins
    assert amd.target["platform"] == "linux/amd64" and "armhelper" not in sized(amd)


@pytest.mark.slow
@pytest.mark.parametrize("platform", PLATFORMS)
def test_multi_stage_from_slim_to_distroless_is_the_requirements_file_on_distroless(
    tmp_path: Path, server: IndexServer, platform: str
) -> None:
    requirements = str(tmp_path / "svc" / "requirements.txt")
    venv = service(tmp_path / "svc", MULTI)
    reference = run(
        requirements, server, tmp_path, base="distroless-debian12", platform=platform,
        prefix="/venv", executable="/venv/bin/python3",
    )  # fmt: skip
    report = run(str(venv), server, tmp_path, platform=platform)
    assert sized(report) == sized(reference) and report.totals == reference.totals
    assert report.runtime is not None and report.runtime.base == "distroless-debian12"
    assert report.floor == reference.floor
    assert report.dockerfile is not None
    kinds = {(a.kind, a.name) for a in report.dockerfile.additions}
    assert {("installer", "pip"), ("installer", "setuptools"), ("installer", "wheel")} <= kinds
    assert ("venv-pip", "pip in the virtual environment /venv") in kinds
    # the same service installed with --target into a folder the final stage copies
    target = service(tmp_path / "target", TARGET_DIR.replace("{DIGEST}", "0123456789abcdef" * 4))
    plain = run(requirements, server, tmp_path, base="distroless-debian12", platform=platform)
    by_target = run(str(target), server, tmp_path, platform=platform)
    assert sized(by_target) == sized(plain) and by_target.totals == plain.totals
    assert any(":5: pip install in stage builder" in w and "not counted" in w
               for w in by_target.warnings)  # fmt: skip


@pytest.mark.slow
def test_uv_sync_with_bind_mounts_reads_the_lock(tmp_path: Path, server: IndexServer) -> None:
    project = write_service(tmp_path / "uvsvc")
    uv(project, "lock", index=server.simple_url)
    (project / "Dockerfile").write_text(
        "FROM python:3.12-slim\n"
        "COPY --from=ghcr.io/astral-sh/uv:latest /uv /uvx /bin/\n"
        "WORKDIR /app\n"
        "ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy\n"
        "RUN --mount=type=cache,target=/root/.cache/uv \\\n"
        "    --mount=type=bind,source=uv.lock,target=uv.lock \\\n"
        "    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \\\n"
        "    uv sync --locked --no-install-project --no-dev\n"
    )
    report = run(str(project / "Dockerfile"), server, tmp_path)
    # uv sync fills the project's .venv: its launchers name that interpreter
    locked = run(
        str(project / "uv.lock"), server, tmp_path, base="python:3.12-slim",
        prefix="/app/.venv", executable="/app/.venv/bin/python",
    )  # fmt: skip
    assert sized(report) == sized(locked) and report.totals == locked.totals
    assert report.dockerfile is not None and report.dockerfile.additions == ()


@pytest.mark.slow
def test_args_build_args_and_copies_are_followed(tmp_path: Path, server: IndexServer) -> None:
    folder = tmp_path / "svc"
    write_requirements(folder / "requirements" / "prod.txt")
    (folder / "Dockerfile").write_text(
        "ARG PYTHON=3.12\n"
        "ARG VARIANT=slim\n"
        "FROM python:${PYTHON}-${VARIANT:-slim} AS base\n"
        "ARG REQS=requirements/prod.txt\n"
        "COPY ${REQS} /app/req.txt\n"
        "RUN pip install --no-cache-dir -r /app/req.txt\n"
    )
    report = run(str(folder / "Dockerfile"), server, tmp_path)
    assert report.runtime is not None and report.runtime.base == "python:3.12-slim"
    assert {"app", "natx", "compat"} <= set(sized(report))
    older = run(
        str(folder / "Dockerfile"), server, tmp_path,
        build_args=[("PYTHON", "3.11"), ("VARIANT", "slim-bookworm")],
    )  # fmt: skip
    assert older.runtime is not None and older.runtime.base == "python:3.11-slim-bookworm"
    assert older.target["python"] == "3.11"
    assert "backport" not in sized(older)  # compat needs it below 3.11 only


@pytest.mark.slow
def test_a_file_that_is_not_copied_is_read_from_the_context_and_said(
    tmp_path: Path, server: IndexServer
) -> None:
    dockerfile = service(
        tmp_path / "svc",
        "FROM python:3.12-slim\nWORKDIR /app\nRUN pip install --no-cache-dir -r requirements.txt\n"
        "RUN curl -fsSL https://get.invalid/install.sh | sh\n",
    )
    report = run(str(dockerfile), server, tmp_path)
    assert {"app", "natx", "compat"} <= set(sized(report))
    assert any(f"{dockerfile}:3:" in w and "not copied" in w for w in report.warnings)
    assert any(f"{dockerfile}:4:" in w and "piped into a shell" in w for w in report.warnings)
    assert report.dockerfile is not None and len(report.dockerfile.unfollowed) == 2
    document = report.to_json()
    assert document["dockerfile"]["unfollowed"] == list(report.dockerfile.unfollowed)


def test_an_unknown_base_is_named_with_the_base_to_pass(tmp_path: Path) -> None:
    dockerfile = service(
        tmp_path / "svc", "FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y python3\n"
    )
    with pytest.raises(ProjectFileError, match=r"FROM ubuntu:24\.04") as caught:
        sizefloor.estimate(str(dockerfile), use_pip_config=False, cache_dir=tmp_path / "c")
    assert caught.value.line == 1 and "--base" in (caught.value.hint or "")
    private = service(tmp_path / "priv", "FROM registry.invalid/team/python:3.12-slim\n")
    with pytest.raises(ProjectFileError) as caught:
        sizefloor.estimate(str(private), use_pip_config=False, cache_dir=tmp_path / "c")
    assert "--base python:3.12-slim" in (caught.value.hint or "")


@pytest.mark.slow
def test_the_base_option_overrides_the_dockerfile(tmp_path: Path, server: IndexServer) -> None:
    dockerfile = service(
        tmp_path / "svc",
        "FROM ubuntu:24.04\nCOPY requirements.txt .\nRUN pip3 install -r requirements.txt\n",
    )
    report = run(str(dockerfile), server, tmp_path, base="python:3.12-slim")
    assert report.runtime is not None and report.runtime.chosen_by == "--base"
    assert {"app", "natx", "compat"} <= set(sized(report))


DEBIAN: dict[str, dict[str, Any]] = {
    "libc6": {"priority": "required", "installed_kib": 12_000},
    "base-files": {"priority": "required", "installed_kib": 400},
    "apt": {"depends": "libc6", "installed_kib": 4_000},
    "ca-certificates": {"installed_kib": 400},
    "gcc": {"depends": "cpp, libc6-dev, binutils", "installed_kib": 50},
    "cpp": {"installed_kib": 30_000},
    "binutils": {"installed_kib": 8_000},
    "libc6-dev": {"depends": "libc6", "installed_kib": 6_000},
    "libpq-dev": {"depends": "libpq5, libc6-dev", "installed_kib": 900},
    "libpq5": {"installed_kib": 800},
    "curl": {"depends": "libc6", "installed_kib": 500},
}


@pytest.mark.slow
def test_what_the_dockerfile_adds_beside_the_floor(
    tmp_path: Path, server: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = write_archive(tmp_path / "mirror", "trixie", "amd64", DEBIAN)
    monkeypatch.setenv("SIZEFLOOR_DEBIAN_MIRROR", mirror.as_uri())
    dockerfile = service(
        tmp_path / "svc",
        "FROM python:3.12-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev curl "
        "ca-certificates\n"
        "WORKDIR /app\n"
        "COPY . .\n"
        "RUN pip install -r requirements.txt\n"
        "RUN apt-get purge -y curl\n",
    )
    (tmp_path / "svc" / "data.bin").write_bytes(b"d" * 5000)
    (tmp_path / "svc" / ".dockerignore").write_text("*.pyc\n")
    report = run(str(dockerfile), server, tmp_path)
    docker = report.dockerfile
    assert docker is not None
    by_name = {a.name: a for a in docker.additions}
    gcc = by_name["gcc"]
    assert gcc.kind == "build-tool" and gcc.bytes == (50 + 30_000 + 8_000 + 6_000) * 1024
    assert "3 packages it pulls in" in gcc.detail and not gcc.exact
    assert by_name["libpq-dev"].bytes == (900 + 800 + 6_000) * 1024
    assert by_name["ca-certificates"].bytes == 0  # python:slim has it
    assert "later layer" in by_name["curl"].detail and by_name["curl"].kind == "system-package"
    assert by_name["apt's package lists (/var/lib/apt/lists)"].kind == "package-lists"
    cache = by_name["pip's download cache"]
    assert cache.bytes == report.totals.download_bytes and not cache.exact
    context = by_name["COPY . . (the whole build context)"]
    expected = sum(
        p.stat().st_size for p in (tmp_path / "svc").iterdir() if p.is_file()
    )  # the Dockerfile and .dockerignore are sent too
    assert context.bytes == expected and context.exact
    together = (50 + 30_000 + 8_000 + 6_000 + 900 + 800 + 500) * 1024
    assert docker.additions_bytes == together + cache.bytes + expected
    # the floor is the same without them
    plain = run(str(tmp_path / "svc" / "requirements.txt"), server, tmp_path,
                base="python:3.12-slim")  # fmt: skip
    assert report.floor == plain.floor


def cli(*arguments: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sizefloor", *arguments],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "SIZEFLOOR_DEBIAN_MIRROR": "file:///nonexistent-mirror"},
    )


@pytest.mark.slow
def test_a_folder_with_a_dockerfile_picks_it_and_every_format_shows_the_additions(
    tmp_path: Path, server: IndexServer
) -> None:
    folder = tmp_path / "svc"
    service(folder, SINGLE.replace("--no-cache-dir ", "").replace("COPY app.py .", "COPY . ."))
    (folder / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n')
    common = ["-i", server.simple_url, "--isolated", "--cache-dir", str(tmp_path / "cache")]
    done = cli(str(folder), *common, "--format", "json", "--build-arg", "UNUSED=1")
    assert done.returncode == 0, done.stderr
    assert "Dockerfile (the folder's Dockerfile)" in done.stderr
    document = json.loads(done.stdout)
    assert document["runtime"]["chosen_by"] == "Dockerfile"
    kinds = [a["kind"] for a in document["dockerfile"]["additions"]]
    assert kinds == ["cache", "build-context"]
    assert "--build-arg UNUSED" in done.stderr
    for fmt, words in (("table", "pip's download cache"), ("markdown", "| build context |")):
        shown = cli(str(folder), *common, "--format", fmt)
        assert shown.returncode == 0 and words in shown.stdout, shown.stderr
    page = cli(str(folder), *common, "--format", "html", "-o", str(tmp_path / "r.html"))
    assert page.returncode == 0
    assert "id=dockerfile" in (tmp_path / "r.html").read_text()


def test_an_unknown_base_exits_2_on_the_command_line(tmp_path: Path) -> None:
    service(tmp_path / "svc", "FROM alpine:3.20\nRUN apk add python3 py3-pip\n")
    done = cli(str(tmp_path / "svc"))
    assert done.returncode == 2
    assert "FROM alpine:3.20" in done.stderr and "--base python:3.12-alpine" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_wheels_built_in_a_stage_a_local_project_and_another_python(
    tmp_path: Path, server: IndexServer
) -> None:
    from lockedprojects import write_backend_project

    folder = tmp_path / "wheelhouse"
    dockerfile = service(
        folder,
        "FROM python:3.12-slim AS build\nWORKDIR /src\nCOPY requirements.txt .\n"
        "RUN pip wheel --wheel-dir /wheels -r requirements.txt\n"
        "FROM python:3.12-slim\nCOPY --from=build /wheels /wheels\n"
        "RUN pip install --no-cache-dir --no-index /wheels/* && rm -rf /wheels\n",
    )
    plain = run(str(folder / "requirements.txt"), server, tmp_path, base="python:3.12-slim")
    report = run(str(dockerfile), server, tmp_path)
    assert sized(report) == sized(plain)
    assert any("`pip wheel` built in an earlier stage" in w for w in report.warnings)
    project = write_backend_project(tmp_path / "proj")
    (project / "Dockerfile").write_text(
        "FROM python:3.13-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n"
    )
    own = run(str(project / "Dockerfile"), server, tmp_path)
    assert {"ownpkg", "lib"} == set(sized(own)) and own.package("ownpkg").exact
    other = tmp_path / "other"
    other.mkdir()
    (other / "requirements.txt").write_text("app\n")
    (other / "Dockerfile").write_text(
        "FROM python:3.12-slim AS build\nCOPY requirements.txt .\n"
        "RUN pip install --prefix=/install -r requirements.txt\n"
        "FROM gcr.io/distroless/python3-debian13\nCOPY --from=build /install /usr/local\n"
    )
    mixed = run(str(other / "Dockerfile"), server, tmp_path)
    assert mixed.target["python"] == "3.13" and "app" in sized(mixed)
    assert any("runs Python 3.12" in w and "will not import" in w for w in mixed.warnings)


@pytest.mark.slow
def test_a_dockerfile_outside_its_context_and_debians_own_python(
    tmp_path: Path, server: IndexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = write_archive(tmp_path / "mirror", "bookworm", "amd64", {
        **DEBIAN,
        "python3": {"depends": "python3.11", "installed_kib": 100},
        "python3.11": {"installed_kib": 20_000},
        "python3-pip": {"depends": "python3", "installed_kib": 7_000},
    })  # fmt: skip
    monkeypatch.setenv("SIZEFLOOR_DEBIAN_MIRROR", mirror.as_uri())
    repo = tmp_path / "repo"
    write_requirements(repo / "requirements" / "prod.txt")
    (repo / "docker").mkdir()
    (repo / "docker" / "Dockerfile").write_text(
        "FROM debian:bookworm-slim\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip "
        "&& rm -rf /var/lib/apt/lists/*\n"
        "COPY requirements/prod.txt /tmp/req.txt\n"
        "RUN pip install --break-system-packages --no-cache-dir -r /tmp/req.txt\n"
    )
    with pytest.raises(ProjectFileError, match="neither copied") as caught:
        run(str(repo / "docker" / "Dockerfile"), server, tmp_path)
    assert caught.value.line == 4 and "--context" in (caught.value.hint or "")
    report = run(str(repo / "docker" / "Dockerfile"), server, tmp_path, context=str(repo))
    assert report.runtime is not None and report.runtime.base == "debian:12-slim"
    assert report.target["python"] == "3.11" and {"app", "compat", "natx"} <= set(sized(report))
    assert report.dockerfile is not None
    additions = {a.name: a for a in report.dockerfile.additions}
    assert list(additions) == ["python3-pip"]  # python3 is the runtime; the lists are removed
    assert additions["python3-pip"].bytes == 7_000 * 1024
