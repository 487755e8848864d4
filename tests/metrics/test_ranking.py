"""Average precision, ROC-AUC, budget cuts, recall at a false-alarm rate: by hand, by property."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from brushbench.metrics import (
    Ranking,
    average_precision,
    budget_label,
    budget_size,
    precision_recall_at_budget,
    recall_at_fpr,
    roc_auc,
)
from brushbench.metrics.ranking import Cut

from metrics_helpers import (
    HAND,
    ref_average_precision,
    ref_budget,
    ref_hit_probability,
    ref_recall_at_fpr,
    ref_roc_auc,
)

# -- average precision by hand ---------------------------------------------------------------------

@pytest.mark.parametrize(("y", "s", "expected"), [
    # perfect: every positive above every negative
    ([1, 1, 0, 0], [4, 3, 2, 1], 1.0),
    # one positive, ranked last of four: precision 1/4 at its threshold
    ([0, 0, 0, 1], [4, 3, 2, 1], 1 / 4),
    # positives 1st and 3rd: (1/1 + 2/3) / 2
    ([1, 0, 1, 0], [4, 3, 2, 1], (1 + 2 / 3) / 2),
    # a tie of a positive and a negative at the top is one threshold: precision 1/2 there,
    # then the second positive at 4 orders flagged: (1/2 + 2/4) / 2
    ([1, 0, 0, 1], [5, 5, 3, 1], (1 / 2 + 2 / 4) / 2),
    # a constant score: one threshold, precision = base rate
    ([1, 0, 0, 0, 1], [7, 7, 7, 7, 7], 2 / 5),
    # tied positives count together: 3 positives among the top 4 (tied), then nothing else
    ([1, 1, 1, 0, 0], [2, 2, 2, 2, 1], 3 / 4),
    # negatives only below: they do not matter
    ([1, 0, 0], [1, 0, -5], 1.0),
])
def test_average_precision_by_hand(y, s, expected):
    assert average_precision(y, s) == pytest.approx(expected, rel=1e-12)
    assert ref_average_precision(y, s) == pytest.approx(expected, rel=1e-12)


def test_average_precision_without_positives_is_undefined():
    assert average_precision([0, 0, 0], [1, 2, 3]) is None


def test_average_precision_without_negatives_is_one():
    assert average_precision([1, 1], [0.3, 0.1]) == 1.0


def test_average_precision_of_a_subset_leaves_other_positives_out():
    # Positives a (score 9) and b (score 5), negatives at 8 and 1. AP of b alone against the
    # negatives: at 5, b and the negative at 8 are flagged (a is not counted): 1/2.
    r = Ranking(np.array([9.0, 8, 5, 1]), np.array([True, False, True, False]))
    assert r.average_precision(np.array([5.0])) == pytest.approx(1 / 2)
    assert r.average_precision(np.array([9.0])) == pytest.approx(1.0)
    assert r.average_precision() == pytest.approx((1 + 2 / 3) / 2)


# -- ROC-AUC by hand -------------------------------------------------------------------------------

@pytest.mark.parametrize(("y", "s", "expected"), [
    ([1, 1, 0, 0], [4, 3, 2, 1], 1.0),
    ([0, 0, 1, 1], [4, 3, 2, 1], 0.0),
    # pairs: (4 vs 3) win, (4 vs 1) win, (2 vs 3) loss, (2 vs 1) win -> 3/4
    ([1, 0, 1, 0], [4, 3, 2, 1], 3 / 4),
    # a tie counts one half: (3 vs 3) 1/2, (3 vs 1) 1, (2 vs 3) 0, (2 vs 1) 1 -> 2.5/4
    ([1, 0, 1, 0], [3, 3, 2, 1], 2.5 / 4),
    # constant: every pair tied
    ([1, 0, 0, 1, 0], [1, 1, 1, 1, 1], 0.5),
])
def test_roc_auc_by_hand(y, s, expected):
    assert roc_auc(y, s) == pytest.approx(expected, rel=1e-12)
    assert ref_roc_auc(y, s) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("y", [[0, 0, 0], [1, 1]])
def test_roc_auc_needs_both_classes(y):
    assert roc_auc(y, np.arange(len(y))) is None


# -- budgets by hand -------------------------------------------------------------------------------

@pytest.mark.parametrize(("budget", "n", "k"), [
    (0.01, 100, 1), (0.01, 101, 2), (0.07, 100, 7), (0.005, 10_000_000, 50_000),
    (0.01, 5, 1), (1.0, 7, 7), (0.3, 10, 3),
])
def test_budget_size_is_the_ceiling_of_the_exact_share(budget, n, k):
    assert budget_size(budget, n) == k


@pytest.mark.parametrize(("budget", "label"), [
    (0.005, "0p5pct"), (0.01, "1pct"), (0.05, "5pct"), (0.125, "12p5pct"), (1.0, "100pct"),
    (0.07, "7pct"), (0.001, "0p1pct")])
def test_budget_labels_have_no_dot(budget, label):
    assert budget_label(budget) == label


@pytest.mark.parametrize("budget", [0, -0.1, 1.5, float("nan")])
def test_budget_outside_zero_one_is_refused(budget):
    with pytest.raises(ValueError, match="budget"):
        budget_size(budget, 10)


def test_ties_at_the_cut_share_the_remaining_slots():
    # scores 9 | 5 5 5 | 1, top 2: 9 is in, one slot for three tied orders: each counts 1/3.
    y = [1, 1, 0, 0, 1]
    s = [9, 5, 5, 5, 1]
    r = Ranking(np.array(s, float), np.array(y, bool))
    cut = r.cut(0.4)
    assert (cut.k, cut.threshold, cut.above, cut.tied) == (2, 5.0, 1, 3)
    assert cut.share == pytest.approx(1 / 3)
    np.testing.assert_allclose(cut.weights(np.array(s, float)), [1, 1 / 3, 1 / 3, 1 / 3, 0])
    assert r.true_alerts(cut) == pytest.approx(1 + 1 / 3)
    p, rec = precision_recall_at_budget(y, s, 0.4)
    assert p == pytest.approx((1 + 1 / 3) / 2)
    assert rec == pytest.approx((1 + 1 / 3) / 3)
    assert (p, rec) == pytest.approx(ref_budget(y, s, 0.4))


def test_the_tie_rule_ignores_row_order():
    y = np.array([1, 0, 0, 1, 0, 0])
    s = np.array([3, 2, 2, 2, 2, 1.0])
    flipped = precision_recall_at_budget(y[::-1], s[::-1], 0.5)
    assert precision_recall_at_budget(y, s, 0.5) == flipped


def test_constant_scores_give_the_base_rate_at_every_budget():
    y = np.array([1] * 3 + [0] * 97)
    for b in (0.01, 0.05, 0.5):
        p, rec = precision_recall_at_budget(y, np.zeros(100), b)
        assert p == pytest.approx(0.03)
        assert rec == pytest.approx(budget_size(b, 100) / 100)


def test_recall_without_positives_is_undefined_but_precision_is_zero():
    assert precision_recall_at_budget([0, 0, 0, 0], [4, 3, 2, 1], 0.5) == (0.0, None)


@pytest.mark.parametrize(("tied", "slots", "mine"), [(4, 2, 2), (4, 2, 1), (5, 2, 3), (6, 3, 0),
                                                     (6, 3, 4), (7, 7, 1), (8, 1, 3)])
def test_hit_probability_matches_enumeration(tied, slots, mine):
    cut = Cut(0.5, k=slots + 2, threshold=1.0, above=2, tied=tied)
    got = cut.hit_probability(np.array([0]), np.array([mine]))[0]
    assert got == pytest.approx(ref_hit_probability(tied, slots, mine), abs=1e-12)


def test_a_group_above_the_cut_is_always_hit():
    cut = Cut(0.5, k=3, threshold=1.0, above=2, tied=5)
    np.testing.assert_allclose(cut.hit_probability(np.array([1, 3]), np.array([0, 5])), [1, 1])


# -- recall at a false-alarm rate by hand ----------------------------------------------------------

def test_recall_at_fpr_interpolates_the_roc_curve():
    # The hand-made table: positives at 9, 8, 7, 4 and 16 negatives, one of them at 8. The ROC
    # curve goes (0, 0) -> (0, 1/4) at 9 -> (1/16, 2/4) at 8; at fpr 0.01 it is
    # 1/4 + (0.01 / (1/16)) * 1/4 = 0.29.
    y = np.array([row[1] for row in HAND])
    s = np.array([row[0] for row in HAND], float)
    assert recall_at_fpr(y, s, 0.01) == pytest.approx(0.29)
    assert ref_recall_at_fpr(y, s, 0.01) == pytest.approx(0.29)


def test_recall_at_fpr_takes_the_top_of_a_vertical_stretch():
    # 1 negative in 100 allowed; scores: 2 positives, 1 negative, 3 positives, then negatives.
    y = np.array([1, 1, 0, 1, 1, 1] + [0] * 99, bool)
    s = np.arange(len(y), 0, -1).astype(float)
    assert recall_at_fpr(y, s, 0.01) == pytest.approx(1.0)
    assert recall_at_fpr(y, s, 0.005) == pytest.approx(2 / 5)


def test_recall_at_fpr_of_a_constant_score_is_the_diagonal():
    y = np.array([1] * 10 + [0] * 90, bool)
    assert recall_at_fpr(y, np.zeros(100), 0.01) == pytest.approx(0.01)


def test_recall_at_fpr_needs_both_classes():
    assert recall_at_fpr([1, 1], [1, 2]) is None
    assert recall_at_fpr([0, 0], [1, 2]) is None


def test_ranking_refuses_a_shape_mismatch():
    with pytest.raises(ValueError, match="differ in shape"):
        Ranking(np.zeros(3), np.zeros(4, bool))


# -- properties ------------------------------------------------------------------------------------

def _labelled(min_size=2, max_size=60, values=None):
    """(labels, scores) with at least one positive and one negative; small integer scores so that
    ties are common."""
    values = values if values is not None else st.integers(-5, 5)
    return st.integers(min_size, max_size).flatmap(lambda n: st.tuples(
        st.lists(st.booleans(), min_size=n, max_size=n).filter(lambda y: any(y) and not all(y)),
        st.lists(values, min_size=n, max_size=n)))


@given(_labelled())
def test_ap_matches_scikit_learns_algorithm(data):
    y, s = data
    assert average_precision(y, s) == pytest.approx(ref_average_precision(y, s), rel=1e-12)


@given(_labelled())
def test_roc_auc_is_the_share_of_pairs_won(data):
    y, s = data
    assert roc_auc(y, s) == pytest.approx(ref_roc_auc(y, s), rel=1e-12)


@given(_labelled())
def test_a_perfect_score_has_ap_and_auc_one(data):
    y, _ = data
    s = np.array(y, float) * 10 + np.random.default_rng(0).random(len(y))
    assert average_precision(y, s) == pytest.approx(1.0)
    assert roc_auc(y, s) == 1.0
    assert recall_at_fpr(y, s, 0.01) == 1.0


@given(_labelled(), st.floats(-1e3, 1e3, allow_nan=False))
def test_a_constant_score_has_ap_base_rate_and_auc_half(data, c):
    y, _ = data
    s = np.full(len(y), c)
    assert average_precision(y, s) == pytest.approx(np.mean(y), rel=1e-12)
    assert roc_auc(y, s) == 0.5


@given(_labelled())
def test_invariant_under_monotone_transforms(data):
    y, s = data
    s = np.array(s, float)
    for f in (lambda x: 3 * x + 7, lambda x: np.exp(x / 2), lambda x: x ** 3):
        assert average_precision(y, f(s)) == pytest.approx(average_precision(y, s), rel=1e-12)
        assert roc_auc(y, f(s)) == pytest.approx(roc_auc(y, s), rel=1e-12)
        assert recall_at_fpr(y, f(s), 0.1) == pytest.approx(recall_at_fpr(y, s, 0.1), rel=1e-12)


@given(_labelled())
def test_reversing_the_scores_maps_auc_to_one_minus_auc(data):
    y, s = data
    s = np.array(s, float)
    assert roc_auc(y, -s) == pytest.approx(1 - roc_auc(y, s), abs=1e-12)


@given(_labelled())
def test_invariant_under_row_permutation(data):
    y, s = data
    perm = np.random.default_rng(len(y)).permutation(len(y))
    y2, s2 = np.array(y)[perm], np.array(s)[perm]
    assert average_precision(y2, s2) == pytest.approx(average_precision(y, s), rel=1e-12)
    assert roc_auc(y2, s2) == pytest.approx(roc_auc(y, s), rel=1e-12)


@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1))
def test_random_scores_have_auc_near_half_and_ap_near_base_rate(seed):
    rng = np.random.default_rng(seed)
    y = rng.random(4000) < 0.1
    assume(y.sum() > 200)
    s = rng.random(4000)
    # The null standard deviation of the AUC is about sqrt((n + 1) / (12 P N)) ~ 0.015 here.
    assert abs(roc_auc(y, s) - 0.5) < 0.08
    assert abs(average_precision(y, s) - y.mean()) < 0.05


@given(_labelled(max_size=12, values=st.integers(0, 3)), st.sampled_from([0.1, 0.25, 0.34, 0.5]))
def test_budget_metrics_are_the_mean_over_every_tie_break(data, budget):
    y, s = data
    assert precision_recall_at_budget(y, s, budget) == pytest.approx(ref_budget(y, s, budget))


@given(_labelled(max_size=40), st.sampled_from([0.01, 0.05, 0.1, 0.25, 0.5, 0.9]))
def test_recall_at_fpr_reads_the_interpolated_roc_curve(data, fpr):
    y, s = data
    assert recall_at_fpr(y, s, fpr) == pytest.approx(ref_recall_at_fpr(y, s, fpr), abs=1e-12)


@given(_labelled(max_size=40))
def test_budget_recall_never_exceeds_what_the_budget_allows(data):
    y, s = data
    for b in (0.05, 0.2, 0.6):
        p, rec = precision_recall_at_budget(y, s, b)
        k = budget_size(b, len(y))
        assert 0 <= p <= 1 and 0 <= rec <= 1
        assert rec <= min(1.0, k / sum(y)) + 1e-12
        assert math.isclose(p * k, rec * sum(y), abs_tol=1e-9)
