"""Scoring a probe: average precision, its permutation null, and the leak threshold.

Everything here works on *units* (see :mod:`brushbench.audit.probes`): a feature is one value per
unit, a label set says which units are in the comparison (the universe) and which of those are
positive. A feature is reduced to integer *group codes* (equal values share a code), so that the
average precision of the observed labels and of every permutation of them is a few ``bincount``
and ``cumsum`` calls, whatever the number of orders.

Average precision treats tied scores as one threshold, like scikit-learn's
``average_precision_score``::

    AP = sum over distinct score values s, from the highest down, of
         (positives scored s / all positives) * (positives scored >= s / units scored >= s)

so a constant feature has AP equal to the base rate exactly, and a feature that puts every
positive above every negative has AP 1: the same figure as
:func:`brushbench.metrics.ranking.average_precision` (the tests hold the two to each other),
computed for many label sets at once.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np

#: Above this many distinct values (and more than 8 per positive), the positives' groups are
#: found by sorting them instead of counting into an array with one cell per group.
_DENSE_MAX = 1 << 16


def _ap_rows(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """AP of each row of ``p`` (positives per group, groups in ranking order), ``n`` all units."""
    p = np.asarray(p, dtype=np.float64)
    tp = np.cumsum(p, axis=-1)
    seen = np.cumsum(n, axis=-1).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(p > 0, tp / np.maximum(seen, 1.0), 0.0)
        return (p * prec).sum(axis=-1) / p.sum(axis=-1)


def to_codes(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Integer codes (0 = smallest value, -1 = NaN) and the number of codes of a numeric feature."""
    values = np.asarray(values, dtype=np.float64)
    nan = np.isnan(values)
    some_nan = bool(nan.any())
    v = values[~nan] if some_nan else values
    if not len(v):
        return np.full(len(values), -1, dtype=np.int64), 0
    lo, hi = v.min(), v.max()
    if hi - lo < _DENSE_MAX:
        # Integral values in a small range (flags, digits, counts): codes without sorting.
        iv = v.astype(np.int64)
        if np.array_equal(iv, v):
            iv -= int(lo)
            if not some_nan:
                return iv, int(hi - lo) + 1
            codes = np.full(len(values), -1, dtype=np.int64)
            codes[~nan] = iv
            return codes, int(hi - lo) + 1
    uniq, inv = np.unique(v, return_inverse=True)
    codes = np.full(len(values), -1, dtype=np.int64)
    codes[~nan] = inv
    return codes, len(uniq)


