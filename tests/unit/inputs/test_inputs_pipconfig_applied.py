"""pip's configured constraints file is not warned about when ``-c`` already names it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sizefloor.inputs import pipconfig
from sizefloor.inputs.pipconfig import load_index_settings


@pytest.fixture
def etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(pipconfig, "_SYSTEM_CONFIG_DIR", str(tmp_path / "etc"))
    monkeypatch.setattr(pipconfig, "_DEFAULT_XDG_CONFIG_DIRS", (str(tmp_path / "xdg"),))
    (tmp_path / "etc").mkdir()
    return tmp_path / "etc"


def _load(tmp_path: Path, applied: list[str]) -> tuple[str, ...]:
    env = {"HOME": str(tmp_path / "home"), "PATH": os.environ.get("PATH", "")}
    return load_index_settings(environ=env, applied_constraints=applied, isolated=False).warnings


def test_the_same_file_passed_with_c_is_not_warned_about(
    tmp_path: Path, etc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    constraints = tmp_path / "pins" / "constraints.txt"
    constraints.parent.mkdir()
    constraints.write_text("torch<=2\n")
    (etc / "pip.conf").write_text(f"[global]\nconstraint = {constraints}\n")
    assert len(_load(tmp_path, [])) == 1
    assert _load(tmp_path, [str(constraints)]) == ()
    monkeypatch.chdir(constraints.parent)  # the same file spelled another way
    assert _load(tmp_path, ["./constraints.txt"]) == ()
    link = tmp_path / "link.txt"
    link.symlink_to(constraints)
    assert _load(tmp_path, [str(link)]) == ()
    other = tmp_path / "other.txt"
    other.write_text("")
    (warning,) = _load(tmp_path, [str(other)])
    assert warning.startswith(f"pip's configuration sets a constraints file ({constraints}, ")


def test_only_the_files_not_passed_are_named(tmp_path: Path, etc: Path) -> None:
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text("")
    (etc / "pip.conf").write_text(f"[global]\nconstraint = {one} {two}\n")
    (warning,) = _load(tmp_path, [str(one)])
    assert f"constraints file ({two}, from" in warning
    assert str(one) not in warning
