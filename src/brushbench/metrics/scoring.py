"""``score_orders``: a detector's output on one dataset against its answer key, as a dict."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from ..dataset.tables import LEGIT_KINDS
from .breakdown import (
    UNSPECIFIED,
    Positives,
    campaigns_caught,
    false_alarms,
    per_camouflage,
    per_pattern,
)
from .curves import pr_curve_section
from .entities import (
    BUYER_ROLES,
    FROM_DETECTOR,
    FROM_ORDERS,
    SHOP_ROLES,
    entity_metrics,
    entity_scores,
    not_given,
    positive_entities,
)
from .ranking import Cut, Ranking
from .values import budget_fraction, budget_label, number, ratio, undefined

__all__ = ["DEFAULT_BUDGETS", "REVIEW_BUDGET", "score_orders"]

#: Shares of the orders a review team can look at.
DEFAULT_BUDGETS = (0.005, 0.01, 0.05)
#: The budget of the breakdowns (false alarms per kind, camouflage, campaigns caught).
REVIEW_BUDGET = 0.01
#: The false-alarm rate of ``recall_at_1pct_fpr``.
FPR = 0.01
#: From this many orders on, the buyer and shop sections run on worker threads beside the order
#: metrics (all spend their time in numpy and pandas code that releases the GIL).
PARALLEL_MIN_ORDERS = 500_000


def score_orders(labels: pd.DataFrame, scores: np.ndarray | pd.Series, *,
                 orders: pd.DataFrame, entity_labels: pd.DataFrame | None = None,
                 campaigns: pd.DataFrame | None = None, buyer_scores: pd.Series | None = None,
                 shop_scores: pd.Series | None = None,
                 predictions: np.ndarray | pd.Series | None = None,
                 budgets: Sequence[float] = DEFAULT_BUDGETS,
                 review_budget: float = REVIEW_BUDGET, curves: bool = False) -> dict[str, Any]:
    """Score a detector's output on one dataset against its answer key.

    Higher score = more suspicious. See ``docs/metrics.md`` for every metric.

    Parameters
    ----------
    labels : DataFrame
        The answer key of ``orders``, one row per order (any row order; matched on
        ``order_id``): ``order_id, is_brushing`` and, when known, ``pattern, campaign_id,
        legit_kind`` (missing columns count as empty).
    scores : array or Series of float, shape (n,)
        One score per row of ``orders``, in the same order (the caller aligns them). A Series
        must be indexed by position, by ``orders.index`` or by ``orders.order_id`` in row order.
    orders : DataFrame
        The orders scored: ``order_id``, and ``buyer_id``, ``shop_id`` for the entity sections.
    entity_labels : DataFrame, optional
        ``entity_type, entity_id, role, campaign_id``; without it the ``buyers`` and ``shops``
        sections are undefined.
    campaigns : DataFrame, optional
        ``campaign_id, pattern, camouflage``; without it ``per_camouflage`` is undefined.
    buyer_scores, shop_scores : Series, optional
        The detector's own entity scores, indexed by ``buyer_id`` / ``shop_id``. Without them an
        entity scores the maximum of its orders' scores.
    predictions : array or Series of 0/1 or bool, shape (n,), optional
        The detector's own alert decision per order (aligned like ``scores``).
    budgets : sequence of float
        Shares of the orders the review team looks at (the top ``ceil(b * n)``).
    review_budget : float
        The budget of the breakdowns (false alarms, camouflage levels, campaigns caught).
    curves : bool
        Also return the order-level PR curve (:mod:`brushbench.metrics.curves`), from the same
        sort, as a top-level ``curves`` section ``{"orders_pr": {"recall": [...],
        "precision": [...]}}``. It holds lists, not metrics: the harness moves it out of the
        metrics into the run's own ``curves`` key before aggregating or comparing.

    Returns
    -------
    dict
        JSON-able: sections ``orders, per_pattern, per_camouflage, false_alarms, campaigns,
        buyers, shops, predictions`` (and ``curves`` when asked). A leaf is a finite number, a
        short string (``source``), or ``{"value": None, "reason": ...}`` when the metric is
        undefined.

    Raises
    ------
    ValueError
        When ``scores``, ``predictions`` or ``labels`` do not have one entry per order, a Series'
        index does not match the orders, an order has no label, there is no order at all, or a
        budget is outside (0, 1].
    """
    n = len(orders)
    if n == 0:
        raise ValueError("there are no orders to score")
    s = np.asarray(_per_order(scores, orders, "scores"), dtype=np.float64)
    rows = _label_rows(labels, orders)
    y = _column(labels, "is_brushing", rows)
    y = np.asarray(y, dtype=bool) if y is not None else _missing("is_brushing")
    cuts = _cuts(budgets)
    pred = None if predictions is None else _predictions(predictions, orders)

    pool = (ThreadPoolExecutor(max_workers=2, thread_name_prefix="brushbench-metrics")
            if entity_labels is not None and n >= PARALLEL_MIN_ORDERS else None)
    try:
        run = pool.submit if pool is not None else _now
        futures = {}
        if entity_labels is not None:
            for section, column, etype, roles, given in (
                    ("buyers", "buyer_id", "account", BUYER_ROLES, buyer_scores),
                    ("shops", "shop_id", "shop", SHOP_ROLES, shop_scores)):
                if column not in orders:
                    raise ValueError(f"orders has no {column} column: the {section} section "
                                     "needs it")
                positive = positive_entities(entity_labels, etype, roles)
                futures[section] = run(_entity_section, orders[column], s, given, positive,
                                       section)
        result = _order_sections(labels, rows, s, y, cuts, review_budget, campaigns, curves)
        for section, given in (("buyers", buyer_scores), ("shops", shop_scores)):
            result[section] = (futures[section].result() if section in futures else not_given(
                FROM_DETECTOR if given is not None else FROM_ORDERS, "entity_labels not given"))
    finally:
        if pool is not None:
            pool.shutdown()
    result["predictions"] = _prediction_section(pred, y)
    return result


# -- the order-level sections ----------------------------------------------------------------------

def _order_sections(labels: pd.DataFrame, rows: np.ndarray | None, s: np.ndarray, y: np.ndarray,
                    budgets: list[float], review_budget: float,
                    campaigns: pd.DataFrame | None, curves: bool = False) -> dict[str, Any]:
    ranking = Ranking(s, y)
    cuts = [c for c in (ranking.cut(b) for b in budgets) if c is not None]
    review = ranking.cut(review_budget)
    assert review is not None
    P = ranking.n_positive
    no_pos, no_neg = "no positive orders", "no legitimate orders"

    orders: dict[str, Any] = {"n_orders": ranking.n, "n_positive": P,
                              "base_rate": number(P / ranking.n)}
    ap = ranking.average_precision()
    orders["average_precision"] = ap if ap is not None else undefined(no_pos)
    auc = ranking.roc_auc()
    orders["roc_auc"] = auc if auc is not None else undefined(no_pos if P == 0 else no_neg)
    for cut in cuts:
        tp = ranking.true_alerts(cut)
        label = budget_label(cut.budget)
        orders[f"precision_at_{label}"] = number(tp / cut.k)
        orders[f"recall_at_{label}"] = ratio(tp, P, no_pos)
    fpr = ranking.recall_at_fpr(FPR)
    orders[f"recall_at_{budget_label(FPR)}_fpr"] = (
        fpr if fpr is not None else undefined(no_pos if P == 0 else no_neg))

    pos_rows = np.flatnonzero(y)
    pos = _positives(labels, rows, pos_rows, s)
    patterns = set(pos.pattern_names)
    levels: list[float] = []
    without_orders = None
    camp_level = np.full(len(pos.campaign_ids), np.nan)
    if campaigns is not None:
        table = pd.Index(campaigns["campaign_id"])
        if not table.is_unique:
            raise ValueError("campaigns.campaign_id has duplicates")
        where = table.get_indexer(pos.campaign_ids)
        if (where < 0).any():
            missing = pos.campaign_ids[int(np.flatnonzero(where < 0)[0])]
            raise ValueError(f"labels name campaign {missing!r}, which is not in campaigns")
        if "pattern" in campaigns:
            patterns |= set(campaigns["pattern"].dropna())
        if "camouflage" in campaigns:
            level = np.asarray(campaigns["camouflage"].to_numpy(dtype=np.float64,
                                                                 na_value=np.nan))
            camp_level = level[where]
            levels = [float(v) for v in level]
        without_orders = len(table) - len(where)
    patterns_sorted = sorted(patterns)

    camouflage: Any
    if campaigns is None:
        camouflage = undefined("campaigns not given")
    elif "camouflage" not in campaigns:
        camouflage = undefined("campaigns has no camouflage column")
    else:
        camouflage = per_camouflage(review, pos, camp_level, levels)
    sections = {
        "orders": orders,
        "per_pattern": per_pattern(ranking, cuts, pos, patterns_sorted),
        "per_camouflage": camouflage,
        "false_alarms": _false_alarms(labels, rows, s, y, pos_rows, review),
        "campaigns": campaigns_caught(review, pos, patterns_sorted, without_orders),
    }
    if curves:
        sections["curves"] = {"orders_pr": pr_curve_section(ranking)}
    return sections


def _positives(labels: pd.DataFrame, rows: np.ndarray | None, pos_rows: np.ndarray,
               s: np.ndarray) -> Positives:
    """The positive orders' scores, pattern codes and campaign codes (P-sized work only)."""
    lrows = pos_rows if rows is None else rows[pos_rows]
    pattern = _column(labels, "pattern", lrows)
    if pattern is None:
        pcodes, pnames = np.zeros(len(lrows), dtype=np.int64), [UNSPECIFIED] if len(lrows) else []
    else:
        pcodes, uniques = pd.factorize(pattern)
        pnames = [str(v) for v in uniques]
        if (pcodes < 0).any():
            pcodes = np.where(pcodes < 0, len(pnames), pcodes)
            pnames.append(UNSPECIFIED)
    campaign = _column(labels, "campaign_id", lrows)
    if campaign is None:
        ccodes, cids = np.full(len(lrows), -1, dtype=np.int64), []
    else:
        ccodes, uniques = pd.factorize(campaign)
        cids = [str(v) for v in uniques]
    return Positives(s[pos_rows], np.asarray(pcodes, dtype=np.int64), pnames,
                     np.asarray(ccodes, dtype=np.int64), cids)


