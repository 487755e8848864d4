"""``baselines/gbdt.py``: the supervised reference (gradient-boosted trees on order features).

Features worked out by hand on a tiny log, features that ignore the row order and the answer
key, the missing-scikit-learn message, and the model's quality and determinism on generated
data (fit on one seed, score another).
"""

from __future__ import annotations

import importlib.util
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.metrics import score_orders

from baseline_helpers import baseline_file, dataset_pair, evaluate, pattern_ap


def _module(name: str = "baseline_gbdt"):
    spec = importlib.util.spec_from_file_location(name, baseline_file("gbdt"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


try:
    gb = _module()
except ImportError:  # scikit-learn missing: only the message test runs
    gb = None
needs_sklearn = pytest.mark.skipif(gb is None, reason="scikit-learn is not installed")

SCENARIO, SCALE = "mixed_naive", 0.02        # shared with other baselines' tests
T0 = pd.Timestamp("2019-11-11 10:00", tz="Asia/Shanghai")


def _tiny() -> SimpleNamespace:
    """Four orders: buyers 1 and 2 share device 50; buyer 1 orders twice from shop 7, ten
    minutes apart; order 11 is refunded three hours after it was placed; orders 11 and 12 carry
    the same review text."""
    h = pd.Timedelta(hours=1)
    orders = pd.DataFrame({
        "order_id": [11, 12, 13, 14],
        "created_at": [T0, T0 + pd.Timedelta(minutes=10), T0 + 2 * h, T0 + 3 * h],
        "buyer_id": [1, 1, 2, 3], "shop_id": [7, 7, 7, 8], "item_id": [70, 70, 71, 80],
        "quantity": [1, 2, 1, 1], "unit_price": [800, 800, 500, 1000],
        "paid_amount": [800, 1600, 500, 1000], "coupon_amount": [0, 0, 0, 0],
        "channel": ["search", "affiliate", "search", "recommend"],
        "device_id": [50, 50, 50, 51], "ip": ["1.1.1.1"] * 4,
        "payment_account_id": [60, 60, 61, 62], "address_id": [90, 90, 91, 92],
        "distributor_id": pd.array([None, 5, None, None], dtype="Int64"),
        "status": ["refunded", "completed", "completed", "completed"]})
    shipments = pd.DataFrame({
        "order_id": [11, 12, 13], "shipped_at": [T0 + 5 * h] * 3,
        "delivered_at": [T0 + 50 * h] * 3, "declared_weight_g": [500, 100, 300],
        "weighed_weight_g": [500, 50, 300], "origin_city": ["A", "A", "A"],
        "dest_city": ["A", "B", "B"]})
    refunds = pd.DataFrame({"order_id": [11], "requested_at": [T0 + 3 * h],
                            "refunded_at": [T0 + 4 * h], "reason": ["no_reason"],
                            "amount": [800]})
    reviews = pd.DataFrame({"order_id": [11, 12], "created_at": [T0 + 100 * h] * 2,
                            "rating": [5, 5], "text": ["Great!", "Great!"]})
    buyers = pd.DataFrame({"buyer_id": [1, 2, 3],
                           "registered_at": [T0 - pd.Timedelta(days=10)] * 3,
                           "city": ["A", "B", "C"], "level": [1, 2, 3]})
    shops = pd.DataFrame({"shop_id": [7, 8], "category": ["x", "y"],
                          "warehouse_city": ["A", "C"], "rank_before": [3, 4]})
    items = pd.DataFrame({"item_id": [70, 71, 80], "shop_id": [7, 7, 8],
                          "category": ["x", "x", "y"], "list_price": [1000, 500, 1000],
                          "weight_g": [500, 300, 200]})
    return SimpleNamespace(orders=orders, shipments=shipments, refunds=refunds, reviews=reviews,
                           buyers=buyers, shops=shops, items=items)


# -- features ----------------------------------------------------------------------------------


@needs_sklearn
def test_features_of_a_hand_built_log():
    f = gb.order_features(_tiny())
    assert len(f) == 4 and np.isfinite(f.fillna(0).to_numpy()).all()
    np.testing.assert_allclose(f["account_age_days"], [10, 10 + 10 / 1440, 10 + 2 / 24,
                                                       10 + 3 / 24])
    np.testing.assert_array_equal(f["device_buyers"], [2, 2, 2, 1])
    np.testing.assert_array_equal(f["buyer_shop_orders"], [2, 2, 1, 1])
    np.testing.assert_array_equal(f["buyer_shop_gap_s"], [np.nan, 600, np.nan, np.nan])
    np.testing.assert_allclose(f["price_vs_list"], [0.8, 0.8, 1.0, 1.0])
    np.testing.assert_allclose(f["weight_vs_catalog"], [1.0, 50 / 1000, 1.0, np.nan])
    np.testing.assert_array_equal(f["refunded"], [1, 0, 0, 0])
    np.testing.assert_allclose(f["refund_delay_h"], [3, np.nan, np.nan, np.nan])
    np.testing.assert_array_equal(f["review_text_repeats"], [2, 2, np.nan, np.nan])
    np.testing.assert_array_equal(f["same_city_parcel"], [1, 0, 0, np.nan])
    np.testing.assert_array_equal(f["buyer_in_warehouse_city"], [1, 1, 0, 1])
    np.testing.assert_array_equal(f["has_distributor"], [0, 1, 0, 0])
    np.testing.assert_allclose(f["shop_hour_share"], [2 / 3, 2 / 3, 1 / 3, 1.0])
    np.testing.assert_array_equal(f["hour_of_day"], [10, 10, 12, 13])        # local time


@needs_sklearn
@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_features_do_not_depend_on_the_row_order(seed):
    _, test = dataset_pair(SCENARIO, SCALE)
    data = test.without_answer_key()
    rng = np.random.default_rng(seed)
    names = ("orders", "shipments", "refunds", "reviews", "buyers", "shops", "items")
    shuffled = SimpleNamespace(**{
        name: getattr(data, name).sample(frac=1.0, random_state=rng).reset_index(drop=True)
        for name in names})
    want = gb.order_features(data).set_index(data.orders["order_id"].to_numpy())
    got = gb.order_features(shuffled).set_index(shuffled.orders["order_id"].to_numpy())
    pd.testing.assert_frame_equal(got.loc[want.index], want)


@needs_sklearn
def test_features_never_read_the_answer_key():
    train, _ = dataset_pair(SCENARIO, SCALE)
    pd.testing.assert_frame_equal(gb.order_features(train),
                                  gb.order_features(train.without_answer_key()))


# -- the model ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_fit():
    """The default model fitted on the training seed and its scores of the keyless test seed:
    fitted once for the quality and the determinism tests (the fit is the costly part)."""
    train, test = dataset_pair(SCENARIO, SCALE)
    data = test.without_answer_key()
    return data, gb.GradientBoosting().fit(train).score(data)


@needs_sklearn
def test_supervised_reference_scores_the_other_seed_well(default_fit):
    _, scores = default_fit
    _, test = dataset_pair(SCENARIO, SCALE)
    result = score_orders(test.labels, scores, orders=test.orders,
                          entity_labels=test.entity_labels, campaigns=test.campaigns)
    assert result["orders"]["average_precision"] >= 0.9
    for pattern in ("self_purchase", "click_farm", "distributor_fake"):
        assert pattern_ap(result, pattern) >= 0.8, pattern


@needs_sklearn
def test_a_handful_of_positives_is_learnt_not_diverged():
    # A few dozen supplier buy-back orders among ~50k: without the leaves' L2 penalty the
    # Newton steps blow up and the ranking collapses.
    result = evaluate("gbdt", "supplier_price_war_naive", 0.05)
    assert result["orders"]["n_positive"] <= 0.002 * result["orders"]["n_orders"]
    assert pattern_ap(result, "supplier_buyback") >= 0.9


@needs_sklearn
def test_fit_is_deterministic_and_scores_are_probabilities(default_fit):
    data, first = default_fit
    train, _ = dataset_pair(SCENARIO, SCALE)
    second = gb.GradientBoosting().fit(train).score(data)
    np.testing.assert_array_equal(first, second)
    assert len(first) == len(data.orders) and np.all((first >= 0) & (first <= 1))


@needs_sklearn
def test_scoring_before_fitting_or_fitting_one_class_says_so():
    with pytest.raises(RuntimeError, match="fit"):
        gb.GradientBoosting().score(_tiny())
    clean = _tiny()
    clean.labels = pd.DataFrame({"order_id": clean.orders["order_id"], "is_brushing": False})
    with pytest.raises(ValueError, match="single class"):
        gb.GradientBoosting().fit(clean)


def test_without_scikit_learn_the_error_says_what_to_install(monkeypatch):
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)        # import sklearn -> ImportError
    with pytest.raises(ImportError) as error:
        _module("baseline_gbdt_without_sklearn")
    message = str(error.value)
    assert "pip install 'brushbench[ml]'" in message and "\n" not in message
    assert error.value.__cause__ is None
