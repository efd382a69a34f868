"""The report views end to end: the CLI against a loopback index serving wheels with fat.

``--why``, ``--tree``, ``--top``, the findings and unique bytes in the JSON, ``--max-size``.
Bytecode is off (``--no-compile``) so every figure is exact.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fatwheels import DOCS_BYTES, HEADER_BYTES, LIB, LIB_BYTES, STUB_BYTES, TESTS_BYTES, build_fat
from indexserver import IndexServer

from sizefloor.cli.main import main

ServerFactory = Callable[..., IndexServer]


@pytest.fixture(scope="module")
def fat_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fat(tmp_path_factory.mktemp("fat"))


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def sizefloor_cli(
    index_server: ServerFactory, fat_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Run:
    """``run(*options) -> (exit status, stdout, stderr)`` of the CLI on webapp + worker."""
    server = index_server(fat_dir)
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("webapp==1.0\nworker==1.0\n")

    def run(*args: str) -> tuple[int, str, str]:
        code = main(
            [
                str(reqs),
                "--isolated",
                "--index-url",
                server.simple_url,
                "--cache-dir",
                str(tmp_path / "cache"),
                "--python",
                "3.12",
                "--no-compile",
                *args,
            ]
        )
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _json(run: Run, *args: str) -> dict[str, Any]:
    code, out, _ = run("--format", "json", *args)
    assert code == 0
    document: dict[str, Any] = json.loads(out)
    return document


def test_unique_bytes_add_up(sizefloor_cli: Run) -> None:
    document = _json(sizefloor_cli)
    size = {p["name"]: p["installed_bytes"] for p in document["packages"]}
    unique = {r["name"]: r["unique_bytes"] for r in document["requirements"]}
    assert unique == {
        "webapp": size["webapp"] + size["alpha"],
        "worker": size["worker"] + size["beta"],
    }
    assert document["shared_bytes"] == size["common"]
    assert sum(unique.values()) + document["shared_bytes"] == document["totals"]["installed_bytes"]
    by_name = {p["name"]: p for p in document["packages"]}
    assert by_name["webapp"]["dependencies"] == ["alpha", "common"]
    assert by_name["common"]["unique_bytes"] is None
    assert "contents" not in by_name["alpha"]


def test_findings_with_exact_bytes(sizefloor_cli: Run) -> None:
    document = _json(sizefloor_cli)
    found = {f["kind"]: f for f in document["findings"]}
    assert found["tests"]["bytes"] == TESTS_BYTES
    assert found["tests"]["paths"] == [{"path": "alpha/tests", "bytes": TESTS_BYTES}]
    assert found["sources"]["bytes"] == HEADER_BYTES
    assert found["docs"]["bytes"] == DOCS_BYTES
    assert found["stubs"]["bytes"] == STUB_BYTES
    library = found["shared-library"]
    assert library["title"] == "libgfortran bundled 2 times"
    assert library["bytes"] == LIB_BYTES and library["saving"] is True
    assert library["paths"] == [
        {"path": f"alpha.libs/{LIB}", "bytes": LIB_BYTES},
        {"path": f"beta.libs/{LIB}", "bytes": LIB_BYTES},
    ]
    assert document["findings_bytes"] == (
        TESTS_BYTES + HEADER_BYTES + DOCS_BYTES + STUB_BYTES + LIB_BYTES
    )


def test_files_and_top_in_json(sizefloor_cli: Run) -> None:
    document = _json(sizefloor_cli, "--list-files", "--top", "3")
    alpha = next(p for p in document["packages"] if p["name"] == "alpha")
    assert sum(f["bytes"] for f in alpha["contents"]) == alpha["installed_bytes"]
    assert len(alpha["contents"]) == alpha["files"]
    generated = {f["path"].rsplit("/", 1)[1] for f in alpha["contents"] if not f["from_wheel"]}
    assert generated == {"INSTALLER", "RECORD"}
    assert [f["bytes"] for f in document["largest_files"]] == [LIB_BYTES, LIB_BYTES, 20_000]


def test_why(sizefloor_cli: Run) -> None:
    code, out, err = sizefloor_cli("--why", "common", "--why", "Alpha")
    assert code == 0, err
    assert (
        "required by webapp 1.0, worker 1.0" in out or "required by worker 1.0, webapp 1.0" in out
    )
    assert "  webapp 1.0 → common 1.0" in out
    assert "  worker 1.0 → common 1.0" in out
    assert "it goes only if webapp and worker are all dropped" in out or (
        "it goes only if worker and webapp are all dropped" in out
    )
    assert "  webapp 1.0 → alpha 1.0" in out
    assert "it goes if webapp is dropped" in out
    assert "package" not in out.splitlines()[0]  # the views replace the table


def test_why_unknown_package_is_input_error(
    sizefloor_cli: Run,
) -> None:
    code, _, err = sizefloor_cli("--why", "alpah")
    assert code == 2
    assert err == (
        "sizefloor: error: alpah is not among the packages of this estimate.\nDid you mean alpha?\n"
    )


def test_tree_and_table(sizefloor_cli: Run) -> None:
    code, out, _ = sizefloor_cli("--tree")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["package", "own", "with", "deps"]
    assert any(line.startswith("├── alpha 1.0") for line in lines)
    assert any("common 1.0" in line and "(its tree is shown above)" not in line for line in lines)
    code, out, _ = sizefloor_cli("--top", "2")
    assert code == 0
    assert "unique to each top-level requirement: " in out
    assert "findings: " in out and "libgfortran bundled 2 times" in out
    assert f"alpha.libs/{LIB}" in out.split("largest files (2 of")[1]


def test_views_need_text_or_a_file(sizefloor_cli: Run, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        sizefloor_cli("--tree", "--format", "json")
    assert caught.value.code == 2
    code, out, _ = sizefloor_cli("--tree", "--format", "json", "-o", str(tmp_path / "r.json"))
    assert code == 0 and out.startswith("package")
    assert json.loads((tmp_path / "r.json").read_text())["requirements"]


def test_max_size(sizefloor_cli: Run) -> None:
    total = _json(sizefloor_cli)["floor"]["installed_bytes"]  # the runtime included
    code, _, err = sizefloor_cli("--max-size", f"{total}B", "-q")
    assert (code, err) == (0, "")
    exact_kb = f"{total // 1000}.{total % 1000:03d}kB"  # decimal units, exactly
    assert sizefloor_cli("--max-size", exact_kb, "-q")[0] == 0
    code, out, err = sizefloor_cli("--max-size", f"{total - 1}B", "-q")
    assert code == 3
    assert out.startswith("floor: ")  # the report is still written
    assert err.count("\n") == 1
    assert err.startswith("sizefloor: over budget: the floor (runtime and packages) is ")
    assert f"({total:,} bytes), above --max-size {total - 1}B ({total - 1:,} bytes) by 1 B" in err
    assert sizefloor_cli("--max-size", "1GiB", "-q")[0] == 0
    assert sizefloor_cli("--max-size", "1KiB", "-q")[0] == 3


def test_bad_max_size_is_a_usage_error(
    sizefloor_cli: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["-p", "x", "--max-size", "lots"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "--max-size: 'lots' is not a size." in err
    assert "Traceback" not in err
    with pytest.raises(SystemExit) as caught:
        main(["-p", "x", "--max-size", "200"])  # 200 what? never 200 bytes
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "--max-size: '200' has no unit." in err
    assert "kB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB powers of 1024" in err
