"""``--exact-bytecode`` on a wheel with a huge module: that module's ``.pyc`` is modelled (its
source is never fetched nor compiled: bounded memory), the others compiled, and the report
says so."""

from __future__ import annotations

import platform
from collections.abc import Callable
from pathlib import Path

from indexserver import IndexServer
from wheelbuilder import build_wheel

import sizefloor
from sizefloor.install.exact import SOURCE_CAP


def test_a_module_over_the_cap_is_modelled_and_said_to_be(
    tmp_path: Path, index_server: Callable[..., IndexServer]
) -> None:
    huge = b"x = 1\n" * (SOURCE_CAP // 6 + 1000)
    small = "".join(f"def f{i}():\n    return {i}\n" for i in range(800)).encode()
    build_wheel(
        tmp_path / "wheels", "gen", "1.0", files={"gen/huge.py": huge, "gen/small.py": small}
    )
    server = index_server(tmp_path / "wheels")
    python = ".".join(platform.python_version_tuple()[:2])
    report = sizefloor.estimate(
        ["gen"], python=python, index_url=server.simple_url, use_pip_config=False,
        cache_dir=tmp_path / "cache", exact_bytecode=True,
    )  # fmt: skip
    (package,) = report.packages
    said = [w for w in report.warnings if "over 8 MiB" in w]
    assert said and "gen/huge.py" in said[0] and "modelled, not compiled" in said[0]
    assert not package.bytecode_exact
    assert report.transfer["source_bytes"] < SOURCE_CAP // 4  # the huge module never came
    pycs = [f for f in package.contents if f.path.endswith(".pyc")]
    assert any("small" in f.path for f in pycs) and any("huge" in f.path for f in pycs)
