"""The installer model on wheels with scripts and data files, against pip itself.

pip byte-compiles every ``.py`` file it takes from a wheel, wherever it goes
(``bin/`` and data folders too); it rewrites a script's ``#!python`` line and
leaves a native binary shipped as a script alone. The binary here is larger
than sizefloor reads whole, so only its first line is fetched.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

from indexserver import IndexServer
from oracle import pip_install_target, pip_version
from wheelbuilder import build_wheel

import sizefloor
from sizefloor.install.plan import BLOCK, _directory_size

PY = f"{sys.version_info.major}.{sys.version_info.minor}"

ServerFactory = Callable[..., IndexServer]


def _wheel(root: Path) -> Path:
    binary = b"\x7fELF" + random.Random(7).randbytes(60_000)
    return build_wheel(
        root,
        "scripty",
        "1.0",
        files={"scripty/__init__.py": b"VALUE = 1\n"},
        data={
            "scripts/tool.py": b"#!python\nimport scripty\nprint(scripty.VALUE)\n",
            "scripts/native": binary,
            "data/share/scripty/helper.py": b"def helper():\n    return 2\n",
        },
    )


def test_scripts_and_data_files_compile_like_pip(
    index_server: ServerFactory, tmp_path: Path
) -> None:
    root = tmp_path / "wheels"
    _wheel(root)
    server = index_server(root)
    report = sizefloor.estimate(
        ["scripty"],
        python=PY,
        use_pip_config=False,
        index_url=server.simple_url,
        cache_dir=tmp_path / "cache",
        executable=sys.executable,
        pip_version=pip_version(),
    )
    measured = pip_install_target(
        ["scripty"], root, python=PY, platforms=["manylinux_2_17_x86_64"], compile=True
    )
    truth = measured.image_files(PY)
    (package,) = report.packages
    ours = {f.path: f.size for f in package.contents}
    assert set(ours) == set(truth)
    tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
    assert f"bin/__pycache__/tool.{tag}.pyc" in ours
    assert f"share/scripty/__pycache__/helper.{tag}.pyc" in ours
    # everything but the modelled bytecode and RECORD is exact (RECORD: path depth only)
    for path, size in truth.items():
        if not path.endswith((".pyc", "/RECORD")):
            assert ours[path] == size, path
    # the binary was not read whole: only its first line was needed
    assert server.bytes_sent("/files/") < 30_000


def test_hashed_directories_take_a_root_and_two_thirds_full_leaves() -> None:
    assert _directory_size(24) == BLOCK
    assert _directory_size(BLOCK) == BLOCK
    # real ext4 directories: 263 entries (4,996 bytes of entries) take 3 blocks,
    # 430 (9,184) take 5, 597 (25,012) take 9 or 10
    assert _directory_size(4_996) == 3 * BLOCK
    assert _directory_size(9_184) == 5 * BLOCK
    assert _directory_size(25_012) in (9 * BLOCK, 10 * BLOCK)
