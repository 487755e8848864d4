"""Run a baseline in-process on a train/test pair and score it, for the baselines' quality tests.

The harness runs detectors in child processes; these tests look at the baselines' quality, not
the isolation, so they call the detector directly (the protocol is the same: ``fit`` on the
training dataset with its labels, ``score`` on the test dataset without them).
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd

import brushbench
from brushbench.metrics import score_orders
from brushbench.runtime.detectors import load_detector
from brushbench.runtime.scores import split_output, validate_entity_scores, validate_scores

BASELINES = Path(__file__).resolve().parents[2] / "baselines"
TRAIN_SEED, TEST_SEED = 10001, 1


def baseline_file(name: str) -> str:
    """Path of ``baselines/<name>.py``."""
    return str(BASELINES / f"{name}.py")


def load_baseline(name: str) -> ModuleType:
    """``baselines/<name>.py`` imported as a module (baselines are files, not a package)."""
    spec = importlib.util.spec_from_file_location(f"baseline_{name}", baseline_file(name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def dataset_pair(scenario: str, scale: float, test_seed: int = TEST_SEED):
    """(train with answer key, test with answer key) of a bundled scenario, made once per
    session. Hand ``test.without_answer_key()`` to detectors."""
    sc = brushbench.load_scenario(scenario)
    train = brushbench.generate(sc, seed=TRAIN_SEED, scale=scale)
    test = brushbench.generate(sc, seed=test_seed, scale=scale)
    return train, test


def evaluate(name: str, scenario: str, scale: float, test_seed: int = TEST_SEED) -> dict:
    """``score_orders`` result of baseline ``name`` (fit on train, score the keyless test
    generated with ``test_seed``).

    Raises AssertionError when the output breaks the protocol.
    """
    train, test = dataset_pair(scenario, scale, test_seed)
    detector = load_detector(baseline_file(name)).build()
    if hasattr(detector, "fit"):
        assert detector.fit(train) is detector, f"{name}.fit must return self"
    data = test.without_answer_key()
    orders_raw, buyers_raw, shops_raw, problems = split_output(detector.score(data))
    assert not problems, problems
    scores, problems = validate_scores(orders_raw, data.orders)
    assert scores is not None, problems
    kwargs = {}
    for entity, raw in (("buyer", buyers_raw), ("shop", shops_raw)):
        if raw is not None:
            kwargs[f"{entity}_scores"], problems = validate_entity_scores(
                raw, data.orders[f"{entity}_id"], entity)
            assert not problems, problems
    return score_orders(test.labels, scores, orders=test.orders,
                        entity_labels=test.entity_labels, campaigns=test.campaigns, **kwargs)


def pattern_ap(result: dict, pattern: str) -> float | None:
    """Average precision of one pattern's orders against all legitimate orders, if given."""
    leaf = result["per_pattern"].get(pattern, {}).get("average_precision")
    return leaf if isinstance(leaf, float) else None


def checked_output(make_detector, scenario: str, scale: float):
    """Score the keyless test set of ``scenario`` twice with fresh detectors and check the
    protocol: every order scored once with a finite number (the harness's own validation),
    entity scores valid, and both calls identical. Returns (data, order scores, buyer scores,
    shop scores) of the first call; entity scores are None when not given."""
    _, test = dataset_pair(scenario, scale)
    data = test.without_answer_key()
    outputs = []
    for _ in range(2):
        orders_raw, buyers_raw, shops_raw, problems = split_output(make_detector().score(data))
        assert not problems, problems
        scores, problems = validate_scores(orders_raw, data.orders)
        assert scores is not None, problems
        entities = []
        for entity, raw in (("buyer", buyers_raw), ("shop", shops_raw)):
            series = None
            if raw is not None:
                series, problems = validate_entity_scores(raw, data.orders[f"{entity}_id"],
                                                          entity)
                assert series is not None, problems
            entities.append(series)
        outputs.append((scores, *entities))
    (scores, buyers, shops), again = outputs
    np.testing.assert_array_equal(scores, again[0])
    for first, second in zip((buyers, shops), again[1:], strict=True):
        if first is None:
            assert second is None
        else:
            pd.testing.assert_series_equal(first, second)
    return data, scores, buyers, shops
