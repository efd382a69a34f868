"""The command line with a runtime under the dependencies: ``--base``, ``--image-size``,
``--compare-bases``, against a real index on 127.0.0.1 serving wheels made here.

Every run passes ``--isolated``, ``--index-url`` of the test server and a cache directory
of its own.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from indexserver import IndexServer
from wheelbuilder import build_wheel

from sizefloor.cli.main import main
from sizefloor.runtime.catalogue import catalog

ServerFactory = Callable[..., IndexServer]


@pytest.fixture(scope="session")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``webapp`` (pure) needs ``speedups`` (glibc and musl wheels for x86_64 and aarch64,
    of different sizes); ``modern`` (pure) needs Python 3.12 or later."""
    root = tmp_path_factory.mktemp("runtime-index")
    build_wheel(
        root,
        "webapp",
        "1.0",
        files={"webapp/__init__.py": b"# app\n" * 200},
        requires_dist=["speedups"],
    )
    for platform, size in (
        ("manylinux_2_17_x86_64", 30_000),
        ("musllinux_1_2_x86_64", 31_000),
        ("manylinux_2_17_aarch64", 32_000),
        ("musllinux_1_2_aarch64", 33_000),
    ):
        build_wheel(
            root,
            "speedups",
            "1.0",
            files={"speedups/_native.so": bytes(size)},
            tag=f"py3-none-{platform}",
        )
    build_wheel(
        root,
        "modern",
        "1.0",
        files={"modern/__init__.py": b"x = 1\n"},
        requires_python=">=3.12",
    )
    return root


def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*argv, "--isolated", "--cache-dir", str(tmp_path / "cache")])
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean_error(code: int, out: str, err: str) -> str:
    assert code == 2, err
    assert out == ""
    assert err.startswith("sizefloor: error: ")
    assert "Traceback" not in err
    assert "\n\n" not in err.strip()
    return err


def test_base_python_mismatch_names_what_it_offers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    err = assert_clean_error(
        *cli(capsys, tmp_path, "-p", "webapp", "--base", "distroless", "--python", "3.12")
    )
    assert "3.11" in err and "3.13" in err and "3.12" in err


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--base", "python:3.12-slim", "--python", "3.11"], "runs Python 3.12"),
        (["--base", "python:3.12-alpine", "--libc", "glibc"], "musl image"),
        (["--base", "python:3.12-slim", "--platform", "linux/ppc64le"], "linux/arm64"),
        (["--base", "windows"], "Unknown base"),
        (["--base", "none", "--image-size", "lots"], "is not a size"),
        (["--compare-bases", "--base", "none"], "cannot be combined"),
        (["--compare-bases", "--libc", "musl"], "own C library"),
    ],
)
def test_input_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], says: str
) -> None:
    err = assert_clean_error(
        *cli(capsys, tmp_path, "-p", "webapp", "--index-url", "http://127.0.0.1:9/", *argv)
    )
    assert says in err


