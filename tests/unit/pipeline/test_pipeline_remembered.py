"""A finished estimate is remembered while the index pages it read are unchanged.

Every test runs sizefloor against a real index on loopback and changes what the
index (or a ``--find-links`` directory) serves between runs: a remembered result
must never hide such a change once the page that shows it has been read again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from indexserver import IndexServer
from wheelbuilder import build_wheel

import sizefloor
from sizefloor import cache as cache_module
from sizefloor.report import Report

ServerFactory = Callable[..., IndexServer]


def run(reqs: Any, tmp_path: Path, **options: Any) -> Report:
    options.setdefault("python", "3.12")
    options.setdefault("use_pip_config", False)
    options.setdefault("cache_dir", tmp_path / "cache")
    return sizefloor.estimate(reqs, **options)


def same_report(a: Report, b: Report) -> bool:
    return {**a.to_json(), "transfer": None} == {**b.to_json(), "transfer": None}


@pytest.fixture
def lib_dir(tmp_path: Path) -> Path:
    root = tmp_path / "wheels"
    root.mkdir()
    build_wheel(root, "lib", "1.0", files={"lib/__init__.py": b"x = 1\n"})
    build_wheel(
        root, "app", "1.0", files={"app/__init__.py": b"import lib\n"}, requires_dist=["lib"]
    )
    return root


def test_a_repeated_run_asks_the_index_nothing(
    index_server: ServerFactory, lib_dir: Path, tmp_path: Path
) -> None:
    server = index_server(lib_dir)
    first = run(["app"], tmp_path, index_url=server.simple_url)
    assert first.transfer["requests"] > 0
    server.clear_log()
    second = run(["app"], tmp_path, index_url=server.simple_url)
    assert server.requests == []
    assert same_report(second, first)
    assert set(second.transfer.values()) == {0}


def test_other_inputs_are_not_answered_from_it(
    index_server: ServerFactory, lib_dir: Path, tmp_path: Path
) -> None:
    server = index_server(lib_dir)
    run(["app"], tmp_path, index_url=server.simple_url)
    assert [p.name for p in run(["lib"], tmp_path, index_url=server.simple_url).packages] == ["lib"]
    no_bytecode = run(["app"], tmp_path, index_url=server.simple_url, compile_bytecode=False)
    assert (
        no_bytecode.totals.installed_bytes
        < run(["app"], tmp_path, index_url=server.simple_url).totals.installed_bytes
    )


def test_a_page_read_again_since_replaces_the_result(
    index_server: ServerFactory, lib_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``app`` was estimated with lib 1.0; lib 2.0 is published; another estimate reads
    lib's page again (its copy had gone stale): ``app`` must now get lib 2.0 even though
    its own remembered result is younger than the page lifetime."""
    server = index_server(lib_dir)
    assert run(["app"], tmp_path, index_url=server.simple_url).package("lib").version == "1.0"
    build_wheel(lib_dir, "lib", "2.0", files={"lib/__init__.py": b"x = 2\n"})
    with monkeypatch.context() as patch:
        patch.setattr(cache_module, "PAGE_TTL", 0.0)
        assert run(["lib"], tmp_path, index_url=server.simple_url).package("lib").version == "2.0"
    assert run(["app"], tmp_path, index_url=server.simple_url).package("lib").version == "2.0"


def test_a_stale_page_is_read_again(
    index_server: ServerFactory, lib_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = index_server(lib_dir)
    run(["app"], tmp_path, index_url=server.simple_url)
    build_wheel(lib_dir, "lib", "2.0", files={"lib/__init__.py": b"x = 2\n"})
    monkeypatch.setattr(cache_module, "PAGE_TTL", 0.0)
    server.clear_log()
    assert run(["app"], tmp_path, index_url=server.simple_url).package("lib").version == "2.0"
    assert any(r.path.startswith("/simple/lib/") for r in server.requests)


def test_offline_answers_from_it(
    index_server: ServerFactory, lib_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = index_server(lib_dir)
    online = run(["app"], tmp_path, index_url=server.simple_url)
    monkeypatch.setattr(cache_module, "PAGE_TTL", 0.0)  # stale, but --offline uses it
    offline = run(["app"], tmp_path, index_url=server.simple_url, offline=True)
    assert same_report(offline, online)


def test_a_wheel_added_to_find_links_is_seen(lib_dir: Path, tmp_path: Path) -> None:
    links = dict(no_index=True, find_links=(str(lib_dir),))
    assert run(["app"], tmp_path, **links).package("lib").version == "1.0"
    build_wheel(lib_dir, "lib", "2.0", files={"lib/__init__.py": b"x = 2\n"})
    assert run(["app"], tmp_path, **links).package("lib").version == "2.0"


def test_without_a_cache_nothing_is_remembered(
    index_server: ServerFactory, lib_dir: Path, tmp_path: Path
) -> None:
    server = index_server(lib_dir)
    run(["app"], tmp_path, index_url=server.simple_url, use_cache=False)
    server.clear_log()
    run(["app"], tmp_path, index_url=server.simple_url, use_cache=False)
    assert server.requests != []
