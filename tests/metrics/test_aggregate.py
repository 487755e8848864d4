"""Mean and spread over seeds, with undefined values skipped and counted; flat metric names."""

from __future__ import annotations

import json
import statistics

import pytest

from brushbench.metrics import aggregate, flatten, is_undefined, score_orders, undefined

from metrics_helpers import hand_tables


def test_mean_std_min_max_of_numeric_leaves():
    runs = [{"orders": {"average_precision": v, "n_orders": n}}
            for v, n in ((0.5, 10), (0.7, 10), (0.9, 13))]
    a = aggregate(runs)["orders"]
    ap = a["average_precision"]
    assert ap["mean"] == pytest.approx(0.7)
    assert ap["std"] == pytest.approx(statistics.stdev([0.5, 0.7, 0.9]))   # sample std
    assert (ap["min"], ap["max"], ap["n"], ap["n_runs"]) == (0.5, 0.9, 3, 3)
    assert "undefined" not in ap
    assert a["n_orders"]["mean"] == pytest.approx(11)


def test_undefined_values_are_skipped_and_counted_never_zero():
    runs = [{"ap": 0.4}, {"ap": undefined("no positive orders")}, {"ap": 0.6}]
    ap = aggregate(runs)["ap"]
    assert ap["mean"] == pytest.approx(0.5)               # not (0.4 + 0 + 0.6) / 3
    assert (ap["n"], ap["n_runs"]) == (2, 3)
    assert ap["undefined"] == {"no positive orders": 1}


def test_a_leaf_missing_from_a_run_counts_as_undefined():
    runs = [{"per_pattern": {"click_farm": {"ap": 0.3}}}, {"per_pattern": {}}]
    ap = aggregate(runs)["per_pattern"]["click_farm"]["ap"]
    assert (ap["mean"], ap["n"], ap["n_runs"]) == (0.3, 1, 2)
    assert is_undefined(ap["std"])                       # one value: no sample std
    assert ap["undefined"] == {"absent from this run": 1}


def test_a_leaf_undefined_everywhere_stays_undefined():
    runs = [{"ap": undefined("no positive orders")}, {"ap": None}]
    ap = aggregate(runs)["ap"]
    assert is_undefined(ap)
    assert ap["n"] == 0 and ap["n_runs"] == 2
    assert ap["undefined"] == {"no positive orders": 1, "null": 1}


def test_strings_are_kept_when_they_agree():
    runs = [{"buyers": {"source": "detector"}}, {"buyers": {"source": "detector"}}]
    assert aggregate(runs)["buyers"]["source"] == "detector"
    runs[1]["buyers"]["source"] = "max_order_score"
    assert aggregate(runs)["buyers"]["source"] == ["detector", "max_order_score"]


def test_runs_of_different_layouts_are_refused():
    with pytest.raises(ValueError, match="differ in layout"):
        aggregate([{"per_camouflage": undefined("campaigns not given")},
                   {"per_camouflage": {"0": {"n_orders": 3}}}])


def test_no_runs_is_an_error():
    with pytest.raises(ValueError, match="no runs"):
        aggregate([])


def test_aggregate_of_score_orders_results_is_strict_json():
    hand = hand_tables()
    runs = [score_orders(hand["labels"], hand["scores"] * f, orders=hand["orders"],
                         entity_labels=hand["entity_labels"], campaigns=hand["campaigns"])
            for f in (1.0, -1.0)]
    a = aggregate(runs)
    json.dumps(a, allow_nan=False)
    auc = a["orders"]["roc_auc"]
    assert auc["mean"] == pytest.approx(0.5)             # AUC and 1 - AUC
    assert auc["n"] == 2
    assert is_undefined(a["predictions"]["f1"])


def test_flatten_names_leaves_by_dotted_path():
    result = {"orders": {"average_precision": 0.7, "recall_at_1pct": undefined("x")},
              "buyers": {"source": "detector"}}
    assert flatten(result) == {"orders.average_precision": 0.7, "orders.recall_at_1pct": None,
                               "buyers.source": "detector"}


def test_mean_sd_is_the_sample_standard_deviation():
    from brushbench.metrics.aggregate import mean, mean_sd

    values = [0.80, 0.82, 0.81, 0.9]
    spread = mean_sd(values)
    assert spread.n == 4
    assert spread.mean == pytest.approx(statistics.fmean(values))
    assert spread.sd == pytest.approx(statistics.stdev(values))
    assert mean_sd([0.5]).sd is None and mean_sd([0.5]).mean == 0.5
    assert mean_sd([]) == mean_sd(()) and mean_sd([]).mean is None and mean([]) is None
    # The summary of a results file uses the same numbers, bit for bit.
    summary = aggregate([{"x": v} for v in values])["x"]
    assert (summary["mean"], summary["std"]) == (spread.mean, spread.sd)
