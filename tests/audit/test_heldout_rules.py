"""The claim "careful rings stay under 0.9 AP" against a held-out detector of generator shortcuts.

``tests/audit/artefact_rules.py`` combines issue 17's short rules (refund before delivery,
one-wallet sites, a fixed refund delay, the default channel, shared registration seconds,
rare cities, flat levels). It learns on the training seed and scores the test seed as
``brushbench evaluate`` does (training seed = test seed + ``TRAIN_SEED_OFFSET``). A careful
scenario it ranks at 0.9 order-level AP or more is one a detector can beat without modelling the
fraud. Until the generator fixes of issue 17 land, it does on ``supplier_price_war_careful``:
that case is an expected failure.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

import brushbench
from brushbench.harness.evaluate import TRAIN_SEED_OFFSET
from brushbench.metrics.ranking import average_precision

DETECTOR = Path(__file__).parent / "artefact_rules.py"
#: Careful scenarios and their orders: the quick suite's sizes (about 20,000 orders), more for
#: the scenarios whose rings are too small there to give an AP worth the name.
CAREFUL = {
    "mixed_careful": 20_000,
    "distributor_fake_careful": 20_000,
    "click_farm_careful": 20_000,
    "double11_phone_war_careful": 20_000,
    "supplier_price_war_careful": 80_000,
}
LIMIT = 0.9


def _rules():
    spec = importlib.util.spec_from_file_location("artefact_rules", DETECTOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ArtefactRules()


def order_ap(name: str, orders: int, seed: int = 0) -> float:
    """The rules' order-level AP on ``name``'s test seed after fitting on its training seed."""
    scale = orders / brushbench.load_scenario(name).traffic.orders
    train = brushbench.generate(name, scale=scale, seed=seed + TRAIN_SEED_OFFSET)
    test = brushbench.generate(name, scale=scale, seed=seed)
    scores = _rules().fit(train).score(test)
    labels = test.labels.set_index("order_id").reindex(test.orders["order_id"])
    truth = labels["is_brushing"].fillna(False).to_numpy(dtype=bool)
    assert truth.any() and np.isfinite(scores).all() and len(scores) == len(truth)
    ap = average_precision(truth, scores)
    assert ap is not None
    return ap


def test_each_rule_weighs_its_orders_by_its_training_precision():
    scale = 20_000 / brushbench.load_scenario("mixed_careful").traffic.orders
    data = brushbench.generate("mixed_careful", scale=scale, seed=TRAIN_SEED_OFFSET)
    rules = _rules().fit(data)
    flags = rules.flags(data)
    assert set(rules.precision) == set(flags.columns) and len(flags) == len(data.orders)
    assert all(0.0 <= p <= 1.0 for p in rules.precision.values())
    scores = rules.score(data)
    none = ~flags.to_numpy().any(axis=1)
    assert (scores[none] == 0).all()
    # An order that fires one rule alone scores that rule's precision.
    for rule in flags.columns:
        alone = flags[rule].to_numpy() & (flags.to_numpy().sum(axis=1) == 1)
        if alone.any():
            assert np.allclose(scores[alone], min(rules.precision[rule], 0.999))


#: Measured before the issue-17 fixes (test seed 0): mixed 0.244, distributor_fake 0.473,
#: click_farm 0.009, double11_phone_war 0.250, supplier_price_war 1.000 (one-wallet sites).
@pytest.mark.parametrize("name", sorted(CAREFUL))
def test_careful_rings_stay_under_the_limit_for_artefact_rules(name):
    ap = order_ap(name, CAREFUL[name])
    assert ap < LIMIT, f"{name}: the artefact rules reach order AP {ap:.3f} >= {LIMIT}"


if __name__ == "__main__":  # the APs measured, for the record
    for scenario, n in CAREFUL.items():
        print(f"{scenario:<30} {order_ap(scenario, n):.3f}")
