"""The command line: argument parsing and the commands; the only layer that prints or chooses an
exit status.
"""

from sizefloor.cli.main import entry, main

__all__ = ["entry", "main"]
