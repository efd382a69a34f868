"""Findings read from installed file lists, on constructed reports: exact bytes per kind."""

from __future__ import annotations

import pytest
from fatwheels import make_report, pkg

from sizefloor.analysis.findings import (
    Finding,
    classify,
    find,
    folders,
    largest_files,
    library_key,
    savings,
)
from sizefloor.render.views import findings_lines
from sizefloor.report import Report

GF = "libgfortran-040039e1-0352e75f.so.5.0.0"


def fat_report() -> Report:
    numpyish = pkg(
        "numpyish",
        files={
            "numpyish/__init__.py": 1_000,
            "numpyish/__pycache__/__init__.cpython-312.pyc": 900,  # compiled by pip
            "numpyish/_core/tests/test_a.py": 10_000,
            "numpyish/_core/tests/__pycache__/test_a.cpython-312.pyc": 8_000,
            "numpyish/_core/tests/data/ref.h": 333,  # a header in a test suite: counted once
            "numpyish/tests/test_b.py": 2_000,
            "numpyish/testing/__init__.py": 700,
            "numpyish/doc/guide.rst": 400,
            "numpyish/__init__.pyi": 250,
            "numpyish/_core/include/numpyish/arrayobject.h": 1_200,
            "numpyish/_core/src.c": 800,
            "numpyish/__init__.pxd": 90,
            "numpyish/old/__pycache__/mod.cpython-39.pyc": 640,  # another Python's cache
            "numpyish/old/mod.py": 100,
            "numpyish/legacy.pyc": 55,  # shadowed by legacy.py
            "numpyish/legacy.py": 50,
            "numpyish/sourceless.pyc": 77,  # no source: loaded, kept
            f"numpyish.libs/{GF}": 2_833_617,
            "numpyish.libs/libscipy_openblas64_-ff651d7f.so": 22_419_249,
            "numpyish-1.0.dist-info/tests/odd.txt": 11,  # dist-info: never a test suite
            "numpyish/_core/_multiarray_umath.cpython-312-x86_64-linux-gnu.so": 10_490_129,
        },
        generated=("numpyish/__pycache__/__init__.cpython-312.pyc",),
        required_by=("-r req.txt:1",),
        requested=True,
    )
    scipyish = pkg(
        "scipyish",
        files={
            "scipyish/__init__.py": 500,
            f"scipyish.libs/{GF}": 2_833_617,
            "scipyish.libs/libgfortran-040039e1.so.5.0.0": 2_686_065,
            "scipyish.libs/libscipy_openblas-c128ec02.so": 36_060_905,
            "scipyish/stats/tests/test_c.py": 7_000,
        },
        required_by=("-r req.txt:2",),
        requested=True,
    )
    stubs = pkg(
        "types-thing",
        files={"thing-stubs/__init__.pyi": 3_000, "thing-stubs/METADATA.toml": 40},
        required_by=("-r req.txt:3",),
        requested=True,
    )
    return make_report(numpyish, scipyish, stubs)


def by_kind(found: list[Finding]) -> dict[str, list[Finding]]:
    result: dict[str, list[Finding]] = {}
    for f in found:
        result.setdefault(f.kind, []).append(f)
    return result


def test_each_kind_with_exact_bytes() -> None:
    found = by_kind(find(fat_report().packages))
    (tests,) = found["tests"]
    assert tests.bytes == 10_000 + 8_000 + 333 + 2_000 + 7_000
    assert tests.files == 5
    assert tests.packages == (("numpyish", 20_333), ("scipyish", 7_000))
    assert tests.paths == (
        ("numpyish/_core/tests", 18_333),
        ("scipyish/stats/tests", 7_000),
        ("numpyish/tests", 2_000),
    )
    assert (
        "-name tests" in tests.remedy and "/usr/local/lib/python3.12/site-packages" in tests.remedy
    )
    (testing,) = found["testing"]
    assert (testing.bytes, testing.paths) == (700, (("numpyish/testing", 700),))
    (docs,) = found["docs"]
    assert docs.bytes == 400
    (stubs,) = found["stubs"]
    assert stubs.bytes == 250 + 3_000 + 40  # a -stubs package goes whole
    assert stubs.packages == (("types-thing", 3_040), ("numpyish", 250))
    (sources,) = found["sources"]
    assert sources.bytes == 1_200 + 800 + 90
    (bytecode,) = found["bytecode"]
    assert bytecode.bytes == 640 + 55
    assert all(f.remedy for f in find(fat_report().packages))


