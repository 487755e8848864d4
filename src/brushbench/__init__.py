"""brushbench: synthetic labelled order logs and a benchmark for order-brushing detectors.

>>> import brushbench
>>> data = brushbench.generate("flash_sale", scale=0.05, seed=1)   # doctest: +SKIP
>>> data.orders.head()                                              # doctest: +SKIP

The pipeline is scenario (:mod:`brushbench.scenario`) -> plan and materialize
(:mod:`brushbench.generator`) -> dataset (:mod:`brushbench.dataset`) -> detectors (run by
:mod:`brushbench.runtime`, evaluated by :mod:`brushbench.harness`) -> metrics
(:mod:`brushbench.metrics`). Users' own logs come in through :mod:`brushbench.userdata`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ._lazy import lazy_exports
from ._version import GENERATOR_VERSION, __version__

if TYPE_CHECKING:
    from .dataset import Dataset, load
    from .harness.evaluate import evaluate
    from .results.compare import compare_results as compare
    from .runtime.contract import Detector
    from .scenario import Scenario, load_scenario

# Importing brushbench costs nothing but this file: each name below is imported on first use,
# so a detector's process (which only reads datasets) never pays for the generator, scipy or
# the harness. ``brushbench.scenario`` is the subpackage; its loader is ``load_scenario``.
_LAZY = {
    "Dataset": "brushbench.dataset",
    "Detector": "brushbench.runtime.contract",
    "load": "brushbench.dataset",
    "Scenario": "brushbench.scenario",
    "load_scenario": "brushbench.scenario",
    "evaluate": "brushbench.harness.evaluate",
    "compare": "brushbench.results.compare:compare_results",
}

__all__ = ["GENERATOR_VERSION", "Dataset", "Detector", "Scenario", "__version__", "compare",
           "evaluate", "generate", "load", "load_scenario"]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)


def generate(scenario_or_name: Scenario | str | Path, *, seed: int | None = None,
             scale: float = 1.0, workers: int = 1, out: str | Path | None = None,
             fmt: str = "parquet", overwrite: bool = False) -> Dataset:
    """Generate a dataset; with ``out`` it is also written there (atomically).

    Parameters
    ----------
    scenario_or_name : Scenario, str or path
        A scenario object, a scenario file, or a bundled scenario's name.
    seed : int, optional
        Defaults to the scenario's own seed.
    scale : float
        Volume multiplier.
    workers : int
        Worker processes; the output does not depend on it.
    out, fmt, overwrite
        Write the dataset to the folder ``out`` as ``fmt`` ("parquet" or "csv") and return it
        as read back from there.
    """
    from .dataset import load
    from .generator.run import generate as in_memory
    from .generator.run import generate_to
    from .scenario import Scenario, load_scenario

    sc = (scenario_or_name if isinstance(scenario_or_name, Scenario)
          else load_scenario(scenario_or_name))
    if out is None:
        return in_memory(sc, seed=seed, scale=scale, workers=workers)
    generate_to(out, sc, seed=seed, scale=scale, fmt=fmt, workers=workers, overwrite=overwrite)
    return load(out)
