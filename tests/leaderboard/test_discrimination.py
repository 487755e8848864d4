"""The "does the suite discriminate?" checks: specialists on careful variants, floors, the cap,
hard-negative costs, and the roles and patterns entries.yaml gives them."""

from __future__ import annotations

import copy
from dataclasses import replace

import pytest

from brushbench.cli import main
from brushbench.leaderboard import discrimination as d
from brushbench.leaderboard.entries import LeaderboardError, load_leaderboard
from brushbench.leaderboard.stats import board_stats

from leaderboard_helpers import set_metric, with_values, write

ENTRIES = """\
spec:
  patterns: [click_farm]
other:
  description: a general detector
floor:
  role: floor
"""


def _careful(value_careful, value_naive):
    return lambda run: value_careful if run["scenario"].endswith("_careful") else value_naive


def _board(tmp_path, spec_careful, other_careful, *, floor_ap=None, entries=ENTRIES):
    spec = with_values("ten_line", per_pattern__click_farm__average_precision=_careful(
        spec_careful, 0.99))
    other = with_values("random_scores", per_pattern__click_farm__average_precision=_careful(
        other_careful, 0.99))
    floor = with_values("null_scores")
    if floor_ap is not None:
        floor = set_metric(floor, "orders.average_precision",
                           lambda run: floor_ap * run["metrics"]["orders"]["base_rate"])
    for name, doc in (("spec", spec), ("other", other), ("floor", floor)):
        write(tmp_path, name, doc)
    (tmp_path / "entries.yaml").write_text(entries, encoding="utf-8")
    board = load_leaderboard(tmp_path)
    return board_stats(board)


def _by_kind(checks, kind):
    return [c for c in checks if c.kind == kind]


def test_a_specialist_is_judged_on_the_careful_variants(tmp_path):
    wins = d.specialist_checks(_board(tmp_path, 0.4, 0.2))
    assert [c.passed for c in wins] == [True]
    assert "spec on careful click_farm: AP 0.400 (naive 0.990); best other other 0.200" \
        in wins[0].text
    loses = d.specialist_checks(_board(tmp_path / "b", 0.2, 0.4))
    assert [c.passed for c in loses] == [False]


def test_a_supervised_entry_is_shown_beside_a_specialist_not_held_against_it(tmp_path):
    entries = ENTRIES.replace("  description: a general detector\n",
                              "  description: trained on labels\n  role: supervised\n")
    checks = d.specialist_checks(_board(tmp_path, 0.4, 0.9, entries=entries))
    assert [c.passed for c in checks] == [True]
    assert checks[0].text.endswith("no other entry; supervised other 0.900")


def test_floors_are_held_to_the_base_rate(tmp_path):
    near = _by_kind(d.all_checks(_board(tmp_path, 0.4, 0.2, floor_ap=1.2)), "floor")
    assert [c.passed for c in near] == [True] and "within 20%" in near[0].text
    far = _by_kind(d.all_checks(_board(tmp_path / "b", 0.4, 0.2, floor_ap=3.0)), "floor")
    assert [c.passed for c in far] == [False]


def test_the_cap_applies_to_careful_scenarios_and_patterns(tmp_path):
    caps = {c.text.split(":")[0]: c for c in _by_kind(d.all_checks(
        _board(tmp_path, 0.95, 0.2)), "cap")}
    assert not caps["spec"].passed and "0.950 (click_farm)" in caps["spec"].text
    assert "floor" not in caps  # floors are not capped: they are the floor


def test_hard_negative_costs_name_the_kinds_above_twice_the_budget(tmp_path):
    stats = _board(tmp_path, 0.4, 0.2)
    def flagging(run):
        if not run.ok:
            return run
        metrics = copy.deepcopy(dict(run.metrics))
        metrics["false_alarms"]["flash_sale"]["rate_at_1pct"] = (
            0.3 if run.scenario.endswith("_naive") else 0.0)
        return replace(run, metrics=metrics)

    def edited(st):
        if st.entry.name != "spec":
            return st
        results = replace(st.entry.results, runs=tuple(flagging(r) for r in st.entry.runs))
        return replace(st, entry=replace(st.entry, results=results))

    costs = d.hard_negative_costs([edited(st) for st in stats])
    assert ("spec", "flash_sale", pytest.approx(0.3)) in costs
    assert all(name != "floor" for name, _, _ in costs)


def test_the_readme_has_the_section(tmp_path):
    _board(tmp_path, 0.4, 0.2)
    assert main(["leaderboard", "build", "--results", str(tmp_path), "--out",
                 str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    section = text.split("## Does the suite discriminate?\n", 1)[1].split("\n## ", 1)[0]
    assert "- ✔ specialist: spec on careful click_farm" in section


@pytest.mark.parametrize(("entries", "message"), [
    ("spec:\n  patterns: [click_farms]\n", "unknown pattern 'click_farms'"),
    ("spec:\n  role: judge\n", "role"),
    ("null:\n  role: floor\n", "quote it"),
])
def test_entries_mistakes_are_one_located_line(tmp_path, entries, message):
    with pytest.raises(LeaderboardError) as err:
        _board(tmp_path, 0.4, 0.2, entries=entries)
    lines = str(err.value).splitlines()
    assert len(lines) == 1 and "entries.yaml:" in lines[0] and message in lines[0]
