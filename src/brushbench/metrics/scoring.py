"""``score_orders``: a detector's output on one dataset against its answer key, as a dict."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from ..dataset.tables import LEGIT_KINDS
from .breakdown import (
    UNSPECIFIED,
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
from .key import (
    BLOCK_ROWS,
    OrderKey,
    SeenEntities,
    count_codes,
    order_key,
    per_order,
    seen_entities,
)
from .ranking import Cut, Ranking
from .values import budget_fraction, budget_label, number, ratio, undefined

__all__ = ["DEFAULT_BUDGETS", "REVIEW_BUDGET", "as_alerts", "score_key", "score_orders"]

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
    s = np.asarray(per_order(scores, orders, "scores"), dtype=np.float64)
    key = order_key(labels, orders)
    cuts = _cuts(budgets)
    pred = None if predictions is None else _predictions(predictions, orders)
    for section, column in (("buyers", "buyer_id"), ("shops", "shop_id")):
        if entity_labels is not None and column not in orders:
            raise ValueError(f"orders has no {column} column: the {section} section needs it")

    pool = (ThreadPoolExecutor(max_workers=2, thread_name_prefix="brushbench-metrics")
            if entity_labels is not None and n >= PARALLEL_MIN_ORDERS else None)
    try:
        # Each entity section factorises its ids on its own worker, beside the order metrics.
        seen: dict[str, Callable[[], SeenEntities]] | None = None if entity_labels is None else {
            section: partial(seen_entities, orders[column], s)
            for section, column in (("buyers", "buyer_id"), ("shops", "shop_id"))}
        return score_key(key, s, seen=seen, entity_labels=entity_labels, campaigns=campaigns,
                         buyer_scores=buyer_scores, shop_scores=shop_scores, predictions=pred,
                         budgets=cuts, review_budget=review_budget, curves=curves, _pool=pool)
    finally:
        if pool is not None:
            pool.shutdown()


def score_key(key: OrderKey, scores: np.ndarray, *,
              seen: Mapping[str, SeenEntities | Callable[[], SeenEntities]] | None,
              entity_labels: pd.DataFrame | None = None,
              campaigns: pd.DataFrame | None = None, buyer_scores: pd.Series | None = None,
              shop_scores: pd.Series | None = None, predictions: np.ndarray | None = None,
              budgets: Sequence[float] = DEFAULT_BUDGETS,
              review_budget: float = REVIEW_BUDGET, curves: bool = False,
              _pool: ThreadPoolExecutor | None = None) -> dict[str, Any]:
    """:func:`score_orders` of an answer key already in columns (the harness's form).

    Parameters
    ----------
    key : OrderKey
        The answer key of the orders scored (:func:`brushbench.metrics.key.order_key`).
    scores : array of float64, shape (key.n,)
        One score per order, in the key's row order.
    seen : dict, optional
        ``{"buyers": SeenEntities, "shops": SeenEntities}``: the entities of the orders and
        their best order score; None without ``entity_labels``.
    predictions : array of bool, shape (key.n,), optional
        The detector's own alerts.
    The other parameters and the result are :func:`score_orders`'.
    """
    return _score_key(key, scores, seen=seen, entity_labels=entity_labels, campaigns=campaigns,
                      buyer_scores=buyer_scores, shop_scores=shop_scores,
                      predictions=predictions, budgets=budgets, review_budget=review_budget,
                      curves=curves, pool=_pool)[0]


def _score_key(key: OrderKey, s: np.ndarray, *,
               seen: Mapping[str, SeenEntities | Callable[[], SeenEntities]] | None,
               entity_labels: pd.DataFrame | None, campaigns: pd.DataFrame | None,
               buyer_scores: pd.Series | None, shop_scores: pd.Series | None,
               predictions: np.ndarray | None, budgets: Sequence[float],
               review_budget: float, curves: bool, pool: ThreadPoolExecutor | None
               ) -> tuple[dict[str, Any], Ranking]:
    """:func:`score_key`, and the ranking of the orders (for the time to detect)."""
    cuts = _cuts(budgets)
    run = pool.submit if pool is not None else _now
    futures = {}
    if entity_labels is not None:
        assert seen is not None
        for section, etype, roles, given in (
                ("buyers", "account", BUYER_ROLES, buyer_scores),
                ("shops", "shop", SHOP_ROLES, shop_scores)):
            positive = positive_entities(entity_labels, etype, roles)
            futures[section] = run(_entity_section, seen[section], given, positive, section)
    # Without workers the entity sections are done before the orders are sorted, so that
    # their memory and the sorted copy of the scores are not held at once.
    ranking = Ranking.of_rows(s, key.positive_rows)
    result = _order_sections(key, s, ranking, cuts, review_budget, campaigns, curves)
    for section, given in (("buyers", buyer_scores), ("shops", shop_scores)):
        result[section] = (futures[section].result() if section in futures else not_given(
            FROM_DETECTOR if given is not None else FROM_ORDERS, "entity_labels not given"))
    result["predictions"] = _prediction_section(predictions, key)
    return result, ranking


# -- the order-level sections ----------------------------------------------------------------------

def _order_sections(key: OrderKey, s: np.ndarray, ranking: Ranking, budgets: list[float],
                    review_budget: float, campaigns: pd.DataFrame | None,
                    curves: bool = False) -> dict[str, Any]:
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

    pos = key.positives(s)
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
        "false_alarms": _false_alarms(key, s, review),
        "campaigns": campaigns_caught(review, pos, patterns_sorted, without_orders),
    }
    if curves:
        sections["curves"] = {"orders_pr": pr_curve_section(ranking)}
    return sections


def _false_alarms(key: OrderKey, s: np.ndarray, cut: Cut) -> dict[str, Any]:
    """Legitimate orders of each kind, and how many of them fall inside the review budget.

    The orders above the cut and those tied at it are counted per kind a block of rows at a
    time (:func:`~brushbench.metrics.key.count_codes`): a one-byte code an order, and no
    per-order mask or widened copy of the whole log.
    """
    m = len(key.kind_names)
    totals = key.kind_counts()
    t = cut.threshold
    above = np.zeros(m, dtype=np.int64)
    tied = np.zeros(m, dtype=np.int64)
    for start in range(0, key.n, BLOCK_ROWS):
        block = slice(start, start + BLOCK_ROWS)
        codes, scores = key.kind[block], s[block]
        above += count_codes(codes, m, scores > t)
        tied += count_codes(codes, m, scores == t)
    flagged = above + cut.share * tied
    # The kinds by falling number of label rows (brushing ones included), missing kind last
    # among equals: the order in which the sum of the kinds' expected false alarms ("all")
    # has always been added up, so that it keeps its last bit when ties straddle the cut.
    base = sorted(range(m), key=lambda i: key.kind_names[i] == UNSPECIFIED)
    rows = key.kind_rows if key.kind_rows is not None else totals
    order = sorted(base, key=lambda i: -int(rows[i]))
    total = {key.kind_names[i]: int(totals[i]) for i in order}
    flag = {key.kind_names[i]: float(flagged[i]) for i in order}
    others = sorted(k for k, v in total.items() if v and k not in LEGIT_KINDS and k != UNSPECIFIED)
    kinds = [*LEGIT_KINDS, *others] + ([UNSPECIFIED] if total.get(UNSPECIFIED) else [])
    return false_alarms(cut, total, flag, kinds)


# -- entities and predictions ----------------------------------------------------------------------

def _entity_section(seen: SeenEntities | Callable[[], SeenEntities], given: pd.Series | None,
                    positive: np.ndarray, plural: str) -> dict[str, Any]:
    entities = seen if isinstance(seen, SeenEntities) else seen()
    return entity_metrics(entity_scores(entities, given=given), positive, plural)


def _prediction_section(pred: np.ndarray | None, key: OrderKey) -> dict[str, Any]:
    if pred is None:
        u = undefined("no predictions given")
        return {"n_alerts": u, "true_alerts": u, "precision": u, "recall": u, "f1": u}
    alerts = int(np.count_nonzero(pred))
    tp = int(np.count_nonzero(pred[key.positive_rows]))
    positives = key.n_positive
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


def _predictions(values: np.ndarray | pd.Series, orders: pd.DataFrame) -> np.ndarray:
    return as_alerts(per_order(values, orders, "predictions"))


def as_alerts(values: np.ndarray) -> np.ndarray:
    """The detector's 0/1 or bool alerts as a bool array; ValueError for anything else."""
    arr = np.asarray(values)
    if arr.dtype != bool:
        if not ((arr == 0) | (arr == 1)).all():
            raise ValueError("predictions must be 0/1 or bool (the detector's alert decision)")
        arr = arr == 1
    return arr
