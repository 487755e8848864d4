"""Generated datasets for ``brushbench eval`` and ``brushbench check``, made lazily in the cache.

The cache's layout and lookup are :mod:`brushbench.dataset.cache`; this module fills a missing
(or damaged) entry by running the generator, which it imports only then: an ``eval`` whose
datasets are all cached does not pay for importing the generator (scipy.special and more).
"""

from __future__ import annotations

from pathlib import Path

from ..dataset import cache
from ..scenario import Scenario, scenario_hash
from ..scenario.scale import scale_scenario


def generated_dataset(scenario: Scenario, seed: int, *, scale: float = 1.0,
                      root: Path | None = None) -> Path:
    """The cache folder of ``scenario`` generated with ``seed`` (at ``scale``); generated if
    needed.

    Suites pass scenarios they scaled themselves (``scale`` 1); ``check`` passes a bundled
    scenario and its small scale, which the manifest then records, as ``brushbench generate
    --scale`` does.
    """
    folder = cache.generated_dir(scenario_hash(scale_scenario(scenario, scale)), seed,
                                 scale=scale, root=root)

    def make(out: Path, overwrite: bool) -> None:
        from ..generator.run import generate_to

        generate_to(out, scenario, seed=seed, scale=scale, overwrite=overwrite)

    return cache.cached(folder, make)


__all__ = ["generated_dataset"]
