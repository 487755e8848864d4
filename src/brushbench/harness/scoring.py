"""Scoring a run in the parent process: what is not the metrics' own job.

:func:`stream_results` adds the ``stream`` section of a streaming run (batches, latency, time
to detect each campaign); :func:`score_data` and :func:`stream_data` score a run on given data
(``brushbench eval --data``), whose answer key may define only part of the metrics: the rest
is undefined with the reason, never 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..metrics import score_orders, undefined
from ..metrics.streaming import time_to_detect
from ..runtime.streaming import Schedule, epoch_seconds
from .answer_key import ScoringData

#: What scoring reads: a whole dataset, or only its orders' ids and times and its answer key.
TestData = Dataset | ScoringData

__all__ = ["ORDER_SECTIONS", "RESULT_KEYS", "score_data", "stream_data", "stream_results",
           "stream_summary_part"]

#: The keys of ``RunRecord.stream`` a results file keeps (``batch_seconds`` and ``start`` only
#: serve to rebuild the schedule).
RESULT_KEYS = ("batch", "batches", "empty_batches", "latency_p50_seconds",
               "latency_p99_seconds", "latency_max_seconds")
#: Sections of :func:`~brushbench.metrics.score_orders` that need order-level truth.
ORDER_SECTIONS = ("orders", "per_pattern", "per_camouflage", "false_alarms", "campaigns",
                  "predictions")


def stream_results(info: dict[str, Any], test: TestData, scores: np.ndarray) -> dict[str, Any]:
    """The ``stream`` section of a run in a results file.

    Parameters
    ----------
    info : dict
        ``RunRecord.stream`` of an ``ok`` streaming run.
    test : Dataset or ScoringData
        The test dataset, with its answer key (:func:`~brushbench.harness.answer_key.
        read_scoring_data` reads only what is needed).
    scores : numpy.ndarray
        The run's scores, aligned with ``test.orders``.

    Returns
    -------
    dict
        The keys of :data:`RESULT_KEYS` and ``time_to_detect``
        (:func:`brushbench.metrics.streaming.time_to_detect`, alerts counted at the end of the
        batch that scored each order).
    """
    schedule = Schedule(int(info["start"]), int(info["batch_seconds"]), int(info["batches"]))
    orders = test.orders
    scored_at = schedule.scored_at(epoch_seconds(orders["created_at"]))
    section = {key: info.get(key) for key in RESULT_KEYS}
    section["time_to_detect"] = time_to_detect(test.labels, scores, orders=orders,
                                               scored_at=scored_at, campaigns=test.campaigns)
    return section


def stream_summary_part(section: dict[str, Any]) -> dict[str, Any]:
    """``section`` without the per-campaign details (campaigns differ from seed to seed), for
    the mean and spread over seeds."""
    ttd = {k: v for k, v in section.get("time_to_detect", {}).items() if k != "per_campaign"}
    return {**section, "time_to_detect": ttd}


def score_data(test: TestData, record: Any) -> dict[str, Any]:
    """Metrics of an ok run on a given dataset: what its answer key defines, the rest undefined
    with the reason (never 0).

    With order labels for every order, :func:`~brushbench.metrics.score_orders` as usual. With
    entity labels only (or orders without a label), the buyer and shop sections are scored and
    the order sections are undefined, saying why. Without an answer key everything but the
    counts is undefined.
    """
    orders = test.orders
    kwargs = {"orders": orders, "buyer_scores": record.buyer_scores,
              "shop_scores": record.shop_scores, "predictions": record.predictions}
    dummy = pd.DataFrame({"order_id": orders["order_id"].to_numpy(),
                          "is_brushing": np.zeros(len(orders), dtype=bool)})
    if not test.has_answer_key:
        result = score_orders(dummy, record.scores, **kwargs)
        return _undefine(result, "the data has no labels (give --labels)")
    labels = test.labels
    external = bool(test.manifest.get("external"))
    campaigns = test.campaigns if not external or len(test.campaigns) else None
    unknown = int(labels["is_brushing"].isna().sum()) if "is_brushing" in labels else len(orders)
    if unknown == 0 and len(labels) == len(orders):
        return score_orders(labels.astype({"is_brushing": bool}), record.scores,
                            entity_labels=test.entity_labels, campaigns=campaigns, **kwargs)
    reason = ((test.manifest.get("labels") or {}).get("order_truth")
              or f"{unknown:,} orders have no order-level label")
    result = score_orders(dummy, record.scores, entity_labels=test.entity_labels, **kwargs)
    for section in ORDER_SECTIONS:
        result[section] = _undefine(result[section], reason)
    return result


def stream_data(info: dict[str, Any], test: TestData, scores: np.ndarray) -> dict[str, Any]:
    """The ``stream`` section of an ok streaming run on a given dataset: batches and latency,
    and the time to detect each campaign when the answer key has order truth for every order
    (else undefined, with the reason)."""
    reason = None
    if not test.has_answer_key:
        reason = "the data has no labels (give --labels)"
    elif test.labels["is_brushing"].isna().any():
        reason = ((test.manifest.get("labels") or {}).get("order_truth")
                  or "some orders have no order-level label")
    if reason is None:
        return stream_results(info, test, scores)
    return {**{key: info.get(key) for key in RESULT_KEYS}, "time_to_detect": undefined(reason)}


def _undefine(tree: Any, reason: str, keep: tuple[str, ...] = ("n_orders", "source")) -> Any:
    if isinstance(tree, dict):
        if "reason" in tree and tree.get("value", 0) is None:
            return {"value": None, "reason": reason}
        return {k: v if k in keep else _undefine(v, reason, keep) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_undefine(v, reason, keep) for v in tree]
    if isinstance(tree, int | float) and not isinstance(tree, bool):
        return {"value": None, "reason": reason}
    return tree
