"""The legitimate traffic has the shapes the scenario asks for (the hard negatives included)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from brushbench.generator.run import generate
from brushbench.scenario.model import FlashSale, Promotion, Reranking, Seconds, Traffic

from builders import DAY, small_scenario


def test_promotion_opens_with_a_burst(small, small_data):
    o = small_data.orders
    organic = o[small_data.labels.legit_kind.isin(["organic", "household"]).to_numpy()]
    minutes = (organic.created_at - pd.Timestamp(DAY, tz="Asia/Shanghai")).dt.total_seconds() / 60
    first_hour = (minutes < 60).mean()
    burst = small.traffic.promotions[0].burst_share
    # The burst carries burst_share of the day, plus the plateau's share of the first hour.
    assert burst <= first_hour < burst + 0.12
    # ...and decays with burst_tau (20 min): each 10 minutes hold about e^-0.5 of the previous.
    spans = [((minutes >= a) & (minutes < a + 10)).sum() for a in (0, 10, 20)]
    assert spans[0] > 1.3 * spans[1] > 1.3 * 1.3 * spans[2] * 0.9


def test_flash_sale_sells_out_within_minutes_under_the_limit(small, small_data):
    sale = small.flash_sales[0]
    kinds = small_data.labels.legit_kind.to_numpy()
    flash = small_data.orders[np.isin(kinds, ["flash_sale", "split_order"])]
    assert flash.quantity.sum() == sale.stock
    assert flash.quantity.max() <= sale.per_order_limit
    opened = pd.Timestamp(sale.at, tz="Asia/Shanghai")
    assert flash.created_at.min() >= opened
    assert flash.created_at.quantile(0.9) < opened + pd.Timedelta(minutes=15)
    # Split orders: one buyer, several orders minutes apart, as the purchase limit forces.
    split = small_data.orders[kinds == "split_order"]
    per_buyer = split.groupby("buyer_id").created_at.agg(["count", "min", "max"])
    assert (per_buyer["count"] >= 2).all()
    assert ((per_buyer["max"] - per_buyer["min"]) < pd.Timedelta(hours=1)).mean() > 0.9


def test_redirect_brings_new_accounts_that_sign_up_just_before_ordering(small_data):
    kinds = small_data.labels.legit_kind.to_numpy()
    red = small_data.orders[kinds == "redirect"].merge(small_data.buyers, on="buyer_id")
    assert (red.channel == "external").all()
    fresh = (red.created_at - red.registered_at) < pd.Timedelta(hours=3)
    assert 0.4 < fresh.mean() < 0.8
    assert red.shop_id.nunique() == 1


def test_bulk_buyers_order_in_bulk_during_office_hours(small_data):
    kinds = small_data.labels.legit_kind.to_numpy()
    bulk = small_data.orders[kinds == "bulk"]
    hours = bulk.created_at.dt.hour
    assert ((hours >= 9) & (hours < 18)).all()
    # Companies buy cases (5 units or more); the smaller orders are small resellers', whose
    # few accounts pay from one wallet and buy at one shop (the supplier site's look-alike).
    small = bulk.quantity < 5
    assert 0 < small.sum() and (~small).mean() > 0.8
    resellers = bulk[bulk.address_id.isin(bulk.address_id[small])]
    assert (resellers.groupby("address_id").payment_account_id.nunique() == 1).all()
    assert (resellers.groupby("address_id").shop_id.nunique() == 1).all()
    assert resellers.buyer_id.nunique() > resellers.address_id.nunique()


def test_households_share_devices_across_accounts(small_data):
    kinds = small_data.labels.legit_kind.to_numpy()
    house = small_data.orders[kinds == "household"]
    accounts_per_device = house.groupby("device_id").buyer_id.nunique()
    assert (accounts_per_device > 1).any()
    organic = small_data.orders[kinds == "organic"]
    assert organic.groupby("device_id").buyer_id.nunique().max() == 1


def test_shop_popularity_is_heavy_tailed(small_data):
    per_shop = small_data.orders.shop_id.value_counts()
    top_share = per_shop.iloc[: max(len(per_shop) // 100, 1)].sum() / per_shop.sum()
    assert top_share > 0.05  # the top 1% of shops take far more than 1% of orders


def _orders_of(data, shop_rank: int, after: pd.Timestamp) -> int:
    shops = data.shops
    shop_id = shops.loc[shops.rank_before == shop_rank, "shop_id"].iloc[0]
    o = data.orders
    kinds = data.labels.legit_kind.to_numpy()
    organic = o[np.isin(kinds, ["organic", "household"])]
    return int(((organic.shop_id == shop_id) & (organic.created_at >= after)).sum())


def test_reranking_rewards_a_sales_spike_with_more_traffic():
    # A flash sale lifts a mid-ranked shop's sales; the re-ranking then sends it more organic
    # orders in the following hours than the same shop gets in the same log without the sale.
    at = DAY.replace(hour=6)
    without = small_scenario(
        traffic=Traffic(orders=20000, reranking=Reranking(strength=3.0, top_slots=5)),
        flash_sales=(), redirects=())
    with_sale = dataclasses.replace(without, flash_sales=(
        FlashSale(at=at, shop_rank=60, stock=3000, per_order_limit=3),))
    after = pd.Timestamp(at, tz="Asia/Shanghai") + pd.Timedelta(hours=1)
    boosted = _orders_of(generate(with_sale, seed=5), 60, after)
    baseline = _orders_of(generate(without, seed=5), 60, after)
    assert boosted > 1.5 * baseline


def test_promotion_raises_refunds(small):
    no_promo = small_scenario(traffic=Traffic(orders=20000), flash_sales=(), redirects=())
    promo = small_scenario(traffic=Traffic(orders=20000, promotions=(
        Promotion(start=DAY, duration=Seconds(86400), refund_uplift=3.0),)),
        flash_sales=(), redirects=())
    rate = [(generate(s, seed=2).orders.status == "refunded").mean() for s in (no_promo, promo)]
    assert rate[1] > 2.0 * rate[0]


def test_each_distributor_link_has_its_own_return_rate():
    # Half the traffic through 20 links (about 500 orders each): with no spread every link
    # returns about the marketplace's rate (binomial noise only); with it, links differ far
    # beyond chance, as links pushing poor goods come back more.
    channels = {"search": 0.5, "affiliate": 0.5}

    def link_rates(spread: float) -> pd.Series:
        sc = small_scenario(traffic=Traffic(orders=20000, channels=channels),
                            flash_sales=(), redirects=())
        sc = dataclasses.replace(sc, refunds=dataclasses.replace(sc.refunds,
                                                                 link_spread=spread))
        o = generate(sc, seed=3).orders
        o = o[o.distributor_id.notna()]
        return (o.status == "refunded").groupby(o.distributor_id).mean()

    flat, spread = link_rates(0.0), link_rates(0.8)
    assert len(flat) == len(spread) == 20
    assert spread.std() > 2 * flat.std()
    assert spread.max() > 2.5 * spread.median() and flat.max() < 2 * flat.median()
    # The mean factor is 1: the marketplace's return rate stays what the scenario says.
    assert abs(spread.mean() - flat.mean()) < 0.5 * flat.mean()
