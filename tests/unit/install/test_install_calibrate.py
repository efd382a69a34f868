"""Sampled calibration: the ``.pyc`` model corrected by a few modules compiled.

The sample (which modules, within what budget), the correction and its stated
error, the worker processes that compile, and end to end against a loopback
index: a wheel of keyword-table modules (they marshal to half what the model
says) is sized by the default run far closer to its real bytecode than by the
model, with a smaller stated error that holds, from a sample of its modules
fetched by range (never the library between them); a wheel small enough is
compiled whole (exact); a warm run fetches nothing.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from indexserver import IndexServer
from wheelbuilder import build_wheel

import sizefloor
from sizefloor.errors import CompilerError
from sizefloor.install import bytecode, calibrate
from sizefloor.install.calibrate import SampleModule
from sizefloor.install.compilers import Compiler, Interpreter, find

PY = f"{sys.version_info.major}.{sys.version_info.minor}"
VERSION = (sys.version_info.major, sys.version_info.minor)
SITE = f"/usr/local/lib/python{PY}/site-packages"

ServerFactory = Callable[..., IndexServer]


# -- the sample ------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 100, 257])
def test_spread_visits_every_index_once_evenly(n: int) -> None:
    order = calibrate.spread(n)
    assert sorted(order) == list(range(n))
    assert order[0] == 0
    if n >= 8:
        # the start, the middle, then the quarters
        assert order[:4] == [0, n // 2, n // 4, 3 * n // 4]


def _candidates(sizes: list[int]) -> list[SampleModule]:
    return [
        SampleModule(f"pkg/m{i:03}.py", size, size // 4, size + 100) for i, size in enumerate(sizes)
    ]


def test_a_wheel_whose_modules_cost_little_is_compiled_whole() -> None:
    candidates = _candidates([0, 3_000, 20_000, 9_000])
    assert sum(c.cost for c in candidates) <= calibrate.LEAST
    assert calibrate.choose(candidates, 10_000) == [c.name for c in candidates]


def test_a_one_module_package_is_compiled_not_sampled() -> None:
    (module,) = _candidates([400_000])
    assert calibrate.choose([module], 1_000) == [module.name]


def test_a_large_wheel_gets_its_largest_modules_and_a_spread_sample() -> None:
    sizes = [(i * 7919) % 30_000 + 500 for i in range(400)]
    sizes[100] = sizes[300] = 400_000  # two modules hold a third of the sources
    candidates = _candidates(sizes)
    modelled = sum(c.modelled for c in candidates)
    chosen = calibrate.choose(candidates, round(0.05 * modelled))
    by_name = {c.name: c for c in candidates}
    assert 8 < len(chosen) < 200
    # the largest modules are certain
    assert {"pkg/m100.py", "pkg/m300.py"} <= set(chosen)
    # and the others come from all over the archive
    quarters = {int(name[5:8]) * 4 // len(candidates) for name in chosen}
    assert quarters == {0, 1, 2, 3}
    assert calibrate.choose(candidates, round(0.05 * modelled)) == chosen  # deterministic
    # a tighter target takes more; a loose one fewer
    tight = calibrate.choose(candidates, round(0.02 * modelled))
    loose = calibrate.choose(candidates, round(0.2 * modelled))
    assert len(loose) < len(chosen) < len(tight)
    cost = sum(c.cost for c in candidates)
    assert sum(by_name[n].cost for n in chosen) < calibrate.WHOLE_SHARE * cost


def test_a_sample_costing_most_of_the_wheel_is_the_whole_wheel() -> None:
    candidates = _candidates([5_000] * 100)
    modelled = sum(c.modelled for c in candidates)
    assert calibrate.choose(candidates, round(0.001 * modelled)) == [c.name for c in candidates]


def test_empty_modules_are_not_sampled() -> None:
    candidates = _candidates([0 if i % 2 else 5_000 for i in range(200)])
    chosen = set(calibrate.choose(candidates, 200_000))
    assert chosen and all(c.size for c in candidates if c.name in chosen)


def test_targets_share_the_goal_and_leave_small_wheels_to_the_model() -> None:
    # (modelled bytecode, other bytes)
    wheels = [(10_000_000, 20_000_000), (2_000_000, 1_000_000), (10_000, 5_000), (0, 9_000_000)]
    big, medium, small, none = calibrate.targets(wheels)
    assert small is None and none is None  # the model alone states less than its share
    assert big is not None and medium is not None
    total = sum(b + o for b, o in wheels)
    # their shares grow with the square root of their bytecode...
    assert big / medium == pytest.approx((10 / 2) ** 0.5, rel=1e-3)
    # ...and add up, root-sum-square, to the goal (the small wheel's share included)
    share = calibrate.GOAL * total * (10_000 / 12_010_000) ** 0.5
    assert (big**2 + medium**2 + share**2) ** 0.5 == pytest.approx(calibrate.GOAL * total, 1e-3)
    # one package alone gets the whole goal
    (alone,) = calibrate.targets([(2_000_000, 1_000_000)])
    assert alone == round(calibrate.GOAL * 3_000_000)


# -- the correction ---------------------------------------------------------------------


def test_no_sample_leaves_the_model_alone() -> None:
    calibration = calibrate.calibrate([], [1_000, 2_000])
    assert calibration.ratio == 1.0 and calibration.error == bytecode.RELATIVE_ERROR


def test_a_consistent_sample_moves_the_rest_and_narrows_the_error() -> None:
    pairs = [(m, round(m * 0.6)) for m in range(1_000, 21_000, 1_000)]  # 20 modules at 0.6
    rest = [1_000 + (i * 97) % 20_000 for i in range(200)]
    calibration = calibrate.calibrate(pairs, rest)
    assert 0.6 < calibration.ratio < 0.7  # shrunk a little towards the model
    assert calibration.error < bytecode.RELATIVE_ERROR
    assert calibration.sampled == 20
    # the same ratio from two modules is trusted less
    few = calibrate.calibrate([(5_000, 3_000)] * 2, rest)
    assert calibration.ratio < few.ratio < 1.0
    assert few.error > calibration.error


def test_the_modules_compiled_for_certainty_do_not_set_the_ratio() -> None:
    # the largest modules (larger than any left) marshal to 1.3 of the model, the others 0.5
    certain = [(200_000, 260_000)] * 3
    spread_sample = [(m, m // 2) for m in range(1_000, 11_000, 1_000)]
    calibration = calibrate.calibrate(
        certain + spread_sample, [1_000 + i * 100 for i in range(100)]
    )
    assert calibration.sampled == len(spread_sample)
    assert calibration.ratio < 0.6


def test_the_error_grows_when_the_rest_is_one_large_module() -> None:
    pairs = [(m, round(m * 1.2)) for m in range(1_000, 11_000, 1_000)]
    spread_out = calibrate.calibrate(pairs, [10_000] + [1_000 + i * 90 for i in range(100)])
    one_module = calibrate.calibrate(pairs, [10_000])
    assert spread_out.ratio == pytest.approx(one_module.ratio)
    assert one_module.error > 2 * spread_out.error


def test_calibrated_sizes_scale_each_module() -> None:
    sized, calibration = calibrate.calibrated_sizes({"a": 1_000, "b": 3_000}, [(2_000, 1_000)] * 10)
    assert calibration.ratio < 1
    assert sized["a"][0] == round(1_000 * calibration.ratio)
    assert sized["b"][1] == round(sized["b"][0] * calibration.error)


# -- the compilers ----------------------------------------------------------------------

SOURCES = {
    "plain.py": b"def f(x):\n    return [i * x for i in range(10)]\n",
    "latin1.py": "# -*- coding: latin-1 -*-\nNAME = 'caf\xe9'\n".encode("latin-1"),
    "empty.py": b"",
    "escape.py": b"PATTERN = '\\d+'\n",
    "syntax.py": b"def broken(:\n    pass\n",
    "null.py": b"x = 1\x00\n",
}


def test_the_workers_compile_what_this_process_compiles() -> None:
    running = find(VERSION)
    assert running is not None and running.executable == sys.executable
    with Compiler(running, workers=2) as compiler, bytecode.silenced():
        for name, source in SOURCES.items():
            dfile = f"{SITE}/pkg/{name}"
            assert compiler.size(source, dfile) == bytecode.compiled_size(source, dfile), name
        # threads share the workers
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(8) as pool:
            sizes = list(pool.map(lambda i: compiler.size(b"x = %d\n" % i, f"/m{i}.py"), range(50)))
        assert sizes == [bytecode.compiled_size(b"x = %d\n" % i, f"/m{i}.py") for i in range(50)]


def test_a_python_that_is_not_there_is_not_found() -> None:
    assert find((3, 99)) is None
    broken = Compiler(Interpreter(sys.executable, "3.99.0"))
    with pytest.raises(CompilerError):
        broken.size(b"x = 1\n", "/x.py")  # the worker says it is another version
    broken.close()


def _other_python() -> tuple[tuple[int, int], Interpreter] | None:
    for minor in (10, 12, 13, 11):
        version = (3, minor)
        if version != VERSION:
            found = find(version)
            if found is not None:
                return version, found
    return None


def test_another_python_on_the_path_compiles_its_own_bytecode() -> None:
    other = _other_python()
    if other is None:
        pytest.skip("no other CPython 3.10-3.13 on PATH")
    version, interpreter = other
    source = SOURCES["plain.py"]
    dfile = f"/usr/local/lib/python{version[0]}.{version[1]}/site-packages/pkg/plain.py"
    script = (
        "import marshal, sys; src = sys.stdin.buffer.read(); "
        f"print(16 + len(marshal.dumps(compile(src, {dfile!r}, 'exec', dont_inherit=True))))"
    )
    expected = subprocess.run(
        [interpreter.executable, "-I", "-c", script], input=source, capture_output=True, check=True
    )
    with Compiler(interpreter) as compiler:
        assert compiler.size(source, dfile) == int(expected.stdout)


# -- end to end -------------------------------------------------------------------------


def _table(i: int, rng: random.Random) -> bytes:
    """A keyword table: it marshals to about half what the model says."""
    words = [
        "".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(3, 9)))
        for _ in range(60 + (i * 37) % 400)
    ]
    return (f"WORDS_{i} = (\n" + "".join(f"    {w!r},\n" for w in words) + ")\n").encode()


def _table_wheel(root: Path) -> Path:
    rng = random.Random(7)
    files = {f"tablepkg/t{i:03}.py": _table(i, rng) for i in range(120)}
    files["tablepkg/__init__.py"] = b""
    # mid-archive, large enough for the bytecode to be a small part of the set (sampled)
    files["tablepkg/t060_lib.so"] = random.Random(3).randbytes(10_000_000)
    return build_wheel(root, "tablepkg", "1.0", files=files)


def _run(server: IndexServer, cache: Path, **options: object) -> sizefloor.Report:
    return sizefloor.estimate(
        ["tablepkg", "smallpkg"],
        python=PY,
        use_pip_config=False,
        index_url=server.simple_url,
        cache_dir=cache,
        executable=sys.executable,
        **options,
    )


def test_the_default_run_calibrates_the_model_on_a_sample(
    index_server: ServerFactory, tmp_path: Path
) -> None:
    root = tmp_path / "wheels"
    wheel = _table_wheel(root)
    build_wheel(root, "smallpkg", "1.0", files={"smallpkg/__init__.py": _table(1, random.Random())})
    server = index_server(root)

    exact = _run(server, tmp_path / "exact", exact_bytecode=True)
    modelled = _run(server, tmp_path / "model", sample_bytecode=False)
    server.clear_log()
    sampled = _run(server, tmp_path / "sample")

    truth = exact.package("tablepkg")
    model = modelled.package("tablepkg")
    ours = sampled.package("tablepkg")
    assert truth.bytecode_exact and truth.error_bytes == 0
    # the model overshoots by far more than it states; the calibration does not
    assert model.bytecode_bytes - truth.bytecode_bytes > model.error_bytes
    assert abs(ours.bytecode_bytes - truth.bytecode_bytes) < 0.1 * truth.bytecode_bytes
    assert abs(ours.bytecode_bytes - truth.bytecode_bytes) <= ours.error_bytes
    assert ours.error_bytes < model.error_bytes / 2
    assert not ours.bytecode_exact
    # everything but the .pyc is the same
    assert ours.files == truth.files
    assert (
        ours.installed_bytes - ours.bytecode_bytes == truth.installed_bytes - truth.bytecode_bytes
    )

    # a sample was fetched: some of the modules, not the library
    assert 0 < sampled.transfer["source_bytes"] < exact.transfer["source_bytes"] / 2
    assert server.bytes_sent("/files/") < wheel.stat().st_size - 10_000_000
    assert modelled.transfer["source_bytes"] == 0

    # smallpkg states too small an error beside tablepkg's to be worth a sample:
    # the model alone sizes it, and none of its bytes are fetched
    assert not sampled.package("smallpkg").bytecode_exact
    assert sampled.package("smallpkg") == modelled.package("smallpkg")

    # alone, it is: a wheel whose modules fit the budget is compiled whole, exact
    alone = sizefloor.estimate(
        ["smallpkg"],
        python=PY,
        use_pip_config=False,
        index_url=server.simple_url,
        cache_dir=tmp_path / "alone",
        executable=sys.executable,
    )
    small = alone.package("smallpkg")
    assert small.bytecode_exact and small.error_bytes == 0
    assert small.contents == exact.package("smallpkg").contents

    # a warm run compiles from the cache: nothing fetched, the same figures
    server.clear_log()
    again = _run(server, tmp_path / "sample")
    assert again.transfer["source_bytes"] == 0 and server.bytes_sent("/files/") == 0
    assert again.package("tablepkg").contents == ours.contents


def test_sampling_reads_the_same_from_a_folder_and_without_ranges(
    index_server: ServerFactory, tmp_path: Path
) -> None:
    root = tmp_path / "wheels"
    _table_wheel(root)
    build_wheel(root, "smallpkg", "1.0", files={"smallpkg/__init__.py": b"X = 1\n"})
    ranged = _run(index_server(root), tmp_path / "a")
    whole = _run(index_server(root, ranges=False), tmp_path / "b")
    local = sizefloor.estimate(
        ["tablepkg", "smallpkg"],
        python=PY,
        use_pip_config=False,
        find_links=(str(root),),
        no_index=True,
        cache_dir=tmp_path / "c",
        executable=sys.executable,
    )
    for report in (whole, local):
        assert [p.contents for p in report.packages] == [p.contents for p in ranged.packages]
        assert [p.error_bytes for p in report.packages] == [p.error_bytes for p in ranged.packages]


def test_another_target_python_is_calibrated_by_its_own_interpreter(
    index_server: ServerFactory, tmp_path: Path
) -> None:
    other = _other_python()
    if other is None:
        pytest.skip("no other CPython 3.10-3.13 on PATH")
    version, _ = other
    root = tmp_path / "wheels"
    _table_wheel(root)
    build_wheel(root, "smallpkg", "1.0", files={"smallpkg/__init__.py": b"X = 1\n"})
    server = index_server(root)
    target = f"{version[0]}.{version[1]}"
    options: dict[str, object] = {
        "python": target,
        "use_pip_config": False,
        "index_url": server.simple_url,
    }
    sampled = sizefloor.estimate(["tablepkg", "smallpkg"], cache_dir=tmp_path / "a", **options)
    modelled = sizefloor.estimate(
        ["tablepkg", "smallpkg"], cache_dir=tmp_path / "b", sample_bytecode=False, **options
    )
    assert sampled.transfer["source_bytes"] > 0
    # the report says which interpreter calibrated the bytecode
    assert sampled.bytecode is not None and sampled.bytecode.method == "calibrated"
    assert sampled.bytecode.interpreter is not None
    assert sampled.bytecode.interpreter["version"].startswith(f"{target}.")
    assert modelled.bytecode is not None and modelled.bytecode.method == "modelled"
    table = sampled.package("tablepkg")
    assert table.bytecode_bytes < 0.8 * modelled.package("tablepkg").bytecode_bytes
    assert table.error_bytes < modelled.package("tablepkg").error_bytes


def test_the_cli_takes_model_bytecode() -> None:
    from sizefloor.cli.arguments import options_from_args
    from sizefloor.cli.estimate import build_parser

    args = build_parser().parse_args(["r.txt", "--model-bytecode"])
    args.pip_version = (26, 0)
    assert not options_from_args(args, None).sample_bytecode
    args = build_parser().parse_args(["r.txt"])
    args.pip_version = (26, 0)
    assert options_from_args(args, None).sample_bytecode
