"""Streaming metrics: how long a campaign runs before the detector raises an alert on it.

``time_to_detect``: per campaign, the seconds from its first fake order to its first alert.

The alert rule
--------------
An order is an **alert** when its score is inside the run's review budget (the top 1% of all
the orders of the run, :data:`~brushbench.metrics.scoring.REVIEW_BUDGET`), and the alert is
raised at the **end of the batch that scored it** (the moment the detector yielded its score).
The first alert of a campaign is its earliest alerted order's batch end; the time to detect
is that moment minus the creation time of the campaign's first fake order (so at least the
time left in that order's batch: a detector cannot do better than its batch window).

Why this rule rather than a threshold moving with the scores seen so far (the top 1% of the
orders scored up to each batch): the fixed cut is the same one as ``campaigns.caught_at_1pct``,
so a campaign has a time to detect exactly when it is caught there (ties aside), and the two
numbers read together; it has no warm-up artefact (over the first few batches "the top 1%" of
a handful of orders is whatever ranks first, and would alert on it); and it is still free of
labels: it only ranks scores. It is the threshold an operator would set from a comparable
period's traffic to keep the review team's load at 1%. Its one piece of hindsight is that the
cut comes from the run's own score distribution, as every budget metric's does.

Ties at the cut are never alerts unless all of them fit in the budget: an order scored exactly
at the threshold alerts only when the orders scored at or above it are at most the budget's
``k``. Row order never breaks a tie, and a constant score alerts on nothing.

A campaign whose orders never alert has ``{"value": None, "reason": "never alerted"}``. The
medians (overall and per pattern) count such campaigns as never detected (infinitely late):
dropping them would reward a detector for catching only the easy ones. A median is undefined
when half or more of the campaigns never alerted.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .key import OrderKey, order_key, per_order
from .ranking import Cut, Ranking, budget_size
from .scoring import REVIEW_BUDGET
from .values import budget_label, number, undefined

__all__ = ["alerts_at_budget", "key_time_to_detect", "time_to_detect"]

NEVER = "never alerted"


def alerts_at_budget(scores: np.ndarray, budget: float = REVIEW_BUDGET) -> np.ndarray:
    """Which orders are alerts: inside the top ``budget`` share of ``scores``, ties at the cut
    only when all of them fit (see the module docs). Returns a bool array."""
    s = np.asarray(scores, dtype=np.float64)
    n = len(s)
    alert = np.zeros(n, dtype=bool)
    if n == 0:
        return alert
    k = budget_size(budget, n)
    threshold = np.partition(s, n - k)[n - k]  # the k-th highest score
    above = s > threshold
    at = s == threshold
    alert |= above
    if int(above.sum()) + int(at.sum()) <= k:
        alert |= at
    return alert


def time_to_detect(labels: pd.DataFrame, scores: np.ndarray | pd.Series, *,
                   orders: pd.DataFrame, scored_at: np.ndarray,
                   campaigns: pd.DataFrame | None = None,
                   budget: float = REVIEW_BUDGET) -> dict[str, Any]:
    """Per campaign, the seconds from its first fake order to its first alert.

    Parameters
    ----------
    labels : DataFrame
        The answer key of ``orders`` (``order_id, is_brushing, campaign_id`` and ``pattern``).
    scores : array or Series of float, shape (n,)
        One score per row of ``orders`` (higher = more suspicious).
    orders : DataFrame
        ``order_id`` and ``created_at`` (timezone-aware) of the orders scored.
    scored_at : array of int, shape (n,)
        When each order's score was known: epoch seconds of the end of its batch
        (:meth:`brushbench.runtime.streaming.Schedule.scored_at`).
    campaigns : DataFrame, optional
        ``campaign_id, pattern``: lists every pattern even when its campaigns have no orders.
    budget : float
        The alert budget (default 1%).

    Returns
    -------
    dict
        ``alert_budget`` (e.g. ``"1pct"``), ``n_campaigns``, ``n_alerted``,
        ``median_seconds``, ``per_pattern`` (``{pattern: {n_campaigns, n_alerted,
        median_seconds}}``) and ``per_campaign`` (``{campaign_id: {pattern, n_orders,
        first_order_at, first_alert_at, seconds}}``, times in ISO 8601 on the data's clock).
        Undefined values are ``{"value": None, "reason": ...}``.
    """
    n = len(orders)
    s = np.asarray(per_order(scores, orders, "scores"), dtype=np.float64)
    when = np.asarray(scored_at, dtype=np.int64)
    if when.shape != (n,):
        raise ValueError(f"scored_at has shape {when.shape}: expected one time per order ({n},)")
    key = order_key(labels, orders, times=True, kinds=False)
    tz = getattr(orders["created_at"].dtype, "tz", None)
    return key_time_to_detect(key, _partition_cut(s, budget), s, when[key.positive_rows],
                              timezone=tz, campaigns=campaigns, budget=budget)


def _partition_cut(s: np.ndarray, budget: float) -> Cut | None:
    """The cut of the top ``budget`` of ``s`` by a partition (no full sort: the time to detect
    alone needs only the threshold)."""
    n = len(s)
    if n == 0:
        return None
    k = budget_size(budget, n)
    threshold = float(np.partition(s, n - k)[n - k])  # the k-th highest score
    above = int(np.count_nonzero(s > threshold))
    return Cut(float(budget), k, threshold, above, int(np.count_nonzero(s == threshold)))


def key_time_to_detect(key: OrderKey, ranking: Ranking | Cut | None, scores: np.ndarray,
                       scored_at: np.ndarray, *, timezone: Any = None,
                       campaigns: pd.DataFrame | None = None,
                       budget: float = REVIEW_BUDGET) -> dict[str, Any]:
    """:func:`time_to_detect` of an answer key in columns (the harness's form).

    Parameters
    ----------
    key : OrderKey
        The answer key, with the brushing orders' creation times (``key.created``).
    ranking : Ranking or Cut
        The orders' scores sorted (``Ranking.of_rows(scores, key.positive_rows)``: the order
        metrics' one sort), or directly the cut of the alert budget, for the alert rule.
    scores : array of float64, shape (key.n,)
        The orders' scores.
    scored_at : array of int64, shape (P,)
        When each brushing order's score was known (epoch seconds), in the order of
        ``key.positive_rows``.
    timezone : str or tzinfo, optional
        The clock of the ISO 8601 times (UTC when None).

    The other parameters and the result are :func:`time_to_detect`'s.
    """
    assert key.created is not None, "the key has no creation times"
    # Campaign and pattern are codes of the brushing orders only: as Python objects for every
    # order they would cost 16 bytes an order (1.6 GB at 100M orders) for a few percent of them.
    named = key.campaign >= 0
    codes = key.campaign[named]
    ids = key.campaign_ids
    m = len(ids)
    pattern_codes = key.pattern[named]
    created = key.created[named]
    when = np.asarray(scored_at, dtype=np.int64)[named]

    first_order = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_order, codes, created)
    alert = _alerts(ranking, scores[key.positive_rows[named]], budget)
    first_alert = np.full(m, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_alert, codes[alert], when[alert])
    alerted = first_alert < np.iinfo(np.int64).max
    seconds = np.where(alerted, (first_alert - first_order).astype(np.float64), np.inf)
    n_orders = np.bincount(codes, minlength=m)
    names = [None if i == key.pattern_missing else name
             for i, name in enumerate(key.pattern_names)]
    pattern_of = np.empty(m, dtype=object)
    pattern_of[codes] = np.array([*names, None], dtype=object)[pattern_codes]

    def iso(t: int) -> str:
        text: str = (pd.Timestamp(int(t), unit="s", tz="UTC").tz_convert(timezone or "UTC")
                     .isoformat())
        return text

    per_campaign: dict[str, Any] = {}
    for i, cid in enumerate(ids):
        per_campaign[str(cid)] = {
            "pattern": None if pd.isna(pattern_of[i]) else str(pattern_of[i]),
            "n_orders": int(n_orders[i]),
            "first_order_at": iso(first_order[i]),
            "first_alert_at": iso(first_alert[i]) if alerted[i] else undefined(NEVER),
            "seconds": number(seconds[i]) if alerted[i] else undefined(NEVER)}

    patterns = {str(p) for p in pattern_of if not pd.isna(p)}
    if campaigns is not None and "pattern" in campaigns:
        patterns |= {str(p) for p in campaigns["pattern"].dropna()}
    per_pattern = {}
    for name in sorted(patterns):
        mine = np.array([p == name for p in pattern_of], dtype=bool)
        per_pattern[name] = _group(seconds[mine], "no campaign of this pattern has orders here")
    return {"alert_budget": budget_label(budget),
            **_group(seconds, "no campaign has orders here"),
            "per_pattern": per_pattern, "per_campaign": per_campaign}


def _alerts(ranking: Ranking | Cut | None, scores: np.ndarray, budget: float) -> np.ndarray:
    """Which of ``scores`` (some of the ranking's) are alerts: :func:`alerts_at_budget`'s rule,
    the cut read from the ranking's sort (or given)."""
    cut = ranking.cut(budget) if isinstance(ranking, Ranking) else ranking
    if cut is None:
        return np.zeros(len(scores), dtype=bool)
    alert: np.ndarray = scores > cut.threshold
    if cut.above + cut.tied <= cut.k:
        alert |= scores == cut.threshold
    return alert


def _group(seconds: np.ndarray, none: str) -> dict[str, Any]:
    """Counts and the median of a group of campaigns (never alerted = infinitely late)."""
    total = len(seconds)
    detected = int(np.isfinite(seconds).sum())
    out: dict[str, Any] = {"n_campaigns": total, "n_alerted": detected}
    if total == 0:
        out["median_seconds"] = undefined(none)
        return out
    median = float(np.median(seconds))  # inf when half or more never alerted
    out["median_seconds"] = number(median) if math.isfinite(median) else undefined(
        f"half or more of the campaigns never alerted ({total - detected} of {total})")
    return out
