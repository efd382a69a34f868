"""The commands, and each one's parser as the command line shows it: its own options, the
shared conventions (:mod:`sizefloor.cli.conventions`), and a help that names the other
commands and says where defaults come from."""

from __future__ import annotations

import argparse
import importlib
import textwrap
from types import ModuleType

from sizefloor.cli.conventions import add_convention_arguments

__all__ = ["COMMANDS", "DEFAULT_KEYS", "inputs_of", "parser_for"]

COMMANDS = {
    "estimate": "sizefloor.cli.estimate",
    "diff": "sizefloor.cli.diff",
    "image": "sizefloor.cli.image",
    "context": "sizefloor.cli.context",
    "completion": "sizefloor.cli.completion",
}
"""Command name -> module; ``estimate`` is also what runs when no command is named."""

SUMMARIES = {
    "estimate": "the floor of a requirements set (the default: the command may be left out)",
    "diff": "what changing a requirements set costs: sizefloor diff OLD NEW",
    "image": "a real image against its floor: sizefloor image ARCHIVE -r requirements.txt",
    "context": "what `docker build DIR` sends: sizefloor context DIR",
    "completion": "the shell completion script: sizefloor completion bash|zsh|fish",
}

DEFAULT_KEYS = {
    "estimate": frozenset(
        {"base", "python", "platform", "max-size", "format", "ignore", "silence"}
    ),
    "diff": frozenset({"base", "python", "platform", "max-increase", "format", "silence"}),
    "image": frozenset({"format", "silence"}),
}
"""The project defaults each command reads (an image's own Python and platform beat the
project's; ``context`` and ``completion`` read none)."""

_DEFAULTS_HELP = (
    "Defaults: [tool.sizefloor] in the project's pyproject.toml (the nearest one from the "
    "input's folder upwards) and SIZEFLOOR_* environment variables set base, python, "
    "platform, max-size, max-increase, format, ignore and silence (SIZEFLOOR_MAX_SIZE=500MB). "
    "A flag beats the environment, which beats the file; --isolated reads neither."
)


def _commands_help(current: str) -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [f"  {name.ljust(width)}  {SUMMARIES[name]}" for name in COMMANDS if name != current]
    return "commands (sizefloor COMMAND --help for each):\n" + "\n".join(lines)


def _fill(text: str | None) -> str | None:
    return textwrap.fill(text, 79) if text else text


def parser_for(name: str) -> tuple[ModuleType, argparse.ArgumentParser]:
    """The command's module and its parser, with the conventions and the full help."""
    module = importlib.import_module(COMMANDS[name])
    parser: argparse.ArgumentParser = module.build_parser()
    if name in DEFAULT_KEYS:
        add_convention_arguments(parser, findings=name == "estimate")
    epilog = [_fill(parser.epilog) or ""]
    if name in DEFAULT_KEYS:
        epilog.append(textwrap.fill(_DEFAULTS_HELP, 79))
    if name == "estimate":
        epilog.append(_commands_help(name))
    parser.description = _fill(parser.description)
    parser.epilog = "\n\n".join(part for part in epilog if part)
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    return module, parser


def inputs_of(name: str, namespace: argparse.Namespace) -> list[str]:
    """The paths a command reads, from which its project is looked for."""
    if name == "estimate":
        return list(namespace.files)
    if name == "diff":
        return [namespace.new.rpartition(":")[2], namespace.new, namespace.old]
    if name == "image":
        return list(getattr(namespace, "requirement", []) or [])
    return []
