"""sizefloor: the installed size of a Python service's dependencies, before building.

>>> import sizefloor
>>> report = sizefloor.estimate("requirements.txt", python="3.12")  # doctest: +SKIP
>>> report.totals.installed_bytes  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Floor",
    "InputError",
    "Options",
    "PackageSize",
    "Report",
    "RuntimeSize",
    "SizefloorError",
    "Target",
    "Totals",
    "__version__",
    "estimate",
]

if TYPE_CHECKING:
    from sizefloor.errors import InputError, SizefloorError
    from sizefloor.options import Options
    from sizefloor.pipeline.estimator import estimate
    from sizefloor.report import Floor, PackageSize, Report, RuntimeSize, Totals
    from sizefloor.target import Target

_LAZY = {
    "estimate": "sizefloor.pipeline.estimator",
    "Report": "sizefloor.report",
    "PackageSize": "sizefloor.report",
    "Totals": "sizefloor.report",
    "Floor": "sizefloor.report",
    "RuntimeSize": "sizefloor.report",
    "Options": "sizefloor.options",
    "Target": "sizefloor.target",
    "SizefloorError": "sizefloor.errors",
    "InputError": "sizefloor.errors",
}


def __getattr__(name: str) -> Any:
    """Import the public names on first use, so ``--help`` and ``--version`` stay fast."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sizefloor' has no attribute {name!r}")
    import importlib  # here, not at the top: `import sizefloor` itself stays free

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
