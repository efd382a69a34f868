"""image/audit.py: every visible byte in exactly one bucket, and the findings they make.

The image is a real ``docker save`` archive (``tests/imagebuilder.py``) whose files were
chosen so that each bucket of the module's table gets its own; the expected bytes are the
lengths written here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from imagebuilder import Layer, docker_save, file, whiteout

from sizefloor.image.audit import REMEDIES, Audit, audit
from sizefloor.image.floor import Floor
from sizefloor.image.reader import Image, read_image

SITE = "usr/local/lib/python3.11/site-packages"
TARGET = {"python": "3.11", "platform": "linux/amd64"}

BASE = {
    "usr/lib/libc.so.6": 1_000,
    "usr/local/bin/python3.11": 100,
    "usr/local/lib/python3.11/os.py": 50,
    "usr/local/lib/python3.11/__pycache__/os.cpython-311.pyc": 20,  # the stdlib's: base
}
BASE_CACHE = {"root/.cache/pip/left-by-the-base": 9}
"""A cache in the base layers: a finding, unless the floor's runtime takes the base whole."""
BUCKETS: dict[str, dict[str, int]] = {
    "vcs": {"app/.git/HEAD": 11, "app/.git/objects/pack/p.pack": 400},
    "stale-python": {
        "usr/local/lib/python3.5/site-packages/o-1.dist-info/RECORD": 10,
        "usr/local/lib/python3.5/site-packages/o.py": 90,
    },
    "pip-cache": {"root/.cache/pip/http/a": 300},
    "tool-cache": {"root/.cache/uv/archive/x": 40},
    "apt-cache": {"var/lib/apt/lists/deb_Packages": 70},
    "bytecode-cache": {
        f"{SITE}/pip/__pycache__/a.cpython-311.pyc": 25,
        "srv/__pycache__/m.pyc": 15,
    },
    "compilers": {"usr/include/stdio.h": 60, "usr/bin/gcc-12": 160},
    "system": {"usr/share/doc/x": 80},
    "data-folder": {"app/data/a.csv": 500, "app/data/notes.txt": 10},
    "app-folder": {"app/main.py": 30, "app/lib/util.py": 45},
}
PACKAGES = {
    "req": {f"{SITE}/req-1.0.dist-info/RECORD": 20, f"{SITE}/req/__init__.py": 200},
    "extra": {f"{SITE}/extra-2.0.dist-info/RECORD": 22, f"{SITE}/extra/__init__.py": 120},
    "pip": {f"{SITE}/pip-24.0.dist-info/RECORD": 18, f"{SITE}/pip/__init__.py": 33},
}
RECORDS = {
    "req": b"req/__init__.py,,\n",
    "extra": b"extra/__init__.py,,\n",
    "pip": b"pip/__init__.py,,\n",
}


def content(path: str, size: int) -> bytes:
    for name, files in PACKAGES.items():
        if path in files and path.endswith("/RECORD"):
            return RECORDS[name].ljust(size, b"\n")
    return path.encode().ljust(size, b".")[:size]


@pytest.fixture
def image(tmp_path: Path) -> Image:
    top = {p: s for group in [*BUCKETS.values(), *PACKAGES.values()] for p, s in group.items()}
    layers = [
        Layer([file(p, content(p, s)) for p, s in {**BASE, **BASE_CACHE}.items()], "ADD rootfs /"),
        Layer([file(p, content(p, s)) for p, s in top.items()], "RUN build"),
        Layer([file("tmp/x", b"x" * 7)], "RUN scratch"),
        Layer([whiteout("tmp/x"), file("app/main.py", content("app/main.py", 30))], "RUN tidy"),
    ]
    history: list[dict[str, Any]] = [
        {"created_by": "ADD rootfs /"},
        {"created_by": 'CMD ["python3"]', "empty_layer": True},
        *({"created_by": layer.command} for layer in layers[1:]),
    ]
    return read_image(docker_save(tmp_path / "img.tar", layers, history=history).path)


def floor(packages: dict[str, int], runtime: int | None = None, **target: str) -> Floor:
    dependencies = sum(packages.values())
    return Floor(
        installed_bytes=dependencies + (runtime or 0),
        dependencies_bytes=dependencies,
        runtime_bytes=runtime,
        runtime_name="python:3.11-slim" if runtime else None,
        download_bytes=0,
        packages=packages,
        versions={},
        target={**TARGET, **target},
    )


