"""The runtime: find a detector, load it, run it in its own process under limits, report.

>>> from brushbench.runtime import load_detector, run_isolated
>>> spec = load_detector("baselines/my_detector.py")                   # doctest: +SKIP
>>> record = run_isolated("mypkg.det:MyDetector", "data/train", "data/test",
...                       timeout=600, memory_mb=8000)                 # doctest: +SKIP
>>> record.status, record.reason, record.scores                        # doctest: +SKIP

It knows nothing of suites, metrics or results files: :mod:`brushbench.harness` builds those
on top of it (``brushbench check``, ``brushbench eval``).

The detector protocol
---------------------
A detector is either a module with a function::

    def score(data):              # data: brushbench.Dataset, without the answer key
        ...                       # one suspicion score per order: HIGHER = MORE SUSPICIOUS

or a class built with no arguments (scikit-learn style: ``__init__`` only stores parameters,
all of them with defaults)::

    class MyDetector:
        def fit(self, train):     # optional; train: Dataset WITH train.labels, etc.
            ...
            return self
        def score(self, data):    # data: the test Dataset WITHOUT the answer key
            ...
        def predict(self, data):  # optional: the detector's own alerts, True/False per order
            ...
        def score_stream(self, batches):  # optional: time-ordered Batch objects, see
            for batch in batches:         # brushbench.runtime.streaming; one result per batch
                yield ...                 # scores of batch.data.orders

Rules the runtime enforces:

- ``fit`` gets the training dataset (another seed of the scenario) with its answer key
  (``train.labels``, ``train.entity_labels``, ``train.campaigns``). ``score`` and
  ``predict`` get the test dataset *without* it: reading ``data.labels`` there raises
  AttributeError, and the run fails saying so.
- Scores are higher for more suspicious orders. The scale does not matter (only the ranking
  and, for entity scores, the ranking among buyers or shops), but every order needs a
  finite score. See :mod:`brushbench.runtime.scores` for the accepted return forms; in short
  a Series indexed by ``order_id``, an array in ``data.orders`` row order, or
  ``Scores(orders=..., buyers=..., shops=...)`` (or the same as a dict) to add buyer and shop
  scores.
- Invalid output (missing, duplicate or unknown ids, NaN or infinite values, the wrong type
  or length) makes the run ``invalid_output``; it is never repaired into numbers.
- Each run has a status (``ok``, ``error``, ``timeout``, ``invalid_output``, ``skipped``) and
  a reason; failures are recorded and counted, never dropped or replaced by zeros.
- ``fit``, ``score`` and ``predict`` are timed separately with ``time.perf_counter``; peak
  memory is the process's peak resident memory (see :mod:`brushbench.runtime.runner`).

Modules: :mod:`~brushbench.runtime.detectors` (finding a detector),
:mod:`~brushbench.runtime.scores` (the output convention and its checks),
:mod:`~brushbench.runtime.protocol` (one run in this process),
:mod:`~brushbench.runtime.runner` and :mod:`~brushbench.runtime.child` (one run in its own
process, with limits; :mod:`~brushbench.runtime.launch` starts that process),
:mod:`~brushbench.runtime.streaming` (``score_stream``: batches and latency).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from brushbench._lazy import lazy_exports

if TYPE_CHECKING:
    from brushbench.runtime.detectors import (
        ENTRY_POINT_GROUP,
        DetectorLoadError,
        DetectorSpec,
        installed_detectors,
        load_detector,
    )
    from brushbench.runtime.protocol import (
        CheckedOutput,
        DetectorFailed,
        DetectorSkipped,
        RawOutput,
        check_output,
        run_protocol,
    )
    from brushbench.runtime.runner import RunRecord, Status, run_isolated
    from brushbench.runtime.scores import (
        Scores,
        split_output,
        validate_entity_scores,
        validate_predictions,
        validate_scores,
    )
    from brushbench.runtime.streaming import Batch, StreamOrderError

# Imported on first use, so that starting a run's server (``launch``, standard library only)
# does not wait for pandas: ``brushbench eval`` starts it before anything else.
_HOME = {
    **dict.fromkeys(("ENTRY_POINT_GROUP", "DetectorLoadError", "DetectorSpec",
                     "installed_detectors", "load_detector"), "brushbench.runtime.detectors"),
    **dict.fromkeys(("CheckedOutput", "DetectorFailed", "DetectorSkipped", "RawOutput",
                     "check_output", "run_protocol"), "brushbench.runtime.protocol"),
    **dict.fromkeys(("RunRecord", "Status", "run_isolated"), "brushbench.runtime.runner"),
    **dict.fromkeys(("Scores", "split_output", "validate_entity_scores",
                     "validate_predictions", "validate_scores"), "brushbench.runtime.scores"),
    **dict.fromkeys(("Batch", "StreamOrderError"), "brushbench.runtime.streaming"),
}


__getattr__, __dir__ = lazy_exports(__name__, _HOME)

__all__ = [
    "ENTRY_POINT_GROUP",
    "Batch",
    "CheckedOutput",
    "DetectorFailed",
    "DetectorLoadError",
    "DetectorSkipped",
    "DetectorSpec",
    "RawOutput",
    "RunRecord",
    "Scores",
    "Status",
    "StreamOrderError",
    "check_output",
    "installed_detectors",
    "load_detector",
    "run_isolated",
    "run_protocol",
    "split_output",
    "validate_entity_scores",
    "validate_predictions",
    "validate_scores",
]
