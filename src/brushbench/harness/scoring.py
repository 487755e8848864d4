"""Scoring a run in the parent process: what is not the metrics' own job.

:func:`score_run` is what ``eval`` calls: the run's metrics and ``stream`` section from the
test dataset's folder, read part by part as compact columns
(:func:`~brushbench.harness.answer_key.read_answer_columns`), one sort of the scores shared by
every metric; the frames below serve labels that must be joined on ``order_id``.
:func:`stream_results` adds the ``stream`` section of a streaming run (batches, latency, time
to detect each campaign); :func:`score_data` and :func:`stream_data` score a run on given data
(``brushbench eval --data``), whose answer key may define only part of the metrics: the rest
is undefined with the reason, never 0.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..metrics import score_orders, undefined
from ..metrics.breakdown import UNSPECIFIED
from ..metrics.key import build_key
from ..metrics.scoring import DEFAULT_BUDGETS, REVIEW_BUDGET, _score_key, as_alerts, score_key
from ..metrics.streaming import key_time_to_detect, time_to_detect
from ..runtime.streaming import Schedule, epoch_seconds
from .answer_key import AnswerColumns, ScoringData, read_answer_columns, read_scoring_data

#: What scoring reads: a whole dataset, or only its orders' ids and times and its answer key.
TestData = Dataset | ScoringData

__all__ = ["ORDER_SECTIONS", "RESULT_KEYS", "score_columns", "score_data", "score_run",
           "stream_data", "stream_results", "stream_summary_part"]

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


def score_run(folder: str | os.PathLike[str], record: Any,
              manifest: dict[str, Any] | None = None, *, curves: bool = False
              ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The metrics and the ``stream`` section (None for a batch run) of an ok run.

    Parameters
    ----------
    folder : path
        The test dataset's folder, checked.
    record : RunRecord
        The run (its ``scores``, ``predictions``, entity scores and ``stream``).
    manifest : dict, optional
        The manifest recorded before the run (read from the folder when not given).
    curves : bool
        Also return the PR curve in the metrics (``score_orders(..., curves=True)``).
    """
    scores = np.asarray(record.scores, dtype=np.float64)
    test = read_answer_columns(folder, scores, manifest)
    if test is None:
        # Labels in another row order than the orders: joined on order_id, in pandas.
        frames = read_scoring_data(folder, manifest)
        return (score_data(frames, record, curves=curves),
                None if record.stream is None else stream_data(record.stream, frames, scores))
    return score_columns(test, record, curves=curves)


def score_columns(test: AnswerColumns, record: Any, *, curves: bool = False
                  ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """:func:`score_run` of a dataset already read: what :func:`score_data` and
    :func:`stream_data` give on its frames, from one sort of the scores."""
    s = np.asarray(record.scores, dtype=np.float64)
    n = test.n_orders
    if len(s) != n:
        raise ValueError(f"scores has shape {s.shape}: expected one value per order, ({n},)")
    predictions = None
    if record.predictions is not None:
        if np.shape(record.predictions) != (n,):
            raise ValueError(f"predictions has shape {np.shape(record.predictions)}: expected "
                             f"one value per order, ({n},)")
        predictions = as_alerts(record.predictions)
    given = {"buyer_scores": record.buyer_scores, "shop_scores": record.shop_scores,
             "predictions": predictions, "curves": curves}
    truth = (test.manifest.get("labels") or {}).get("order_truth")
    reason = stream_reason = None
    if not test.has_answer_key:
        reason = stream_reason = "the data has no labels (give --labels)"
    elif test.n_unknown:
        reason = truth or f"{test.n_unknown:,} orders have no order-level label"
        stream_reason = truth or "some orders have no order-level label"
    elif test.key is None:
        reason = stream_reason = truth or (f"labels has {test.n_label_rows:,} rows for "
                                           f"{n:,} orders")
    if reason is not None:
        dummy = build_key(n, np.zeros(n, dtype=np.int8), [UNSPECIFIED],
                          np.zeros(0, dtype=np.int64), None, None)
        entity_labels = test.entity_labels if test.has_answer_key else None
        result = _without_truth(score_key(dummy, s, seen=test.seen,
                                          entity_labels=entity_labels, **given),
                                reason, everything=not test.has_answer_key)
        stream = None
        if record.stream is not None:
            stream = {**{k: record.stream.get(k) for k in RESULT_KEYS},
                      "time_to_detect": undefined(str(stream_reason))}
        return result, stream
    key = test.key
    assert key is not None
    external = bool(test.manifest.get("external"))
    campaigns = test.campaigns if not external or len(test.campaigns) else None
    # One sort of the scores for every metric, the time to detect's alert cut included.
    metrics, ranking = _score_key(key, s, seen=test.seen, entity_labels=test.entity_labels,
                                  campaigns=campaigns, review_budget=REVIEW_BUDGET,
                                  budgets=DEFAULT_BUDGETS, pool=None, **given)
    stream = None
    if record.stream is not None:
        info = record.stream
        schedule = Schedule(int(info["start"]), int(info["batch_seconds"]), int(info["batches"]))
        assert key.created is not None
        stream = {k: info.get(k) for k in RESULT_KEYS}
        stream["time_to_detect"] = key_time_to_detect(
            key, ranking, s, schedule.scored_at(key.created), timezone=test.timezone,
            campaigns=test.campaigns)
    return metrics, stream


def score_data(test: TestData, record: Any, *, curves: bool = False) -> dict[str, Any]:
    """Metrics of an ok run on a given dataset: what its answer key defines, the rest undefined
    with the reason (never 0).

    With order labels for every order, :func:`~brushbench.metrics.score_orders` as usual. With
    entity labels only (or orders without a label), the buyer and shop sections are scored and
    the order sections are undefined, saying why. Without an answer key everything but the
    counts is undefined.
    """
    orders = test.orders
    kwargs = {"orders": orders, "buyer_scores": record.buyer_scores,
              "shop_scores": record.shop_scores, "predictions": record.predictions,
              "curves": curves}
    dummy = pd.DataFrame({"order_id": orders["order_id"].to_numpy(),
                          "is_brushing": np.zeros(len(orders), dtype=bool)})
    if not test.has_answer_key:
        return _without_truth(score_orders(dummy, record.scores, **kwargs),
                              "the data has no labels (give --labels)", everything=True)
    labels = test.labels
    external = bool(test.manifest.get("external"))
    campaigns = test.campaigns if not external or len(test.campaigns) else None
    unknown = int(labels["is_brushing"].isna().sum()) if "is_brushing" in labels else len(orders)
    if unknown == 0 and len(labels) == len(orders):
        return score_orders(labels.astype({"is_brushing": bool}), record.scores,
                            entity_labels=test.entity_labels, campaigns=campaigns, **kwargs)
    reason = ((test.manifest.get("labels") or {}).get("order_truth")
              or f"{unknown:,} orders have no order-level label")
    return _without_truth(score_orders(dummy, record.scores, entity_labels=test.entity_labels,
                                       **kwargs), reason, everything=False)


def _without_truth(result: dict[str, Any], reason: str, *, everything: bool) -> dict[str, Any]:
    """``result`` (scored against no brushing order) with what needs order truth undefined:
    the order sections, or everything but the counts (``everything``), and the curve."""
    curves = result.pop("curves", None)
    if everything:
        result = _undefine(result, reason)
    else:
        for section in ORDER_SECTIONS:
            result[section] = _undefine(result[section], reason)
    if curves is not None:
        result["curves"] = {"orders_pr": undefined(reason)}
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
