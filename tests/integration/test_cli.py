"""End-to-end tests of the command line, ``sizefloor.cli.main.main(argv)``: what reaches stdout
and stderr, and the exit status, against real indexes on 127.0.0.1.

Every run passes ``--isolated`` (no pip configuration), an explicit ``--index-url`` (or
``--no-index``) and a ``--cache-dir`` of its own (or ``--no-cache``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from indexserver import IndexServer
from lockedprojects import write_backend_project
from oracle import expected_install, pip_version
from projects import build_big, build_graph, build_selection
from recordedwaits import record_waits

import sizefloor
from sizefloor.cli.main import main

ServerFactory = Callable[..., IndexServer]
PIP = "{}.{}".format(*pip_version())


@pytest.fixture(scope="session")
def graph_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_graph(tmp_path_factory.mktemp("cli-graph"))


@pytest.fixture(scope="session")
def selection_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_selection(tmp_path_factory.mktemp("cli-selection"))


def cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, *argv: str, cache: bool = True
) -> tuple[int, str, str]:
    """Run ``main`` isolated from this machine's pip configuration; (status, out, err)."""
    args = [*argv, "--isolated", "--python", "3.12", "--pip-version", PIP]
    args += ["--cache-dir", str(tmp_path / "cache")] if cache else ["--no-cache"]
    capsys.readouterr()
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean_error(code: int, out: str, err: str, status: int) -> str:
    """One paragraph on stderr, nothing on stdout, no traceback; the message returned."""
    assert code == status, err
    assert out == ""
    assert err.startswith("sizefloor: error: ")
    assert "Traceback" not in err
    assert "\n\n" not in err.strip()
    assert err.endswith("\n")
    return err


# ------------------------------------------------------------------------- the report


