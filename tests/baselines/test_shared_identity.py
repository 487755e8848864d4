"""``baselines/shared_identity.py``: rings of accounts linked by shared identifiers.

The kind weights and the component score on hand-built logs where they can be worked out by
hand, the hub cap, logs lacking identifier columns, a property test (row order and the ids'
values carry no information), and the detector's quality on generated supplier buy-backs.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baseline_helpers import checked_output, evaluate, load_baseline, pattern_ap

si = load_baseline("shared_identity")
SCALE = 0.05


def _orders(buyer, shop, device=None, payment=None, address=None, ip=None) -> pd.DataFrame:
    """One order per entry; an identifier left out is the buyer's own (shared with nobody)."""
    buyer = np.asarray(buyer)
    own = {"device_id": 10_000, "payment_account_id": 20_000, "address_id": 30_000}
    frame = pd.DataFrame({"order_id": np.arange(len(buyer)) + 1, "buyer_id": buyer,
                          "shop_id": shop})
    for column, given_ in (("device_id", device), ("payment_account_id", payment),
                           ("address_id", address)):
        frame[column] = own[column] + buyer if given_ is None else given_
    frame["ip"] = [f"10.0.{b // 256}.{b % 256}" for b in buyer] if ip is None else ip
    return frame


def _score(orders: pd.DataFrame, **params):
    return si.SharedIdentity(**params).score(SimpleNamespace(orders=orders))


# -- the weights -------------------------------------------------------------------------------


def test_a_kind_shared_by_nobody_weighs_one_and_a_nat_ip_almost_nothing():
    assert si.kind_weight(np.array([1, 1, 1, 1])) == 1.0
    assert si.kind_weight(np.array([2, 2])) == 0.5             # every user shares with one
    nat = si.kind_weight(np.array([1000, 1, 1, 1]))
    assert nat == pytest.approx(1003 / (1000**2 + 3))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 500), min_size=1, max_size=30))
def test_a_kind_weight_lies_between_one_over_its_biggest_identifier_and_one(sizes):
    w = si.kind_weight(np.array(sizes))
    assert 1 / max(sizes) - 1e-12 <= w <= 1.0
    assert (w == 1.0) == (max(sizes) == 1)


# -- the component score, by hand --------------------------------------------------------------


def _pair_on_one_device(shops_of_pair):
    """Buyers 1 and 2 share device 100 and order at ``shops_of_pair``; buyers 3..10 share
    nothing and order at shops 8 and 9."""
    buyers = [1, 2, *range(3, 11)]
    shops = [*shops_of_pair, *[8 + b % 2 for b in range(3, 11)]]
    device = [100, 100, *[10_000 + b for b in range(3, 11)]]
    return _orders(buyers, shops, device=device)


def test_two_accounts_on_one_device_buying_at_one_shop_score_as_worked_out():
    out = _score(_pair_on_one_device([7, 7]))
    w = 10 / 12          # device sizes: one of 2 accounts, eight of 1: sum n / sum n**2
    ring = w / 2         # one linked pair over 2 accounts, log2(2 co-buyers) = 1, focus 1
    own = w * np.log2(2)  # the order's own device, shared with one other account
    np.testing.assert_allclose(out.orders, [ring + 0.1 * own] * 2 + [0.0] * 8)
    assert out.buyers.to_dict() == pytest.approx({1: ring, 2: ring, **dict.fromkeys(
        range(3, 11), 0.0)})
    # Shop 7: two orders from the ring, plus the prior of 10 orders.
    assert out.shops.to_dict() == pytest.approx({7: 2 * ring / 12, 8: 0.0, 9: 0.0})


def test_linked_accounts_that_each_shop_elsewhere_are_no_ring():
    out = _score(_pair_on_one_device([7, 6]))
    assert (out.buyers == 0).all()
    w = 10 / 12
    np.testing.assert_allclose(out.orders[:2], 0.1 * w)   # only their own link strength


def test_a_ring_outranks_a_household_that_follows_the_crowd():
    # Ring: 4 accounts on one device, wallet and address, all buying at small shop 7.
    ring = _orders([1, 2, 3, 4] * 3, [7] * 12, device=[100] * 12, payment=[200] * 12,
                   address=[300] * 12)
    # Household: 4 accounts at one address, buying at the big shop 8 like everybody.
    house = _orders([11, 12, 13, 14] * 3, [8] * 12, address=[301] * 12)
    crowd = _orders(np.arange(100, 160), [8] * 40 + list(range(20, 40)))
    out = _score(pd.concat([ring, house, crowd], ignore_index=True))
    scores = np.asarray(out.orders)
    assert scores[:12].min() > scores[12:].max()
    assert out.buyers[[1, 2, 3, 4]].min() > out.buyers.drop([1, 2, 3, 4]).max()
    assert out.shops.idxmax() == 7


