#!/usr/bin/env python3
"""How close the calibrated bytecode comes, and what it costs, on real wheels.

sizefloor's default run, when a CPython of the target's version is at hand,
compiles some of each wheel's modules and corrects the ``.pyc`` model with
them (``sizefloor/install/calibrate.py``). This script replays exactly that
(sizefloor's own :func:`~sizefloor.install.calibrate.targets`,
:func:`~sizefloor.install.calibrate.choose` and
:func:`~sizefloor.install.calibrate.calibrated_sizes`) on the corpus of
``benchmarks/pyc_model.py``, whose every module was compiled by CPython 3.10 to
3.13, so the truth of every choice is known without a network:

    python benchmarks/calibration.py --work DIR     # DIR: pyc_model.py's corpus (built if missing)

It prints the tables and writes them to ``docs/calibration.md``.

1. **Each wheel alone** (208 one-package sets, the hardest: the bytecode is up
   to half of the set): the error of the whole set (files plus bytecode), its
   stated error, and the bytes fetched to compile the sample.
2. **The accuracy cases** (``benchmarks/cases/*.txt``, ``examples/*.txt``, as
   sizefloor resolves them for CPython 3.11 on linux/amd64; every wheel of
   them is in the corpus): the same per case.

A table per Python version; the model alone (``--model-bytecode``) beside it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import pyc_model  # noqa: E402

from sizefloor.install import bytecode, calibrate  # noqa: E402


@dataclass(frozen=True)
class Module:
    name: str
    size: int
    compressed: int
    modelled: int
    real: int


@dataclass(frozen=True)
class Wheel:
    filename: str
    modules: tuple[Module, ...]
    """The ``.py`` members pip compiles (and that compile), in the archive's order."""
    other_bytes: int
    """Every member's bytes: what the set holds besides bytecode (RECORD aside)."""

    @property
    def real(self) -> int:
        return sum(m.real for m in self.modules)

    @property
    def modelled(self) -> int:
        return sum(m.modelled for m in self.modules)


def corpus(work: Path, version: tuple[int, int]) -> dict[str, Wheel] | None:
    wheels = pyc_model.download(work)
    sizes = pyc_model.compiled_sizes(work, version, wheels)
    if sizes is None:
        return None
    found: dict[str, Wheel] = {}
    for path in wheels:
        with zipfile.ZipFile(path) as zf:
            other = sum(i.file_size for i in zf.infolist())
        modules = []
        for m in pyc_model.modules_of(path, version):
            real = sizes.get((path.name, m.member))
            if real is None:
                continue
            model = bytecode.pyc_size(m.size, m.path, version, compressed_size=m.compressed)
            modules.append(Module(m.member, m.size, m.compressed, model.size, real))
        found[path.name] = Wheel(path.name, tuple(modules), other)
    return found


@dataclass
class Outcome:
    real: int = 0
    estimate: int = 0
    stated: float = 0.0
    """Root-sum-square of the wheels' stated errors."""
    fetched: int = 0
    compiled: int = 0
    modules: int = 0


def calibrated(wheel: Wheel, target: int | None) -> tuple[int, int, int, int]:
    """(estimate, stated error, bytes fetched, modules compiled) of a wheel's bytecode,
    as sizefloor's default run makes them."""
    if target is None:
        estimate = wheel.modelled
        stated = sum(round(m.modelled * bytecode.RELATIVE_ERROR) for m in wheel.modules if m.size)
        return estimate, stated, 0, 0
    candidates = [
        calibrate.SampleModule(m.name, m.size, m.compressed, m.modelled) for m in wheel.modules
    ]
    chosen = set(calibrate.choose(candidates, target))
    fetched = sum(c.cost for c in candidates if c.name in chosen)
    known = sum(m.real for m in wheel.modules if m.name in chosen)
    pairs = [(m.modelled, m.real) for m in wheel.modules if m.name in chosen and m.size]
    empty = sum(m.modelled for m in wheel.modules if m.name not in chosen and not m.size)
    rest = {m.name: m.modelled for m in wheel.modules if m.name not in chosen and m.size}
    if not rest:
        return known + empty, 0, fetched, len(chosen)
    if pairs:
        sized, _ = calibrate.calibrated_sizes(rest, pairs)
        return (
            known + empty + sum(s for s, _ in sized.values()),
            sum(e for _, e in sized.values()),
            fetched,
            len(chosen),
        )
    stated = round(sum(rest.values()) * bytecode.RELATIVE_ERROR)
    return known + empty + sum(rest.values()), stated, fetched, len(chosen)


def run_set(wheels: list[Wheel], *, model_only: bool) -> Outcome:
    out = Outcome()
    shares = calibrate.targets([(w.modelled, w.other_bytes) for w in wheels])
    squares = 0.0
    for wheel, share in zip(wheels, shares, strict=True):
        estimate, stated, fetched, compiled = calibrated(wheel, None if model_only else share)
        out.real += wheel.other_bytes + wheel.real
        out.estimate += wheel.other_bytes + estimate
        squares += stated**2
        out.fetched += fetched
        out.compiled += compiled
        out.modules += len(wheel.modules)
    out.stated = math.sqrt(squares)
    return out


