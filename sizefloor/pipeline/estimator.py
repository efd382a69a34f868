"""The estimate: requirements in, a :class:`~sizefloor.report.Report` out.

:func:`estimate` reads the requirements, picks the target (a base implies it), answers from
a remembered estimate when it can (:mod:`sizefloor.pipeline.remembered`) or runs one
(:mod:`sizefloor.pipeline.run`), and adds the runtime (:mod:`sizefloor.runtime.sizes`).
It holds no policy of its own beyond precedence (:mod:`sizefloor.pipeline.locations`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from datetime import datetime

from sizefloor.cache import Cache, default_cache_dir
from sizefloor.errors import InputError
from sizefloor.inputs.requirements import (
    RequirementLine,
    RequirementSet,
    parse_requirement_strings,
    read_requirements,
)
from sizefloor.install import interpreters
from sizefloor.options import Options, Progress
from sizefloor.pipeline import remembered
from sizefloor.pipeline.locations import find_locations
from sizefloor.report import Report
from sizefloor.runtime.bases import choose_base
from sizefloor.runtime.sizes import with_runtime
from sizefloor.target import Target

RequirementsInput = str | os.PathLike[str] | Sequence[str] | RequirementSet


def estimate(
    requirements: RequirementsInput,
    *,
    target: Target | None = None,
    python: str | None = None,
    platform: str | None = None,
    libc: str | None = None,
    libc_version: str | None = None,
    options: Options | None = None,
    progress: Progress | None = None,
    index_url: str | None = None,
    extra_index_urls: Sequence[str] = (),
    find_links: Sequence[str] = (),
    no_index: bool = False,
    use_pip_config: bool = True,
    pre: bool = False,
    uploaded_prior_to: datetime | None = None,
    compile_bytecode: bool = True,
    exact_bytecode: bool = False,
    sample_bytecode: bool = True,
    python_exe: str | None = None,
    constraints: Sequence[str | os.PathLike[str]] = (),
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    offline: bool = False,
    prefix: str = "/usr/local",
    executable: str | None = None,
    pip_version: tuple[int, int] = (26, 0),
    concurrency: int = 16,
    timeout: float | None = None,
    base: str | None = None,
    refresh_runtime: bool = False,
    image_bytes: int | None = None,
) -> Report:
    """Estimate the installed size of ``requirements`` on a target.

    ``requirements`` is a requirements file's path, a list of requirement strings, or a
    parsed :class:`~sizefloor.inputs.requirements.RequirementSet`. The target is
    ``target``, or built from ``python`` / ``platform`` / ``libc`` / ``libc_version``
    (``--base`` implies it). The other keywords are the fields of
    :class:`~sizefloor.options.Options`, which documents each; pass them one by one, or
    as one ``options=`` value, not both.
    """
    keywords = locals()
    given = Options(**{f.name: keywords[f.name] for f in fields(Options)})
    if options is not None and given != Options():
        raise TypeError("pass either options= or option keywords, not both")
    opts = options or given
    reqs = load_requirements(requirements)
    for extra_constraints in opts.constraints:
        more = read_requirements(extra_constraints)
        reqs = reqs.merged(_as_constraints(more))
    chosen = None
    if opts.base is not None and target is None:
        chosen, target = choose_base(
            opts.base, python=python, platform=platform, libc=libc, libc_version=libc_version
        )
    tgt = target or Target.from_options(
        python=python, platform=platform, libc=libc, libc_version=libc_version
    )
    report = estimate_dependencies(reqs, tgt, opts, progress)
    if opts.base is not None or opts.image_bytes is not None:
        report = with_runtime(report, opts, tgt, chosen, progress)
    return report


def load_requirements(requirements: RequirementsInput) -> RequirementSet:
    if isinstance(requirements, RequirementSet):
        return requirements
    if isinstance(requirements, (str, os.PathLike)):
        return read_requirements(requirements)
    if isinstance(requirements, Iterable):
        return parse_requirement_strings(list(requirements))
    raise TypeError("requirements must be a path, a list of strings or a RequirementSet")


def _as_constraints(reqs: RequirementSet) -> RequirementSet:
    return replace(reqs, requirements=(), constraints=reqs.requirements + reqs.constraints)


def estimate_dependencies(
    reqs: RequirementSet, target: Target, options: Options, progress: Progress | None = None
) -> Report:
    """The dependencies alone: the remembered estimate when the index pages it read are
    unchanged (:mod:`sizefloor.pipeline.remembered`), else a run from the network."""
    locations = find_locations(options, reqs)
    if not locations.indexes and not locations.links and not _only_direct(reqs):
        raise InputError(
            "No index and no --find-links location to look in (--no-index was given).",
            hint="Drop --no-index, or add --find-links DIR with the wheels.",
        )
    cache = Cache(
        None if not options.use_cache else (options.cache_dir or default_cache_dir()),
        offline=options.offline,
    )
    try:
        key = None
        if cache.directory is not None:
            key = remembered.result_key(
                reqs,
                target,
                options,
                locations.indexes,
                locations.links,
                compiler=_compiler(options, target, cache),
            )
        report = remembered.lookup(cache, key) if key is not None else None
        if report is not None:
            return report
        # the run's machinery (httpx, the index, the resolver, the installer model) is
        # imported only now: a remembered estimate needs none of it
        from sizefloor.pipeline.run import run_estimate

        report, finder = run_estimate(
            reqs, target, options, cache, locations, progress or _no_progress
        )
        if key is not None and not finder.unrecorded:
            remembered.store(cache, key, finder.consulted, report)
        return report
    finally:
        cache.close()


def _compiler(options: Options, target: Target, cache: Cache) -> str:
    """Which CPython would compile the bytecode (part of a remembered estimate's key: one
    installed since, or gone, changes the figures)."""
    search = interpreters.for_options(options, target.python_version, cache)
    if search is None or search.interpreter is None:
        return "none"
    return f"{search.interpreter.identity}:{search.interpreter.executable}"


def _only_direct(reqs: RequirementSet) -> bool:
    return bool(reqs.requirements) and all(line.requirement.url for line in reqs.requirements)


def _no_progress(stage: str, done: int, total: int) -> None:
    """Progress reported to no one."""


__all__ = ["Options", "Progress", "RequirementLine", "estimate", "load_requirements"]
