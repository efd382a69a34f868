"""Exact bytecode: a wheel's ``.py`` members, fetched by range and compiled.

``--exact-bytecode`` replaces the ``.pyc`` model (:mod:`sizefloor.install.bytecode`)
by the real thing when the target's Python is the interpreter running
sizefloor: for each wheel,

1. the central directory says where every ``.py`` member pip byte-compiles
   lies (the one the inspection read, kept; or fetched again);
2. their bytes are fetched with range requests, neighbours coalesced: a
   wheel's modules are usually stored one after another, so a few large
   requests fetch them all, and the other members (shared libraries, data)
   are never downloaded. Gaps of up to :data:`GAP_BYTES` between modules
   (``py.typed``, small data files) are fetched along rather than costing a
   request each; no request is larger than :data:`REQUEST_BYTES`;
3. each module is compiled as pip compiles it, in memory
   (:func:`sizefloor.install.bytecode.compiled_size`), with the path pip compiles it
   as; one pip would not compile (a syntax error; from pip 26.3 on, a coding
   line naming a codec pip has not imported, see
   :func:`sizefloor.install.bytecode.pip_compiles`) gets no ``.pyc``;
4. the sizes are cached with the wheel's identity, the interpreter and the
   paths: a warm run fetches and compiles nothing.

A server that ignores Range gets one whole-file request, read in place; a
local wheel is read from disk. Fetched bytes count as ``source_bytes`` in the
report's ``transfer``.

The same machinery fetches and compiles the **sample** the default run
calibrates the model on (:func:`sample_all`, :mod:`sizefloor.install.calibrate`):
only the chosen members, gaps of up to :data:`SAMPLE_GAP` bridged, compiled
by worker processes of the target's CPython (:mod:`sizefloor.install.compilers`),
cached under their own key.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import platform
import sys
import zipfile
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

from sizefloor.dists import zipdir
from sizefloor.dists.wheel import Directory, WheelInfo, WheelReader
from sizefloor.errors import CompilerError, MetadataUnavailable, OfflineMiss, SizefloorError
from sizefloor.index.files import DistFile
from sizefloor.install import bytecode, calibrate
from sizefloor.install.compilers import Compiler, Interpreter
from sizefloor.install.plan import InstallScheme, compiled_paths
from sizefloor.urls import file_url_path, is_file_url, redact

GAP_BYTES = 16 * 1024
"""Bytes between two wanted members that are fetched rather than split into two
requests (a request costs a round trip; 16 KiB cost about as much on most links)."""

REQUEST_BYTES = 16 * 1024 * 1024
"""The most one range request asks for (a bound on the memory a wheel takes)."""

SOURCE_CAP = 8 * 1024 * 1024
"""The largest ``.py`` member compiled: a larger one (generated code, or a hostile wheel's
256 MB module, which took half a gigabyte to compile) has its ``.pyc`` modelled, and the
report says so. Real modules are far below it; this bounds the memory a wheel takes."""

SAMPLE_GAP = 2 * 1024
"""The gap bridged between two sampled members (:mod:`sizefloor.install.calibrate`): they
are spread out, and every byte between them would add to a small budget."""


@dataclass(frozen=True)
class Compiled:
    """The bytecode of one wheel, compiled."""

    sizes: Mapping[str, int | None]
    """``.py`` member name -> its ``.pyc``'s size; ``None`` when it does not compile."""
    fetched: int = 0
    """Bytes transferred for it (0 from the cache or a local file)."""
    requests: int = 0


def cache_key(
    dist: DistFile,
    to_compile: Mapping[str, str],
    pip_version: tuple[int, int],
    interpreter: str | None = None,
) -> str:
    """The wheel's identity, the compiling interpreter (``cpython-312-3.12.1``; the
    running one by default), the installed paths (every ``.pyc`` holds its
    source's) and whether pip blocks codec imports."""
    paths = hashlib.sha256()
    for member, dfile in sorted(to_compile.items()):
        paths.update(f"{member}\0{dfile}\n".encode())
    if interpreter is None:
        interpreter = f"{sys.implementation.cache_tag}-{platform.python_version()}"
    blocks = int(tuple(pip_version) >= bytecode.PIP_IMPORT_BLOCKER)
    return f"{dist.cache_key}:{interpreter}:{blocks}:{paths.hexdigest()[:32]}"


