"""The pure analyses on constructed reports: sizes, the graph, unique bytes, budgets, views."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest
from fatwheels import make_report, pkg

from sizefloor.analysis.budget import Budget
from sizefloor.analysis.graph import DependencyGraph, immediate_dominators
from sizefloor.errors import InputError, InvalidSize
from sizefloor.render.formats import render
from sizefloor.render.views import render_tree, render_why
from sizefloor.report import PackageSize, Report, RuntimeSize
from sizefloor.units import human, parse_size

# -------------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500MB", 500_000_000),
        ("500mb", 500_000_000),
        ("500M", 500_000_000),
        ("1.5GB", 1_500_000_000),
        ("750kB", 750_000),
        ("750KB", 750_000),
        ("2TB", 2_000_000_000_000),
        ("800MiB", 838_860_800),
        ("1GiB", 1_073_741_824),
        ("1.5GiB", 1_610_612_736),
        ("0.5KiB", 512),
        ("3kib", 3_072),
        ("1TiB", 1_099_511_627_776),
        ("42", 42),
        ("42B", 42),
        (" 2 GB ", 2_000_000_000),
        (".5MB", 500_000),
        ("0.1B", 0),
        ("123456789012345678901234567890", 123456789012345678901234567890),
        ("1.000000001GB", 1_000_000_001),
    ],
)
def test_parse_size_is_exact(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "MB", "12XB", "-5MB", "1,5GB", "5 M B", "1e3MB", "GiB1"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(InvalidSize) as caught:
        parse_size(text)
    assert caught.value.exit_code == 2
    assert "is not a size" in str(caught.value)
    assert "MiB" in str(caught.value)  # the hint names the units


# ------------------------------------------------------------------------------ budget


@pytest.mark.parametrize("text", ["200", " 200 ", "1.5"])
def test_budget_without_a_unit_names_the_units(text: str) -> None:
    assert parse_size(text) == int(float(text))  # a size alone may be bytes
    with pytest.raises(InvalidSize) as caught:
        Budget.parse(text)
    assert caught.value.exit_code == 2
    assert f"{text.strip()!r} has no unit." in str(caught.value)
    assert "KiB" in str(caught.value) and "B is bytes" in str(caught.value)
    assert Budget.parse(f"{text}B").limit == int(float(text))


def test_budget_above_and_below() -> None:
    budget = Budget.parse("500MB")
    assert budget.limit == 500_000_000
    assert budget.message(500_000_000) is None
    assert budget.message(499_999_999) is None
    message = budget.message(500_000_001)
    assert message is not None
    assert "\n" not in message
    assert "above --max-size 500MB (500,000,000 bytes) by 1 B" in message
    assert Budget.parse("1GiB", "--max-increase").message(2**30 + 5, "the increase") == (
        "over budget: the increase is 1.1 GB (1,073,741,829 bytes), above --max-increase 1GiB "
        "(1,073,741,824 bytes) by 5 B"
    )


def test_budget_checks_the_reports_floor_runtime_included() -> None:
    plain = ds_report()
    budget = Budget.parse("1B")
    assert f"the installed size is {human(plain.totals.installed_bytes)}" in str(
        budget.check(plain)
    )
    runtime = RuntimeSize(
        base="python:3.12-slim",
        python="3.12",
        installed_bytes=120 * MB,
        download_bytes=40 * MB,
        disk_bytes=130 * MB,
        source="test",
        exact=True,
    )
    based = replace(plain, runtime=runtime)
    assert based.floor.installed_bytes == plain.totals.installed_bytes + 120 * MB
    assert f"the floor (runtime and packages) is {human(based.floor.installed_bytes)}" in str(
        budget.check(based)
    )


# -------------------------------------------------------------------------- the graph

MB = 1_000_000


def ds_report() -> Report:
    """The data-science example's graph, with round sizes."""
    r = "-r requirements.txt:"
    return make_report(
        pkg("numpy", 65 * MB, required_by=("pandas", "scikit-learn", "scipy", r + "2"),
            requested=True),
        pkg("pandas", 69 * MB, required_by=(r + "3",), requested=True),
        pkg("scipy", 153 * MB, required_by=("scikit-learn", r + "4"), requested=True),
        pkg("scikit-learn", 55 * MB, required_by=(r + "5",), requested=True),
        pkg("joblib", 2 * MB, required_by=("scikit-learn",)),
        pkg("cloudpickle", 145_000, required_by=("joblib",)),
        pkg("threadpoolctl", 214_000, required_by=("scikit-learn",)),
        pkg("python-dateutil", 710_000, required_by=("pandas",)),
        pkg("tzdata", 589_000, required_by=("pandas", "python-dateutil")),
        pkg("pytz", 1_100_000, required_by=("pandas",)),
    )  # fmt: skip


