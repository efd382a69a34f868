"""The documented JSON (``docs/json-schema.md``), pinned by golden files.

The same wheels, the same target and the same options give the same document, field for
field, whatever the package layout behind it. Only what differs from run to run is
normalised: the loopback index's port, sizefloor's version and the transfer counts.
Regenerate with ``SIZEFLOOR_UPDATE_GOLDEN=1 python -m pytest tests/test_golden_json.py``
after a deliberate change of the schema (and bump ``schema_version`` when it breaks readers).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from indexserver import IndexServer
from projects import build_graph

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"


@pytest.fixture(scope="module")
def graph_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_graph(tmp_path_factory.mktemp("golden-graph"))


def _normalise(text: str, server: str) -> Any:
    document = json.loads(text.replace(server.rstrip("/"), "http://INDEX"))
    document["sizefloor"] = "VERSION"
    document["transfer"] = {key: 0 for key in document.get("transfer", {})}
    return document


def _sizefloor_json(args: list[str], tmp_path: Path) -> str:
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "SIZEFLOOR_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "sizefloor", *args, "--format", "json", "--isolated"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _check(name: str, document: Any) -> None:
    path = GOLDEN / name
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if os.environ.get("SIZEFLOOR_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert document == expected, f"{name} changed: compare with {path}"


CASES: dict[str, Callable[[str], list[str]]] = {
    "graph-files-top.json": lambda index: [
        "-p", "app", "--python", "3.12", "--platform", "linux/amd64",
        "--index-url", index, "--model-bytecode", "--list-files", "--top", "5",
    ],
    "graph-no-compile.json": lambda index: [
        "-p", "app", "--python", "3.12", "--platform", "linux/arm64",
        "--index-url", index, "--no-compile",
    ],
    "graph-base-slim.json": lambda index: [
        "-p", "app", "--base", "python:3.12-slim", "--index-url", index,
        "--model-bytecode", "--image-size", "400MB",
    ],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_matches_golden(name: str, graph_wheels: Path, tmp_path: Path) -> None:
    with IndexServer(graph_wheels) as server:
        text = _sizefloor_json(CASES[name](server.simple_url), tmp_path)
        document = _normalise(text, server.url)
    _check(name, document)