def count_codes(codes: np.ndarray, k: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Occurrences of each code 0..k-1, ignoring -1 (without masking the array)."""
    return np.bincount(codes + 1, weights=weights, minlength=k + 1)[1:]


# -- label sets and their permutations ------------------------------------------------------------

@dataclass
class Comparison:
    """One comparison at unit level: the universe's units, which are positive, and the null draws.

    ``universe`` and ``positive`` are index arrays into the units; ``null`` holds one row of
    positive unit indices per permutation (random subsets of the universe of the same size).
    ``excluded`` lists the units that have a value but are outside the universe (units of other
    patterns only): counts over the universe are counts over all units minus theirs.
    """

    universe: np.ndarray
    positive: np.ndarray
    null: np.ndarray
    excluded: np.ndarray

    @property
    def base_rate(self) -> float:
        return len(self.positive) / len(self.universe) if len(self.universe) else float("nan")


@dataclass
class Feature:
    """A probe's value per unit as group codes (-1 = none), with counts over all its units.

    ``fit`` marks the units of the half on which a categorical probe's encoding is learnt.
    """

    codes: np.ndarray
    k: int
    fit: np.ndarray | None = None

    def __post_init__(self) -> None:
        self.counts = count_codes(self.codes, self.k)
        if self.fit is not None:
            self.counts_fit = count_codes(self.codes, self.k, self.fit).astype(np.int64)

    def universe_counts(self, cmp: Comparison, half: bool = False) -> np.ndarray:
        """Units of each code in the comparison's universe (of the fit half with ``half``)."""
        base = self.counts_fit if half else self.counts
        ex = cmp.excluded
        if half:
            assert self.fit is not None
            ex = ex[self.fit[ex]]
        return base - np.bincount(self.codes[ex], minlength=self.k)


def stream(seed: int, *key: object) -> np.random.Generator:
    """A generator for ``key`` under ``seed``: the same draws whatever ran before it."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return np.random.default_rng([seed, int.from_bytes(digest, "little")])


def draw_null(universe: np.ndarray, n_positive: int, permutations: int,
              rng: np.random.Generator) -> np.ndarray:
    """``permutations`` random subsets of ``universe`` of size ``n_positive``: shuffled labels."""
    out = np.empty((permutations, n_positive), dtype=np.int64)
    for r in range(permutations):
        out[r] = universe[rng.choice(len(universe), size=n_positive, replace=False,
                                     shuffle=False)]
    return out


# -- scores ---------------------------------------------------------------------------------------

@dataclass
class Score:
    """The statistic of one probe on one comparison, and its permutation null."""

    ap: float
    base_rate: float
    direction: str          # "high", "low" (numeric) or "rate" (categorical, target-encoded)
    null: np.ndarray        # the statistic under each permutation (NaN dropped)
    n_units: int
    n_positive: int

    @property
    def null_mean(self) -> float:
        return float(self.null.mean()) if len(self.null) else self.base_rate

    @property
    def null_std(self) -> float:
        return float(self.null.std(ddof=1)) if len(self.null) > 1 else 0.0


def threshold(score: Score, sigmas: float = 5.0, min_margin: float = 0.02,
              top_hits: float = 3.0) -> float:
    """The AP a probe must exceed to be a leak.

    ``max(base_rate, null_mean) + max(min_margin, sigmas * null_std, top_hits / n_positive)``:

    - chance level is the base rate, or the permutation mean when it is higher (AP of a random
      ranking is biased upwards for few positives, and keeping the better of two signs lifts
      it further);
    - the margin is ``sigmas`` standard deviations of the permutation null,
    - never less than ``min_margin`` of AP (a separation too small to matter to a detector),
    - and never less than ``top_hits / n_positive``: one positive unit ranked first by luck adds
      up to ``1 / n_positive`` to the AP, an event of probability about the base rate that a few
      permutations rarely sample, so the null's standard deviation misses AP's long right tail
      when positives are few. Beating chance by ``top_hits`` such placements takes about
      ``top_hits`` positives among the very first units, which chance rarely gives.
    """
    chance = max(score.base_rate, score.null_mean)
    luck = top_hits / score.n_positive if score.n_positive else math.inf
    return chance + max(min_margin, sigmas * score.null_std, luck)


def score_numeric(feature: Feature, cmp: Comparison) -> Score:
    """AP of a numeric feature (group codes ascending in value), the better of both signs."""
    codes, k = feature.codes, feature.k
    n = feature.universe_counts(cmp)
    P = len(cmp.positive)
    if np.count_nonzero(n) <= 1:  # constant: AP is the base rate for every labelling
        return Score(cmp.base_rate, cmp.base_rate, "high", np.full(len(cmp.null), cmp.base_rate),
                     len(cmp.universe), P)
    rows = np.vstack([cmp.positive[None, :], cmp.null]) if len(cmp.null) else cmp.positive[None]
    pos = codes[rows]
    if k <= _DENSE_MAX or k <= 8 * P:
        m = len(rows)
        p = np.bincount((pos + (np.arange(m) * k)[:, None]).ravel(),
                        minlength=m * k).reshape(m, k)
        high = _ap_rows(p[:, ::-1], n[::-1])
        low = _ap_rows(p, n)
    else:
        cum = np.cumsum(n)
        total = cum[-1]
        high = np.empty(len(rows))
        low = np.empty(len(rows))
        for i, row in enumerate(pos):
            g, c = np.unique(row, return_counts=True)
            tp_low = np.cumsum(c)
            low[i] = np.sum(c * tp_low / cum[g]) / P
            tp_high = P - tp_low + c
            high[i] = np.sum(c * tp_high / (total - cum[g] + n[g])) / P
    best = np.maximum(high, low)
    direction = "high" if high[0] >= low[0] else "low"
    return Score(float(best[0]), cmp.base_rate, direction, best[1:], len(cmp.universe), P)


def score_categorical(feature: Feature, cmp: Comparison, smoothing: float = 1.0) -> Score:
    """AP of a target-encoded categorical feature, learnt on one half and scored on the other.

    Each category's score is its positive rate among the universe's units of the ``fit`` half
    (smoothed towards that half's base rate by ``smoothing`` pseudo-units); the AP is that score's
    on the units of the other half. The permutations re-learn the encoding from shuffled labels.
    """
    codes, k, fit = feature.codes, feature.k, feature.fit
    assert fit is not None
    n_all = feature.universe_counts(cmp)
    n_fit = feature.universe_counts(cmp, half=True).astype(np.float64)
    n_eval = n_all - n_fit
    N_fit, N_eval = n_fit.sum(), n_eval.sum()
    pos_eval_obs = np.count_nonzero(~fit[cmp.positive])
    base = pos_eval_obs / N_eval if N_eval and pos_eval_obs else float("nan")
    if np.count_nonzero(n_all) <= 1 or N_fit == 0 or N_eval == 0 or pos_eval_obs == 0:
        return Score(base, base, "rate", np.full(len(cmp.null), base), int(N_eval),
                     int(pos_eval_obs))
    rows = np.vstack([cmp.positive[None, :], cmp.null]) if len(cmp.null) else cmp.positive[None]
    m = len(rows)
    pos = codes[rows]
    in_fit = fit[rows]
    offset = (np.arange(m) * k)[:, None]
    p_fit = np.bincount((pos + offset)[in_fit], minlength=m * k).reshape(m, k)
    p_eval = np.bincount((pos + offset)[~in_fit], minlength=m * k).reshape(m, k)
    prior = p_fit.sum(axis=1, keepdims=True) / N_fit
    rate = (p_fit + smoothing * prior) / (n_fit + smoothing)
    # Rank categories by rate, highest first; categories with equal rates are one tied group.
    order = np.argsort(-rate, axis=1, kind="stable")
    r_sorted = np.take_along_axis(rate, order, axis=1)
    p_sorted = np.take_along_axis(p_eval, order, axis=1).astype(np.float64)
    n_sorted = n_eval[order]
    ends = np.ones_like(r_sorted, dtype=bool)
    ends[:, :-1] = r_sorted[:, 1:] != r_sorted[:, :-1]
    tp = np.cumsum(p_sorted, axis=1)
    seen = np.cumsum(n_sorted, axis=1)
    at_end = np.where(ends, tp, 0.0)
    before = np.zeros_like(tp)
    before[:, 1:] = np.maximum.accumulate(at_end, axis=1)[:, :-1]
    gained = np.where(ends, tp - before, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        contrib = np.where(gained > 0, gained * tp / np.maximum(seen, 1.0), 0.0)
        ap = contrib.sum(axis=1) / tp[:, -1]
    null = ap[1:]
    return Score(float(ap[0]), base, "rate", null[~np.isnan(null)], int(N_eval),
                 int(pos_eval_obs))


def quantize(values: np.ndarray, bins: int = 512) -> tuple[np.ndarray, int]:
    """Codes (-1 = NaN) of a numeric feature cut at its own quantiles into at most ``bins``.

    Label-free: the cut points are quantiles of all the values, so a threshold probe's counts
    stay ``bins`` wide however many distinct delays a large log has.
    """
    values = np.asarray(values, dtype=np.float64)
    ok = ~np.isnan(values)
    codes = np.full(len(values), -1, dtype=np.int64)
    if not ok.any():
        return codes, 0
    edges = np.unique(np.quantile(values[ok], np.linspace(0.0, 1.0, bins + 1)))
    codes[ok] = np.searchsorted(edges[1:-1], values[ok], side="right")
    return codes, max(len(edges) - 1, 1)


def score_threshold(feature: Feature, cmp: Comparison, q: float = 0.05) -> Score:
    """AP of a one-sided threshold learnt on one half: a floor (or ceiling) of the positives.

    The floor is the ``q`` quantile of the positive units' values in the ``fit`` half, the
    ceiling their ``1 - q`` quantile; the binary score "value >= floor" (or "<= ceiling") is
    scored on the other half and the better of the two kept (direction ``floor`` or
    ``ceiling``). A pattern whose delays all sit above a constant a legitimate order often falls
    below scores high; a pattern spread like the legitimate orders selects the same 95% of
    everyone, AP near the base rate. The permutations re-learn the cut from shuffled labels.
    """
    codes, k, fit = feature.codes, feature.k, feature.fit
    assert fit is not None
    n_all = feature.universe_counts(cmp).astype(np.float64)
    n_fit = feature.universe_counts(cmp, half=True).astype(np.float64)
    n_eval = n_all - n_fit
    N_eval = n_eval.sum()
    P_obs = int(np.count_nonzero(~fit[cmp.positive]))
    base = P_obs / N_eval if N_eval and P_obs else float("nan")
    if np.count_nonzero(n_all) <= 1 or N_eval == 0 or P_obs == 0:
        return Score(base, base, "floor", np.full(len(cmp.null), base), int(N_eval), P_obs)
    rows = np.vstack([cmp.positive[None, :], cmp.null]) if len(cmp.null) else cmp.positive[None]
    m = len(rows)
    pos = codes[rows]
    in_fit = fit[rows]
    # The q and 1 - q quantiles of each row's fit-half positives (others sorted past the end).
    c = in_fit.sum(axis=1)
    srt = np.sort(np.where(in_fit, pos, k), axis=1)
    lo = np.take_along_axis(srt, np.floor(q * np.maximum(c - 1, 0)).astype(np.int64)[:, None],
                            axis=1)[:, 0]
    hi = np.take_along_axis(srt, np.ceil((1 - q) * np.maximum(c - 1, 0)).astype(np.int64)[:, None],
                            axis=1)[:, 0]
    offset = (np.arange(m) * k)[:, None]
    p_eval = np.bincount((pos + offset)[~in_fit], minlength=m * k).reshape(m, k)
    P = p_eval.sum(axis=1).astype(np.float64)
    cum_p = np.concatenate([np.zeros((m, 1)), np.cumsum(p_eval, axis=1)], axis=1)
    cum_n = np.concatenate([[0.0], np.cumsum(n_eval)])
    lo_c, hi_c = np.minimum(lo, k), np.minimum(hi, k - 1)
    r = np.arange(m)

    def binary_ap(p_sel: np.ndarray, n_sel: np.ndarray) -> np.ndarray:
        # The selected units rank first, the rest tie after them (precision P / N at the end).
        with np.errstate(divide="ignore", invalid="ignore"):
            first = np.where(p_sel > 0, p_sel / P * p_sel / np.maximum(n_sel, 1.0), 0.0)
            return first + (P - p_sel) / P * (P / N_eval)

    floor_ap = binary_ap(P - cum_p[r, lo_c], N_eval - cum_n[lo_c])
    ceiling_ap = binary_ap(cum_p[r, hi_c + 1], cum_n[hi_c + 1])
    ap = np.maximum(floor_ap, ceiling_ap)
    ap = np.where(c > 0, ap, np.nan)
    direction = "floor" if floor_ap[0] >= ceiling_ap[0] else "ceiling"
    null = ap[1:]
    return Score(float(ap[0]), base, direction, null[~np.isnan(null)], int(N_eval), P_obs)


def score_share(feature: Feature, cmp: Comparison) -> Score:
    """Share of the positive units that sit on values beyond the other units' shares.

    The total variation distance between the positives' distribution over the column's values
    and the other units': ``sum over values v of max(0, share of positives with v - share of
    the others with v)``. 0 when a pattern spreads over the values like the legitimate orders
    do; ``1 - s`` when all its units take one value that a share ``s`` of the others take (a
    default left in place); large too when accounts spread uniformly over cities that buyers
    choose by a Zipf law. Chance is the permutation mean (the distance of a random subset,
    larger for few units and many values), so ``base_rate`` is 0.
    """
    codes, k = feature.codes, feature.k
    n = feature.universe_counts(cmp).astype(np.float64)
    P = len(cmp.positive)
    N = n.sum()
    if np.count_nonzero(n) <= 1 or P == 0 or N <= P:
        return Score(0.0, 0.0, "share", np.zeros(len(cmp.null)), int(N), P)
    rows = np.vstack([cmp.positive[None, :], cmp.null]) if len(cmp.null) else cmp.positive[None]
    m = len(rows)
    p = np.bincount((codes[rows] + (np.arange(m) * k)[:, None]).ravel(),
                    minlength=m * k).reshape(m, k).astype(np.float64)
    gap = np.maximum(p / P - (n - p) / (N - P), 0.0).sum(axis=1)
    return Score(float(gap[0]), 0.0, "share", gap[1:], int(N), P)
