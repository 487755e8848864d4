"""The compact PR curve a results file keeps per run: its definition, and that it stays out of
the metrics (summaries and comparisons never see it)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.harness.evaluate import summarize
from brushbench.metrics import average_precision, is_undefined, pr_curve, score_orders
from brushbench.results import Results
from brushbench.results.compare import compare_results, run_values

from leaderboard_helpers import fixture


def brute_force(y: np.ndarray, s: np.ndarray, steps: int) -> np.ndarray:
    """Max precision over every threshold t (flag scores >= t) whose recall is >= k / steps."""
    thresholds = np.unique(s)
    P = y.sum()
    tp = np.array([(y & (s >= t)).sum() for t in thresholds])
    flagged = np.array([(s >= t).sum() for t in thresholds])
    precision, recall = tp / flagged, tp / P
    return np.array([precision[recall >= k / steps - 1e-12].max() for k in range(steps + 1)])


labelled_scores = st.integers(2, 60).flatmap(lambda n: st.tuples(
    st.lists(st.booleans(), min_size=n, max_size=n).filter(any),
    st.lists(st.integers(0, 6), min_size=n, max_size=n)))  # few values: many ties


@settings(max_examples=150, deadline=None)
@given(labelled_scores, st.sampled_from([1, 4, 7, 50]))
def test_curve_is_the_best_precision_at_each_recall_level(data, steps):
    y, s = np.array(data[0]), np.array(data[1], dtype=float)
    recall, precision = pr_curve(y, s, steps=steps)
    assert np.allclose(recall, np.arange(steps + 1) / steps)
    assert np.allclose(precision, brute_force(y, s, steps))
    assert np.all(np.diff(precision) <= 1e-12)            # never rises to the right
    assert precision[-1] == y.sum() / max(1, (s >= s[y].min()).sum())  # all positives flagged
    # Equal scores are one threshold, so the row order cannot matter.
    order = np.random.default_rng(len(y)).permutation(len(y))
    assert np.array_equal(pr_curve(y[order], s[order], steps=steps)[1], precision)


def test_a_constant_score_is_the_base_rate_everywhere_and_no_positive_is_undefined():
    y = np.array([1, 0, 0, 0, 1, 0, 0, 0, 0, 0], dtype=bool)
    assert np.allclose(pr_curve(y, np.zeros(10))[1], 0.2)
    assert average_precision(y, np.zeros(10)) == 0.2
    assert pr_curve(np.zeros(5, dtype=bool), np.arange(5.0)) is None


def test_score_orders_returns_the_curve_only_when_asked_and_changes_no_metric():
    rng = np.random.default_rng(3)
    n = 400
    y = rng.random(n) < 0.1
    labels = pd.DataFrame({"order_id": np.arange(n), "is_brushing": y})
    orders = pd.DataFrame({"order_id": np.arange(n)})
    scores = y + rng.normal(0, 0.7, n)
    plain = score_orders(labels, scores, orders=orders)
    with_curve = score_orders(labels, scores, orders=orders, curves=True)
    curve = with_curve.pop("curves")["orders_pr"]
    assert with_curve == plain and "curves" not in plain
    assert len(curve["recall"]) == len(curve["precision"]) == 51
    assert np.allclose(curve["precision"], pr_curve(y, scores)[1], atol=1e-6)

    none = score_orders(labels.assign(is_brushing=False), scores, orders=orders, curves=True)
    assert is_undefined(none["curves"]["orders_pr"])


def test_curves_are_not_metrics_for_the_summary_nor_compare():
    doc = fixture("ten_line")
    runs = [r for r in Results.from_json(doc).runs if r.ok]
    assert all(r.pr_curve() for r in runs)  # eval wrote them
    assert not any(p.startswith("curves") for r in runs for p in run_values(r))
    assert "curves" not in summarize(runs)["(all)"]
    comparison = compare_results(doc, doc)
    assert comparison.exit_code == 0
    assert not any("curve" in row.metric for row in comparison.rows)
