"""One detector run in the current process: build, fit on train, score and predict on test.

:func:`run_protocol` is what the isolated child process (:mod:`brushbench.runtime.child`)
calls; it can also be called directly to debug a detector in a notebook, without limits.
A detector with ``score_stream(batches)`` runs in streaming mode when asked (``stream=True``)
or when it has no ``score``: see :mod:`brushbench.runtime.streaming`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from brushbench.dataset import Dataset
from brushbench.runtime.detectors import DetectorSpec
from brushbench.runtime.scores import (
    split_output,
    validate_entity_scores,
    validate_predictions,
    validate_scores,
)
from brushbench.runtime.streaming import (
    DEFAULT_BATCH,
    StreamOutput,
    StreamPlan,
    check_stream,
    parse_batch,
    run_stream,
)

#: Phases of a run, in order, as reported to ``on_phase`` and in :class:`RunRecord.phase`
#: (``stream`` replaces ``score`` and ``predict`` in streaming mode).
PHASES = ("build", "fit", "score", "predict", "stream")
#: How a skipped run says the detector lacks ``score_stream`` (``check`` recognises it).
NO_SCORE_STREAM = "has no score_stream(batches)"


class DetectorFailed(Exception):
    """The detector raised during ``phase``; the original exception is ``__cause__``."""

    def __init__(self, phase: str, error: BaseException):
        super().__init__(f"{phase}: {type(error).__name__}: {error}")
        self.phase = phase
        self.error = error


class DetectorSkipped(Exception):
    """The detector cannot run this task (e.g. it needs ``fit`` and there is no train set)."""


@dataclass
class RawOutput:
    """What the detector returned, unchecked, with the time each step took.

    Attributes
    ----------
    returned : object
        ``score(test)``'s return value as is.
    predictions : object or None
        ``predict(test)``'s return value, None when the detector has no ``predict``.
    fit_seconds, score_seconds, predict_seconds : float or None
        Wall-clock seconds (``time.perf_counter``) of each call; None for a call not made.
        Building the detector is not timed (the constructor only stores parameters). In
        streaming mode ``score_seconds`` is the detector's time over the whole stream.
    n_orders : int
        Rows of the test set's orders.
    stream : StreamOutput or None
        In streaming mode, what ``score_stream`` yielded per batch and each batch's latency
        (``returned`` is then None).
    """

    returned: Any
    predictions: Any = None
    fit_seconds: float | None = None
    score_seconds: float | None = None
    predict_seconds: float | None = None
    n_orders: int = 0
    stream: StreamOutput | None = None

    @property
    def orders_per_second(self) -> float | None:
        """Test orders scored per second of ``score`` (fit and predict not counted)."""
        if not self.score_seconds or self.score_seconds <= 0:
            return None
        return self.n_orders / self.score_seconds


@dataclass
class CheckedOutput:
    """A detector's output after :func:`check_output`: aligned arrays, or the problems.

    Everything is None when ``problems`` is not empty: invalid output is never partly used.
    """

    scores: np.ndarray | None = None
    buyer_scores: pd.Series | None = None
    shop_scores: pd.Series | None = None
    predictions: np.ndarray | None = None
    problems: list[str] = field(default_factory=list)


def run_protocol(
    spec: DetectorSpec,
    train: Dataset | None,
    test: Dataset,
    *,
    on_phase: Callable[[str], None] | None = None,
    stream: bool | None = None,
    batch: str | int | float = DEFAULT_BATCH,
) -> RawOutput:
    """Build the detector, fit it on ``train`` if it can, then score (and predict) ``test``.

    Parameters
    ----------
    spec : DetectorSpec
        From :func:`~brushbench.runtime.load_detector`.
    train : Dataset or None
        The training split, with its answer key (``train.labels``), given to ``fit``.
    test : Dataset
        The split to score. Its answer key is always removed first
        (``test.without_answer_key()``), even when the caller passes a labelled dataset.
    on_phase : callable, optional
        Called with each phase name of :data:`PHASES` just before it starts.
    stream : bool, optional
        ``True``: stream ``test`` to ``score_stream(batches)`` in windows of ``batch``;
        ``False``: call ``score(test)``; None (default): ``score`` when the detector has
        it, else ``score_stream``. Streaming mode does not call ``predict``.
    batch : str, int or float
        The streaming window (``"1h"``, ``"30m"``, seconds, ...).

    Returns
    -------
    RawOutput

    Raises
    ------
    DetectorFailed
        The detector raised (or called ``sys.exit``) while being built, fitted, scoring or
        predicting; ``.phase`` says which.
    DetectorSkipped
        It needs ``fit`` and ``train`` is None, or it lacks the method the mode needs
        (``score`` for ``stream=False``, ``score_stream`` for ``stream=True``).
        A window that cuts ``test`` into too many batches is skipped too.
    ValueError
        ``batch`` is not a window (``"soon"``, ``"-1h"``).
    """
    test = test.without_answer_key()
    if stream is None:
        stream = not spec.has_score
    if stream and not spec.has_score_stream:
        raise DetectorSkipped(f"{spec.name} {NO_SCORE_STREAM}; streaming evaluation "
                              "(--stream) needs it")
    if not stream and not spec.has_score:
        raise DetectorSkipped(f"{spec.name} only has score_stream(); this run needs "
                              "score(data)")
    if spec.has_fit and train is None:
        raise DetectorSkipped(f"{spec.name} has fit(train) but no training dataset was given")
    plan = None
    if stream:
        batch_seconds = parse_batch(batch)
        try:
            plan = StreamPlan(test, batch_seconds)
        except ValueError as exc:  # a window that makes no sense for this dataset
            raise DetectorSkipped(str(exc)) from None
    report = on_phase or (lambda phase: None)
    out = RawOutput(returned=None, n_orders=test.arrow("orders").num_rows)

    report("build")
    detector = _call("build", spec.build)
    if spec.has_fit:
        report("fit")
        start = time.perf_counter()
        _call("fit", detector.fit, train)
        out.fit_seconds = time.perf_counter() - start
    if plan is not None:
        report("stream")
        out.stream = run_stream(detector, plan, _call)
        out.score_seconds = out.stream.detector_seconds
        return out
    report("score")
    start = time.perf_counter()
    out.returned = _call("score", detector.score, test)
    out.score_seconds = time.perf_counter() - start
    if spec.has_predict:
        report("predict")
        start = time.perf_counter()
        out.predictions = _call("predict", detector.predict, test)
        out.predict_seconds = time.perf_counter() - start
    return out


def check_output(raw: RawOutput, test: Dataset) -> CheckedOutput:
    """Validate everything the detector returned against ``test``'s orders, buyers and shops.

    Order scores and predictions are aligned to the rows of ``test.orders``; buyer and shop
    scores must name buyers and shops of ``test``. See :mod:`brushbench.runtime.scores`.
    In streaming mode each batch's scores are checked against that batch's orders
    (:func:`~brushbench.runtime.streaming.check_stream`) and put together in row order.
    """
    if raw.stream is not None:
        scores, buyer_scores, shop_scores, problems = check_stream(raw.stream, test)
        if problems:
            return CheckedOutput(problems=problems)
        return CheckedOutput(scores=scores, buyer_scores=buyer_scores, shop_scores=shop_scores)
    orders = test.arrow("orders")
    order_part, buyers, shops, problems = split_output(raw.returned)
    scores, found = validate_scores(order_part, orders)
    problems += found
    checked = CheckedOutput()
    if buyers is not None:
        known = np.concatenate([orders.column("buyer_id").to_numpy(),
                                test.arrow("buyers").column("buyer_id").to_numpy()])
        checked.buyer_scores, found = validate_entity_scores(buyers, known, "buyer")
        problems += found
    if shops is not None:
        known = np.concatenate([orders.column("shop_id").to_numpy(),
                                test.arrow("shops").column("shop_id").to_numpy()])
        checked.shop_scores, found = validate_entity_scores(shops, known, "shop")
        problems += found
    if raw.predict_seconds is not None:  # predict() was called, even if it returned None
        checked.predictions, found = validate_predictions(raw.predictions, orders)
        problems += [f"predict(): {p}" if not p.startswith("predict()") else p for p in found]
    if problems:
        return CheckedOutput(problems=problems)
    checked.scores = scores
    return checked


def _call(phase: str, function: Callable[..., Any], *args: Any) -> Any:
    try:
        return function(*args)
    except (Exception, SystemExit) as exc:
        # SystemExit too: a detector calling sys.exit() has failed, not ended the harness.
        raise DetectorFailed(phase, exc) from exc
