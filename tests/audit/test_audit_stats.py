"""Average precision, its grouped and target-encoded forms, the null draws and the threshold."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.audit import threshold
from brushbench.audit.stats import (
    Comparison,
    Feature,
    Score,
    draw_null,
    score_categorical,
    score_numeric,
    stream,
    to_codes,
)
from brushbench.metrics.ranking import average_precision as metrics_ap

# -- average precision, by hand ---------------------------------------------------------------


def average_precision(scores, labels):
    """The reference the grouped forms are held to: the metrics' AP (labels first), NaN where
    it is undefined, as the audit reports it."""
    ap = metrics_ap(np.asarray(labels, dtype=bool), np.asarray(scores, dtype=float))
    return math.nan if ap is None else ap

@pytest.mark.parametrize(("scores", "labels", "expected"), [
    # perfect ranking
    ([4, 3, 2, 1], [1, 1, 0, 0], 1.0),
    # worst ranking of one positive among four: precision 1/4 at its rank
    ([4, 3, 2, 1], [0, 0, 0, 1], 0.25),
    # one positive first (precision 1), the other third (precision 2/3)
    ([4, 3, 2, 1], [1, 0, 1, 0], (1 + 2 / 3) / 2),
    # a tie of a positive and a negative at the top: one threshold, precision 1/2 for it,
    # then the other positive at rank 4 with precision 2/4
    ([3, 3, 2, 1], [1, 0, 0, 1], (0.5 + 0.5) / 2),
    # tied group in the middle: first positive alone on top (1), then a group of three
    # holding one positive, reached with 2 positives among 4 units (2/4)
    ([5, 2, 2, 2, 1], [1, 0, 1, 0, 0], (1 + 2 / 4) / 2),
    # ties everywhere: two groups of two, each one positive and one negative
    ([1, 1, 0, 0], [1, 0, 1, 0], 0.5),
])
def test_average_precision_by_hand(scores, labels, expected):
    assert average_precision(np.array(scores), np.array(labels)) == pytest.approx(expected,
                                                                               abs=1e-12)


@pytest.mark.parametrize(("n", "positives"), [(10, 1), (10, 3), (7, 7), (1000, 17)])
def test_a_constant_score_gives_the_base_rate_exactly(n, positives):
    labels = np.zeros(n, dtype=bool)
    labels[:positives] = True
    assert average_precision(np.full(n, 2.5), labels) == positives / n


def test_average_precision_without_positives_is_undefined():
    assert math.isnan(average_precision(np.array([1.0, 2.0]), np.array([0, 0])))


# -- the grouped forms agree with the reference ------------------------------------------------

def _comparison(universe, positive, excluded=()):
    return Comparison(np.asarray(universe, dtype=np.int64), np.asarray(positive, dtype=np.int64),
                      np.zeros((0, len(positive)), dtype=np.int64),
                      np.asarray(excluded, dtype=np.int64))


@settings(max_examples=150, deadline=None)
@given(values=st.lists(st.integers(-3, 3) | st.floats(-1e6, 1e6, allow_nan=False),
                       min_size=3, max_size=60),
       data=st.data())
def test_numeric_score_is_the_better_sign_of_average_precision(values, data):
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    role = np.asarray(data.draw(st.lists(st.sampled_from("pnx"), min_size=n, max_size=n)))
    if not (role == "p").any() or not (role == "n").any():
        role[0], role[-1] = "p", "n"
    codes, k = to_codes(values)
    feature = Feature(codes, k)
    universe = np.flatnonzero(role != "x")
    cmp = _comparison(universe, np.flatnonzero(role == "p"), np.flatnonzero(role == "x"))
    score = score_numeric(feature, cmp)
    labels = role[universe] == "p"
    expected = max(average_precision(values[universe], labels),
                   average_precision(-values[universe], labels))
    assert score.ap == pytest.approx(expected, abs=1e-12)
    assert score.base_rate == pytest.approx(labels.mean())


def test_numeric_score_many_distinct_values_takes_the_sparse_path():
    rng = np.random.default_rng(3)
    values = rng.permutation(200_000).astype(np.float64)  # k > 65536 and k > 8 positives
    positive = rng.choice(200_000, size=50, replace=False)
    feature = Feature(*to_codes(values))
    score = score_numeric(feature, _comparison(np.arange(200_000), np.sort(positive)))
    labels = np.zeros(200_000, dtype=bool)
    labels[positive] = True
    expected = max(average_precision(values, labels), average_precision(-values, labels))
    assert score.ap == pytest.approx(expected, abs=1e-12)


def _reference_target_encoding(codes, fit, universe, positive, smoothing=1.0):
    labels = np.zeros(len(codes), dtype=bool)
    labels[positive] = True
    in_u = np.zeros(len(codes), dtype=bool)
    in_u[universe] = True
    fit_rows = in_u & fit
    eval_rows = in_u & ~fit
    prior = labels[fit_rows].sum() / fit_rows.sum()
    rate = {}
    for c in np.unique(codes[in_u]):
        rows = fit_rows & (codes == c)
        rate[c] = (labels[rows].sum() + smoothing * prior) / (rows.sum() + smoothing)
    scores = np.array([rate[c] for c in codes[eval_rows]])
    return average_precision(scores, labels[eval_rows])


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_categorical_score_is_held_out_target_encoding(data):
    n = data.draw(st.integers(8, 80))
    k = data.draw(st.integers(1, 6))
    codes = np.asarray(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    fit = np.asarray(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    role = np.asarray(data.draw(st.lists(st.sampled_from("pnnx"), min_size=n, max_size=n)))
    fit[:2], role[:4] = (True, False), ("p", "n", "p", "n")  # both halves, both labels
    feature = Feature(codes.astype(np.int64), int(codes.max()) + 1, fit)
    universe = np.flatnonzero(role != "x")
    positive = np.flatnonzero(role == "p")
    score = score_categorical(feature, _comparison(universe, positive, np.flatnonzero(
        role == "x")))
    expected = _reference_target_encoding(codes, fit, universe, positive)
    assert score.ap == pytest.approx(expected, abs=1e-12, nan_ok=True)  # NaN: no eval positive
    eval_u = ~fit[universe]
    if not math.isnan(expected):
        assert score.base_rate == pytest.approx((role[universe][eval_u] == "p").mean())


def test_categorical_score_of_a_category_only_positives_have_is_high():
    rng = np.random.default_rng(0)
    n = 2000
    positive = rng.choice(n, size=60, replace=False)
    codes = rng.integers(0, 5, n)
    codes[positive] = 5  # a category no negative has
    fit = rng.random(n) < 0.5
    feature = Feature(codes, 6, fit)
    score = score_categorical(feature, _comparison(np.arange(n), np.sort(positive)))
    assert score.ap == 1.0


# -- null draws and threshold -----------------------------------------------------------------

def test_null_draws_are_subsets_of_the_universe_and_deterministic():
    universe = np.arange(0, 5000, 3)
    a = draw_null(universe, 40, 7, stream(5, "k"))
    b = draw_null(universe, 40, 7, stream(5, "k"))
    c = draw_null(universe, 40, 7, stream(6, "k"))
    assert a.shape == (7, 40) and np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.isin(a, universe).all()
    assert all(len(set(row)) == 40 for row in a.tolist())


def test_threshold_is_chance_plus_the_largest_margin():
    null = np.array([0.10, 0.12, 0.14, 0.16])
    score = Score(ap=0.5, base_rate=0.05, direction="high", null=null, n_units=1000,
                  n_positive=300)
    chance = null.mean()  # above the base rate here
    std = null.std(ddof=1)
    assert threshold(score, sigmas=5, min_margin=0.02, top_hits=3) == pytest.approx(
        chance + 5 * std)
    assert threshold(score, sigmas=0.1, min_margin=0.02, top_hits=3) == pytest.approx(
        chance + 0.02)
    assert threshold(score, sigmas=0.1, min_margin=0.0, top_hits=30) == pytest.approx(
        chance + 30 / 300)
    low = Score(0.5, 0.2, "high", np.array([0.1, 0.1]), 1000, 300)
    assert threshold(low, 5, 0.02, 0) == pytest.approx(0.2 + 0.02)  # base rate is chance
