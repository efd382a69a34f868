"""The runtime's own bytes: a catalogued image's figures, this interpreter measured, or none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sizefloor.cache import default_cache_dir
from sizefloor.options import Options, Progress
from sizefloor.report import Report, RuntimeSize
from sizefloor.runtime.bases import Base
from sizefloor.target import Target

__all__ = ["runtime_size", "with_runtime"]


def runtime_size(
    base: Base,
    target: Target,
    *,
    refresh: bool = False,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    offline: bool = False,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> RuntimeSize:
    """The base's own bytes on the target's architecture.

    ``refresh`` recomputes a Debian-derived image from the archive apt is
    configured with (cached); for other images it only warns.
    """
    if base.kind == "none":
        return RuntimeSize(
            base="none",
            python=None,
            installed_bytes=0,
            download_bytes=0,
            disk_bytes=0,
            source="--base none: the dependencies alone",
            exact=True,
        )
    if base.kind == "host":
        where = (cache_dir or default_cache_dir()) if use_cache else None
        # start-up: measuring an interpreter's files only when the runtime is one
        from sizefloor.runtime.host import measure_cached

        measured = measure_cached(where)
        return replace(measured, arch=target.docker_platform, chosen_by=base.chosen_by)
    image = base.image
    assert image is not None
    figures = image.sizes[target.arch]
    if refresh:
        # the refresh reads Debian's archive over HTTP: its machinery loads only when asked for
        from sizefloor.runtime.refresh import refreshed_figures

        figures = refreshed_figures(
            image,
            target.arch,
            figures,
            cache_dir=cache_dir,
            use_cache=use_cache,
            offline=offline,
            progress=progress,
            warn=warn or (lambda message: None),
        )
    notes = [figures.note] if figures.note else []
    if not figures.download_exact:
        notes.append("compressed size estimated")
    return RuntimeSize(
        base=base.name,
        python=image.python,
        installed_bytes=figures.installed_bytes,
        download_bytes=figures.download_bytes,
        disk_bytes=figures.disk_bytes,
        source=figures.source,
        exact=figures.exact,
        image=image.tag,
        arch=target.docker_platform,
        as_of=figures.as_of,
        method=figures.method,
        error_bytes=figures.error_bytes,
        note="; ".join(notes) or None,
        chosen_by=base.chosen_by,
    )


def with_runtime(
    report: Report,
    options: Options,
    target: Target,
    base: Base | None,
    progress: Progress | None = None,
) -> Report:
    """``report`` with ``base``'s runtime under it (none for ``None`` or ``--base none``),
    and ``options.image_bytes`` to compare the floor with."""
    warnings = list(report.warnings)
    runtime = None
    if base is not None and base.kind != "none":
        runtime = runtime_size(
            base,
            target,
            refresh=options.refresh_runtime,
            cache_dir=options.cache_dir,
            use_cache=options.use_cache,
            offline=options.offline,
            progress=progress,
            warn=warnings.append,
        )
    elif base is None:
        warnings.append(
            f"no catalogued runtime runs {target.describe()}: the floor is the dependencies "
            "alone (--base host measures the Python running sizefloor)"
        )
    if options.refresh_runtime and runtime is None:
        warnings.append("--refresh-runtime does nothing without a base")
    return replace(
        report,
        runtime=runtime,
        image_bytes=options.image_bytes,
        warnings=tuple(dict.fromkeys(warnings)),
    )
