"""Fail rules: ``METRIC:DELTA`` parsing, absolute and percent thresholds, and what they gate."""

from __future__ import annotations

import pytest

from brushbench.results.compare import CompareError, FailRule, compare_results, parse_fail_rule

from compare_helpers import golden, set_metric

AP = "orders.average_precision"


@pytest.mark.parametrize(("text", "metric", "threshold", "percent", "sign"), [
    ("orders.average_precision:-0.02", AP, 0.02, False, "-"),
    ("orders.recall_at_1pct:-5%", "orders.recall_at_1pct", 5.0, True, "-"),
    ("orders.recall_at_0.01:-5%", "orders.recall_at_0.01", 5.0, True, "-"),
    ("cost.score_seconds:+20%", "cost.score_seconds", 20.0, True, "+"),
    ("cost.peak_memory_mb:+50", "cost.peak_memory_mb", 50.0, False, "+"),
    ("cost.orders_per_second:-25%", "cost.orders_per_second", 25.0, True, "-"),
    ("false_alarms.all.rate_at_1pct:+.01", "false_alarms.all.rate_at_1pct", 0.01, False, "+"),
    ("per_pattern.*.recall_at_0.01:-0.05", "per_pattern.*.recall_at_0.01", 0.05, False, "-"),
    ("  orders.average_precision:-0  ", AP, 0.0, False, "-"),
])
def test_valid_rules_parse(text, metric, threshold, percent, sign):
    rule = parse_fail_rule(text)
    assert (rule.metric, rule.threshold, rule.percent, rule.sign) == (
        metric, threshold, percent, sign)
    assert FailRule.parse(text) == rule
    assert str(rule) == text.strip()


@pytest.mark.parametrize(("text", "words"), [
    ("orders.average_precision", "expected METRIC:DELTA"),
    ("orders.average_precision:", "expected METRIC:DELTA"),
    (":-0.02", "expected METRIC:DELTA"),
    ("orders.average_precision:-abc", "expected METRIC:DELTA"),
    ("orders.average_precision:-0.02%%", "expected METRIC:DELTA"),
    ("orders.average_precision:--0.02", "expected METRIC:DELTA"),
    ("orders.average_precision:-1e-2", "expected METRIC:DELTA"),
    ("orders average_precision:-0.02", "expected METRIC:DELTA"),
    ("orders.average_precision:0.02", "needs a sign"),
    ("orders.average_precision:+0.02", "write orders.average_precision:-0.02"),
    ("cost.score_seconds:-20%", "write cost.score_seconds:+20%"),
    ("false_alarms.bulk.rate_at_1pct:-0.01", "lower-is-better"),
])
def test_malformed_rules_are_one_line_errors_naming_the_form(text, words):
    with pytest.raises(CompareError) as info:
        parse_fail_rule(text)
    message = str(info.value)
    assert words in message and "\n" not in message
    assert "METRIC:DELTA" in message


def test_an_absolute_rule_fails_only_beyond_its_threshold():
    base, worse = golden("base"), golden("worse")  # mixed_naive AP 0.81 -> 0.71
    hit = compare_results(base, worse, fail_if=[f"{AP}:-0.02"])
    assert hit.exit_code == 1
    assert len(hit.regressions) == 1
    sentence = hit.regressions[0]
    assert sentence.startswith("mixed_naive: orders.average_precision fell by 0.1000")
    assert "--fail-if orders.average_precision:-0.02" in sentence
    row = hit.row("mixed_naive", AP)
    assert row.failed and row.rule.text == f"{AP}:-0.02"
    assert not hit.row("flash_sale_ring", AP).failed
    assert compare_results(base, worse, fail_if=[f"{AP}:-0.2"]).exit_code == 0


def test_a_rule_never_fires_within_noise():
    base = golden("base")  # mixed_naive AP sd 0.01 -> noise 0.02
    new = set_metric(base, "mixed_naive", ["orders", "average_precision"],
                     {1: 0.785, 2: 0.805, 3: 0.795})                     # mean -0.015
    c = compare_results(base, new, fail_if=[f"{AP}:-0.01"])
    row = c.row("mixed_naive", AP)
    assert row.verdict == "within noise" and not row.failed and c.exit_code == 0


def test_a_rule_only_fires_in_the_bad_direction():
    base, better = golden("base"), golden("improved")
    c = compare_results(base, better, fail_if=[f"{AP}:-0", "cost.score_seconds:+0%"])
    assert c.exit_code == 0
    assert c.row("flash_sale_ring", AP).verdict == "improved"


def test_percent_rules_on_cost():
    base, worse = golden("base"), golden("worse")  # flash_sale_ring scoring +30%
    assert compare_results(base, worse, fail_if=["cost.score_seconds:+20%"]).exit_code == 1
    assert compare_results(base, worse, fail_if=["cost.score_seconds:+50%"]).exit_code == 0
    slow = compare_results(base, worse, fail_if=["cost.orders_per_second:-20%"])
    assert slow.exit_code == 1                     # 30,050 -> 23,115 orders/s is -23%
    assert "cost.orders_per_second fell" in slow.regressions[0]
    assert compare_results(base, worse, fail_if=["cost.orders_per_second:-25%"]).exit_code == 0
    # An absolute rule on seconds: 0.6 s slower.
    assert compare_results(base, worse, fail_if=["cost.score_seconds:+0.5"]).exit_code == 1
    assert compare_results(base, worse, fail_if=["cost.score_seconds:+0.7"]).exit_code == 0


