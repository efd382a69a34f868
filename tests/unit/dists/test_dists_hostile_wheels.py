"""Wheels checked as an installer would check them: sizes no archive can hold, names that
lead outside the install directory or cannot be decoded. Each is refused naming the wheel
and the member, whether the wheel is read whole (under 16 KiB) or by its central directory;
an honest large member still sizes exactly."""

from __future__ import annotations

import random
import zipfile
from pathlib import Path

import pytest
from hostilewheels import patch_member, rename_bytes, zeros_wheel
from wheelbuilder import build_wheel

import sizefloor
from sizefloor.cli.main import main
from sizefloor.errors import MetadataUnavailable

PADDING = random.Random(14).randbytes(40_000)
"""Incompressible bytes that take a wheel past the size read whole."""

SIZES = pytest.mark.parametrize("padded", [False, True], ids=["whole", "ranged"])


def wheel(links: Path, padded: bool, files: dict[str, bytes], **kw: object) -> Path:
    extra = {"evil/pad.bin": PADDING} if padded else {}
    built = build_wheel(links, "evil", "1.0", files={**files, **extra}, **kw)  # type: ignore[arg-type]
    assert (built.stat().st_size > 16 * 1024) is padded
    return built


def refusal(links: Path) -> str:
    with pytest.raises(MetadataUnavailable) as caught:
        sizefloor.estimate(
            ["evil"], python="3.12", no_index=True, find_links=(str(links),),
            use_pip_config=False, use_cache=False, sample_bytecode=False,
        )  # fmt: skip
    message = str(caught.value)
    assert "evil-1.0-py3-none-any.whl" in message
    return message


@SIZES
def test_a_stored_member_declaring_more_than_it_holds(tmp_path: Path, padded: bool) -> None:
    built = wheel(tmp_path, padded, {"evil/x.bin": b"abc"}, compression=zipfile.ZIP_STORED)
    patch_member(built, "evil/x.bin", file_size=4_000_000_000)
    message = refusal(tmp_path)
    assert "member 'evil/x.bin' is stored (not compressed) yet declares 4,000,000,000" in message


@SIZES
def test_a_deflated_member_beyond_deflates_ratio(tmp_path: Path, padded: bool) -> None:
    built = wheel(tmp_path, padded, {"evil/x.py": b"x = 1\n" * 50})
    patch_member(built, "evil/x.py", file_size=4_000_000_000)
    assert "member 'evil/x.py' declares 4,000,000,000 bytes deflated" in refusal(tmp_path)


@SIZES
def test_a_zip64_size_of_two_to_the_64_minus_one(tmp_path: Path, padded: bool) -> None:
    built = wheel(tmp_path, padded, {"evil/x.py": b"x = 1\n" * 50}, force_zip64=True)
    patch_member(built, "evil/x.py", file_size=2**64 - 1)
    assert "18,446,744,073,709,551,615 bytes deflated" in refusal(tmp_path)


@SIZES
def test_a_member_larger_than_the_archive(tmp_path: Path, padded: bool) -> None:
    built = wheel(tmp_path, padded, {"evil/x.bin": b"abc"}, compression=zipfile.ZIP_STORED)
    patch_member(built, "evil/x.bin", file_size=3_000_000_000, compressed_size=3_000_000_000)
    assert "declares 3,000,000,000 compressed bytes where the archive has room" in refusal(tmp_path)


@SIZES
@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("../escape.py", "leads outside the install directory"),
        ("evil/../../escape.py", "leads outside the install directory"),
        ("/etc/escape.py", "has an absolute path"),
    ],
)
def test_a_member_outside_the_install_directory(
    tmp_path: Path, padded: bool, name: str, said: str
) -> None:
    wheel(tmp_path, padded, {name: b"x = 1\n"})
    assert f"member {name!r} {said}" in refusal(tmp_path)


@SIZES
@pytest.mark.parametrize(
    ("patch", "said"),
    [
        ({"flags": 0x1}, "is encrypted: pip cannot install it"),
        ({"method": 9}, "uses compression method 9, which pip cannot read"),
        ({"data_of": "evil/a.py"}, "shares its data with 'evil/a.py'"),
    ],
)
def test_members_pip_could_not_extract(
    tmp_path: Path, padded: bool, patch: dict[str, object], said: str
) -> None:
    built = wheel(tmp_path, padded, {"evil/a.py": b"a = 1\n" * 99, "evil/b.py": b"b = 2\n" * 99})
    patch_member(built, "evil/b.py", **patch)  # type: ignore[arg-type]
    assert f"member 'evil/b.py' {said}" in refusal(tmp_path)


def test_metadata_larger_than_any_real_one(tmp_path: Path) -> None:
    """(A wheel read whole is under 16 KiB: deflate's ratio refuses it first.)"""
    padded = True
    noise = random.Random(5)
    lines = [f"Keywords: {noise.randbytes(3000).hex()}" for _ in range(20)]
    built = wheel(tmp_path, padded, {"evil/a.py": b""}, extra_metadata=lines)
    patch_member(built, "evil-1.0.dist-info/METADATA", file_size=40 * 1024 * 1024)
    assert "'evil-1.0.dist-info/METADATA' declares 41,943,040 bytes, more than 32 MiB" in (
        refusal(tmp_path)
    )


def test_dotdot_inside_the_wheel_is_allowed_as_pip_allows_it(tmp_path: Path) -> None:
    build_wheel(tmp_path, "fine", "1.0", files={"fine/a/../b.py": b"x = 1\n"})
    report = sizefloor.estimate(
        ["fine"], python="3.12", no_index=True, find_links=(str(tmp_path),),
        use_pip_config=False, use_cache=False, sample_bytecode=False,
    )  # fmt: skip
    assert [p.name for p in report.packages] == ["fine"]


@SIZES
def test_an_undecodable_member_name(tmp_path: Path, padded: bool) -> None:
    built = wheel(tmp_path, padded, {"evil/\u00e9t\u00e9.py": b"x = 1\n"})
    rename_bytes(built, "evil/\u00e9t\u00e9.py".encode(), b"evil/\xff\xfet\xc3\xa9.py")
    assert "is not UTF-8" in refusal(tmp_path)
    assert "evil/\\xff\\xfet" in refusal(tmp_path)


def test_the_command_line_exits_1_naming_wheel_and_member(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = wheel(tmp_path, True, {"evil/x.bin": b"abc"}, compression=zipfile.ZIP_STORED)
    patch_member(built, "evil/x.bin", file_size=4_000_000_000)
    status = main(
        ["-p", "evil", "--no-index", "--find-links", str(tmp_path), "--isolated",
         "--python", "3.12", "--no-cache", "--max-size", "1GB"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert status == 1
    assert "evil-1.0-py3-none-any.whl" in err and "'evil/x.bin'" in err
    assert "Traceback" not in err and "4.0 GB" not in err


@pytest.mark.slow
def test_an_honest_gibibyte_of_zeros_sizes_exactly(tmp_path: Path) -> None:
    zeros_wheel(tmp_path, "zeros", 2**30)
    report = sizefloor.estimate(
        ["zeros"], python="3.12", no_index=True, find_links=(str(tmp_path),),
        use_pip_config=False, use_cache=False, sample_bytecode=False, compile_bytecode=False,
    )  # fmt: skip
    (package,) = report.packages
    assert package.exact
    assert 2**30 < package.installed_bytes < 2**30 + 4096
