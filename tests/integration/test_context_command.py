"""``sizefloor context``: the files ``docker build DIR`` sends, and the .dockerignore lines to add.

The fixture's .dockerignore uses every rule form Docker documents (comments, a BOM, CRLF,
trailing spaces, a leading ``/``, ``*``, ``?``, ``[…]``, ``\\`` escapes, ``**`` at the start,
middle and end, ``!`` exceptions, later rules winning, paths that need cleaning). The files
it should send were worked out by hand from moby's ``patternmatcher`` and BuildKit's
``fsutil`` code and are written below; when the ``docker`` binary is on PATH, the legacy
builder's set is also checked against what the real Docker CLI uploads.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from fakedockerd import docker_context_files

from sizefloor.cli.main import main
from sizefloor.context.dockerignore import PatternMatcher, read_patterns
from sizefloor.context.measure import measure_context
from sizefloor.errors import DockerignoreError

FILES: dict[str, int] = {
    "Dockerfile": 40,
    "README.md": 100,
    "NOTES.md": 110,
    "README-secret.md": 120,
    "main.py": 500,
    "app/__init__.py": 10,
    "app/core.py": 2_000,
    "app/__pycache__/core.cpython-311.pyc": 1_500,
    "app/tmp/scratch.txt": 300,
    "app/sub/tmp/deep.txt": 310,
    "app/sub/keep.py": 320,
    "docs/guide.md": 700,
    "build/out.bin": 5_000,
    "build/keep.txt": 30,
    "temp1": 11,
    "tempab": 12,
    "src/temp/x.py": 13,
    "src/a/temp/y.py": 14,
    "src/real.py": 15,
    "data/train.csv": 2_500_000,
    "data/valid.csv": 600_000,
    "data/small.json": 16,
    "logs/2024/app.log": 17,
    "logs/keep/important.log": 18,
    "cache/junk.bin": 19,
    "cache/keep.me": 20,
    ".git/HEAD": 21,
    ".git/objects/pack/pack-1.pack": 80_000,
    ".venv/pyvenv.cfg": 22,
    ".venv/lib/python3.11/site-packages/x.py": 9_000,
    "node_modules/left-pad/index.js": 23,
    "web/node_modules/react/index.js": 4_000,
    "web/app.js": 24,
    "spaces in name.txt": 25,
    "weird[1].txt": 26,
    "a.b.c": 27,
    "#hash": 28,
    "#hash2": 29,
    "deep/nested/dir/file.py": 30,
    "pkg/__pycache__/mod.cpython-311.pyc": 31,
}

DOCKERIGNORE = (
    "\ufeff# a comment (after the BOM)\n"
    "*.md\n"
    "!README*.md\n"
    "README-secret.md\n"  # later rules win: excluded again
    "/build\n"  # leading slash: relative to the root
    "!build/keep.txt\n"  # an exception inside an excluded folder
    "temp?\n"  # one character
    "**/temp\n"  # ** at the start: any depth
    "app/**/tmp\n"  # ** in the middle: zero or more folders
    "logs/**\n"  # ** at the end: everything under logs/
    "!logs/keep/**\n"
    "**/__pycache__\n"
    "weird\\[1\\].txt\n"  # escapes
    "spaces in name.txt   \n"  # trailing spaces are dropped
    "a.?.c\n"
    "./data/../data/*.csv\r\n"  # cleaned like filepath.Clean; CRLF
    "[n]ode_modules\n"  # a character class, anchored at the root
    "   #hash\n"  # not in column 1: a pattern, not a comment
    "#hash2\n"  # a comment
    "cache\n"
    "!**/keep.me\n"  # an exception with a wildcard: BuildKit walks excluded folders for it
    "\n"
    "!docs/keep.md\n"  # an exception for nothing excluded: no effect
)

EXCLUDED_BOTH = {
    "NOTES.md",
    "README-secret.md",
    "app/__pycache__/core.cpython-311.pyc",
    "app/tmp/scratch.txt",
    "app/sub/tmp/deep.txt",
    "build/out.bin",
    "temp1",
    "src/temp/x.py",
    "src/a/temp/y.py",
    "data/train.csv",
    "data/valid.csv",
    "logs/2024/app.log",
    "node_modules/left-pad/index.js",
    "spaces in name.txt",
    "weird[1].txt",
    "a.b.c",
    "#hash",
    "cache/junk.bin",
    "pkg/__pycache__/mod.cpython-311.pyc",
}
LEGACY_ONLY_EXCLUDED = {"cache/keep.me"}  # the legacy walker never enters cache/


def make_context(root: Path, files: dict[str, int] = FILES, ignore: str = DOCKERIGNORE) -> Path:
    for path, size in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"x" * size)
    (root / ".dockerignore").write_text(ignore, encoding="utf-8", newline="")
    return root


def expected_sent(builder: str) -> dict[str, int]:
    excluded = EXCLUDED_BOTH | (LEGACY_ONLY_EXCLUDED if builder == "legacy" else set())
    sent = {p: s for p, s in FILES.items() if p not in excluded}
    sent[".dockerignore"] = len(DOCKERIGNORE.encode())
    return sent


@pytest.mark.parametrize("builder", ["buildkit", "legacy"])
def test_every_rule_form(tmp_path: Path, builder: str) -> None:
    root = make_context(tmp_path / "ctx")
    context = measure_context(root, builder=builder)
    assert dict(context.sent) == expected_sent(builder)
    assert context.sent_bytes == sum(expected_sent(builder).values())
    assert context.total_bytes == sum(FILES.values()) + len(DOCKERIGNORE.encode())


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI on PATH")
def test_legacy_matches_the_real_docker_cli(tmp_path: Path) -> None:
    root = make_context(tmp_path / "ctx")
    docker = shutil.which("docker")
    assert docker is not None
    work = tmp_path / "work"
    work.mkdir()
    uploaded = docker_context_files(docker, root, work)
    assert uploaded == expected_sent("legacy")
    assert dict(measure_context(root, builder="legacy").sent) == uploaded


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker CLI on PATH")
def test_legacy_keeps_excluded_dockerfile_and_dockerignore(tmp_path: Path) -> None:
    root = make_context(tmp_path / "ctx", {"Dockerfile": 5, "app.py": 6}, "*\n")
    work = tmp_path / "work"
    work.mkdir()
    docker = shutil.which("docker")
    assert docker is not None
    uploaded = docker_context_files(docker, root, work)
    assert uploaded == {"Dockerfile": 5, ".dockerignore": 2}
    assert dict(measure_context(root, builder="legacy").sent) == uploaded
    assert dict(measure_context(root).sent) == uploaded  # BuildKit sends them too


def test_dockerfile_specific_ignore_file_wins(tmp_path: Path) -> None:
    root = make_context(tmp_path / "ctx", {"api.Dockerfile": 5, "a.txt": 6, "b.txt": 7}, "a.txt\n")
    (root / "api.Dockerfile.dockerignore").write_text("b.txt\n")
    sent = dict(measure_context(root, dockerfile=root / "api.Dockerfile").sent)
    assert sent == {"api.Dockerfile": 5, "a.txt": 6, "api.Dockerfile.dockerignore": 6,
                    ".dockerignore": 6}  # fmt: skip
    assert "b.txt" not in sent


def test_reading_rules() -> None:
    text = "\ufeff#c\n  x  \n! /abs/path \n/\n!\n# y\r\na//b/../c\n"
    assert read_patterns(text) == ["x", "!abs/path", "/", "!", "a/c"]
    with pytest.raises(DockerignoreError, match="illegal exclusion"):
        PatternMatcher(read_patterns(text))
    with pytest.raises(DockerignoreError, match="syntax error"):
        PatternMatcher(["[abc"])
    with pytest.raises(DockerignoreError, match="syntax error"):
        PatternMatcher(["trailing\\"])


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("*.py", "a.py", True),
        ("*.py", "dir/a.py", False),
        ("**/*.py", "dir/sub/a.py", True),
        ("**/*.py", "a.py", True),
        ("**", "anything/at/all", True),
        ("dir/**", "dir/x/y", True),
        ("dir/**", "dir", False),
        ("a/**/b", "a/b", True),
        ("a/**/b", "a/x/y/b", True),
        ("a/**/b", "a/xb", False),
        ("**/foo", "foo", True),
        ("**/foo", "x/foo", True),
        ("**/foo", "xfoo", False),
        ("f?o", "fxo", True),
        ("f?o", "f/o", False),
        ("[a-c]at", "bat", True),
        ("[^a-c]at", "bat", False),
        ("a.b", "axb", False),
        ("a+b", "a+b", True),
        ("$x", "$x", True),
        ("ab", "ab\n", False),
    ],
)
def test_pattern_semantics(pattern: str, path: str, matches: bool) -> None:
    assert PatternMatcher([pattern]).patterns[0].match(path) is matches


def test_cli_proposals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_context(tmp_path / "ctx", FILES, "")
    code = main(["context", str(root), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    sent = {p: s for p, s in FILES.items()}
    sent[".dockerignore"] = 0
    assert report["sent_bytes"] == sum(sent.values())
    proposals = {p["line"]: p for p in report["proposals"]}

    def under(prefix: str) -> int:
        return sum(s for p, s in FILES.items() if p.startswith(prefix))

    assert proposals[".git"]["saves_bytes"] == under(".git/")
    assert proposals[".git"]["reason"] == "version control"
    assert proposals[".venv"]["saves_bytes"] == under(".venv/")
    assert proposals["**/__pycache__"]["saves_bytes"] == sum(
        s for p, s in FILES.items() if "/__pycache__/" in p
    )
    assert proposals["**/node_modules"]["saves_bytes"] == under("node_modules/") + under(
        "web/node_modules/"
    )
    assert proposals["data"]["saves_bytes"] == under("data/")
    assert proposals["data"]["reason"] == "data and models"
    every = {".git", ".venv", "**/__pycache__", "**/node_modules", "data"}
    assert report["together_saves_bytes"] == sum(proposals[line]["saves_bytes"] for line in every)
    folders = {f["path"]: f["bytes"] for f in report["largest_folders"]}
    assert folders["data"] == under("data/")
    assert report["largest_files"][0] == {"path": "data/train.csv", "bytes": 2_500_000}

    code = main(["context", str(root)])
    table, _ = capsys.readouterr()
    assert code == 0
    assert ".git" in table and "data and models" in table and "2,500,000" in table


def test_proposals_are_measured_against_the_existing_file(tmp_path: Path) -> None:
    files = {"data/a.csv": 2_000_000, "data/keep.csv": 1_500_000, "app.py": 10}
    root = make_context(tmp_path / "ctx", files, "data/a.csv\n")
    context = measure_context(root)
    (proposal,) = [p for p in context.proposals if p.line == "data"]
    assert proposal.saves_bytes == 1_500_000  # a.csv is already out


def test_loose_data_files_are_proposed_by_suffix(tmp_path: Path) -> None:
    files = {"a/x.parquet": 700_000, "b/y.parquet": 600_000, "a/m.py": 900_000, "b/n.py": 900_000}
    context = measure_context(make_context(tmp_path / "ctx", files, ""))
    lines = {p.line: p.saves_bytes for p in context.proposals}
    assert lines == {"**/*.parquet": 1_300_000}


def test_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["context", str(tmp_path / "missing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    root = make_context(tmp_path / "ctx", {"a": 1}, "!\n")
    assert main(["context", str(root)]) == 2
    err = capsys.readouterr().err
    assert 'illegal exclusion pattern: "!"' in err and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_folder(tmp_path: Path) -> None:  # pragma: no cover - not run as root
    root = make_context(tmp_path / "ctx", {"secret/a": 1, "b": 2}, "")
    (root / "secret").chmod(0)
    try:
        with pytest.raises(Exception, match="permission denied"):
            measure_context(root)
        (root / ".dockerignore").write_text("secret\n")
        assert dict(measure_context(root).sent) == {"b": 2, ".dockerignore": 7}
    finally:
        (root / "secret").chmod(0o755)


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "big.bin").write_bytes(b"x" * 1000)
    root = make_context(tmp_path / "ctx", {"a.txt": 3}, "")
    (root / "link").symlink_to(outside)
    context = measure_context(root)
    assert dict(context.sent) == {"a.txt": 3, ".dockerignore": 0}
    assert context.sent_symlinks == 1