def test_a_percent_rule_on_a_quality_metric_is_relative_to_the_base_mean():
    base, worse = golden("base"), golden("worse")  # 0.81 -> 0.71 is -12.3%
    assert compare_results(base, worse, fail_if=[f"{AP}:-10%"]).exit_code == 1
    assert compare_results(base, worse, fail_if=[f"{AP}:-15%"]).exit_code == 0


def test_a_wildcard_rule_gates_every_matching_metric():
    base = golden("base")
    new = set_metric(base, "mixed_naive", ["per_pattern", "self_purchase", "recall_at_1pct"],
                     {1: 0.21, 2: 0.23, 3: 0.22})
    c = compare_results(base, new, fail_if=["per_pattern.*.recall_at_1pct:-0.05"])
    failed = [(r.scenario, r.metric) for r in c.rows if r.failed]
    assert failed == [("mixed_naive", "per_pattern.self_purchase.recall_at_1pct")]
    gated = [r for r in c.rows if r.rule is not None]
    assert len(gated) == 3                          # two patterns + one pattern


def test_several_rules_on_one_metric_any_broken_fails():
    base, worse = golden("base"), golden("worse")
    c = compare_results(base, worse, fail_if=[f"{AP}:-0.5", f"{AP}:-5%"])
    row = c.row("mixed_naive", AP)
    assert row.failed and row.rule.text == f"{AP}:-5%"
    assert len(c.regressions) == 1


def test_a_gated_metric_that_becomes_undefined_is_a_regression():
    base, undefined = golden("base"), golden("undefined_metric")
    c = compare_results(base, undefined, fail_if=["orders.roc_auc:-0.05"])
    assert c.exit_code == 1
    assert c.regressions == [
        "mixed_naive: orders.roc_auc is gated by --fail-if orders.roc_auc:-0.05 but undefined "
        "in new (new: null) while base has 0.9550: the gate cannot be checked"]
    # Undefined in both: nothing to check, nothing lost.
    assert compare_results(undefined, undefined,
                           fail_if=["orders.roc_auc:-0.05"]).exit_code == 0


def test_a_rule_on_a_metric_in_neither_file_is_bad_input():
    base = golden("base")
    with pytest.raises(CompareError, match="in neither results file"):
        compare_results(base, base, fail_if=["orders.recall_at_0.02:-0.01"])


def test_rules_are_accepted_as_strings_or_parsed():
    base, worse = golden("base"), golden("worse")
    a = compare_results(base, worse, fail_if=[f"{AP}:-0.02"])
    b = compare_results(base, worse, fail_if=[parse_fail_rule(f"{AP}:-0.02")])
    assert a.regressions == b.regressions and a.exit_code == b.exit_code == 1


@pytest.mark.parametrize(("text", "words"), [
    ("orders.n_orders:+10", "orders.n_orders has no better direction (a count"),
    ("orders.base_rate:-0.01", "orders.base_rate has no better direction (a data"),
    ("per_pattern.click_farm.n_orders:-1", "no better direction"),
])
def test_a_rule_on_a_metric_without_a_direction_is_refused(text, words):
    with pytest.raises(CompareError) as info:
        parse_fail_rule(text)
    message = str(info.value)
    assert words in message and "cannot get worse" in message
    assert "METRIC:DELTA" in message and "\n" not in message


def test_a_rule_on_a_metric_the_registry_does_not_know_is_refused_when_compared():
    base = set_metric(golden("base"), "mixed_naive", ["orders", "recall_bonus"],
                      {1: 0.1, 2: 0.1, 3: 0.1})
    rule = parse_fail_rule("orders.recall_bonus:-0.1")  # it may be in the files: not yet known
    with pytest.raises(CompareError, match="recall_bonus has no better direction \\(not a "
                                           "metric of the registry\\)"):
        compare_results(base, base, fail_if=[rule])
    with pytest.raises(CompareError, match="in neither results file"):
        compare_results(base, base, fail_if=["orders.recall_bonsu:-0.1"])


def test_a_wildcard_rule_that_can_gate_none_of_its_matches_is_refused():
    base = golden("base")
    with pytest.raises(CompareError, match="no metric it matches has a better direction"):
        compare_results(base, base, fail_if=["per_pattern.*.n_orders:+5"])
    with pytest.raises(CompareError, match=r"higher-is-better.*write per_pattern\.\*\."
                                           r"recall_at_1pct:-0\.05"):
        compare_results(base, base, fail_if=["per_pattern.*.recall_at_1pct:+0.05"])
    # Matches of both kinds: the rule gates those of its direction only.
    c = compare_results(base, base, fail_if=["per_pattern.click_farm.*:-0.05"])
    assert c.exit_code == 0


def test_a_rule_made_by_hand_is_checked_like_a_parsed_one():
    base = golden("base")
    count = FailRule("orders.n_orders", 5.0, False, "+", "orders.n_orders:+5")
    with pytest.raises(CompareError, match="no better direction"):
        compare_results(base, base, fail_if=[count])
    backwards = FailRule(AP, 0.02, False, "+", f"{AP}:+0.02")
    with pytest.raises(CompareError, match=f"write {AP}:-0.02"):
        compare_results(base, base, fail_if=[backwards])
