"""sizefloor.install.plan: each kind of file pip writes, on wheels described member by member."""

from __future__ import annotations

import csv
import io
import json

import pytest

from sizefloor.dists.wheel import WheelInfo
from sizefloor.install import bytecode
from sizefloor.install.plan import (
    HASH_FIELD,
    InstallScheme,
    compiled_path,
    directory_blocks,
    file_blocks,
    launcher_template,
    plan_install,
    wheel_paths,
)

SCHEME = InstallScheme((3, 12), pip_version=(26, 0))
SITE = "lib/python3.12/site-packages"
DIST = "pkg-1.0.dist-info"
TAG = "cpython-312"


def wheel(
    members: list[tuple[str, int]],
    *,
    entry_points: bytes | None = None,
    heads: tuple[tuple[str, bytes], ...] = (),
) -> WheelInfo:
    every = [*members, (f"{DIST}/METADATA", 120), (f"{DIST}/WHEEL", 80), (f"{DIST}/RECORD", 300)]
    return WheelInfo("pkg-1.0-py3-none-any.whl", 1, tuple(every), b"", entry_points, heads)


def files_of(
    info: WheelInfo, *, requested: bool = False, direct_url: str | None = None
) -> dict[str, int]:
    plan = plan_install(
        info,
        project="Pkg",
        scheme=SCHEME,
        compile_bytecode=False,
        requested=requested,
        direct_url=direct_url,
    )
    return dict(plan.files)


# -- wheel members -------------------------------------------------------------------------


def test_members_go_where_pip_puts_them() -> None:
    info = wheel(
        [
            ("pkg/__init__.py", 10),
            ("pkg/dir/", 0),
            ("pkg-1.0.data/purelib/pure.py", 11),
            ("pkg-1.0.data/platlib/plat.so", 12),
            ("pkg-1.0.data/headers/pkg.h", 13),
            ("pkg-1.0.data/data/share/pkg/x.txt", 14),
            ("pkg-1.0.data/scripts/raw", 15),
            ("pkg-1.0.data/unknown/skipped", 16),
        ],
        heads=(("pkg-1.0.data/scripts/raw", b"\x7fELF"),),
    )
    assert wheel_paths(info, project="Pkg", scheme=SCHEME) == {
        "pkg/__init__.py": f"{SITE}/pkg/__init__.py",
        "pkg-1.0.data/purelib/pure.py": f"{SITE}/pure.py",
        "pkg-1.0.data/platlib/plat.so": f"{SITE}/plat.so",
        "pkg-1.0.data/headers/pkg.h": "include/python3.12/Pkg/pkg.h",
        "pkg-1.0.data/data/share/pkg/x.txt": "share/pkg/x.txt",
        "pkg-1.0.data/scripts/raw": "bin/raw",
        f"{DIST}/METADATA": f"{SITE}/{DIST}/METADATA",
        f"{DIST}/WHEEL": f"{SITE}/{DIST}/WHEEL",
    }
    files = files_of(info)
    assert files["bin/raw"] == 15  # not a #!python script: left alone
    assert files["share/pkg/x.txt"] == 14 and f"{SITE}/pkg/dir/" not in files


def test_a_python_script_gets_the_interpreters_path() -> None:
    shebang = len(b"#!/usr/local/bin/python3.12\n")
    heads = (("pkg-1.0.data/scripts/tool", b"#!python\r\nimport pkg\n"),)
    info = wheel(
        [("pkg-1.0.data/scripts/tool", 40), ("pkg-1.0.data/scripts/unread", 50)], heads=heads
    )
    files = files_of(info)
    assert files["bin/tool"] == 40 - len(b"#!python\r\n") + shebang
    assert files["bin/unread"] == 50 - len(b"#!python\n") + shebang  # assumed #!python


def test_a_member_listed_twice_is_written_once() -> None:
    info = wheel([("pkg/a.py", 10), ("pkg/a.py", 30)])
    assert files_of(info)[f"{SITE}/pkg/a.py"] == 30


# -- files the installer writes ------------------------------------------------------------

ENTRY_POINTS = (
    b"[console_scripts]\ncli = pkg.main:run [extra]\n[gui_scripts]\ngui = pkg:Gui.start\n"
)


@pytest.mark.parametrize("pip_version", [(26, 1), (25, 0), (24, 2)])
def test_a_launcher_for_each_entry_point(pip_version: tuple[int, int]) -> None:
    scheme = InstallScheme((3, 12), executable="/opt/py/bin/python", pip_version=pip_version)
    plan = plan_install(
        wheel([], entry_points=ENTRY_POINTS), project="pkg", scheme=scheme, compile_bytecode=True
    )
    files = dict(plan.files)
    template = launcher_template(pip_version)
    cli = template.format(module="pkg.main", import_name="run", func="run")
    gui = template.format(module="pkg", import_name="Gui", func="Gui.start")
    assert files["bin/cli"] == len(b"#!/opt/py/bin/python\n") + len(cli)
    assert files["bin/gui"] == len(b"#!/opt/py/bin/python\n") + len(gui)
    assert {"bin/cli", "bin/gui"} <= plan.generated
    assert not any("__pycache__" in path for path in files)  # launchers are not compiled


def test_the_dist_info_files_pip_adds() -> None:
    base = files_of(wheel([]))
    assert base[f"{SITE}/{DIST}/INSTALLER"] == len(b"pip\n")
    assert f"{SITE}/{DIST}/REQUESTED" not in base and f"{SITE}/{DIST}/direct_url.json" not in base
    url = "https://files.example.invalid/pkg-1.0-py3-none-any.whl"
    added = files_of(wheel([]), requested=True, direct_url=f"{url}#sha256=abc")
    assert added[f"{SITE}/{DIST}/REQUESTED"] == 0
    document = {"archive_info": {"hash": "sha256=abc", "hashes": {"sha256": "abc"}}, "url": url}
    assert added[f"{SITE}/{DIST}/direct_url.json"] == len(json.dumps(document, sort_keys=True))