def test_shared_libraries_matched_by_name_before_the_hash() -> None:
    found = by_kind(find(fat_report().packages))
    libraries = {f.title: f for f in found["shared-library"]}
    gfortran = libraries["libgfortran bundled 3 times"]
    assert gfortran.saving
    assert gfortran.bytes == 2_833_617  # the identical copy, hard-linked
    assert gfortran.files == 3
    assert gfortran.packages == (("scipyish", 2_833_617 + 2_686_065), ("numpyish", 2_833_617))
    assert "hardlink" in gfortran.remedy and "2 different builds" in gfortran.remedy
    openblas = libraries["openblas bundled 2 times"]
    assert not openblas.saving  # two builds: advice, not a saving
    assert openblas.bytes == 22_419_249
    assert openblas.paths == (
        ("scipyish.libs/libscipy_openblas-c128ec02.so", 36_060_905),
        ("numpyish.libs/libscipy_openblas64_-ff651d7f.so", 22_419_249),
    )


def test_large_files_are_advice_and_savings_add_up() -> None:
    found = find(fat_report().packages)
    large = [f for f in found if f.kind == "large-file"]
    assert [f.paths[0] for f in large] == [
        ("scipyish.libs/libscipy_openblas-c128ec02.so", 36_060_905),
        ("numpyish.libs/libscipy_openblas64_-ff651d7f.so", 22_419_249),
        ("numpyish/_core/_multiarray_umath.cpython-312-x86_64-linux-gnu.so", 10_490_129),
    ]
    assert not any(f.saving for f in large)
    assert savings(found) == 27_333 + 700 + 400 + 3_290 + 2_090 + 695 + 2_833_617
    assert [f.saving for f in found] == sorted((f.saving for f in found), reverse=True)


def test_findings_in_text() -> None:
    lines = findings_lines(fat_report())
    assert lines[0].startswith("findings: 2.9 MB")
    assert "worth a look:" in lines
    assert any("27.3 kB  test suites inside packages: 5 files in" in line for line in lines)


@pytest.mark.parametrize(
    ("path", "from_wheel", "expected"),
    [
        ("lib/python3.12/site-packages/a/tests/x.py", True, ("tests", "a/tests")),
        ("lib/python3.12/site-packages/a/test/x.py", True, ("tests", "a/test")),
        ("lib/python3.12/site-packages/tests/x.py", True, ("tests", "tests")),
        ("lib/python3.12/site-packages/a/tests.py", True, None),  # a module, not a folder
        ("lib/python3.12/site-packages/a/testing/x.py", True, ("testing", "a/testing")),
        ("lib/python3.12/site-packages/a-1.0.dist-info/tests/x", True, None),
        ("lib/python3.12/site-packages/a/examples/x.py", True, ("docs", "a/examples")),
        ("share/man/man1/a.1", True, ("docs", "share/man/man1")),
        ("share/doc/a/README", True, ("docs", "share/doc/a")),
        ("include/python3.12/a/a.h", True, ("sources", "include/python3.12/a")),
        ("lib/python3.12/site-packages/a/x.HPP", True, ("sources", "a")),
        ("lib/python3.12/site-packages/a-stubs/x.py", True, ("stubs", "a-stubs")),
        ("lib/python3.12/site-packages/a/__pycache__/m.cpython-311.pyc", True, ("bytecode", "a")),
        ("lib/python3.12/site-packages/a/__pycache__/m.cpython-312.pyc", True, None),
        ("lib/python3.12/site-packages/a/__pycache__/m.cpython-311.pyc", False, None),
        (
            "lib/python3.12/site-packages/a/__pycache__/gone.cpython-312.pyc",
            True,
            ("bytecode", "a"),
        ),
        ("bin/tool", True, None),
    ],
)
def test_classify(path: str, from_wheel: bool, expected: tuple[str, str] | None) -> None:
    sources = frozenset({"lib/python3.12/site-packages/a/m.py"})
    assert classify(path, from_wheel, cache_tag="cpython-312", sources=sources) == expected


