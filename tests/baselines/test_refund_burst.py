"""``baselines/refund_burst.py``: refunds bunched in time by shops and buyers that refund a lot.

Hand-built logs pin the rule (a shop's burst against refunds that follow the marketplace's
timing, a buyer who refunds every order, cancellations not counted as returns, scores that do
not depend on the clock or the row order), and generated data checks that it finds naive
post-promotion returns and fake distributor orders and does worse on the careful variants.
"""

from __future__ import annotations

import types

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.harness import Scores

from baseline_helpers import checked_output, evaluate, load_baseline, pattern_ap

DAY11 = pd.Timestamp("2019-11-11", tz="Asia/Shanghai")
HOUR = 3600


rb = load_baseline("refund_burst")


def _times(seconds) -> pd.DatetimeIndex:
    return (DAY11 + pd.to_timedelta(np.asarray(seconds, dtype=np.int64), unit="s")).as_unit("s")


def _data(orders: list, refunds: list, category: dict | None = None) -> types.SimpleNamespace:
    """``orders``: (order_id, shop_id, buyer_id, seconds after midnight of Double 11, status);
    ``refunds``: (order_id, seconds of the request); ``category``: {shop_id: category}."""
    o = pd.DataFrame(orders, columns=["order_id", "shop_id", "buyer_id", "t", "status"])
    r = pd.DataFrame(refunds, columns=["order_id", "t"])
    shops = sorted(o["shop_id"].unique())
    category = category or {}
    return types.SimpleNamespace(
        orders=o.assign(created_at=_times(o.pop("t"))),
        refunds=r.assign(requested_at=_times(r.pop("t"))),
        shops=pd.DataFrame({"shop_id": shops,
                            "category": [category.get(s, "phones") for s in shops]}))


def _score(data, **params) -> tuple[pd.Series, pd.Series, pd.Series]:
    out = rb.RefundBurst(**params).score(data)
    assert isinstance(out, Scores)
    orders = pd.Series(np.asarray(out.orders), index=data.orders["order_id"].to_numpy())
    return orders, out.buyers, out.shops


def _marketplace(n_shops: int = 20, per_shop: int = 10, refunded: int = 5):
    """Shops of ``per_shop`` one-order buyers, ``refunded`` of whose orders are refunded at
    times spread over the marketplace's whole refund season (interleaved between shops)."""
    orders, refunds = [], []
    for s in range(1, n_shops + 1):
        for i in range(per_shop):
            oid = s * 1000 + i
            orders.append((oid, s, oid, i * 60 + s, "refunded" if i < refunded else "completed"))
            if i < refunded:
                refunds.append((oid, 24 * HOUR + (s + n_shops * i) * HOUR))
    return orders, refunds


# -- the rule ---------------------------------------------------------------------------------


def test_a_shops_burst_outranks_refunds_that_follow_the_marketplaces_timing():
    orders, refunds = _marketplace()
    # Shop 99: the same share refunded, by one-order buyers too, but all within ten minutes.
    for i in range(10):
        oid = 99_000 + i
        orders.append((oid, 99, oid, i * 60, "refunded" if i < 5 else "completed"))
        if i < 5:
            refunds.append((oid, 100 * HOUR + i * 120))
    o, _, shops = _score(_data(orders, refunds))
    burst = o[[99_000 + i for i in range(5)]]
    others = o.drop(burst.index)
    assert burst.min() > others.max()
    assert shops.idxmax() == 99


def test_a_buyer_who_refunds_every_order_outranks_one_who_refunds_one():
    orders, refunds = _marketplace()
    # Buyer 7: six orders across six shops, all refunded; buyer 8: six orders, one refunded.
    # Their refunds sit among the others' so that neither is a burst.
    for k in range(6):
        orders.append((70_000 + k, k + 1, 7, 3 * HOUR + k, "refunded"))
        refunds.append((70_000 + k, 24 * HOUR + (k * 30 + 7) * HOUR + 1800))
        orders.append((80_000 + k, k + 1, 8, 3 * HOUR + k, "refunded" if k == 0 else "completed"))
    refunds.append((80_000, 24 * HOUR + 11 * HOUR + 1800))
    o, buyers, _ = _score(_data(orders, refunds))
    assert buyers[7] > buyers[8]
    assert o[[70_000 + k for k in range(6)]].min() > o[80_000]
    # Kept orders score their buyer's ratio only: 0 for a buyer who refunds less than most.
    assert (o[[80_000 + k for k in range(1, 6)]] == 0).all()
    assert (o[[1000 * s + 9 for s in range(1, 21)]] == 0).all()


def test_a_shop_refunding_far_more_than_its_category_scores_above_its_peers():
    orders, refunds = _marketplace(refunded=2)
    for i in range(10):                       # shop 50 refunds 8 of 10, spread like the rest
        oid = 50_000 + i
        orders.append((oid, 50, oid, i * 60, "refunded" if i < 8 else "completed"))
        if i < 8:
            refunds.append((oid, 24 * HOUR + i * 23 * HOUR + 1800))
    o, _, shops = _score(_data(orders, refunds))
    assert shops.idxmax() == 50
    assert o[[50_000 + i for i in range(8)]].min() > o.drop(range(50_000, 50_010)).max()


