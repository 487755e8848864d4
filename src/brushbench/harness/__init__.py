"""The harness: check and evaluate detectors on suites of generated data, or on users' logs.

>>> from brushbench.harness import check_detector, run_isolated
>>> print(check_detector("baselines/my_detector.py"))                  # doctest: +SKIP
>>> record = run_isolated("mypkg.det:MyDetector", "data/train", "data/test",
...                       timeout=600, memory_mb=8000)                 # doctest: +SKIP
>>> record.status, record.reason, record.scores                        # doctest: +SKIP

The detector protocol, and the runtime that loads and runs a detector in its own process
under limits, are in :mod:`brushbench.runtime`; its public names are re-exported here. Users'
logs and labels are imported by :mod:`brushbench.userdata`.

Modules: :mod:`~brushbench.harness.check` (the author's quick check),
:mod:`~brushbench.harness.evaluate` (``brushbench eval``: a suite, or a given dataset),
:mod:`~brushbench.harness.suites` (suite files), :mod:`~brushbench.harness.generated` (their
datasets, generated lazily in :mod:`brushbench.dataset.cache`),
:mod:`~brushbench.harness.scoring` (streaming sections, and scoring on given data). Results
files, comparing and printing them are in :mod:`brushbench.results`.
"""

from typing import TYPE_CHECKING

from brushbench import runtime
from brushbench._lazy import lazy_exports

if TYPE_CHECKING:
    from brushbench.harness.check import CheckReport, check_detector
    from brushbench.runtime import *  # noqa: F403

# ``check`` and the runtime's public names (re-exported: code written against
# ``brushbench.harness`` before the runtime had a package of its own keeps working), imported on
# first use: ``brushbench eval`` starts its run server before anything here imports pandas.
_HOME = {"CheckReport": "brushbench.harness.check", "check_detector": "brushbench.harness.check",
         **dict.fromkeys(runtime.__all__, "brushbench.runtime")}
__getattr__, __dir__ = lazy_exports(__name__, _HOME)

__all__ = ["CheckReport", "check_detector", *runtime.__all__]
