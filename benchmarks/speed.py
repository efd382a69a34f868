"""How fast sizefloor answers, how much it transfers and how much memory it takes, beside its peers.

Run from the repository with the interpreter sizefloor is installed in::

    python benchmarks/speed.py                       # every case (~35 min on 2 cores)
    python benchmarks/speed.py --cases small --runs 1 --no-truth --no-peers   # a quick look

The cases, in ``benchmarks/speed-cases/``: ``small`` (a 5-requirement service), ``ml`` (a 40+ package
data/ML stack with large native wheels), ``lock`` (a 173-pin requirements lock), ``monolith`` (ten
services' 43 requirement lines in one image, some 240 packages), and the monolith locked:
``monolith-uv.lock`` and ``monolith-pylock.toml`` (``monolith-lock/``: made with ``uv lock`` and
``uv export --format pylock.toml`` from its ``pyproject.toml``, for Python 3.11 on linux x86_64; the
index and file hosts are written as ``index.invalid`` and ``files.invalid`` there, and put back from
pip's own default when the benchmark copies them). For linux/amd64 and this interpreter's Python
version, it measures whole processes:

- ``sizefloor`` cold (a fresh, empty ``--cache-dir`` per run) and ``uv pip compile`` cold (a fresh
  ``UV_CACHE_DIR`` per run), alternated run by run so that both see the same load; then both warm
  (sizefloor: the cache the last cold run filled, the remembered result answers; uv: its last cache),
  alternated too; then sizefloor *warm, edited* (the requirements with a comment added: resolved and
  sized again from the cached pages and wheels);
- what some of sizefloor's work costs: cold and warm with ``--ignore variant`` (no second estimate of
  the known lighter variants, run when the set names a known heavy requirement), warm with
  ``--base none`` (no runtime added), cold with ``--model-bytecode`` (no calibration sample compiled);
- ``pip install --dry-run --ignore-installed --report -`` for the same target (resolution alone), cold
  with ``--no-cache-dir`` and warm with a ``--cache-dir`` that an untimed run filled;
- the truth method: ``pip install --target`` plus summing the sizes of the files (cold, once);
- ``uv-packsize`` and ``pip-weigh`` from PyPI, each installed into its own scratch venv, cold and warm;
- what sizefloor transferred (its JSON ``transfer``: index pages and wheel bytes apart) against the
  chosen wheels' total size (``totals.download_bytes``), and for a lock file the index pages it
  fetched (the pages its cache holds after the cold run);
- the peak memory of each process: ``ru_maxrss`` of ``os.wait4`` (on Linux the largest resident set of
  the process or of any descendant it waited for);
- a scaling check: sizefloor cold and warm on a dependency-closed half of ``monolith.txt`` and on the
  whole.

For a lock file's case, uv and pip run on the requirements it was locked from (``monolith.txt``).
Times are wall-clock medians of ``--runs`` runs (pip: ``--pip-runs``; the peers that install
everything: ``--peer-runs``). Ratios are sizefloor ÷ the peer, same mode: below 1 means sizefloor is
faster (or smaller). It prints one table per case and writes them all to ``docs/performance.md``
(``--output``). Exit status is 0 unless the script itself fails; a tool that fails is reported, not
fatal.

Every child runs with ``PIP_CONFIG_FILE=/dev/null`` and without the ``PIP_*`` / ``UV_*`` variables that
choose indexes or constraints, and sizefloor with ``--isolated``: all tools read the same default index.
``PYTHONDONTWRITEBYTECODE`` is dropped and sizefloor's modules and its dependencies are compiled first,
as an installed sizefloor's are.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = Path(__file__).resolve().parent / "speed-cases"
DEFAULT_CASES = ("small", "ml", "lock", "monolith", "monolith-uv.lock", "monolith-pylock.toml")
LOCK_CASES = {
    "monolith-uv.lock": ("monolith-lock/uv.lock", "monolith"),
    "monolith-pylock.toml": ("monolith-lock/pylock.toml", "monolith"),
}
"""A lock file's case: the lock (hosts written as placeholders) and the case it was locked from."""
DEFAULT_OUTPUT = ROOT / "docs" / "performance.md"
PEERS = ("uv-packsize", "pip-weigh")

# PIP_* variables kept for the children: they change neither the index nor what gets installed.
PIP_ENV_KEPT = {
    "PIP_CERT",
    "PIP_CLIENT_CERT",
    "PIP_DEFAULT_TIMEOUT",
    "PIP_DISABLE_PIP_VERSION_CHECK",
}

MiB = 1024 * 1024

KEPT = "<!-- kept: written by hand, below the generated tables -->"
"""In the output file, what follows this line is kept when the tables are written again."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- running processes


@dataclass
class Run:
    """One finished child process."""

    argv: list[str]
    seconds: float
    cpu_seconds: float  # user + system, of the process and the descendants it waited for
    maxrss_kib: int
    returncode: int
    stdout: bytes
    stderr: str
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def failure(self) -> str:
        if self.timed_out:
            return f"timed out after {self.seconds:.0f} s"
        lines = [line for line in self.stderr.strip().splitlines() if line.strip()]
        tail = " / ".join(lines[-3:])[:400]
        return f"exit {self.returncode}: {tail or '(no stderr)'}"


LAUNCHER = r"""
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(report, "w") as f:
    f.write(f"{seconds!r} {usage.ru_utime + usage.ru_stime!r} {usage.ru_maxrss}")
code = os.waitstatus_to_exitcode(status)
os._exit(code if code >= 0 else 128 - code)
"""
"""Starts the measured command and reports its wall time, CPU time and peak RSS. A child's
``ru_maxrss`` starts at its parent's resident size (the child begins as a copy of it): a
child of this benchmark, which grows to 150 MiB over a run, reported at least that much
however little it used (``/bin/true`` gives 321 MiB under a 300 MiB parent). Started by a
small Python in isolated mode, the command is measured from there."""


def run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> Run:
    """Run ``argv`` to completion: wall time, CPU time and peak RSS from ``os.wait4`` in a
    small launcher (:data:`LAUNCHER`), output (via temp files)."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        report = Path(scratch) / "usage"
        timed_out = threading.Event()
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", LAUNCHER, str(report), *argv],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group, so a timeout can end all it started
        )

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, rusage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
        cpu_seconds, maxrss_kib = rusage.ru_utime + rusage.ru_stime, rusage.ru_maxrss
        with contextlib.suppress(OSError, ValueError):  # killed: the outer figures stand
            inner, inner_cpu, inner_rss = report.read_text().split()
            seconds, cpu_seconds, maxrss_kib = float(inner), float(inner_cpu), int(inner_rss)
        out.seek(0)
        err.seek(0)
        return Run(
            argv=argv,
            seconds=seconds,
            cpu_seconds=cpu_seconds,
            maxrss_kib=maxrss_kib,
            returncode=proc.returncode,
            stdout=out.read(),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=timed_out.is_set(),
        )


def child_env(base: dict[str, str], **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in base.items()
        if not (k.startswith("PIP_") and k not in PIP_ENV_KEPT)
        and not k.startswith("UV_")
        and k not in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE")
    }
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["UV_NO_CONFIG"] = "1"
    env.update(extra)
    return env


# --------------------------------------------------------------------------- results


