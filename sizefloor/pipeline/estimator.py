"""The estimate: requirements in, a :class:`~sizefloor.report.Report` out.

:func:`estimate` reads the requirements, picks the target (a base implies it), answers from
a remembered estimate when it can (:mod:`sizefloor.pipeline.remembered`) or runs one
(:mod:`sizefloor.pipeline.run`), and adds the runtime (:mod:`sizefloor.runtime.sizes`).
It holds no policy of its own beyond precedence (:mod:`sizefloor.pipeline.locations`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import TYPE_CHECKING

from sizefloor.analysis.variants import swaps_for
from sizefloor.cache import Cache, default_cache_dir
from sizefloor.errors import InputError, SizefloorError
from sizefloor.inputs.requirements import (
    RequirementLine,
    RequirementSet,
    parse_requirement_strings,
    read_requirements,
)
from sizefloor.install import interpreters
from sizefloor.options import Options, Progress
from sizefloor.pipeline import remembered
from sizefloor.pipeline.alternatives import measured_variants, with_findings
from sizefloor.pipeline.inputs import Loaded, load_input, local_directory, selection_of, with_notes
from sizefloor.pipeline.locations import find_locations
from sizefloor.pipeline.shared import Shared
from sizefloor.report import Report
from sizefloor.runtime.bases import Base, base_for_target, choose_base, smallest_base
from sizefloor.runtime.sizes import with_runtime
from sizefloor.target import Target
from sizefloor.urls import redact

if TYPE_CHECKING:
    from sizefloor.inputs.locked import LockedSet

log = logging.getLogger(__name__)

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
    run_timeout: float | None = None,
    max_page_bytes: int = 64 * 1024 * 1024,
    base: str | None = None,
    refresh_runtime: bool = False,
    image_bytes: int | None = None,
    extras: Sequence[str] = (),
    all_extras: bool = False,
    groups: Sequence[str] = (),
    alternatives: bool = True,
    build_args: Sequence[tuple[str, str]] = (),
    context: str | None = None,
) -> Report:
    """Estimate the installed size of ``requirements`` on a target.

    ``requirements`` is a path (a requirements file, a ``pyproject.toml``, a lock file:
    ``uv.lock``, ``pylock.toml``, ``poetry.lock``, ``Pipfile.lock``; a Dockerfile, whose
    final ``FROM`` implies the base unless ``base`` is given; or a project's folder),
    a list of requirement strings, or a parsed
    :class:`~sizefloor.inputs.requirements.RequirementSet`. The target is
    ``target``, or built from ``python`` / ``platform`` / ``libc`` / ``libc_version``
    (``--base`` implies it). The other keywords are the fields of
    :class:`~sizefloor.options.Options`, which documents each; pass them one by one, or
    as one ``options=`` value, not both.
    """
    keywords = locals()
    given = Options(**{f.name: keywords[f.name] for f in fields(Options)})
    if options is not None and given != Options():
        raise TypeError("pass either options= or option keywords, not both")
    return estimate_with(
        requirements,
        options or given,
        target=target,
        target_options=(python, platform, libc, libc_version),
        progress=progress,
    )


def estimate_with(
    requirements: RequirementsInput,
    options: Options,
    *,
    target: Target | None = None,
    target_options: tuple[str | None, str | None, str | None, str | None] = (None,) * 4,
    progress: Progress | None = None,
) -> Report:
    """:func:`estimate` with its options as one value; ``target_options`` are ``python``,
    ``platform``, ``libc`` and ``libc_version`` as the user gave them (or ``None``)."""
    answered = _answered_lock(requirements, options, target, target_options)
    if answered is not None:
        report, chosen, tgt = answered
        return with_runtime(report, options, tgt, chosen, progress)
    python, platform, libc, libc_version = target_options
    opts = options
    loaded = load_input(
        requirements,
        selection_of(opts),
        build_args=opts.build_args,
        context=opts.context,
        platform=platform if target is None else target.docker_platform,
    )
    docker = loaded.dockerfile
    if docker is not None:
        # start-up: the Dockerfile machinery only when the input is one (imported already then)
        from sizefloor.pipeline.dockerfile import dockerfile_options

        opts, python, platform = dockerfile_options(docker, opts, python, platform)
    reqs = _with_constraints(loaded.requirements or RequirementSet(), opts)
    chosen, tgt = _base_and_target(opts.base, target, python, platform, libc, libc_version)
    if docker is not None and chosen is not None and options.base is None:
        chosen = replace(chosen, chosen_by="Dockerfile")
    shared = Shared()
    try:
        report = _estimate_loaded(loaded, reqs, tgt, opts, progress, shared)
        if opts.alternatives and loaded.locked is None:
            report = _with_measured_alternatives(report, reqs, tgt, opts, shared)
    finally:
        shared.close()
    report = with_notes(report, loaded.notes)
    report = with_runtime(report, opts, tgt, chosen, progress)
    if docker is not None:
        # start-up: as above, imported already when the input is a Dockerfile
        from sizefloor.pipeline.dockerfile import with_dockerfile

        report = with_dockerfile(report, docker, opts, tgt, progress)
    return report


def _with_constraints(reqs: RequirementSet, options: Options) -> RequirementSet:
    """``reqs`` with the constraints files of ``-c`` (the option, not the file's lines)."""
    for extra_constraints in options.constraints:
        more = read_requirements(extra_constraints)
        reqs = reqs.merged(_as_constraints(more))
    return reqs


def _with_measured_alternatives(
    report: Report, reqs: RequirementSet, target: Target, options: Options, shared: Shared
) -> Report:
    """``report`` with the known lighter variants of its requirements measured (from what
    the first estimate read, kept in ``shared``), or as remembered with the set's estimate
    while every page they read is unchanged."""
    swaps = swaps_for(report, reqs)
    if not swaps or report.analysis is None:
        return report
    first = shared.result_keys[0] if shared.result_keys else None
    key = remembered.variants_key(first) if first is not None else None
    cache = _call_cache(options, shared)
    if key is not None and cache.directory is not None:
        kept = remembered.lookup_variants(cache, key, shared.pages_checked)
        if kept is not None:
            return with_findings(report, kept)
    failed: list[SizefloorError] = []

    def estimate_swapped(swapped: RequirementSet) -> Report:
        loaded = Loaded(requirements=swapped)
        try:
            # its finding reads its totals and packages: no findings of its own (two
            # variants of a 240-package monolith: 0.6 s of a cold run)
            return _estimate_loaded(loaded, swapped, target, options, None, shared, analyse=False)
        except SizefloorError as exc:  # measured as "could not be": not remembered
            failed.append(exc)
            raise

    found = measured_variants(report, swaps, estimate_swapped)
    if key is not None and cache.directory is not None and not failed and not shared.unrecorded:
        remembered.store_variants(cache, key, shared.consulted, found)
    return with_findings(report, found)


def _call_cache(options: Options, shared: Shared) -> Cache:
    """The cache the call's estimates read and fill (opened once, in ``shared``)."""
    directory = None if not options.use_cache else (options.cache_dir or default_cache_dir())
    return shared.cache(directory, offline=options.offline)


def _base_and_target(
    name: str | None,
    target: Target | None,
    python: str | None,
    platform: str | None,
    libc: str | None,
    libc_version: str | None,
) -> tuple[Base | None, Target]:
    """The base under the dependencies and the target: a named base implies its target; with
    none named, the smallest catalogued runtime that runs the target (and implies the C
    library's version when the options leave it open). ``None`` when no runtime fits."""
    if target is not None:
        if name is not None:
            return base_for_target(name, target), target
        name = smallest_base(
            python=target.python_full_version or target.python,
            platform=target.docker_platform,
            libc=target.libc,
            libc_version="{}.{}".format(*target.libc_version),
        )
        chosen = base_for_target(name, target) if name is not None else None
        return (replace(chosen, chosen_by="default") if chosen else None), target
    named = dict(python=python, platform=platform, libc=libc, libc_version=libc_version)
    if name is not None:
        return choose_base(name, **named)
    default = smallest_base(**named)
    if default is None:
        return None, Target.from_options(**named)
    chosen, target = choose_base(default, **named)
    return replace(chosen, chosen_by="default"), target


def _estimate_loaded(
    loaded: Loaded,
    reqs: RequirementSet,
    target: Target,
    opts: Options,
    progress: Progress | None,
    shared: Shared | None = None,
    *,
    analyse: bool = True,
) -> Report:
    """The dependencies of what was read: a lock's pins, or requirements resolved (their
    local projects built first); ``analyse``: see :func:`estimate_dependencies`."""
    if loaded.locked is not None:
        report = _estimate_lock(loaded.locked, target, opts, progress)
    elif any(local_directory(line) for line in reqs.requirements):
        # building local projects (pip, the sizing) is imported when the input names one
        from sizefloor.pipeline.projects import prepare_projects

        prepared = prepare_projects(reqs, target, opts, progress)
        report = estimate_dependencies(prepared.requirements, target, opts, progress)
        report = prepared.finish(report, target, opts)
    else:
        return estimate_dependencies(reqs, target, opts, progress, shared, analyse=analyse)
    return report


def _estimate_lock(
    locked: LockedSet,
    target: Target,
    options: Options,
    progress: Progress | None,
) -> Report:
    """A lock file's estimate: remembered while the lock file's bytes, the target, the
    options and any index page it read are the same (its files, published, never change)."""
    report, key = _remembered_lock(locked.path, target, options)
    if report is not None:
        return report
    # a lock file's run (httpx, the wheel reader) is imported only when nothing remembers it
    from sizefloor.pipeline.locked import estimate_locked

    remember = key if remembered.lock_remembered(locked) else None
    return estimate_locked(locked, target, options, progress, remember=remember)


def _remembered_lock(
    path: str, target: Target, options: Options
) -> tuple[Report | None, str | None]:
    """The remembered estimate of the lock file at ``path``, if any, and its key."""
    locations = find_locations(options, RequirementSet())
    directory = None if not options.use_cache else (options.cache_dir or default_cache_dir())
    if directory is None:
        return None, None
    shared = Shared()
    try:
        cache = shared.cache(directory, offline=options.offline)
        compiler = _compiler(options, target, cache)
        indexes, links = locations.indexes, locations.links
        key = remembered.lock_key(path, target, options, indexes, links, compiler=compiler)
        return (remembered.lookup(cache, key) if key is not None else None), key
    finally:
        shared.close()


def _answered_lock(
    requirements: RequirementsInput,
    options: Options,
    target: Target | None,
    target_options: tuple[str | None, str | None, str | None, str | None],
) -> tuple[Report, Base | None, Target] | None:
    """A lock file's remembered estimate, before the file is even parsed (a 240-package
    ``uv.lock`` takes a tenth of a second to read), with the base and the target."""
    if not isinstance(requirements, (str, os.PathLike)) or not options.use_cache:
        return None
    path = os.fspath(requirements)
    if not os.path.isfile(path) or os.path.basename(path) not in remembered.LOCK_FILES:
        return None
    chosen, tgt = _base_and_target(options.base, target, *target_options)
    report, _ = _remembered_lock(path, tgt, options)
    return None if report is None else (report, chosen, tgt)


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
    reqs: RequirementSet,
    target: Target,
    options: Options,
    progress: Progress | None = None,
    shared: Shared | None = None,
    *,
    analyse: bool = True,
) -> Report:
    """The dependencies alone: the remembered estimate when the index pages it read are
    unchanged (:mod:`sizefloor.pipeline.remembered`), else a run from the network (sharing
    with the call's other estimates what ``shared`` holds). Without ``analyse``, a run's
    report has no analysis (a measured variant's; a remembered one always has it)."""
    locations = find_locations(options, reqs)
    log.info(
        "looking in %s",
        ", ".join([*map(redact, locations.indexes), *map(redact, locations.links)]) or "nothing",
    )
    if not locations.indexes and not locations.links and not _only_direct(reqs):
        raise InputError(
            "No index and no --find-links location to look in (--no-index was given).",
            hint="Drop --no-index, or add --find-links DIR with the wheels.",
        )
    own = shared is None
    shared = shared or Shared()
    cache = _call_cache(options, shared)
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
        shared.result_keys.append(key)
        report = None
        if key is not None:
            report = remembered.lookup(
                cache, key, shared.pages_checked, shared.consulted, analyse=analyse
            )
        if report is not None:
            return report
        # the run's machinery (httpx, the index, the resolver, the installer model) is
        # imported only now: a remembered estimate needs none of it
        from sizefloor.pipeline.run import run_estimate

        report, finder = run_estimate(
            reqs,
            target,
            options,
            cache,
            locations,
            progress or _no_progress,
            shared,
            analyse=analyse,
        )
        shared.consulted.update(finder.consulted)
        shared.unrecorded = shared.unrecorded or finder.unrecorded or key is None
        if key is not None and not finder.unrecorded:
            remembered.store(cache, key, finder.consulted, report)
        return report
    finally:
        if own:
            shared.close()


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
