"""Compact precision-recall curves: interpolated precision at fixed recall levels.

A results file keeps one order-level PR curve per run, small enough to store for every run and to
average over seeds: the precision at ``steps + 1`` recall levels ``0, 1/steps, ..., 1``,
**interpolated** as in PASCAL VOC and ``pycocotools``: the precision at level ``r`` is the best
precision of any threshold whose recall is at least ``r``. The interpolated curve never rises to
the right, so curves of different seeds can be averaged level by level and still read as "the
precision a review team gets if it wants to find this share of the brushing orders".

The thresholds are the distinct scores of the positives, as for average precision (equal scores
are one threshold); everything comes from the :class:`~brushbench.metrics.ranking.Ranking`'s one
sort, so a curve costs a ``searchsorted`` over the positives' distinct scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ranking import Ranking
from .values import undefined

__all__ = ["PR_CURVE_STEPS", "pr_curve", "pr_curve_section", "recall_levels"]

#: Recall levels of a stored curve: ``0, 1/50, ..., 1`` (51 points).
PR_CURVE_STEPS = 50
#: Decimals kept in a stored curve (the curve is for plotting; metrics keep full precision).
DECIMALS = 6


def recall_levels(steps: int = PR_CURVE_STEPS) -> np.ndarray:
    """The recall levels ``k / steps`` for ``k = 0 .. steps``."""
    if steps < 1:
        raise ValueError(f"a curve needs at least one step, got {steps}")
    return np.arange(steps + 1) / steps


def interpolated_precision(ranking: Ranking, steps: int = PR_CURVE_STEPS) -> np.ndarray | None:
    """Interpolated precision at the levels of :func:`recall_levels`; None without positives.

    Parameters
    ----------
    ranking : Ranking
        The population's scores and its positives (higher = more suspicious).
    steps : int
        The number of recall steps.

    Returns
    -------
    array of float, shape (steps + 1,), or None
        ``max precision over the thresholds with recall >= k / steps``, for each ``k``.
    """
    P = ranking.n_positive
    if P == 0:
        return None
    values, counts = np.unique(ranking.positive_sorted, return_counts=True)
    tp = np.cumsum(counts[::-1])[::-1]                  # positives scored >= value (falls)
    precision = tp / (tp + ranking.negatives_at_least(values))
    best = np.maximum.accumulate(precision)             # best precision of values[: j + 1]
    # Recall >= k / steps exactly when tp * steps >= k * P (integers: no rounding at a level).
    # Those thresholds are a prefix of `values`, since tp falls as the threshold rises.
    k = np.arange(steps + 1, dtype=np.int64)
    reach = np.searchsorted(-(tp.astype(np.int64) * steps), -(k * P), side="right")
    return best[reach - 1]                              # reach >= 1: the lowest value has tp = P


def pr_curve_section(ranking: Ranking, steps: int = PR_CURVE_STEPS) -> dict[str, Any]:
    """The stored form: ``{"recall": [...], "precision": [...]}``, or undefined without
    positives (``{"value": None, "reason": "no positive orders"}``)."""
    precision = interpolated_precision(ranking, steps)
    if precision is None:
        return undefined("no positive orders")
    return {"recall": [float(r) for r in np.round(recall_levels(steps), DECIMALS)],
            "precision": [float(p) for p in np.round(precision, DECIMALS)]}


def pr_curve(y_true: np.ndarray, y_score: np.ndarray,
             steps: int = PR_CURVE_STEPS) -> tuple[np.ndarray, np.ndarray] | None:
    """Recall levels and interpolated precision of one population; None without positives.

    Examples
    --------
    >>> recall, precision = pr_curve([1, 0, 1, 0], [4, 3, 2, 1], steps=4)
    >>> precision.tolist()          # thresholds 4 (recall 1/2, precision 1) and 2 (1, 2/3)
    [1.0, 1.0, 1.0, 0.6666666666666666, 0.6666666666666666]
    """
    precision = interpolated_precision(Ranking(y_score, y_true), steps)
    return None if precision is None else (recall_levels(steps), precision)