@dataclass
class Measure:
    """Several runs of one method in one mode on one case."""

    method: str
    mode: str  # "cold" or "warm"
    runs: list[Run] = field(default_factory=list)
    packages: int | None = None
    note: str = ""
    skipped: str = ""

    @property
    def good(self) -> list[Run]:
        return [r for r in self.runs if r.ok]

    @property
    def median(self) -> float | None:
        good = self.good
        return statistics.median(r.seconds for r in good) if good else None

    @property
    def min(self) -> float | None:
        good = self.good
        return min(r.seconds for r in good) if good else None

    @property
    def cpu(self) -> float | None:
        good = self.good
        return statistics.median(r.cpu_seconds for r in good) if good else None

    @property
    def peak_mib(self) -> float | None:
        good = self.good
        return max(r.maxrss_kib for r in good) / 1024 if good else None


@dataclass
class CaseResult:
    name: str
    path: str
    requirements: int
    measures: list[Measure] = field(default_factory=list)
    transfer: dict | None = None  # sizefloor's cold-run transfer, with totals.download_bytes
    warm_transfers: list[dict] = field(
        default_factory=list
    )  # one per successful warm run, in order
    transfers_differ: bool = False
    truth_bytes: int | None = None
    sizefloor_json: dict | None = None  # the last cold run's report
    anomalies: list[str] = field(default_factory=list)
    lock: bool = False  # a lock file's case: uv and pip resolve the requirements it came from
    pages_fetched: int | None = None  # index pages in sizefloor's cache after a cold run
    variants: int = 0  # the lighter variants sizefloor measured (its "variant" findings)
    model_error: int | None = None  # --model-bytecode's installed bytes minus the calibrated
    notes: list[str] = field(default_factory=list)

    def get(self, method: str, mode: str) -> Measure | None:
        for m in self.measures:
            if m.method == method and m.mode == mode:
                return m
        return None


# --------------------------------------------------------------------------- helpers


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def fmt_s(value: float | None) -> str:
    return "—" if value is None else (f"{value:.2f}" if value < 100 else f"{value:.0f}")


def fmt_mib(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:.2f}×" if r >= 0.01 else f"{r:.4f}×"


def fmt_bytes(n: int | None) -> str:
    if n is None:
        return "—"
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def describe_transfer(t: dict) -> str:
    return (
        f"{t['requests']} requests, {fmt_bytes(t['index_page_bytes'])} index pages, "
        f"{fmt_bytes(t['wheel_bytes'])} wheel bytes, {fmt_bytes(t['metadata_bytes'])} metadata"
    )


def md_table(header: list[str], rows: list[list[str]], left: int = 2) -> str:
    """A markdown table: the first ``left`` columns and any ``note`` column left-aligned, numbers right."""
    right = [i for i, h in enumerate(header) if i >= left and h != "note"]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def tree_bytes(root: Path) -> tuple[int, int]:
    """Bytes and count of the regular files under ``root`` (symlinks not followed)."""
    total = files = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            if (st.st_mode & 0o170000) == 0o100000:
                total += st.st_size
                files += 1
    return total, files


def count_pages(cache: Path) -> int | None:
    """The index pages a sizefloor cache holds (each page fetched is stored): read from its
    database, without sizefloor."""
    db = cache / "cache.db"
    if not db.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as con:
            (n,) = con.execute(
                "SELECT count(*) FROM Cache WHERE key LIKE '%:page:%' AND key NOT LIKE '%#accepted:%'"
            ).fetchone()
    except sqlite3.Error:
        return None
    return int(n)


def manylinux_fallback(glibc: str = "2.41") -> list[str]:
    major, minor = (int(x) for x in glibc.split("."))
    tags = [f"manylinux_{major}_{m}_x86_64" for m in range(minor, 4, -1)]
    tags += ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"]
    return tags


def uv_platform_for(uv: str, glibc: str) -> tuple[str, str]:
    """The highest ``x86_64-manylinux_2_NN`` that this uv knows and that is <= the target's glibc."""
    want = tuple(int(x) for x in glibc.split("."))
    try:
        text = subprocess.run(
            [uv, "pip", "compile", "--help"], capture_output=True, text=True, timeout=60
        ).stdout
    except (OSError, subprocess.SubprocessError):
        text = ""
    found = {(2, int(m)) for m in re.findall(r"x86_64-manylinux_2_(\d+)", text)}
    if "x86_64-manylinux2014" in text:
        found.add((2, 17))
    usable = sorted(v for v in found if v <= want)
    if not usable:
        return (
            "x86_64-manylinux_2_28",
            "uv lists no manylinux platform; using x86_64-manylinux_2_28",
        )
    best = usable[-1]
    name = f"x86_64-manylinux_{best[0]}_{best[1]}"
    note = (
        ""
        if best == want
        else (
            f"uv {'knows no' if want not in found else 'lacks'} x86_64-manylinux_{want[0]}_{want[1]}: "
            f"uv runs use {name}, the newest it lists"
        )
    )
    return name, note


