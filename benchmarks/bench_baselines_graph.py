"""What the graph baselines cost: ``shared_identity`` and ``lockstep`` on ~1M orders.

    pytest benchmarks/bench_baselines_graph.py --benchmark-only

The data is ``double11_phone_war_naive`` at scale 1.0 (about a million orders in a day, the
midnight rush putting thousands of accounts on the same hot items within minutes: the worst
case for lockstep's (item, window) buckets), generated once, scored without its answer key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import brushbench
from brushbench.runtime.detectors import load_detector

BASELINES = Path(__file__).resolve().parents[1] / "baselines"


@pytest.fixture(scope="module")
def data():
    test = brushbench.generate(brushbench.load_scenario("double11_phone_war_naive"), seed=1,
                               scale=1.0)
    return test.without_answer_key()


@pytest.mark.parametrize("name", ["shared_identity", "lockstep"])
def test_score_1m_orders(benchmark, data, name):
    detector = load_detector(str(BASELINES / f"{name}.py")).build()
    benchmark.pedantic(detector.score, args=(data,), rounds=3, iterations=1, warmup_rounds=1)
    benchmark.extra_info["orders"] = len(data.orders)
    benchmark.extra_info["orders_per_second"] = len(data.orders) / benchmark.stats["mean"]
