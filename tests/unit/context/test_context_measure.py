"""context/measure.py: which ignore file applies, what is always sent, and the errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sizefloor.context.measure import ContextError, measure_context


def make(root: Path, files: dict[str, bytes]) -> Path:
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root


def test_the_dockerfile_specific_ignore_file_is_buildkits_alone(tmp_path: Path) -> None:
    root = make(
        tmp_path,
        {
            "api.Dockerfile": b"FROM x",
            "api.Dockerfile.dockerignore": b"a.txt\napi.Dockerfile*\n",
            ".dockerignore": b"b.txt\n",
            "a.txt": b"a",
            "b.txt": b"bb",
        },
    )
    buildkit = measure_context(root, dockerfile=root / "api.Dockerfile")
    assert buildkit.ignore_file == str(root / "api.Dockerfile.dockerignore")
    assert buildkit.always_sent == ("api.Dockerfile", "api.Dockerfile.dockerignore")
    assert "a.txt" not in dict(buildkit.sent) and "b.txt" in dict(buildkit.sent)
    legacy = measure_context(root, dockerfile=root / "api.Dockerfile", builder="legacy")
    assert legacy.ignore_file == str(root / ".dockerignore")
    assert "b.txt" not in dict(legacy.sent) and "a.txt" in dict(legacy.sent)


def test_a_dockerfile_outside_the_context_is_not_counted(tmp_path: Path) -> None:
    root = make(tmp_path / "ctx", {"app.py": b"x"})
    outside = make(tmp_path, {"Dockerfile": b"FROM x"}) / "Dockerfile"
    context = measure_context(root, dockerfile=outside)
    assert context.always_sent == ()
    assert dict(context.sent) == {"app.py": 1}


def test_proposals_together_and_alone(tmp_path: Path) -> None:
    root = make(tmp_path, {".git/HEAD": b"h" * 30, "x/__pycache__/m.pyc": b"p" * 20, "a.py": b"a"})
    context = measure_context(root)
    assert {(p.line, p.saves_bytes, p.saves_files) for p in context.proposals} == {
        (".git", 30, 1),
        ("**/__pycache__", 20, 1),
    }
    assert (context.together_saves_bytes, context.together_saves_files) == (50, 2)


def test_errors_are_context_errors(tmp_path: Path) -> None:
    with pytest.raises(ContextError, match="no such folder") as caught:
        measure_context(tmp_path / "missing")
    assert caught.value.exit_code == 2
    with pytest.raises(ContextError, match="unknown builder 'kaniko'"):
        measure_context(tmp_path, builder="kaniko")