# --------------------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.python = sys.executable
        self.sizefloor_python = sys.executable
        """The interpreter sizefloor runs with: a scratch venv holding it and its dependencies
        alone (:meth:`install_sizefloor`), unless ``--in-place``."""
        self.sizefloor_env = "this environment (--in-place)"
        self.pyver = f"{sys.version_info.major}.{sys.version_info.minor}"
        self.uv = (
            args.uv
            or shutil.which("uv", path=str(Path(sys.executable).parent))
            or shutil.which("uv")
        )
        if not self.uv:
            raise SystemExit("speed.py: no uv found (pass --uv PATH)")
        self.scratch = Path(tempfile.mkdtemp(prefix="sizefloor-speed-", dir=args.scratch))
        self.env = child_env(dict(os.environ))
        self.serial = 0
        self.peer_bins: dict[str, Path] = {}
        self.peer_versions: dict[str, str] = {}
        self.peer_skips: dict[str, str] = {}
        self.uv_platform = "x86_64-manylinux_2_28"
        self.notes: list[str] = []
        self.results: list[CaseResult] = []
        self.scaling: dict | None = None
        self.tags: list[str] | None = None
        self.target: dict | None = None
        self.loads: list[float] = []  # 1-minute load average before each timed process

    # -- scratch space
    def fresh_dir(self, label: str) -> Path:
        self.serial += 1
        path = self.scratch / f"{self.serial:03d}-{label}"
        path.mkdir(parents=True)
        return path

    def measure(
        self,
        measure: Measure,
        argv: list[str],
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        label: str = "",
    ) -> Run:
        self.loads.append(os.getloadavg()[0])
        r = run(argv, env or self.env, cwd or ROOT, self.args.timeout)
        measure.runs.append(r)
        status = "ok" if r.ok else "FAILED " + r.failure()
        log(
            f"    {measure.method:<22} {measure.mode:<4} {label:<7} {r.seconds:7.2f} s "
            f"{r.maxrss_kib / 1024:6.0f} MiB  {status}"
        )
        return r

    # -- tools
    def versions(self) -> dict[str, str]:
        def first_line(argv: list[str]) -> str:
            try:
                out = subprocess.run(
                    argv, capture_output=True, text=True, env=self.env, cwd=ROOT, timeout=120
                )
                return (out.stdout or out.stderr).strip().splitlines()[0]
            except (OSError, subprocess.SubprocessError, IndexError):
                return "unknown"

        def git(*a: str) -> str:
            try:
                return subprocess.run(
                    ["git", *a], capture_output=True, text=True, cwd=ROOT
                ).stdout.strip()
            except OSError:
                return ""

        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", "sizefloor")
        return {
            "sizefloor": first_line([*self.sizefloor_command(), "--version"])
            + (
                f" (git {head}{', sizefloor/ modified in the work tree' if dirty else ''})"
                if head
                else ""
            ),
            "pip": " ".join(first_line([self.python, "-m", "pip", "--version"]).split()[:2]),
            "uv": first_line([self.uv, "--version"]),
            "Python": platform.python_version() + f" ({self.python})",
            **self.peer_versions,
        }

    def install_sizefloor(self) -> None:
        """Install sizefloor as a user does (``pip install .``: not editable, with its
        dependencies alone, modules compiled) into a scratch venv and time that. The
        development environment's editable finder costs each start-up 16-22 ms, and its
        development tools (import-linter brings rich and click) have httpx import its own
        command line, 60 ms of a cold run: neither is in a user's install."""
        if self.args.in_place:
            return
        venv = self.scratch / "tools" / "sizefloor"
        log("installing sizefloor (pip install .) into a scratch venv ...")
        made = run([sys.executable, "-m", "venv", str(venv)], self.env, ROOT, 600)
        python = venv / "bin" / "python"
        pip = (
            run([str(python), "-m", "pip", "install", "--quiet", str(ROOT)], self.env, ROOT, 900)
            if made.ok
            else made
        )
        if not pip.ok:
            self.notes.append(
                f"sizefloor could not be installed into a scratch venv ({pip.failure()}): "
                "timed in this environment"
            )
            return
        self.sizefloor_python = str(python)
        self.sizefloor_env = "a scratch venv: `pip install .`, not editable, its dependencies alone"

    def compile_modules(self) -> None:
        """Compile sizefloor's modules and its environment's, as an install does (this machine
        may set PYTHONDONTWRITEBYTECODE, which would have every run compile them again)."""
        import sysconfig  # only here

        folders = {
            str(ROOT / "sizefloor"),
            sysconfig.get_paths()["purelib"],
            sysconfig.get_paths()["platlib"],
        }
        done = run([self.python, "-m", "compileall", "-q", *sorted(folders)], self.env, ROOT, 900)
        if done.timed_out:  # a file that does not compile (a test fixture) is no matter
            self.notes.append(f"compiling the modules first failed: {done.failure()}")

    def install_peers(self) -> None:
        for tool in PEERS:
            if not self.args.peers:
                self.peer_skips[tool] = "skipped (--no-peers)"
                continue
            venv = self.scratch / "tools" / tool
            log(f"installing {tool} into a scratch venv ...")
            made = run([sys.executable, "-m", "venv", str(venv)], self.env, ROOT, 600)
            pip = (
                run(
                    [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", tool],
                    self.env,
                    ROOT,
                    900,
                )
                if made.ok
                else made
            )
            exe = venv / "bin" / tool
            if not pip.ok or not exe.exists():
                self.peer_skips[tool] = f"could not be installed ({pip.failure()})"
                log(f"  {tool}: {self.peer_skips[tool]}")
                continue
            self.peer_bins[tool] = exe
            ver = subprocess.run(
                [str(exe), "--version"], capture_output=True, text=True, env=self.env
            )
            self.peer_versions[tool] = (
                (ver.stdout.strip() or ver.stderr.strip()).splitlines()[-1]
                if (ver.stdout or ver.stderr)
                else "unknown"
            )

    # -- one case
    def run_case(self, name: str) -> CaseResult:
        lock = LOCK_CASES.get(name)
        reqs_path = CASES_DIR / f"{lock[1] if lock else name}.txt"
        path = self.materialise_lock(name, lock[0]) if lock else reqs_path
        rel = os.path.relpath(path, ROOT)
        rel_reqs = os.path.relpath(reqs_path, ROOT)
        shown = os.path.relpath(CASES_DIR / lock[0], ROOT) if lock else rel
        case = CaseResult(
            name=name, path=shown, requirements=len(requirement_lines(reqs_path)), lock=bool(lock)
        )
        self.results.append(case)
        log(f"\n== {name} ({shown}, {case.requirements} requirement lines)")
        measures, cache, last_json = self.sizefloor_beside_uv(case, rel, rel_reqs, name)
        sf_versions = {
            canonical(p["name"]): p["version"] for p in (last_json or {}).get("packages", [])
        }
        sf_cold, sf_warm, uv_cold, uv_warm = measures
        sf_edited = self.sizefloor_edited(case, rel, cache)
        costs = self.sizefloor_costs(case, rel, name, cache, last_json)
        case.measures += [sf_cold, sf_warm, sf_edited, *costs, uv_cold, uv_warm]
        self.pip_dry_run(case, rel_reqs, sf_versions, warm=not lock)
        if lock:
            case.notes.append(
                f"uv and pip resolve `{rel_reqs}`, the requirements this lock was made from; "
                "the truth method and the peers are in its case"
            )
            return case
        if self.args.truth:
            self.truth(case, rel)
        for tool in PEERS:
            self.peer(case, path, tool)
        return case

    def materialise_lock(self, name: str, relative: str) -> Path:
        """A copy of the lock at ``relative`` (under the cases folder) with the default index's
        hosts in place of the placeholders it is kept with, in a folder of its own."""
        # pip's own default, never written in this repository
        from pip._internal.models.index import PyPI

        text = (CASES_DIR / relative).read_text()
        text = text.replace("index.invalid", PyPI.netloc)
        text = text.replace("files.invalid", PyPI.file_storage_domain)
        target = self.fresh_dir(name) / Path(relative).name
        target.write_text(text)
        return target

    def take_target(self, data: dict) -> None:
        """The target's tags and uv's platform, from sizefloor's first report."""
        if self.tags is not None:
            return
        self.tags = [t for t in data["target"]["platform_tags"] if "manylinux" in t]
        self.target = data["target"]
        self.uv_platform, note = uv_platform_for(
            self.uv, data["target"].get("libc_version") or "2.41"
        )
        if note:
            self.notes.append(note)

    def sizefloor_command(self) -> list[str]:
        """``python -m sizefloor``, the installed copy: not the work tree's, which ``-m`` would
        find first in the current folder (Python 3.11's ``-P``; the work tree's with
        ``--in-place``)."""
        installed = self.sizefloor_python != self.python and sys.version_info >= (3, 11)
        return [self.sizefloor_python, *(["-P"] if installed else []), "-m", "sizefloor"]

    def sizefloor_argv(self, rel: str, cache: Path, *extra: str) -> list[str]:
        return [
            *self.sizefloor_command(),
            rel,
            "--isolated",
            "--python",
            self.pyver,
            "--platform",
            "linux/amd64",
            "--format",
            "json",
            "-q",
            "--cache-dir",
            str(cache),
            *extra,
        ]

    def uv_argv(self, rel_reqs: str) -> list[str]:
        return [
            self.uv,
            "pip",
            "compile",
            rel_reqs,
            "--python-version",
            self.pyver,
            "--python-platform",
            self.uv_platform,
            "--no-header",
            "-q",
        ]

    def sizefloor_beside_uv(
        self, case: CaseResult, rel: str, rel_reqs: str, label: str
    ) -> tuple[list[Measure], Path | None, dict | None]:
        """sizefloor and ``uv pip compile``, cold then warm, one run of each in turn."""
        cold, warm = Measure("sizefloor", "cold"), Measure("sizefloor", "warm")
        uv_cold, uv_warm = Measure("uv pip compile", "cold"), Measure("uv pip compile", "warm")
        cache = uv_cache = None
        last = pins = None
        transfers = []
        for i in range(self.args.runs):
            cache = self.fresh_dir(f"sf-{label}")
            r = self.measure(cold, self.sizefloor_argv(rel, cache), label=f"run {i + 1}")
            if r.ok:
                last = self.parse_sizefloor(case, r, "cold")
                transfers.append(last["transfer"])
                self.take_target(last)
                case.pages_fetched = count_pages(cache)
            if self.tags is None:
                self.tags = manylinux_fallback()
                self.uv_platform, _ = uv_platform_for(self.uv, "2.41")
                self.notes.append(
                    "sizefloor gave no target tags: pip runs use manylinux_2_41 down to manylinux1"
                )
            if uv_cache is not None:
                shutil.rmtree(uv_cache, ignore_errors=True)
            uv_cache = self.fresh_dir("uv-cache")
            env = dict(self.env, UV_CACHE_DIR=str(uv_cache))
            u = self.measure(uv_cold, self.uv_argv(rel_reqs), env=env, label=f"run {i + 1}")
            pins = u.stdout.decode() if u.ok else pins
        for i in range(self.args.runs):
            if cache is not None:
                r = self.measure(warm, self.sizefloor_argv(rel, cache), label=f"run {i + 1}")
                if r.ok:
                    self.check_warm(case, r, i, "warm")
            if uv_cache is not None:
                env = dict(self.env, UV_CACHE_DIR=str(uv_cache))
                u = self.measure(uv_warm, self.uv_argv(rel_reqs), env=env, label=f"run {i + 1}")
                pins = u.stdout.decode() if u.ok else pins
        if uv_cache is not None:
            shutil.rmtree(uv_cache, ignore_errors=True)
        self.keep_cold(case, cold, last, transfers)
        self.keep_uv(case, uv_cold, uv_warm, pins, last)
        for m in (cold, warm):
            if not m.good and m.runs:
                case.anomalies.append(f"sizefloor {m.mode} failed: {m.runs[-1].failure()}")
        return [cold, warm, uv_cold, uv_warm], cache, last

    def keep_cold(
        self, case: CaseResult, cold: Measure, last: dict | None, transfers: list[dict]
    ) -> None:
        if not last:
            return
        case.sizefloor_json = last
        cold.packages = len(last["packages"])
        case.transfer = dict(
            last["transfer"],
            download_bytes=last["totals"]["download_bytes"],
            packages=len(last["packages"]),
        )
        case.variants = sum(1 for f in last.get("findings") or [] if f.get("kind") == "variant")
        case.transfers_differ = any(t != transfers[0] for t in transfers)
        if case.transfers_differ:
            case.anomalies.append(
                "sizefloor's cold transfer differed between runs: "
                + "; ".join(
                    f"{t['requests']} requests, {t['index_page_bytes']} + {t['wheel_bytes']} B"
                    for t in transfers
                )
            )

    def keep_uv(
        self,
        case: CaseResult,
        cold: Measure,
        warm: Measure,
        pins: str | None,
        last: dict | None,
    ) -> None:
        if pins is not None:
            chosen = {}
            for line in pins.splitlines():
                m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;]+)", line)
                if m:
                    chosen[canonical(m.group(1))] = m.group(3)
            cold.packages = warm.packages = len(chosen)
            if not case.lock:
                sf = {canonical(p["name"]): p["version"] for p in (last or {}).get("packages", [])}
                self.compare_versions(case, "uv pip compile", chosen, sf)
        for m in (cold, warm):
            if not m.good and m.runs:
                m.note = m.runs[-1].failure()

    def check_warm(self, case: CaseResult, r: Run, i: int, mode: str) -> dict:
        data = self.parse_sizefloor(case, r, mode)
        if mode == "warm":
            case.warm_transfers.append(data["transfer"])
        if any(data["transfer"].get(k) for k in ("requests", "wheel_bytes", "metadata_bytes")):
            case.anomalies.append(
                f"sizefloor {mode} run {i + 1} still transferred (cache dir filled by the last cold run"
                f"{' and the warm runs before' if i else ''}): "
                + describe_transfer(data["transfer"])
            )
        return data

    def sizefloor_costs(
        self, case: CaseResult, rel: str, label: str, cache: Path | None, last: dict | None
    ) -> list[Measure]:
        """What parts of sizefloor's work cost: the measured variants (cold and warm, when the
        set has some), the runtime added to a warm answer, the calibration sample."""
        found: list[Measure] = []
        if case.variants:
            cold = Measure("sizefloor --ignore variant", "cold")
            warm = Measure("sizefloor --ignore variant", "warm")
            cold.note = f"no second estimate of the {case.variants} lighter variant(s)"
            ignored = None
            for i in range(self.args.runs):
                ignored = self.fresh_dir(f"sf-{label}-novariant")
                argv = self.sizefloor_argv(rel, ignored, "--ignore", "variant")
                self.measure(cold, argv, label=f"run {i + 1}")
            for i in range(self.args.runs):
                if ignored is not None:
                    argv = self.sizefloor_argv(rel, ignored, "--ignore", "variant")
                    r = self.measure(warm, argv, label=f"run {i + 1}")
                    if r.ok:
                        self.check_warm(case, r, i, "warm --ignore variant")
            found += [cold, warm]
        if cache is not None and last:
            # the default base's target, named: the same remembered estimate answers
            target = last["target"]
            same = ["--python", target.get("python_full_version") or self.pyver]
            same += ["--glibc", target["libc_version"]] if target.get("libc_version") else []
            base = Measure("sizefloor --base none", "warm")
            base.note = f"no runtime added (the default adds the smallest base's); {' '.join(same)}"
            for i in range(self.args.runs):
                argv = self.sizefloor_argv(rel, cache, "--base", "none", *same)
                r = self.measure(base, argv, label=f"run {i + 1}")
                if r.ok:
                    data = self.check_warm(case, r, i, "warm --base none")
                    if data["target"] != target:
                        base.note += "; NOT the default's target (not remembered)"
            found.append(base)
        model = Measure("sizefloor --model-bytecode", "cold")
        model.note = "the .pyc model alone: no calibration sample fetched or compiled"
        for i in range(self.args.runs):
            argv = self.sizefloor_argv(rel, self.fresh_dir(f"sf-{label}-model"), "--model-bytecode")
            r = self.measure(model, argv, label=f"run {i + 1}")
            if r.ok and last:
                data = json.loads(r.stdout)
                case.model_error = (
                    data["totals"]["installed_bytes"] - last["totals"]["installed_bytes"]
                )
        found.append(model)
        for m in found:
            if not m.good and m.runs:
                m.note = m.runs[-1].failure()
        return found

    def sizefloor_only(self, case: CaseResult, rel: str, label: str) -> tuple[Measure, Measure]:
        """sizefloor cold then warm, alone (the scaling check's half)."""
        cold, warm = Measure("sizefloor", "cold"), Measure("sizefloor", "warm")
        cache = None
        for i in range(self.args.runs):
            cache = self.fresh_dir(f"sf-{label}")
            r = self.measure(cold, self.sizefloor_argv(rel, cache), label=f"run {i + 1}")
            if r.ok:
                cold.packages = len(self.parse_sizefloor(case, r, "cold")["packages"])
        for i in range(self.args.runs):
            if cache is not None:
                r = self.measure(warm, self.sizefloor_argv(rel, cache), label=f"run {i + 1}")
                if r.ok:
                    warm.packages = len(self.check_warm(case, r, i, "warm")["packages"])
        return cold, warm

    def sizefloor_edited(self, case: CaseResult, rel: str, cache: Path | None) -> Measure:
        """Warm, but with the input edited (a comment added, in a copy beside the original so
        relative paths hold): the remembered result does not apply, so sizefloor resolves and
        sizes again from the cached pages and wheels."""
        edited = Measure("sizefloor", "warm, edited")
        edited.note = "input edited: resolved and sized again from the cache"
        if cache is None:
            return edited
        original = Path(rel) if os.path.isabs(rel) else ROOT / rel
        for i in range(self.args.runs):
            name = original.name
            copy = (
                original.with_name(f".edited-{i}-{name}")
                if not case.lock
                else self.fresh_dir(f"edited-{i}") / name
            )
            copy.write_text(original.read_text() + f"\n# edit {i}\n")
            try:
                where = copy.relative_to(ROOT) if copy.is_relative_to(ROOT) else copy
                argv = self.sizefloor_argv(str(where), cache)
                r = self.measure(edited, argv, label=f"run {i + 1}")
            finally:
                copy.unlink()
            if r.ok:
                edited.packages = len(self.parse_sizefloor(case, r, "warm, edited")["packages"])
        return edited

    def parse_sizefloor(self, case: CaseResult, r: Run, mode: str) -> dict:
        data = json.loads(r.stdout)
        for w in data.get("warnings") or []:
            text = f"sizefloor {mode} warning: {w}"
            if text not in case.anomalies:
                case.anomalies.append(text)
        if data.get("unsized"):
            text = f"sizefloor {mode}: unsized {data['unsized']}"
            if text not in case.anomalies:
                case.anomalies.append(text)
        return data

    def pip_base(self) -> list[str]:
        argv = [
            self.python,
            "-m",
            "pip",
            "install",
            "--only-binary=:all:",
            "--python-version",
            self.pyver,
        ]
        for tag in self.tags or []:
            argv += ["--platform", tag]
        return argv

    def pip_dry_run(
        self, case: CaseResult, rel: str, sf_versions: dict[str, str], *, warm: bool = True
    ) -> None:
        base = [*self.pip_base(), "--dry-run", "--ignore-installed", "--report", "-", "--quiet"]
        cold = Measure("pip --dry-run --report", "cold")
        case.measures.append(cold)
        report = None
        for i in range(self.args.pip_runs):
            r = self.measure(cold, [*base, "--no-cache-dir", "-r", rel], label=f"run {i + 1}")
            if r.ok:
                report = json.loads(r.stdout)
        measures = [cold]
        if warm:
            warm_m = Measure("pip --dry-run --report", "warm")
            case.measures.append(warm_m)
            measures.append(warm_m)
            cache = self.fresh_dir("pip-cache")
            fill = self.measure(
                Measure("pip --dry-run --report", "fill"),
                [*base, "--cache-dir", str(cache), "-r", rel],
                label="(fill)",
            )
            for i in range(self.args.pip_runs):
                r = self.measure(
                    warm_m, [*base, "--cache-dir", str(cache), "-r", rel], label=f"run {i + 1}"
                )
                if r.ok:
                    report = json.loads(r.stdout)
            if not fill.ok:
                warm_m.note = f"cache fill failed: {fill.failure()}"
            shutil.rmtree(cache, ignore_errors=True)
        if report is not None:
            chosen = {
                canonical(x["metadata"]["name"]): x["metadata"]["version"]
                for x in report["install"]
            }
            for m in measures:
                m.packages = len(chosen)
            if not case.lock:
                self.compare_versions(case, "pip", chosen, sf_versions)
        for m in measures:
            if not m.good and m.runs:
                m.note = m.runs[-1].failure()

    def truth(self, case: CaseResult, rel: str) -> None:
        m = Measure("pip install --target + sum", "cold")
        case.measures.append(m)
        target = self.fresh_dir("truth")
        r = self.measure(
            m,
            [
                *self.pip_base(),
                "--target",
                str(target),
                "--no-compile",
                "--quiet",
                "--no-cache-dir",
                "-r",
                rel,
            ],
            label="run 1",
        )
        if r.ok:
            t0 = time.perf_counter()
            case.truth_bytes, _files = tree_bytes(target)
            r.seconds += time.perf_counter() - t0  # the sum is part of the method
            m.packages = sum(1 for p in target.iterdir() if p.name.endswith(".dist-info"))
            m.note = f"{fmt_bytes(case.truth_bytes)} installed (no .pyc)"
        else:
            m.note = r.failure()
        shutil.rmtree(target, ignore_errors=True)

    def peer(self, case: CaseResult, path: Path, tool: str) -> None:
        cold, warm = Measure(tool, "cold"), Measure(tool, "warm")
        case.measures += [cold, warm]
        if tool not in self.peer_bins:
            cold.skipped = warm.skipped = self.peer_skips.get(tool, "not installed")
            return
        exe = str(self.peer_bins[tool])
        lines = requirement_lines(path)
        work = self.fresh_dir(f"{tool}-{case.name}")
        if tool == "pip-weigh":
            # It takes a file named requirements*.txt (one uv project for the whole set; a list of package
            # names would be measured one environment per name, plus a combined one).
            req = work / f"requirements-{case.name}.txt"
            shutil.copyfile(path, req)
            argv = [exe, str(req), "--python", self.pyver, "--platform", self.uv_platform, "--json"]
        else:
            if any(line.startswith("-") for line in lines):
                cold.skipped = warm.skipped = "takes package names only; this case has option lines"
                return
            # No platform option: it installs for the host (linux x86_64 here) with -p X.Y.
            argv = [exe, "--quiet", "--json", "-p", self.pyver, *lines]
        uv_dir = str(Path(self.uv).parent)
        cache = work / "uv-cache"
        env = dict(
            self.env,
            UV_CACHE_DIR=str(cache),
            PATH=uv_dir + os.pathsep + self.env.get("PATH", ""),
            NO_COLOR="1",
            TERM="dumb",
            COLUMNS="200",
        )
        for m in (cold, warm):
            for i in range(self.args.peer_runs):
                if m.mode == "cold":
                    shutil.rmtree(cache, ignore_errors=True)
                r = self.measure(m, argv, env=env, cwd=work, label=f"run {i + 1}")
                if r.ok:
                    try:
                        data = json.loads(r.stdout)
                        if tool == "pip-weigh":
                            m.packages = sum(
                                len(x.get("dependencies") or []) for x in data["results"]
                            )
                        else:
                            m.packages = len(data["distributions"])
                    except (ValueError, KeyError, TypeError):
                        pass
                else:
                    m.note = r.failure()
                    break
        if tool == "uv-packsize":
            cold.note = cold.note or "host platform (no target option)"
        shutil.rmtree(work, ignore_errors=True)

    def compare_versions(
        self, case: CaseResult, who: str, chosen: dict[str, str], sf: dict[str, str]
    ) -> None:
        if not sf:
            return
        only_sf = sorted(set(sf) - set(chosen))
        only_peer = sorted(set(chosen) - set(sf))
        differ = sorted(
            f"{n} {sf[n]} vs {chosen[n]}" for n in set(sf) & set(chosen) if sf[n] != chosen[n]
        )
        parts = []
        if only_sf:
            parts.append(f"only sizefloor: {', '.join(only_sf)}")
        if only_peer:
            parts.append(f"only {who}: {', '.join(only_peer)}")
        if differ:
            parts.append(f"versions differ (sizefloor vs {who}): {', '.join(differ)}")
        if parts:
            case.anomalies.append(f"resolution differs from {who}: " + "; ".join(parts))

    # -- scaling: a dependency-closed half of a case vs the whole
    def run_scaling(self, name: str) -> None:
        case = next((c for c in self.results if c.name == name), None)
        if case is None:
            self.notes.append(f"scaling check skipped: case {name!r} was not run")
            return
        whole_cold, whole_warm = case.get("sizefloor", "cold"), case.get("sizefloor", "warm")
        path = CASES_DIR / f"{name}.txt"
        half_lines, how = self.half_of(path, case)
        half_file = self.fresh_dir("half") / f"{name}-half.txt"
        half_file.write_text("\n".join(half_lines) + "\n")
        rel = os.path.relpath(half_file, ROOT)
        log(f"\n== scaling: {name}-half ({len(half_lines)} of {case.requirements} lines; {how})")
        scratch_case = CaseResult(name=f"{name}-half", path=rel, requirements=len(half_lines))
        cold, warm = self.sizefloor_only(scratch_case, str(half_file), f"{name}-half")
        self.scaling = {
            "case": name,
            "how": how,
            "half_lines": len(half_lines),
            "whole_lines": case.requirements,
            "half": {"cold": cold, "warm": warm},
            "whole": {"cold": whole_cold, "warm": whole_warm},
            "anomalies": scratch_case.anomalies,
        }

    def half_of(self, path: Path, case: CaseResult) -> tuple[list[str], str]:
        """About half the requirement lines of ``path``, closed under dependencies when sizefloor's
        JSON (``required_by``) tells the graph; else simply the first half of the lines."""
        lines = requirement_lines(path)
        graph = None
        if case.sizefloor_json:
            packages = case.sizefloor_json["packages"]
            children: dict[str, set[str]] = {canonical(p["name"]): set() for p in packages}
            for p in packages:
                for parent in p.get("required_by") or []:
                    if not parent.startswith("-") and canonical(parent) in children:
                        children[canonical(parent)].add(canonical(p["name"]))
            graph = children
        if graph is None:
            return lines[: (len(lines) + 1) // 2], "first half of the lines (no dependency graph)"
        by_name = {}
        for line in lines:
            m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)", line)
            if m:
                by_name.setdefault(canonical(m.group(1)), line)

        def closure(root: str) -> set[str]:
            seen, todo = set(), [root]
            while todo:
                n = todo.pop()
                if n not in seen:
                    seen.add(n)
                    todo.extend(graph.get(n, ()))
            return seen

        target = len(graph) // 2
        chosen: set[str] = set()
        for n in by_name:
            if n in chosen or n not in graph:
                continue
            c = closure(n)
            if len(chosen | c) <= target:
                chosen |= c
            if len(chosen) == target:
                break
        if not chosen or any(n not in by_name for n in chosen):
            return lines[
                : (len(lines) + 1) // 2
            ], "first half of the lines (graph not closed over the file)"
        return (
            [line for n, line in by_name.items() if n in chosen],
            f"a dependency-closed subset: {len(chosen)} of {len(graph)} packages",
        )

    def cleanup(self) -> None:
        if not self.args.keep:
            shutil.rmtree(self.scratch, ignore_errors=True)


