"""Invariants of every pattern's output, over random campaigns (hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brushbench import patterns
from brushbench.generator.run import generate
from brushbench.scenario.distributions import Dist
from brushbench.scenario.model import Traffic

from fraud_fixtures import DAY, base_scenario, campaign


@st.composite
def campaigns(draw):
    name = draw(st.sampled_from(patterns.names()))
    start = DAY + dt.timedelta(minutes=draw(st.integers(0, 20 * 60)))
    return campaign(
        name, start=start, duration=draw(st.integers(600, 4 * 3600)),
        shops=draw(st.integers(1, 3)), accounts=Dist.constant(draw(st.integers(1, 30))),
        orders=Dist.constant(draw(st.integers(1, 40))),
        camouflage=draw(st.floats(0, 1)))


@st.composite
def fraud_scenarios(draw):
    entries = tuple(draw(st.lists(campaigns(), min_size=1, max_size=3)))
    return base_scenario(traffic=Traffic(orders=draw(st.integers(500, 4000))),
                         flash_sales=(), redirects=(), fraud=entries)


def check(data) -> None:
    o, lab = data.orders, data.labels
    assert lab.order_id.tolist() == o.order_id.tolist()          # every order labelled once
    assert o.created_at.is_monotonic_increasing and o.order_id.is_unique
    fraud = lab.is_brushing.to_numpy()
    assert lab.pattern[fraud].notna().all() and lab.legit_kind[fraud].isna().all()
    assert lab.pattern[~fraud].isna().all() and lab.legit_kind[~fraud].notna().all()
    assert lab.beneficiary_shop_id[fraud].notna().all()
    # Campaign sizes as planned, and the campaigns table agrees with the labels.
    per_campaign = lab[fraud].groupby("campaign_id").size()
    table = data.campaigns.set_index("campaign_id")
    assert per_campaign.reindex(table.index, fill_value=0).tolist() == table.orders.tolist()
    assert set(table.pattern) <= set(patterns.names())
    # Refunds after orders, never above what was paid.
    r = data.refunds.merge(o[["order_id", "created_at", "paid_amount"]], on="order_id")
    assert (r.requested_at > r.created_at).all() and (r.refunded_at >= r.requested_at).all()
    assert ((r.amount > 0) & (r.amount <= r.paid_amount)).all()
    s = data.shipments.merge(o[["order_id", "created_at"]], on="order_id")
    assert (s.shipped_at > s.created_at).all() and (s.delivered_at > s.shipped_at).all()
    # Every labelled entity appears in the tables; accounts exist before they order.
    ent = data.entity_labels
    assert set(ent.entity_id[ent.entity_type == "account"]) <= set(data.buyers.buyer_id)
    assert set(ent.entity_id[ent.entity_type == "shop"]) <= set(data.shops.shop_id)
    assert set(ent.entity_id[ent.entity_type == "device"]) <= set(o.device_id)
    assert set(ent.entity_id[ent.entity_type == "distributor"]) <= set(o.distributor_id.dropna())
    reg = o.merge(data.buyers[["buyer_id", "registered_at"]], on="buyer_id")
    assert (reg.registered_at < reg.created_at).all()
    campaign_shops = {s for shops in data.campaigns.shops for s in shops}
    assert set(lab.beneficiary_shop_id.dropna()) <= campaign_shops | set(
        ent.entity_id[ent.role == "culprit"])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=fraud_scenarios(), seed=st.integers(0, 2**32))
def test_fraud_invariants_hold_for_random_campaigns(scenario, seed):
    check(generate(scenario, seed=seed))


def _legit(data) -> pd.DataFrame:
    keep = ~data.labels.is_brushing.to_numpy()
    return data.orders[keep].reset_index(drop=True)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entry=campaigns(), seed=st.integers(0, 2**32))
def test_adding_a_campaign_leaves_the_rest_of_the_log_unchanged(entry, seed):
    clean = base_scenario(traffic=Traffic(orders=6000))
    dirty = dataclasses.replace(clean, fraud=(entry,))
    a, b = generate(clean, seed=seed), generate(dirty, seed=seed)
    shops_hit = set(b.orders.shop_id[b.labels.is_brushing.to_numpy()])
    first_fraud = b.orders.created_at[b.labels.is_brushing.to_numpy()].min()
    la, lb = _legit(a), _legit(b)
    # Shops the campaign did not order from: identical legitimate rows, every column.
    untouched_a = la[~la.shop_id.isin(shops_hit)].reset_index(drop=True)
    untouched_b = lb[~lb.shop_id.isin(shops_hit)].reset_index(drop=True)
    pd.testing.assert_frame_equal(untouched_a, untouched_b)
    # Shops it ordered from: identical until the campaign starts (the re-ranking then feeds
    # them more traffic, which is the point of brushing).
    before_a = la[la.shop_id.isin(shops_hit) & (la.created_at < first_fraud)]
    before_b = lb[lb.shop_id.isin(shops_hit) & (lb.created_at < first_fraud)]
    pd.testing.assert_frame_equal(before_a.reset_index(drop=True), before_b.reset_index(drop=True))
    # Legitimate accounts and the marketplace are untouched; the ring's accounts are added.
    assert set(a.buyers.buyer_id) <= set(b.buyers.buyer_id)
    assert a.arrow("shops").equals(b.arrow("shops")) and a.arrow("items").equals(b.arrow("items"))
