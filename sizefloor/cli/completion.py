"""``sizefloor completion bash|zsh|fish``: the shell completion script, on stdout.

The script is written from the commands' own parsers (:func:`sizefloor.cli.commands.parser_for`),
so it completes what they take: the commands, each one's options, the values of options with
a fixed set (``--format``, ``--libc``, ``--silence``, ``--ignore``, ...), files where a file
goes. It is static: nothing runs Python while completing.

    sizefloor completion bash > ~/.local/share/bash-completion/completions/sizefloor
    sizefloor completion zsh > "${fpath[1]}/_sizefloor"
    sizefloor completion fish > ~/.config/fish/completions/sizefloor.fish
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from sizefloor.cli.commands import COMMANDS, SUMMARIES, parser_for
from sizefloor.cli.conventions import FINDING_KINDS
from sizefloor.cli.silence import ALL, WARNINGS

__all__ = ["SHELLS", "build_parser", "run", "script"]

SHELLS = ("bash", "zsh", "fish")
_FILE_METAVARS = frozenset({"FILE", "PATH", "DIR", "DOCKERFILE", "REQUIREMENTS", "ARCHIVE"})
_WORDS = {
    "--silence": (*(w.name for w in WARNINGS), ALL),
    "--ignore": FINDING_KINDS,
}
"""Values of options whose parser leaves them free but whose words are known."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sizefloor completion",
        description="Print the shell completion script for bash, zsh or fish.",
        epilog=(
            "bash: sizefloor completion bash > ~/.local/share/bash-completion/completions/"
            'sizefloor; zsh: sizefloor completion zsh > "${fpath[1]}/_sizefloor"; '
            "fish: sizefloor completion fish > ~/.config/fish/completions/sizefloor.fish"
        ),
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    return parser


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell))
    return 0


@dataclass(frozen=True)
class Option:
    flags: tuple[str, ...]
    help: str
    takes_value: bool
    words: tuple[str, ...]
    """The values it takes, when they are a known set."""
    files: bool
    repeatable: bool


@dataclass(frozen=True)
class Command:
    name: str
    options: tuple[Option, ...]
    words: tuple[str, ...]
    """What its positional arguments take, when a known set (``completion``'s shells)."""
    files: bool
    """Whether its positional arguments are files."""


def _metavar(action: argparse.Action) -> str:
    metavar = action.metavar
    return metavar if isinstance(metavar, str) else ""


def _option(action: argparse.Action) -> Option:
    takes = action.nargs != 0
    flags = tuple(action.option_strings)
    long = next((f for f in flags if f.startswith("--")), flags[0])
    words = tuple(str(c) for c in action.choices) if action.choices else _WORDS.get(long, ())
    return Option(
        flags=flags,
        help=" ".join((action.help or "").split()).split(" (")[0].split(";")[0][:70],
        takes_value=takes,
        words=words,
        files=takes and not words and _metavar(action) in _FILE_METAVARS,
        repeatable=isinstance(action, argparse._AppendAction),
    )


def commands() -> list[Command]:
    """Every command, as its parser describes it."""
    result = []
    for name in COMMANDS:
        _, parser = parser_for(name)
        options: list[Option] = []
        words: tuple[str, ...] = ()
        files = False
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction) or action.option_strings:
                options.append(_option(action))
            elif action.choices:
                words = tuple(str(c) for c in action.choices)
            else:
                files = True
        result.append(Command(name, tuple(options), words, files))
    return result


def script(shell: str) -> str:
    """The completion script for ``shell``."""
    writers = {"bash": _bash, "zsh": _zsh, "fish": _fish}
    return writers[shell](commands())


# -- bash ----------------------------------------------------------------------------


def _bash(cmds: list[Command]) -> str:
    names = " ".join(c.name for c in cmds if c.name != "estimate")
    cases = []
    for c in cmds:
        flags = " ".join(f for o in c.options for f in o.flags)
        values = []
        for o in c.options:
            if not o.takes_value:
                continue
            pattern = "|".join(o.flags)
            if o.words:
                values.append(f'{pattern}) _sizefloor_words "{" ".join(o.words)}"; return;;')
            elif o.files:
                values.append(f"{pattern}) _sizefloor_files; return;;")
            else:
                values.append(f"{pattern}) return;;")
        positional = (
            f'_sizefloor_words "{" ".join(c.words)}"'
            if c.words
            else ("_sizefloor_files" if c.files else ":")
        )
        cases.append(
            f"    {c.name})\n"
            f'      case "$prev" in\n'
            + "".join(f"        {line}\n" for line in values)
            + "      esac\n"
            f'      opts="{flags}"\n'
            f"      positional() {{ {positional}; }}\n"
            "      ;;\n"
        )
    return _BASH.format(names=names, cases="".join(cases))


