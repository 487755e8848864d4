"""What the rule baselines cost: ``null``, ``random`` and ``concentrate_rate`` on ~1M orders.

    pytest benchmarks/bench_baselines_rules.py --benchmark-only

The data is ``double11_phone_war_naive`` at scale 1.0 (about a million orders in a day, hot
shops taking thousands of orders an hour), generated once, scored without its answer key.
``concentrate_rate`` is also timed on a bare SCL-style log (ids and times only) of 1M orders
spread over 30k shops and 5 days, the shape of the competition's data at 4.5 times its size.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import brushbench
from brushbench.runtime.detectors import load_detector

BASELINES = Path(__file__).resolve().parents[1] / "baselines"


def _detector(name: str):
    return load_detector(str(BASELINES / f"{name}.py")).build()


@pytest.fixture(scope="module")
def data():
    test = brushbench.generate(brushbench.load_scenario("double11_phone_war_naive"), seed=1,
                               scale=1.0)
    return test.without_answer_key()


@pytest.fixture(scope="module")
def scl_log() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n, shops, buyers = 1_000_000, 30_000, 400_000
    # Skewed shops and buyers (a few big ones), uniform times over five days.
    shop = (rng.pareto(1.2, n) * 50).astype(np.int64) % shops
    buyer = (rng.pareto(1.0, n) * 1000).astype(np.int64) % buyers
    start = pd.Timestamp("2019-12-27").value // 10**9
    seconds = start + rng.integers(0, 5 * 86400, n)
    return pd.DataFrame({"shopid": shop, "userid": buyer, "event_time": seconds})


def _record(benchmark, n: int) -> None:
    benchmark.extra_info["orders"] = n
    benchmark.extra_info["orders_per_second"] = n / benchmark.stats["mean"]


@pytest.mark.parametrize("name", ["null", "random", "concentrate_rate"])
def test_score_1m_orders(benchmark, data, name):
    detector = _detector(name)
    benchmark.pedantic(detector.score, args=(data,), rounds=3, iterations=1, warmup_rounds=1)
    _record(benchmark, len(data.orders))


def test_concentrate_rate_on_a_bare_scl_log(benchmark, scl_log):
    """The rule alone (``brushing_orders``), as ``scl_answer`` runs it."""
    spec = load_detector(str(BASELINES / "concentrate_rate.py"))
    brushing_orders = sys.modules[spec.module].brushing_orders
    out = benchmark.pedantic(brushing_orders, args=(scl_log["shopid"], scl_log["userid"],
                                                    scl_log["event_time"]),
                             rounds=3, iterations=1, warmup_rounds=1)
    assert len(out) == len(scl_log)
    _record(benchmark, len(scl_log))
