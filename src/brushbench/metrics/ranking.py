"""Ranking metrics from one sort: average precision, ROC-AUC, budgets, recall at a false-alarm rate.

A :class:`Ranking` sorts a population's scores once (``np.sort``, not an argsort: the order of the
rows is never needed) and, separately, the scores of its positives. Every metric is then a few
``searchsorted`` calls of the positives' distinct scores into the sorted population, so the cost
after the sort grows with the number of positives, not of orders. Higher score = more suspicious.

Ties are handled as scikit-learn does for the threshold-free metrics (equal scores form one
threshold for average precision; average ranks for ROC-AUC), and by their *expected value* under a
random tie-break wherever a cut must split a group of equal scores (budgets, recall at a false-alarm
rate, campaigns caught); see :class:`Cut`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .values import budget_fraction

__all__ = ["Cut", "Ranking", "average_precision", "budget_size", "precision_recall_at_budget",
           "recall_at_fpr", "roc_auc"]


def budget_size(budget: float, n: int) -> int:
    """How many of ``n`` orders the review team looks at: ``ceil(budget * n)``, at least 1.

    The product is taken on the budget's exact decimal value, so ``0.07 * 100`` is 7, not 8.
    """
    if n <= 0:
        return 0
    return max(1, min(n, math.ceil(budget_fraction(budget) * n)))


@dataclass(frozen=True)
class Cut:
    """The top ``k`` of a ranking, with ties at the cut shared by expected value.

    The review team looks at the ``k`` most suspicious orders. Orders scored above ``threshold``
    are all in (``above`` of them); the ``tied`` orders scored exactly ``threshold`` compete for the
    ``k - above`` remaining slots. Rather than letting row order decide (which would reward or
    punish a detector for where the generator happened to put a row), each tied order counts as
    ``share = (k - above) / tied`` of an order: the expectation under a uniformly random
    tie-break. A constant score thus gets precision = base rate at every budget.

    Attributes
    ----------
    budget : float
        The share of the orders reviewed.
    k : int
        Orders reviewed, ``ceil(budget * n)``.
    threshold : float
        The k-th highest score.
    above : int
        Orders scored strictly above ``threshold``.
    tied : int
        Orders scored exactly ``threshold`` (at least 1).
    """

    budget: float
    k: int
    threshold: float
    above: int
    tied: int

    @property
    def share(self) -> float:
        """The expected part of each tied order inside the budget, ``(k - above) / tied``."""
        return (self.k - self.above) / self.tied

    def weights(self, scores: np.ndarray) -> np.ndarray:
        """Each score's expected presence in the budget: 1 above, ``share`` at, 0 below."""
        scores = np.asarray(scores, dtype=np.float64)
        weights: np.ndarray = (scores > self.threshold) + self.share * (scores == self.threshold)
        return weights

    def expected(self, scores: np.ndarray) -> float:
        """Expected number of ``scores`` inside the budget."""
        scores = np.asarray(scores, dtype=np.float64)
        above = np.count_nonzero(scores > self.threshold)
        expected: float = above + self.share * np.count_nonzero(scores == self.threshold)
        return expected

    def hit_probability(self, n_above: np.ndarray, n_tied: np.ndarray) -> np.ndarray:
        """Probability that a group with ``n_above`` orders above and ``n_tied`` at the cut has at
        least one order inside the budget, under a uniformly random tie-break.

        With ``r = k - above`` slots among ``m = tied`` orders, the group is missed when all ``r``
        picks avoid its ``c`` tied orders: ``C(m - c, r) / C(m, r)``.
        """
        n_above = np.asarray(n_above)
        c = np.rint(np.asarray(n_tied, dtype=np.float64)).astype(np.int64)
        m, r = self.tied, self.k - self.above
        # C(m - c, r) / C(m, r) = prod_{i < c} (m - r - i) / (m - i): its logarithm for every c up
        # to the largest one asked, as a cumulative sum (exact to rounding, unlike lgamma's
        # differences of large numbers); a factor of 0 (c > m - r) makes a miss impossible.
        top = int(c.max(initial=0))
        i = np.arange(top, dtype=np.float64)
        with np.errstate(divide="ignore"):
            factor = np.log(np.maximum(m - r - i, 0.0)) - np.log(m - i)
        log_miss = np.concatenate([[0.0], np.cumsum(factor)])
        miss = np.exp(log_miss[c])
        return np.where(n_above > 0, 1.0, 1.0 - miss)


