"""Every bundled scenario loads, generates, and has the shape it promises."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import brushbench
from brushbench.scenario.bundled import bundled_names


@pytest.mark.parametrize("name", bundled_names())
def test_bundled_scenario_generates_and_cites_its_sources(name):
    scenario = brushbench.load_scenario(name)
    assert scenario.name == name and scenario.description and scenario.sources
    data = brushbench.generate(scenario, scale=0.01, seed=1)
    assert len(data.orders) > 0
    assert data.labels.order_id.tolist() == data.orders.order_id.tolist()


@pytest.fixture(scope="module")
def normal_week():
    return brushbench.generate("normal_week", seed=7)


def test_normal_week_shop_hours_resemble_the_shopee_2020_log(normal_week):
    # docs/sources.md#scl-log: non-empty shop-hours p50 1, p75 2, p90 4, p95 7, p99 51.
    o = normal_week.orders
    per_shop_hour = o.groupby(["shop_id", o.created_at.dt.floor("h")]).size()
    p50, p75, p90, p95, p99 = np.percentile(per_shop_hour, [50, 75, 90, 95, 99])
    assert p50 == 1 and p75 <= 3 and 3 <= p90 <= 6 and 5 <= p95 <= 10 and 15 <= p99 <= 120
    # 51.9% of shops took fewer than 3 orders in 5 days; the log lists only shops with orders
    # (the marketplace also has shops that sold nothing this week).
    per_shop = o.groupby("shop_id").size()
    assert 0.4 < (per_shop < 3).mean() < 0.7


def test_normal_week_repeat_buying_resembles_the_shopee_2020_log(normal_week):
    # docs/sources.md#scl-log: 85.5% of (shop, buyer) pairs have exactly one order.
    pairs = normal_week.orders.groupby(["shop_id", "buyer_id"]).size()
    assert 0.8 < (pairs == 1).mean() < 0.92
    assert (pairs >= 10).any()


def test_normal_week_follows_the_hour_of_day_profile(normal_week):
    hours = normal_week.orders.created_at.dt.hour.value_counts(normalize=True)
    assert hours[0] > 3 * hours[5] and hours[12] > 3 * hours[5]
    days = normal_week.orders.created_at.dt.normalize().value_counts().sort_index()
    assert days.iloc[4] > days.iloc[0]  # the week's volume rises, as in the log


def test_double11_midnight_burst_and_hard_negatives():
    data = brushbench.generate("double11", scale=0.05, seed=11)
    o = data.orders
    start = pd.Timestamp("2019-11-11", tz="Asia/Shanghai")
    first_hour = (o.created_at < start + pd.Timedelta(hours=1)).mean()
    assert 0.3 < first_hour < 0.55   # Double 11 2019: 37% of the day in the first hour
    kinds = set(data.labels.legit_kind)
    assert {"flash_sale", "split_order", "redirect", "bulk", "household"} <= kinds


def test_phone_war_rival_frames_a_shop_with_one_huge_order_and_a_cancelled_burst():
    data = brushbench.generate("double11_phone_war_naive", scale=0.05, seed=11)
    o = data.orders.merge(data.labels, on="order_id")
    framing = o[o.pattern == "competitor_framing"]
    sizes = framing.groupby("campaign_id").size().sort_values()
    assert len(sizes) == 2 and sizes.iloc[0] == 1 and sizes.iloc[1] >= 150
    huge = framing[framing.campaign_id == sizes.index[0]]
    assert huge.quantity.iloc[0] >= 100
    assert (framing.shop_id == framing.victim_shop_id).all()
    assert set(o.pattern.dropna()) == {"self_purchase", "post_promo_return", "competitor_framing"}
