"""``baselines/null.py`` and ``baselines/random.py``: the chance floors of the leaderboard."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from brushbench.runtime.detectors import load_detector

from baseline_helpers import baseline_file, dataset_pair, evaluate, pattern_ap

SCENARIO, SCALE = "mixed_naive", 0.02
PATTERNS = ("self_purchase", "post_promo_return", "click_farm", "distributor_fake")


def build(name: str, **params):
    spec = load_detector(baseline_file(name))
    return spec.obj(**params) if params else spec.build()


def fake(order_ids) -> SimpleNamespace:
    return SimpleNamespace(orders=pd.DataFrame({"order_id": np.asarray(order_ids, np.int64)}))


@pytest.fixture(scope="module")
def data():
    return dataset_pair(SCENARIO, SCALE)[1].without_answer_key()


@pytest.fixture(scope="module")
def results():
    return {name: evaluate(name, SCENARIO, SCALE) for name in ("null", "random")}


@pytest.mark.parametrize("name", ["null", "random"])
def test_protocol(name, data):
    module = load_detector(baseline_file(name))
    assert module.has_score and not module.has_fit
    first, second = build(name).score(data), build(name).score(data)
    assert first.shape == (len(data.orders),) and np.isfinite(first).all()
    assert np.array_equal(first, second)


def test_null_is_the_base_rate(results):
    result = results["null"]
    assert result["orders"]["average_precision"] == pytest.approx(
        result["orders"]["base_rate"], rel=1e-9)
    # Per pattern: that pattern's orders among them and the legitimate ones, at chance.
    legit = result["orders"]["n_orders"] - result["orders"]["n_positive"]
    for pattern in PATTERNS:
        n = result["per_pattern"][pattern]["n_orders"]
        assert pattern_ap(result, pattern) == pytest.approx(n / (n + legit), rel=1e-9)
    assert result["orders"]["precision_at_1pct"] == pytest.approx(
        result["orders"]["base_rate"], rel=1e-9)


def test_random_is_near_chance(results):
    orders = results["random"]["orders"]
    assert 0.5 * orders["base_rate"] < orders["average_precision"] < 2 * orders["base_rate"]
    assert 0.3 < orders["roc_auc"] < 0.7


def test_random_scores_are_uniform_and_seeded(data):
    scores = build("random").score(data)
    assert 0 <= scores.min() and scores.max() < 1
    assert len(np.unique(scores)) == len(scores)  # a ranking without ties
    assert abs(scores.mean() - 0.5) < 0.02
    assert build("random", seed=0).seed == 0 == build("random").seed
    assert not np.array_equal(build("random", seed=1).score(data), scores)


def test_random_depends_on_the_data_not_on_global_state():
    detector = build("random")
    # The legacy global state, set on purpose: the scores must not depend on it.
    np.random.seed(1)  # noqa: NPY002
    first = detector.score(fake(np.arange(1000)))
    np.random.seed(2)  # noqa: NPY002
    assert np.array_equal(detector.score(fake(np.arange(1000))), first)
    # Another dataset of the same size, or one order more: other draws.
    assert not np.array_equal(detector.score(fake(np.arange(1, 1001))), first)
    assert not np.array_equal(detector.score(fake(np.arange(1001)))[:1000], first)
    assert detector.score(fake([])).shape == (0,)


def test_random_streams_reproducibly(data):
    """``score_stream``: one finite draw per order of each batch, the same on every run, other
    draws for another seed."""
    from brushbench.runtime.streaming import StreamPlan

    plan = StreamPlan(data, "6h")

    def stream(seed):
        return [np.asarray(s) for s in build("random", seed=seed).score_stream(iter(plan))]

    first, again, other = stream(0), stream(0), stream(1)
    assert [len(s) for s in first] == [len(plan.order_ids(i)) for i in range(len(plan))]
    assert all(np.isfinite(s).all() for s in first)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