def compile_wheel(
    reader: WheelReader,
    dist: DistFile,
    to_compile: Mapping[str, str],
    pip_version: tuple[int, int] = (26, 0),
    *,
    sample: Collection[str] | None = None,
    compiler: Compiler | None = None,
) -> Compiled:
    """The ``.pyc`` size of each member ``to_compile`` names (member -> the path pip
    compiles it as), as the pip of ``pip_version`` writes them; only of the
    members in ``sample`` when it is given (:mod:`sizefloor.install.calibrate`).
    Compiled by ``compiler`` (:mod:`sizefloor.install.compilers`) when given, else by
    the running interpreter in this process."""
    gap = GAP_BYTES
    identity = compiler.interpreter.identity if compiler is not None else None
    key = cache_key(dist, to_compile, pip_version, identity)
    if sample is not None and set(sample) != set(to_compile):
        gap = SAMPLE_GAP
        key += ":sample:" + hashlib.sha256("\n".join(sorted(sample)).encode()).hexdigest()[:16]
        to_compile = {name: to_compile[name] for name in to_compile if name in sample}
    if not to_compile:
        return Compiled({})
    local = is_file_url(dist.url)
    size_of = functools.partial(_pyc_size, pip_version=pip_version, compiler=compiler)
    if not local:
        cached = reader.cache.get("pyc", key)
        if isinstance(cached, dict):
            return Compiled(cached)
        if reader.cache.offline:
            raise OfflineMiss(f"--offline: the cache has no compiled bytecode for {dist.filename}.")
    if local:
        with open(file_url_path(dist.url), "rb") as f:
            result = Compiled(_compile_archive(f, to_compile, size_of))
    else:
        result = _compile_remote(reader, dist, to_compile, size_of, gap)
        reader.cache.set("pyc", key, dict(result.sizes))
    return result


SizeOf = Callable[[bytes, str], int | None]


def _pyc_size(
    source: bytes, dfile: str, *, pip_version: tuple[int, int], compiler: Compiler | None = None
) -> int | None:
    if not bytecode.pip_compiles(source, pip_version):
        return None
    if compiler is not None:
        return compiler.size(source, dfile)
    return bytecode.compiled_size(source, dfile)


def _compile_remote(
    reader: WheelReader,
    dist: DistFile,
    to_compile: Mapping[str, str],
    size_of: SizeOf,
    gap: int = GAP_BYTES,
) -> Compiled:
    directory = reader.directory(dist)
    if directory is None:
        return _compile_whole(reader, dist, to_compile, size_of)
    by_name = {m.name: m for m in directory.members if not m.is_dir}  # a later duplicate wins
    wanted = [by_name[name] for name in to_compile if name in by_name]
    missing = [name for name in to_compile if name not in by_name]
    if missing:
        raise MetadataUnavailable(
            f"{dist.filename}: {missing[0]} is not in its central directory any more."
        )
    spans = request_spans(directory, wanted, gap)
    results = reader.http.get_ranges(dist.url, spans, kind="sources")
    try:
        whole = next((r.whole for r in results if r.whole is not None), None)
        if whole is not None:  # the server ignores Range: read it all
            return Compiled(_compile_archive(whole, to_compile, size_of), 0, len(results))
    finally:
        for result in results:
            result.close()
    chunks: list[tuple[int, bytes]] = []
    fetched = 0
    requests = len(results)
    for (start, _end), result in zip(spans, results, strict=True):
        if result.status_code != 206:
            raise MetadataUnavailable(
                f"{redact(dist.url)} answered {result.status_code} to a range request."
            )
        chunks.append((start, result.content))
        fetched += len(result.content)
    sizes: dict[str, int | None] = {}
    # in the order of the installed paths, as pip compiles them
    for member in sorted(wanted, key=lambda m: to_compile[m.name]):
        chunk_start, chunk = next(
            (s, c) for s, c in reversed(chunks) if s <= member.header_offset < s + len(c)
        )
        source = zipdir.member_data(chunk, chunk_start, member)
        sizes[member.name] = size_of(source, to_compile[member.name])
    return Compiled(sizes, fetched, requests)


def request_spans(
    directory: Directory, wanted: Sequence[zipdir.Member], gap: int = GAP_BYTES
) -> list[tuple[int, int]]:
    """The byte ranges that hold the ``wanted`` members' local headers and data:
    neighbours merged, gaps up to ``gap`` bytes bridged, none longer than
    :data:`REQUEST_BYTES` (unless one member alone is)."""
    offsets = directory.offsets
    spans = sorted(directory.span(m, offsets) for m in wanted)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            first, last = merged[-1]
            if start - last <= gap and max(end, last) - first <= REQUEST_BYTES:
                merged[-1] = (first, max(end, last))
                continue
        merged.append((start, end))
    return merged


