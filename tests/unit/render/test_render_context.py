"""render/context.py: a measured build context as a text table or JSON.

The contexts are real folders measured by :func:`measure_context`; the tests check the
renderer's lines, not the measurement.
"""

from __future__ import annotations

import json
from pathlib import Path

from sizefloor.context.measure import Context, measure_context
from sizefloor.render.context import JSON_SCHEMA_VERSION, render_context, render_context_table


def context_of(root: Path, files: dict[str, int], ignore: str | None) -> Context:
    for path, size in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(b"x" * size)
    if ignore is not None:
        (root / ".dockerignore").write_text(ignore)
    return measure_context(root, top=3)


FILES = {
    "main.py": 100,
    ".git/objects/pack/p.pack": 50_000,
    "data/train.csv": 2_000_000,
    "src/pkg/core.py": 3_000,
    "notes.md": 7,
}


def test_json_is_the_context_with_a_schema_version(tmp_path: Path) -> None:
    context = context_of(tmp_path, FILES, "*.md\n")
    document = json.loads(render_context(context, "json"))
    assert document.pop("schema_version") == JSON_SCHEMA_VERSION
    assert document == context.to_json()
    assert "sent" not in document
    with_paths = json.loads(render_context(context, "json", with_paths=True))
    assert [f["path"] for f in with_paths["sent"]] == [p for p, _ in context.sent]


def test_the_table(tmp_path: Path) -> None:
    context = context_of(tmp_path, FILES, "*.md\n")
    text = render_context(context, "table")
    assert text == render_context_table(context)
    lines = text.splitlines()
    assert lines[0] == f"Build context {tmp_path}"
    assert lines[1] == f"ignore file: {tmp_path / '.dockerignore'} (1 patterns)"
    sent = sum(FILES.values()) - 7 + len("*.md\n")
    assert lines[2] == (
        f"docker build sends 2.1 MB ({sent:,} bytes) in 5 files; .dockerignore keeps out "
        "7 B in 1 files"
    )
    assert "Largest folders sent" in lines and "Largest files sent" in lines
    folders = lines[lines.index("Largest folders sent") + 1 :]
    assert folders[0].split() == ["folder", "bytes", "size", "share"]
    assert folders[2].split()[:2] == ["data/", "2,000,000"]
    proposals = text.split("Proposed .dockerignore lines", 1)[1]
    assert ".git" in proposals and "data and models" in proposals
    assert "check that no COPY needs what they exclude" in proposals
    assert "Files sent" not in text


def test_without_an_ignore_file_or_offenders(tmp_path: Path) -> None:
    text = render_context(context_of(tmp_path, {"app.py": 10}, None), "table", with_paths=True)
    lines = text.splitlines()
    assert lines[1] == "no .dockerignore: everything is sent"
    assert "No usual offenders (.git, virtual environments, caches, data, node_modules)." in lines
    assert lines[-2:] == ["Files sent", f"{10:>14,}  app.py"]
