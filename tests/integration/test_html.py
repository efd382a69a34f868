"""The HTML page: self-contained, and it renders in a real headless browser.

The browser is Debian's Chromium (``/usr/bin/chromium``), started by the test with no
network use of its own; the browser tests are skipped, saying why, when it is missing.
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fatwheels import build_fat, make_report, pkg
from indexserver import IndexServer

from sizefloor.cli.main import main
from sizefloor.render.html import page_data, render_html
from sizefloor.report import RuntimeSize

CHROMIUM = Path("/usr/bin/chromium")
ServerFactory = Callable[..., IndexServer]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium): apt-get install chromium",
)


@pytest.fixture(scope="module")
def fat_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fat(tmp_path_factory.mktemp("fat"))


def _page(
    server: IndexServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], *more: str
) -> tuple[Path, dict[str, Any]]:
    """The page for webapp + worker (``--top 5``), and the same estimate's JSON."""
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("webapp==1.0\nworker==1.0\n")
    common = [str(reqs), "--isolated", "--index-url", server.simple_url, "--python", "3.12"]
    common += ["--cache-dir", str(tmp_path / "cache"), "--top", "5", *more]
    out = tmp_path / "report.html"
    assert main([*common, "--format", "html", "-o", str(out)]) == 0
    assert capsys.readouterr().out == ""
    assert main([*common, "--format", "json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out, document


@pytest.fixture
def page(
    index_server: ServerFactory, fat_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, dict[str, Any]]:
    """The packages alone (``--base none``): the treemap is theirs."""
    return _page(index_server(fat_dir), tmp_path, capsys, "--base", "none")


@pytest.fixture
def floor_page(
    index_server: ServerFactory, fat_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, dict[str, Any]]:
    """The floor by default: the smallest runtime for Python 3.12 under the packages."""
    return _page(index_server(fat_dir), tmp_path, capsys)


def test_page_is_self_contained(page: tuple[Path, dict[str, Any]]) -> None:
    path, document = page
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>")
    assert "Content-Security-Policy" in text and "default-src 'none'" in text
    for reference in ("src=", "href=", "url(", "@import", "<link", "<iframe", "<img"):
        assert reference not in text, reference
    # the one URL is the SVG namespace the script creates elements in, never fetched
    assert re.findall(r"https?://[^\s\"'<>]+", text) == ["http://www.w3.org/2000/svg"]
    embedded = re.search(r"id=sizefloor-data>(.*?)</script>", text, re.S)
    assert embedded is not None
    data = json.loads(embedded.group(1))
    assert sum(p["bytes"] for p in data["packages"]) == document["totals"]["installed_bytes"]
    assert {p["name"] for p in data["packages"]} == {p["name"] for p in document["packages"]}
    assert "libgfortran bundled 2 times" in text  # the findings
    assert "alpha.libs/libgfortran-040039e1-0352e75f.so.5.0.0" in text  # the largest files


def _chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "chromium-profile"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _attribute(dom: str, element_id: str, attribute: str) -> str:
    tag = re.search(rf"<[^>]*\bid=\"{element_id}\"[^>]*>", dom)
    assert tag is not None, f"no element #{element_id} in the rendered page"
    value = re.search(rf"\b{attribute}=\"([^\"]*)\"", tag.group(0))
    assert value is not None, f"#{element_id} has no {attribute}"
    return value.group(1)


@needs_chromium
def test_page_renders_in_chromium(page: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    path, document = page
    result = _chromium("--dump-dom", path.as_uri(), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    total = document["totals"]["installed_bytes"]
    # the figures the page's script computed from the packages
    assert _attribute(dom, "total-installed", "data-bytes") == str(total)
    assert _attribute(dom, "total-files", "data-bytes") == str(document["totals"]["files"])
    assert _attribute(dom, "total-download", "data-bytes") == str(
        document["totals"]["download_bytes"]
    )
    assert _attribute(dom, "total-packages", "data-bytes") == str(len(document["packages"]))
    assert _attribute(dom, "total-savings", "data-bytes") == str(document["findings_bytes"])
    assert _attribute(dom, "consistency", "data-consistent") == "true"
    assert f"the packages add up to {total:,} bytes" in dom
    # the treemap: one group per package, named, with its bytes
    drawn = dict(re.findall(r'<g class="package" data-name="([^"]+)" data-bytes="(\d+)"', dom))
    assert drawn == {p["name"]: str(p["installed_bytes"]) for p in document["packages"]}
    assert _attribute(dom, "treemap", "data-rendered") == str(len(document["packages"]))
    assert dom.count('class="folder"') >= len(document["packages"])
    # the unique bytes the script wrote into the requirements table
    filled = re.findall(r'<td class="n" data-bytes="(\d+)">', dom)
    assert sorted(int(b) for b in filled) == sorted(
        r["unique_bytes"] for r in document["requirements"]
    )


@needs_chromium
def test_the_runtime_is_a_block_of_the_treemap(
    floor_page: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, document = floor_page
    runtime = document["runtime"]
    text = path.read_text(encoding="utf-8")
    assert "sizefloor: floor " in text and f"({runtime['base']} + " in text  # the title leads
    result = _chromium("--dump-dom", path.as_uri(), tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    block = re.findall(r'<g class="runtime" data-name="([^"]+)" data-bytes="(\d+)"', dom)
    assert block == [(runtime["base"], str(runtime["installed_bytes"]))]
    drawn = dict(re.findall(r'<g class="package" data-name="([^"]+)" data-bytes="(\d+)"', dom))
    assert drawn == {p["name"]: str(p["installed_bytes"]) for p in document["packages"]}
    floor = document["floor"]["installed_bytes"]
    assert _attribute(dom, "total-floor", "data-bytes") == str(floor)


@needs_chromium
def test_page_screenshot(page: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    path, _ = page
    shot = tmp_path / "page.png"
    result = _chromium(
        f"--screenshot={shot}",
        "--window-size=1280,1400",
        "--hide-scrollbars",
        path.as_uri(),
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 1400)
    assert len(data) > 20_000  # a drawn page, not a blank one


def test_page_data_has_the_floor_when_a_base_is_named() -> None:
    report = make_report(
        pkg("alpha", files={"alpha/__init__.py": 1_000, "alpha/tests/t.py": 500}),
        pkg("beta", files={"beta/x.so": 20_000}),
    )
    assert page_data(report)["floor"] is None
    runtime = RuntimeSize(
        base="python:3.12-slim",
        python="3.12",
        installed_bytes=1_000_000,
        download_bytes=400_000,
        disk_bytes=1_100_000,
        source="test",
        exact=True,
    )
    data = page_data(replace(report, runtime=runtime))
    assert data["floor"] == 1_021_500
    assert data["savings"] == 500
    assert [p["folders"] for p in data["packages"]] == [
        [{"name": "beta", "bytes": 20_000}],
        [{"name": "alpha", "bytes": 1_000}, {"name": "alpha/tests", "bytes": 500}],
    ]
    assert "id=total-floor" in render_html(replace(report, runtime=runtime))