def test_peers_are_the_other_shops_of_the_same_category():
    orders, refunds = _marketplace(refunded=2)
    # Shop 50 and ten more shops refund 8 orders of 10, spread like the rest.
    for s in [50, *range(200, 210)]:
        for i in range(10):
            oid = s * 1000 + i
            orders.append((oid, s, oid, i * 60, "refunded" if i < 8 else "completed"))
            if i < 8:
                refunds.append((oid, 24 * HOUR + (i * 23 + s % 50) * HOUR + 900))
    # Among apparel shops that all refund that much, shop 50 is ordinary; as the only apparel
    # shop, it is compared with the phone shops, the ten included.
    same = {s: "apparel" for s in [50, *range(200, 210)]}
    among_peers = _score(_data(orders, refunds, same))[2][50]
    alone = _score(_data(orders, refunds, {50: "apparel"}))[2][50]
    assert among_peers < alone
    assert among_peers <= 1.0 < alone


def test_refunds_asked_a_fixed_time_after_their_orders_bunch_even_when_spread_in_time():
    orders, refunds = [], []
    for k in range(100):                 # orders over eight days, refunded 1 to 9 days later
        shop, created = 1 + k % 20, k * 2 * HOUR
        orders.append((k, shop, 10_000 + k, created, "refunded"))
        refunds.append((k, created + (24 + (k * 37) % 200) * HOUR))
        orders.append((500 + k, shop, 20_000 + k, created + 60, "completed"))
    # Shop 99: five orders days apart, each refunded exactly 30 hours later.
    for i in range(5):
        created = (10 + 40 * i) * HOUR
        orders += [(900 + i, 99, 30_000 + i, created, "refunded"),
                   (950 + i, 99, 40_000 + i, created + 60, "completed")]
        refunds.append((900 + i, created + 30 * HOUR))
    o, _, shops = _score(_data(orders, refunds))
    assert o[[900 + i for i in range(5)]].min() > o.drop(range(900, 905)).max()
    assert shops.idxmax() == 99


def test_refunds_of_cancelled_orders_are_not_returns():
    orders, refunds = _marketplace()
    base = _score(_data(orders, refunds))
    # Shop 30's orders, cancelled and refunded within minutes: a cancellation, not a return.
    for i in range(10):
        orders.append((30_000 + i, 30, 30_000 + i, i, "cancelled"))
    with_cancelled = _score(_data(orders, [*refunds, *[(30_000 + i, 300 + i) for i in range(10)]]))
    assert (with_cancelled[0][[30_000 + i for i in range(10)]] == 0).all()
    pd.testing.assert_series_equal(with_cancelled[0].reindex(base[0].index), base[0])


def test_entity_scores_cover_every_buyer_and_shop_once():
    orders, refunds = _marketplace()
    data = _data(orders, refunds)
    o, buyers, shops = _score(data)
    assert set(buyers.index) == set(data.orders["buyer_id"]) and buyers.index.is_unique
    assert set(shops.index) == set(data.orders["shop_id"]) and shops.index.is_unique
    assert np.isfinite(o).all() and np.isfinite(buyers).all() and np.isfinite(shops).all()


def test_a_log_without_refunds_scores_zero_everywhere():
    orders, _ = _marketplace()
    o, buyers, shops = _score(_data(orders, []))
    assert (o == 0).all() and (buyers == 0).all() and (shops == 0).all()


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_scores_ignore_the_clock_and_the_row_order(draw):
    n = draw.draw(st.integers(3, 60))
    shop = draw.draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    buyer = draw.draw(st.lists(st.integers(1, 8), min_size=n, max_size=n))
    created = draw.draw(st.lists(st.integers(0, 86_399), min_size=n, max_size=n))
    status = draw.draw(st.lists(st.sampled_from(["completed", "refunded", "cancelled"]),
                                min_size=n, max_size=n))
    delay = draw.draw(st.lists(st.integers(60, 20 * 86_400), min_size=n, max_size=n))
    orders = [(k, shop[k], buyer[k], created[k], status[k]) for k in range(n)]
    refunds = [(k, created[k] + delay[k]) for k in range(n) if status[k] != "completed"]
    base = _score(_data(orders, refunds))

    shift = draw.draw(st.integers(-30 * 86_400, 30 * 86_400))
    perm = draw.draw(st.permutations(range(n)))
    moved = _data([(k, s, b, t + shift, st_) for k, s, b, t, st_ in (orders[i] for i in perm)],
                  [(k, t + shift) for k, t in reversed(refunds)])
    again = _score(moved)
    for a, b in zip(base, again, strict=True):
        assert np.isfinite(a).all()
        np.testing.assert_allclose(b.reindex(a.index), a, rtol=1e-9, atol=1e-12)


# -- on generated data ------------------------------------------------------------------------


def test_protocol_one_finite_deterministic_score_per_order():
    _, _, buyers, shops = checked_output(rb.RefundBurst, "double11_phone_war_naive", 0.05)
    assert buyers is not None and shops is not None


@pytest.mark.parametrize(("scenario", "scale", "pattern"), [
    ("double11_phone_war", 0.05, "post_promo_return"),
    ("distributor_fake", 0.3, "distributor_fake"),
])
def test_finds_naive_refund_bursts_and_does_worse_on_careful_ones(scenario, scale, pattern):
    naive = evaluate("refund_burst", f"{scenario}_naive", scale)
    careful = evaluate("refund_burst", f"{scenario}_careful", scale)
    naive_ap = pattern_ap(naive, pattern)
    share = naive["per_pattern"][pattern]["n_orders"] / naive["orders"]["n_orders"]
    assert naive_ap > 0.8 and naive_ap > 50 * share
    assert pattern_ap(careful, pattern) < naive_ap - 0.1
    assert naive["buyers"]["source"] == "detector"
    assert naive["buyers"]["average_precision"] > 10 * naive["buyers"]["base_rate"]
    # Made for refunds: self-purchase refunds its brushers off the platform.
    if "self_purchase" in naive["per_pattern"]:
        assert pattern_ap(naive, "self_purchase") < 0.1
