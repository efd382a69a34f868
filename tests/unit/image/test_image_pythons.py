"""image/pythons.py: the interpreters, site-packages folders and distributions of an image.

Each image is a real ``docker save`` archive (``tests/imagebuilder.py``) read by
:func:`read_image`: the layout is read from its file list and kept metadata alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from imagebuilder import Layer, docker_save, file, symlink

from sizefloor.image.pythons import python_layout
from sizefloor.image.reader import Image, read_image

SITE = "usr/local/lib/python3.11/site-packages"


def image_of(
    tmp_path: Path,
    files: Mapping[str, bytes],
    *,
    links: Mapping[str, str] | None = None,
    env: Sequence[str] = (),
) -> Image:
    members = [file(p, d) for p, d in files.items()]
    members += [symlink(p, t) for p, t in (links or {}).items()]
    return read_image(docker_save(tmp_path / "img.tar", [Layer(members)], env=env).path)


def test_interpreters_and_versions(tmp_path: Path) -> None:
    image = image_of(
        tmp_path,
        {
            "usr/local/bin/python3.11": b"elf",
            "usr/lib/python3.9/os.py": b"stdlib without an interpreter binary",
        },
        links={"usr/bin/python3.12": "python3", "usr/bin/python3": "/usr/local/bin/python3.11"},
    )
    layout = python_layout(image)
    assert layout.interpreters == (
        ("/usr/bin/python3.12", "3.12"),
        ("/usr/local/bin/python3.11", "3.11"),
    )
    assert layout.versions == ("3.12", "3.11", "3.9")


def test_a_distribution_owns_its_record_and_the_top_folders_only_it_names(tmp_path: Path) -> None:
    record = b"pkg/__init__.py,sha256=x,5\npkg/core.py,,\nPkg_Name-2.0.dist-info/RECORD,,\n"
    files = {
        "usr/local/bin/python3.11": b"elf",
        f"{SITE}/Pkg_Name-2.0.dist-info/RECORD": record,
        f"{SITE}/Pkg_Name-2.0.dist-info/METADATA": b"Name: Pkg-Name\n",
        f"{SITE}/pkg/__init__.py": b"12345",
        f"{SITE}/pkg/core.py": b"core",
        f"{SITE}/pkg/__pycache__/core.cpython-311.pyc": b"written after installation",
        f"{SITE}/loose.py": b"nobody's",
    }
    layout = python_layout(image_of(tmp_path, files))
    (site,) = layout.site_packages
    assert (site.path, site.python, site.stale) == ("/" + SITE, "3.11", False)
    assert site.bytes == sum(len(d) for p, d in files.items() if p.startswith(SITE))
    (dist,) = site.distributions
    assert (dist.name, dist.key, dist.version, dist.layer) == ("Pkg_Name", "pkg-name", "2.0", 0)
    owned = {p for p in files if p.startswith(SITE) and not p.endswith("loose.py")}
    assert set(dist.files) == {"/" + p for p in owned}
    assert dist.bytes == sum(len(files[p]) for p in owned)
    assert layout.owner_of()["/" + SITE + "/pkg/__pycache__/core.cpython-311.pyc"] == dist
    assert "/" + SITE + "/loose.py" not in layout.owner_of()


def test_an_egg_info_lists_its_files_relative_to_itself(tmp_path: Path) -> None:
    site = "usr/lib/python3/dist-packages"
    files = {
        f"{site}/old-1.0.egg-info/installed-files.txt": b"../old/__init__.py\nPKG-INFO\n",
        f"{site}/old-1.0.egg-info/PKG-INFO": b"Name: old\n",
        f"{site}/old/__init__.py": b"old code",
    }
    layout = python_layout(image_of(tmp_path, files))
    (sp,) = layout.site_packages
    assert (sp.python, sp.stale) == (None, False)  # no version: never stale
    (dist,) = sp.distributions
    assert (dist.name, dist.version) == ("old", "1.0")
    assert set(dist.files) == {"/" + p for p in files}


def test_a_site_packages_no_interpreter_runs_is_stale(tmp_path: Path) -> None:
    files = {
        "usr/local/bin/python3.11": b"elf",
        "usr/local/lib/python3.5/site-packages/x-1.dist-info/RECORD": b"x.py,,\n",
        "usr/local/lib/python3.5/site-packages/x.py": b"x",
    }
    layout = python_layout(image_of(tmp_path, files))
    assert [(sp.python, sp.stale) for sp in layout.stale] == [("3.5", True)]
    assert layout.to_json()["site_packages"] == [
        {
            "path": "/usr/local/lib/python3.5/site-packages",
            "python": "3.5",
            "bytes": sum(len(d) for d in files.values()) - 3,
            "stale": True,
            "distributions": 1,
        }
    ]


def test_the_default_version(tmp_path: Path) -> None:
    two = {
        "usr/bin/python3.9": b"a",
        "usr/local/bin/python3.12": b"b",
        "usr/lib/python3.9/site-packages/a-1.dist-info/RECORD": b"",
        "usr/lib/python3.9/site-packages/b-1.dist-info/RECORD": b"",
    }
    assert python_layout(image_of(tmp_path, two)).default_version == "3.9"  # most packages
    env = ("PATH=/usr/bin", "PYTHON_VERSION=3.12.1")
    assert python_layout(image_of(tmp_path, two, env=env)).default_version == "3.12"
    assert python_layout(image_of(tmp_path, {"x": b""})).default_version is None