def test_library_key() -> None:
    assert library_key("libgfortran") == "libgfortran"
    assert library_key("libscipy_openblas64_") == "openblas"
    assert library_key("libopenblasp") == "openblas"
    assert library_key("libGOMP") == "libgomp"


def test_largest_files_and_folders() -> None:
    report = fat_report()
    top = largest_files(report.packages, 2)
    assert [(f.package, f.size) for f in top] == [
        ("scipyish", 36_060_905),
        ("numpyish", 22_419_249),
    ]
    assert largest_files(report.packages, 0) == []
    scipyish = report.package("scipyish")
    assert folders(scipyish) == [
        ("scipyish.libs", 36_060_905 + 2_833_617 + 2_686_065),
        ("scipyish/stats", 7_000),
        ("scipyish", 500),
    ]


def test_nothing_to_find() -> None:
    report = make_report(pkg("plain", files={"plain/__init__.py": 10}))
    assert find(report.packages) == []
    assert findings_lines(report) == []


def test_copies_of_one_library_within_one_package_are_their_own_finding() -> None:
    # a wheel cannot hold symbolic links: each name the library goes by is a whole copy
    arrow = pkg(
        "pyarrow",
        files={
            "pyarrow/libarrow_python.so": 2_256_064,
            "pyarrow/libarrow_python.so.2600": 2_256_064,
            "pyarrow/libarrow_python.so.2600.1.0": 2_256_064,
            "pyarrow/libarrow.so.2600": 60_000_000,
        },
    )
    found = find(make_report(arrow).packages)
    libraries = [f for f in found if f.kind == "shared-library"]
    (copies,) = libraries  # not "3 different builds ... not interchangeable"
    assert copies.title == "libarrow_python.so.2600.1.0 installed 3 times in pyarrow"
    assert copies.saving and copies.bytes == 2 * 2_256_064 and copies.files == 3
    assert "not interchangeable" not in copies.remedy
    assert (
        "`cd /usr/local/lib/python3.12/site-packages/pyarrow && "
        "ln -sf libarrow_python.so.2600.1.0 libarrow_python.so && "
        "ln -sf libarrow_python.so.2600.1.0 libarrow_python.so.2600`" in copies.remedy
    )
    assert savings(found) >= copies.bytes


def test_copies_within_a_package_count_once_across_packages() -> None:
    # two packages each installing libfoo under two names: within each, one is needed,
    # and only that one is compared across the packages
    one = pkg("one", files={"one/libfoo.so": 1_000, "one/libfoo.so.1": 1_000})
    two = pkg("two", files={"two/libfoo.so.1": 1_000, "two/libfoo.so.1.2": 1_000})
    found = [f for f in find(make_report(one, two).packages) if f.kind == "shared-library"]
    titles = {f.title: f for f in found}
    assert titles["libfoo.so.1 installed 2 times in one"].bytes == 1_000
    assert titles["libfoo.so.1.2 installed 2 times in two"].bytes == 1_000
    across = titles["libfoo bundled 2 times"]
    assert across.files == 2  # the one needed copy of each package, not all four
    assert across.paths == (("one/libfoo.so.1", 1_000), ("two/libfoo.so.1.2", 1_000))


def test_copies_that_differ_in_size_say_so() -> None:
    odd = pkg("odd", files={"odd/libbar.so": 500, "odd/libbar.so.3": 700})
    (copies,) = [f for f in find(make_report(odd).packages) if f.kind == "shared-library"]
    assert copies.bytes == 500 and "sizes differ" in copies.remedy