def test_graph_from_required_by() -> None:
    graph = DependencyGraph.from_packages(ds_report().packages)
    assert graph.roots == ("scikit-learn", "scipy", "pandas", "numpy")  # by reachable bytes
    assert graph.dependencies["scikit-learn"] == ("scipy", "numpy", "joblib", "threadpoolctl")
    assert graph.dependencies["pandas"] == ("numpy", "pytz", "python-dateutil", "tzdata")
    assert graph.origins["numpy"] == ("requirements.txt:2",)
    assert graph.dependents("numpy") == ("scipy", "pandas", "scikit-learn")
    assert graph.reachable_bytes("scikit-learn") == (55 + 153 + 65 + 2) * MB + 145_000 + 214_000


def test_unique_bytes_on_the_data_science_graph() -> None:
    report = ds_report()
    attribution = DependencyGraph.from_packages(report.packages).attribution()
    assert attribution.unique == {
        "scikit-learn": 55 * MB + 2 * MB + 145_000 + 214_000,
        "scipy": 0,  # scikit-learn pulls it in too
        "pandas": 69 * MB + 710_000 + 589_000 + 1_100_000,  # tzdata twice, both under pandas
        "numpy": 0,  # everyone's
    }
    assert attribution.shared == (153 + 65) * MB
    assert attribution.unattached == 0
    assert sum(attribution.unique.values()) + attribution.shared == report.totals.installed_bytes
    assert attribution.total == report.totals.installed_bytes


def test_retained_bytes_are_what_goes_with_a_package() -> None:
    retained = DependencyGraph.from_packages(ds_report().packages).retained_bytes()
    assert retained["joblib"] == 2 * MB + 145_000
    assert retained["python-dateutil"] == 710_000  # tzdata stays: pandas requires it directly
    assert retained["scipy"] == 153 * MB
    assert retained["numpy"] == 65 * MB


def test_immediate_dominators_of_a_diamond_with_a_cycle() -> None:
    successors = {"r": ["a", "b"], "a": ["c"], "b": ["c"], "c": ["d"], "d": ["c", "e"]}
    assert immediate_dominators("r", successors) == {
        "r": "r",
        "a": "r",
        "b": "r",
        "c": "r",
        "d": "c",
        "e": "d",
    }