def _false_alarms(labels: pd.DataFrame, rows: np.ndarray | None, s: np.ndarray, y: np.ndarray,
                  pos_rows: np.ndarray, cut: Cut) -> dict[str, Any]:
    """Legitimate orders of each kind, and how many of them fall inside the review budget.

    Only the legitimate orders above the cut and those tied at it are looked up, unless most
    orders tie at the cut (a near-constant score): then the tied ones are the totals minus the
    orders above and below, which are fewer.
    """
    kind = labels["legit_kind"] if "legit_kind" in labels else None

    def kinds_of(order_rows: np.ndarray) -> dict[str, int]:
        """How many of the legitimate orders among ``order_rows`` are of each kind."""
        order_rows = order_rows[~y[order_rows]]
        if kind is None:
            return {UNSPECIFIED: len(order_rows)}
        return _counts(kind.iloc[order_rows if rows is None else rows[order_rows]]
                       .value_counts(dropna=False))

    if kind is None:
        totals = {UNSPECIFIED: len(s) - len(pos_rows)}
    else:
        totals = _counts(kind.value_counts(dropna=False))
        # Only legitimate orders count: take away the kinds (usually empty) of brushing orders.
        lpos = pos_rows if rows is None else rows[pos_rows]
        for name, c in _counts(kind.iloc[lpos].value_counts(dropna=False)).items():
            totals[name] -= c
    t = cut.threshold
    above = kinds_of(np.flatnonzero(s > t))
    below_count = len(s) - cut.above - cut.tied
    if cut.tied <= below_count:
        tied = kinds_of(np.flatnonzero(s == t))
    else:
        below = kinds_of(np.flatnonzero(s < t))
        tied = {k: totals[k] - above.get(k, 0) - below.get(k, 0) for k in totals}
    flagged = {k: above.get(k, 0) + cut.share * tied.get(k, 0) for k in totals}
    others = sorted(k for k, v in totals.items() if v and k not in LEGIT_KINDS and k != UNSPECIFIED)
    kinds = [*LEGIT_KINDS, *others] + ([UNSPECIFIED] if totals.get(UNSPECIFIED) else [])
    return false_alarms(cut, totals, flagged, kinds)