def _compile_whole(
    reader: WheelReader, dist: DistFile, to_compile: Mapping[str, str], size_of: SizeOf
) -> Compiled:
    """A small wheel, or one whose server ignores Range: one request for all of it."""
    end = dist.size if dist.size is not None else 1 << 62
    result = reader.http.get_range(dist.url, 0, max(end, 1), kind="sources")
    if result.whole is not None:
        try:
            return Compiled(_compile_archive(result.whole, to_compile, size_of), 0, 1)
        finally:
            result.whole.close()
    if result.status_code in (200, 206):
        return Compiled(
            _compile_archive(io.BytesIO(result.content), to_compile, size_of),
            len(result.content),
            1,
        )
    raise MetadataUnavailable(f"{redact(dist.url)} answered {result.status_code}.")


def _compile_archive(
    fileobj: IO[bytes], to_compile: Mapping[str, str], size_of: SizeOf
) -> dict[str, int | None]:
    try:
        archive = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile as exc:
        raise zipdir.ZipFormatError(str(exc)) from exc
    sizes: dict[str, int | None] = {}
    with archive:
        for name, dfile in sorted(to_compile.items(), key=lambda item: item[1]):
            sizes[name] = size_of(archive.read(name), dfile)  # the last of a name
    return sizes


@dataclass(frozen=True)
class WheelToCompile:
    """One wheel to compile: the file, what it holds, the project it installs."""

    dist: DistFile
    info: WheelInfo
    project: str


def _within_cap(
    item: WheelToCompile, scheme: InstallScheme, warn: Callable[[str], None]
) -> dict[str, str]:
    """The wheel's modules to compile, leaving to the model any over :data:`SOURCE_CAP`
    (compiling one holds it whole in memory), with a warning that says so."""
    to_compile = compiled_paths(item.info, project=item.project, scheme=scheme)
    sizes = dict(item.info.members)
    large = sorted(name for name in to_compile if sizes.get(name, 0) > SOURCE_CAP)
    if large:
        warn(
            f"--exact-bytecode: {len(large)} module(s) of {item.dist.filename} are over "
            f"{SOURCE_CAP >> 20} MiB ({large[0]}, {sizes[large[0]]:,} bytes): their .pyc "
            "is modelled, not compiled"
        )
    return {name: path for name, path in to_compile.items() if name not in large}


def compile_all(
    reader: WheelReader,
    wheels: Sequence[WheelToCompile],
    scheme: InstallScheme,
    warn: Callable[[str], None],
    interpreter: Interpreter | None = None,
) -> dict[str, Compiled]:
    """The compiled bytecode of each wheel, by URL, fetched concurrently: compiled in
    this process, or by worker processes of ``interpreter`` when it is given (the
    target's CPython, not the one running sizefloor). A wheel that cannot be read
    is left out with a warning (its bytecode is modelled)."""
    with contextlib.ExitStack() as stack:
        compiler = None if interpreter is None else stack.enter_context(Compiler(interpreter))

        def one(item: WheelToCompile) -> Compiled | str:
            to_compile = _within_cap(item, scheme, warn)
            try:
                return compile_wheel(
                    reader, item.dist, to_compile, scheme.pip_version, compiler=compiler
                )
            except (SizefloorError, zipdir.ZipFormatError, OSError) as exc:
                return f"{item.dist.filename}: {exc}"

        with bytecode.silenced():
            results = list(reader.http.map(one, wheels))
    done: dict[str, Compiled] = {}
    for item, result in zip(wheels, results, strict=True):
        if isinstance(result, str):
            warn(f"--exact-bytecode: {result}; its bytecode is modelled instead")
        else:
            done[item.dist.url] = result
    return done


Modelled = dict[tuple[str, str, InstallScheme], dict[str, int]]
"""Each wheel's modelled ``.pyc`` sizes (:func:`_modelled`) by (URL, project, scheme): what
an estimate and its measured variants share, within one call."""


