"""One resolved distribution's installed size: its wheel's install plan, or an estimate from
its sdist; and the totals of a set, with the disk blocks its folders share."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

from sizefloor.dists.sdist import SdistInfo
from sizefloor.dists.wheel import WheelInfo
from sizefloor.index.files import DistFile
from sizefloor.install import bytecode
from sizefloor.install.exact import Compiled
from sizefloor.install.plan import BLOCK, InstallScheme, directory_blocks, file_blocks, plan_install
from sizefloor.options import Options, Progress
from sizefloor.pipeline.compiling import Compiling
from sizefloor.report import InstalledFile, PackageSize, Totals
from sizefloor.resolve import Resolved
from sizefloor.target import Target
from sizefloor.urls import redact

__all__ = ["Sized", "scheme_for", "size_all", "size_distribution", "totals_of"]

SDIST_NOTE = "built from its sdist: no wheel for the target; size estimated from its sources"


class Sized(NamedTuple):
    """A package's size, and what the set's disk total needs of it."""

    package: PackageSize
    directories: frozenset[str]
    files: tuple[tuple[str, int], ...]
    """(path, size) of every installed file; empty for an estimate from an sdist."""


def scheme_for(target: Target, options: Options) -> InstallScheme:
    """Where and how the target's pip installs: its Python, the prefix, the launchers."""
    return InstallScheme(
        target.python_version,
        prefix=options.prefix,
        executable=options.executable,
        pip_version=options.pip_version,
    )


def size_all(
    resolved: Sequence[Resolved],
    inspect: Callable[[DistFile], WheelInfo | SdistInfo],
    scheme: InstallScheme,
    compiling: Compiling,
    *,
    compile_bytecode: bool,
    progress: Progress,
    memo: dict[tuple[Any, ...], Any] | None = None,
) -> list[Sized]:
    """Each distribution's size: what is not being compiled is sized while the rest
    compiles. ``memo`` keeps what was sized for the call's next estimate (the same file
    sized the same way is not planned again)."""
    sized = []
    memo = {} if memo is None else memo
    order = sorted(resolved, key=lambda r: r.dist.url in compiling.urls)
    for done, item in enumerate(order, 1):
        if item.dist.url in compiling.urls:
            compiling.wait()
        compiled = compiling.compiled.get(item.dist.url)
        key: tuple[Any, ...] = (item.dist.url, item.display_name, item.requested)
        key += (item.direct_url, compile_bytecode, scheme)
        known = memo.get(key)
        if known is not None and known[0] == (compiled.sizes if compiled else None):
            package = replace(known[1].package, required_by=item.required_by)
            sized.append(known[1]._replace(package=package))
        else:
            one = size_distribution(
                item,
                inspect(item.dist),
                scheme,
                compile_bytecode=compile_bytecode,
                compiled=compiled,
            )
            memo[key] = (compiled.sizes if compiled else None, one)
            sized.append(one)
        progress("sizing", done, len(order))
    compiling.wait()
    return sized


def size_distribution(
    item: Resolved,
    info: WheelInfo | SdistInfo,
    scheme: InstallScheme,
    *,
    compile_bytecode: bool,
    compiled: Compiled | None = None,
) -> Sized:
    """What installing ``item`` writes: exact from a wheel, estimated from an sdist."""
    common: dict[str, Any] = {
        "name": item.display_name,
        "version": str(item.version),
        "filename": item.dist.filename,
        "download_bytes": info.size or item.dist.size,  # the file's, when the index says otherwise
        "required_by": item.required_by,
        "requested": item.requested,
        "url": redact(item.dist.url) if item.dist.url.startswith("http") else item.dist.url,
    }
    if isinstance(info, WheelInfo):
        return _size_wheel(item, info, scheme, compile_bytecode, compiled, common)
    return _size_sdist(info, scheme, compile_bytecode, common)


def _size_wheel(
    item: Resolved,
    info: WheelInfo,
    scheme: InstallScheme,
    compile_bytecode: bool,
    compiled: Compiled | None,
    common: dict[str, Any],
) -> Sized:
    plan = plan_install(
        info,
        project=item.display_name,
        scheme=scheme,
        compile_bytecode=compile_bytecode,
        requested=item.requested,
        direct_url=item.direct_url,
        compiled=compiled.sizes if compiled is not None else None,
    )
    note = None
    if plan.bytecode_exact:
        note = "includes compiled .pyc files (exact)"
    elif plan.bytecode_bytes:
        note = "includes modelled .pyc files"
    package = PackageSize(
        installed_bytes=plan.installed_bytes,
        disk_bytes=plan.disk_bytes,
        files=plan.file_count,
        exact=True,
        error_bytes=plan.bytecode_error,
        bytecode_bytes=plan.bytecode_bytes,
        bytecode_exact=plan.bytecode_exact,
        note=note,
        contents=_installed_files(plan.files, plan.generated),
        **common,
    )
    return Sized(package, plan.directories, plan.files)


_new_tuple = tuple.__new__


def _installed_files(
    files: Sequence[tuple[str, int]], generated: frozenset[str]
) -> tuple[InstalledFile, ...]:
    """:class:`InstalledFile` values for a plan's files, made as tuples are (its named
    tuple's own constructor, a Python function, was a tenth of a lock file's run)."""
    return tuple([_new_tuple(InstalledFile, (p, n, p not in generated)) for p, n in files])


def _size_sdist(
    info: SdistInfo, scheme: InstallScheme, compile_bytecode: bool, common: dict[str, Any]
) -> Sized:
    """An estimate from an sdist's sources: what a build would install, give or take what
    it compiles or generates (the error bound says how much)."""
    note = SDIST_NOTE
    if info.native:
        note += " (it compiles native extensions, whose size is unknown)"
    disk = file_blocks(info.sources) + file_blocks(info.others)
    disk += info.directories * BLOCK
    requested = 1 if common["requested"] else 0  # REQUESTED, an empty file
    bytecode_bytes = bytecode_error = files = 0
    if compile_bytecode and info.sources:
        # a typical module path: prefix, site-packages, package, module
        path = f"{scheme.prefix}/{scheme.site_packages}/{'p' * 12}/{'m' * 12}.py"
        for size in info.sources:
            pyc = bytecode.pyc_size(size, path, scheme.python_version)
            bytecode_bytes += pyc.size
            bytecode_error += pyc.error
            disk += file_blocks([pyc.size])
        files = len(info.sources)
        disk += info.source_directories * BLOCK  # their __pycache__ folders
    package = PackageSize(
        installed_bytes=info.estimated_bytes + bytecode_bytes,
        disk_bytes=disk,
        files=info.estimated_files + files + requested,
        exact=False,
        error_bytes=info.error_bytes + bytecode_error,
        bytecode_bytes=bytecode_bytes,
        note=note,
        **common,
    )
    return Sized(package, frozenset(), ())


def totals_of(sized: Sequence[Sized]) -> Totals:
    """The set's totals; its disk bytes count each folder once, however many packages share
    it, plus the estimates of packages sized from their sdists."""
    packages = [s.package for s in sized]
    totals = Totals.of(packages)
    directories: set[str] = set().union(*(s.directories for s in sized))
    file_sizes = [size for s in sized for _, size in s.files]
    paths = [path for s in sized for path, _ in s.files]
    disk = file_blocks(file_sizes) + directory_blocks(directories, paths)
    disk += sum(p.disk_bytes for p in packages if not p.exact)
    return Totals(
        totals.installed_bytes, disk, totals.download_bytes, totals.files, totals.error_bytes
    )
