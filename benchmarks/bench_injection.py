"""What injecting fraud costs (issue target: < 20% over a legitimate-only log of the same size).

    pytest benchmarks/bench_injection.py --benchmark-only --benchmark-group-by=param:scale

``mixed_naive`` is ``double11`` plus all six patterns, so the two differ only by the campaigns;
compare the seconds per million orders of the two rows.
"""

from __future__ import annotations

import pytest

import brushbench
from brushbench.generator.run import generate_to


@pytest.mark.parametrize("scale", [0.5])
@pytest.mark.parametrize("name", ["double11", "mixed_naive", "mixed_careful"])
def test_generate_with_and_without_fraud(benchmark, tmp_path, name, scale):
    scenario = brushbench.load_scenario(name)
    runs = iter(range(100))

    def run():
        return generate_to(tmp_path / f"d{next(runs)}", scenario, seed=1, scale=scale)

    summary = benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info["orders"] = summary.rows["orders"]
    benchmark.extra_info["seconds_per_million_orders"] = (
        benchmark.stats["mean"] / summary.rows["orders"] * 1e6)