def calibration_targets(
    wheels: Sequence[WheelToCompile], scheme: InstallScheme, memo: Modelled | None = None
) -> list[tuple[WheelToCompile, int]]:
    """The wheels whose bytecode a sample calibrates, each with the error (bytes) its
    calibrated bytecode may state (:func:`sizefloor.install.calibrate.targets`): the
    others' model alone states less than their share of the goal.

    Calibrating costs requests and compile time per wheel, and most wheels of a
    large set hold too little Python to move the total: on a 56-package data
    stack a dozen wheels carry most of the model's error."""
    sizes: list[tuple[int, int]] = []
    for item in wheels:
        members = dict(item.info.members)
        modelled = sum(_modelled(item, scheme, memo).values())
        sizes.append((modelled, sum(members.values())))
    shares = calibrate.targets(sizes)
    return [(item, share) for item, share in zip(wheels, shares, strict=True) if share is not None]


def _modelled(
    item: WheelToCompile, scheme: InstallScheme, memo: Modelled | None = None
) -> dict[str, int]:
    """Each ``.py`` member pip compiles -> its ``.pyc`` size in the model (kept in ``memo``)."""
    key = (item.dist.url, item.project, scheme)
    known = memo.get(key) if memo is not None else None
    if known is None:
        known = _model(item, scheme)
        if memo is not None:
            memo[key] = known
    return known


def _model(item: WheelToCompile, scheme: InstallScheme) -> dict[str, int]:
    sizes = dict(item.info.members)
    compressed = item.info.compressed_size()
    plan = compiled_paths(item.info, project=item.project, scheme=scheme)
    return {
        name: bytecode.pyc_size(
            sizes.get(name, 0), path, scheme.python_version, compressed_size=compressed.get(name)
        ).size
        for name, path in plan.items()
    }


def sample_all(
    reader: WheelReader,
    wheels: Sequence[tuple[WheelToCompile, int]],
    scheme: InstallScheme,
    warn: Callable[[str], None],
    interpreter: Interpreter,
    memo: Modelled | None = None,
) -> dict[str, Compiled]:
    """A sample of each wheel's modules compiled, sized for the error the wheel may
    state (:func:`sizefloor.install.calibrate.choose`; which wheels, and their
    targets, are :func:`calibration_targets`'), by URL, fetched concurrently and
    compiled by worker processes of ``interpreter``, the target's CPython
    (:mod:`sizefloor.install.compilers`); the whole of a wheel whose modules cost
    little. A wheel that cannot be read or compiled is left out with a warning
    (its bytecode is then modelled alone)."""
    with Compiler(interpreter) as compiler, bytecode.silenced():
        results = list(
            reader.http.map(
                lambda item: _sample(reader, item[0], item[1], scheme, compiler, memo), wheels
            )
        )
    done: dict[str, Compiled] = {}
    failed: list[CompilerError] = []
    offline = 0
    for (item, _), result in zip(wheels, results, strict=True):
        if result is None:
            offline += 1
        elif isinstance(result, CompilerError):
            failed.append(result)
        elif isinstance(result, str):
            warn(f"could not compile a sample of {result}; its bytecode is modelled alone")
        else:
            done[item.dist.url] = result
    if failed:
        warn(
            f"{interpreter.executable} could not compile ({failed[0]}): the bytecode of "
            f"{len(failed)} wheel(s) is modelled alone"
        )
    if offline:
        warn(
            f"--offline: the cache has no compiled sample of {offline} wheel(s): "
            "their bytecode is modelled alone"
        )
    return done


def _sample(
    reader: WheelReader,
    item: WheelToCompile,
    target: int,
    scheme: InstallScheme,
    compiler: Compiler,
    memo: Modelled | None = None,
) -> Compiled | str | CompilerError | None:
    """A sample of one wheel's modules compiled; else why not: what could not be
    read (a message), the compiler's failure, or ``None`` when ``--offline`` and
    the cache does not have it."""
    to_compile = compiled_paths(item.info, project=item.project, scheme=scheme)
    sizes = dict(item.info.members)
    compressed = item.info.compressed_size()
    modelled = _modelled(item, scheme, memo)
    candidates = [
        calibrate.SampleModule(name, sizes[name], compressed.get(name), modelled.get(name, 0))
        for name in dict.fromkeys(name for name, _ in item.info.members if name in to_compile)
    ]
    sample = calibrate.choose(candidates, target)
    if not sample:
        return Compiled({})
    try:
        return compile_wheel(
            reader, item.dist, to_compile, scheme.pip_version, sample=sample, compiler=compiler
        )
    except OfflineMiss:
        return None
    except CompilerError as exc:
        return exc
    except (SizefloorError, zipdir.ZipFormatError, OSError) as exc:
        return f"{item.dist.filename}: {exc}"