# --------------------------------------------------------------------------- report


def case_table(case: CaseResult) -> str:
    sf = {"cold": case.get("sizefloor", "cold"), "warm": case.get("sizefloor", "warm")}
    header = [
        "method",
        "mode",
        "median s",
        "min s",
        "CPU s",
        "runs",
        "peak RSS MiB",
        "packages",
        "sizefloor ÷ it (time)",
        "sizefloor ÷ it (RSS)",
        "note",
    ]
    rows = []
    for m in case.measures:
        if m.skipped:
            rows.append([m.method, m.mode, "—", "—", "—", "0", "—", "—", "—", "—", m.skipped])
            continue
        ref = sf.get(m.mode) if m.method != "sizefloor" else None
        runs = f"{len(m.good)}" + (
            f" (+{len(m.runs) - len(m.good)} failed)" if len(m.runs) != len(m.good) else ""
        )
        rows.append(
            [
                m.method,
                m.mode,
                fmt_s(m.median),
                fmt_s(m.min),
                fmt_s(m.cpu),
                runs,
                fmt_mib(m.peak_mib),
                "—" if m.packages is None else str(m.packages),
                fmt_ratio(ref.median, m.median) if ref else "",
                fmt_ratio(ref.peak_mib, m.peak_mib) if ref else "",
                m.note.replace("|", "/"),
            ]
        )
    return md_table(header, rows)