def found(result: Audit) -> dict[str, int]:
    """Kind (an app folder by its name) -> bytes."""
    return {c.items[0][0] if c.kind == "app-folder" else c.kind: c.bytes for c in result.findings}


def test_each_bucket_gets_its_files(image: Image) -> None:
    result = audit(image, floor({"req": 100}))
    expected = {kind: sum(files.values()) for kind, files in BUCKETS.items()}
    got = found(result)
    for kind in ("vcs", "stale-python", "tool-cache", "apt-cache", "compilers"):
        assert got[kind] == expected[kind], kind
    assert got["pip-cache"] == expected["pip-cache"] + sum(BASE_CACHE.values())
    assert got["bytecode-cache"] == expected["bytecode-cache"]  # pip not in the closure
    assert got["system"] == expected["system"]
    assert got["extra-packages"] == sum(PACKAGES["extra"].values()) + sum(PACKAGES["pip"].values())
    assert got["base"] == sum(BASE.values())
    assert got["/app/data"] == expected["data-folder"]
    assert got["/app"] == 30  # app/main.py, rewritten by the last layer: counted once
    assert got["/app/lib"] == 45
    assert result.accounted["dependencies"] == sum(PACKAGES["req"].values())


def test_every_visible_byte_is_counted_once(image: Image) -> None:
    result = audit(image, floor({"req": 100}), top_folders=1)
    shown = result.findings_bytes + result.accounted["dependencies"]
    assert shown + result.accounted["unattributed"] == image.real_bytes


def test_without_a_floor_packages_are_not_extras(image: Image) -> None:
    result = audit(image)
    assert "extra-packages" not in found(result)
    packages = sum(sum(files.values()) for files in PACKAGES.values())
    assert result.accounted["python-packages"] == packages
    assert (result.ratio, result.coverage, result.above_floor) == (None, None, None)
    assert result.dependencies == ()


def test_a_build_tool_in_the_closure_keeps_its_bytecode(image: Image) -> None:
    result = audit(image, floor({"req": 100, "pip": 50}))
    assert found(result)["bytecode-cache"] == 15  # only the copied source's __pycache__


def test_a_runtime_in_the_floor_takes_the_base_layers_whole(image: Image) -> None:
    base = sum(BASE.values()) + sum(BASE_CACHE.values())
    result = audit(image, floor({"req": 100}, runtime=1_000))
    assert found(result)["base"] == base - 1_000
    assert found(result)["pip-cache"] == sum(BUCKETS["pip-cache"].values())
    assert result.accounted["runtime"] == 1_000
    title = next(c.title for c in result.findings if c.kind == "base")
    assert title == "base image beyond the python:3.11-slim runtime (1 layer)"
    assert "base" not in found(audit(image, floor({"req": 100}, runtime=base)))


def test_what_is_shipped_but_not_visible(image: Image) -> None:
    shipped = {c.kind: c for c in audit(image).findings if c.scope == "shipped"}
    assert shipped["hidden"].items == (("layer 3: /tmp", 7),)
    assert shipped["duplicate"].items == (("layer 2: /app", 30),)
    assert shipped["duplicate"].remedy == REMEDIES["duplicate"]


def test_dependencies_and_warnings(image: Image) -> None:
    result = audit(image, floor({"req": 100, "absent": 5}, python="3.12", platform="linux/arm64"))
    assert [(d.name, d.installed, d.image_bytes) for d in result.dependencies] == [
        ("req", True, sum(PACKAGES["req"].values())),
        ("absent", False, 0),
    ]
    warnings = "\n".join(result.warnings)
    assert "python3.5/site-packages holds 1 package for Python 3.5" in warnings
    assert "pass --python 3.11" in warnings
    assert "sized for linux/arm64, but the image is linux/amd64" in warnings
    assert "not installed in the image, though the requirements need them: absent" in warnings


def test_findings_are_largest_first(image: Image) -> None:
    sizes = [c.bytes for c in audit(image).findings if c.scope == "image"]
    assert sizes == sorted(sizes, reverse=True)
