"""``baselines/parcel_weight.py``: parcels far lighter than what the order holds (空包).

Hand-built logs pin the rule (the catalogue weight times the quantity is what a parcel should
weigh; light counts twice as much as heavy; a cancelled order is neutral; carriers' offsets and
row order do not matter), and generated data checks that it finds naive self-purchase and
loses it when the ring ships real parcels.
"""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baseline_helpers import checked_output, evaluate, load_baseline, pattern_ap

SCALE = 0.05


pw = load_baseline("parcel_weight")


def _data(items: dict, orders: list, parcels: list) -> types.SimpleNamespace:
    """``items``: {item_id: grams}; ``orders``: (order_id, item_id, quantity);
    ``parcels``: (order_id, carrier, weighed grams, declared grams)."""
    return types.SimpleNamespace(
        items=pd.DataFrame({"item_id": list(items), "weight_g": list(items.values())}),
        orders=pd.DataFrame(orders, columns=["order_id", "item_id", "quantity"]),
        shipments=pd.DataFrame(parcels, columns=["order_id", "carrier", "weighed_weight_g",
                                                 "declared_weight_g"]))


def _honest(n: int, rng: np.random.Generator, carrier: str = "EMS", start: int = 0):
    """``n`` one-unit orders of item 1 (500 g) whose parcels carry 0-30% packaging."""
    weighed = np.round(500 * np.exp(rng.uniform(0.0, 0.3, n)))
    orders = [(start + i, 1, 1) for i in range(n)]
    parcels = [(start + i, carrier, w, 500) for i, w in enumerate(weighed)]
    return orders, parcels


def _scores(data, **params) -> pd.Series:
    return pd.Series(pw.ParcelWeight(**params).score(data), index=data.orders["order_id"])


# -- the rule ---------------------------------------------------------------------------------


def test_an_empty_parcel_outranks_every_honest_one_and_a_cancelled_order_is_neutral():
    orders, parcels = _honest(300, np.random.default_rng(0))
    orders += [(1000, 1, 1), (1001, 1, 1)]
    parcels += [(1000, "EMS", 25, 500)]              # a hollow box; 1001 was cancelled
    s = _scores(_data({1: 500}, orders, parcels))
    assert s[1000] > s.drop(1000).max()
    assert s[1001] == 0.0
    assert s.drop([1000, 1001]).median() == pytest.approx(0.0, abs=0.5)


def test_a_light_parcel_counts_twice_as_much_as_an_equally_heavy_one():
    # Residuals symmetric about the centre: one spread below scores twice one spread above.
    ratios = np.r_[np.linspace(-0.1, 0.1, 201), -0.6, 0.6]
    expected = 1000.0
    orders = [(i, 1, 1) for i in range(len(ratios))]
    parcels = [(i, "EMS", expected * np.exp(r), expected) for i, r in enumerate(ratios)]
    s = _scores(_data({1: expected}, orders, parcels))
    light, heavy = s[len(ratios) - 2], s[len(ratios) - 1]
    assert light == pytest.approx(2 * heavy)
    assert light > s.iloc[:-2].max()


def test_what_a_parcel_should_weigh_is_the_catalogue_weight_times_the_quantity():
    orders, parcels = _honest(300, np.random.default_rng(1))
    # Both parcels say 500 g (the shop's declaration); three units of a 500 g item are bought.
    orders += [(1000, 1, 3), (1001, 1, 3)]
    parcels += [(1000, "EMS", 1650, 500), (1001, "EMS", 550, 500)]
    s = _scores(_data({1: 500}, orders, parcels))
    assert s[1000] <= s.drop([1000, 1001]).quantile(0.99)   # the full parcel is ordinary
    assert s[1001] > s.drop(1001).max()                     # one unit's weight is not three


