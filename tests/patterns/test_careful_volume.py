"""What every careful ring shares: hired brushers (真人刷单) and fake sales kept to a share of the
shop's real ones (``careful_share``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from brushbench.generator.run import generate
from brushbench.patterns.base import NAIVE_SHARE, blend

from fraud_fixtures import DAY, Dist, base_scenario, campaign

ORDERS = 400  # far more than any shop of the small base scenario sells in a morning


def scenario(pattern: str, camouflage: float, **keys):
    keys = {"start": DAY.replace(hour=8), "duration": 6 * 3600, "shops": 4,
            "shop_ranks": (1, 40), "accounts": Dist.constant(20),
            "orders": Dist.constant(ORDERS), **keys}
    return base_scenario(fraud=(campaign(pattern, camouflage=camouflage, **keys),))


def _fake_and_legit(data):
    fake = data.labels.is_brushing.to_numpy()
    return data.orders[fake], data.orders[~fake]


def _real_sales_in_span(data, shops):
    """Each shop's legitimate orders over the campaign's span (08:00 to 14:00)."""
    _, legit = _fake_and_legit(data)
    hour = legit.created_at.dt.hour
    in_span = legit[(hour >= 8) & (hour < 14)]
    return in_span.groupby("shop_id").size().reindex(shops, fill_value=0)


@pytest.mark.parametrize("pattern", ["self_purchase", "post_promo_return", "distributor_fake",
                                     "supplier_buyback"])
def test_a_careful_ring_keeps_to_a_share_of_the_shops_real_sales(pattern):
    careful = generate(scenario(pattern, 1.0, careful_share=0.25), seed=5)
    fake, _ = _fake_and_legit(careful)
    per_shop = fake.groupby("shop_id").size()
    real = _real_sales_in_span(careful, per_shop.index)
    # The cap reads the orders a shop could expect before the campaign (Poisson counts and the
    # re-ranking lift move the real ones around it): a quarter, with room for both.
    assert (per_shop < ORDERS).all()
    assert (per_shop <= 0.4 * real + 2).all(), (per_shop, real)


@pytest.mark.parametrize("pattern", ["self_purchase", "post_promo_return"])
def test_a_naive_ring_swamps_the_shop_whatever_its_size(pattern):
    naive = generate(scenario(pattern, 0.0, careful_share=0.25), seed=5)
    fake, _ = _fake_and_legit(naive)
    per_shop = fake.groupby("shop_id").size()
    assert (per_shop == ORDERS).all()
    assert (per_shop > 0.4 * _real_sales_in_span(naive, per_shop.index) + 2).all()


@given(share=st.floats(0.001, 10), low=st.floats(0, 1), high=st.floats(0, 1))
def test_the_cap_tightens_as_camouflage_grows(share, low, high):
    low, high = sorted((low, high))
    assert blend(NAIVE_SHARE, share, high) <= blend(NAIVE_SHARE, share, low) * (1 + 1e-12)
    assert blend(NAIVE_SHARE, share, 1.0) == pytest.approx(share)


@pytest.mark.parametrize("pattern", ["self_purchase", "post_promo_return",
                                     "competitor_framing", "distributor_fake"])
def test_careful_orders_come_from_hired_brushers_with_a_life_of_their_own(pattern):
    # A naive rival may frame its victim with one huge order instead (single_order): not the
    # ring this test is about.
    keys = ({"shop_ranks": (1, 10), "single_order": 0.0} if pattern == "competitor_framing"
            else {})
    naive = generate(scenario(pattern, 0.0, **keys), seed=6)
    careful = generate(scenario(pattern, 1.0, **keys), seed=6)
    for data, hired in ((naive, False), (careful, True)):
        fake, legit = _fake_and_legit(data)
        fake_buyers = fake.buyer_id.unique()
        # A hired brusher is a real shopper: it also buys for itself.
        shops_too = np.isin(fake_buyers, legit.buyer_id.unique()).mean()
        # One task per shop: about as many accounts as orders, not a few accounts reused.
        orders_per_account = fake.groupby(["shop_id", "buyer_id"]).size().mean()
        if hired:
            assert shops_too > 0.5 and orders_per_account < 1.5, (shops_too, orders_per_account)
        else:
            assert shops_too == 0 and orders_per_account > 3, (shops_too, orders_per_account)