def case_sets(found: dict[str, Wheel], scratch: Path) -> dict[str, list[Wheel]]:
    """Each accuracy case's wheels, as sizefloor resolves it for CPython 3.11 on amd64."""
    cases = sorted((ROOT / "benchmarks" / "cases").glob("*.txt"))
    cases += sorted((ROOT / "examples").glob("*.txt"))
    sets: dict[str, list[Wheel]] = {}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    by_key = {pyc_model.wheel_key(name): w for name, w in found.items()}
    for case in cases:
        label = case.stem if case.parent.name == "cases" else f"examples/{case.stem}"
        done = subprocess.run(
            [sys.executable, "-m", "sizefloor", str(case), "--python", "3.11", "--platform",
             "linux/amd64", "--no-compile", "--format", "json", "--isolated", "-q",
             "--cache-dir", str(scratch)],
            capture_output=True, text=True, env=env, check=False, cwd=ROOT,
        )  # fmt: skip
        if done.returncode != 0:
            print(f"{label}: sizefloor fails, left out", file=sys.stderr)
            continue
        wheels = []
        for p in json.loads(done.stdout)["packages"]:
            wheel = by_key.get(pyc_model.wheel_key(str(p["filename"])))
            if wheel is not None:
                wheels.append(wheel)
            else:  # an sdist, or a wheel not in the corpus: files only
                wheels.append(Wheel(str(p["filename"]), (), int(p["installed_bytes"])))
        sets[label] = wheels
    return sets


def pct(a: float, b: float) -> str:
    return f"{(a - b) / b:+.3%}" if b else "—"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"]
    lines.append("|" + "|".join("-" * (w + 1) + ":" for w in widths) + "|")
    lines += ["| " + " | ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) + " |"
              for r in rows]  # fmt: skip
    return "\n".join(lines)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def alone_row(label: str, wheels: list[Wheel], model_only: bool) -> list[str]:
    errors: list[float] = []
    held = 0
    fetched = compiled = 0
    worst = ("", 0.0)
    for w in wheels:
        o = run_set([w], model_only=model_only)
        error = (o.estimate - o.real) / o.real
        errors.append(abs(error))
        held += abs(o.estimate - o.real) <= o.stated
        fetched += o.fetched
        compiled += o.compiled
        if abs(error) > abs(worst[1]):
            worst = (w.filename.split("-")[0], error)
    return [
        label,
        str(len(wheels)),
        f"{percentile(errors, 0.5):.3%}",
        f"{percentile(errors, 0.9):.3%}",
        f"{max(errors):.3%} ({worst[0]})",
        f"{sum(1 for e in errors if e <= 0.01)}/{len(errors)}",
        f"{held}/{len(errors)}",
        f"{fetched / 1e6:.1f} MB",
        f"{compiled:,}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--work", help="pyc_model.py's corpus folder (default: a temp dir)")
    parser.add_argument(
        "--versions", default="3.10,3.11,3.12,3.13", help="X.Y,... (default: 3.10 to 3.13)"
    )
    parser.add_argument(
        "--output", default=str(ROOT / "docs" / "calibration.md"), help="where to write them"
    )
    args = parser.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="sizefloor-pyc-"))
    versions = [tuple(int(x) for x in v.split(".")) for v in args.versions.split(",")]
    out: list[str] = []

    def say(text: str = "") -> None:
        """Print, and keep for the file."""
        out.append(text)
        sys.stdout.write(text + "\n")

    say("# Calibrated bytecode on the corpus\n")
    title = (__doc__ or "").splitlines()[0]
    say(f"Generated by `python benchmarks/calibration.py`: {title}\n")
    say(
        f"`sizefloor/install/calibrate.py`: GOAL {calibrate.GOAL:.1%}, PLAN_SPREAD "
        f"{calibrate.PLAN_SPREAD}, LEAST {calibrate.LEAST:,} B, WHOLE_SHARE "
        f"{calibrate.WHOLE_SHARE}. The corpus: `benchmarks/pyc_model.py`'s 208 wheels, every "
        "module compiled by each CPython; each set is sized as sizefloor's default run sizes "
        "it (`targets`, `choose`, `calibrated_sizes`), against the real compiled bytes. "
        "*within ±*: the truth lies within the stated error; *stated (rss)*: the wheels' "
        "stated errors, root-sum-square."
    )
    scratch = Path(tempfile.mkdtemp(prefix="sizefloor-calibration-"))
    sets: dict[str, list[Wheel]] | None = None
    for version in versions:
        found = corpus(work, version)  # type: ignore[arg-type]
        label = f"{version[0]}.{version[1]}"
        if found is None:
            say(f"\nPython {label}: no interpreter, skipped")
            continue
        wheels = [w for w in found.values() if w.modules]
        say(f"\n## CPython {label}\n\nEach wheel alone: |error| of the whole set "
              "(files + bytecode), the truth within the stated error, bytes fetched "
              "to compile:\n")  # fmt: skip
        header = ["run", "sets", "p50", "p90", "max", "within 1%", "within ±", "fetched",
                  "modules compiled"]  # fmt: skip
        rows = [alone_row("model alone", wheels, True), alone_row("calibrated", wheels, False)]
        say(table(header, rows))
        if sets is None:
            sets = case_sets(found, scratch)
        say("\nThe accuracy cases:\n")
        case_rows = []
        for name, members in sets.items():
            # the same wheels, with this version's compiled sizes
            members = [found.get(w.filename, w) for w in members]
            model = run_set(members, model_only=True)
            ours = run_set(members, model_only=False)
            case_rows.append([
                name, f"{ours.real:,}", pct(model.estimate, model.real),
                pct(ours.estimate, ours.real), f"±{ours.stated / ours.real:.2%}",
                f"{ours.compiled:,}/{ours.modules:,}", f"{ours.fetched / 1e3:,.0f} kB",
            ])  # fmt: skip
        say(table(["case", "truth bytes", "model alone", "calibrated", "stated (rss)",
                     "modules compiled", "fetched"], case_rows))  # fmt: skip
    Path(args.output).write_text("\n".join(out) + "\n", encoding="utf-8")
    sys.stderr.write(f"written to {args.output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