def read_share(t: dict) -> float | None:
    """Bytes read from wheel files, in % of the chosen wheels' total: central
    directories and dist-info members (``wheel_bytes``) and the modules fetched
    to calibrate the bytecode model (``source_bytes``)."""
    if not t["download_bytes"]:
        return None
    return 100 * (t["wheel_bytes"] + t.get("source_bytes", 0)) / t["download_bytes"]


def transfer_table(results: list[CaseResult]) -> str:
    header = [
        "case",
        "packages",
        "requests",
        "index pages",
        "wheel bytes",
        "sampled sources",
        "metadata",
        "index pages fetched",
        "chosen wheels total",
        "(wheel + sources) ÷ wheels total",
        "warm runs' transfer",
    ]
    rows = []
    for c in results:
        t = c.transfer
        if not t:
            rows.append([c.name] + ["—"] * 10)
            continue
        pct = read_share(t)
        warm = (
            "; ".join(
                f"run {i}: " + ("0" if not any(w.values()) else describe_transfer(w))
                for i, w in enumerate(c.warm_transfers, 1)
            )
            or "—"
        )
        rows.append(
            [
                c.name,
                str(t["packages"]),
                str(t["requests"]),
                fmt_bytes(t["index_page_bytes"]),
                fmt_bytes(t["wheel_bytes"]),
                fmt_bytes(t.get("source_bytes", 0)),
                fmt_bytes(t["metadata_bytes"]),
                "—" if c.pages_fetched is None else str(c.pages_fetched),
                fmt_bytes(t["download_bytes"]),
                "—" if pct is None else f"{pct:.2f} %",
                warm,
            ]
        )
    return md_table(header, rows, left=1)


