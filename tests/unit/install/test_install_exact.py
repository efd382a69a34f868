"""sizefloor.install.exact: a wheel's modules fetched (by range) and compiled, piece by piece.

Against real wheels: a local file, and a loopback index that does and does not honour
Range; the cache that makes a second run fetch nothing; the sample that calibrates the
model; the choice of the wheels worth calibrating.
"""

from __future__ import annotations

import random
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from indexserver import IndexServer
from packaging.utils import canonicalize_name
from wheelbuilder import build_wheel

from sizefloor.cache import Cache
from sizefloor.dists import zipdir
from sizefloor.dists.wheel import Directory, WheelInfo, WheelReader
from sizefloor.errors import OfflineMiss
from sizefloor.index.files import DistFile, make_dist_file
from sizefloor.install import bytecode
from sizefloor.install.compilers import find
from sizefloor.install.exact import (
    REQUEST_BYTES,
    WheelToCompile,
    cache_key,
    calibration_targets,
    compile_all,
    compile_wheel,
    request_spans,
    sample_all,
)
from sizefloor.install.plan import InstallScheme, compiled_paths
from sizefloor.net.http import Http

VERSION = (sys.version_info.major, sys.version_info.minor)
SCHEME = InstallScheme(VERSION, pip_version=(26, 0))
MODULES = {
    "modpkg/__init__.py": b"",
    "modpkg/a.py": b"def a(x):\n    return x * 2\n",
    "modpkg/broken.py": b"def broken(:\n",
    "modpkg/z.py": b"class Z:\n    def m(self):\n        return {'k': [1, 2, 3]}\n",
}
LIBRARY = random.Random(3).randbytes(200_000)  # incompressible: ranges skip it

ServerFactory = Callable[..., IndexServer]


@pytest.fixture
def wheel(tmp_path: Path) -> Path:
    return build_wheel(
        tmp_path / "wheels",
        "modpkg",
        "1.0",
        files={**MODULES, "modpkg/_lib.so": LIBRARY},
        data={"scripts/tool.py": b"#!python\nprint(1)\n"},
    )


@pytest.fixture
def http() -> Iterator[Http]:
    with Http() as client:
        yield client


def dist_of(wheel: Path, url: str) -> DistFile:
    dist = make_dist_file(
        canonicalize_name("modpkg"), wheel.name, url, source="test", size=wheel.stat().st_size
    )
    assert dist is not None
    return dist


