"""A file that is not a readable zip archive: :class:`ZipFormatError` is one of sizefloor's
errors, and a run that meets one ends with exit status 1 and one clean paragraph."""

from __future__ import annotations

from pathlib import Path

import pytest
from wheelbuilder import build_wheel

import sizefloor
from sizefloor.cli.main import main
from sizefloor.dists.zipdir import ZipFormatError, read_members
from sizefloor.errors import MetadataUnavailable, SizefloorError


def test_zip_format_error_is_a_sizefloor_error() -> None:
    with pytest.raises(ZipFormatError) as caught:
        read_members(b"PK\x03\x04 this is not an archive" * 4)
    error = caught.value
    assert isinstance(error, MetadataUnavailable)
    assert isinstance(error, SizefloorError)
    assert isinstance(error, ValueError)  # as before, for callers that catch those
    assert error.exit_code == 1
    assert str(error) == error.message == "no end of central directory record: not a zip archive"


@pytest.fixture
def broken_links(tmp_path: Path) -> Path:
    """A find-links folder with a good ``lib`` and an ``app`` whose wheel is cut short."""
    links = tmp_path / "links"
    build_wheel(links, "lib", "1.0", files={"lib/__init__.py": b"x = 1\n" * 4000})
    app = build_wheel(links, "app", "1.0", files={"app/__init__.py": b"y = 2\n" * 4000})
    app.write_bytes(app.read_bytes()[:-40])
    return links


def test_a_cut_wheel_is_unreadable_metadata(broken_links: Path) -> None:
    with pytest.raises(MetadataUnavailable) as caught:
        sizefloor.estimate(
            ["app"], python="3.12", no_index=True, find_links=(str(broken_links),),
            use_pip_config=False, use_cache=False,
        )  # fmt: skip
    assert "app-1.0-py3-none-any.whl" in str(caught.value)
    assert "is not a readable wheel" in str(caught.value)


def test_the_command_line_reports_it_with_status_1(
    broken_links: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["-p", "app", "--no-index", "--find-links", str(broken_links), "--isolated",
         "--python", "3.12", "--no-cache"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("sizefloor: error: ")
    assert "Traceback" not in err and "internal error" not in err
