#!/usr/bin/env python3
"""How close sizefloor's estimate is to what pip really installs.

For every (requirements file, target) pair this runs sizefloor, then installs
the same set for real with ``pip install --target`` for that target, measures
the directory, and asks pip for its own resolution. One table comes out,
printed and written to ``docs/accuracy.md`` (the method is written there too).

    python benchmarks/accuracy.py                      # all cases, 3 targets
    python benchmarks/accuracy.py --cases benchmarks/cases/six.txt --targets linux/arm64
    python benchmarks/accuracy.py --compile            # + byte-compiled, host target

It is a benchmark, not a test: it exits 0 unless it crashed, and reports a
case that cannot be estimated or installed for a target and goes on.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import glob
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _catalogue
import _foreign
import _measure

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "benchmarks" / "cases"
PY = f"{sys.version_info.major}.{sys.version_info.minor}"
ABI = f"cp{sys.version_info.major}{sys.version_info.minor}"
IMAGE_PREFIX = "/usr/local"
"""The prefix of the image sizefloor models (its default, the official Python
images'): launchers' ``#!`` lines name ``IMAGE_PREFIX/bin/pythonX.Y``."""
THRESHOLD = 0.001
"""Packages whose installed bytes are off by more than this share are listed."""
TIMEOUT = 900
BUILD_TIMEOUT = 300
COMPILED_LIST_MAX = 40
"""At most this many byte-compiled packages are listed (largest differences first)."""


# -- targets ------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSpec:
    label: str
    platform: str
    libc: str  # "glibc" or "musl"

    @property
    def sizefloor_args(self) -> list[str]:
        args = ["--platform", self.platform]
        if self.libc == "musl":
            args += ["--libc", "musl"]
        return args


def parse_target(text: str) -> TargetSpec:
    """``linux/amd64``, ``linux/arm64``, ``musl`` (= linux/amd64 with musl) or
    ``PLATFORM:musl``."""
    text = text.strip()
    if text == "musl":
        return TargetSpec("musl", "linux/amd64", "musl")
    if text.endswith(":musl"):
        return TargetSpec(text, text[: -len(":musl")], "musl")
    return TargetSpec(text, text, "glibc")


def host_target() -> TargetSpec | None:
    """The target the host interpreter is (for the byte-compiled comparison:
    the ``.pyc`` files pip writes are the host interpreter's)."""
    if sys.platform != "linux":
        return None
    arch = {"x86_64": "linux/amd64", "aarch64": "linux/arm64"}.get(platform.machine())
    if arch is None:
        return None
    if platform.libc_ver()[0] == "glibc":
        return TargetSpec(arch, arch, "glibc")
    return TargetSpec("musl" if arch == "linux/amd64" else f"{arch}:musl", arch, "musl")


# -- running things -------------------------------------------------------------


@dataclass
class Ran:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def why(self) -> str:
        """The last meaningful lines of the error output."""
        lines = [ln.strip() for ln in (self.stderr or self.stdout).splitlines() if ln.strip()]
        errors = [ln for ln in lines if "error" in ln.lower()]
        picked = (errors or lines)[-2:]
        text = " / ".join(picked) or f"exit status {self.returncode}"
        return text if len(text) <= 300 else text[:297] + "..."


def run(argv: list[str], *, env: dict[str, str] | None = None, timeout: float = TIMEOUT) -> Ran:
    start = time.monotonic()
    try:
        proc = subprocess.run(
            argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        return Ran(argv, proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    except subprocess.TimeoutExpired as exc:
        return Ran(argv, -1, "", f"timed out after {exc.timeout:.0f}s", time.monotonic() - start)


class Tools:
    """How sizefloor and pip are run (found once)."""

    def __init__(self) -> None:
        env = _measure.pip_environment()
        words = run([sys.executable, "-m", "pip", "--version"], env=env).stdout.split()
        self.pip_version = words[1] if len(words) > 1 else "?"
        words = run([sys.executable, "-m", "sizefloor", "--version"], env=env).stdout.split()
        self.sizefloor_version = words[-1] if words else "?"
        helptext = run([sys.executable, "-m", "sizefloor", "--help"], env=env).stdout
        self.sizefloor_extra: list[str] = []
        pip_xy = ".".join(self.pip_version.split(".")[:2])
        if "--pip-version" in helptext and pip_xy[:1].isdigit():
            self.sizefloor_extra += ["--pip-version", pip_xy]
        self.list_files = "--list-files" in helptext
        self.exact_bytecode = "--exact-bytecode" in helptext
        self.model_bytecode = "--model-bytecode" in helptext

    def sizefloor_argv(
        self,
        case: str,
        target: TargetSpec,
        *,
        compile_bytecode: bool,
        exact: bool = False,
        model: bool = False,
    ) -> list[str]:
        argv = [case, "--python", PY, *target.sizefloor_args, *self.sizefloor_extra]
        if not compile_bytecode:
            argv.append("--no-compile")
        elif exact:
            argv.append("--exact-bytecode")
        elif model:
            argv.append("--model-bytecode")
        return [*argv, "--format", "json", "--isolated", "-q"]

    def sizefloor(
        self,
        case: Path,
        target: TargetSpec,
        *,
        compile_bytecode: bool,
        exact: bool = False,
        model: bool = False,
    ) -> Ran:
        argv = self.sizefloor_argv(
            str(case), target, compile_bytecode=compile_bytecode, exact=exact, model=model
        )
        if self.list_files:
            argv.append("--list-files")
        return run([sys.executable, "-m", "sizefloor", *argv], env=_measure.pip_environment())


def pip(*args: str, env: dict[str, str] | None = None, timeout: float = TIMEOUT) -> Ran:
    return run(
        [sys.executable, "-m", "pip", *args],
        env=env or _measure.pip_environment(),
        timeout=timeout,
    )


def pip_as_image(*args: str, env: dict[str, str] | None = None) -> Ran:
    """pip, writing ``#!IMAGE_PREFIX/bin/pythonX.Y`` into scripts (see _measure)."""
    exe = f"{IMAGE_PREFIX}/bin/python{PY}"
    argv = [sys.executable, str(Path(_measure.__file__)), "pip-as", exe, *args]
    return run(argv, env=env or _measure.pip_environment())


def platform_args(tags: list[str]) -> list[str]:
    args = ["--only-binary=:all:", "--python-version", PY, "--implementation", "cp", "--abi", ABI]
    for tag in tags:
        args += ["--platform", tag]
    return args


# -- one (case, target) -------------------------------------------------------------


@dataclass
class PackageRow:
    name: str
    version: str
    truth: int | None
    estimate: int | None
    truth_files: int | None
    est_files: int | None
    exact: bool = True
    error_bytes: int = 0
    truth_pyc: int = 0
    est_pyc: int = 0
    bytecode_exact: bool = False
    why: list[str] = field(default_factory=list)
    """Files whose size or presence differs (the estimate's file list against RECORD)."""

    @property
    def diff(self) -> int | None:
        if self.truth is None or self.estimate is None:
            return None
        return self.estimate - self.truth

    def off(self, threshold: float = THRESHOLD) -> bool:
        if self.truth is None or self.estimate is None:
            return True
        if self.truth == 0:
            return self.estimate != 0
        return abs(self.estimate - self.truth) / self.truth > threshold


@dataclass
class Outcome:
    case: str
    target: str
    compiled: bool = False
    exact_bytecode: bool = False
    """Sized with ``--exact-bytecode`` (the ``.pyc`` files compiled, not modelled)."""
    model_bytecode: bool = False
    """Sized with ``--model-bytecode`` (the model alone, not calibrated on a sample)."""
    packages: int | None = None
    truth_bytes: int | None = None
    est_bytes: int | None = None
    truth_files: int | None = None
    est_files: int | None = None
    truth_disk: int | None = None
    est_disk: int | None = None
    truth_pyc: int = 0
    est_pyc: int = 0
    estimated: list[str] = field(default_factory=list)
    pins_equal: str = "—"
    pin_diffs: list[str] = field(default_factory=list)
    record_adjustment: int = 0
    rows: list[PackageRow] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    exact_bytecode_pyc: int = 0
    """Bytecode bytes the estimate compiled exactly (the rest modelled)."""
    est_error: int = 0
    """The estimate's stated error (``totals.error_bytes``)."""
    also: list[Outcome] = field(default_factory=list)
    """More outcomes measured against the same truth (``--exact-bytecode``,
    ``--model-bytecode``)."""


class Bench:
    def __init__(self, tools: Tools, args: argparse.Namespace, scratch: str) -> None:
        self.tools = tools
        self.args = args
        self.scratch = scratch
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.wheelhouse = os.path.join(scratch, "built-wheels")
        os.makedirs(self.wheelhouse, exist_ok=True)

    def build_sdists(self, packages: list[dict[str, Any]], out: Outcome) -> bool:
        """Build a wheel (on this host) for each package sizefloor sized from a
        pure-Python sdist, into the wheelhouse the pip runs use as --find-links.
        One that compiles native code is not built: False (no truth)."""
        for p in packages:
            if str(p["filename"]).endswith(".whl"):
                continue
            spec = f"{p['name']}=={p['version']}"
            if "native" in str(p.get("note") or ""):
                out.failures.append(
                    f"{spec} has no wheel for this target and its sdist compiles native code: "
                    "the benchmark builds no native code, so there is no truth "
                    "(`pip install --only-binary=:all:` fails the same way)"
                )
                return False
            with self._lock:
                lock = self._locks.setdefault(spec, threading.Lock())
            with lock:
                stem = str(canonicalize_name(str(p["name"]))).replace("-", "_")
                built = [
                    f
                    for f in os.listdir(self.wheelhouse)
                    if str(canonicalize_name(f.split("-")[0])).replace("-", "_") == stem
                    and f.split("-")[1] == str(p["version"])
                ]
                if built:
                    continue
                ran = pip(
                    "wheel",
                    "--no-deps",
                    "--no-binary",
                    str(p["name"]),
                    spec,
                    "-w",
                    self.wheelhouse,
                    "--quiet",
                    timeout=BUILD_TIMEOUT,
                )
                if not ran.ok:
                    out.failures.append(f"pip could not build {spec} from its sdist: {ran.why()}")
                    return False
        return True

    def run_case(
        self, case: Path, target: TargetSpec, tags: list[str], *, compiled: bool
    ) -> Outcome:
        start = time.monotonic()
        out = Outcome(
            case_label(case), target.label + (" (compiled)" if compiled else ""), compiled
        )
        work = tempfile.mkdtemp(dir=self.scratch)
        try:
            self._run_case(case, target, tags, out, work, compiled)
        except Exception as exc:  # report it in the table, go on with the others
            out.failures.append(f"benchmark error: {type(exc).__name__}: {exc}")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        out.seconds = time.monotonic() - start
        return out

    def variant(
        self,
        out: Outcome,
        case: str,
        target: str,
        truth: _measure.TargetMeasure,
        label: str,
        flag: str,
        **how: bool,
    ) -> None:
        """The compiled comparison again with sizefloor run another way (``flag``),
        against the same truth, as an extra row of ``out``."""
        row = Outcome(
            out.case, out.target.replace(")", f", {label})"), True, bool(how.get("exact"))
        )
        row.model_bytecode = bool(how.get("model"))
        ran = self.tools.sizefloor(case, target, compile_bytecode=True, **how)
        if ran.ok:
            report = json.loads(ran.stdout)
            fill_estimate(row, report)
            row.truth_bytes, row.truth_files = out.truth_bytes, out.truth_files
            row.truth_disk, row.truth_pyc = out.truth_disk, out.truth_pyc
            row.record_adjustment = out.record_adjustment
            compare(row, report, truth, True)
        else:
            row.failures.append(f"sizefloor {flag} fails: {ran.why()}")
        out.also.append(row)

    def _run_case(
        self,
        case: Path,
        target: TargetSpec,
        tags: list[str],
        out: Outcome,
        work: str,
        compiled: bool,
    ) -> None:
        # 1. the estimate
        ran = self.tools.sizefloor(case, target, compile_bytecode=compiled)
        report: dict[str, Any] | None = None
        if ran.ok:
            report = json.loads(ran.stdout)
            tags = list(report["target"]["platform_tags"])
        else:
            out.failures.append(f"sizefloor fails: {ran.why()}")
        pipargs = platform_args(tags)
        truth_possible = report is not None
        if report is not None:
            packages = report["packages"]
            fill_estimate(out, report)
            if any(not str(p["filename"]).endswith(".whl") for p in packages):
                truth_possible = self.build_sdists(packages, out)
                pipargs += ["--find-links", self.wheelhouse]

        # 3. pip's own resolution, without pins; run even when sizefloor
        # failed, to tell whether pip can install the case for this target
        if not compiled:
            pip_report = os.path.join(work, "pip-report.json")
            dry = pip(
                "install",
                "--dry-run",
                "--ignore-installed",
                "--report",
                pip_report,
                "--quiet",
                *pipargs,
                "-r",
                str(case),
            )
            if not dry.ok:
                out.pins_equal = "pip fails too" if report is None else "pip fails"
                out.failures.append(
                    f"pip cannot resolve it either: {dry.why()}"
                    if report is None
                    else f"pip cannot resolve it: {dry.why()}"
                )
            elif report is not None:
                with open(pip_report, encoding="utf-8") as f:
                    pip_pins = {
                        str(canonicalize_name(i["metadata"]["name"])): str(i["metadata"]["version"])
                        for i in json.load(f)["install"]
                    }
                ours = {
                    str(canonicalize_name(p["name"])): str(p["version"]) for p in report["packages"]
                }
                out.pin_diffs = pin_differences(ours, pip_pins)
                out.pins_equal = "yes" if not out.pin_diffs else "no"
            else:
                out.pins_equal = "pip resolves it"
        if report is None or not truth_possible:
            return

        # 2. the truth: pip installs the very versions sizefloor resolved
        pins = os.path.join(work, "pins.txt")
        with open(pins, "w", encoding="utf-8") as f:
            for p in report["packages"]:
                f.write(f"{p['name']}=={p['version']}\n")
        target_dir = os.path.join(work, "target")
        env = None
        if compiled:
            env = _measure.pip_environment()
            env.pop("PYTHONDONTWRITEBYTECODE", None)
        install = pip_as_image(
            "install",
            "--target",
            target_dir,
            *([] if compiled else ["--no-compile"]),
            *pipargs,
            "-r",
            str(case),
            "-c",
            pins,
            "--no-warn-script-location",
            "--ignore-installed",
            "--disable-pip-version-check",
            "--quiet",
            env=env,
        )
        if not install.ok:
            out.failures.append(f"pip install fails: {install.why()}")
            return
        truth = _measure.measure_target(target_dir, PY)
        out.truth_bytes = truth.installed_bytes
        out.truth_files = truth.files
        out.truth_disk = truth.disk_bytes
        out.truth_pyc = sum(size for path, size in truth.sizes.items() if path.endswith(".pyc"))
        out.record_adjustment = truth.installed_bytes - truth.raw_installed_bytes
        if truth.unowned:
            out.notes.append(
                f"{len(truth.unowned)} files no RECORD lists, e.g. {truth.unowned[:3]}"
            )
        if truth.shared:
            shared = sorted(truth.shared.items())
            out.notes.append(
                f"{len(shared)} files written by more than one distribution "
                "(counted for each in the per-package figures), e.g. "
                + ", ".join(f"{p} ({' + '.join(n)})" for p, n in shared[:3])
            )
        compare(out, report, truth, compiled)
        if compiled and self.tools.exact_bytecode:
            self.variant(out, case, target, truth, "exact", "--exact-bytecode", exact=True)
        if compiled and self.tools.model_bytecode:
            self.variant(out, case, target, truth, "model alone", "--model-bytecode", model=True)
        if self.args.keep:
            name = f"{out.case}-{out.target}"
            dest = os.path.join(
                self.args.keep, "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
            )
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(target_dir, dest, symlinks=True)
            with open(dest + ".json", "w", encoding="utf-8") as f:
                json.dump(report, f, indent=1)


def within(out: Outcome | None) -> str:
    """How many of an outcome's packages with bytecode (sized from wheels) have
    their real ``.pyc`` bytes within the stated error: ``n/m``."""
    if out is None:
        return "—"
    rows = [r for r in out.rows if r.exact and r.truth_pyc and r.truth is not None]
    held = sum(1 for r in rows if abs(r.est_pyc - r.truth_pyc) <= r.error_bytes)
    return f"{held}/{len(rows)}"


def fill_estimate(out: Outcome, report: dict[str, Any]) -> None:
    """The estimate's side of an outcome, from sizefloor's JSON report."""
    packages = report["packages"]
    out.packages = len(packages)
    totals = report["totals"]
    out.est_bytes = totals["installed_bytes"]
    out.est_files = totals["files"]
    out.est_disk = totals["disk_bytes"]
    out.est_pyc = sum(int(p.get("bytecode_bytes") or 0) for p in packages)
    out.exact_bytecode_pyc = sum(
        int(p.get("bytecode_bytes") or 0) for p in packages if p.get("bytecode_exact")
    )
    out.estimated = [p["name"] for p in packages if not p.get("exact", True)]
    out.est_error = int(totals.get("error_bytes") or 0)


def compare(
    out: Outcome, report: dict[str, Any], truth: _measure.TargetMeasure, compiled: bool
) -> None:
    """Package by package, the estimate against what pip installed."""
    est_by_name = {str(canonicalize_name(p["name"])): p for p in report["packages"]}
    for name in sorted(set(est_by_name) | set(truth.distributions)):
        est = est_by_name.get(name)
        dist = truth.distributions.get(name)
        row = PackageRow(
            name=name,
            version=(est or {}).get("version") or (dist.version if dist else "?"),
            truth=dist.installed_bytes if dist else None,
            estimate=est["installed_bytes"] if est else None,
            truth_files=dist.file_count if dist else None,
            est_files=est["files"] if est else None,
            exact=bool(est.get("exact", True)) if est else True,
            error_bytes=int(est.get("error_bytes") or 0) if est else 0,
            truth_pyc=sum(s for p, s in dist.prefix_files.items() if p.endswith(".pyc"))
            if dist
            else 0,
            est_pyc=int(est.get("bytecode_bytes") or 0) if est else 0,
            bytecode_exact=bool(est.get("bytecode_exact")) if est else False,
        )
        if dist is None:
            row.why = ["pip did not install it"]
        elif est is None:
            row.why = ["sizefloor did not resolve it"]
        elif not row.exact:
            row.why = ["sized from its sdist: no file list to compare"]
        elif row.diff or row.truth_files != row.est_files:
            row.why = file_differences(
                dist.prefix_files, est.get("contents"), compiled and not row.bytecode_exact
            )
        out.rows.append(row)


def file_differences(
    truth: dict[str, int], contents: list[dict[str, Any]] | None, modelled_pyc: bool
) -> list[str]:
    """Where a package's installed files and its estimate part ways, largest first
    (``.pyc`` sizes left out when they are modelled: the .pyc columns show them)."""
    if contents is None:
        return ["(no file list from sizefloor)"]
    est = {str(c["path"]): int(c["bytes"]) for c in contents}
    found: list[tuple[int, str]] = []
    pyc_only_in_truth = [p for p in truth if p not in est and p.endswith(".pyc")]
    for path in sorted(set(truth) | set(est)):
        a, b = truth.get(path), est.get(path)
        if a == b:
            continue
        if modelled_pyc and path.endswith(".pyc") and a is not None and b is not None:
            continue  # modelled: the per-package .pyc columns show it
        if a is None:
            found.append((b or 0, f"only in estimate: {path} ({b:,})"))
        elif b is None:
            if path in pyc_only_in_truth and len(pyc_only_in_truth) > 3:
                continue
            found.append((a, f"only installed: {path} ({a:,})"))
        else:
            found.append((abs(b - a), f"{path}: {a:,} installed, {b:,} estimated ({b - a:+,})"))
    if len(pyc_only_in_truth) > 3:
        total = sum(truth[p] for p in pyc_only_in_truth)
        found.append(
            (
                total,
                f"{len(pyc_only_in_truth)} .pyc files only installed, {total:,} bytes, "
                f"e.g. {pyc_only_in_truth[0]}",
            )
        )
    found.sort(key=lambda item: -item[0])
    lines = [text for _, text in found[:4]]
    if len(found) > 4:
        lines.append(f"… {len(found) - 4} more")
    return lines


def pin_differences(ours: dict[str, str], theirs: dict[str, str]) -> list[str]:
    diffs = []
    for name in sorted(set(ours) | set(theirs)):
        a, b = ours.get(name), theirs.get(name)
        if a is not None and b is not None and same_version(a, b):
            continue
        diffs.append(f"{name}: sizefloor {a or '—'}, pip {b or '—'}")
    return diffs


def same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def case_label(case: Path) -> str:
    """``django-app`` for benchmarks/cases/django-app.txt, ``examples/x`` for others."""
    path = case.resolve()
    if path.parent == CASES_DIR:
        return path.stem
    try:
        return str(path.relative_to(ROOT).with_suffix(""))
    except ValueError:
        return str(path)


# -- the report ------------------------------------------------------------------


def fmt_int(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def fmt_pct(est: int | None, truth: int | None) -> str:
    if est is None or truth is None:
        return "—"
    if truth == 0:
        return "+0.000%" if est == 0 else "∞"
    return f"{(est - truth) / truth * 100:+.3f}%"


def fmt_diff(est: int | None, truth: int | None) -> str:
    if est is None or truth is None:
        return "—"
    return f"{est - truth:+,}"


HEADER = (
    "case",
    "target",
    "packages",
    "truth bytes",
    "estimate",
    "error %",
    "truth files",
    "est. files",
    "files error",
    "truth disk",
    "est. disk",
    "disk error %",
    "pins equal",
)
LEFT = {
    "case", "target", "pins equal", "package", "why", "files that differ", "entry", "arch",
    "method", "source", "list commit", "found in", "truth within ±",
}  # fmt: skip


def table_row(o: Outcome) -> list[str]:
    return [
        o.case + (" ~" if o.estimated else ""),
        o.target,
        fmt_int(o.packages),
        fmt_int(o.truth_bytes),
        fmt_int(o.est_bytes),
        fmt_pct(o.est_bytes, o.truth_bytes),
        fmt_int(o.truth_files),
        fmt_int(o.est_files),
        fmt_diff(o.est_files, o.truth_files),
        fmt_int(o.truth_disk),
        fmt_int(o.est_disk),
        fmt_pct(o.est_disk, o.truth_disk),
        o.pins_equal if not o.compiled else "n/a",
    ]


def markdown_table(header: tuple[str, ...] | list[str], rows: list[list[str]]) -> str:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    left = {i for i, h in enumerate(header) if h in LEFT}

    def line(cells: list[str] | tuple[str, ...]) -> str:
        return (
            "| "
            + " | ".join(
                c.ljust(w) if i in left else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    sep = (
        "|"
        + "|".join(
            "-" * (w + 2) if i in left else "-" * (w + 1) + ":" for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def package_rows(items: list[tuple[Outcome, PackageRow]], *, compiled: bool) -> str:
    header = [
        "case",
        "target",
        "package",
        "truth",
        "estimate",
        "diff",
        "error %",
        "truth files",
        "est. files",
    ]
    if compiled:
        header += ["truth .pyc", "est. .pyc", ".pyc error %"]
    header += ["files that differ"]
    rows = []
    for o, r in items:
        label = f"{r.name} {r.version}" + ("" if r.exact else f" ~ (stated ±{r.error_bytes:,})")
        row = [
            o.case,
            o.target.replace(" (compiled)", ""),
            label,
            fmt_int(r.truth),
            fmt_int(r.estimate),
            fmt_diff(r.estimate, r.truth),
            fmt_pct(r.estimate, r.truth),
            fmt_int(r.truth_files),
            fmt_int(r.est_files),
        ]
        if compiled:
            row += [fmt_int(r.truth_pyc), fmt_int(r.est_pyc), fmt_pct(r.est_pyc, r.truth_pyc)]
        row += ["; ".join(r.why).replace("|", "\\|")]
        rows.append(row)
    return markdown_table(header, rows)


def render(outcomes: list[Outcome], meta: dict[str, str]) -> str:
    plain = [o for o in outcomes if not o.compiled]
    compiled = [o for o in outcomes if o.compiled]
    parts = [
        "# sizefloor accuracy",
        "",
        f"Generated {meta['date']} by `{meta['command']}` in {meta['duration']}.  ",
        f"sizefloor {meta['sizefloor']}, pip {meta['pip']}, Python {meta['python']}, "
        f"on {meta['host']}; {meta['cases']} cases x {meta['targets']}.",
        "",
        "Estimate: `sizefloor CASE --python X.Y --platform P [--libc musl] --no-compile`. "
        "Truth: `pip install --target` of the same versions for the same target, measured "
        "(see [Method](#method)). Error = (estimate - truth) / truth. `~` after a case: "
        "sizefloor sized some packages from an sdist (an estimate with a stated error).",
        "",
        markdown_table(HEADER, [table_row(o) for o in plain]),
    ]
    modelled = [o for o in compiled if not o.exact_bytecode and not o.model_bytecode]
    exact = {o.case: o for o in compiled if o.exact_bytecode}
    alone = {o.case: o for o in compiled if o.model_bytecode}
    if compiled:
        parts += [
            "",
            "Byte-compiled (pip's default: `.pyc` files included), host target only. "
            "sizefloor models `.pyc` sizes, the model calibrated on a sample of each "
            "wheel's modules compiled (its default when the target's Python is here); "
            "everything else should be exact:",
            "",
            markdown_table(HEADER, [table_row(o) for o in modelled]),
        ]
        if alone:
            parts += [
                "",
                "The same, sized with `--model-bytecode` (the model alone: no module "
                "fetched or compiled):",
                "",
                markdown_table(HEADER, [table_row(o) for o in alone.values()]),
            ]
        if exact:
            parts += [
                "",
                "The same, sized with `--exact-bytecode` (the target's Python is the one "
                "running sizefloor: each wheel's `.py` files are fetched by range and "
                "compiled, nothing is modelled):",
                "",
                markdown_table(HEADER, [table_row(o) for o in exact.values()]),
            ]
        parts += [
            "",
            markdown_table(
                [
                    "case",
                    "truth .pyc",
                    *(["model alone", "model error %", "model ±", "within ±"] if alone else []),
                    "modelled .pyc",
                    ".pyc error %",
                    "stated ±",
                    "within ±",
                    *(["compiled .pyc (exact)", "exact error %"] if exact else []),
                    "everything else: diff",
                ],
                [
                    [
                        o.case,
                        fmt_int(o.truth_pyc),
                        *(
                            [
                                fmt_int(alone[o.case].est_pyc if o.case in alone else None),
                                fmt_pct(
                                    alone[o.case].est_pyc if o.case in alone else None,
                                    o.truth_pyc,
                                ),
                                fmt_int(alone[o.case].est_error if o.case in alone else None),
                                within(alone.get(o.case)),
                            ]
                            if alone
                            else []
                        ),
                        fmt_int(o.est_pyc),
                        fmt_pct(o.est_pyc, o.truth_pyc),
                        fmt_int(o.est_error),
                        within(o),
                        *(
                            [
                                fmt_int(exact[o.case].est_pyc if o.case in exact else None),
                                fmt_pct(
                                    exact[o.case].est_pyc if o.case in exact else None,
                                    o.truth_pyc,
                                ),
                            ]
                            if exact
                            else []
                        ),
                        fmt_diff(
                            None if o.est_bytes is None else o.est_bytes - o.est_pyc,
                            None if o.truth_bytes is None else o.truth_bytes - o.truth_pyc,
                        ),
                    ]
                    for o in modelled
                ],
            ),
        ]
    failures = [(o, f) for o in outcomes for f in o.failures]
    if failures:
        parts += ["", "## Cases without a comparison", ""]
        parts += [f"- {o.case} / {o.target}: {f}" for o, f in failures]
    diffs = [o for o in plain if o.pin_diffs]
    parts += ["", "## Resolution: sizefloor against `pip install --dry-run`", ""]
    if diffs:
        parts += [f"- {o.case} / {o.target}: " + "; ".join(o.pin_diffs) for o in diffs]
    else:
        compared = sum(1 for o in plain if o.pins_equal == "yes")
        parts.append(f"The same versions in all {compared} compared (case, target) pairs.")

    off = [(o, r) for o in plain for r in o.rows if r.off()]
    parts += ["", f"## Packages off by more than {THRESHOLD:.1%}", ""]
    parts.append(package_rows(off, compiled=False) if off else "None.")
    small = [(o, r) for o in plain for r in o.rows if r.exact and r.diff and not r.off()]
    if small:
        parts += [
            "",
            f"Exactly sized packages off by less than {THRESHOLD:.1%} (they should be off by 0):",
            "",
            package_rows(small, compiled=False),
        ]
    if compiled:
        coff = sorted(
            ((o, r) for o in modelled for r in o.rows if r.off()),
            key=lambda item: -abs(item[1].diff or 0),
        )
        parts += ["", f"## Byte-compiled packages off by more than {THRESHOLD:.1%}", ""]
        if coff:
            if len(coff) > COMPILED_LIST_MAX:
                parts.append(f"The {COMPILED_LIST_MAX} largest differences of {len(coff)}:")
                parts.append("")
            parts.append(package_rows(coff[:COMPILED_LIST_MAX], compiled=True))
        else:
            parts.append("None.")
    if exact:
        eoff = [(o, r) for o in exact.values() for r in o.rows if r.diff]
        parts += ["", "## Packages sized with `--exact-bytecode` that differ at all", ""]
        parts.append(package_rows(eoff, compiled=True) if eoff else "None.")
    notes = [(o, n) for o in outcomes for n in o.notes]
    adjusted = [o for o in outcomes if o.record_adjustment]
    if notes or adjusted:
        parts += ["", "## Notes", ""]
        parts += [f"- {o.case} / {o.target}: {n}" for o, n in notes]
        if adjusted:
            by_case: dict[str, list[str]] = {}
            for o in adjusted:
                by_case.setdefault(o.case, [])
                if f"{o.record_adjustment:+,}" not in by_case[o.case]:
                    by_case[o.case].append(f"{o.record_adjustment:+,}")
            parts.append(
                "- RECORD rows rewritten to the prefix layout, bytes added to the truth: "
                + ", ".join(f"{case} {' / '.join(v)}" for case, v in by_case.items())
            )
    parts += [
        "",
        METHOD.format(
            prefix=IMAGE_PREFIX,
            py=PY,
            abi=ABI,
            threshold=f"{THRESHOLD:.1%}",
            sizefloor_args=meta["sizefloor_args"],
        ).rstrip(),
        "",
    ]
    return "\n".join(parts)


METHOD = """\
## Method

For each requirements file (case) and target:

1. **Estimate**: `python -m sizefloor CASE {sizefloor_args}`.
   `--python` is the running interpreter's version: pip evaluates environment
   markers with the host interpreter, so both sides then agree on them.
   `--pip-version` is the pip that installs the truth (launchers differ by
   pip version).
2. **Truth**: `pip install --target DIR --no-compile --only-binary=:all:
   --python-version {py} --implementation cp --abi {abi} --platform T1 --platform T2 …
   -r CASE -c PINS --ignore-installed`, where T1… are *all* the platform tags
   sizefloor lists for the target, in its order (pip does not expand
   `manylinux_2_X` to older versions by itself), and PINS pins every package
   to the version sizefloor resolved, so both sides measure the same set
   (only the top-level requirements get a `REQUESTED` file, as in real life).
   pip runs with `PIP_CONFIG_FILE=/dev/null` and without any `PIP_*`
   variable that could add an index or constraints; sizefloor with
   `--isolated`: both use the default index only.
   - pip runs through `benchmarks/_measure.py pip-as`, as the image's pip: it
     writes `#!{prefix}/bin/python{py}` (the interpreter of the image sizefloor
     models, prefix `{prefix}`) into launchers and `#!python` scripts instead
     of the path of the Python running the benchmark, and puts headers where
     a pip outside a virtualenv does.
   - *Installed bytes*: the sum of `st_size` of every regular file (lstat,
     `S_ISREG`) under DIR; *files*: their count.
   - `--target` lays files out with pip's home scheme: a RECORD row for a
     file outside site-packages reads `../../bin/x` where a prefix install
     (what sizefloor models) writes `../../../bin/x`, and headers go to
     `include/python/NAME` instead of `include/python{py}/NAME`. Each RECORD
     is counted at the size it has in a prefix install, its rows rewritten
     that way (exact; the bytes this adds are in the notes).
   - *Disk*: `du -s --block-size=1 DIR`, less the blocks of DIR itself and of
     `bin/`, `include/`, `share/` and `lib/` directly in it: in an image those
     are the prefix's own directories (site-packages, `PREFIX/bin` …), which
     sizefloor does not count either. Disk is thus the packages' files and the
     directories they create, as `du` counts them on this file system (ext4).
     A directory larger than one block is hashed (htree) and its size varies
     by a block or two from one install to the next.
   - *Per package*: each file is attributed to the distribution whose
     `*.dist-info/RECORD` lists it (paths resolved from the home scheme's
     site-packages, so `../../bin/x` is `DIR/bin/x`), and compared file by
     file with sizefloor's `--list-files` ("files that differ").
   - A package sizefloor sized from an **sdist** (no wheel exists for the
     target) is built into a wheel on this host first (`pip wheel --no-deps
     --no-binary NAME`) when it is pure Python, and both pip runs get that
     wheelhouse as `--find-links`; one whose sdist compiles native code is not
     built (no truth for that case and target). sizefloor's figure for such a
     package is an estimate with a stated error (shown as ±).
3. **Pins equal**: `pip install --dry-run --ignore-installed --report
   --only-binary=:all:` with the same target options and no pins; its
   {{name: version}} against sizefloor's resolution. pip evaluates markers
   such as `platform_machine` for the host, not for the target.
4. With `--compile`, for the host's own target only: sizefloor without
   `--no-compile` against `pip install --target` without `--no-compile`. A
   `.pyc` holds its source's path, and pip compiles in its temporary home
   (`TMP/pip-target-XXXXXXXX/lib/python/…`, `…/bin/…`) before moving it into
   DIR; `pip-as` has pip's own `compileall.compile_file(path, force=True,
   quiet=True)` call name the file as the image's pip does (with `ddir=`):
   site-packages joined with the file's RECORD path, not normalised
   (`{prefix}/lib/python{py}/site-packages/pkg/x.py`,
   `{prefix}/lib/python{py}/site-packages/../../../bin/x.py`): the `.pyc`
   files are then the image's, byte for byte.
   sizefloor's default there models the `.pyc` sizes and calibrates the
   model to a goal: the set's calibrated bytecode states at most 0.6% of the
   estimate as its error (root-sum-square over the wheels), each wheel's
   share growing with the square root of its modelled bytecode; a wheel whose
   model alone states less than its share is left to it. Each other wheel's
   largest modules are compiled for certain, then a deterministic sample of
   the others spread over the archive, sized for that share (the whole wheel
   when it costs little or nearly as much); they are fetched by range and
   compiled by the target's CPython, found where users keep it; the modules
   not compiled get the model times the spread sample's ratio of real to
   modelled bytes, shrunk towards 1 as far as it is uncertain, and a stated
   error from that uncertainty (`sizefloor/install/calibrate.py`). *stated ±*: the estimate's stated
   error (all of it `.pyc` but for packages sized from sdists); *within ±*:
   the packages (from wheels, with bytecode) whose real `.pyc` bytes lie
   within their stated error.
5. With `--compile` again, the same truth against sizefloor with
   `--model-bytecode` (the model alone: nothing fetched or compiled) and with
   `--exact-bytecode` (each wheel's `.py` files are fetched by range and
   compiled by the target's CPython, nothing is modelled).
6. With `--foreign X.Y`: the byte-compiled comparison for a CPython X.Y target
   while sizefloor runs on this Python (`benchmarks/_foreign.py`, described
   with its table).
7. With `--catalogue`: the runtime catalogue recomputed from its sources
   (`benchmarks/_catalogue.py`, described with its table).

Packages are listed when their installed bytes differ by more than
{threshold} of the truth, exactly sized ones also when they differ at all.
"""


# -- main ------------------------------------------------------------------------


def default_cases() -> list[str]:
    return sorted(glob.glob(str(ROOT / "examples" / "*.txt"))) + sorted(
        glob.glob(str(CASES_DIR / "*.txt"))
    )


def expand_cases(items: list[str]) -> list[Path]:
    cases: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            cases += sorted(path.glob("*.txt"))
        elif path.is_file():
            cases.append(path)
        else:
            matches = sorted(glob.glob(item))
            if not matches:
                sys.exit(f"accuracy.py: no such case: {item}")
            cases += [Path(m) for m in matches]
    return list(dict.fromkeys(c.resolve() for c in cases))


def target_tags(tools: Tools, target: TargetSpec) -> list[str]:
    """The target's platform tags, asked of sizefloor with a trivial requirement
    (pip gets them when sizefloor fails on a case)."""
    argv = ["-p", "six", *tools.sizefloor_argv("", target, compile_bytecode=False)[1:]]
    ran = run([sys.executable, "-m", "sizefloor", *argv], env=_measure.pip_environment())
    if not ran.ok:
        raise SystemExit(f"accuracy.py: sizefloor cannot size six for {target.label}: {ran.why()}")
    return list(json.loads(ran.stdout)["target"]["platform_tags"])


def _foreign_section(args: argparse.Namespace, cases: list[Path], build: Any) -> list[str]:
    """The foreign-target compiled table (``benchmarks/_foreign.py``)."""
    xy = args.foreign
    python = args.foreign_python or _foreign.find_python(xy)
    if python is None:
        return ["", f"## Byte-compiled for another Python: no CPython {xy} to install the truth"]
    print(f"foreign target: CPython {xy}, truth by {python}", file=sys.stderr)
    rows: dict[int, _foreign.ForeignRow] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {
            pool.submit(_foreign.run_case, case, case_label(case), xy, python, build): i
            for i, case in enumerate(cases)
        }
        for future in concurrent.futures.as_completed(futures):
            row = future.result()
            rows[futures[future]] = row
            print(
                f"  {row.case:24} {xy} (compiled, foreign) {row.seconds:6.1f}s  "
                f"{_foreign.pct(row.default.bytes, row.truth)} bytes"
                + (f"  {row.failures[0][:100]}" if row.failures else ""),
                file=sys.stderr,
            )
    running = platform.python_version()
    ordered = [rows[i] for i in range(len(cases))]
    return _foreign.render(ordered, xy, running, python, markdown_table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Compare sizefloor's estimates with real pip installs, per case and target.",
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        metavar="DIR_OR_FILE",
        help="requirements files or directories of them "
        "(default: examples/*.txt and benchmarks/cases/*.txt)",
    )
    parser.add_argument(
        "--targets",
        default="linux/amd64,linux/arm64,musl",
        help="comma-separated: linux/amd64, linux/arm64, musl (= linux/amd64 with musl), "
        "PLATFORM:musl (default: %(default)s)",
    )
    parser.add_argument(
        "--compile",
        action="store_true",
        help="also compare byte-compiled installs, for the host's own target",
    )
    parser.add_argument(
        "--output",
        default=str(ROOT / "docs" / "accuracy.md"),
        help="where to write the report (default: docs/accuracy.md)",
    )
    parser.add_argument(
        "--foreign",
        metavar="X.Y",
        help="also compare byte-compiled installs for a CPython X.Y target, sizefloor running "
        "on this Python and finding X.Y off PATH (benchmarks/_foreign.py)",
    )
    parser.add_argument(
        "--foreign-python",
        metavar="PATH",
        help="the CPython X.Y whose pip installs the truth (default: pyenv's, else on PATH)",
    )
    parser.add_argument(
        "--catalogue",
        action="store_true",
        help="also recompute the runtime catalogue's Debian-derived entries from Debian's "
        "archive (benchmarks/_catalogue.py)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="cases run at once (default: 2)")
    parser.add_argument(
        "--keep", metavar="DIR", help="copy each installed directory and estimate here, to diagnose"
    )
    args = parser.parse_args(argv)

    started = time.monotonic()
    cases = expand_cases(args.cases or default_cases())
    targets = list(dict.fromkeys(parse_target(t) for t in args.targets.split(",") if t.strip()))
    if not cases:
        sys.exit("accuracy.py: no cases")
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
    tools = Tools()
    tags = {t: target_tags(tools, t) for t in targets}
    jobs: list[tuple[Path, TargetSpec, bool]] = [(c, t, False) for c in cases for t in targets]
    if args.compile:
        host = host_target()
        if host is None:
            print(
                "--compile: this host is no Linux target sizefloor knows; skipped", file=sys.stderr
            )
        else:
            if host not in tags:
                tags[host] = target_tags(tools, host)
            jobs += [(c, host, True) for c in cases]

    print(
        f"{len(cases)} cases x {len(targets)} targets"
        f"{' + byte-compiled on the host target' if args.compile else ''}, {args.jobs} at a time",
        file=sys.stderr,
    )
    scratch = tempfile.mkdtemp(prefix="sizefloor-accuracy-")
    results: dict[int, Outcome] = {}
    bench = Bench(tools, args, scratch)

    def bench_build(packages: list[dict[str, Any]]) -> tuple[str | None, str]:
        """Wheels of the packages sized from sdists: (the wheelhouse, "") or (None, why not)."""
        out = Outcome("", "")
        if bench.build_sdists(packages, out):
            return bench.wheelhouse, ""
        return None, "; ".join(out.failures)

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {
                pool.submit(bench.run_case, c, t, tags[t], compiled=comp): i
                for i, (c, t, comp) in enumerate(jobs)
            }
            for future in concurrent.futures.as_completed(futures):
                o = future.result()
                results[futures[future]] = o
                status = (
                    "FAILED: " + o.failures[0]
                    if o.truth_bytes is None and o.failures
                    else f"{fmt_pct(o.est_bytes, o.truth_bytes)} bytes, pins equal: {o.pins_equal}"
                )
                print(
                    f"  {o.case:24} {o.target:24} {o.seconds:6.1f}s  {status}"[:200],
                    file=sys.stderr,
                )
        outcomes = [o for i in range(len(jobs)) for o in (results[i], *results[i].also)]
        return _finish(args, argv, started, tools, cases, targets, outcomes, bench_build)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _finish(
    args: argparse.Namespace,
    argv: list[str] | None,
    started: float,
    tools: Tools,
    cases: list[Path],
    targets: list[TargetSpec],
    outcomes: list[Outcome],
    bench_build: Any,
) -> int:
    """The report: the tables, then the foreign-target and catalogue sections, written."""
    elapsed = time.monotonic() - started
    given = sys.argv[1:] if argv is None else argv
    example_target = TargetSpec("P", "P", "glibc")
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python benchmarks/accuracy.py", *map(shlex.quote, given)]),
        "duration": f"{elapsed / 60:.1f} min",
        "sizefloor": tools.sizefloor_version,
        "pip": tools.pip_version,
        "python": platform.python_version(),
        "host": f"{platform.system()} {platform.machine()} ({' '.join(platform.libc_ver())})",
        "cases": str(len(cases)),
        "targets": ", ".join(t.label for t in targets),
        "sizefloor_args": " ".join(
            tools.sizefloor_argv("CASE", example_target, compile_bytecode=False)[1:]
        ).replace("--platform P", "--platform P [--libc musl]")
        + " --list-files" * tools.list_files,
    }
    text = render(outcomes, meta)
    extra = _foreign_section(args, cases, bench_build) if args.foreign else []
    if args.catalogue:
        print("recomputing the runtime catalogue's Debian-derived entries", file=sys.stderr)
        extra += _catalogue.render(markdown_table)
    if extra:
        head, sep, method = text.partition("\n## Method\n")
        text = head.rstrip("\n") + "\n" + "\n".join(extra) + "\n" + sep + method
    elapsed = time.monotonic() - started
    text = text.replace(meta["duration"], f"{elapsed / 60:.1f} min", 1)
    print(text)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text, encoding="utf-8")
    print(f"\nwritten to {args.output}; {elapsed:.0f} s in all", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
