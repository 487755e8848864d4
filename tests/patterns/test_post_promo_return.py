"""post_promo_return: orders placed during the promotion, refunded once it is over."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from brushbench.generator.run import generate

from pattern_helpers_returns import (
    DAY,
    PROMO_END,
    Dist,
    average_precision,
    base_scenario,
    campaign,
    check_answer_key,
    hours,
    joined,
)


def scenario(camouflage: float):
    return base_scenario(fraud=(campaign(
        "post_promo_return", start=DAY.replace(hour=20), duration=3 * 3600, shops=4,
        accounts=Dist.constant(6), orders=Dist.constant(40), camouflage=camouflage),))


@pytest.fixture(scope="module")
def naive():
    return generate(scenario(0.0), seed=11)


@pytest.fixture(scope="module")
def careful():
    return generate(scenario(1.0), seed=11)


def test_naive_ring_refunds_everything_within_hours_of_the_end(naive):
    o = joined(naive, "refunds")
    fake = o[o.is_brushing]
    assert len(fake) == 160 and fake.status.eq("refunded").all()
    assert (fake.created_at < PROMO_END).all()             # placed during the promotion
    after = hours(fake.requested_at - PROMO_END)
    assert (after > 0).all() and (after < 24).all() and after.median() < 6
    assert (fake.reason != "cancelled").all()              # returns, not cancellations
    assert not naive.reviews.order_id.isin(fake.order_id).any()
    # A burst from a few fresh accounts on one device per shop.
    assert (hours(fake.created_at - fake.created_at.min()) < 0.5).mean() > 0.9
    assert (fake.groupby("shop_id").device_id.nunique() == 1).all()
    accounts = naive.buyers[naive.buyers.buyer_id.isin(fake.buyer_id)]
    assert (accounts.registered_at > fake.created_at.min() - pd.Timedelta(days=11)).all()


def test_careful_ring_keeps_some_orders_and_returns_the_rest_over_days(careful):
    o = joined(careful, "refunds")
    fake = o[o.is_brushing]
    kept = fake.status.eq("completed").mean()
    assert 0.15 < kept < 0.45 and fake.status.isin(["completed", "refunded"]).all()
    back = fake[fake.status == "refunded"]
    # Returned as ordinary orders are, relative to the parcel, never before the end.
    days = hours(back.requested_at - PROMO_END) / 24
    assert (days > 0).all() and days.std() > 1 and days.max() > 7
    assert (fake.created_at < PROMO_END).all()
    assert hours(fake.created_at.max() - fake.created_at.min()) > 2     # spread over the span
    assert fake.groupby("shop_id").device_id.nunique().min() > 1


@pytest.mark.parametrize("which", ["naive", "careful"])
def test_answer_key_is_consistent(which, request):
    data = request.getfixturevalue(which)
    check_answer_key(data, "post_promo_return")
    lab = data.labels[data.labels.is_brushing]
    assert lab.victim_shop_id.isna().all()
    assert set(lab.beneficiary_shop_id) == set(data.campaigns.shops.iloc[0])


def rush_rule(data) -> float:
    """A refund (not a cancellation) asked for within 12 hours after the promotion's end."""
    o = joined(data, "refunds")
    after = hours(o.requested_at - PROMO_END)
    score = ((after >= 0) & (after <= 12) & (o.reason != "cancelled")).astype(float)
    return average_precision(score.to_numpy(), o.is_brushing.to_numpy())


def test_naive_is_visibly_easier_than_careful_for_the_rush_rule(naive, careful):
    ap_naive, ap_careful = rush_rule(naive), rush_rule(careful)
    assert ap_naive > 0.8
    assert ap_naive > ap_careful + 0.2


def test_orders_stay_inside_a_promotion_that_ends_before_the_span():
    # The promotion ends at 20:00; a campaign asked to run from 18:00 to 23:00 stops at 20:00
    # and refunds after it, although the window goes on.
    traffic = base_scenario().traffic
    short = dataclasses.replace(traffic.promotions[0], duration=20 * 3600)
    entry = campaign("post_promo_return", start=DAY.replace(hour=18), duration=5 * 3600,
                     orders=Dist.constant(50), camouflage=0.5)
    sc = base_scenario(traffic=dataclasses.replace(traffic, promotions=(short,)), fraud=(entry,))
    o = joined(generate(sc, seed=2), "refunds")
    fake = o[o.is_brushing]
    end = pd.Timestamp(DAY.replace(hour=20), tz="Asia/Shanghai")
    assert len(fake) == 50 and (fake.created_at < end).all()
    refunded = fake[fake.status == "refunded"]
    assert len(refunded) > 0 and (refunded.requested_at > end).all()