def test_an_item_missing_from_the_catalogue_falls_back_to_the_declared_weight():
    orders, parcels = _honest(300, np.random.default_rng(2))
    orders += [(1000, 7, 1), (1001, 7, 1)]           # item 7 is not in the catalogue
    parcels += [(1000, "EMS", 560, 500), (1001, "EMS", 30, 500)]
    s = _scores(_data({1: 500}, orders, parcels))
    assert s[1000] <= s.drop([1000, 1001]).quantile(0.99)
    assert s[1001] > s.drop(1001).max()


def test_the_parcels_of_one_order_are_weighed_together():
    orders, parcels = _honest(300, np.random.default_rng(3))
    one = _scores(_data({1: 500}, [*orders, (1000, 1, 2)],
                        [*parcels, (1000, "EMS", 1100, 1000)]))
    two = _scores(_data({1: 500}, [*orders, (1000, 1, 2)],
                        [*parcels, (1000, "EMS", 550, 500), (1000, "EMS", 550, 500)]))
    assert two[1000] == pytest.approx(one[1000])
    assert two[1000] <= two.drop(1000).quantile(0.99)


def test_a_carrier_whose_scales_read_heavy_is_not_taken_for_light_parcels():
    rng = np.random.default_rng(4)
    a_orders, a_parcels = _honest(400, rng, carrier="EMS")
    b_orders = [(o + 1000, i, q) for o, i, q in a_orders]
    # The same parcels on another carrier whose scales read 20% heavy.
    b_parcels = [(o + 1000, "SF", round(w * 1.2), d) for o, _, w, d in a_parcels]
    s = _scores(_data({1: 500}, a_orders + b_orders, a_parcels + b_parcels))
    a, b = s.loc[0:399].to_numpy(), s.loc[1000:1399].to_numpy()
    np.testing.assert_allclose(a, b, atol=0.25)    # grams are whole: the 20% is rounded


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_scores_ignore_row_order_and_the_unit_of_weight(draw):
    n = draw.draw(st.integers(5, 60))
    grams = st.integers(1, 20_000)
    items = {i: draw.draw(grams) for i in range(4)}
    item = draw.draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    qty = draw.draw(st.lists(st.integers(1, 5), min_size=n, max_size=n))
    weighed = draw.draw(st.lists(grams, min_size=n, max_size=n))
    carrier = draw.draw(st.lists(st.sampled_from(["EMS", "SF", "YT"]), min_size=n, max_size=n))
    shipped = draw.draw(st.lists(st.booleans(), min_size=n, max_size=n))
    orders = [(10 * k, item[k], qty[k]) for k in range(n)]
    parcels = [(10 * k, carrier[k], weighed[k], items[item[k]] * qty[k])
               for k in range(n) if shipped[k]]
    params = {"min_band": 10, "bands": 3}
    base = _scores(_data(items, orders, parcels), **params)
    assert np.isfinite(base).all()

    factor = draw.draw(st.integers(2, 1000))        # grams to another unit, every table alike
    perm = draw.draw(st.permutations(range(n)))
    moved = _data({i: g * factor for i, g in items.items()},
                  [orders[k] for k in perm],
                  [(o, c, w * factor, d * factor) for o, c, w, d in reversed(parcels)])
    again = _scores(moved, **params)
    np.testing.assert_allclose(again.reindex(base.index), base, rtol=1e-9, atol=1e-9)


# -- on generated data ------------------------------------------------------------------------


def test_protocol_one_finite_deterministic_score_per_order():
    checked_output(pw.ParcelWeight, "double11_phone_war_naive", SCALE)


def test_finds_empty_parcels_and_loses_real_ones():
    naive = evaluate("parcel_weight", "double11_phone_war_naive", SCALE)
    careful = evaluate("parcel_weight", "double11_phone_war_careful", SCALE)
    naive_ap = pattern_ap(naive, "self_purchase")
    share = naive["per_pattern"]["self_purchase"]["n_orders"] / naive["orders"]["n_orders"]
    assert naive_ap > 0.6 and naive_ap > 50 * share
    assert pattern_ap(careful, "self_purchase") < naive_ap / 2
    # Made for self-purchase: returns after a promotion ship real parcels.
    assert pattern_ap(naive, "post_promo_return") < 0.1
