"""``python -m sizefloor``: hand over to the command line."""

from sizefloor.cli import main

raise SystemExit(main())
