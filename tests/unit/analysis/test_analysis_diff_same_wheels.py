"""The same wheel on both sides of a diff counts the same, however its bytecode was sampled."""

from __future__ import annotations

from dataclasses import replace

from fatwheels import make_report, pkg

from sizefloor.analysis.diff import diff_reports


def test_a_wheel_calibrated_twice_is_unchanged_and_the_totals_follow() -> None:
    lib = pkg("lib", 10_000)
    old_lib = replace(lib, installed_bytes=10_300, error_bytes=400)  # a smaller sample
    new_lib = replace(lib, installed_bytes=10_100, error_bytes=100)
    old = make_report(old_lib)
    new = make_report(new_lib, pkg("added", 5_000))
    diff = diff_reports(old, new)
    statuses = {c.name: c.status for c in diff.changes}
    assert statuses == {"lib": "unchanged", "added": "added"}
    assert diff.delta == 5_000  # only what changed
    assert {c.name: c.new_bytes for c in diff.changes}["lib"] == 10_100  # the closer figure


def test_a_new_version_is_still_a_change() -> None:
    old = make_report(pkg("lib", 10_000))
    new = make_report(replace(pkg("lib", 12_000, version="2.0")))
    (change,) = diff_reports(old, new).changes
    assert change.status == "changed" and change.delta == 2_000
