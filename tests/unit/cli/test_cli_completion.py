"""``sizefloor completion SHELL``: the scripts complete in the real shells (bash always;
zsh and fish where they are installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sizefloor.cli.completion import script
from sizefloor.cli.main import main

CASES = [
    (["sizefloor", "di"], {"diff"}),
    (["sizefloor", "--for"], {"--format"}),
    (["sizefloor", "--format", ""], {"table", "json", "markdown", "html"}),
    (["sizefloor", "diff", "--max-i"], {"--max-increase"}),
    (["sizefloor", "completion", ""], {"bash", "zsh", "fish"}),
    (["sizefloor", "--silence", "pip-con"], {"pip-constraint", "pip-config"}),
    (["sizefloor", "--ignore", "lar"], {"large-file"}),
    (["sizefloor", "image", "--form"], {"--format"}),
    (["sizefloor", "req"], {"requirements.txt"}),
    (["sizefloor", "-q", "--verb"], {"--verbose"}),
]


def test_the_command_prints_each_script(capsys: pytest.CaptureFixture[str]) -> None:
    for shell in ("bash", "zsh", "fish"):
        assert main(["completion", shell]) == 0
        out = capsys.readouterr().out
        assert out == script(shell)
        assert "max-size" in out and "max-increase" in out and "completion" in out
    with pytest.raises(SystemExit) as caught:
        main(["completion", "tcsh"])
    assert caught.value.code == 2


def _bash(words: list[str], folder: Path) -> set[str]:
    program = (
        f"{script('bash')}\n"
        f"COMP_WORDS=({' '.join(repr(w) for w in words)}); COMP_CWORD={len(words) - 1}\n"
        '_sizefloor; printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True, text=True, check=True, cwd=folder,
    ).stdout  # fmt: skip
    return set(out.split())


def test_bash_completes_commands_options_values_and_files(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("")
    for words, expected in CASES:
        assert _bash(words, tmp_path) == expected, words


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completes_the_same(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("")
    completions = tmp_path / "sizefloor.fish"
    completions.write_text(script("fish"))
    for words, expected in CASES:
        line = " ".join(words)
        out = subprocess.run(
            ["fish", "--no-config", "-c", f"source {completions}; complete -C {line!r}"],
            capture_output=True, text=True, check=True, cwd=tmp_path,
        ).stdout  # fmt: skip
        assert {row.split("\t")[0] for row in out.splitlines()} == expected, words


_ZSH_HARNESS = r"""
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'PS1=""; fpath=({functions} $fpath); autoload -Uz compinit; compinit -u -D'
zpty -w z 'compadd() {{ if [[ {given} == *-(O|A|D)\ * ]]; then {passthrough}; fi; {record}; }}'
zpty -w z 'cd {folder}'
for line in {lines}; do
  zpty -w -n z "$line"$'\t'
  sleep 0.3
  zpty -w z $'\C-u'"print -r -- END\"\"MARK"
  out=""
  for i in {{1..200}}; do
    zpty -r -t z chunk && out+="$chunk"
    [[ $out == *ENDMARK* ]] && break
    sleep 0.05
  done
  print -r -- "<CASE>$out"
done
zpty -d z
"""


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completes_the_same(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("")
    functions = tmp_path / "functions"
    functions.mkdir()
    (functions / "_sizefloor").write_text(script("zsh"))
    lines = " ".join(repr(" ".join(words)) for words, _ in CASES)
    harness = _ZSH_HARNESS.format(
        functions=functions,
        folder=tmp_path,
        lines=lines,
        given="${@[1,(i)(-|--)]}",
        passthrough='builtin compadd "$@"; return $?',
        record='typeset -a h; builtin compadd -A h "$@"; print -r -- "<H""IT>"${^h}',
    )
    out = subprocess.run(
        ["zsh", "-f", "-c", harness], capture_output=True, text=True, check=True
    ).stdout
    cases = out.split("<CASE>")[1:]
    assert len(cases) == len(CASES)
    for (words, expected), text in zip(CASES, cases, strict=True):
        hits = {part.split("\r")[0].split("\n")[0].strip() for part in text.split("<HIT>")[1:]}
        assert hits == expected, (words, text)
