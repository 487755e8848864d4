"""competitor_framing: a rival's ring orders on the victim and cancels; the rival is to blame."""

from __future__ import annotations

import numpy as np
import pytest

from brushbench.generator.run import generate

from pattern_helpers_returns import (
    DAY,
    Dist,
    average_precision,
    base_scenario,
    campaign,
    campaign_entities,
    check_answer_key,
    entities,
    hours,
    joined,
)


def scenario(camouflage: float, **keys):
    keys = {"start": DAY.replace(hour=10), "duration": 3 * 3600, "shops": 3,
            "accounts": Dist.constant(4), "orders": Dist.constant(40), "single_order": 0.0,
            **keys}
    return base_scenario(fraud=(campaign("competitor_framing", camouflage=camouflage, **keys),))


@pytest.fixture(scope="module")
def naive():
    return generate(scenario(0.0), seed=13)


@pytest.fixture(scope="module")
def careful():
    return generate(scenario(1.0), seed=13)


def test_orders_sit_on_the_victim_and_serve_the_culprit(naive):
    o = joined(naive)
    fake = o[o.is_brushing]
    assert len(fake) == 120
    assert (fake.shop_id == fake.victim_shop_id).all()
    assert (fake.beneficiary_shop_id != fake.victim_shop_id).all()
    assert set(fake.victim_shop_id) == entities(naive, "victim", "shop")
    assert set(fake.beneficiary_shop_id) == entities(naive, "culprit", "shop") \
        == set(naive.campaigns.shops.iloc[0])
    # Each victim's rival sells in the same category.
    category = naive.shops.set_index("shop_id").category
    pairs = fake[["victim_shop_id", "beneficiary_shop_id"]].drop_duplicates()
    assert len(pairs) == 3
    assert (category[pairs.victim_shop_id].to_numpy()
            == category[pairs.beneficiary_shop_id].to_numpy()).all()


def test_naive_burst_is_cancelled_within_hours_without_reviews(naive):
    o = joined(naive, "refunds")
    fake = o[o.is_brushing]
    assert fake.status.eq("cancelled").all() and fake.reason.eq("cancelled").all()
    lag = hours(fake.requested_at - fake.created_at)
    assert (lag > 0).all() and (lag <= 6).all() and lag.median() < 2
    assert fake.quantity.min() >= 2 and fake.quantity.median() >= 4
    assert (hours(fake.created_at - fake.created_at.min()) < 0.5).mean() > 0.9
    assert not naive.reviews.order_id.isin(fake.order_id).any()
    assert not naive.shipments.order_id.isin(fake.order_id).any()  # cancelled before shipping


def test_buyers_link_to_the_rival_not_to_the_victim(naive):
    fake = naive.orders[naive.labels.is_brushing.to_numpy()]
    staff = entities(naive, "controller")
    assert staff and not staff & set(fake.buyer_id)          # staff run the ring, do not order
    # The fake buyers and the staff live in the rival's warehouse city, not the victim's.
    buyers = naive.buyers.set_index("buyer_id")
    shops = naive.shops.set_index("shop_id")
    lab = naive.labels[naive.labels.is_brushing].set_index("order_id")
    rival_city = shops.warehouse_city[lab.beneficiary_shop_id.loc[fake.order_id]].to_numpy()
    assert (buyers.city[fake.buyer_id].to_numpy() == rival_city).all()
    assert set(buyers.city[list(staff)]) <= set(shops.warehouse_city[list(
        entities(naive, "culprit", "shop"))])


@pytest.mark.parametrize("camouflage", [0.0, 1.0])
def test_fake_buyers_share_devices_with_the_staff(camouflage):
    # In the plan: each victim's ring labels its fake buyers, then its staff.
    ents, market = campaign_entities(scenario(camouflage), seed=13)
    fakes = [idx for kind, idx, role in ents if role == "fake_buyer"]
    staffs = [idx for kind, idx, role in ents if role == "controller"]
    assert len(fakes) == len(staffs) == 3
    shared = np.concatenate([
        np.isin(market.device_offset(fake), market.device_offset(staff))
        for fake, staff in zip(fakes, staffs, strict=True)])
    hired = np.concatenate(fakes) < market.n_organic  # organic population
    if camouflage == 0:
        assert shared.all() and len(shared) == 3 * 4 and not hired.any()
    else:                # hired brushers: real accounts of the population, on their own phones
        assert hired.all() and not shared.any() and len(shared) > 3 * 12


def test_careful_ring_keeps_some_orders_and_refunds_the_rest_like_ordinary_returns(careful):
    o = joined(careful, "refunds")
    fake = o[o.is_brushing]
    refunded = fake.status.eq("refunded")
    # kept: 0.4 of the orders at camouflage 1 (120 orders: a wide margin for chance)
    assert 0.2 < 1 - refunded.mean() < 0.6
    assert fake.status.isin(["refunded", "completed", "delivered"]).all()
    lag = hours(fake.requested_at - fake.created_at)[refunded]
    assert (lag >= 6).all()
    # Spread over days like ordinary returns (placed relative to the parcel, as theirs are),
    # not bunched a day or two after the order.
    legit = o[~o.is_brushing & o.status.eq("refunded")]
    legit_lag = hours(legit.requested_at - legit.created_at)
    assert lag.quantile(0.9) > 4 * 24
    assert abs(lag.median() - legit_lag.median()) < 2 * 24
    assert fake.quantity.median() == 1
    assert hours(fake.created_at.max() - fake.created_at.min()) > 2
    assert fake.groupby("shop_id").buyer_id.nunique().min() > 4


def test_naive_rival_may_frame_with_one_huge_order():
    data = generate(scenario(0.0, single_order=1.0), seed=5)
    o = joined(data, "refunds")
    fake = o[o.is_brushing]
    assert len(fake) == 3 and (fake.groupby("shop_id").size() == 1).all()
    assert (fake.quantity >= 200).all() and fake.status.eq("cancelled").all()
    assert (hours(fake.requested_at - fake.created_at) <= 6).all()


@pytest.mark.parametrize("which", ["naive", "careful"])
def test_answer_key_is_consistent(which, request):
    data = request.getfixturevalue(which)
    check_answer_key(data, "competitor_framing")
    assert entities(data, "controller") <= set(data.buyers.buyer_id)
    assert not entities(data, "victim", "shop") & entities(data, "culprit", "shop")


def quick_cancel_rule(data) -> float:
    """Units of the orders cancelled or refunded within 6 hours of being placed."""
    o = joined(data, "refunds")
    quick = hours(o.requested_at - o.created_at) <= 6
    return average_precision((quick * o.quantity).to_numpy(), o.is_brushing.to_numpy())


def test_naive_is_visibly_easier_than_careful_for_the_quick_cancel_rule(naive, careful):
    ap_naive, ap_careful = quick_cancel_rule(naive), quick_cancel_rule(careful)
    assert ap_naive > 0.8
    assert ap_naive > ap_careful + 0.2
