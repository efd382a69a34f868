"""A cache that cannot be written is read read-only; a corrupt one is moved aside once,
with a warning saying where, and made anew."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from indexserver import IndexServer
from projects import build_graph

from sizefloor.cache import Cache


def filled(directory: Path, entries: int = 200) -> None:
    cache = Cache(directory)
    for i in range(entries):
        cache.set("wheel", f"k{i}", {"n": i, "pad": "x" * 500})
    cache.close()


def test_a_cache_that_is_not_a_database_is_moved_aside_and_made_anew(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / "cache.db").write_bytes(b"this is no database " * 500)
    cache = Cache(directory)
    (warning,) = cache.warnings
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("cache.corrupt-")]
    assert len(aside) == 1 and str(aside[0]) in warning and "started a new one" in warning
    assert (aside[0] / "cache.db").read_bytes().startswith(b"this is no database")
    cache.set("wheel", "k", {"n": 1})
    cache.close()
    again = Cache(directory)  # moved once: the new cache is sound
    assert again.get("wheel", "k") == {"n": 1}
    assert again.warnings == []
    again.close()


def test_a_cache_damaged_inside_is_moved_aside_when_read(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    filled(directory)
    db = directory / "cache.db"
    data = bytearray(db.read_bytes())
    assert len(data) > 3 * 4096
    data[4096 : len(data)] = os.urandom(len(data) - 4096)
    db.write_bytes(bytes(data))
    cache = Cache(directory)
    assert cache.get("wheel", "k3") is None
    assert any("was corrupt" in w and "moved it to" in w for w in cache.warnings), cache.warnings
    cache.set("wheel", "k3", {"n": 3})
    cache.flush()
    assert cache.get("wheel", "k3") == {"n": 3}
    cache.close()


def as_nobody(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``args`` as a user who cannot write what root made (root can write anything)."""
    if os.geteuid() != 0:
        return subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv is needed to run as another user")
    return subprocess.run(
        [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *args],
        capture_output=True, text=True, env=env, check=False, timeout=300,
    )  # fmt: skip


def test_a_read_only_warm_cache_answers_offline(
    tmp_path: Path, index_server: Callable[..., IndexServer]
) -> None:
    server = index_server(build_graph(tmp_path / "wheels"))
    # pytest's own folders are closed to other users: the cache goes where they can look
    shared = Path(tempfile.mkdtemp(prefix="sizefloor-ro-"))
    shared.chmod(0o755)
    cache = shared / "cache"
    command = [
        sys.executable, "-m", "sizefloor", "-p", "app", "--python", "3.12", "--isolated",
        "--format", "json", "--cache-dir", str(cache),
    ]  # fmt: skip
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    warm = subprocess.run([*command, "-i", server.simple_url], capture_output=True, text=True,
                          env=env, check=True)  # fmt: skip
    for path in [cache, *cache.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        done = as_nobody(*command, "-i", server.simple_url, "--offline", env=env)
    finally:
        for path in [cache, *cache.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(shared)
    assert done.returncode == 0, done.stderr
    before, after = json.loads(warm.stdout), json.loads(done.stdout)
    assert [(p["name"], p["installed_bytes"]) for p in after["packages"]] == [
        (p["name"], p["installed_bytes"]) for p in before["packages"]
    ]
    assert any("cannot be written" in w for w in after["warnings"]), after["warnings"]