def test_base_adds_the_runtime_to_the_floor_json(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    index_server: ServerFactory,
    project_dir: Path,
) -> None:
    server = index_server(project_dir)
    code, out, err = cli(
        capsys, tmp_path, "-p", "webapp", "--index-url", server.simple_url,
        "--base", "python:3.12-slim", "--image-size", "3.77GB", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert doc["target"]["python"] == "3.12"
    assert doc["target"]["python_full_version"] == "3.12.14"
    assert (doc["target"]["libc"], doc["target"]["libc_version"]) == ("glibc", "2.41")
    runtime = doc["runtime"]
    assert runtime["base"] == "python:3.12-slim"
    assert runtime["installed_bytes"] == 119_420_000
    assert runtime["download_bytes"] == 43_188_023
    assert runtime["exact"] is True and runtime["python"] == "3.12.14"
    assert "repo-info" in runtime["source"]
    totals = doc["totals"]
    floor = doc["floor"]
    assert floor["installed_bytes"] == runtime["installed_bytes"] + totals["installed_bytes"]
    assert floor["disk_bytes"] == runtime["disk_bytes"] + totals["disk_bytes"]
    assert floor["download_bytes"] == runtime["download_bytes"] + totals["download_bytes"]
    assert doc["image"]["bytes"] == 3_770_000_000
    assert doc["image"]["above_floor_bytes"] == 3_770_000_000 - floor["installed_bytes"]
    assert doc["image"]["ratio"] == round(3_770_000_000 / floor["installed_bytes"], 3)
    speedups = next(p for p in doc["packages"] if p["name"] == "speedups")
    assert "manylinux_2_17_x86_64" in speedups["filename"]


def test_table_leads_with_the_floor(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    index_server: ServerFactory,
    project_dir: Path,
) -> None:
    server = index_server(project_dir)
    code, out, err = cli(
        capsys, tmp_path, "-p", "webapp", "--index-url", server.simple_url,
        "--base", "distroless-debian12", "--platform", "linux/arm64", "--image-size", "1GiB",
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("floor: ")
    assert "distroless-debian12 + 2 packages" in lines[0]
    runtime = next(line for line in lines if line.strip().startswith("runtime"))
    arm64 = catalog().by_name()["distroless-debian12"].sizes["aarch64"]
    assert "gcr.io/distroless/python3-debian12" in runtime and "linux/arm64" in runtime
    assert f"{arm64.installed_bytes / 1e6:.1f} MB" in runtime
    image = next(line for line in lines if line.startswith("image: "))
    assert "1.1 GB is" in image and "above the floor" in image
    assert lines.index(runtime) < next(i for i, s in enumerate(lines) if s.startswith("package "))


def test_alpine_base_picks_musl_wheels(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    index_server: ServerFactory,
    project_dir: Path,
) -> None:
    server = index_server(project_dir)
    code, out, err = cli(
        capsys, tmp_path, "-p", "webapp", "--index-url", server.simple_url,
        "--base", "python:alpine", "--python", "3.13", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert doc["runtime"]["base"] == "python:3.13-alpine"
    assert doc["target"]["libc"] == "musl"
    speedups = next(p for p in doc["packages"] if p["name"] == "speedups")
    assert "musllinux_1_2_x86_64" in speedups["filename"]


def _rows(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["base"]: row for row in doc["bases"]}


def test_compare_bases_arm64(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    index_server: ServerFactory,
    project_dir: Path,
) -> None:
    server = index_server(project_dir)
    code, out, err = cli(
        capsys, tmp_path, "-p", "webapp", "--index-url", server.simple_url,
        "--compare-bases", "--platform", "linux/arm64", "--python", "3.13", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert doc["platform"] == "linux/arm64"
    rows = _rows(doc)
    assert set(rows) == {
        "python:3.13-slim", "python:3.13-slim-bookworm", "python:3.13-alpine", "python:3.13",
        "python:3.13-bookworm", "distroless-debian13", "debian:13-slim", "standalone-3.13",
    }  # fmt: skip
    skipped = {s["family"]: s["reason"] for s in doc["skipped"]}
    assert skipped["distroless-debian12"] == skipped["debian:12-slim"] == "runs Python 3.11"
    for row in rows.values():
        assert row["error"] is None
        floor = row["floor"]["installed_bytes"]
        assert floor == row["runtime"]["installed_bytes"] + row["dependencies"]["installed_bytes"]
        assert row["runtime"]["arch"] == "linux/arm64"
    alpine = rows["python:3.13-alpine"]
    assert alpine["libc"] == "musl 1.2"
    assert any("musllinux" in note and "speedups" in note for note in alpine["notes"])
    glibc_deps = rows["python:3.13-slim"]["dependencies"]["installed_bytes"]
    # speedups' musl wheel has 1,000 bytes more (its WHEEL file's tag one character less)
    assert alpine["dependencies"]["installed_bytes"] - glibc_deps == 999
    assert (
        rows["distroless-debian13"]["runtime"]["installed_bytes"]
        == catalog().by_name()["distroless-debian13"].sizes["aarch64"].installed_bytes
    )


def test_compare_bases_table_with_a_base_that_cannot(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    index_server: ServerFactory,
    project_dir: Path,
) -> None:
    """Without --python each base brings its own: distroless-debian12 (3.11) cannot run a
    project that needs 3.12; its row says so instead of a floor."""
    server = index_server(project_dir)
    code, out, err = cli(
        capsys, tmp_path, "-p", "modern", "--index-url", server.simple_url,
        "--compare-bases", "--platform", "linux/arm64",
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("The floor of modern on linux/arm64, by base (each with its own")
    header = lines[2].split()
    assert header[:7] == ["base", "python", "libc", "runtime", "dependencies", "floor", "pull"]
    debian12 = next(line for line in lines if line.startswith("distroless-debian12"))
    assert "cannot:" in debian12 and "3.11" in debian12
    debian13 = next(line for line in lines if line.startswith("distroless-debian13"))
    assert "cannot" not in debian13 and "MB" in debian13
    floors = [line for line in lines[4:] if line and "MB" in line and "cannot" not in line]
    assert floors, out


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_compare_bases_honours_the_format(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    index_server: ServerFactory,
    project_dir: Path,
    fmt: str,
) -> None:
    """--compare-bases in Markdown is a table a pull request shows; in HTML one page, also
    into an -o file; neither is the text table."""
    server = index_server(project_dir)
    out_file = tmp_path / f"bases.{fmt}"
    code, out, err = cli(
        capsys, tmp_path, "-p", "webapp", "--index-url", server.simple_url,
        "--compare-bases", "--python", "3.13", "--format", fmt, "-o", str(out_file),
    )  # fmt: skip
    assert (code, out) == (0, ""), err
    text = out_file.read_text(encoding="utf-8")
    assert "---  ----" not in text  # not the text table's rule
    if fmt == "markdown":
        assert text.startswith("### The floor of webapp on linux/amd64, by base")
        assert "| base | python | libc | runtime | dependencies | floor | pull | note |" in text
        assert any(line.startswith("| distroless-debian13 |") for line in text.splitlines())
    else:
        assert text.startswith("<!doctype html>") and "default-src 'none'" in text
        assert "<th>floor</th>" in text and "distroless-debian13" in text
        embedded = re.search(r"id=sizefloor-bases>(.*?)</script>", text, re.S)
        assert embedded is not None
        assert json.loads(embedded.group(1))["platform"] == "linux/amd64"


def test_the_smallest_runtime_by_default(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    index_server: ServerFactory,
    project_dir: Path,
) -> None:
    """No --base: the floor has the smallest catalogued runtime for the target's Python and
    C library, named, with how to choose another; --base none leaves it out."""
    server = index_server(project_dir)
    common = ["-p", "webapp", "--index-url", server.simple_url, "--no-compile"]
    for python, libc, expected in (
        ("3.11", "glibc", "distroless-debian12"),
        ("3.13", "glibc", "distroless-debian13"),
        ("3.13", "musl", "python:3.13-alpine"),
    ):
        code, out, err = cli(
            capsys, tmp_path, *common, "--python", python, "--libc", libc, "--format", "json"
        )
        assert code == 0, err
        doc = json.loads(out)
        assert doc["runtime"]["base"] == expected, (python, libc)
        assert doc["runtime"]["chosen_by"] == "default"
        runtime_bytes = doc["runtime"]["installed_bytes"]
        assert doc["floor"]["installed_bytes"] == runtime_bytes + doc["totals"]["installed_bytes"]
    code, out, err = cli(capsys, tmp_path, *common, "--python", "3.11")
    assert code == 0, err
    assert out.startswith("floor: ") and "distroless-debian12 + 2 packages" in out.splitlines()[0]
    assert "--base NAME picks another" in out and "--base none leaves it out" in out
    code, out, err = cli(capsys, tmp_path, *common, "--base", "none", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["runtime"] is None
    assert doc["floor"]["installed_bytes"] == doc["totals"]["installed_bytes"]


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="host is a Linux interpreter")
def test_base_host_reports_the_interpreter_parts(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    index_server: ServerFactory,
    project_dir: Path,
) -> None:
    server = index_server(project_dir)
    code, out, err = cli(
        capsys, tmp_path, "-p", "webapp", "--index-url", server.simple_url,
        "--base", "host", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    runtime = json.loads(out)["runtime"]
    parts = {p["name"]: p for p in runtime["parts"]}
    assert {"stdlib", "lib-dynload", "binary", "tests", "bytecode"} <= set(parts)
    floor_parts = [p for p in runtime["parts"] if p["in_floor"]]
    assert runtime["installed_bytes"] == sum(p["bytes"] for p in floor_parts)
    assert not parts["tests"]["in_floor"] and not parts["bytecode"]["in_floor"]
    assert runtime["python"] == ".".join(str(v) for v in sys.version_info[:3])
