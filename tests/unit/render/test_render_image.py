"""render/image.py: an audit as a text table or JSON.

The audits come from real archives (``tests/imagebuilder.py``) read and audited by the
library; the tests check the renderer's lines, not the audit's figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from imagebuilder import Layer, directory, docker_save, file, whiteout

from sizefloor.image.audit import Audit, audit
from sizefloor.image.floor import Floor
from sizefloor.image.reader import read_image
from sizefloor.render.image import JSON_SCHEMA_VERSION, render_image, render_image_table

TARGET = {"python": "3.11", "platform": "linux/amd64"}


@pytest.fixture
def layers() -> list[Layer]:
    return [
        Layer([file("usr/lib/libc.so.6", b"c" * 4_000)], "/bin/sh -c #(nop) ADD file:abc in / "),
        Layer(
            [
                file("app/.git/HEAD", b"h" * 900),
                file("root/.cache/pip/x", b"p" * 700),
                file("app/data/a.csv", b"d" * 3_000),
                file("app/small/x.py", b"s" * 10),
                file("tmp/scratch", b"t" * 50),
            ],
            "/bin/sh -c pip install -r requirements.txt",
        ),
        Layer([whiteout("tmp/scratch")], "RUN rm -rf /tmp/scratch " + "x" * 80),
    ]


def audited(tmp_path: Path, layers: list[Layer], floor: Floor | None, top: int = 1) -> Audit:
    history = [{"created_by": layer.command} for layer in layers]
    history.insert(1, {"created_by": 'CMD ["bash"]', "empty_layer": True})
    image = read_image(docker_save(tmp_path / "img.tar", layers, history=history).path)
    return audit(image, floor, top_folders=top)


def a_floor(installed: int, runtime: int | None = None) -> Floor:
    name = "python:3.11-slim" if runtime else None
    return Floor(installed, installed - (runtime or 0), runtime, name, 0, {}, {}, TARGET)


def test_json_is_the_audit_with_a_schema_version(tmp_path: Path, layers: list[Layer]) -> None:
    result = audited(tmp_path, layers, None)
    document = json.loads(render_image(result, "json"))
    assert document.pop("schema_version") == JSON_SCHEMA_VERSION
    assert document == json.loads(json.dumps(result.to_json()))


def test_the_table_without_a_floor(tmp_path: Path, layers: list[Layer]) -> None:
    text = render_image(audited(tmp_path, layers, None), "table")
    assert text == render_image_table(audited(tmp_path, layers, None))
    lines = text.splitlines()
    assert lines[0] == "Image example:latest (docker-save, linux/amd64, 3 layers)"
    assert lines[1].startswith("real size: 8.6 kB (8,610 bytes) in 5 files; layers ship ")
    assert lines[3].split() == ["layer", "content", "hidden", "tar", "stored", "comp.",
                                "created", "by"]  # fmt: skip
    assert lines[5].split()[:2] == ["1", "base"] and lines[5].endswith("ADD file:abc in /")
    assert lines[6].endswith("RUN pip install -r requirements.txt")
    assert lines[7].endswith("RUN rm -rf /tmp/scratch " + "x" * 33 + "…")  # 58 wide
    assert lines[8] == "base layers: 1 (the layers before the base image's last instruction " \
        '(CMD ["bash"]))'  # fmt: skip
    assert "floor:" not in text and "floor + findings" not in text
    assert "Findings: where the bytes above the floor are" in lines
    assert "smaller folders not listed: 10 B (10 bytes)" in lines
    assert "    /app/.git" in text
    assert "Shipped in the layers but not in the filesystem (not part of the real size)" in lines
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_each_remedy_is_listed_once(tmp_path: Path, layers: list[Layer]) -> None:
    text = render_image(audited(tmp_path, layers, None, top=5), "table")
    remedies = text.split("Remedies\n", 1)[1].splitlines()
    assert all(line.startswith("- ") for line in remedies)
    texts = [line.split(": ", 1)[1] for line in remedies]
    assert len(texts) == len(set(texts))


def test_the_floor_lines(tmp_path: Path, layers: list[Layer]) -> None:
    text = render_image(audited(tmp_path, layers, a_floor(3_000)), "table")
    assert "floor: 3.0 kB (3,000 bytes: dependencies 3.0 kB) for Python 3.11 on linux/amd64" in text
    assert "the image is 2.87 times its floor: 5.6 kB (5,610 bytes) above it" in text
    assert "dependencies as installed in the image: 0 B (the floor says 3.0 kB)" in text
    assert "% of the real size" in text
    above = render_image(audited(tmp_path, layers, a_floor(9_000, runtime=8_000)), "table")
    assert "(9,000 bytes: runtime python:3.11-slim 8.0 kB + dependencies 1.0 kB)" in above
    assert "(390 bytes) below it" in above


def test_a_zero_floor(tmp_path: Path, layers: list[Layer]) -> None:
    assert "the floor is 0 bytes" in render_image(audited(tmp_path, layers, a_floor(0)), "table")


def test_an_image_with_nothing_to_find(tmp_path: Path) -> None:
    text = render_image(audited(tmp_path, [Layer([directory("d")])], None), "table")
    assert "Findings" not in text and "Remedies" not in text and "Shipped" not in text
    assert text.splitlines()[-1].startswith("base layers: 0 (the history shows no base image")
    assert "Python" not in text  # no interpreter: no Python line
