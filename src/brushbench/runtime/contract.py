"""The detector contract as types, for authors who type-check their detector.

The harness does not need a detector to subclass anything: a module with ``score(data)``, or a
class whose instances have the methods below, is a detector (see :mod:`brushbench.runtime`).
These Protocols state that contract so that a type checker can hold a detector to it::

    from brushbench import Detector

    class MyDetector:
        def fit(self, train): ...
        def score(self, data): ...

    detector: Detector = MyDetector()     # mypy checks the methods here

Scores are always **higher = more suspicious**.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, runtime_checkable

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ..dataset import Dataset
    from .scores import Scores
    from .streaming import Batch

#: What each phase is called in messages.
STEP_NAMES = {"build": "building the detector", "fit": "fit()", "score": "score()",
              "predict": "predict()", "stream": "score_stream()"}

#: What ``score`` may return: an array in ``data.orders`` row order, a Series indexed by
#: ``order_id``, or :class:`~brushbench.runtime.scores.Scores` (or the same as a dict) to add
#: buyer and shop scores.
ScoreOutput: TypeAlias = "np.ndarray | pd.Series | Scores | Mapping[str, Any]"


@runtime_checkable
class Detector(Protocol):
    """Scores every order of a dataset without its answer key."""

    def score(self, data: Dataset) -> ScoreOutput:
        """One finite score per order of ``data.orders``; higher = more suspicious."""
        ...


@runtime_checkable
class TrainableDetector(Detector, Protocol):
    """A detector that learns from a training dataset with its answer key first."""

    def fit(self, train: Dataset) -> Any:
        """Learn from ``train`` (``train.labels`` etc. are there); return ``self``."""
        ...


@runtime_checkable
class AlertingDetector(Detector, Protocol):
    """A detector that also raises its own alerts."""

    def predict(self, data: Dataset) -> np.ndarray | pd.Series:
        """True for the orders it alerts on, in ``data.orders`` row order (or by order_id)."""
        ...


@runtime_checkable
class StreamingDetector(Protocol):
    """Scores a log as it arrives, one time window at a time."""

    def score_stream(self, batches: Iterable[Batch]) -> Iterator[ScoreOutput]:
        """Yield the scores of ``batch.data.orders`` for each batch, in order."""
        ...