def test_record_is_what_csv_writes() -> None:
    info = wheel(
        [("pkg/a,b.py", 5), ('pkg/"q".txt', 7), ("pkg/é.py", 9), ("pkg-1.0.data/scripts/s", 3)],
        entry_points=ENTRY_POINTS,
    )
    plan = plan_install(info, project="pkg", scheme=SCHEME, compile_bytecode=True)
    record = f"{SITE}/{DIST}/RECORD"
    rows = []
    for path, size in plan.files:
        relative = path[len(SITE) + 1 :] if path.startswith(SITE + "/") else "../../../" + path
        unhashed = path == record or path.endswith(".pyc")
        rows.append([relative, "" if unhashed else "h" * HASH_FIELD, "" if unhashed else size])
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    assert dict(plan.files)[record] == len(text.getvalue().encode())


# -- bytecode ------------------------------------------------------------------------------

MODULES = [
    ("pkg/__init__.py", 0),
    ("pkg/a.py", 4_000),
    ("pkg/b.py", 9_000),
    ("pkg/c.py", 2_000),
    ("pkg-1.0.data/scripts/tool.py", 100),
    ("pkg-1.0.data/data/share/pkg/helper.py", 200),
]


def pycs(plan_files: tuple[tuple[str, int], ...]) -> dict[str, int]:
    return {path: size for path, size in plan_files if path.endswith(".pyc")}


def test_every_module_pip_took_from_the_wheel_is_compiled_and_modelled() -> None:
    plan = plan_install(wheel(MODULES), project="pkg", scheme=SCHEME, compile_bytecode=True)
    modelled = pycs(plan.files)
    assert set(modelled) == {
        f"{SITE}/pkg/__pycache__/__init__.{TAG}.pyc",
        f"{SITE}/pkg/__pycache__/a.{TAG}.pyc",
        f"{SITE}/pkg/__pycache__/b.{TAG}.pyc",
        f"{SITE}/pkg/__pycache__/c.{TAG}.pyc",
        f"bin/__pycache__/tool.{TAG}.pyc",
        f"share/pkg/__pycache__/helper.{TAG}.pyc",
    }
    assert set(modelled) <= plan.generated
    assert plan.bytecode_bytes == sum(modelled.values()) and not plan.bytecode_exact
    # the model of each module as installed (the script with its rewritten first line)
    files, error = dict(plan.files), 0
    for path in [path for path in files if path.endswith(".py")]:
        directory, _, name = path.rpartition("/")
        estimate = bytecode.pyc_size(files[path], compiled_path(path, SCHEME), (3, 12))
        assert modelled.pop(f"{directory}/__pycache__/{name[:-3]}.{TAG}.pyc") == estimate.size
        error += estimate.error
    assert modelled == {} and plan.bytecode_error == error
    off = plan_install(wheel(MODULES), project="pkg", scheme=SCHEME, compile_bytecode=False)
    assert pycs(off.files) == {} and off.bytecode_bytes == 0


def test_compiled_sizes_are_exact_and_a_module_that_does_not_compile_gets_none() -> None:
    names = [name for name, _ in MODULES]
    compiled: dict[str, int | None] = {name: 1_000 + i for i, name in enumerate(names)}
    compiled["pkg/c.py"] = None
    plan = plan_install(
        wheel(MODULES), project="pkg", scheme=SCHEME, compile_bytecode=True, compiled=compiled
    )
    sizes = pycs(plan.files)
    assert f"{SITE}/pkg/__pycache__/c.{TAG}.pyc" not in sizes
    assert sizes[f"{SITE}/pkg/__pycache__/a.{TAG}.pyc"] == 1_001
    assert plan.bytecode_exact and plan.bytecode_error == 0


def test_a_compiled_sample_corrects_the_model_of_the_rest() -> None:
    model = plan_install(wheel(MODULES), project="pkg", scheme=SCHEME, compile_bytecode=True)
    modelled = pycs(model.files)
    b = f"{SITE}/pkg/__pycache__/b.{TAG}.pyc"
    # the sample compiles to half what the model says: the rest shrinks, less certain than exact
    sample = {"pkg/a.py": modelled[f"{SITE}/pkg/__pycache__/a.{TAG}.pyc"] // 2}
    plan = plan_install(
        wheel(MODULES), project="pkg", scheme=SCHEME, compile_bytecode=True, compiled=sample
    )
    calibrated = pycs(plan.files)
    assert calibrated[b] < modelled[b]
    assert plan.bytecode_error > 0 and not plan.bytecode_exact
    # an empty module's model is exact: left as it is
    init = f"{SITE}/pkg/__pycache__/__init__.{TAG}.pyc"
    assert calibrated[init] == modelled[init]


# -- disk ----------------------------------------------------------------------------------


def test_directories_are_the_packages_not_the_prefixs() -> None:
    plan = plan_install(wheel(MODULES), project="pkg", scheme=SCHEME, compile_bytecode=True)
    assert plan.directories == {
        f"{SITE}/pkg",
        f"{SITE}/pkg/__pycache__",
        f"{SITE}/{DIST}",
        "bin/__pycache__",
        "share/pkg",
        "share/pkg/__pycache__",
    }
    paths = [path for path, _ in plan.files]
    assert plan.disk_bytes == file_blocks(s for _, s in plan.files) + directory_blocks(
        plan.directories, paths
    )
    assert plan.installed_bytes == sum(s for _, s in plan.files)
    assert plan.file_count == len(paths) == len(set(paths)) and paths == sorted(paths)
