"""``score_orders`` on a generated dataset with a perfect, a random and a constant detector."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import brushbench
from brushbench.dataset.tables import LEGIT_KINDS
from brushbench.metrics import aggregate, budget_size, score_orders

from metrics_helpers import ref_average_precision


@pytest.fixture(scope="module")
def data():
    """mixed_naive: every pattern at camouflage 0, about 21,500 orders, 4% of them brushing."""
    return brushbench.generate("mixed_naive", scale=0.02, seed=1)


def _score(data, scores):
    return score_orders(data.labels, scores, orders=data.orders,
                        entity_labels=data.entity_labels, campaigns=data.campaigns)


def _entity_reference(data, scores, column, etype, roles):
    """Entity AP the slow way: pandas groupby max, positives from the entity labels."""
    best = data.orders.assign(s=scores).groupby(column)["s"].max()
    el = data.entity_labels
    positive = set(el.loc[(el.entity_type == etype) & el.role.isin(roles), "entity_id"])
    return ref_average_precision(best.index.isin(list(positive)), best.to_numpy())


def test_perfect_detector(data):
    y = data.labels["is_brushing"].to_numpy()
    r = _score(data, y.astype(float))
    json.dumps(r, allow_nan=False)
    n, P = len(y), int(y.sum())
    o = r["orders"]
    assert (o["n_orders"], o["n_positive"]) == (n, P)
    assert o["average_precision"] == 1.0 and o["roc_auc"] == 1.0
    assert o["recall_at_1pct_fpr"] == 1.0
    # Every order reviewed is brushing as long as the budget is smaller than the brushing
    # orders; recall is then the most the budget allows, and 1 once the budget exceeds them.
    for label, b in (("0p5pct", 0.005), ("1pct", 0.01), ("5pct", 0.05)):
        k = budget_size(b, n)
        assert o[f"precision_at_{label}"] == pytest.approx(min(1.0, P / k))
        assert o[f"recall_at_{label}"] == pytest.approx(min(1.0, k / P))
    assert budget_size(0.05, n) > P
    for name, entry in r["per_pattern"].items():
        assert entry["average_precision"] == 1.0, name
        assert entry["recall_at_5pct"] == pytest.approx(1.0), name
    for kind in [*LEGIT_KINDS, "all"]:
        assert r["false_alarms"][kind]["rate_at_1pct"] == 0.0, kind
    assert r["per_camouflage"]["0"]["n_orders"] == P
    assert r["buyers"]["average_precision"] == pytest.approx(_entity_reference(
        data, y.astype(float), "buyer_id", "account", ["fake_buyer", "controller", "supplier"]))
    # The framed shop receives fake orders (score 1) but is a victim, not a positive.
    assert r["shops"]["average_precision"] == pytest.approx(_entity_reference(
        data, y.astype(float), "shop_id", "shop", ["beneficiary", "culprit"]))
    assert r["shops"]["average_precision"] < 1.0


def test_random_detector(data):
    scores = np.random.default_rng(7).random(len(data.orders))
    r = _score(data, scores)
    o = r["orders"]
    assert abs(o["average_precision"] - o["base_rate"]) < 0.02
    assert abs(o["roc_auc"] - 0.5) < 0.04
    assert abs(o["recall_at_1pct_fpr"] - 0.01) < 0.02
    assert r["buyers"]["average_precision"] == pytest.approx(_entity_reference(
        data, scores, "buyer_id", "account", ["fake_buyer", "controller", "supplier"]))
    assert r["shops"]["average_precision"] == pytest.approx(_entity_reference(
        data, scores, "shop_id", "shop", ["beneficiary", "culprit"]))


def test_constant_detector(data):
    r = _score(data, np.full(len(data.orders), 0.5))
    o = r["orders"]
    n, P = o["n_orders"], o["n_positive"]
    assert o["average_precision"] == pytest.approx(o["base_rate"], rel=1e-12)
    assert o["roc_auc"] == 0.5
    assert o["recall_at_1pct_fpr"] == pytest.approx(0.01)
    # Every order shares the budget equally: precision = base rate, recall = budget share.
    for label, b in (("0p5pct", 0.005), ("1pct", 0.01), ("5pct", 0.05)):
        share = budget_size(b, n) / n
        assert o[f"precision_at_{label}"] == pytest.approx(P / n)
        assert o[f"recall_at_{label}"] == pytest.approx(share)
    share = budget_size(0.01, n) / n
    N = n - P
    for name, entry in r["per_pattern"].items():
        m = entry["n_orders"]
        assert entry["average_precision"] == pytest.approx(m / (m + N)), name
        assert entry["recall_at_1pct"] == pytest.approx(share), name
    for kind in LEGIT_KINDS:
        fa = r["false_alarms"][kind]
        assert fa["rate_at_1pct"] == pytest.approx(share), kind
    # A campaign of c orders is missed when all k picks avoid them: C(n - c, k) / C(n, k).
    k = budget_size(0.01, n)
    sizes = data.labels["campaign_id"].value_counts()
    expected = sum(1 - math.comb(n - int(c), k) / math.comb(n, k) for c in sizes)
    assert r["campaigns"]["caught_at_1pct"] == pytest.approx(expected)
    assert r["buyers"]["average_precision"] == pytest.approx(r["buyers"]["base_rate"])


def test_aggregate_over_two_random_seeds(data):
    runs = [_score(data, np.random.default_rng(seed).random(len(data.orders)))
            for seed in (1, 2)]
    a = aggregate(runs)
    json.dumps(a, allow_nan=False)
    ap = a["orders"]["average_precision"]
    assert ap["n"] == 2 and ap["min"] <= ap["mean"] <= ap["max"]
    assert a["orders"]["n_orders"]["std"] == 0.0