def scaling_table(s: dict) -> str:
    header = [
        "mode",
        "half: packages",
        "half: median s",
        "whole: packages",
        "whole: median s",
        "packages ratio",
        "time ratio",
        "≤ 2",
    ]
    rows = []
    for mode in ("cold", "warm"):
        h, w = s["half"][mode], s["whole"][mode]
        if h is None or w is None:
            continue
        ratio = (w.median / h.median) if (h.median and w.median) else None
        rows.append(
            [
                mode,
                str(h.packages or "—"),
                fmt_s(h.median),
                str(w.packages or "—"),
                fmt_s(w.median),
                f"{w.packages / h.packages:.2f}" if (h.packages and w.packages) else "—",
                "—" if ratio is None else f"{ratio:.2f}",
                "—" if ratio is None else ("yes" if ratio <= 2 else "NO"),
            ]
        )
    return md_table(header, rows, left=1)


def goals_table(results: list[CaseResult], scaling: dict | None) -> str:
    by = {c.name: c for c in results}

    def med(case: str, method: str, mode: str) -> float | None:
        c = by.get(case)
        m = c.get(method, mode) if c else None
        return m.median if m else None

    rows = []

    def row(goal: str, value: str, ok: bool | None) -> None:
        rows.append([goal, value, "—" if ok is None else ("met" if ok else "NOT met")])

    sc, uc, pc = (
        med("ml", "sizefloor", "cold"),
        med("ml", "uv pip compile", "cold"),
        med("ml", "pip --dry-run --report", "cold"),
    )
    row(
        "ml cold ≤ 2× uv pip compile cold",
        f"{fmt_ratio(sc, uc)}",
        None if not (sc and uc) else sc <= 2 * uc,
    )
    row(
        "ml cold ≤ ¼ of pip --dry-run --report cold",
        f"{fmt_ratio(sc, pc)}",
        None if not (sc and pc) else sc <= pc / 4,
    )
    w = med("ml", "sizefloor", "warm")
    row("ml warm < 0.5 s", "—" if w is None else f"{fmt_s(w)} s", None if w is None else w < 0.5)
    w = med("lock", "sizefloor", "warm")
    row("lock warm < 1.5 s", "—" if w is None else f"{fmt_s(w)} s", None if w is None else w < 1.5)
    for name in ("ml", "lock"):
        w = med(name, "sizefloor", "warm, edited")
        if w is not None:  # no goal: what an edit costs, for the record
            row(f"{name} warm, requirements edited (no goal)", f"{fmt_s(w)} s", None)
    t = by["ml"].transfer if "ml" in by else None
    pct = read_share(t) if t else None
    row(
        "ml bytes read from wheel files (directories and sampled sources) < 1 % of the chosen wheels",
        "—" if pct is None else f"{pct:.2f} %",
        None if pct is None else pct < 1,
    )
    peaks = (
        [
            m.peak_mib
            for m in (by["lock"].get("sizefloor", "cold"), by["lock"].get("sizefloor", "warm"))
            if m and m.peak_mib
        ]
        if "lock" in by
        else []
    )
    row(
        "lock peak memory < 150 MB",
        f"{max(peaks) * MiB / 1e6:.0f} MB" if peaks else "—",
        None if not peaks else max(peaks) * MiB < 150e6,
    )
    if scaling:
        for mode in ("cold", "warm"):
            h, wh = scaling["half"][mode], scaling["whole"][mode]
            r = (wh.median / h.median) if (h and wh and h.median and wh.median) else None
            row(
                f"doubling the packages at most doubles {mode} time ({scaling['case']})",
                "—" if r is None else f"{r:.2f}×",
                None if r is None else r <= 2,
            )
    return md_table(["issue 5 target", "measured", "status"], rows, left=1)