class Ranking:
    """A population's scores sorted once, and its positives' scores.

    Parameters
    ----------
    scores : array of float, shape (n,)
        Higher = more suspicious.
    positive : array of bool, shape (n,)
        The truth.
    """

    def __init__(self, scores: np.ndarray, positive: np.ndarray) -> None:
        scores = np.asarray(scores, dtype=np.float64)
        positive = np.asarray(positive, dtype=bool)
        if scores.ndim != 1 or scores.shape != positive.shape:
            raise ValueError(f"scores and labels differ in shape: {scores.shape} != "
                             f"{positive.shape}")
        self._set(np.sort(scores), np.sort(scores[positive]))

    @classmethod
    def of_rows(cls, scores: np.ndarray, rows: np.ndarray) -> Ranking:
        """The ranking of ``scores`` whose positives are at ``rows`` (integer positions).

        The same as ``Ranking(scores, positive)`` without a per-order mask: the one array
        this allocates per score is the sorted copy.
        """
        ranking = cls.__new__(cls)
        scores = np.asarray(scores, dtype=np.float64)
        if scores.ndim != 1:
            raise ValueError(f"scores must be one-dimensional, not of shape {scores.shape}")
        ranking._set(np.sort(scores), np.sort(scores[rows]))
        return ranking

    def _set(self, sorted_scores: np.ndarray, positive_sorted: np.ndarray) -> None:
        self.sorted = sorted_scores
        self.positive_sorted = positive_sorted
        self.n = len(sorted_scores)
        self.n_positive = len(positive_sorted)
        self.n_negative = self.n - self.n_positive

    # -- counts at thresholds (vectorised over ``v``) ----------------------------------------------

    @staticmethod
    def _at_least(sorted_scores: np.ndarray, v: np.ndarray | float) -> np.ndarray:
        return len(sorted_scores) - np.searchsorted(sorted_scores, v, "left")

    @staticmethod
    def _above(sorted_scores: np.ndarray, v: np.ndarray | float) -> np.ndarray:
        return len(sorted_scores) - np.searchsorted(sorted_scores, v, "right")

    def negatives_at_least(self, v: np.ndarray | float) -> np.ndarray:
        """Negatives scored ``>= v``."""
        count: np.ndarray = (self._at_least(self.sorted, v)
                             - self._at_least(self.positive_sorted, v))
        return count

    # -- threshold-free metrics --------------------------------------------------------------------

    def average_precision(self, subset: np.ndarray | None = None) -> float | None:
        """Average precision of the positives (or of ``subset``, scores of some of them) against
        every negative; None when there is no positive.

        As scikit-learn's ``average_precision_score``: over the distinct scores ``s`` of the
        positives, from the highest down, the sum of (positives at ``s`` / all positives) times
        the precision of flagging every order scored ``>= s``.
        """
        sub = self.positive_sorted if subset is None else np.asarray(subset, dtype=np.float64)
        if not len(sub):
            return None
        values, counts = np.unique(sub, return_counts=True)
        tp = np.cumsum(counts[::-1])[::-1]           # subset positives scored >= value
        flagged = tp + self.negatives_at_least(values)
        return float(np.sum(counts * (tp / flagged)) / len(sub))

    def roc_auc(self) -> float | None:
        """ROC-AUC as the Mann-Whitney U with average ranks; None without positives or negatives.

        ``U = (sum of the positives' average ranks) - P (P + 1) / 2`` and ``AUC = U / (P N)``: the
        probability that a random positive outscores a random negative, ties counting one half.
        """
        P, N = self.n_positive, self.n_negative
        if P == 0 or N == 0:
            return None
        values, counts = np.unique(self.positive_sorted, return_counts=True)
        below = np.searchsorted(self.sorted, values, "left")
        through = np.searchsorted(self.sorted, values, "right")
        rank_sum = float(np.sum(counts * ((below + through + 1) / 2.0)))   # 1-based ranks
        return float((rank_sum - P * (P + 1) / 2.0) / (float(P) * float(N)))

    # -- cuts --------------------------------------------------------------------------------------

    def cut(self, budget: float) -> Cut | None:
        """The review team's cut at ``budget`` (a share of the orders); None without orders."""
        k = budget_size(budget, self.n)
        if k == 0:
            return None
        t = float(self.sorted[self.n - k])
        above = int(self._above(self.sorted, t))
        tied = int(self._at_least(self.sorted, t)) - above
        return Cut(float(budget), k, t, above, tied)

    def true_alerts(self, cut: Cut) -> float:
        """Expected number of positives inside ``cut``."""
        above = int(self._above(self.positive_sorted, cut.threshold))
        tied = int(self._at_least(self.positive_sorted, cut.threshold)) - above
        return above + cut.share * tied

    def recall_at_fpr(self, fpr: float = 0.01) -> float | None:
        """Recall when the alerts may include a share ``fpr`` of the negatives; None without
        positives or negatives.

        The ROC curve through the points of every distinct score, linearly interpolated (a random
        tie-break inside a group of equal scores moves along the segment), read at ``fpr``: the
        FDB ``tpr@1%fpr`` and ``np.interp(fpr, *roc_curve(...)[:2])``. Where the curve is vertical
        at ``fpr`` exactly, its top is taken (positives that cost no false alarm are kept).
        """
        P, N = self.n_positive, self.n_negative
        if P == 0 or N == 0:
            return None
        allowed = budget_fraction(fpr) * N                     # false alarms allowed (exact)
        if allowed >= N:
            return 1.0
        # The cut value t: the highest score with more than `allowed` negatives at or above it.
        # Fewer than allowed + P orders are above t, so it is among the top ceil(allowed)+P+2.
        w = min(self.n, math.ceil(allowed) + P + 2)
        window = np.unique(self.sorted[self.n - w:])
        fp = self.negatives_at_least(window)
        over = fp * allowed.denominator > allowed.numerator     # fp > allowed, exactly
        t = window[np.count_nonzero(over) - 1]                  # `over` is a prefix (fp falls)
        fp_ge, tp_ge = int(self.negatives_at_least(t)), int(self._at_least(self.positive_sorted, t))
        fp_gt = int(self._above(self.sorted, t)) - int(self._above(self.positive_sorted, t))
        tp_gt = int(self._above(self.positive_sorted, t))
        step = float((allowed - fp_gt) / (fp_ge - fp_gt))
        return (tp_gt + step * (tp_ge - tp_gt)) / P


