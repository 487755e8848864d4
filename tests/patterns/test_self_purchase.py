"""self_purchase: the shop's own ring, empty parcels, a burst, one review text."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from brushbench.generator.run import generate

from fraud_fixtures import DAY, Dist, average_precision, base_scenario, campaign


def scenario(camouflage: float):
    return base_scenario(fraud=(campaign(
        "self_purchase", start=DAY, duration=6 * 3600, shops=4, accounts=Dist.constant(5),
        orders=Dist.constant(40), camouflage=camouflage),))


@pytest.fixture(scope="module")
def naive():
    return generate(scenario(0.0), seed=21)


@pytest.fixture(scope="module")
def careful():
    return generate(scenario(1.0), seed=21)


def _joined(data):
    return (data.orders.merge(data.labels, on="order_id")
            .merge(data.shipments, on="order_id", how="left"))


def test_naive_ring_leaves_the_classic_traces(naive):
    o = _joined(naive)
    fake = o[o.is_brushing]
    assert len(fake) == 160 and fake.status.eq("completed").all()
    # One device, one address near the warehouse, per shop's ring.
    per_shop = fake.groupby("shop_id").agg(devices=("device_id", "nunique"),
                                           addresses=("address_id", "nunique"))
    assert (per_shop.devices == 1).all() and (per_shop.addresses == 1).all()
    # Mostly empty parcels: lighter than the goods they declare (a real parcel weighs the goods
    # plus packaging; an empty one only the packaging, which can outweigh a very light item).
    light = fake.weighed_weight_g < fake.declared_weight_g
    assert light.mean() > 0.6
    assert (o.weighed_weight_g[~o.is_brushing] < o.declared_weight_g[~o.is_brushing]).mean() < 0.05
    # A burst: most orders within minutes of the start.
    minutes = (fake.created_at - fake.created_at.min()).dt.total_seconds() / 60
    assert (minutes < 30).mean() > 0.9
    # Fresh accounts, one five-star text per campaign.
    accounts = naive.buyers[naive.buyers.buyer_id.isin(fake.buyer_id)]
    assert (accounts.registered_at > fake.created_at.min() - np.timedelta64(11, "D")).all()
    reviews = naive.reviews.merge(naive.labels, on="order_id")
    fake_reviews = reviews[reviews.is_brushing]
    assert (fake_reviews.rating == 5).all() and fake_reviews.text.nunique() == 1


def test_labels_name_the_shop_and_its_ring(naive):
    lab = naive.labels[naive.labels.is_brushing]
    shops = set(naive.campaigns.shops.iloc[0])
    assert set(lab.beneficiary_shop_id) == shops and lab.victim_shop_id.isna().all()
    ent = naive.entity_labels
    assert set(ent.entity_id[ent.role == "beneficiary"]) == shops
    fake_buyers = set(naive.orders.buyer_id[naive.labels.is_brushing.to_numpy()])
    assert fake_buyers <= set(ent.entity_id[ent.role == "fake_buyer"])


def test_brushing_share_is_realistic(naive):
    assert naive.labels.is_brushing.mean() < 0.05


def parcel_rule(data) -> float:
    """A weight rule: how much lighter the parcel is than what it should hold."""
    o = _joined(data)
    ratio = (o.declared_weight_g / o.weighed_weight_g).fillna(0).to_numpy()
    return average_precision(ratio, o.is_brushing.to_numpy())


def test_naive_is_visibly_easier_than_careful_for_the_parcel_rule(naive, careful):
    ap_naive, ap_careful = parcel_rule(naive), parcel_rule(careful)
    assert ap_naive > 0.5
    assert ap_naive > ap_careful + 0.3


def test_brushing_lifts_the_shops_traffic_afterwards():
    # The re-ranking feedback: a brushed shop draws more organic orders in the hours after its
    # campaign (the boost fades as the ranking's memory forgets the fake sales).
    fraud = scenario(0.0).fraud[0]
    strong = base_scenario(traffic=dataclasses.replace(
        base_scenario().traffic, reranking=dataclasses.replace(
            base_scenario().traffic.reranking, strength=3.0, top_slots=10)))
    with_fraud = dataclasses.replace(strong, fraud=(dataclasses.replace(
        fraud, start=DAY.replace(hour=2), duration=1800, shop_ranks=(60, 120)),))
    a, b = generate(strong, seed=4), generate(with_fraud, seed=4)
    shops = list(b.campaigns.shops.iloc[0])
    after = b.orders.created_at[b.labels.is_brushing.to_numpy()].max()

    def organic(data):
        o = data.orders[~data.labels.is_brushing.to_numpy()]
        soon = (o.created_at > after) & (o.created_at < after + np.timedelta64(3, "h"))
        return int((o.shop_id.isin(shops) & soon).sum())

    assert organic(b) > 1.3 * organic(a)