def issue17_table(results: list[CaseResult], scaling: dict | None) -> str:
    """Issue 17's goals, each a ratio of figures measured side by side in this run."""
    by = {c.name: c for c in results}

    def med(case: str, method: str, mode: str) -> float | None:
        c = by.get(case)
        m = c.get(method, mode) if c else None
        return m.median if m else None

    rows: list[list[str]] = []

    def row(goal: str, value: str, ok: bool | None) -> None:
        rows.append([goal, value, "—" if ok is None else ("met" if ok else "NOT met")])

    def ratio_row(goal: str, case: str, limit: float, uv_case: str | None = None) -> None:
        sf, uv = med(case, "sizefloor", "cold"), med(uv_case or case, "uv pip compile", "cold")
        value = f"{fmt_ratio(sf, uv)} ({fmt_s(sf)} s ÷ {fmt_s(uv)} s)"
        row(goal, value, None if not (sf and uv) else sf <= limit * uv)

    if "monolith" in by:
        ratio_row("monolith cold ≤ 1.5× uv pip compile cold", "monolith", 1.5)
        peak = by["monolith"].get("sizefloor", "cold")
        p = peak.peak_mib if peak else None
        row("monolith peak memory ≤ 150 MiB", f"{fmt_mib(p)} MiB", None if p is None else p <= 150)
    for name in ("small", "ml"):
        if name in by:
            ratio_row(f"{name} cold ≤ 1× uv pip compile cold", name, 1.0)
    for name in LOCK_CASES:
        if name in by:
            ratio_row(
                f"{name} cold ≤ 0.5× uv pip compile cold on its requirements (same pass)",
                name,
                0.5,
            )
            n = by[name].pages_fetched
            row(
                f"{name}: index pages fetched",
                "—" if n is None else str(n),
                None if n is None else n == 0,
            )
    for c in results:
        w = med(c.name, "sizefloor", "warm")
        row(
            f"{c.name} warm ≤ 0.3 s",
            "—" if w is None else f"{fmt_s(w)} s",
            None if w is None else w <= 0.3,
        )
    if scaling:
        h, wh = scaling["half"]["cold"], scaling["whole"]["cold"]
        r = (wh.median / h.median) if (h and wh and h.median and wh.median) else None
        packages = f"{h.packages} → {wh.packages} packages" if (h and wh) else ""
        row(
            f"doubling the packages at most doubles cold time ({scaling['case']}: {packages})",
            "—" if r is None else f"{r:.2f}×",
            None if r is None else r <= 2,
        )
    return md_table(["issue 17 goal", "measured", "status"], rows, left=1)


def costs_lines(c: CaseResult) -> list[str]:
    """What parts of sizefloor's work cost on this case, from its rows."""
    lines = []
    cold, warm = c.get("sizefloor", "cold"), c.get("sizefloor", "warm")
    nv_cold, nv_warm = (
        c.get("sizefloor --ignore variant", "cold"),
        c.get("sizefloor --ignore variant", "warm"),
    )
    if cold and nv_cold and cold.median and nv_cold.median:
        extra = cold.median - nv_cold.median
        text = (
            f"- The measured variants ({c.variants}, a second estimate each): "
            f"{extra:+.2f} s cold ({100 * extra / nv_cold.median:+.0f} %)"
        )
        if warm and nv_warm and warm.median and nv_warm.median:
            text += f", {warm.median - nv_warm.median:+.2f} s warm"
        lines.append(text + ".")
    base = c.get("sizefloor --base none", "warm")
    if warm and base and warm.median and base.median:
        lines.append(
            f"- The runtime added by default, on a warm run: {warm.median - base.median:+.3f} s "
            f"({fmt_s(warm.median)} s against {fmt_s(base.median)} s with `--base none`)."
        )
    model = c.get("sizefloor --model-bytecode", "cold")
    if cold and model and cold.median and model.median:
        text = (
            f"- The calibration sample (fetched and compiled): {cold.median - model.median:+.2f} s "
            f"cold ({fmt_s(cold.median)} s against {fmt_s(model.median)} s with `--model-bytecode`)"
        )
        if c.model_error is not None and c.sizefloor_json:
            total = c.sizefloor_json["totals"]["installed_bytes"]
            text += (
                f"; the model alone differs from the calibrated figure by "
                f"{fmt_bytes(abs(c.model_error))} ({100 * c.model_error / total:+.3f} %)"
            )
        lines.append(text + ".")
    return lines


