"""How many candidates ``brushbench attack`` tries per minute on a quick-size scenario.

    pytest benchmarks/bench_attack.py --benchmark-only

One round is a whole attack of ``BUDGET`` candidates of the self-purchase campaign of
``double11_phone_war_naive`` against ``parcel_weight`` (each candidate generated, run in its
own process as ``eval`` runs it, scored), with the training and baseline datasets already in the
cache, as on a second attack; ``candidates_per_minute`` in the extra info is the figure
docs/performance.md reports. At scale 0.02 (~20k orders, the quick suite's size) and 0.1
(~100k orders, the standard suite's size for this scenario).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from brushbench.attack import attack
from brushbench.scenario import load_scenario
from brushbench.scenario.bundled import resolve

ROOT = Path(__file__).resolve().parents[1]
TARGET = str(ROOT / "baselines" / "parcel_weight.py")
BUDGET = 12


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(resolve("double11_phone_war_naive"))


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRUSHBENCH_CACHE", str(cache))
        yield cache


@pytest.mark.parametrize("scale", [0.02, 0.1])
def test_candidates_per_minute(benchmark, scenario, warm_cache, scale):
    def once():
        return attack(TARGET, scenario, "self_purchase", budget=BUDGET, seed=0, scale=scale,
                      timeout=120)

    once()  # the training and baseline datasets into the cache
    result = benchmark.pedantic(once, rounds=3, iterations=1)
    seconds = benchmark.stats.stats.mean
    benchmark.extra_info["candidates_per_minute"] = round(60 * BUDGET / seconds, 1)
    benchmark.extra_info["seconds_per_candidate"] = round(seconds / BUDGET, 2)
    assert len(result.trials) == BUDGET
