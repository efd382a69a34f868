"""Budgets for CI: is the floor above ``--max-size``?"""

from __future__ import annotations

from dataclasses import dataclass

from sizefloor.report import Report
from sizefloor.units import human, parse_size


@dataclass(frozen=True)
class Budget:
    """A byte limit, with the words it was given in."""

    limit: int
    text: str
    option: str = "--max-size"
    """The option that set it, for messages."""

    @classmethod
    def parse(cls, text: str, option: str = "--max-size") -> Budget:
        """``Budget.parse("500MB")``; :class:`~sizefloor.units.InvalidSize` when unreadable
        or without a unit (``"200"``: 200 bytes is never the budget meant)."""
        return cls(parse_size(text, unit_required=True), text.strip(), option)

    def excess(self, size: int) -> int:
        """How far ``size`` is over the budget (0 when within it)."""
        return max(size - self.limit, 0)

    def check(self, report: Report) -> str | None:
        """:meth:`message` for the report's floor: the runtime and the packages, or the
        packages alone when it has no runtime."""
        what = "the floor (runtime and packages)" if report.runtime else "the installed size"
        return self.message(report.floor.installed_bytes, what)

    def message(self, size: int, what: str = "the floor") -> str | None:
        """One line saying by how much ``size`` is over, or ``None`` within budget."""
        over = self.excess(size)
        if not over:
            return None
        return (
            f"over budget: {what} is {human(size)} ({size:,} bytes), above {self.option} "
            f"{self.text} ({self.limit:,} bytes) by {human(over)}"
        )


__all__ = ["Budget"]
