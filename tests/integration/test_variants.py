"""Advice that is measured: a known lighter variant is sized for the same target from the
index, and the finding gives the exact saving, the line to write and what it gives up.

The loopback index serves wheels named like the real ones (``opencv-python`` with Qt
libraries, ``opencv-python-headless`` without, ``uvicorn`` with a ``standard`` extra, a
``torch`` that pulls ``nvidia-*`` packages); the ``live`` test reads pinned real versions.
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import diskcache
import pytest
from indexserver import IndexServer
from wheelbuilder import build_wheel

import sizefloor
from sizefloor.analysis.findings import KINDS
from sizefloor.analysis.variants import load_variants
from sizefloor.cli.conventions import FINDING_KINDS
from sizefloor.cli.main import main
from sizefloor.inputs.pipconfig import default_index_url
from sizefloor.units import human

ServerFactory = Callable[..., IndexServer]
TAG = "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"


def _blob(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("variants")
    core = {"cv2/__init__.py": b"# cv2\n", "cv2/cv2.abi3.so": _blob(300_000, 1)}
    build_wheel(
        dest, "opencv-python", "4.10.0.84", tag=TAG, requires_dist=["numpy>=1"],
        files={**core, "opencv_python.libs/libQt5Gui-1a2b3c4d.so.5": _blob(120_000, 2)},
    )  # fmt: skip
    build_wheel(
        dest, "opencv-python-headless", "4.10.0.84", tag=TAG, requires_dist=["numpy>=1"],
        files=core,
    )  # fmt: skip
    build_wheel(dest, "numpy", "2.0.0", tag=TAG, files={"numpy/__init__.py": b"N = 1\n" * 50})
    build_wheel(
        dest, "uvicorn", "0.30.0",
        files={"uvicorn/__init__.py": b"U = 1\n" * 100},
        requires_dist=['uvloop>=0.15; extra == "standard"', 'httptools; extra == "standard"'],
        extra_metadata=["Provides-Extra: standard"],
    )  # fmt: skip
    build_wheel(dest, "uvloop", "0.19.0", tag=TAG, files={"uvloop/loop.so": _blob(40_000, 3)})
    build_wheel(dest, "httptools", "0.6.1", tag=TAG, files={"httptools/p.so": _blob(9_000, 4)})
    build_wheel(
        dest, "torch", "2.5.1", tag=TAG,
        requires_dist=["nvidia-cublas-cu12==12.4.5.8", "triton==3.1.0"],
        files={
            "torch/__init__.py": b"T = 1\n",
            "torch/lib/libtorch_cpu.so": _blob(50_000, 5),
            "torch/lib/libtorch_cuda.so": _blob(70_000, 6),
        },
    )  # fmt: skip
    build_wheel(
        dest, "nvidia-cublas-cu12", "12.4.5.8", tag="py3-none-manylinux2014_x86_64",
        files={"nvidia/cublas/lib/libcublas.so.12": _blob(90_000, 7)},
    )  # fmt: skip
    build_wheel(dest, "triton", "3.1.0", tag=TAG, files={"triton/t.so": _blob(20_000, 8)})
    return dest


Run = Callable[..., dict[str, Any]]


@pytest.fixture
def estimate_json(
    index_server: ServerFactory, wheels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> Run:
    server = index_server(wheels)

    def run(requirements: str, *args: str) -> dict[str, Any]:
        path = tmp_path / "requirements.txt"
        path.write_text(requirements)
        code = main(
            [
                str(path), "--isolated", "--index-url", server.simple_url,
                "--cache-dir", str(tmp_path / "cache"), "--python", "3.12", "--no-compile",
                "--base", "none", "--format", "json", *args,
            ]
        )  # fmt: skip
        out, err = capsys.readouterr()
        assert code == 0, err
        data: dict[str, Any] = json.loads(out)
        return data

    return run


def _variants(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["kind"] == "variant"]


def test_opencv_python_gives_a_finding_with_the_bytes_the_headless_build_saves(
    estimate_json: Run,
) -> None:
    heavy = estimate_json("opencv-python==4.10.0.84\n")
    light = estimate_json("opencv-python-headless==4.10.0.84\n")
    saved = heavy["totals"]["installed_bytes"] - light["totals"]["installed_bytes"]
    assert saved > 120_000  # the Qt library, and the heavier wheel's RECORD
    (finding,) = _variants(heavy)
    assert finding["title"] == "opencv-python-headless in place of opencv-python"
    assert finding["paths"][0]["path"].endswith("requirements.txt:1")
    assert finding["bytes"] == saved
    assert finding["saving"] is False  # advice: its bytes overlap the other findings'
    remedy = finding["remedy"]
    assert remedy.startswith(
        "Write `opencv-python-headless==4.10.0.84` in place of `opencv-python==4.10.0.84` ("
    )
    assert f"measured for this target on this run's indexes: {saved:,} bytes" in remedy
    assert "It gives up the GUI: cv2.imshow" in remedy
    assert "Source: opencv-python's README" in remedy
    sizes = {p["name"]: p["installed_bytes"] for p in light["packages"]}
    assert f"in: opencv-python-headless {human(sizes['opencv-python-headless'])}" in remedy
    assert heavy["findings"][0] == finding  # the measured advice comes first
    assert _variants(light) == []  # nothing lighter known for the headless build


def test_a_variant_not_on_the_index_says_so(
    index_server: ServerFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    build_wheel(alone, "opencv-python", "4.10.0.84", tag=TAG, files={"cv2/x.so": _blob(5, 9)})
    server = index_server(alone)
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("opencv-python\n")
    args = [str(reqs), "--isolated", "-i", server.simple_url, "--no-cache", "--python", "3.12"]
    assert main([*args, "--base", "none", "--format", "json"]) == 0
    (finding,) = _variants(json.loads(capsys.readouterr().out))
    assert finding["title"].endswith("(not measured)")
    assert finding["remedy"].startswith("Not sized: ")
    assert "opencv-python-headless" in finding["remedy"]
    assert "Source: opencv-python's README" in finding["remedy"]


def test_uvicorn_standard_is_measured_without_its_extra(estimate_json: Run) -> None:
    with_extra = estimate_json("uvicorn[standard]>=0.30\n")
    plain = estimate_json("uvicorn>=0.30\n")
    saved = with_extra["totals"]["installed_bytes"] - plain["totals"]["installed_bytes"]
    (finding,) = _variants(with_extra)
    assert finding["bytes"] == saved
    assert "Write `uvicorn>=0.30` in place of `uvicorn[standard]>=0.30`" in finding["remedy"]
    assert "; out: uvloop " in finding["remedy"]
    assert "httptools" in finding["remedy"] and "falls back to asyncio and h11" in finding["remedy"]
    assert _variants(plain) == []


def test_a_variant_is_measured_from_what_the_estimate_read(
    index_server: ServerFactory, wheels: Path, tmp_path: Path
) -> None:
    """The lighter set is resolved and sized from the pages and wheels the first estimate
    read, kept in memory: each is asked of the index once, and the saving is what two
    separate estimates give."""
    server = index_server(wheels)

    def estimate(line: str, cache: str, **options: Any) -> sizefloor.Report:
        return sizefloor.estimate(
            [line], index_url=server.simple_url, use_pip_config=False, python="3.12",
            compile_bytecode=False, base="none", cache_dir=tmp_path / cache, **options,
        )  # fmt: skip

    report = estimate("uvicorn[standard]>=0.30", "one", use_cache=False)
    asked = [r.path for r in server.requests]
    assert len(asked) == len(set(asked))  # nothing asked twice, with no cache to read back
    plain = estimate("uvicorn>=0.30", "two")
    assert report.analysis is not None
    (finding,) = [f for f in report.analysis.findings if f.kind == "variant"]
    assert finding.bytes == report.totals.installed_bytes - plain.totals.installed_bytes
    server.clear_log()
    estimate("opencv-python", "three", alternatives=False)
    assert not any("headless" in r.path for r in server.requests)


def test_a_warm_run_reads_the_measured_variants_remembered_with_the_set(
    index_server: ServerFactory, wheels: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The set's variants are remembered with it, under the pages the set and the variants
    read (the lighter set's own page among them, so that a change there measures it again):
    a warm run reads one entry for them, asks the index nothing, and says the same."""
    server = index_server(wheels)

    def estimate() -> sizefloor.Report:
        return sizefloor.estimate(
            ["opencv-python==4.10.0.84"], index_url=server.simple_url, use_pip_config=False,
            python="3.12", compile_bytecode=False, base="none", cache_dir=tmp_path / "cache",
        )  # fmt: skip

    cold = estimate()
    server.clear_log()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sizefloor.pipeline.remembered"):
        warm = estimate()
    assert server.requests == []
    assert "the measured variants remembered for these inputs" in caplog.text
    assert warm.analysis is not None and cold.analysis is not None
    assert warm.analysis.findings == cold.analysis.findings
    with diskcache.Cache(str(tmp_path / "cache")) as disk:
        (entry,) = [disk[k] for k in disk.iterkeys() if ":variants:" in str(k)]
    pages = entry["pages"]
    assert any("opencv-python-headless" in page for page in pages)
    assert any(page.split("#")[0].endswith("/opencv-python/") for page in pages)


