"""The on-disk cache: large page bodies in files of their own, reports pickled compactly."""

from __future__ import annotations

from pathlib import Path

from sizefloor.cache import BLOB_AT, PAGE_TTL, Cache


def page(body: bytes) -> dict[str, object]:
    return {"body": body, "url": "https://index.test/simple/p/", "etag": '"1"'}


def blobs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "blobs").rglob("*") if p.is_file())


def test_a_large_body_is_a_file_and_reads_back(tmp_path: Path) -> None:
    body = bytes(range(256)) * (BLOB_AT // 256 + 1)
    cache = Cache(tmp_path)
    cache.set_page("https://index.test/simple/p/", page(body))
    assert len(blobs(tmp_path)) == 1, "written at once, by the caller"
    cache.close()

    again = Cache(tmp_path)
    entry, fresh = again.get_page("https://index.test/simple/p/")
    assert fresh
    assert entry is not None
    assert entry["body"] == body
    assert entry["etag"] == '"1"'
    again.close()


def test_a_small_body_stays_in_the_entry(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.set_page("https://index.test/simple/p/", page(b"{}"))
    cache.close()
    assert not (tmp_path / "blobs").exists()
    entry, _ = Cache(tmp_path).get_page("https://index.test/simple/p/")
    assert entry is not None and entry["body"] == b"{}"


def test_a_replaced_body_is_the_new_one(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    first, second = b"a" * BLOB_AT, b"b" * BLOB_AT
    cache.set_page("https://index.test/simple/p/", page(first))
    cache.set_page("https://index.test/simple/p/", page(second))
    cache.close()
    assert len(blobs(tmp_path)) == 1
    entry, _ = Cache(tmp_path).get_page("https://index.test/simple/p/")
    assert entry is not None and entry["body"] == second


def test_a_missing_body_file_is_a_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.set_page("https://index.test/simple/p/", page(b"x" * BLOB_AT))
    cache.close()
    for path in blobs(tmp_path):
        path.unlink()
    assert Cache(tmp_path).get_page("https://index.test/simple/p/") == (None, False)


def test_without_a_cache_nothing_is_written(tmp_path: Path) -> None:
    cache = Cache(None)
    cache.set_page("https://index.test/simple/p/", page(b"x" * BLOB_AT))
    assert cache.get_page("https://index.test/simple/p/") == (None, False)
    assert list(tmp_path.iterdir()) == []


def test_a_package_and_its_files_pickle_as_they_were() -> None:
    import pickle

    from sizefloor.report import InstalledFile, PackageSize

    files = (
        InstalledFile("lib/python3.12/site-packages/p/__init__.py", 0),
        InstalledFile("lib/python3.12/site-packages/p/é.py", 2**40),
        InstalledFile("lib/python3.12/site-packages/p-1.0.dist-info/RECORD", 321, False),
    )
    package = PackageSize(
        "p", "1.0", "p-1.0-py3-none-any.whl", 2**40 + 321, 2**40 + 8192, 999, 3, True,
        required_by=("-r requirements.txt",), contents=files,
    )  # fmt: skip
    for value in (package, PackageSize("q", "2", None, 0, 0, 0, 0, False)):
        again = pickle.loads(pickle.dumps(value))
        assert again == value
        assert again.contents == value.contents
        assert all(type(f) is InstalledFile and type(f.from_wheel) is bool for f in again.contents)


def test_a_loaded_package_keeps_its_files_packed_until_they_are_read() -> None:
    """A remembered report's files stay as the columns they were pickled as until something
    reads them; pickled again unread, they give the same bytes; read, the same files."""
    import pickle
    from dataclasses import replace

    from sizefloor.report import InstalledFile, PackageSize

    files = tuple(InstalledFile(f"lib/p/m{i}.py", i, i % 2 == 0) for i in range(5))
    package = PackageSize("p", "1.0", "p.whl", 10, 10, 10, 5, True, contents=files)
    data = pickle.dumps(package)
    loaded = pickle.loads(data)
    assert "_contents" in vars(loaded) and not isinstance(vars(loaded)["_contents"], tuple)
    assert pickle.dumps(loaded) == data
    assert loaded.contents == files and isinstance(vars(loaded)["_contents"], tuple)
    assert loaded == package and hash(loaded) == hash(package)
    assert replace(loaded, name="q").contents == files
    assert PackageSize("q", "2", None, 0, 0, 0, 0, False).contents == ()


def test_pages_current_reads_every_stamp_together_as_one_by_one(tmp_path: Path) -> None:
    """The stamps read in one query say what reading them one by one says: a page is
    current while its stamp is the one remembered, and fresh."""
    cache = Cache(tmp_path / "c")
    stamps = {
        f"https://index.test/simple/p{i}/": cache.set_page(
            f"https://index.test/simple/p{i}/", page(b"{}")
        )
        for i in range(700)
    }
    cache.flush()
    assert cache._stamps(list(stamps)) == stamps  # more keys than one query takes
    assert cache.pages_current(stamps)
    assert all(cache.page_current(k, v) for k, v in stamps.items())
    changed = {
        **stamps,
        "https://index.test/simple/p3/": stamps["https://index.test/simple/p3/"] - 1,
    }
    assert not cache.pages_current(changed)
    assert not cache.pages_current({**stamps, "https://index.test/simple/never/": 1.0e12})
    old = {k: v - PAGE_TTL - 1 for k, v in stamps.items()}
    assert not cache.pages_current(old)
    cache.close()
    offline = Cache(tmp_path / "c", offline=True)
    assert offline.pages_current(stamps)
    offline.close()
    assert Cache(None).pages_current({}) and not Cache(None).pages_current(stamps)
