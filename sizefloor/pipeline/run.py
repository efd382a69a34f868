"""One estimate run from the network: the stages wired together, from the requirements and
the target to a :class:`~sizefloor.report.Report` of the resolved set.

find the files (index) → resolve (resolve) → read each wheel's directory (dists) → compile
what can be (install.exact), model the rest → plan each install (install) → size → analyse.
"""

from __future__ import annotations

from dataclasses import replace

from sizefloor import __version__
from sizefloor.analysis.summary import analysed
from sizefloor.cache import Cache
from sizefloor.dists.wheel import WheelReader
from sizefloor.index.finder import Finder
from sizefloor.inputs.requirements import RequirementSet
from sizefloor.net.http import Http, HttpOptions
from sizefloor.options import Options, Progress
from sizefloor.pipeline.compiling import (
    Compiling,
    bytecode_interpreter,
    bytecode_sizing,
    wants_exact_bytecode,
    wants_sampled_bytecode,
)
from sizefloor.pipeline.locations import Locations
from sizefloor.pipeline.roots import Requested, constraints_of, requested
from sizefloor.pipeline.shared import Shared
from sizefloor.pipeline.sizing import Sized, scheme_for, size_all, totals_of
from sizefloor.report import Report
from sizefloor.resolve import Provider, Resolved, file_filter, resolve_requirements
from sizefloor.target import Target
from sizefloor.urls import redact

__all__ = ["http_options", "run_estimate"]

NO_UPLOAD_TIME = (
    "--uploaded-prior-to: some files have no upload time on their index "
    "(HTML indexes do not list it); they were not filtered"
)


def http_options(options: Options, locations: Locations, reqs: RequirementSet) -> HttpOptions:
    """The client's settings: the options' timeout, then pip's, then sizefloor's defaults."""
    pip = locations.pip
    return HttpOptions(
        timeout=options.timeout or (pip.timeout if pip and pip.timeout else 30.0),
        retries=pip.retries if pip and pip.retries is not None else 3,
        concurrency=options.concurrency,
        cert=pip.cert if pip else None,
        client_cert=pip.client_cert if pip else None,
        proxy=pip.proxy if pip else None,
        trusted_hosts=(*(pip.trusted_hosts if pip else ()), *reqs.trusted_hosts),
        run_deadline=options.run_timeout,
        page_limit=options.max_page_bytes,
    )


def run_estimate(
    reqs: RequirementSet,
    target: Target,
    options: Options,
    cache: Cache,
    locations: Locations,
    progress: Progress,
    shared: Shared | None = None,
    *,
    analyse: bool = True,
) -> tuple[Report, Finder]:
    """Estimate ``reqs`` on ``target`` from the indexes; the finder says which pages it read.
    ``shared`` holds what an earlier estimate of the same call read and sized; without
    ``analyse``, the report has no graph and findings (a measured variant: its totals and
    packages are what its finding reads)."""
    urls = [
        *locations.indexes,
        *locations.links,
        *(line.requirement.url or "" for line in reqs.requirements),
    ]
    with Http(http_options(options, locations, reqs), urls) as http:
        run = _Run(reqs, target, options, progress, list(locations.warnings))
        report, finder = run.execute(http, cache, locations, shared or Shared(), analyse)
    return report, finder


class _Run:
    """The state of one run: what it warns about, and where it reports progress."""

    def __init__(
        self,
        reqs: RequirementSet,
        target: Target,
        options: Options,
        progress: Progress,
        warnings: list[str],
    ) -> None:
        self.reqs = reqs
        self.target = target
        self.options = options
        self.progress = progress
        self.warnings = warnings

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def execute(
        self, http: Http, cache: Cache, locations: Locations, shared: Shared, analyse: bool
    ) -> tuple[Report, Finder]:
        finder = Finder(
            http,
            cache,
            index_urls=list(locations.indexes),
            find_links=list(locations.links),
            accept=file_filter(self.target),
            known=shared.projects,
        )
        reader = WheelReader(http, cache, warn=self.warn)
        search = bytecode_interpreter(self.options, self.target, cache)
        exact = wants_exact_bytecode(self.options, self.target, self.warn, search)
        sampled = wants_sampled_bytecode(self.options, exact, search)
        reader.keep_directories = exact or sampled
        asked = requested(self.reqs, self.target)
        for item in asked.unsized:
            self.warn(f"{item.requirement} ({item.origin}) is not sized: {item.reason}")
        provider = self._provider(finder, reader, asked, shared)
        resolved = self._resolve(asked, provider, finder)
        scheme = scheme_for(self.target, self.options)
        compiling = Compiling()
        if (exact or sampled) and search is not None and search.interpreter is not None:
            self.progress("compiling", 0, 0)
            compiling = Compiling.start(
                resolved,
                provider,
                reader,
                scheme,
                exact=exact,
                interpreter=search.interpreter,
                warn=self.warn,
                modelled=shared.modelled,
            )
        sized = size_all(
            resolved,
            provider.inspection,
            scheme,
            compiling,
            compile_bytecode=self.options.compile_bytecode,
            progress=self.progress,
            memo=shared.sized,
        )
        shared.inspections.update(provider.inspections.done())
        report = self._report(sized, asked, locations, http, cache)
        sizing = bytecode_sizing(
            self.options, self.target, search, report.packages, exact=exact, sampled=sampled
        )
        report = replace(report, bytecode=sizing)
        return (analysed(report) if analyse else report), finder

    def _provider(
        self, finder: Finder, reader: WheelReader, asked: Requested, shared: Shared
    ) -> Provider:
        return Provider(
            finder,
            reader,
            self.target,
            known=shared.inspections,
            constraints=constraints_of(self.reqs, self.target, self.warn),
            pre=self.options.pre or self.reqs.pre,
            uploaded_prior_to=self.options.uploaded_prior_to,
            direct=asked.direct,
        )

    def _resolve(self, asked: Requested, provider: Provider, finder: Finder) -> list[Resolved]:
        self.progress("resolving", 0, 0)
        resolution = resolve_requirements(list(asked.roots), provider) if asked.roots else None
        resolved = list(resolution.packages) if resolution else []
        self.warnings.extend(finder.warnings)
        self.warnings.extend(provider.warnings)
        if self.options.uploaded_prior_to is not None and any(
            r.dist.upload_time is None for r in resolved
        ):
            self.warn(NO_UPLOAD_TIME)
        return resolved

    def _report(
        self,
        sized: list[Sized],
        asked: Requested,
        locations: Locations,
        http: Http,
        cache: Cache,
    ) -> Report:
        packages = sorted((s.package for s in sized), key=lambda p: (-p.installed_bytes, p.name))
        warnings = [*self.warnings, *cache.warnings]
        return Report(
            sizefloor_version=__version__,
            target=self.target.to_json(),
            packages=tuple(packages),
            totals=totals_of(sized),
            unsized=asked.unsized,
            warnings=tuple(dict.fromkeys(warnings)),
            compile_bytecode=self.options.compile_bytecode,
            sources=self.reqs.files or ("<strings>",),
            indexes=tuple(redact(u) for u in locations.indexes),
            transfer=http.traffic.to_json(),
        )