def compiled_here(wheel: Path, to_compile: dict[str, str]) -> dict[str, int | None]:
    """Each module's .pyc size as this process compiles it."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: bytecode.compiled_size(archive.read(name), path)
            for name, path in to_compile.items()
        }


def local(wheel: Path, http: Http) -> tuple[WheelReader, DistFile, dict[str, str]]:
    reader = WheelReader(http, Cache(None))
    dist = dist_of(wheel, wheel.as_uri())
    info = reader.inspect(dist)
    return reader, dist, compiled_paths(info, project="modpkg", scheme=SCHEME)


# -- compiling one wheel -------------------------------------------------------------------


def test_a_local_wheel_is_compiled_as_this_process_compiles(wheel: Path, http: Http) -> None:
    reader, dist, to_compile = local(wheel, http)
    assert set(to_compile) == {*MODULES, "modpkg-1.0.data/scripts/tool.py"}
    assert to_compile["modpkg-1.0.data/scripts/tool.py"].endswith(
        "site-packages/../../../bin/tool.py"
    )
    with bytecode.silenced():
        result = compile_wheel(reader, dist, to_compile)
    assert result.sizes == compiled_here(wheel, to_compile)
    assert result.sizes["modpkg/broken.py"] is None
    assert (result.fetched, result.requests) == (0, 0)


def test_a_sample_compiles_only_what_it_names(wheel: Path, http: Http) -> None:
    reader, dist, to_compile = local(wheel, http)
    result = compile_wheel(reader, dist, to_compile, sample=["modpkg/z.py"])
    assert result.sizes == {"modpkg/z.py": compiled_here(wheel, to_compile)["modpkg/z.py"]}
    assert compile_wheel(reader, dist, {}).sizes == {}


@pytest.mark.parametrize("ranges", [True, False])
def test_a_remote_wheel_is_fetched_once_then_read_from_the_cache(
    wheel: Path, http: Http, index_server: ServerFactory, tmp_path: Path, ranges: bool
) -> None:
    server = index_server(wheel.parent, ranges=ranges)
    dist = dist_of(wheel, server.file_url(wheel.name))
    cache = Cache(tmp_path / "cache")
    reader = WheelReader(http, cache)
    to_compile = compiled_paths(reader.inspect(dist), project="modpkg", scheme=SCHEME)
    server.clear_log()
    with bytecode.silenced():
        first = compile_wheel(reader, dist, to_compile)
    assert first.sizes == compiled_here(wheel, to_compile)
    if ranges:  # only the modules and their neighbours, never the library
        assert 0 < first.fetched < len(LIBRARY) and first.requests >= 1
        assert server.bytes_sent() < len(LIBRARY)
    server.clear_log()
    again = compile_wheel(reader, dist, to_compile)
    assert again.sizes == first.sizes and again.fetched == 0
    assert server.requests == []
    cache.close()


def test_offline_without_the_compiled_sizes_in_the_cache(
    wheel: Path, http: Http, index_server: ServerFactory, tmp_path: Path
) -> None:
    server = index_server(wheel.parent)
    dist = dist_of(wheel, server.file_url(wheel.name))
    to_compile = compiled_paths(
        WheelReader(http, Cache(None)).inspect(dist), project="modpkg", scheme=SCHEME
    )
    offline = WheelReader(http, Cache(tmp_path / "empty", offline=True))
    with pytest.raises(OfflineMiss, match=re.escape("no compiled bytecode for modpkg-1.0")):
        compile_wheel(offline, dist, to_compile)


def test_the_cache_key_holds_the_paths_the_interpreter_and_the_pip(wheel: Path) -> None:
    dist = dist_of(wheel, "https://files.example.invalid/" + wheel.name)
    paths = {"modpkg/a.py": "/usr/local/lib/python3.12/site-packages/modpkg/a.py"}
    key = cache_key(dist, paths, (26, 0), "cpython-312-3.12.1")
    assert key == cache_key(dist, dict(paths), (25, 1), "cpython-312-3.12.1")
    assert key != cache_key(dist, paths, (26, 3), "cpython-312-3.12.1")  # pip blocks codecs
    assert key != cache_key(dist, paths, (26, 0), "cpython-312-3.12.2")
    assert key != cache_key(dist, {"modpkg/a.py": "/opt/a.py"}, (26, 0), "cpython-312-3.12.1")
    running = f"{sys.implementation.cache_tag}-{'.'.join(map(str, sys.version_info[:3]))}"
    assert cache_key(dist, paths, (26, 0)) == cache_key(dist, paths, (26, 0), running)


def test_no_request_is_larger_than_the_bound() -> None:
    def member(name: str, offset: int, size: int) -> zipdir.Member:
        return zipdir.Member(name, size, size, offset, 8, 0, 0, 3, 0)

    step = REQUEST_BYTES // 3
    members = [member(f"m{i}.py", i * step, step - 40) for i in range(7)]
    directory = Directory(7 * step + 100, tuple(members), 7 * step)
    spans = request_spans(directory, members, gap=1 << 30)
    assert len(spans) > 1
    assert all(end - start <= REQUEST_BYTES for start, end in spans)
    assert spans[0][0] == 0 and spans[-1][1] == 7 * step


# -- many wheels ---------------------------------------------------------------------------


def test_compile_all_leaves_out_what_cannot_be_read_with_a_warning(
    wheel: Path, http: Http, index_server: ServerFactory
) -> None:
    server = index_server(wheel.parent)
    reader = WheelReader(http, Cache(None))
    good = dist_of(wheel, server.file_url(wheel.name))
    info = reader.inspect(good)
    missing = "modpkg-9.0-py3-none-any.whl"  # listed, but not on the server
    gone = make_dist_file(
        canonicalize_name("modpkg"), missing, server.file_url(missing), source="", size=50_000
    )
    assert gone is not None
    warnings: list[str] = []
    with bytecode.silenced():
        done = compile_all(
            reader,
            [WheelToCompile(good, info, "modpkg"), WheelToCompile(gone, info, "modpkg")],
            SCHEME,
            warnings.append,
        )
    assert list(done) == [good.url]
    assert len(warnings) == 1 and warnings[0].startswith(f"--exact-bytecode: {missing}: ")
    assert "404" in warnings[0]
    assert warnings[0].endswith("; its bytecode is modelled instead")


def test_sample_all_compiles_a_sample_with_the_targets_python(wheel: Path, http: Http) -> None:
    reader, dist, to_compile = local(wheel, http)
    info = reader.inspect(dist)
    warnings: list[str] = []
    running = find(VERSION)
    assert running is not None
    item = WheelToCompile(dist, info, "modpkg")
    done = sample_all(reader, [(item, 1_000)], SCHEME, warnings.append, running)
    # a wheel this small is compiled whole
    assert done[dist.url].sizes == compiled_here(wheel, to_compile) and warnings == []


def test_the_wheels_worth_calibrating_are_those_the_model_would_leave_too_far() -> None:
    def item(name: str, modules: int, size: int, blob: int = 0) -> WheelToCompile:
        members = [(f"{name}/m{i}.py", size) for i in range(modules)]
        members += [(f"{name}/blob.bin", blob), (f"{name}-1.0.dist-info/METADATA", 100)]
        info = WheelInfo(f"{name}-1.0-py3-none-any.whl", 1, tuple(members), b"", None)
        filename = f"{name}-1.0-py3-none-any.whl"
        dist = make_dist_file(canonicalize_name(name), filename, f"file:///w/{filename}", source="")
        assert dist is not None
        return WheelToCompile(dist, info, name)

    big, small = item("big", 400, 20_000), item("small", 2, 300)
    data = item("data", 0, 0, blob=50_000_000)
    # the big wheel's model states far more than its share of the goal; the small one's not
    chosen = calibration_targets([small, big], SCHEME)
    assert [w for w, _ in chosen] == [big]
    (target,) = [t for _, t in chosen]
    assert 0 < target < 0.02 * 400 * 20_000  # a percent or two of its bytecode
    # beside a large wheel without Python, the small one's error is not worth a sample
    assert calibration_targets([small, data], SCHEME) == []
    # alone, it is: a package's bytecode is then most of the set
    assert [w for w, _ in calibration_targets([small], SCHEME)] == [small]