def render(
    bench: Bench, versions: dict[str, str], started: datetime.datetime, elapsed: float, command: str
) -> str:
    a = bench.args
    out = [
        "# Performance",
        "",
        f"Generated by `benchmarks/speed.py` on {started:%Y-%m-%d %H:%M} UTC; the run took {elapsed / 60:.1f} min.",
        "Do not edit by hand: run the command again.",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"host glibc {platform.libc_ver()[1] or '?'}."
        + (
            f" 1-minute load average before each timed process: median {statistics.median(bench.loads):.1f},"
            f" range {min(bench.loads):.1f}–{max(bench.loads):.1f}"
            f"{' (other work shared the machine: read the times as upper bounds)' if max(bench.loads) > os.cpu_count() else ''}."
            if bench.loads
            else ""
        ),
        "",
        "Versions: "
        + "; ".join(
            f"{k} {v}" if not v.lower().startswith(k.lower()) else v for k, v in versions.items()
        ),
        "",
        f"Target: linux/amd64, Python {bench.pyver}"
        + (f", glibc {bench.target.get('libc_version')}" if bench.target else "")
        + f"; pip gets `--python-version {bench.pyver}` and every manylinux tag sizefloor lists"
        f" ({len(bench.tags or [])} `--platform` options), uv gets `--python-platform {bench.uv_platform}`.",
        "",
        "How to read it: times are whole-process wall clock, median and minimum of the runs"
        f" ({a.runs} per mode; {a.peer_runs} for uv-packsize and pip-weigh, which install everything)."
        " *cold*: sizefloor with a fresh empty `--cache-dir` per run, pip with `--no-cache-dir`,"
        " uv with a fresh `UV_CACHE_DIR` per run; *warm*: sizefloor with the cache its last cold run filled"
        " (the remembered estimate answers; *warm, edited*: the same cache with the requirements file"
        " edited, so sizefloor resolves and sizes again from cached pages and wheels),"
        " pip with a `--cache-dir` filled by an untimed run, uv with the cache of its last cold run."
        f" sizefloor runs from {bench.sizefloor_env}."
        " The truth method is `pip install --target` + summing file sizes, cold, once."
        " *CPU s* is the median user + system time (`os.wait4`), less sensitive than wall time to other load."
        " Peak RSS is `ru_maxrss` from `os.wait4` (the largest process of the tree), max over the runs."
        " Ratios are sizefloor ÷ the peer in the same mode (the truth method against sizefloor cold):"
        " below 1× sizefloor is faster or smaller.",
        "",
    ]
    for c in bench.results:
        total = c.transfer["packages"] if c.transfer else None
        out += [
            f"## {c.name}",
            "",
            (
                f"`{c.path}`: the lock of the monolith's {c.requirements} requirement lines"
                if c.lock
                else f"`{c.path}`: {c.requirements} requirement lines"
            )
            + (f" → {total} packages" if total else "")
            + (
                f"; truth method installed {fmt_bytes(c.truth_bytes)} (no .pyc)"
                if c.truth_bytes
                else ""
            )
            + ".",
            "",
            case_table(c),
            "",
        ]
        extra = costs_lines(c) + [f"- {n}" for n in c.notes]
        if extra:
            out += [*extra, ""]
    out += [
        "## Bytes sizefloor transferred",
        "",
        "From sizefloor's JSON `transfer` of a cold run (wire bytes: compressed where the server compressed)."
        " *chosen wheels total* is `totals.download_bytes`, the sum of the chosen wheels' sizes; the ratio is"
        " every byte read from wheel files ÷ that: central directories and dist-info members (*wheel bytes*)"
        " and the modules fetched to calibrate the bytecode model (*sampled sources*).",
        "",
        transfer_table(bench.results),
        "",
    ]
    if bench.scaling:
        s = bench.scaling
        out += [
            "## Scaling",
            "",
            f"sizefloor on about half of `{s['case']}` ({s['how']}) against the whole;"
            " the time ratio should be at most 2.",
            "",
            scaling_table(s),
            "",
        ]
    out += ["## Against issue 17's goals", "", issue17_table(bench.results, bench.scaling), ""]
    out += ["## Against issue 5's targets", "", goals_table(bench.results, bench.scaling), ""]
    anomalies = [f"{c.name}: {a}" for c in bench.results for a in c.anomalies]
    if bench.scaling:
        anomalies += [f"{bench.scaling['case']}-half: {a}" for a in bench.scaling["anomalies"]]
    notes = bench.notes + [f"{t}: {why}" for t, why in bench.peer_skips.items()]
    if anomalies or notes:
        out += ["## Notes and anomalies", ""] + [f"- {x}" for x in notes + anomalies] + [""]
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--cases",
        default=",".join(DEFAULT_CASES),
        help=f"comma-separated case names from benchmarks/speed-cases (default: {','.join(DEFAULT_CASES)})",
    )
    p.add_argument("--runs", type=int, default=3, help="runs per method and mode (default 3)")
    p.add_argument(
        "--pip-runs",
        type=int,
        default=1,
        help="runs per mode for pip --dry-run (default 1: a minute a run on the monolith)",
    )
    p.add_argument(
        "--peer-runs",
        type=int,
        default=1,
        help="runs per mode for uv-packsize and pip-weigh, which install everything (default 1)",
    )
    p.add_argument(
        "--no-truth", dest="truth", action="store_false", help="skip pip install --target"
    )
    p.add_argument(
        "--no-peers", dest="peers", action="store_false", help="skip uv-packsize and pip-weigh"
    )
    p.add_argument(
        "--scale-case",
        default="monolith",
        help="the case whose half is timed against the whole (default monolith; 'none' to skip)",
    )
    p.add_argument(
        "--uv", help="the uv executable (default: the one beside this Python, else on PATH)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=1200,
        help="seconds before one process is killed (default 1200)",
    )
    p.add_argument(
        "--output", default=str(DEFAULT_OUTPUT), help="the markdown file to write ('-' for none)"
    )
    p.add_argument("--json", help="also write the raw measurements to this JSON file")
    p.add_argument(
        "--scratch", help="where to make the scratch directory (default: the system temp dir)"
    )
    p.add_argument("--keep", action="store_true", help="keep the scratch directory")
    p.add_argument(
        "--in-place",
        action="store_true",
        help="time sizefloor in this environment rather than installed into a scratch venv",
    )
    args = p.parse_args(argv)
    if args.runs < 1 or args.peer_runs < 1 or args.pip_runs < 1:
        p.error("--runs, --pip-runs and --peer-runs must be at least 1")
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    for c in cases:
        if c not in LOCK_CASES and not (CASES_DIR / f"{c}.txt").is_file():
            p.error(f"no case {c!r} in {CASES_DIR}")

    command = "python " + " ".join(
        shlex.quote(a) for a in [os.path.relpath(__file__, ROOT), *(argv or sys.argv[1:])]
    )
    started = datetime.datetime.now(datetime.timezone.utc)
    t0 = time.perf_counter()
    bench = Bench(args)
    log(f"scratch: {bench.scratch}")
    try:
        bench.compile_modules()
        bench.install_sizefloor()
        bench.install_peers()
        versions = bench.versions()
        for c in cases:
            bench.run_case(c)
        if args.scale_case != "none":
            bench.run_scaling(args.scale_case)
        after = bench.versions()["sizefloor"]
        if after != versions["sizefloor"]:
            bench.notes.append(
                f"sizefloor's source changed during the run: at the start {versions['sizefloor']},"
                f" at the end {after}"
            )
    finally:
        bench.cleanup()
    elapsed = time.perf_counter() - t0
    text = render(bench, versions, started, elapsed, command)
    print()
    print(text)
    if args.output != "-":
        out = Path(args.output)
        out.parent.mkdir(parents=True, exist_ok=True)
        kept = out.read_text().partition(KEPT)[2] if out.is_file() else ""
        out.write_text(text + (f"\n{KEPT}{kept}" if kept else ""))
        log(f"\nwrote {args.output} ({elapsed / 60:.1f} min)")
    if args.json:
        raw = {
            "started": started.isoformat(),
            "seconds": elapsed,
            "versions": versions,
            "command": command,
            "cases": [
                {
                    "name": c.name,
                    "path": c.path,
                    "transfer": c.transfer,
                    "warm_transfers": c.warm_transfers,
                    "truth_bytes": c.truth_bytes,
                    "anomalies": c.anomalies,
                    "measures": [
                        {
                            "method": m.method,
                            "mode": m.mode,
                            "packages": m.packages,
                            "note": m.note,
                            "skipped": m.skipped,
                            "runs": [
                                {
                                    "seconds": r.seconds,
                                    "cpu_seconds": r.cpu_seconds,
                                    "maxrss_kib": r.maxrss_kib,
                                    "returncode": r.returncode,
                                    "timed_out": r.timed_out,
                                }
                                for r in m.runs
                            ],
                        }
                        for m in c.measures
                    ],
                }
                for c in bench.results
            ],
        }
        Path(args.json).write_text(json.dumps(raw, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
