"""The floor a real image is compared with, read from an estimate's report.

The floor is the dependencies' installed bytes; when the report also carries a runtime
(``--base``: ``report.runtime`` and ``report.floor``), the floor is the runtime plus the
dependencies, and the image's base layers are compared with the runtime.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_name


@dataclass(frozen=True)
class Floor:
    installed_bytes: int
    """The whole floor: runtime (when known) plus dependencies."""
    dependencies_bytes: int
    runtime_bytes: int | None
    runtime_name: str | None
    download_bytes: int
    packages: Mapping[str, int]
    """Canonical name -> the floor's installed bytes for it (the requirements' closure)."""
    versions: Mapping[str, str]
    target: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "installed_bytes": self.installed_bytes,
            "dependencies_bytes": self.dependencies_bytes,
            "runtime_bytes": self.runtime_bytes,
            "runtime": self.runtime_name,
            "download_bytes": self.download_bytes,
            "target": dict(self.target),
        }


def _field(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def floor_of(report: Any) -> Floor:
    """The :class:`Floor` of an estimate's :class:`~sizefloor.report.Report`."""
    dependencies = int(report.totals.installed_bytes)
    download = int(report.totals.download_bytes)
    runtime = getattr(report, "runtime", None)
    runtime_bytes = _field(runtime, "installed_bytes")
    runtime_name = _field(runtime, "base")
    whole = _field(getattr(report, "floor", None), "installed_bytes")
    if isinstance(runtime_bytes, int) and runtime_bytes > 0:
        total = whole if isinstance(whole, int) else dependencies + runtime_bytes
        runtime_download = _field(runtime, "download_bytes")
        if isinstance(runtime_download, int):
            download += runtime_download
    else:
        runtime_bytes = None
        runtime_name = None
        total = dependencies
    return Floor(
        installed_bytes=total,
        dependencies_bytes=dependencies,
        runtime_bytes=runtime_bytes,
        runtime_name=str(runtime_name) if runtime_name is not None else None,
        download_bytes=download,
        packages={canonicalize_name(p.name): int(p.installed_bytes) for p in report.packages},
        versions={canonicalize_name(p.name): str(p.version) for p in report.packages},
        target=dict(report.target),
    )
