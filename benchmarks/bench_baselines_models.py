"""What the model baselines cost: ``fraudar`` and ``gbdt`` on about 1M orders.

    pytest benchmarks/bench_baselines_models.py --benchmark-only

The data is ``double11_phone_war_naive`` at scale 1.0 (about a million orders in a day),
generated once per module: seed 1 without its answer key, as the harness hands it over, and,
for ``gbdt``'s fit, seed 10001 with it. Tables are converted to pandas before timing, so the
figures are the detectors' own time (the harness converts the tables for every detector alike).
``fraudar`` is also timed in its buyer × shop mode (``time_bucket=None``) and on a week of
``distributor_fake_naive`` at scale 10 (about a million orders over seven days: many more
(shop, day) columns than the one-day log).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import brushbench

BASELINES = Path(__file__).resolve().parents[1] / "baselines"
TABLES = ("orders", "shipments", "refunds", "reviews", "buyers", "shops", "items")


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BASELINES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generate(scenario: str, seed: int, scale: float, *, answer_key: bool):
    data = brushbench.generate(brushbench.load_scenario(scenario), seed=seed, scale=scale)
    data = data if answer_key else data.without_answer_key()
    for name in TABLES + (("labels",) if answer_key else ()):
        getattr(data, name)                  # convert to pandas once, outside the timings
    return data


@pytest.fixture(scope="module")
def data():
    return _generate("double11_phone_war_naive", 1, 1.0, answer_key=False)


@pytest.fixture(scope="module")
def train():
    return _generate("double11_phone_war_naive", 10001, 1.0, answer_key=True)


@pytest.fixture(scope="module")
def week():
    return _generate("distributor_fake_naive", 1, 10.0, answer_key=False)


def _record(benchmark, n: int) -> None:
    benchmark.extra_info["orders"] = n
    benchmark.extra_info["orders_per_second"] = n / benchmark.stats["mean"]


@pytest.mark.parametrize("time_bucket", ["1D", None])
def test_fraudar_score_1m_orders(benchmark, data, time_bucket):
    detector = _module("fraudar").Fraudar(time_bucket=time_bucket)
    benchmark.pedantic(detector.score, args=(data,), rounds=3, iterations=1, warmup_rounds=1)
    _record(benchmark, len(data.orders))


def test_fraudar_score_1m_orders_over_a_week(benchmark, week):
    detector = _module("fraudar").Fraudar()
    benchmark.pedantic(detector.score, args=(week,), rounds=3, iterations=1, warmup_rounds=1)
    _record(benchmark, len(week.orders))


def test_gbdt_features_1m_orders(benchmark, data):
    gbdt = _module("gbdt")
    benchmark.pedantic(gbdt.order_features, args=(data,), rounds=3, iterations=1,
                       warmup_rounds=1)
    _record(benchmark, len(data.orders))


def test_gbdt_fit_1m_orders(benchmark, train):
    gbdt = _module("gbdt")
    benchmark.pedantic(lambda: gbdt.GradientBoosting().fit(train), rounds=2, iterations=1)
    _record(benchmark, len(train.orders))


def test_gbdt_score_1m_orders(benchmark, train, data):
    detector = _module("gbdt").GradientBoosting().fit(train)
    benchmark.pedantic(detector.score, args=(data,), rounds=3, iterations=1, warmup_rounds=1)
    _record(benchmark, len(data.orders))
