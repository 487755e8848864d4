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

from ._version import GENERATOR_VERSION, __version__
from .dataset import Dataset, load

# Imported before ``scenario()`` is defined: importing a subpackage binds its name on the
# parent package, and must not replace the function of the same name later on.
from .scenario import Scenario, load_scenario
from .scenario.bundled import resolve as _resolve

__all__ = ["GENERATOR_VERSION", "Dataset", "Scenario", "__version__", "generate", "load",
           "scenario"]


def scenario(name_or_path: str | Path) -> Scenario:
    """A scenario from a file path or the name of a bundled scenario (``"double11"``)."""
    return load_scenario(_resolve(name_or_path))


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
    # The generator is imported on first use: a detector process only reads datasets.
    from .generator.run import generate as in_memory
    from .generator.run import generate_to

    sc = (scenario_or_name if isinstance(scenario_or_name, Scenario)
          else scenario(scenario_or_name))
    if out is None:
        return in_memory(sc, seed=seed, scale=scale, workers=workers)
    generate_to(out, sc, seed=seed, scale=scale, fmt=fmt, workers=workers, overwrite=overwrite)
    return load(out)