def test_json_output(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    graph_dir: Path,
    tmp_path: Path,
) -> None:
    server = index_server(graph_dir)
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("app\n")
    code, out, err = cli(
        capsys, tmp_path, str(reqs), "--index-url", server.simple_url, "--no-compile",
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    assert err == ""
    data = json.loads(out)  # stdout is the JSON document and nothing else
    assert out == json.dumps(data, indent=2) + "\n"

    assert data["sizefloor"] == sizefloor.__version__
    assert {"python", "implementation", "platform", "libc"} <= set(data["target"])
    assert data["target"]["python"] == "3.12"
    assert data["target"]["implementation"] == "cpython"
    assert data["target"]["platform"] == "linux/amd64"
    assert data["target"]["libc"] == "glibc"
    assert data["warnings"] == []
    documented = {
        "name", "version", "filename", "installed_bytes", "disk_bytes", "download_bytes",
        "files", "exact", "required_by",
    }  # fmt: skip
    packages = {p["name"]: p for p in data["packages"]}
    assert set(packages) == {"app", "lib", "tool", "clickish"}
    for p in data["packages"]:
        assert documented <= set(p)
        assert p["exact"] is True
        assert p["download_bytes"] == (graph_dir / p["filename"]).stat().st_size
    installed = [p["installed_bytes"] for p in data["packages"]]
    assert installed == sorted(installed, reverse=True)
    assert packages["app"]["required_by"] == [f"-r {reqs}:1"]
    assert packages["lib"]["required_by"] == ["app"]
    assert packages["clickish"]["required_by"] == ["tool"]
    # exact sizes of the packages without scripts, from the wheels themselves
    for name, version, requested in (
        ("lib", "2.0", False),
        ("tool", "1.0", False),
        ("clickish", "0.5", False),
    ):
        wheel = graph_dir / f"{name}-{version}-py3-none-any.whl"
        expected = expected_install(wheel, requested=requested)
        assert (packages[name]["installed_bytes"], packages[name]["files"]) == expected
    totals = data["totals"]
    assert {"installed_bytes", "disk_bytes", "download_bytes", "files"} <= set(totals)
    for key in ("installed_bytes", "download_bytes", "files"):  # disk: directories are shared
        assert totals[key] == sum(p[key] for p in data["packages"])

    # the same numbers as the library, with the CLI's default interpreter path
    report = sizefloor.estimate(
        str(reqs),
        python="3.12",
        index_url=server.simple_url,
        use_pip_config=False,
        use_cache=False,
        compile_bytecode=False,
        pip_version=pip_version(),
    )
    library = report.to_json()
    for key in ("sizefloor", "target", "totals", "warnings", "unsized", "indexes", "sources"):
        assert data[key] == library[key], key
    assert [{k: p[k] for k in documented} for p in data["packages"]] == [
        {k: p[k] for k in documented} for p in library["packages"]
    ]
    # launchers: bin/app and bin/x start with #!/usr/local/bin/python3.12
    with_test_python = sizefloor.estimate(
        str(reqs),
        python="3.12",
        index_url=server.simple_url,
        use_pip_config=False,
        use_cache=False,
        compile_bytecode=False,
        pip_version=pip_version(),
        executable=sys.executable,
    )
    assert totals["installed_bytes"] - with_test_python.totals.installed_bytes == 2 * (
        len("/usr/local/bin/python3.12") - len(sys.executable)
    )


def test_table_and_output_file(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    graph_dir: Path,
    tmp_path: Path,
) -> None:
    server = index_server(graph_dir)
    code, out, err = cli(capsys, tmp_path, "-p", "app", "-i", server.simple_url, "--no-compile")
    assert code == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith("floor: ")  # the floor leads: the smallest runtime + the packages
    header = next(i for i, line in enumerate(lines) if line.startswith("package "))
    assert lines[header].split()[:4] == ["package", "version", "installed", "files"]
    names = [line.split()[0] for line in lines[header + 2 : header + 6]]
    assert sorted(names) == ["app", "clickish", "lib", "tool"]
    assert any(line.startswith("total ") for line in lines)
    assert "4 packages for Python 3.12 on linux/amd64 (glibc 2.41), without bytecode" in out

    # -o writes what stdout would have shown, and stdout stays empty
    args = ("-p", "app", "-i", server.simple_url, "--no-compile", "--format", "markdown")
    code, shown, err = cli(capsys, tmp_path, *args)
    assert (code, err) == (0, "")
    assert "4 packages for Python 3.12 on linux/amd64" in shown
    target = tmp_path / "report.md"
    code, out, err = cli(capsys, tmp_path, *args, "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == shown


def test_warnings_on_stderr_and_quiet(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    big = build_big(tmp_path_factory.mktemp("cli-big"))
    server = index_server(big, ranges=False)
    args = ("-p", "bigpkg", "-i", server.simple_url, "--no-compile", "--format", "json")
    code, out, err = cli(capsys, tmp_path, *args, cache=False)
    assert code == 0
    data = json.loads(out)
    assert len(data["warnings"]) == 1
    assert "ignores Range" in data["warnings"][0]
    assert err == f"sizefloor: warning: {data['warnings'][0]} [no-range]\n"  # and its name

    code, out, err = cli(capsys, tmp_path, *args, "--quiet", cache=False)
    assert code == 0
    assert err == ""
    assert json.loads(out)["packages"] == data["packages"]

    code, out, err = cli(capsys, tmp_path, *args, "--silence", "no-range", cache=False)
    assert (code, err) == (0, "")  # silenced by its name, and still in the JSON
    assert json.loads(out)["warnings"] == data["warnings"]


@pytest.mark.slow
def test_unsized_lines_exit_zero_and_local_projects_are_built(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    graph_dir: Path,
    tmp_path: Path,
) -> None:
    server = index_server(graph_dir)
    for name in ("editme", "localdir"):
        write_backend_project(tmp_path / name, name, dependencies=())
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("lib\n-e ./editme\ngit+http://127.0.0.1:9/repo.git#egg=vcsproj\n./localdir\n")
    code, out, err = cli(capsys, tmp_path, str(reqs), "-i", server.simple_url, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert sorted(p["name"] for p in data["packages"]) == ["editme", "lib", "localdir"]
    assert [u["origin"] for u in data["unsized"]] == [f"{reqs}:3"]
    assert data["exact"] is False
    warnings = err.splitlines()
    assert len(warnings) == 2
    assert all(w.startswith("sizefloor: warning: ") for w in warnings)
    assert "-e ./editme" in warnings[0] and "editable" in warnings[0]
    assert "vcsproj" in warnings[1] and "VCS" in warnings[1]


def test_offline_after_online_same_output(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    graph_dir: Path,
    tmp_path: Path,
) -> None:
    server = index_server(graph_dir)
    args = ("-p", "app", "-i", server.simple_url, "--no-compile", "--format", "json")
    code, online, _ = cli(capsys, tmp_path, *args)
    assert code == 0
    server.clear_log()
    code, offline, err = cli(capsys, tmp_path, *args, "--offline")
    assert (code, err) == (0, "")
    assert server.requests == []
    strip = lambda text: {k: v for k, v in json.loads(text).items() if k != "transfer"}  # noqa: E731
    assert strip(offline) == strip(online)


def test_constraints_file_option(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    graph_dir: Path,
    tmp_path: Path,
) -> None:
    """-c narrows lib to 1.0 and adds nothing: not-on-the-index is never even looked up."""
    server = index_server(graph_dir)
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("lib<2\nnot-on-the-index==1.0\n")
    args = ("-p", "app", "-i", server.simple_url, "--no-compile", "--format", "json")
    code, out, err = cli(capsys, tmp_path, *args, "-c", str(constraints))
    assert (code, err) == (0, "")
    versions = {p["name"]: p["version"] for p in json.loads(out)["packages"]}
    assert versions == {"app": "1.0", "lib": "1.0", "tool": "1.0", "clickish": "0.5"}
    lib = next(p for p in json.loads(out)["packages"] if p["name"] == "lib")
    wheel = graph_dir / "lib-1.0-py3-none-any.whl"
    assert (lib["installed_bytes"], lib["files"]) == expected_install(wheel, requested=False)
    assert not any("not-on-the-index" in r.path for r in server.requests)


def test_python_dash_m_in_a_subprocess(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    """``python -m sizefloor`` as a user runs it: JSON alone on stdout, nothing on stderr."""
    server = index_server(graph_dir)
    done = subprocess.run(
        [
            sys.executable, "-m", "sizefloor", "-p", "lib", "--isolated", "--python", "3.12",
            "-i", server.simple_url, "--cache-dir", str(tmp_path / "cache"),
            "--no-compile", "--pip-version", PIP, "--format", "json",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
    )  # fmt: skip
    assert (done.returncode, done.stderr) == (0, "")
    package = json.loads(done.stdout)["packages"][0]
    wheel = graph_dir / "lib-2.0-py3-none-any.whl"
    assert (package["installed_bytes"], package["files"]) == expected_install(wheel, requested=True)


@pytest.mark.slow
def test_python_dash_m_exits_with_everything_written(
    index_server: ServerFactory, graph_dir: Path, tmp_path: Path
) -> None:
    """The process ends without the interpreter's teardown (``cli.entry``): the
    output file is whole, and an input error still exits 2 with its message."""
    server = index_server(graph_dir)
    output = tmp_path / "report.json"
    command = [sys.executable, "-m", "sizefloor", "--isolated", "--python", "3.12"]
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
    done = subprocess.run(
        [
            *command, "-p", "app", "-i", server.simple_url, "--cache-dir", str(tmp_path / "c"),
            "--no-compile", "--format", "json", "-o", str(output),
        ],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert len(json.loads(output.read_text())["packages"]) == 4
    failed = subprocess.run(
        [*command, str(tmp_path / "missing.txt")], capture_output=True, text=True, env=env
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert "missing.txt" in failed.stderr and "Traceback" not in failed.stderr


# ----------------------------------------------------------------------------- errors


def test_missing_requirements_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    result = cli(capsys, tmp_path, str(missing), "-i", "http://127.0.0.1:9/simple/")
    err = assert_clean_error(*result, status=2)
    assert str(missing) in err


def test_bad_line_names_file_and_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("lib>=1\n# fine\nthis is ~~ not a requirement\n")
    result = cli(capsys, tmp_path, str(reqs), "-i", "http://127.0.0.1:9/simple/")
    err = assert_clean_error(*result, status=2)
    assert f"{reqs}:3:" in err
    assert "this is ~~ not a requirement" in err


def test_unknown_project(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    graph_dir: Path,
    tmp_path: Path,
) -> None:
    server = index_server(graph_dir)
    result = cli(capsys, tmp_path, "-p", "no-such-project", "-i", server.simple_url)
    err = assert_clean_error(*result, status=2)
    assert "'no-such-project'" in err


def test_version_conflict_names_both_origins(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    graph_dir: Path,
    tmp_path: Path,
) -> None:
    server = index_server(graph_dir)
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("app\nclickish<0.5\n")
    result = cli(capsys, tmp_path, str(reqs), "-i", server.simple_url)
    err = assert_clean_error(*result, status=2)
    assert f"clickish<0.5 (from {reqs}:2)" in err
    assert "clickish>=0.5" in err and "(from tool 1.0)" in err


def test_no_wheel_for_the_platform(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    selection_dir: Path,
    tmp_path: Path,
) -> None:
    server = index_server(selection_dir)
    result = cli(capsys, tmp_path, "-p", "winonly", "-i", server.simple_url)
    err = assert_clean_error(*result, status=2)
    assert "winonly" in err
    assert "win_amd64" in err
    assert "linux/amd64" in err


def test_unreachable_index(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/simple/"
    waits = record_waits(monkeypatch)
    result = cli(capsys, tmp_path, "-p", "lib", "-i", url, cache=False)
    err = assert_clean_error(*result, status=1)
    assert f"http://127.0.0.1:{port}/simple/lib/" in err
    assert waits == [0.25, 0.5, 1.0]  # pip's three retries, with a growing wait


def test_offline_with_empty_cache(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    graph_dir: Path,
    tmp_path: Path,
) -> None:
    server = index_server(graph_dir)
    result = cli(capsys, tmp_path, "-p", "app", "-i", server.simple_url, "--offline")
    err = assert_clean_error(*result, status=1)
    assert "--offline" in err
    assert f"{server.simple_url}app/" in err
    assert server.requests == []


PASSWORD = "s3cret-Pw_42"


def test_auth_required(
    capsys: pytest.CaptureFixture[str],
    index_server: ServerFactory,
    graph_dir: Path,
    tmp_path: Path,
) -> None:
    server = index_server(graph_dir, auth=("alice", PASSWORD))
    # no credentials
    result = cli(capsys, tmp_path, "-p", "lib", "-i", server.simple_url, cache=False)
    err = assert_clean_error(*result, status=2)
    assert "401" in err

    # a wrong password: refused, and never shown
    wrong = server.simple_url.replace("http://", "http://alice:not-the-Pw-99@")
    result = cli(capsys, tmp_path, "-p", "lib", "-i", wrong, cache=False)
    err = assert_clean_error(*result, status=2)
    assert "not-the-Pw-99" not in err
    assert "alice:****@" in err

    # the right one: works, and the password is nowhere in the output
    right = server.simple_url.replace("http://", f"http://alice:{PASSWORD}@")
    code, out, err = cli(capsys, tmp_path, "-p", "lib", "-i", right, "--format", "json")
    assert code == 0
    assert PASSWORD not in out
    assert PASSWORD not in err
    data = json.loads(out)
    assert [p["name"] for p in data["packages"]] == ["lib"]
    assert data["indexes"] == [server.simple_url.replace("http://", "http://alice:****@")]
    authorized = server.requests[2:]  # after the two refused runs' requests
    assert [r.path for r in authorized][:1] == ["/simple/lib/"]
    assert all(r.status in (200, 206) for r in authorized)


def test_usage_error_without_requirements(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--isolated"])
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "give a requirements file" in err