def _counts(vc: pd.Series) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, c in vc.items():
        name = UNSPECIFIED if pd.isna(key) else str(key)
        out[name] = out.get(name, 0) + int(c)
    return out


# -- entities and predictions ----------------------------------------------------------------------

def _entity_section(ids: pd.Series, s: np.ndarray, given: pd.Series | None,
                    positive: np.ndarray, plural: str) -> dict[str, Any]:
    return entity_metrics(entity_scores(ids, s, given), positive, plural)


def _prediction_section(pred: np.ndarray | None, y: np.ndarray) -> dict[str, Any]:
    if pred is None:
        u = undefined("no predictions given")
        return {"n_alerts": u, "true_alerts": u, "precision": u, "recall": u, "f1": u}
    alerts = int(np.count_nonzero(pred))
    tp = int(np.count_nonzero(pred & y))
    positives = int(np.count_nonzero(y))
    fp, fn = alerts - tp, positives - tp
    return {"n_alerts": alerts, "true_alerts": tp,
            "precision": ratio(tp, alerts, "no alerts"),
            "recall": ratio(tp, positives, "no positive orders"),
            "f1": ratio(2 * tp, 2 * tp + fp + fn, "no alerts and no positive orders")}


# -- inputs ----------------------------------------------------------------------------------------

