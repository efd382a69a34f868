"""Budgets for CI: is the floor above ``--max-size``?"""

from __future__ import annotations

from dataclasses import dataclass

from sizefloor.report import Report
from sizefloor.units import human, parse_size


def floor_bytes(report: Report) -> int:
    """The floor a budget is checked against: the report's ``floor`` (the Python
    runtime included) when it has one, else the installed bytes of the packages."""
    return floor_of(report)[0]


def floor_of(report: Report) -> tuple[int, str]:
    """(bytes, what they are) for :func:`floor_bytes`."""
    floor = getattr(report, "floor", None)
    installed = getattr(floor, "installed_bytes", None)
    if isinstance(installed, int) and getattr(report, "runtime", None) is not None:
        return installed, "the floor (runtime and packages)"
    if isinstance(installed, int):
        return installed, "the installed size"
    return report.totals.installed_bytes, "the installed size"


@dataclass(frozen=True)
class Budget:
    """A byte limit, with the words it was given in."""

    limit: int
    text: str
    option: str = "--max-size"
    """The option that set it, for messages."""

    @classmethod
    def parse(cls, text: str, option: str = "--max-size") -> Budget:
        """``Budget.parse("500MB")``; :class:`~sizefloor.units.InvalidSize` when unreadable."""
        return cls(parse_size(text), text.strip(), option)

    def excess(self, size: int) -> int:
        """How far ``size`` is over the budget (0 when within it)."""
        return max(size - self.limit, 0)

    def message(self, size: int, what: str = "the floor") -> str | None:
        """One line saying by how much ``size`` is over, or ``None`` within budget."""
        over = self.excess(size)
        if not over:
            return None
        return (
            f"over budget: {what} is {human(size)} ({size:,} bytes), above {self.option} "
            f"{self.text} ({self.limit:,} bytes) by {human(over)}"
        )


__all__ = ["Budget", "floor_bytes", "floor_of"]
