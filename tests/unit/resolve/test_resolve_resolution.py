"""The resolution stage on its own (:mod:`sizefloor.resolve`): a Provider over a real Finder
and WheelReader, against the loopback test index, without the estimator around it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from indexserver import DEFAULT_UPLOAD_TIME, IndexServer
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from wheelbuilder import build_sdist, build_wheel

from sizefloor.cache import Cache
from sizefloor.dists.wheel import WheelInfo, WheelReader
from sizefloor.errors import NoCompatibleFiles, ProjectNotFound, ResolutionImpossible
from sizefloor.index.finder import Finder
from sizefloor.net.http import Http
from sizefloor.resolve import (
    Provider,
    Resolution,
    Wanted,
    direct_dist,
    file_filter,
    resolve_requirements,
)
from sizefloor.target import Target

TARGET = Target.from_options(python="3.12", platform="linux/amd64")


def wheel(root: Path, name: str, version: str, *requires: str, **kw: object) -> Path:
    module = name.replace("-", "_")
    return build_wheel(
        root, name, version, files={f"{module}/__init__.py": b"x = 1\n"}, requires_dist=requires,
        **kw,
    )  # fmt: skip


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("resolve-index")
    wheel(root, "app", "1.0", "lib>=1", "tool[cli]", 'winonly; sys_platform == "win32"')
    wheel(root, "lib", "1.0")
    wheel(root, "lib", "2.0")
    wheel(root, "lib", "3.0b1")
    wheel(root, "tool", "1.0", 'clickish>=0.5; extra == "cli"', 'unused; extra == "other"')
    wheel(root, "clickish", "0.4")
    wheel(root, "clickish", "0.5")
    wheel(root, "old", "1.0")
    wheel(root, "old", "2.0")  # yanked by the server below
    wheel(root, "modern", "1.0")
    wheel(root, "modern", "2.0", requires_python=">=3.13")
    wheel(root, "native", "1.0", tag="cp312-cp312-win_amd64")
    build_sdist(root, "srconly", "1.0", requires_dist=["lib<2"])
    build_wheel(root, "mixed", "2.0", files={"mixed/__init__.py": b""})
    build_sdist(root, "mixed", "1.0")
    return root


@pytest.fixture(scope="module")
def server(index_dir: Path) -> Iterator[IndexServer]:
    with IndexServer(index_dir, yanked={"old-2.0-py3-none-any.whl": "broken"}) as srv:
        yield srv


@pytest.fixture
def http() -> Iterator[Http]:
    with Http() as client:
        yield client


def provider(http: Http, server: IndexServer, **options: object) -> Provider:
    finder = Finder(http, Cache(None), index_urls=[server.simple_url], accept=file_filter(TARGET))
    options.setdefault("constraints", {})
    return Provider(finder, WheelReader(http, Cache(None)), TARGET, **options)


def resolve(http: Http, server: IndexServer, *lines: str, **options: object) -> Resolution:
    roots = [Wanted(Requirement(line), f"requirements.txt:{n}") for n, line in enumerate(lines, 1)]
    return resolve_requirements(roots, provider(http, server, **options))


def versions(resolution: Resolution) -> dict[str, str]:
    return {p.name: str(p.version) for p in resolution.packages}


def test_the_newest_allowed_versions_with_extras_followed_and_markers_evaluated(
    http: Http, server: IndexServer
) -> None:
    resolution = resolve(http, server, "app")
    assert versions(resolution) == {"app": "1.0", "lib": "2.0", "tool": "1.0", "clickish": "0.5"}
    by_name = {p.name: p for p in resolution.packages}
    assert by_name["app"].requested and by_name["app"].required_by == ("-r requirements.txt:1",)
    assert not by_name["lib"].requested and by_name["lib"].required_by == ("app",)
    assert by_name["clickish"].required_by == ("tool",)  # through tool's extra, folded in
    assert all(p.direct_url is None for p in resolution.packages)
    assert resolution.warnings == ()


def test_prereleases_only_when_asked_for(http: Http, server: IndexServer) -> None:
    assert versions(resolve(http, server, "lib"))["lib"] == "2.0"
    assert versions(resolve(http, server, "lib", pre=True))["lib"] == "3.0b1"
    assert versions(resolve(http, server, "lib>=3.0b1"))["lib"] == "3.0b1"


def test_constraints_narrow_without_adding(http: Http, server: IndexServer) -> None:
    constraints = {NormalizedName("lib"): SpecifierSet("<2"), NormalizedName("x"): SpecifierSet()}
    assert versions(resolve(http, server, "lib", constraints=constraints)) == {"lib": "1.0"}


def test_yanked_only_when_pinned(http: Http, server: IndexServer) -> None:
    assert versions(resolve(http, server, "old")) == {"old": "1.0"}
    assert versions(resolve(http, server, "old==2.0")) == {"old": "2.0"}


def test_requires_python_rules_out_versions(http: Http, server: IndexServer) -> None:
    assert versions(resolve(http, server, "modern")) == {"modern": "1.0"}


def test_uploaded_prior_to_hides_later_files(http: Http, server: IndexServer) -> None:
    # the server dates its files a second apart in name order: lib-1.0 before lib-2.0
    names = sorted(p.name for p in server.root.iterdir())
    cutoff = DEFAULT_UPLOAD_TIME + timedelta(seconds=names.index("lib-2.0-py3-none-any.whl"))
    resolution = resolve(http, server, "lib", uploaded_prior_to=cutoff)
    assert versions(resolution) == {"lib": "1.0"}
    later = datetime(2100, 1, 1, tzinfo=timezone.utc)
    assert versions(resolve(http, server, "lib", uploaded_prior_to=later)) == {"lib": "2.0"}


def test_sdists_when_there_is_no_wheel(http: Http, server: IndexServer) -> None:
    chosen = provider(http, server)
    resolution = resolve_requirements([Wanted(Requirement("srconly"), "r:1")], chosen)
    assert versions(resolution) == {"srconly": "1.0", "lib": "1.0"}  # lib<2 from its PKG-INFO
    assert chosen.projects.sdist_fallback == {"srconly"}
    by_name = {p.name: p for p in resolution.packages}
    assert not by_name["srconly"].dist.is_wheel
    assert not isinstance(chosen.inspection(by_name["srconly"].dist), WheelInfo)


def test_an_old_sdist_only_version_when_pinned(http: Http, server: IndexServer) -> None:
    assert versions(resolve(http, server, "mixed")) == {"mixed": "2.0"}
    resolution = resolve(http, server, "mixed==1.0")
    assert versions(resolution) == {"mixed": "1.0"}
    assert not resolution.packages[0].dist.is_wheel


def test_a_clash_names_each_requirement_and_where_it_came_from(
    http: Http, server: IndexServer
) -> None:
    with pytest.raises(ResolutionImpossible) as caught:
        resolve(http, server, "app", "clickish<0.5")
    message = caught.value.message
    assert "clickish<0.5 (from requirements.txt:2)" in message
    assert "tool 1.0" in message
    assert caught.value.exit_code == 2


def test_nothing_to_match_lists_the_versions_there_are(http: Http, server: IndexServer) -> None:
    with pytest.raises(ResolutionImpossible) as caught:
        resolve(http, server, "lib>5")
    assert caught.value.message.endswith(
        f"Versions available for {TARGET.describe()}: 3.0b1, 2.0, 1.0."
    )


def test_unknown_and_unsupported_projects(http: Http, server: IndexServer) -> None:
    with pytest.raises(ProjectNotFound):
        resolve(http, server, "nosuchproject")
    with pytest.raises(NoCompatibleFiles) as caught:
        resolve(http, server, "native")
    assert "win_amd64" in caught.value.message and "cp312" in caught.value.message


def test_a_direct_url_is_the_only_candidate(http: Http, server: IndexServer) -> None:
    url = server.file_url("lib-1.0-py3-none-any.whl")
    dist = direct_dist("lib", url)
    assert dist is not None
    resolution = resolve(http, server, f"lib @ {url}", direct={NormalizedName("lib"): dist})
    assert versions(resolution) == {"lib": "1.0"}
    assert resolution.packages[0].direct_url == url


def test_each_file_is_inspected_once(http: Http, server: IndexServer) -> None:
    server.clear_log()
    chosen = provider(http, server)
    resolve_requirements([Wanted(Requirement("app"), "r:1")], chosen)
    for package in ("app", "lib", "tool", "clickish"):
        dist = next(p for p in chosen.finder.project(package).files if p.is_wheel)
        assert chosen.inspection(dist) is chosen.inspection(dist)
    wheel_reads = [r.path for r in server.requests if r.path.startswith("/files/")]
    assert len(wheel_reads) == len(set(wheel_reads))  # no wheel was read twice


def test_an_invalid_dependency_is_warned_about_once(http: Http, tmp_path: Path) -> None:
    wheel(tmp_path, "odd", "1.0", "lib>=1", "not a requirement !!")
    wheel(tmp_path, "lib", "1.0")
    with IndexServer(tmp_path) as own:
        resolution = resolve(http, own, "odd")
    assert versions(resolution) == {"odd": "1.0", "lib": "1.0"}
    assert resolution.warnings == (
        "odd 1.0 declares an invalid requirement 'not a requirement !!': ignored",
    )


def test_direct_dist_reads_name_and_hash_from_the_url() -> None:
    dist = direct_dist("Lib", "https://files.invalid/a/lib-1.0-py3-none-any.whl#sha256=abc")
    assert dist is not None
    assert (dist.project, str(dist.version), dist.is_wheel) == ("lib", "1.0", True)
    assert dist.url == "https://files.invalid/a/lib-1.0-py3-none-any.whl"
    assert dist.sha256 == "abc" and dist.size is None and dist.source == "direct URL"
    assert direct_dist("lib", "https://files.invalid/lib-1.0.tar.gz") is not None
    assert direct_dist("lib", "https://files.invalid/lib.egg") is None


def _names(files: Sequence[str]) -> list[str]:
    accept = file_filter(TARGET)
    return [f for f in files if accept(f)]


def test_file_filter_keeps_the_targets_wheels_and_sdists() -> None:
    files = [
        "a-1.0-py3-none-any.whl",
        "a-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "a-1.0-cp313-cp313-manylinux_2_17_x86_64.whl",
        "a-1.0-cp312-cp312-win_amd64.whl",
        "a-1.0-cp312-abi3-macosx_11_0_arm64.whl",
        "a-1.0-py2.py3-none-any.whl",
        "a-1.0.tar.gz",
        "not-a-wheel.whl",
    ]
    assert _names(files) == [
        "a-1.0-py3-none-any.whl",
        "a-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "a-1.0-py2.py3-none-any.whl",
        "a-1.0.tar.gz",
    ]
    assert file_filter(TARGET).key == file_filter(TARGET).key
    other = Target.from_options(python="3.12", platform="linux/arm64")
    assert file_filter(other).key != file_filter(TARGET).key


def test_file_filter_answers_alike_from_what_it_remembers() -> None:
    """The filter remembers its answer per name ending; the same names, asked again and in
    any order, get the same answers, and names with too few parts are never remembered."""
    files = [
        "a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "b-2.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "b-2.0-cp312-cp312-win_amd64.whl",
        "x-y.whl",
        "-.whl",
        "a-b-c.whl",
        "weird-1.0-py3--any.whl",
        "a-1.0-1-py3-none-any.whl",
    ]
    first = _names(files)
    accept = file_filter(TARGET)
    assert [f for f in reversed(files) if accept(f)] == list(reversed(first))
    assert [f for f in files if accept(f)] == first
    judged = file_filter(TARGET)._judge  # the same question, answered afresh each time
    assert first == [f for f in files if judged(f)]
    assert "b-2.0-cp312-cp312-win_amd64.whl" not in first and "x-y.whl" not in first
