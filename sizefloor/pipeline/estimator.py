"""The estimate: requirements in, a :class:`~sizefloor.report.Report` out.

This module wires the parts together and holds no policy of its own beyond
precedence: an option given here beats the requirements file, which beats
pip's configuration (``PIP_INDEX_URL``, pip.conf), which beats pip's default.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from sizefloor import __version__
from sizefloor.cache import Cache, default_cache_dir
from sizefloor.errors import InputError, RequirementsError
from sizefloor.inputs.pipconfig import IndexSettings, default_index_url, load_index_settings
from sizefloor.inputs.requirements import (
    RequirementLine,
    RequirementSet,
    parse_requirement_strings,
    read_requirements,
)
from sizefloor.pipeline import remembered as resultcache
from sizefloor.report import InstalledFile, PackageSize, Report, Totals, Unsized
from sizefloor.target import Target
from sizefloor.urls import redact

if TYPE_CHECKING:
    # The machinery of a run (HTTP, index, resolver, wheels, installer model) is
    # imported when a run needs it: a result the cache remembers needs none of it.
    from sizefloor.dists.sdist import SdistInfo
    from sizefloor.dists.wheel import WheelInfo
    from sizefloor.index.finder import DistFile, Finder
    from sizefloor.install.exact import Compiled
    from sizefloor.install.plan import Layout
    from sizefloor.net.http import Http
    from sizefloor.resolve import Resolved

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as work advances (total 0 = unknown)."""


@dataclass(frozen=True)
class Options:
    """Everything that shapes an estimate besides the requirements and target."""

    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    use_pip_config: bool = True
    pre: bool = False
    uploaded_prior_to: datetime | None = None
    compile_bytecode: bool = True
    exact_bytecode: bool = False
    """Compile each wheel's ``.py`` members (fetched by range) instead of modelling
    the ``.pyc`` sizes: only when the target's Python is the one running sizefloor
    (:mod:`sizefloor.install.exact`); otherwise a warning, and the model."""
    sample_bytecode: bool = True
    """Calibrate the ``.pyc`` model on a small sample of each wheel's modules, compiled
    (:mod:`sizefloor.install.calibrate`), when a CPython of the target's version is at hand."""
    constraints: tuple[str | os.PathLike[str], ...] = ()
    cache_dir: Path | None = None
    use_cache: bool = True
    offline: bool = False
    prefix: str = "/usr/local"
    executable: str | None = None
    pip_version: tuple[int, int] = (26, 0)
    concurrency: int = 16
    timeout: float | None = None
    base: str | None = None
    """What the service runs on (``python:3.12-slim``, ``distroless``, ``host``, ``none``,
    see :mod:`sizefloor.runtime.catalogue`): it implies the target and adds the runtime to
    the floor."""
    refresh_runtime: bool = False
    """Recompute a Debian-derived base's size from the configured Debian mirror (cached)."""
    image_bytes: int | None = None
    """A real image's size, to compare with the floor."""


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
    **option_fields: Any,
) -> Report:
    """Estimate the installed size of ``requirements`` on a target.

    ``requirements`` is a requirements file's path, a list of requirement
    strings, or a parsed :class:`~sizefloor.inputs.requirements.RequirementSet`.
    The target is ``target``, or built from ``python``/``platform``/``libc``.
    Any :class:`Options` field may be passed as a keyword.
    """
    opts = options or Options(**option_fields)
    if options is not None and option_fields:
        raise TypeError("pass either options= or option keywords, not both")
    reqs = load_requirements(requirements)
    for extra_constraints in opts.constraints:
        more = read_requirements(extra_constraints)
        reqs = reqs.merged(_as_constraints(more))
    base = None
    if opts.base is not None and target is None:
        from sizefloor.runtime.catalogue import resolve

        base, target = resolve(
            opts.base, python=python, platform=platform, libc=libc, libc_version=libc_version
        )
    tgt = target or Target.from_options(
        python=python, platform=platform, libc=libc, libc_version=libc_version
    )
    report = Estimator(reqs, tgt, opts, progress).run()
    if opts.base is not None or opts.image_bytes is not None:
        from sizefloor.runtime.catalogue import with_runtime

        report = with_runtime(report, opts, tgt, base, progress)
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
    from dataclasses import replace

    return replace(reqs, requirements=(), constraints=reqs.requirements + reqs.constraints)