class _Done:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


def _now(fn: Callable[..., Any], *args: Any) -> Future[Any] | _Done:
    return _Done(fn(*args))


def _missing(name: str) -> np.ndarray:
    raise ValueError(f"labels has no {name} column")


def _cuts(budgets: Sequence[float]) -> list[float]:
    """The budgets, checked, in increasing order, each once."""
    seen: dict[str, float] = {}
    for b in budgets:
        budget_fraction(b)
        label = budget_label(b)
        if label in seen and seen[label] != float(b):
            raise ValueError(f"budgets {seen[label]} and {b} share the key {label}")
        seen[label] = float(b)
    return sorted(seen.values())


def _per_order(values: np.ndarray | pd.Series, orders: pd.DataFrame, name: str) -> np.ndarray:
    """``values`` as an array aligned with the rows of ``orders``; ValueError when it cannot be."""
    n = len(orders)
    if np.ndim(values) != 1 or len(values) != n:
        raise ValueError(f"{name} has shape {np.shape(values)}: expected one value per row of "
                         f"orders, shape ({n},)")
    if isinstance(values, pd.Series):
        idx = values.index
        if not (idx.equals(pd.RangeIndex(n)) or idx.equals(orders.index)
                or np.array_equal(idx.to_numpy(), orders["order_id"].to_numpy())):
            raise ValueError(f"{name} is a Series whose index is neither positional, "
                             "orders.index nor orders.order_id in row order: align it to the "
                             "rows of orders first")
        aligned: np.ndarray = values.to_numpy()
        return aligned
    return np.asarray(values)


def _predictions(values: np.ndarray | pd.Series, orders: pd.DataFrame) -> np.ndarray:
    arr = _per_order(values, orders, "predictions")
    if arr.dtype != bool:
        arr = np.asarray(arr)
        if not ((arr == 0) | (arr == 1)).all():
            raise ValueError("predictions must be 0/1 or bool (the detector's alert decision)")
        arr = arr == 1
    return arr


def _label_rows(labels: pd.DataFrame, orders: pd.DataFrame) -> np.ndarray | None:
    """The label row of each order (None when labels are already in the orders' row order)."""
    if len(labels) != len(orders):
        raise ValueError(f"labels has {len(labels)} rows and orders {len(orders)}: the answer "
                         "key must cover exactly the orders scored")
    for name, df in (("labels", labels), ("orders", orders)):
        if "order_id" not in df:
            raise ValueError(f"{name} has no order_id column")
    lid, oid = labels["order_id"].to_numpy(), orders["order_id"].to_numpy()
    if np.array_equal(lid, oid):
        return None
    index = pd.Index(lid)
    if not index.is_unique:
        raise ValueError("labels.order_id has duplicates")
    rows: np.ndarray = index.get_indexer(oid)
    if (rows < 0).any():
        missing = np.flatnonzero(rows < 0)
        raise ValueError(f"{len(missing)} orders have no label (first: order_id "
                         f"{oid[missing[0]]})")
    return rows


def _column(labels: pd.DataFrame, name: str, rows: np.ndarray | None) -> Any:
    """Column ``name`` of ``labels`` at label rows ``rows`` (all, in order, for None)."""
    if name not in labels:
        return None
    col = labels[name]
    if rows is None:
        return col.to_numpy() if name == "is_brushing" else col
    return col.iloc[rows].to_numpy() if name == "is_brushing" else col.iloc[rows]