def test_identifiers_shared_by_more_accounts_than_the_cap_link_nobody():
    orders = _orders([1, 2, 3, 4, 5, 6], [7, 7, 7, 7, 8, 9], device=[100] * 4 + [101, 102])
    assert (np.asarray(_score(orders, hub_cap=50).orders)[:4] > 0).all()
    capped = _score(orders, hub_cap=3)
    assert (np.asarray(capped.orders) == 0).all()
    assert (capped.buyers == 0).all()


def test_one_nat_ip_does_not_glue_the_marketplace_into_one_ring():
    n = 200
    orders = _orders(np.arange(n), np.arange(n) % 5, ip=["100.64.0.1"] * n)
    out = _score(orders)
    assert (np.asarray(out.orders) == 0).all()


def test_missing_identifiers_link_nothing_and_missing_columns_are_named():
    orders = _orders([1, 2, 3], [7, 7, 8], device=[100, 100, 101])
    orders["ip"] = None
    orders["payment_account_id"] = pd.array([None, None, 5], dtype="Int64")
    with_nulls = np.asarray(_score(orders).orders)
    only_device = np.asarray(_score(orders[["order_id", "buyer_id", "shop_id",
                                            "device_id"]]).orders)
    assert (with_nulls[:2] > 0).all() and with_nulls[2] == 0
    assert (only_device[:2] > 0).all()
    with pytest.raises(KeyError, match="device_id"):
        _score(orders[["order_id", "buyer_id", "shop_id"]])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), perm_seed=st.integers(0, 2**32 - 1))
def test_scores_ignore_row_order_and_the_values_of_ids(seed, perm_seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 80))
    buyer = rng.integers(0, 25, n)
    orders = _orders(buyer, rng.integers(0, 6, n), device=rng.integers(0, 12, n),
                     payment=rng.integers(0, 15, n), address=rng.integers(0, 10, n),
                     ip=[f"10.0.0.{k}" for k in rng.integers(0, 4, n)])
    base = _score(orders)
    perm = np.random.default_rng(perm_seed).permutation(n)
    moved = orders.iloc[perm].reset_index(drop=True)
    for column in ("buyer_id", "shop_id", "device_id", "payment_account_id", "address_id"):
        moved[column] = moved[column] * 7919 + 13       # other ids, the same links
    moved["ip"] = "x" + moved["ip"]
    again = _score(moved)
    np.testing.assert_allclose(np.asarray(again.orders), np.asarray(base.orders)[perm],
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(again.buyers.sort_index().to_numpy(),
                               base.buyers.rename(lambda b: b * 7919 + 13).sort_index(),
                               rtol=1e-9, atol=1e-12)


# -- on generated data ------------------------------------------------------------------------


def test_protocol_one_finite_deterministic_score_per_order():
    data, _, buyers, shops = checked_output(lambda: si, "supplier_price_war_naive", SCALE)
    assert set(buyers.index) == set(data.orders.buyer_id)
    assert set(shops.index) == set(data.orders.shop_id)


#: Test seeds the careful ring is scored on: one careful supplier campaign per seed.
CAREFUL_SEEDS = range(8)


def test_finds_a_naive_supplier_ring_and_loses_a_careful_one():
    naive = evaluate("shared_identity", "supplier_price_war_naive", SCALE)
    naive_ap = pattern_ap(naive, "supplier_buyback")
    share = naive["per_pattern"]["supplier_buyback"]["n_orders"] / naive["orders"]["n_orders"]
    assert naive_ap > 0.8 and naive_ap > 100 * share
    # A careful supplier's accounts still gather on a few sites, an address and a wallet per
    # four accounts or so (the goods go back to stock: the pattern's trace), so on one seed
    # its ring may outscore every household and on the next lose to a large one: at scale
    # 0.05 its AP ranges 0.05-0.91 over seeds 0-11 (0.07-0.92 on generator 4). One seed is a
    # coin toss; the mean over seeds is what careful buys.
    careful = [pattern_ap(evaluate("shared_identity", "supplier_price_war_careful", SCALE,
                                   seed), "supplier_buyback") for seed in CAREFUL_SEEDS]
    assert np.mean(careful) < naive_ap - 0.2, np.round(careful, 3)
    # The beneficiary shop stands out from the 300 too.
    assert naive["shops"]["average_precision"] > 0.5
