"""The foreign-target compiled comparison of ``benchmarks/accuracy.py`` (``--foreign X.Y``).

sizefloor runs under the benchmark's Python (3.11 here) for a target of another
version (3.12), as on a machine whose ``pythonX.Y`` is not on ``PATH``: every
``PATH`` folder holding a ``pythonX.Y`` is taken off it (a version manager's
shim included), so sizefloor can only find the interpreter where a user keeps
it (pyenv's versions folder, uv's managed Pythons). Three estimates per case:

- the default run (calibrated by the interpreter it found; the report says where);
- ``--exact-bytecode`` (every module compiled by that interpreter);
- the default run on a machine with none: ``HOME``, ``PYENV_ROOT`` and uv's folder
  pointed at an empty directory, so the model alone sizes the bytecode and the
  report states its error and the command that gets an interpreter.

The truth is ``pip install --target`` run by pip *under the target's Python*
(``FOREIGN_PYTHON -m pip``, with ``PIP_CONFIG_FILE=/dev/null``), compiled,
through ``_measure.py pip-as`` (the image's ``#!`` lines and ``.pyc`` paths).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _measure

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 1800


@dataclass
class Estimate:
    bytes: int | None = None
    pyc: int = 0
    error: int = 0
    """The stated error of the whole estimate (``totals.error_bytes``)."""
    found: str = ""
    interpreter: str = ""
    method: str = ""
    hint: str = ""
    line: str = ""
    failure: str = ""
    report: dict[str, Any] = field(default_factory=dict)


@dataclass
class ForeignRow:
    case: str
    truth: int | None = None
    truth_pyc: int = 0
    default: Estimate = field(default_factory=Estimate)
    exact: Estimate = field(default_factory=Estimate)
    none: Estimate = field(default_factory=Estimate)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def find_python(xy: str) -> str | None:
    """The interpreter that runs the truth's pip: pyenv's, else ``pythonX.Y`` on PATH."""
    root = os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")
    found = sorted(glob.glob(f"{root}/versions/{xy}.*/bin/python{xy}"), reverse=True)
    return found[0] if found else shutil.which(f"python{xy}")


def path_without(xy: str) -> str:
    """``PATH`` less every folder that holds a ``pythonX.Y`` (shims included)."""
    keep = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not os.path.exists(os.path.join(d, f"python{xy}"))
    ]
    return os.pathsep.join(keep)


def pip_version(python: str) -> str:
    done = subprocess.run(
        [python, "-m", "pip", "--version"],
        capture_output=True,
        text=True,
        env=_measure.pip_environment(),
        check=False,
    )
    words = done.stdout.split()
    return ".".join(words[1].split(".")[:2]) if len(words) > 1 else "26.0"


def _sizefloor(case: Path, xy: str, pip: str, env: dict[str, str], *extra: str) -> Estimate:
    argv = [
        sys.executable, "-m", "sizefloor", str(case), "--python", xy, "--platform", "linux/amd64",
        "--pip-version", pip, "--format", "json", "--isolated", "-q", *extra,
    ]  # fmt: skip
    done = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        return Estimate(failure=(lines[-1] if lines else f"exit {done.returncode}")[:300])
    report = json.loads(done.stdout)
    sizing = report.get("bytecode") or {}
    interpreter = sizing.get("interpreter") or {}
    table = subprocess.run(
        [*argv[: argv.index("--format")], "--isolated", "-q"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False,
    ).stdout  # fmt: skip
    line = next((ln.strip() for ln in table.splitlines() if ln.startswith("bytecode (.pyc)")), "")
    return Estimate(
        report=report,
        bytes=int(report["totals"]["installed_bytes"]),
        pyc=sum(int(p.get("bytecode_bytes") or 0) for p in report["packages"]),
        error=int(report["totals"].get("error_bytes") or 0),
        found=str(interpreter.get("found", "")),
        interpreter=str(interpreter.get("executable", "")),
        method=str(sizing.get("method", "")),
        hint=str(sizing.get("hint") or ""),
        line=line,
    )


def run_case(case: Path, label: str, xy: str, python: str, build: Any) -> ForeignRow:
    """One case: the three estimates and the truth. ``build(packages)`` builds wheels of the
    packages sized from sdists into a wheelhouse and returns it (or a failure message)."""
    import time

    started = time.monotonic()
    row = ForeignRow(label)
    pip = pip_version(python)
    env = _measure.pip_environment()
    env["PATH"] = path_without(xy)
    row.default = _sizefloor(case, xy, pip, env)
    row.exact = _sizefloor(case, xy, pip, env, "--exact-bytecode")
    with tempfile.TemporaryDirectory(prefix="sizefloor-nohome-") as empty:
        bare = dict(env)
        cache = os.environ.get("SIZEFLOOR_CACHE_DIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sizefloor"
        )
        bare.update(
            HOME=empty, PYENV_ROOT=empty, UV_PYTHON_INSTALL_DIR=empty, XDG_DATA_HOME=empty,
            SIZEFLOOR_CACHE_DIR=cache,
        )  # fmt: skip
        row.none = _sizefloor(case, xy, pip, bare)
    for estimate, how in ((row.default, "default"), (row.exact, "--exact-bytecode"),
                          (row.none, "none found")):  # fmt: skip
        if estimate.failure:
            row.failures.append(f"sizefloor ({how}) fails: {estimate.failure}")
    if row.default.bytes is None:
        row.seconds = time.monotonic() - started
        return row
    _truth(case, row, xy, python, row.default.report, build)
    row.seconds = time.monotonic() - started
    return row


def _truth(
    case: Path, row: ForeignRow, xy: str, python: str, report: dict[str, Any], build: Any
) -> None:
    """``pip install --target`` of the versions the default estimate resolved, compiled, by
    pip under the target's Python."""
    env = _measure.pip_environment()
    env["PATH"] = path_without(xy)
    tags = list(report["target"]["platform_tags"])
    abi = "cp" + xy.replace(".", "")
    args = ["--only-binary=:all:", "--python-version", xy, "--implementation", "cp", "--abi", abi]
    for tag in tags:
        args += ["--platform", tag]
    sdists = [p for p in report["packages"] if not str(p["filename"]).endswith(".whl")]
    if sdists:
        house, why = build(sdists)
        if house is None:
            row.failures.append(why)
            return
        args += ["--find-links", house]
    with tempfile.TemporaryDirectory(prefix="sizefloor-foreign-") as work:
        pins = os.path.join(work, "pins.txt")
        with open(pins, "w", encoding="utf-8") as f:
            for p in report["packages"]:
                f.write(f"{p['name']}=={p['version']}\n")
        target = os.path.join(work, "target")
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        done = subprocess.run(
            [python, str(Path(_measure.__file__)), "pip-as", f"/usr/local/bin/python{xy}",
             "install", "--target", target, *args, "-r", str(case), "-c", pins,
             "--no-warn-script-location", "--ignore-installed", "--disable-pip-version-check",
             "--quiet"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            lines = [ln for ln in done.stderr.splitlines() if "error" in ln.lower()]
            row.failures.append(f"pip install fails: {(lines or ['?'])[-1][:300]}")
            return
        truth = _measure.measure_target(target, xy)
        row.truth = truth.installed_bytes
        row.truth_pyc = sum(s for p, s in truth.sizes.items() if p.endswith(".pyc"))


def pct(estimate: int | None, truth: int | None) -> str:
    if estimate is None or not truth:
        return "—"
    return f"{(estimate - truth) / truth * 100:+.3f}%"


def render(rows: list[ForeignRow], xy: str, running: str, python: str, table: Any) -> list[str]:
    """The section of docs/accuracy.md; ``table(header, rows)`` makes a Markdown table."""
    header = [
        "case", "truth bytes", "truth .pyc", "default", "error %", "stated ±", "found in",
        "--exact-bytecode", "error %", "none found", "error %", "stated ±", "truth within ±",
        "everything else: diff",
    ]  # fmt: skip
    body = []
    for r in rows:
        d, e, n = r.default, r.exact, r.none
        within = "—"
        if n.bytes is not None and r.truth is not None:
            within = "yes" if abs(n.bytes - r.truth) <= n.error else "NO"
        other = "—"
        if d.bytes is not None and r.truth is not None:
            other = f"{(d.bytes - d.pyc) - (r.truth - r.truth_pyc):+,}"
        body.append([
            r.case, f"{r.truth:,}" if r.truth is not None else "—", f"{r.truth_pyc:,}",
            f"{d.bytes:,}" if d.bytes is not None else "—", pct(d.bytes, r.truth),
            f"±{d.error:,}", d.found or d.method or "—",
            f"{e.bytes:,}" if e.bytes is not None else "—", pct(e.bytes, r.truth),
            f"{n.bytes:,}" if n.bytes is not None else "—", pct(n.bytes, r.truth),
            f"±{n.error:,}", within, other,
        ])  # fmt: skip
    worst = [abs(d.bytes - r.truth) / r.truth for r in rows
             for d in (r.default,) if d.bytes is not None and r.truth]  # fmt: skip
    lines = [
        "",
        f"## Byte-compiled for another Python: CPython {xy} target, sizefloor on {running}",
        "",
        f"sizefloor runs under CPython {running} for a CPython {xy} target on linux/amd64, "
        f"with every `PATH` folder holding a `python{xy}` taken off `PATH` (pyenv's shim "
        f"too): the CPython {xy} it calibrates with is one it finds where a user keeps it "
        "(*found in*). *none found*: the same with `HOME`, `PYENV_ROOT` and uv's folder "
        "empty, so the model alone sizes the bytecode; *truth within ±*: the truth lies "
        "within the stated error. Truth: `pip install --target` compiled, run by pip under "
        f"the target's Python (`{python} -m pip`, `PIP_CONFIG_FILE=/dev/null`), through "
        "`_measure.py pip-as`. *everything else: diff*: the default estimate less its .pyc "
        "against the truth less its .pyc.",
        "",
        table(header, body),
    ]
    if worst:
        lines += ["", f"Largest |error| of the default estimate: {max(worst):.3%}."]
    hints = sorted({r.none.line for r in rows if r.none.line})
    if hints:
        lines += ["", "What the report says when none is found (table format):", ""]
        lines += [f"    {h}" for h in hints[:2]]
    found = sorted({r.default.line for r in rows if r.default.line})
    if found:
        lines += ["", "And when one is:", "", f"    {found[0]}"]
    failures = [(r.case, f) for r in rows for f in r.failures]
    if failures:
        lines += ["", "Failures:", ""] + [f"- {c}: {f}" for c, f in failures]
    return lines
