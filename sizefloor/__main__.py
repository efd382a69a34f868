"""``python -m sizefloor``: hand over to the command line."""

from sizefloor.cli import entry

entry()
