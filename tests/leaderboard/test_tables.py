"""The README's numbers: how they are averaged, which are marked best, what is undefined and
how failed runs show."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from brushbench.leaderboard import load_leaderboard
from brushbench.leaderboard.markdown import render_markdown
from brushbench.leaderboard.stats import board_stats
from brushbench.leaderboard.tables import HIGHER, LOWER, Cell, Column, Table, mark_best

from leaderboard_helpers import UNDEFINED, bold, fixture, table, with_values, write

AP = "AP (mean ± std)"


def readme(folder) -> str:
    board = load_leaderboard(folder)
    return render_markdown(board, board_stats(board))


def by_scenario(values):
    """A metric value per run from {(scenario, seed): value}."""
    return lambda run: values[(run["scenario"], run["seed"])]


def test_the_best_of_each_column_is_bold_in_its_direction(tmp_path):
    common = {"orders__average_precision": 0.5, "orders__roc_auc": 0.6}
    docs = {
        "a": with_values("ten_line", **{**common, "orders__average_precision": 0.9},
                         per_pattern__click_farm__recall_at_1pct=0.1,
                         false_alarms__flash_sale__rate_at_1pct=0.02,
                         false_alarms__household__rate_at_1pct=0.0101),
        "b": with_values("ten_line", **{**common, "orders__roc_auc": 0.8},
                         per_pattern__click_farm__recall_at_1pct=0.3,
                         false_alarms__flash_sale__rate_at_1pct=0.01,
                         false_alarms__household__rate_at_1pct=0.0102),
        "c": with_values("ten_line", **{**common, "orders__roc_auc": 0.8},
                         per_pattern__click_farm__recall_at_1pct=0.2,
                         false_alarms__flash_sale__rate_at_1pct=0.03,
                         false_alarms__household__rate_at_1pct=0.01006),
        # Higher AP and recall than anyone on the runs it finished, but two runs failed.
        "d": with_values("careful_fails", orders__average_precision=0.99,
                         per_pattern__click_farm__recall_at_1pct=0.9,
                         false_alarms__flash_sale__rate_at_1pct=0.0),
    }
    for run in docs["a"]["runs"]:
        run["cost"]["score_seconds"] /= 100        # a is by far the fastest
    for name, doc in docs.items():
        write(tmp_path, name, doc)
    rows = table(readme(tmp_path), "Overall")
    marked = {col: sorted(name for name, row in rows.items() if bold(row[col]))
              for col in rows["a"]}
    assert marked[AP] == ["a"]                                   # d is higher, but incomplete
    assert marked["ROC-AUC"] == ["b", "c"]                       # a tie: both
    assert marked["R@1% click_farm"] == ["b"]
    assert marked["FA@1% flash_sale"] == ["b"]                   # lower is better; d excluded
    assert marked["FA@1% household"] == ["a", "c"]               # equal once shown: 1.01%
    assert marked["orders/s"] == ["a"]
    assert marked["detector"] == marked["runs"] == []
    assert rows["a"][AP] == "**0.900 ± 0.000**" and rows["d †"][AP] == "0.990 ± 0.000"
    assert rows["a"]["FA@1% household"] == "**1.01%**"


def test_overall_ap_averages_scenarios_per_seed_then_seeds(tmp_path):
    ap = {("mixed_naive", 0): 0.2, ("mixed_naive", 1): 0.4,
          ("mixed_careful", 0): 0.6, ("mixed_careful", 1): 1.0}
    write(tmp_path, "x", with_values("ten_line", orders__average_precision=by_scenario(ap)))
    text = readme(tmp_path)
    # Per seed (0.2 + 0.6) / 2 = 0.4 and (0.4 + 1.0) / 2 = 0.7: mean 0.55, sd 0.2121 (the sd
    # of the four runs, 0.342, would mix the scenarios' difference into the seeds' spread).
    assert table(text, "Overall")["x"][AP] == f"0.550 ± {math.sqrt(2 * 0.15 ** 2):.3f}"
    per_scenario = table(text, "Per scenario: average precision")["x"]
    assert per_scenario["mixed_naive"] == "0.300" and per_scenario["mixed_careful"] == "0.800"
    assert per_scenario["careful − naive"] == "+0.500"
    assert list(per_scenario) == ["rank", "detector", "mixed_naive", "mixed_careful",
                                  "careful − naive"]


def test_undefined_values_are_a_dash_and_partly_defined_ones_average_what_is_defined(tmp_path):
    recall = {("mixed_naive", 0): 0.4, ("mixed_naive", 1): 0.4,
              ("mixed_careful", 0): UNDEFINED, ("mixed_careful", 1): UNDEFINED}
    write(tmp_path, "x", with_values(
        "ten_line", orders__average_precision=UNDEFINED, orders__roc_auc=None,
        per_pattern__click_farm__recall_at_1pct=by_scenario(recall),
        per_pattern__self_purchase__recall_at_1pct=UNDEFINED,
        false_alarms__bulk__rate_at_1pct=UNDEFINED))
    write(tmp_path, "y", fixture("random_scores"))
    rows = table(readme(tmp_path), "Overall")
    x = rows["x"]
    assert x[AP] == x["ROC-AUC"] == x["R@1% self_purchase"] == x["FA@1% bulk"] == "—"
    assert x["R@1% click_farm"].strip("*") == "0.400"  # over the runs that define it, not 0.2
    # One entry left with a value: nothing to be best against.
    assert not bold(rows["y"][AP]) and not bold(rows["y"]["FA@1% bulk"])
    assert table(readme(tmp_path), "Per scenario: average precision")["x"]["mixed_naive"] == "—"


def test_failed_runs_are_shown_counted_and_not_averaged_as_zero(tmp_path):
    doc = fixture("careful_fails")
    write(tmp_path, "careful_fails", doc)
    write(tmp_path, "ten_line", fixture("ten_line"))
    text = readme(tmp_path)
    row = table(text, "Overall")["careful_fails †"]
    assert row["runs"] == "2/4 ok, 2 error"
    naive = [r["metrics"]["orders"]["average_precision"] for r in doc["runs"]
             if r["status"] == "ok"]
    assert row[AP].startswith(f"{sum(naive) / 2:.3f} ± ")      # the ok runs, not zeros
    assert table(text, "Per scenario: average precision")["careful_fails †"]["mixed_careful"] \
        == "—"
    failed = text.split("## Failed runs\n", 1)[1].split("\n## ", 1)[0]
    lines = [x for x in failed.splitlines() if x.startswith("- ")]
    assert lines == [f"- `careful_fails` mixed_careful seed {s}: error: score() raised "
                     "RuntimeError: no device shared by 20 accounts: this detector gives up at "
                     "careful_fails.py:12 `raise RuntimeError(\"no device shared by 20 accounts:"
                     " this detector gives up\")`" for s in (0, 1)]


values = st.lists(st.one_of(st.none(), st.integers(0, 5).map(float)), min_size=1, max_size=8)


@given(values, st.data(), st.sampled_from([HIGHER, LOWER]))
def test_mark_best_marks_exactly_the_best_eligible_values(column, data, better):
    eligible = data.draw(st.lists(st.booleans(), min_size=len(column), max_size=len(column)))
    t = Table([Column("x", better)], [[Cell("", v)] for v in column])
    mark_best(t, eligible)
    candidates = [v for v, ok in zip(column, eligible, strict=True) if ok and v is not None]
    marked = [row[0].value for row in t.rows if row[0].best]
    if len(candidates) < 2:
        assert marked == []
    else:
        best = max(candidates) if better == HIGHER else min(candidates)
        assert marked == [best] * candidates.count(best)
        assert all(ok for row, ok in zip(t.rows, eligible, strict=True) if row[0].best)
