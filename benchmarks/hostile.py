"""How sizefloor's time grows on hostile sizes: it must grow linearly.

Two inputs that took time in the square of their size before (issue 14):

- a wheel whose METADATA has N ``Requires-Dist`` lines, all on one project (the resolver
  intersected every specifier on every question it was asked);
- a requirements file with one requirement continued over N blank ``\\`` lines (pip's
  comment expression scanned the whole joined line once per blank run).

Everything is generated in a temporary directory and read through ``--find-links`` (no
network, no cache). Prints one table a case: N, seconds (best of ``--repeat``), seconds per
thousand lines. Linear growth shows as a flat last column.

    python benchmarks/hostile.py [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import sizefloor
from sizefloor.inputs.requirements import parse_requirements_text


def wheel(dest: Path, name: str, version: str, requires: list[str]) -> None:
    """A minimal pure wheel ``name-version`` declaring ``requires``."""
    dist_info = f"{name}-{version}.dist-info"
    metadata = "".join(
        [
            "Metadata-Version: 2.1\n",
            f"Name: {name}\nVersion: {version}\n",
            *(f"Requires-Dist: {r}\n" for r in requires),
            "\n",
        ]
    )
    members = {
        f"{name}/__init__.py": "",
        f"{dist_info}/METADATA": metadata,
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        f"{dist_info}/RECORD": "",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    (dest / f"{name}-{version}-py3-none-any.whl").write_bytes(buffer.getvalue())


def requires_dist(lines: int) -> Callable[[], object]:
    """A resolution of ``app``, whose ``lines`` Requires-Dist lines all name ``dep``."""
    where = Path(tempfile.mkdtemp(prefix="sizefloor-hostile-"))
    wheel(where, "app", "1.0", [f"dep>=0.{i}" for i in range(lines)])
    for version in ("1.0", "2.0"):
        wheel(where, "dep", version, [])

    def run() -> object:
        report = sizefloor.estimate(
            ["app"],
            python="3.12",
            find_links=[str(where)],
            no_index=True,
            use_pip_config=False,
            use_cache=False,
            sample_bytecode=False,
        )
        assert [(p.name, p.version) for p in report.packages] == [
            ("app", "1.0"),
            ("dep", "2.0"),
        ] or sorted(p.name for p in report.packages) == ["app", "dep"], report.packages
        return report

    return run


def continuations(lines: int) -> Callable[[], object]:
    text = "requests \\\n" + "    \\\n" * lines + ">=2\n"

    def run() -> object:
        reqs = parse_requirements_text(text, filename="requirements.txt", environ={})
        assert len(reqs.requirements) == 1
        return reqs

    return run


def best(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def table(
    title: str, sizes: list[int], make: Callable[[int], Callable[[], object]], repeat: int
) -> None:
    print(f"\n{title}\n")
    print("| lines | seconds | seconds per 1,000 lines |")
    print("| ---: | ---: | ---: |")
    for size in sizes:
        seconds = best(make(size), repeat)
        print(f"| {size:,} | {seconds:.3f} | {seconds / size * 1000:.4f} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (the best counts)")
    parser.add_argument("--quick", action="store_true", help="the two smaller sizes only")
    args = parser.parse_args()
    dist_sizes = [1_000, 4_000, 16_000, 64_000]
    line_sizes = [10_000, 40_000, 160_000]
    if args.quick:
        dist_sizes, line_sizes = dist_sizes[:2], line_sizes[:2]
    requires_dist(10)()  # imports and first-run costs, not the size's
    table(
        "Requires-Dist lines on one project (a whole estimate)",
        dist_sizes,
        requires_dist,
        args.repeat,
    )
    table("Continuation lines in one requirement (parsing)", line_sizes, continuations, args.repeat)


if __name__ == "__main__":
    main()