_BASH = """\
# bash completion for sizefloor (sizefloor completion bash)
_sizefloor_words() {{ COMPREPLY+=( $(compgen -W "$1" -- "$cur") ); }}
_sizefloor_files() {{
  local IFS=$'\\n'
  COMPREPLY+=( $(compgen -f -- "$cur") )
  compopt -o filenames 2>/dev/null
}}
_sizefloor() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
  local cmd=estimate opts
  COMPREPLY=()
  case " {names} " in
    *" ${{COMP_WORDS[1]}} "*) [[ $COMP_CWORD -gt 1 ]] && cmd="${{COMP_WORDS[1]}}";;
  esac
  case "$cmd" in
{cases}  esac
  if [[ "$cur" == -* ]]; then
    _sizefloor_words "$opts"
    return
  fi
  [[ $COMP_CWORD -eq 1 ]] && _sizefloor_words "{names}"
  positional
}}
complete -F _sizefloor sizefloor
"""

# -- zsh -----------------------------------------------------------------------------


def _zsh_quote(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace("'", "'\\''")
        .replace("[", "\\[")
        .replace("]", "\\]")
        .replace(":", "\\:")
    )


def _zsh_spec(option: Option) -> list[str]:
    text = _zsh_quote(option.help)
    if not option.takes_value:
        action = ""
    elif option.words:
        action = f":value:({' '.join(option.words)})"
    elif option.files:
        action = ":file:_files"
    else:
        action = ":value: "
    star = "*" if option.repeatable else ""
    exclusive = "" if option.repeatable or len(option.flags) < 2 else f"({' '.join(option.flags)})"
    return [f"'{exclusive}{star}{flag}[{text}]{action}'" for flag in option.flags]


def _zsh(cmds: list[Command]) -> str:
    described = " ".join(
        f"'{c.name}:{_zsh_quote(SUMMARIES[c.name])}'" for c in cmds if c.name != "estimate"
    )
    cases = []
    for c in cmds:
        specs = [spec for o in c.options for spec in _zsh_spec(o)]
        if c.words:
            specs.append(f"'1:{c.name}:({' '.join(c.words)})'")
        elif c.files:
            specs.append("'*:file:_files'")
        body = " \\\n        ".join(specs)
        cases.append(f"    {c.name})\n      _arguments -s -S \\\n        {body}\n      ;;\n")
    return _ZSH.format(described=described, cases="".join(cases))


_ZSH = """\
#compdef sizefloor
# zsh completion for sizefloor (sizefloor completion zsh)
_sizefloor() {{
  local -a commands
  commands=({described})
  local cmd=estimate
  if (( CURRENT > 2 )) && (( ${{commands[(I)${{words[2]}}:*]}} )); then
    cmd=${{words[2]}}
    shift words
    (( CURRENT-- ))
  elif (( CURRENT == 2 )) && [[ ${{words[2]}} != -* ]]; then
    _describe -t commands command commands
  fi
  case $cmd in
{cases}  esac
}}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _sizefloor "$@"
else
  compdef _sizefloor sizefloor
fi
"""

# -- fish ----------------------------------------------------------------------------


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish(cmds: list[Command]) -> str:
    names = " ".join(c.name for c in cmds if c.name != "estimate")
    lines = [
        "# fish completion for sizefloor (sizefloor completion fish)",
        "function __sizefloor_command",
        "    set -l words (commandline -opc)",
        f"    if test (count $words) -ge 2; and contains -- $words[2] {names}",
        "        echo $words[2]",
        "    else",
        "        echo estimate",
        "    end",
        "end",
        "complete -c sizefloor -f",
    ]
    for c in cmds:
        if c.name != "estimate":
            lines.append(
                f"complete -c sizefloor -n '__fish_use_subcommand' -a {c.name} "
                f"-d {_fish_quote(SUMMARIES[c.name])}"
            )
        when = f"-n 'test (__sizefloor_command) = {c.name}'"
        for o in c.options:
            parts = [f"complete -c sizefloor {when}"]
            for flag in o.flags:
                parts.append(f"-l {flag[2:]}" if flag.startswith("--") else f"-s {flag[1:]}")
            if o.words:
                parts.append(f"-x -a {_fish_quote(' '.join(o.words))}")
            elif o.files:
                parts.append("-r -F")
            elif o.takes_value:
                parts.append("-x")
            parts.append(f"-d {_fish_quote(o.help)}")
            lines.append(" ".join(parts))
        if c.words:
            lines.append(f"complete -c sizefloor {when} -a {_fish_quote(' '.join(c.words))}")
        elif c.files:
            lines.append(f"complete -c sizefloor {when} -F")
    return "\n".join(lines) + "\n"
