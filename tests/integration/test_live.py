"""Live tests: the public default index, on pinned versions only.

Published files never change, so these figures are fixed. The oracle for a
wheel's contents is the wheel itself, downloaded whole and opened with
:mod:`zipfile`. Deselect with ``-m "not live"``.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

import sizefloor
from sizefloor.cache import Cache
from sizefloor.dists.wheel import WheelReader
from sizefloor.index.files import DistFile
from sizefloor.index.finder import Finder
from sizefloor.inputs.pipconfig import default_index_url
from sizefloor.net.http import Http

pytestmark = pytest.mark.live

PRIOR_TO = datetime(2024, 6, 1, tzinfo=timezone.utc)


def _find(finder: Finder, project: str, filename: str) -> DistFile:
    for dist in finder.project(project).files:
        if dist.filename == filename:
            return dist
    raise AssertionError(f"{filename} is not on the index")


@pytest.mark.parametrize(
    ("project", "filename"),
    [
        ("six", "six-1.16.0-py2.py3-none-any.whl"),
        (
            "pydantic-core",
            "pydantic_core-2.18.4-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        ),
    ],
)
def test_central_directory_matches_the_downloaded_wheel(
    project: str, filename: str, tmp_path: Path
) -> None:
    with Http() as http:
        cache = Cache(None)
        finder = Finder(http, cache, index_urls=[default_index_url()])
        dist = _find(finder, project, filename)
        info = WheelReader(http, cache).inspect(dist)
        fetched = info.fetched
        whole = httpx.get(dist.url, follow_redirects=True, timeout=60).content

    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        expected = tuple((i.filename, i.file_size) for i in archive.infolist() if not i.is_dir())
        metadata = next(
            archive.read(n) for n in archive.namelist() if n.endswith(".dist-info/METADATA")
        )
    assert info.members == expected
    assert info.metadata == metadata
    assert info.size == len(whole)
    if len(whole) > 1_000_000:
        assert fetched < len(whole) // 20  # ranges, not the whole file


def test_resolution_is_pip_s_on_a_fixed_date(tmp_path: Path) -> None:
    # pip install --dry-run --report --only-binary=:all: --python-version 3.12
    #   --platform manylinux_2_17_x86_64 --uploaded-prior-to 2024-06-01 requests==2.32.3
    report = sizefloor.estimate(
        ["requests==2.32.3"],
        python="3.12",
        platform="linux/amd64",
        use_pip_config=False,
        uploaded_prior_to=PRIOR_TO,
        compile_bytecode=False,
        cache_dir=tmp_path / "cache",
    )
    pins = {p.name: p.version for p in report.packages}
    assert pins == {
        "requests": "2.32.3",
        "charset-normalizer": "3.3.2",
        "idna": "3.7",
        "urllib3": "2.2.1",
        "certifi": "2024.2.2",
    }
    assert report.package("charset-normalizer").filename == (
        "charset_normalizer-3.3.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    )
    assert all(p.exact for p in report.packages)
