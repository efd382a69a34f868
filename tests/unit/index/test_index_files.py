"""A project's files kept packed, made a version at a time (:class:`ProjectFiles`)."""

from __future__ import annotations

from packaging.utils import NormalizedName
from packaging.version import Version

from sizefloor.index.files import FileRecord, ProjectFiles, make_dist_file, record_to_file

PROJECT = NormalizedName("demo")
INDEX = "https://index.example/simple/"


def record(
    filename: str,
    *,
    requires_python: str | None = None,
    upload: str | None = None,
    yanked: str | None = None,
) -> FileRecord:
    return (
        filename,
        f"https://files.example/{filename}",
        1234,
        (("sha256", "ab" * 32),),
        requires_python,
        yanked,
        upload,
        True,
    )


RECORDS = [
    record("demo-1.0-py3-none-any.whl", requires_python=">=3.8", upload="2024-01-02T03:04:05Z"),
    record("demo-1.0.tar.gz", requires_python=">=3.8"),
    record("other-1.0-py3-none-any.whl"),  # another project's name: not kept
    record("demo-2.0-py3-none-any.whl", requires_python="", yanked="broken"),
    record("demo-2.0-cp312-cp312-manylinux_2_17_x86_64.whl", requires_python=">=3.12"),
    record("demo-notaversion.tar.gz"),  # not a version: not kept
]


def test_listed_reads_every_kept_file_without_making_it() -> None:
    files = ProjectFiles(PROJECT, [(INDEX, RECORDS)], True)
    listed = list(files.listed())
    assert [(v, w, rp) for _, v, w, rp, _ in listed] == [
        (Version("1.0"), True, ">=3.8"),
        (Version("1.0"), False, ">=3.8"),
        (Version("2.0"), True, None),  # listed as null: no constraint
        (Version("2.0"), True, ">=3.12"),
    ]
    assert [upload for *_, upload in listed] == [None] * 4  # not asked for
    assert [u for *_, u in files.listed(uploads=True)] == ["2024-01-02T03:04:05Z", None, None, None]
    assert len(files) == 4 and files.found


def test_a_file_made_from_its_packed_record_is_the_file_the_record_describes() -> None:
    files = ProjectFiles(PROJECT, [(INDEX, RECORDS)], True)
    made = files.file(2)
    assert made.filename == "demo-2.0-py3-none-any.whl"
    assert made.url == "https://files.example/demo-2.0-py3-none-any.whl"
    assert made.yanked == "broken" and made.requires_python is None
    assert made.requires_python_listed and made.core_metadata
    assert made.sha256 == "ab" * 32 and made.size == 1234 and made.source == INDEX
    assert files.file(2) is made  # made once
    expected = record_to_file(PROJECT, RECORDS[3], INDEX)
    assert expected is not None and expected.url == made.url


def test_a_subset_makes_its_files_when_first_read() -> None:
    files = ProjectFiles(PROJECT, [(INDEX, RECORDS)], True)
    version_two = files.subset(range(2, 4))
    assert len(version_two) == 2
    assert [f.filename for f in version_two] == [
        "demo-2.0-py3-none-any.whl",
        "demo-2.0-cp312-cp312-manylinux_2_17_x86_64.whl",
    ]
    assert version_two[0] is files.file(2)


def test_local_files_follow_the_pages_files() -> None:
    local = make_dist_file(PROJECT, "demo-3.0-py3-none-any.whl", "file:///w/demo.whl", source="/w")
    assert local is not None
    files = ProjectFiles(
        PROJECT, [(INDEX, RECORDS[:2]), ("https://two.example/", RECORDS[3:4])], True, local=[local]
    )
    assert [f.filename for f in files.files] == [
        "demo-1.0-py3-none-any.whl",
        "demo-1.0.tar.gz",
        "demo-2.0-py3-none-any.whl",
        "demo-3.0-py3-none-any.whl",
    ]
    assert [f.source for f in files.files] == [INDEX, INDEX, "https://two.example/", "/w"]
    assert files.file(3) is local
    assert list(files.listed())[3][1] == Version("3.0")


def test_no_files_is_found_or_not_as_told() -> None:
    assert not ProjectFiles(PROJECT).found
    empty = ProjectFiles(PROJECT, [(INDEX, [])], True)
    assert empty.found and empty.files == () and list(empty.listed()) == []


def test_a_project_whose_versions_are_tried_one_by_one_stays_unpacked() -> None:
    """The resolver backtracking through a project's versions unpacks its records a few times,
    then keeps them: the files made are the same either way."""
    many = [record(f"demo-{i}.0-py3-none-any.whl") for i in range(1, 8)]
    files = ProjectFiles(PROJECT, [(INDEX, many)], True)
    assert isinstance(files._packed, bytes)
    made = [files.file(i) for i in range(7)]
    assert isinstance(files._packed, list)  # kept after UNPACKED_KEPT unpackings
    assert [f.version for f in made] == [Version(f"{i}.0") for i in range(1, 8)]
    assert files.file(6) is made[6]