# -- one-call forms --------------------------------------------------------------------------------

def average_precision(y_true: np.ndarray, y_score: np.ndarray) -> float | None:
    """Average precision (step-wise PR-AUC) as scikit-learn computes it; None without positives.

    Parameters
    ----------
    y_true : array of bool or 0/1, shape (n,)
    y_score : array of float, shape (n,)
        Higher = more suspicious.

    Examples
    --------
    >>> average_precision([1, 0, 1, 0], [3, 2, 2, 1])   # (1 + 2/3) / 2
    0.8333333333333333
    """
    return Ranking(y_score, y_true).average_precision()


def roc_auc(y_true: np.ndarray, y_score: np.ndarray) -> float | None:
    """ROC-AUC (Mann-Whitney U, average ranks); None without positives or negatives.

    >>> roc_auc([1, 0, 1, 0], [3, 2, 2, 1])   # pairs won: 2 + 1/2 + 1 out of 4
    0.875
    """
    return Ranking(y_score, y_true).roc_auc()


def recall_at_fpr(y_true: np.ndarray, y_score: np.ndarray, fpr: float = 0.01) -> float | None:
    """Recall at a false-positive rate (see :meth:`Ranking.recall_at_fpr`)."""
    return Ranking(y_score, y_true).recall_at_fpr(fpr)


def precision_recall_at_budget(y_true: np.ndarray, y_score: np.ndarray,
                               budget: float) -> tuple[float | None, float | None]:
    """Expected precision and recall of reviewing the top ``ceil(budget * n)`` orders.

    Ties at the cut are shared by expected value (:class:`Cut`). Precision is None without orders,
    recall None without positives.

    >>> precision_recall_at_budget([1, 0, 1, 0, 0], [3, 2, 2, 2, 1], 0.4)  # 1 + 1/3 of 2 orders
    (0.6666666666666666, 0.6666666666666666)
    """
    r = Ranking(y_score, y_true)
    cut = r.cut(budget)
    if cut is None:
        return None, None
    tp = r.true_alerts(cut)
    return tp / cut.k, (tp / r.n_positive if r.n_positive else None)
