"""What the trace baselines cost: ``parcel_weight`` and ``refund_burst`` on about 1M orders.

    pytest benchmarks/bench_baselines_traces.py --benchmark-only

The dataset is ``double11_phone_war_naive`` at scale 1.0 (about 1.05M orders and parcels and
120k refunds), generated once per module, without its answer key as the harness hands it over.
Its tables are converted to pandas before timing, so the figures are the detectors' own
``score`` time (the harness converts the tables for every detector alike).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import brushbench
from brushbench.harness import Scores

BASELINES = Path(__file__).resolve().parents[1] / "baselines"


def _baseline(name: str):
    # Loaded by path under a private name: baselines/ is not a package, and adding it to
    # sys.path would let baselines/random.py shadow the standard library.
    spec = importlib.util.spec_from_file_location(f"_bench_baseline_{name}",
                                                  BASELINES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data():
    dataset = brushbench.generate(brushbench.load_scenario("double11_phone_war_naive"), seed=1,
                                  scale=1.0).without_answer_key()
    for name in ("orders", "shipments", "refunds", "reviews", "buyers", "shops", "items"):
        getattr(dataset, name)
    return dataset


def _record(benchmark, data) -> None:
    n = len(data.orders)
    benchmark.extra_info["orders"] = n
    benchmark.extra_info["orders_per_second"] = n / benchmark.stats["mean"]


def test_parcel_weight_1m_orders(benchmark, data):
    detector = _baseline("parcel_weight").ParcelWeight()
    scores = benchmark.pedantic(detector.score, args=(data,), rounds=5, iterations=1,
                                warmup_rounds=1)
    assert len(scores) == len(data.orders) and np.isfinite(scores).all()
    _record(benchmark, data)


def test_refund_burst_1m_orders(benchmark, data):
    detector = _baseline("refund_burst").RefundBurst()
    out = benchmark.pedantic(detector.score, args=(data,), rounds=5, iterations=1,
                             warmup_rounds=1)
    assert isinstance(out, Scores) and np.isfinite(out.orders).all()
    _record(benchmark, data)
