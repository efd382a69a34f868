"""The command line's exit statuses: the one place they are written."""

from __future__ import annotations

__all__ = ["EXIT_FAILURE", "EXIT_INPUT", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_OVER_BUDGET"]

EXIT_OK = 0
EXIT_FAILURE = 1
"""Something failed: an index that cannot be reached, a server error, an internal error."""
EXIT_INPUT = 2
"""Bad input: usage, a requirements line, a target, an unknown project."""
EXIT_OVER_BUDGET = 3
"""Over a ``--max-size`` or ``--max-increase`` budget."""
EXIT_INTERRUPTED = 130
