"""Invariants every generated dataset keeps, over random valid scenarios (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brushbench.dataset.tables import OBSERVED_TABLES, PLATFORMS
from brushbench.generator.run import generate
from brushbench.market.geography import city_table
from brushbench.scenario.distributions import Dist
from brushbench.scenario.model import (
    BulkBuyers,
    FlashSale,
    Households,
    Marketplace,
    Promotion,
    Redirect,
    Refunds,
    Reviews,
    Seconds,
    Traffic,
    Window,
)

from builders import small_scenario

TIMEZONES = ["Asia/Shanghai", "America/New_York", "Europe/London", "UTC", "Asia/Kolkata"]


@st.composite
def platform_shares(draw):
    """Shares over a non-empty subset of the platforms, some of them possibly zero."""
    names = draw(st.lists(st.sampled_from(PLATFORMS), min_size=1, unique=True))
    shares = {name: draw(st.floats(0, 1)) for name in names}
    shares[names[0]] += 0.1  # a positive sum
    return shares


@st.composite
def scenarios(draw):
    tz = draw(st.sampled_from(TIMEZONES))
    start = dt.datetime(2020, 3, 1) + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 300)))
    hours = draw(st.integers(1, 72))
    duration = hours * 3600 + draw(st.integers(0, 59)) * 60
    window = Window(start=start, duration=Seconds(duration), timezone=tz)

    def inside(frac):
        return start + dt.timedelta(seconds=int(duration * frac))

    promotions = ()
    if draw(st.booleans()):
        promotions = (Promotion(start=inside(draw(st.floats(0, 0.9))),
                                duration=Seconds(draw(st.integers(3600, 86400))),
                                uplift=draw(st.floats(0.5, 8)),
                                burst_share=draw(st.floats(0, 0.6)),
                                burst_tau=Seconds(draw(st.integers(60, 3600)))),)
    shops = draw(st.integers(1, 200))
    flash = ()
    if draw(st.booleans()):
        flash = (FlashSale(at=inside(draw(st.floats(0, 0.95))),
                           shop_rank=draw(st.integers(1, shops)),
                           stock=draw(st.integers(1, 400)),
                           per_order_limit=draw(st.integers(1, 3))),)
    redirects = ()
    if draw(st.booleans()):
        redirects = (Redirect(at=inside(draw(st.floats(0, 0.95))), orders=draw(st.integers(0, 200)),
                              shop_rank=draw(st.integers(1, shops))),)
    return small_scenario(
        window=window,
        locale=draw(st.sampled_from(["zh_CN", "en_US"])),
        marketplace=Marketplace(
            shops=shops, buyers=draw(st.integers(1, 3000)), distributors=draw(st.integers(1, 30)),
            cities=draw(st.integers(1, 40)),
            households=Households(size=Dist.of("geom", p=draw(st.floats(0.3, 1.0))))),
        traffic=Traffic(orders=draw(st.integers(0, 3000)), promotions=promotions,
                        burstiness=draw(st.floats(0, 2)),
                        repeat_share=draw(st.floats(0, 1)), platforms=draw(platform_shares())),
        flash_sales=flash, redirects=redirects,
        bulk_buyers=BulkBuyers(accounts=draw(st.integers(0, 5)), orders=draw(st.integers(0, 40))),
        refunds=Refunds(rate=draw(st.floats(0, 0.5)), cancel_rate=draw(st.floats(0, 0.3)),
                        partial_share=draw(st.floats(0, 1))),
        reviews=Reviews(rate=draw(st.floats(0, 1))),
    )


def check_invariants(scenario, data) -> None:
    o = data.orders
    start = pd.Timestamp(scenario.window.start, tz=scenario.window.timezone)
    end = start + pd.Timedelta(seconds=scenario.window.duration)
    # Times in the window, rows sorted by time, ids unique.
    assert ((o.created_at >= start) & (o.created_at < end)).all()
    assert o.created_at.is_monotonic_increasing
    assert o.order_id.is_unique
    # Every order labelled exactly once, in the same order; all legitimate here.
    labels = data.labels
    assert labels.order_id.tolist() == o.order_id.tolist()
    assert labels.legit_kind.notna().all() and not labels.is_brushing.any()
    # Money: integer cents that add up.
    assert (o.quantity >= 1).all() and (o.unit_price > 0).all() and (o.coupon_amount >= 0).all()
    assert (o.paid_amount == o.quantity * o.unit_price - o.coupon_amount).all()
    assert (o.paid_amount > 0).all()
    # Refunds after their orders, never above what was paid; one per refunded/cancelled order.
    r = data.refunds.merge(o[["order_id", "created_at", "paid_amount", "status"]], on="order_id")
    assert len(r) == len(data.refunds)
    assert (r.requested_at > r.created_at).all() and (r.refunded_at >= r.requested_at).all()
    assert ((r.amount > 0) & (r.amount <= r.paid_amount)).all()
    assert set(r.order_id) == set(o.order_id[o.status != "completed"])
    assert data.refunds.order_id.is_unique
    # Parcels after orders; cancelled orders ship nothing.
    s = data.shipments.merge(o[["order_id", "created_at", "status"]], on="order_id")
    assert len(s) == len(data.shipments) and data.shipments.order_id.is_unique
    assert (s.shipped_at > s.created_at).all() and (s.delivered_at > s.shipped_at).all()
    assert set(s.order_id) == set(o.order_id[o.status != "cancelled"])
    assert (s.declared_weight_g > 0).all() and (s.weighed_weight_g > 0).all()
    # Reviews after delivery, ratings 1-5.
    v = data.reviews.merge(data.shipments[["order_id", "delivered_at"]], on="order_id")
    assert len(v) == len(data.reviews)
    assert (v.created_at > v.delivered_at).all() and v.rating.between(1, 5).all()
    # Every referenced entity exists; accounts exist before they order.
    assert set(o.buyer_id) <= set(data.buyers.buyer_id)
    assert set(o.shop_id) <= set(data.shops.shop_id)
    assert set(o.item_id) <= set(data.items.item_id)
    assert set(data.items.shop_id) <= set(data.shops.shop_id)
    reg = o.merge(data.buyers[["buyer_id", "registered_at"]], on="buyer_id")
    assert (reg.registered_at < reg.created_at).all()
    assert data.buyers.buyer_id.is_unique and data.shops.shop_id.is_unique
    # Distributors exactly on affiliate orders.
    assert (o.distributor_id.notna() == (o.channel == "affiliate")).all()
    # Platforms are the documented codes, none the scenario gives no share; a device is a
    # phone or a PC in all its orders.
    shares = scenario.traffic.platforms
    assert set(o.platform) <= {p for p in PLATFORMS if shares.get(p, 0) > 0}
    assert ((o.platform == "pc").groupby(o.device_id).nunique() <= 1).all()
    # Cities: the locale's real ones, at most as many as the scenario asks for.
    cities = set(data.buyers.city) | set(s.origin_city) | set(s.dest_city)
    homes = set(data.buyers.city) | set(data.shops.warehouse_city)
    assert len(homes) <= scenario.marketplace.cities
    table = city_table(scenario.locale)
    if table is not None:
        assert cities <= set(table.names)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32))
def test_invariants_hold_for_random_scenarios(scenario, seed):
    check_invariants(scenario, generate(scenario, seed=seed))


def test_invariants_hold_for_a_promotion_day(small, small_data):
    check_invariants(small, small_data)
    assert set(small_data.labels.legit_kind) == {"organic", "flash_sale", "split_order", "bulk",
                                                  "household", "redirect"}


def test_every_observed_table_is_present_and_typed(small_data):
    for name in OBSERVED_TABLES:
        table = small_data.arrow(name)
        assert table.num_rows > 0, name
    assert str(small_data.arrow("orders").schema.field("created_at").type) == (
        "timestamp[s, tz=Asia/Shanghai]")


def test_zero_orders_gives_empty_but_valid_tables():
    scenario = small_scenario(traffic=Traffic(orders=0), flash_sales=(), redirects=(),
                              bulk_buyers=BulkBuyers(accounts=0, orders=0))
    data = generate(scenario, seed=0)
    assert len(data.orders) == 0 and len(data.labels) == 0
    assert len(data.buyers) == scenario.marketplace.buyers


def test_seed_zero_is_a_seed(small):
    a = generate(dataclasses.replace(small, traffic=Traffic(orders=2000)), seed=0)
    b = generate(dataclasses.replace(small, traffic=Traffic(orders=2000)), seed=1)
    assert len(a.orders) > 0
    assert not np.array_equal(a.orders.order_id.to_numpy(), b.orders.order_id.to_numpy())


def test_no_account_is_older_than_the_marketplace(small_data, small):
    oldest = pd.Timestamp(small.window.start, tz="Asia/Shanghai") - pd.Timedelta(
        days=small.marketplace.max_account_age_days)
    assert (small_data.buyers.registered_at >= oldest).all()
    assert small_data.buyers.registered_at.min() < oldest + pd.Timedelta(days=365 * 5)