class Estimator:
    def __init__(
        self,
        reqs: RequirementSet,
        target: Target,
        options: Options,
        progress: Progress | None = None,
    ) -> None:
        self.reqs = reqs
        self.target = target
        self.options = options
        self.progress = progress or (lambda stage, done, total: None)
        self.warnings: list[str] = []

    # -- where to look ------------------------------------------------------

    def index_settings(self) -> tuple[list[str], list[str], IndexSettings | None]:
        """(index URLs, find-links, pip's settings) by precedence."""
        opts, reqs = self.options, self.reqs
        pip = load_index_settings() if opts.use_pip_config else None
        if pip is not None:
            self.warnings.extend(pip.warnings)
        no_index = opts.no_index or reqs.no_index or (pip.no_index if pip else False)
        primary = opts.index_url or reqs.index_url or (pip.index_url if pip else None)
        if primary is None and not no_index:
            primary = default_index_url()
        extras = list(opts.extra_index_urls) + list(reqs.extra_index_urls)
        if pip is not None:
            extras += list(pip.extra_index_urls)
        indexes = [] if no_index else [u for u in dict.fromkeys([primary, *extras]) if u]
        links = list(opts.find_links) + list(reqs.find_links)
        if pip is not None:
            links += list(pip.find_links)
        return indexes, list(dict.fromkeys(links)), pip

    # -- the run --------------------------------------------------------------

    def run(self) -> Report:
        indexes, links, pip = self.index_settings()
        if not indexes and not links and not self._only_direct():
            raise InputError(
                "No index and no --find-links location to look in (--no-index was given).",
                hint="Drop --no-index, or add --find-links DIR with the wheels.",
            )
        cache = Cache(
            None if not self.options.use_cache else (self.options.cache_dir or default_cache_dir()),
            offline=self.options.offline,
        )
        urls = [*indexes, *links, *(line.requirement.url or "" for line in self.reqs.requirements)]
        try:
            key = None
            if cache.directory is not None:
                key = resultcache.result_key(self.reqs, self.target, self.options, indexes, links)
            remembered = resultcache.lookup(cache, key) if key is not None else None
            if remembered is not None:
                return remembered
            from sizefloor.net.http import Http, HttpOptions

            http_options = HttpOptions(
                timeout=self.options.timeout or (pip.timeout if pip and pip.timeout else 30.0),
                retries=pip.retries if pip and pip.retries is not None else 3,
                concurrency=self.options.concurrency,
                cert=pip.cert if pip else None,
                client_cert=pip.client_cert if pip else None,
                proxy=pip.proxy if pip else None,
                trusted_hosts=(*(pip.trusted_hosts if pip else ()), *self.reqs.trusted_hosts),
            )
            with Http(http_options, urls) as http:
                report, finder = self._run(http, cache, indexes, links)
            if key is not None and not finder.unrecorded:
                resultcache.store(cache, key, finder.consulted, report)
            return report
        finally:
            cache.close()

    def _only_direct(self) -> bool:
        return bool(self.reqs.requirements) and all(
            line.requirement.url for line in self.reqs.requirements
        )

    def _run(
        self, http: Http, cache: Cache, indexes: list[str], links: list[str]
    ) -> tuple[Report, Finder]:
        from sizefloor.dists.wheel import WheelInfo, WheelReader
        from sizefloor.index.finder import Finder
        from sizefloor.install.plan import Layout, directory_blocks, file_blocks
        from sizefloor.resolve import (
            Provider,
            Wanted,
            direct_dist,
            file_filter,
            resolve_requirements,
        )

        finder = Finder(
            http, cache, index_urls=indexes, find_links=links, accept=file_filter(self.target)
        )
        reader = WheelReader(http, cache, warn=self._warn)
        exact_bytecode = self._exact_bytecode()
        sampling = self._sample_bytecode(exact_bytecode)
        reader.keep_directories = exact_bytecode or sampling
        env = self.target.marker_environment()

        roots: list[Wanted] = []
        unsized: list[Unsized] = []
        direct: dict[NormalizedName, DistFile] = {}
        for line in self.reqs.requirements:
            req = line.requirement
            if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
                continue
            if line.unsized_reason:
                unsized.append(Unsized(line.text, str(line.origin), line.unsized_reason))
                continue
            if req.url:
                dist = direct_dist(req.name, req.url)
                if dist is None or not dist.is_wheel:
                    unsized.append(
                        Unsized(
                            line.text,
                            str(line.origin),
                            "not a wheel: cannot be sized without building it",
                        )
                    )
                    continue
                if self.target.wheel_priority(dist.tags) is None:
                    raise RequirementsError(
                        f"the wheel {dist.filename} does not run on {self.target.describe()}",
                        file=line.origin.file,
                        line=line.origin.line,
                        hint="Point at a wheel built for the target, or change the target.",
                    )
                direct[canonicalize_name(req.name)] = dist
            roots.append(Wanted(req, str(line.origin)))
        for item in unsized:
            self._warn(f"{item.requirement} ({item.origin}) is not sized: {item.reason}")
        constraints = self._constraints(env)

        provider = Provider(
            finder,
            reader,
            self.target,
            constraints=constraints,
            pre=self.options.pre or self.reqs.pre,
            uploaded_prior_to=self.options.uploaded_prior_to,
            direct=direct,
        )
        self.progress("resolving", 0, 0)
        resolution = resolve_requirements(roots, provider) if roots else None
        resolved = list(resolution.packages) if resolution else []
        self.warnings.extend(finder.warnings)
        self.warnings.extend(provider.warnings)
        if self.options.uploaded_prior_to is not None and any(
            r.dist.upload_time is None for r in resolved
        ):
            self._warn(
                "--uploaded-prior-to: some files have no upload time on their index "
                "(HTML indexes do not list it); they were not filtered"
            )

        layout = Layout(
            self.target.python_version,
            prefix=self.options.prefix,
            executable=self.options.executable,
            pip_version=self.options.pip_version,
        )
        compiled: dict[str, Compiled] = {}
        compiling: set[str] = set()
        join: Callable[[], None] = lambda: None  # noqa: E731
        if exact_bytecode or sampling:
            from sizefloor.install.exact import Wanted as Wheel
            from sizefloor.install.exact import compile_all, sample_all, worth_calibrating

            self.progress("compiling", 0, 0)
            wheels = [
                Wheel(r.dist, info, r.display_name)
                for r in resolved
                if isinstance(info := provider.inspection(r.dist), WheelInfo)
            ]
            if not exact_bytecode:
                wheels = worth_calibrating(wheels, layout)
            compile_wheels = compile_all if exact_bytecode else sample_all
            compiling = {w.dist.url for w in wheels}
            join = _in_background(
                lambda: compiled.update(compile_wheels(reader, wheels, layout, self._warn))
            )
        packages: list[PackageSize] = []
        directories: set[str] = set()
        file_sizes: list[int] = []
        paths: list[str] = []
        total = len(resolved)
        # what is not being compiled is sized while the rest compiles
        order = sorted(resolved, key=lambda r: r.dist.url in compiling)
        for done, chosen in enumerate(order, 1):
            if chosen.dist.url in compiling:
                join()
            info = provider.inspection(chosen.dist)
            size, dirs, files = self._size(chosen, info, layout, compiled.get(chosen.dist.url))
            packages.append(size)
            directories |= dirs
            file_sizes.extend(s for _, s in files)
            paths.extend(p for p, _ in files)
            self.progress("sizing", done, total)
        join()
        packages.sort(key=lambda p: (-p.installed_bytes, p.name))
        totals = Totals.of(packages)
        disk = file_blocks(file_sizes) + directory_blocks(directories, paths)
        # packages sized from sdists have no file list: add their own disk estimate
        disk += sum(p.disk_bytes for p in packages if not p.exact)
        totals = Totals(
            totals.installed_bytes, disk, totals.download_bytes, totals.files, totals.error_bytes
        )
        warnings = [*self.warnings, *cache.warnings]
        report = Report(
            sizefloor_version=__version__,
            target=self.target.to_json(),
            packages=tuple(packages),
            totals=totals,
            unsized=tuple(unsized),
            warnings=tuple(dict.fromkeys(warnings)),
            compile_bytecode=self.options.compile_bytecode,
            sources=self.reqs.files or ("<strings>",),
            indexes=tuple(redact(u) for u in indexes),
            transfer=http.traffic.to_json(),
        )
        return report, finder

    def _constraints(self, env: dict[str, str]) -> dict[NormalizedName, SpecifierSet]:
        result: dict[NormalizedName, SpecifierSet] = {}
        for line in self.reqs.constraints:
            req = line.requirement
            if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
                continue
            if req.url:
                self._warn(
                    f"constraint {line.text} ({line.origin}) names a URL: only its name is used"
                )
            key = canonicalize_name(req.name)
            result[key] = result.get(key, SpecifierSet()) & req.specifier
        return result

    def _sample_bytecode(self, exact_bytecode: bool) -> bool:
        """Whether the ``.pyc`` model is calibrated on compiled samples."""
        if exact_bytecode or not (self.options.sample_bytecode and self.options.compile_bytecode):
            return False
        from sizefloor.install import calibrate

        return calibrate.available(self.target)

    def _exact_bytecode(self) -> bool:
        """Whether ``.pyc`` sizes are compiled (warns when asked for and impossible)."""
        from sizefloor.install import bytecode

        if not (self.options.exact_bytecode and self.options.compile_bytecode):
            return False
        why = bytecode.exact_unavailable(self.target.python_version)
        if why is not None:
            self._warn(f"--exact-bytecode: {why}; the .pyc sizes are modelled instead")
        return why is None

    def _size(
        self,
        item: Resolved,
        info: WheelInfo | SdistInfo,
        layout: Layout,
        compiled: Compiled | None = None,
    ) -> tuple[PackageSize, frozenset[str], tuple[tuple[str, int], ...]]:
        common: dict[str, Any] = {
            "name": item.display_name,
            "version": str(item.version),
            "filename": item.dist.filename,
            "download_bytes": item.dist.size or info.size,
            "required_by": item.required_by,
            "requested": item.requested,
            "url": redact(item.dist.url) if item.dist.url.startswith("http") else item.dist.url,
        }
        from sizefloor.dists.wheel import WheelInfo
        from sizefloor.install.plan import plan_install

        note: str | None
        if not isinstance(info, WheelInfo):  # an sdist's (sizefloor.dists.sdist, not imported
            return self._size_sdist(info, layout, common)  # by runs that read no sdist)
        plan = plan_install(
            info,
            project=item.display_name,
            layout=layout,
            compile_bytecode=self.options.compile_bytecode,
            requested=item.requested,
            direct_url=item.direct_url,
            compiled=compiled.sizes if compiled is not None else None,
        )
        note = None
        if plan.bytecode_exact:
            note = "includes compiled .pyc files (exact)"
        elif plan.bytecode_bytes:
            note = "includes modelled .pyc files"
        return (
            PackageSize(
                installed_bytes=plan.installed_bytes,
                disk_bytes=plan.disk_bytes,
                files=plan.file_count,
                exact=True,
                error_bytes=plan.bytecode_error,
                bytecode_bytes=plan.bytecode_bytes,
                bytecode_exact=plan.bytecode_exact,
                note=note,
                contents=tuple(
                    InstalledFile(path, size, path not in plan.generated)
                    for path, size in plan.files
                ),
                **common,
            ),
            plan.directories,
            plan.files,
        )

    def _size_sdist(
        self, info: SdistInfo, layout: Layout, common: dict[str, Any]
    ) -> tuple[PackageSize, frozenset[str], tuple[tuple[str, int], ...]]:
        """An estimate from an sdist's sources: what a build would install, give
        or take what it compiles or generates (the error bound says how much)."""
        from sizefloor.install.plan import BLOCK, file_blocks

        note = "built from its sdist: no wheel for the target; size estimated from its sources"
        if info.native:
            note += " (it compiles native extensions, whose size is unknown)"
        disk = file_blocks(info.sources) + file_blocks(info.others)
        disk += info.directories * BLOCK
        requested = 1 if common["requested"] else 0  # REQUESTED, an empty file
        bytecode_bytes = bytecode_error = files = 0
        if self.options.compile_bytecode and info.sources:
            from sizefloor.install import bytecode

            # a typical module path: prefix, site-packages, package, module
            path = f"{layout.prefix}/{layout.site_packages}/{'p' * 12}/{'m' * 12}.py"
            for size in info.sources:
                pyc = bytecode.pyc_size(size, path, layout.python_version)
                bytecode_bytes += pyc.size
                bytecode_error += pyc.error
                disk += file_blocks([pyc.size])
            files = len(info.sources)
            disk += info.source_directories * BLOCK  # their __pycache__ folders
        return (
            PackageSize(
                installed_bytes=info.estimated_bytes + bytecode_bytes,
                disk_bytes=disk,
                files=info.estimated_files + files + requested,
                exact=False,
                error_bytes=info.error_bytes + bytecode_error,
                bytecode_bytes=bytecode_bytes,
                note=note,
                **common,
            ),
            frozenset(),
            (),
        )

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def _in_background(work: Callable[[], None]) -> Callable[[], None]:
    """Start ``work`` on a thread; the function returned waits for it (raising
    what it raised) and may be called any number of times."""
    import threading

    failure: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # handed to the waiting thread
            failure.append(exc)

    thread = threading.Thread(target=run, name="sizefloor-compile", daemon=True)
    thread.start()

    def join() -> None:
        thread.join()
        if failure:
            raise failure[0]

    return join


__all__ = ["Options", "Progress", "RequirementLine", "estimate", "load_requirements"]
