"""distributor_fake: one new distributor, one phone ordering again and again, refunds after the
commission settles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brushbench.generator.run import generate
from brushbench.scenario.model import Seconds

from fraud_fixtures import DAY, Dist, average_precision, base_scenario, campaign

START = DAY.replace(hour=8)
SEEDS = (41, 42, 43, 44)
DAY_S = pd.Timedelta(days=1)


def scenario(camouflage: float, **keys):
    # Three shops, each with its own distributor ring of 40 orders; as in the bundled
    # scenarios, a careful ring also recruits more accounts (3 naive, 40 careful).
    accounts = Dist.constant(3 + round(37 * camouflage))
    return base_scenario(fraud=(campaign("distributor_fake", start=START, shops=3,
                                         camouflage=camouflage, accounts=accounts, **keys),))


@pytest.fixture(scope="module")
def naive():
    return generate(scenario(0.0), seed=SEEDS[0])


@pytest.fixture(scope="module")
def careful():
    return generate(scenario(1.0), seed=SEEDS[0])


def _split(data) -> tuple[pd.DataFrame, pd.DataFrame]:
    fake = data.labels.is_brushing.to_numpy()
    return data.orders[fake], data.orders[~fake]


def _with_refunds(data) -> pd.DataFrame:
    fake, _ = _split(data)
    return fake.merge(data.refunds, on="order_id", how="left")


def test_each_ring_orders_through_a_new_distributor(naive):
    fake, legit = _split(naive)
    assert len(fake) == 120 and (fake.channel == "affiliate").all()
    rings = fake.groupby("shop_id").distributor_id.agg(["nunique", "first"])
    assert len(rings) == 3 and (rings["nunique"] == 1).all() and rings["first"].is_unique
    assert not fake.distributor_id.isin(legit.distributor_id.dropna()).any()
    ent = naive.entity_labels
    labelled = ent[(ent.entity_type == "distributor") & (ent.role == "distributor")]
    assert set(labelled.entity_id) == set(fake.distributor_id)


def test_careful_rings_go_through_established_affiliates(careful):
    fake, legit = _split(careful)
    rings = fake.groupby("shop_id").distributor_id.agg(["nunique", "first"])
    assert (rings["nunique"] == 1).all()
    # camouflage 1: every ring's link also carries honest orders, for other shops too.
    honest = legit[legit.distributor_id.isin(rings["first"])]
    assert set(honest.distributor_id) == set(rings["first"])
    assert (honest.groupby("distributor_id").shop_id.nunique() > 1).all()
    ent = careful.entity_labels
    labelled = ent[(ent.entity_type == "distributor") & (ent.role == "distributor")]
    assert set(labelled.entity_id) == set(fake.distributor_id)


def test_naive_ring_is_one_phone_one_wallet_one_address(naive, careful):
    fake, _ = _split(naive)
    per_ring = fake.groupby("distributor_id").agg(
        devices=("device_id", "nunique"), wallets=("payment_account_id", "nunique"),
        addresses=("address_id", "nunique"), accounts=("buyer_id", "nunique"),
        items=("item_id", "nunique"))
    assert (per_ring[["devices", "wallets", "addresses", "items"]] == 1).all().all()
    assert (per_ring.accounts <= 3).all()
    # The item is the shop's cheapest: the least money tied up per commission.
    items = naive.items.set_index("item_id")
    cheapest = items.groupby("shop_id").list_price.idxmin()
    assert (fake.item_id.to_numpy() == cheapest.loc[fake.shop_id].to_numpy()).all()
    # Careful: brushers from a task group order through the link with their own accounts,
    # phones, wallets and addresses, wherever they live.
    fake, _ = _split(careful)
    per_ring = fake.groupby("distributor_id").agg(
        devices=("device_id", "nunique"), addresses=("address_id", "nunique"))
    assert (per_ring.devices >= 30).all() and (per_ring.addresses >= 30).all()
    city = fake.merge(careful.buyers, on="buyer_id").groupby("distributor_id").city.nunique()
    assert (city > 3).all()


def test_naive_refunds_all_come_just_after_the_settlement(naive):
    r = _with_refunds(naive)
    assert r.requested_at.notna().all() and (r.status == "refunded").all()
    after = r.requested_at - r.created_at
    # Expected delivery (3 days) + settlement (7 days), then within hours.
    assert (after > 10 * DAY_S).all() and (after < 11 * DAY_S).all()
    assert naive.reviews.order_id.isin(r.order_id).sum() == 0


def test_settlement_moves_the_refunds():
    data = generate(scenario(0.0, settlement=Seconds(2 * 86400)), seed=SEEDS[0])
    after = _with_refunds(data).pipe(lambda r: r.requested_at - r.created_at)
    assert (after > 5 * DAY_S).all() and (after < 6 * DAY_S).all()


def test_careful_ring_keeps_most_orders_and_spreads_its_refunds(careful):
    r = _with_refunds(careful)
    refunded = r[r.requested_at.notna()]
    assert 0.02 < len(refunded) / len(r) < 0.25          # near the ordinary refund rate
    assert (r.status[r.requested_at.isna()] == "completed").all()
    after = refunded.requested_at - refunded.created_at
    assert (after > 10 * DAY_S).all() and after.max() - after.min() > 2 * DAY_S


def test_labels_campaigns_and_entities_agree(naive):
    lab, ent, camp = naive.labels, naive.entity_labels, naive.campaigns
    fake, _ = _split(naive)
    assert len(camp) == 1 and camp.pattern.iloc[0] == "distributor_fake"
    assert camp.orders.iloc[0] == lab.is_brushing.sum() == 120
    shops = set(camp.shops.iloc[0])
    assert set(fake.shop_id) == shops == set(lab.beneficiary_shop_id.dropna())
    roles = ent.groupby(["entity_type", "role"]).entity_id.apply(set)
    assert roles[("shop", "beneficiary")] == shops
    assert set(fake.buyer_id) <= roles[("account", "fake_buyer")] <= set(naive.buyers.buyer_id)
    assert roles[("device", "device")] == set(fake.device_id)
    assert roles[("distributor", "distributor")] <= set(naive.orders.distributor_id.dropna())
    t0 = pd.Timestamp(START, tz="Asia/Shanghai")
    assert fake.created_at.min() >= t0 and fake.created_at.max() < t0 + pd.Timedelta(hours=12)
    assert lab.is_brushing.mean() < 0.05


def distributor_rule(data) -> np.ndarray:
    """Orders per (distributor, device) pair, times the distributor's refund share."""
    o = data.orders.assign(refunded=data.orders.order_id.isin(data.refunds.order_id))
    pair = o.groupby(["distributor_id", "device_id"]).order_id.transform("size")
    share = o.groupby("distributor_id").refunded.transform("mean")
    return (pair * share).fillna(0).to_numpy(dtype=float)


def test_naive_ring_is_far_easier_for_a_distributor_rule_than_a_careful_one():
    ap = {}
    for cam in (0.0, 1.0):
        runs = [generate(scenario(cam), seed=s) for s in SEEDS]
        ap[cam] = np.mean([average_precision(distributor_rule(d),
                                             d.labels.is_brushing.to_numpy()) for d in runs])
    assert ap[0.0] > 0.9
    assert ap[0.0] > ap[1.0] + 0.4