def _random_report(rng: random.Random, n: int) -> Report:
    names = [f"p{i}" for i in range(n)]
    parents: dict[str, set[str]] = {name: set() for name in names}
    for child in names:
        for parent in rng.sample(names, rng.randint(0, min(3, n))):
            if parent != child:
                parents[child].add(parent)
    roots = set(rng.sample(names, rng.randint(1, max(1, n // 3))))
    packages = []
    for name in names:
        who = tuple(sorted(parents[name])) + ((f"-r req.txt:{name}",) if name in roots else ())
        packages.append(pkg(name, rng.randint(1, 10**6), required_by=who, requested=name in roots))
    return make_report(*packages)


@pytest.mark.parametrize("seed", range(40))
def test_unique_bytes_are_what_dropping_the_line_removes(seed: int) -> None:
    """Dominators agree with the definition: drop one top-level line, see what vanishes."""
    rng = random.Random(seed)
    report = _random_report(rng, rng.randint(2, 25))
    graph = DependencyGraph.from_packages(report.packages)
    size = {k: n.installed_bytes for k, n in graph.nodes.items()}
    everything = graph.reachable(graph.roots)
    attribution = graph.attribution()
    for root in graph.roots:
        kept = graph.reachable(r for r in graph.roots if r != root)
        assert attribution.unique[root] == sum(size[k] for k in everything - kept)
    in_several = [k for k in everything if sum(k in graph.reachable([r]) for r in graph.roots) > 1]
    assert attribution.shared == sum(size[k] for k in in_several)
    assert (
        sum(attribution.unique.values()) + attribution.shared + attribution.unattached
        == report.totals.installed_bytes
    )
    retained = graph.retained_bytes()
    for key in everything:  # what goes with a package: remove it, see what vanishes
        without = DependencyGraph(
            {k: v for k, v in graph.nodes.items() if k != key},
            {k: tuple(c for c in v if c != key) for k, v in graph.dependencies.items() if k != key},
            tuple(r for r in graph.roots if r != key),
        )
        gone = everything - without.reachable(without.roots)
        assert retained[key] == sum(size[k] for k in gone), key


# -------------------------------------------------------------------------------- why


def test_paths_to_numpy() -> None:
    graph = DependencyGraph.from_packages(ds_report().packages)
    chains = graph.paths_to("numpy")
    assert chains.paths == (
        ("numpy",),
        ("scipy", "numpy"),
        ("pandas", "numpy"),
        ("scikit-learn", "numpy"),
        ("scikit-learn", "scipy", "numpy"),
    )
    assert not chains.truncated
    short = graph.paths_to("numpy", limit=2)
    assert len(short.paths) == 2 and short.truncated


def test_why_numpy_names_the_chains() -> None:
    text = render_why(ds_report(), ["numpy"])
    assert text.splitlines() == [
        "numpy 1.0: 65.0 MB installed (18.7% of 347 MB)",
        "requested in requirements.txt:2; required by scipy 1.0, pandas 1.0, scikit-learn 1.0",
        "5 chains from the top-level requirements:",
        "  numpy 1.0",
        "  scipy 1.0 → numpy 1.0",
        "  pandas 1.0 → numpy 1.0",
        "  scikit-learn 1.0 → numpy 1.0",
        "  scikit-learn 1.0 → scipy 1.0 → numpy 1.0",
        "dropping the numpy requirement saves nothing: scikit-learn, scipy and pandas pull it "
        "in too",
    ]


def test_why_a_dependency_and_a_requirement() -> None:
    text = render_why(ds_report(), ["Python_Dateutil", "pandas"])
    assert "pandas 1.0 → python-dateutil 1.0" in text
    assert "it goes if pandas is dropped; 710 kB goes with it" in text
    assert "dropping the pandas requirement saves 71.4 MB" in text


def test_why_an_unknown_package_suggests_a_close_name() -> None:
    with pytest.raises(InputError) as caught:
        render_why(ds_report(), ["nunpy"])
    assert str(caught.value) == (
        "nunpy is not among the packages of this estimate.\nDid you mean numpy?"
    )


# ------------------------------------------------------------------------------- tree


def test_tree() -> None:
    r = "-r req.txt:"
    report = make_report(
        pkg("app", 1000, required_by=(r + "1",), requested=True),
        pkg("lib", 500, required_by=("app", "tool")),
        pkg("tool", 300, required_by=("app", r + "2"), requested=True),
        pkg("leaf", 40, required_by=("lib",)),
    )
    assert render_tree(report) == (
        "package              own  with deps\n"
        "app 1.0           1.0 kB     1.8 kB  unique 1.0 kB\n"
        "├── lib 1.0        500 B      540 B\n"
        "│   └── leaf 1.0    40 B\n"
        "└── tool 1.0       300 B      840 B\n"
        "    └── lib 1.0    500 B      540 B  (its tree is shown above)\n"
        "tool 1.0           300 B      840 B  unique 0 B  (its tree is shown above)\n"
        "\n"
        "unique to each top-level requirement: app 1.0 kB, tool 0 B; shared by several: "
        "840 B (together 1.8 kB)\n"
    )


# ------------------------------------------------------------------------ the formats


def _fat_report() -> Report:
    return make_report(
        pkg(
            "alpha",
            files={"alpha/__init__.py": 120, "alpha/tests/test_a.py": 5000, "alpha/big.so": 9000},
            required_by=("-r req.txt:1",),
            requested=True,
        ),
        pkg("beta", files={"beta/__init__.py": 60}, required_by=("alpha",)),
    )


def test_json_carries_the_graph_and_unique_bytes_not_the_files() -> None:
    document = _fat_report().to_json()
    alpha, beta = document["packages"]
    assert alpha["dependencies"] == ["beta"] and beta["dependencies"] == []
    assert alpha["unique_bytes"] == 14_180 and beta["unique_bytes"] is None
    assert beta["retained_bytes"] == 60
    assert document["requirements"] == [
        {
            "name": "alpha",
            "origins": ["req.txt:1"],
            "unique_bytes": 14_180,
            "reachable_bytes": 14_180,
        }
    ]
    assert document["shared_bytes"] == 0 and document["unattached_bytes"] == 0
    assert [f["kind"] for f in document["findings"]] == ["tests"]
    assert document["findings_bytes"] == 5000
    assert "contents" not in alpha and "largest_files" not in document
    json.dumps(document)


def test_json_files_and_top_on_request() -> None:
    document = _fat_report().to_json(files=True, top=2)
    assert document["packages"][0]["contents"][0] == {
        "path": "lib/python3.12/site-packages/alpha/__init__.py",
        "bytes": 120,
        "from_wheel": True,
    }
    assert document["largest_files"] == [
        {"package": "alpha", "path": "lib/python3.12/site-packages/alpha/big.so", "bytes": 9000},
        {
            "package": "alpha",
            "path": "lib/python3.12/site-packages/alpha/tests/test_a.py",
            "bytes": 5000,
        },
    ]


def test_table_shows_unique_bytes_and_how_they_add_up() -> None:
    text = render(ds_report(), "table", top=1)
    header = text.splitlines()[0]
    assert header.split() == [
        "package", "version", "installed", "files", "share", "unique", "download"
    ]  # fmt: skip
    assert (
        "unique to each top-level requirement: scikit-learn 57.4 MB, scipy 0 B, "
        "pandas 71.4 MB, numpy 0 B; shared by several: 218 MB (together 347 MB)"
    ) in text
    pandas_row = next(line for line in text.splitlines() if line.startswith("pandas "))
    assert "71.4 MB" in pandas_row


def test_markdown_puts_the_summary_first_and_folds_the_tables() -> None:
    text = render(ds_report(), "markdown")
    lines = text.splitlines()
    assert lines[0] == "### sizefloor: 347 MB installed"
    assert "- Dropping one requirement would save: pandas 71.4 MB, scikit-learn 57.4 MB" in lines
    first_details = lines.index("<details><summary>Top-level requirements (4)</summary>")
    assert lines.index("<details><summary>Packages (10)</summary>") > first_details
    assert "| *shared by several* | 218 MB | |" in lines
    assert text.count("<details>") == text.count("</details>")


def test_packages_without_contents_have_no_findings() -> None:
    report = ds_report()
    assert report.to_json()["findings"] == []
    assert all(isinstance(p, PackageSize) and not p.contents for p in report.packages)
