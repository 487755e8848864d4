"""``compare_results`` on the golden files: comparability, verdicts, noise, undefined values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.results.compare import (
    COST_FLOOR_SHARE,
    DEFAULT_METRICS,
    QUALITY_FLOOR,
    CompareError,
    compare_results,
    run_values,
)

from compare_helpers import SCENARIOS, golden, only_seeds, set_metric

AP = "orders.average_precision"
BULK = "false_alarms.bulk.rate_at_1pct"


@pytest.fixture(scope="module")
def base():
    return golden("base")


def verdicts(comparison):
    return {(r.scenario, r.metric): r.verdict for r in comparison.rows}


# -- comparability ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "words"), [
    ("other_suite", "different suites"),
    ("other_generator", "different generator versions (1 vs 2)"),
    ("missing_seed", "different scenario hashes or seeds for flash_sale_ring"),
])
def test_results_that_are_not_comparable_say_why_and_compare_nothing(base, name, words):
    c = compare_results(base, golden(name), fail_if=[f"{AP}:-0.02"])
    assert not c.comparable
    assert any(words in r for r in c.reasons), c.reasons
    assert c.rows == [] and c.runs == [] and c.regressions == []
    assert c.exit_code == 2


def test_a_changed_scenario_hash_is_not_comparable(base):
    new = golden("base")
    for run in new["runs"]:
        if run["scenario"] == "mixed_naive":
            run["scenario_hash"] = "f" * 64
    c = compare_results(base, new)
    assert not c.comparable and c.exit_code == 2
    assert "mixed_naive" in c.reasons[0]


# -- verdicts --------------------------------------------------------------------------------------

def test_identical_results_are_all_within_noise(base):
    c = compare_results(base, golden("base"))
    assert c.comparable and c.exit_code == 0 and c.regressions == []
    assert set(verdicts(c).values()) == {"within noise"}
    assert all(r.delta == 0 for r in c.rows)


def test_tiny_differences_are_within_noise_even_under_a_strict_rule(base):
    c = compare_results(base, golden("same_within_noise"),
                        fail_if=[f"{AP}:-0", "cost.score_seconds:+0%"])
    assert set(verdicts(c).values()) == {"within noise"}
    assert c.exit_code == 0
    row = c.row("mixed_naive", AP)
    # Seeds moved by +0.001, -0.002, +0.0015; the spread over seeds (sd 0.01) dwarfs that.
    assert row.delta == pytest.approx(0.0005 / 3) and row.noise == pytest.approx(0.02)


def test_the_default_metrics_and_every_pattern_present_are_compared(base):
    c = compare_results(base, golden("base"))
    mixed = [r.metric for r in c.rows if r.scenario == "mixed_naive"]
    ring = [r.metric for r in c.rows if r.scenario == "flash_sale_ring"]
    fixed = [m for m in DEFAULT_METRICS
             if "*" not in m and "_0.01" not in m and not m.startswith("stream.")]
    assert fixed == [m for m in mixed if not m.startswith("per_pattern.")]
    assert fixed == [m for m in ring if not m.startswith("per_pattern.")]
    assert {"per_pattern.click_farm.recall_at_1pct",
            "per_pattern.self_purchase.recall_at_1pct"} <= set(mixed)
    assert [m for m in ring if m.startswith("per_pattern.")] == [
        "per_pattern.click_farm.recall_at_1pct"]
    assert "per_pattern.click_farm.average_precision" not in mixed
    assert c.rows[0].scenario == SCENARIOS[0]


def test_a_pattern_without_orders_on_both_sides_is_left_out_unless_named(base):
    doc = golden("base")
    for run in doc["runs"]:
        if run["scenario"] == "mixed_naive":
            run["metrics"]["per_pattern"]["self_purchase"]["recall_at_1pct"] = {
                "value": None, "reason": "no orders of this pattern"}
    metric = "per_pattern.self_purchase.recall_at_1pct"
    c = compare_results(doc, doc)
    assert ("mixed_naive", metric) not in verdicts(c)
    named = compare_results(doc, doc, metrics=[metric]).row("mixed_naive", metric)
    assert named.verdict == "undefined"
    assert named.reason == "base: no orders of this pattern; new: no orders of this pattern"


def test_budgets_spelled_as_shares_are_compared_too(base):
    doc = golden("base")
    for run in doc["runs"]:
        orders = run["metrics"]["orders"]
        orders["recall_at_0.01"] = orders.pop("recall_at_1pct")
    c = compare_results(doc, doc)
    metrics = {r.metric for r in c.rows}
    assert "orders.recall_at_0.01" in metrics and "orders.recall_at_1pct" not in metrics
    assert "orders.precision_at_1pct" in metrics and "orders.precision_at_0.01" not in metrics


def test_worse_is_reported_but_without_rules_it_does_not_fail(base):
    c = compare_results(base, golden("worse"))
    v = verdicts(c)
    assert v[("mixed_naive", AP)] == "worse"
    assert v[("flash_sale_ring", AP)] == "within noise"
    assert v[("flash_sale_ring", "cost.score_seconds")] == "worse"
    assert v[("flash_sale_ring", "cost.orders_per_second")] == "worse"
    row = c.row("mixed_naive", AP)
    assert row.base == pytest.approx(0.81) and row.new == pytest.approx(0.71)
    assert row.delta == pytest.approx(-0.1) and row.n_base == row.n_new == 3
    assert not row.failed and row.rule is None
    assert c.regressions == [] and c.exit_code == 0
    assert c.counts()["worse"] == 3


def test_improved_uses_each_metrics_direction(base):
    c = compare_results(base, golden("improved"), metrics=["false_alarms.flash_sale.rate_at_1pct"])
    v = verdicts(c)
    assert v[("flash_sale_ring", AP)] == "improved"
    assert v[("flash_sale_ring", "orders.recall_at_1pct")] == "improved"
    # Faster scoring: seconds went down, orders per second up; both are improvements.
    assert v[("flash_sale_ring", "cost.score_seconds")] == "improved"
    assert c.row("flash_sale_ring", "cost.score_seconds").delta < 0
    assert v[("flash_sale_ring", "cost.orders_per_second")] == "improved"
    # Fewer false alarms is better.
    assert v[("flash_sale_ring", "false_alarms.flash_sale.rate_at_1pct")] == "improved"
    assert v[("mixed_naive", AP)] == "within noise"
    assert c.exit_code == 0


def test_directions_come_from_the_registry():
    c = compare_results(golden("base"), golden("base"), metrics=["cost.peak_memory_mb", BULK])
    assert c.row("mixed_naive", AP).direction == "higher"
    assert c.row("mixed_naive", "cost.orders_per_second").direction == "higher"
    assert c.row("mixed_naive", "cost.score_seconds").direction == "lower"
    assert c.row("mixed_naive", "cost.peak_memory_mb").direction == "lower"
    assert c.row("mixed_naive", BULK).direction == "lower"


def test_a_lower_is_better_metric_is_judged_by_its_registry_direction(base):
    # Peak memory down, false alarms down: both improvements; up: both worse.
    lower = set_metric(base, "mixed_naive", ["peak_memory_mb"], {1: 90.0, 2: 91.0, 3: 92.0},
                       where="cost")
    lower = set_metric(lower, "mixed_naive", ["false_alarms", "bulk", "rate_at_1pct"],
                       {1: 0.001, 2: 0.001, 3: 0.001})
    named = ["cost.peak_memory_mb", BULK]
    v = verdicts(compare_results(base, lower, metrics=named))
    assert v[("mixed_naive", "cost.peak_memory_mb")] == "improved"
    assert v[("mixed_naive", BULK)] == "improved"
    back = verdicts(compare_results(lower, base, metrics=named))
    assert back[("mixed_naive", "cost.peak_memory_mb")] == "worse"
    assert back[("mixed_naive", BULK)] == "worse"


def test_a_new_lower_is_better_metric_is_judged_by_the_registry_not_its_name(base, monkeypatch):
    # A name that reads as higher-is-better to any guess: only the registry says it is not.
    from brushbench.metrics import registry

    new_metric = registry.MetricSpec("orders.brushing_missed", "lower", "quality", "share",
                                     ".3f", "share of the brushing orders never flagged")
    monkeypatch.setattr(registry, "REGISTRY", (*registry.REGISTRY, new_metric))
    monkeypatch.setattr(registry, "_CACHE", {})
    b = set_metric(base, "mixed_naive", ["orders", "brushing_missed"], {1: 0.5, 2: 0.5, 3: 0.5})
    n = set_metric(b, "mixed_naive", ["orders", "brushing_missed"], {1: 0.3, 2: 0.3, 3: 0.3})
    c = compare_results(b, n, metrics=["orders.brushing_missed"],
                        fail_if=["orders.brushing_missed:+0.01"])
    row = c.row("mixed_naive", "orders.brushing_missed")
    assert row.direction == "lower" and row.verdict == "improved" and not row.failed
    worse = compare_results(n, b, fail_if=["orders.brushing_missed:+0.01"])
    assert worse.row("mixed_naive", "orders.brushing_missed").failed
    assert worse.exit_code == 1


def test_a_metric_without_a_direction_is_changed_not_improved_or_worse(base):
    more = set_metric(base, "mixed_naive", ["orders", "n_orders"], {1: 50000, 2: 50000, 3: 50000})
    c = compare_results(base, more, metrics=["orders.n_orders"])
    row = c.row("mixed_naive", "orders.n_orders")
    assert row.direction is None and row.verdict == "changed"
    assert c.exit_code == 0 and c.counts()["changed"] == 1
    assert "1 changed" in c.headline()
    assert c.row("flash_sale_ring", "orders.n_orders").verdict == "within noise"
    # An unknown path has no direction either: not guessed from its name.
    odd = set_metric(base, "mixed_naive", ["orders", "recall_bonus"], {1: 0.1, 2: 0.1, 3: 0.1})
    odd2 = set_metric(odd, "mixed_naive", ["orders", "recall_bonus"], {1: 0.9, 2: 0.9, 3: 0.9})
    row = compare_results(odd, odd2, metrics=["orders.recall_bonus"]).row(
        "mixed_naive", "orders.recall_bonus")
    assert row.verdict == "changed"


# -- runs that newly fail --------------------------------------------------------------------------

def test_a_run_that_newly_fails_is_always_a_regression(base):
    c = compare_results(base, golden("new_failure"))
    assert c.exit_code == 1
    assert c.regressions == ["flash_sale_ring seed 2: ok in base, error in new: "
                             "ZeroDivisionError: division by zero"]
    failing = [r for r in c.runs if r.regression]
    assert [(r.scenario, r.seed, r.base_status, r.new_status) for r in failing] == [
        ("flash_sale_ring", 2, "ok", "error")]
    assert len(c.runs) == 6
    # The failed seed is left out of the new mean, not counted as zero.
    row = c.row("flash_sale_ring", AP)
    assert row.n_new == 2 and row.new == pytest.approx((0.60 + 0.615) / 2)
    assert c.new_statuses["error"] == 1


def test_the_first_problem_is_quoted_before_the_traceback(base):
    new = golden("new_failure")
    run = next(r for r in new["runs"] if r["status"] == "error")
    run.update(status="invalid_output", problems=["12 order ids missing from the scores"])
    c = compare_results(base, new)
    assert c.regressions == ["flash_sale_ring seed 2: ok in base, invalid_output in new: "
                             "12 order ids missing from the scores"]


def test_a_run_failing_in_both_is_not_a_regression_and_a_fixed_run_is_not_either(base):
    failing = golden("new_failure")
    c = compare_results(failing, failing)
    assert c.exit_code == 0 and c.regressions == []
    back = compare_results(failing, base)
    assert back.exit_code == 0
    assert [r.seed for r in back.runs if r.fixed] == [2]


# -- noise -----------------------------------------------------------------------------------------

def test_noise_is_sigmas_times_the_larger_seed_sd(base):
    # base AP on mixed_naive: 0.80, 0.82, 0.81 (sd 0.01); new spread 0.03.
    new = set_metric(base, "mixed_naive", ["orders", "average_precision"],
                     {1: 0.80, 2: 0.86, 3: 0.83})
    c = compare_results(base, new)
    row = c.row("mixed_naive", AP)
    assert row.noise == pytest.approx(2 * 0.03)
    assert row.delta == pytest.approx(0.02) and row.verdict == "within noise"
    tight = compare_results(base, new, noise_sigmas=0.5)
    assert tight.row("mixed_naive", AP).noise == pytest.approx(0.015)
    assert tight.row("mixed_naive", AP).verdict == "improved"


def test_a_single_seed_falls_back_to_the_floor(base):
    one = only_seeds(base, 1)
    new = set_metric(one, "mixed_naive", ["orders", "average_precision"], {1: 0.796})
    new = set_metric(new, "mixed_naive", ["score_seconds"], {1: 1.15}, where="cost")
    c = compare_results(one, new)
    ap = c.row("mixed_naive", AP)
    assert ap.noise == QUALITY_FLOOR and ap.verdict == "within noise"
    cost = c.row("mixed_naive", "cost.score_seconds")
    assert cost.noise == pytest.approx(COST_FLOOR_SHARE * 1.0) and cost.verdict == "worse"
    beyond = set_metric(one, "mixed_naive", ["orders", "average_precision"], {1: 0.79})
    assert compare_results(one, beyond).row("mixed_naive", AP).verdict == "worse"


def test_seeds_that_agree_exactly_still_get_the_floor(base):
    flat = set_metric(base, "mixed_naive", ["orders", "average_precision"],
                      {1: 1.0, 2: 1.0, 3: 1.0})
    nudged = set_metric(flat, "mixed_naive", ["orders", "average_precision"],
                        {1: 0.999, 2: 0.999, 3: 0.999})
    row = compare_results(flat, nudged).row("mixed_naive", AP)
    assert row.noise == QUALITY_FLOOR and row.verdict == "within noise"


def test_a_negative_noise_sigmas_is_refused(base):
    with pytest.raises(CompareError, match="noise-sigmas"):
        compare_results(base, base, noise_sigmas=-1)


# -- undefined values ------------------------------------------------------------------------------

def test_undefined_values_are_reported_with_their_reason(base):
    c = compare_results(base, golden("undefined_metric"))
    roc = c.row("mixed_naive", "orders.roc_auc")
    assert roc.verdict == "undefined" and roc.reason == "new: null"
    assert roc.base == pytest.approx(0.955) and roc.new is None and roc.delta is None
    sp = c.row("mixed_naive", "per_pattern.self_purchase.recall_at_1pct")
    assert sp.verdict == "undefined"
    assert sp.reason == "new: no orders of this pattern"
    # One seed of three undefined: the mean is over the two defined ones.
    ring = c.row("flash_sale_ring", "orders.roc_auc")
    assert ring.verdict == "within noise" and ring.n_new == 2
    assert ring.new == pytest.approx((0.90 + 0.905) / 2)
    assert c.exit_code == 0 and c.counts()["undefined"] == 2


def test_undefined_on_both_sides_names_both(base):
    both = golden("undefined_metric")
    row = compare_results(both, both).row("mixed_naive", "orders.roc_auc")
    assert row.verdict == "undefined" and row.reason == "base: null; new: null"


def test_a_metric_missing_from_one_scenario_is_undefined_not_an_error(base):
    doc = golden("base")
    for run in doc["runs"]:
        if run["scenario"] == "flash_sale_ring":
            del run["metrics"]["false_alarms"]["bulk"]
    c = compare_results(doc, doc, metrics=[BULK])
    row = c.row("flash_sale_ring", BULK)
    assert row.verdict == "undefined" and row.reason == "base: not recorded; new: not recorded"
    assert c.row("mixed_naive", BULK).verdict == "within noise"


def test_a_named_metric_in_neither_file_is_bad_input(base):
    with pytest.raises(CompareError, match=r"did you mean orders\.average_precision"):
        compare_results(base, base, metrics=["orders.average_precison"])


def test_metric_leaves_and_undefined_objects_are_flattened(base):
    values = run_values(base["runs"][0])
    assert values["orders.recall_at_1pct"] == 0.42 and values["orders.n_orders"] == 40000
    assert values["per_pattern.click_farm.average_precision"] == 0.85
    assert values["cost.peak_memory_mb"] == 181.0
    assert values["false_alarms.bulk.rate_at_1pct"] == 0.01
    assert values["predictions"].reason == "the detector gives no predictions"


def test_a_run_listed_twice_is_bad_input(base):
    doc = golden("base")
    doc["runs"].append(dict(doc["runs"][0]))
    with pytest.raises(CompareError, match="mixed_naive seed 1 appears twice"):
        compare_results(doc, doc)


# -- a property: swapping base and new swaps the verdicts ------------------------------------------

values = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=3, max_size=3)


@settings(max_examples=60, deadline=None)
@given(values, values)
def test_swapping_base_and_new_flips_improved_and_worse(base_values, new_values):
    doc = golden("base")
    b = set_metric(doc, "mixed_naive", ["orders", "average_precision"],
                   dict(zip((1, 2, 3), base_values, strict=True)))
    n = set_metric(doc, "mixed_naive", ["orders", "average_precision"],
                   dict(zip((1, 2, 3), new_values, strict=True)))
    there = compare_results(b, n).row("mixed_naive", AP)
    back = compare_results(n, b).row("mixed_naive", AP)
    flip = {"improved": "worse", "worse": "improved", "within noise": "within noise"}
    assert back.verdict == flip[there.verdict]
    assert back.delta == pytest.approx(-there.delta)
    if max(base_values) < min(new_values) - 0.05 and there.noise < 0.05:
        assert there.verdict == "improved"