def test_a_variant_is_sized_without_findings_of_its_own_and_answers_when_asked_itself(
    index_server: ServerFactory, wheels: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A measured variant's estimate is not analysed (its finding reads its totals and
    packages); remembered so, it answers the lighter set when that is asked for itself (the
    advice applied), from the cache and with its analysis, the same as a run of its own."""
    server = index_server(wheels)

    def estimate(line: str, cache: str) -> sizefloor.Report:
        return sizefloor.estimate(
            [line], index_url=server.simple_url, use_pip_config=False, python="3.12",
            compile_bytecode=False, base="none", cache_dir=tmp_path / cache,
        )  # fmt: skip

    estimate("opencv-python==4.10.0.84", "cache")
    with diskcache.Cache(str(tmp_path / "cache")) as disk:
        results = [disk[k] for k in disk.iterkeys() if ":result:" in str(k)]
    unanalysed = [r["report"] for r in results if r["report"].analysis is None]
    assert sorted(p.name for p in unanalysed[0].packages) == ["numpy", "opencv-python-headless"]
    assert len(unanalysed) == 1
    server.clear_log()
    with caplog.at_level(logging.INFO, logger="sizefloor.pipeline.remembered"):
        applied = estimate("opencv-python-headless==4.10.0.84", "cache")
    assert "answered from the estimate remembered" in caplog.text
    assert not any(r.path.endswith(".whl") for r in server.requests)
    alone = estimate("opencv-python-headless==4.10.0.84", "alone")
    assert applied.analysis is not None and alone.analysis is not None
    assert applied.analysis.findings == alone.analysis.findings
    assert applied.analysis.requirements == alone.analysis.requirements
    assert applied.totals == alone.totals


def test_ignore_variant_measures_no_variant(
    index_server: ServerFactory, wheels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = index_server(wheels)
    path = tmp_path / "requirements.txt"
    path.write_text("opencv-python\n")
    code = main(
        [
            str(path), "--isolated", "--index-url", server.simple_url, "--python", "3.12",
            "--cache-dir", str(tmp_path / "cache"), "--no-compile", "--base", "none",
            "--format", "json", "--ignore", "variant",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert not any("headless" in r.path for r in server.requests)


def test_torch_with_cuda_packages_points_at_the_cpu_build_unmeasured(
    estimate_json: Run,
) -> None:
    data = estimate_json("torch==2.5.1\n")
    (finding,) = _variants(data)
    sizes = {p["name"]: p["installed_bytes"] for p in data["packages"]}
    stake = sizes["nvidia-cublas-cu12"] + sizes["triton"] + 70_000  # + libtorch_cuda.so
    assert finding["bytes"] == stake
    assert (
        "Not sized: PyTorch's CPU wheel index is not one of this run's indexes"
        in (finding["remedy"])
    )
    assert f"at least {stake:,} bytes" in finding["remedy"]
    assert "torch's CUDA libraries 70.0 kB" in finding["remedy"]
    assert "Source: pytorch.org/get-started/locally" in finding["remedy"]


def test_no_speculative_advice_for_packages_without_a_known_variant(
    estimate_json: Run,
) -> None:
    data = estimate_json("numpy\n")
    assert _variants(data) == []
    assert all("slimmer variant" not in f["remedy"] for f in data["findings"])


def test_the_table_names_the_variant_and_ignore_leaves_it_out(
    estimate_json: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _variants(estimate_json("opencv-python\n", "--ignore", "variant")) == []


def test_every_variant_has_a_source_and_what_it_gives_up() -> None:
    variants = load_variants()
    assert {v.heavy for v in variants} >= {
        "opencv-python", "opencv-contrib-python", "tensorflow", "torch", "uvicorn",
        "psycopg", "psycopg2-binary",
    }  # fmt: skip
    for v in variants:
        assert v.source and v.gives_up and v.swap in ("rename", "drop-extra", "index")
    assert FINDING_KINDS == KINDS  # --ignore takes every kind the analysis has


@pytest.mark.live
def test_live_opencv_python_headless_is_measured_on_pinned_versions(tmp_path: Path) -> None:
    index = os.environ.get("PIP_INDEX_URL") or default_index_url()
    common: dict[str, Any] = dict(
        python="3.12", platform="linux/amd64", index_url=index, use_pip_config=False,
        base="none", compile_bytecode=False, cache_dir=tmp_path,
    )  # fmt: skip
    heavy = sizefloor.estimate(["opencv-python==4.10.0.84", "numpy==2.0.0"], **common)
    light = sizefloor.estimate(
        ["opencv-python-headless==4.10.0.84", "numpy==2.0.0"], alternatives=False, **common
    )
    assert heavy.analysis is not None
    (finding,) = [f for f in heavy.analysis.findings if f.kind == "variant"]
    saved = heavy.totals.installed_bytes - light.totals.installed_bytes
    assert finding.bytes == saved
    assert saved > 20_000_000  # Qt and its friends, bundled in the GUI build only
    assert "opencv-python-headless==4.10.0.84" in finding.remedy
