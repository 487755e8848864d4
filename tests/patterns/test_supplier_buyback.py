"""supplier_buyback: bulk orders at the lowest price, shipped back to the supplier's warehouse."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from brushbench.generator.run import generate
from brushbench.patterns.supplier_buyback import supplier_sites

from pattern_helpers_returns import (
    DAY,
    Dist,
    average_precision,
    base_scenario,
    campaign,
    check_answer_key,
    entities,
    joined,
)


def scenario(camouflage: float, **keys):
    keys = {"start": DAY.replace(hour=8), "duration": 8 * 3600, "shops": 4,
            "accounts": Dist.constant(6), "orders": Dist.constant(30), **keys}
    return base_scenario(fraud=(campaign("supplier_buyback", camouflage=camouflage, **keys),))


@pytest.fixture(scope="module")
def naive():
    return generate(scenario(0.0), seed=12)


@pytest.fixture(scope="module")
def careful():
    # Twice the naive ring's accounts: spreading over accounts must not spread the sites.
    return generate(scenario(1.0, accounts=Dist.constant(12)), seed=12)


def _fake(data):
    o = joined(data, "shipments")
    o = o.merge(data.items[["item_id", "list_price"]], on="item_id")
    return o[o.is_brushing]


def test_naive_supplier_ships_bulk_to_one_warehouse_and_pays_from_one_account(naive):
    fake = _fake(naive)
    assert len(fake) == 120 and fake.status.eq("completed").all()
    per_shop = fake.groupby("shop_id").agg(
        accounts=("buyer_id", "nunique"), addresses=("address_id", "nunique"),
        payments=("payment_account_id", "nunique"), items=("item_id", "nunique"))
    assert (per_shop.accounts > 1).all()
    assert (per_shop.addresses == 1).all() and (per_shop.payments == 1).all()
    assert (per_shop["items"] == 1).all()                  # the promoted hero item
    # Bulk quantities, far above ordinary orders.
    legit = naive.orders[~naive.labels.is_brushing.to_numpy()]
    assert fake.quantity.min() >= 2 and fake.quantity.median() >= 20
    assert fake.quantity.median() > 10 * legit.quantity.median()
    # The lowest price: list price less 40%, to the yuan, with a shop's ending (.00, .90,
    # .99, ...), one price per item.
    expected = np.rint(fake.list_price * 0.6 / 10) * 10
    assert (fake.unit_price // 100 == expected // 100).all()
    assert (fake.groupby("item_id").unit_price.nunique() == 1).all()
    # Office hours, no reviews, local deliveries to the shop's own city.
    hours = fake.created_at.dt.hour
    assert ((hours >= 9) & (hours < 18)).all()
    assert not naive.reviews.order_id.isin(fake.order_id).any()
    assert (fake.origin_city == fake.dest_city).all()


def test_careful_supplier_splits_orders_over_a_few_addresses_in_one_city(careful):
    fake = _fake(careful)
    per_shop = fake.groupby("shop_id").agg(
        addresses=("address_id", "nunique"), payments=("payment_account_id", "nunique"),
        cities=("dest_city", "nunique"), devices=("device_id", "nunique"))
    assert (per_shop.addresses >= 2).all() and (per_shop.cities == 1).all()
    assert (per_shop.devices > 6).all()
    # Cases split into a shopper's one or two units, at the price every buyer pays: not the
    # explicit deepest price a naive supplier names.
    assert fake.quantity.median() <= 3
    deepest = np.rint(fake.list_price * 0.6 / 10) * 10
    assert (fake.unit_price != deepest).mean() > 0.5
    hours = fake.created_at.dt.hour
    assert ((hours >= 9) & (hours < 18)).all() and hours.nunique() > 3


def test_careful_supplier_still_gathers_its_goods_on_a_few_sites(careful):
    o = joined(careful)
    fake, legit = o[o.is_brushing], o[~o.is_brushing]
    per_shop = fake.groupby("shop_id").agg(
        accounts=("buyer_id", "nunique"), addresses=("address_id", "nunique"),
        payments=("payment_account_id", "nunique"))
    # Each site is one address paid from one business account: a few of them, not one per
    # account, so several accounts share each.
    assert (per_shop.addresses == per_shop.payments).all()
    assert (per_shop.addresses <= per_shop.accounts / 3).all()
    assert (fake.groupby("payment_account_id").address_id.nunique() == 1).all()
    site = fake.groupby(["shop_id", "address_id"]).agg(
        orders=("order_id", "size"), units=("quantity", "sum"), accounts=("buyer_id", "nunique"))
    assert site.accounts.min() >= 2          # of the about 4 per site, those that ordered
    # Far more orders and units from one shop than any ordinary address receives. (A site's
    # orders are its accounts' random picks, so the emptiest of a dozen sites can fall to a
    # handful on some seeds: the typical site is compared.)
    honest = legit.groupby(["shop_id", "address_id"]).agg(
        orders=("order_id", "size"), units=("quantity", "sum"))
    assert site.orders.median() > honest.orders.quantile(0.99)
    assert site.units.median() > 3 * honest.units.quantile(0.99)


@given(n=st.integers(1, 200), per_site=st.floats(1, 20), cam=st.floats(0, 1),
       more=st.floats(0, 1))
def test_sites_grow_from_one_warehouse_with_camouflage_but_stay_few(n, per_site, cam, more):
    sites = supplier_sites(n, per_site, cam)
    assert supplier_sites(n, per_site, 0.0) == 1
    assert 1 <= sites <= n
    assert supplier_sites(n, per_site, cam + (1 - cam) * more) >= sites
    # At most one site per per_site accounts: the accounts gather, however many.
    assert sites <= math.ceil(n / per_site)


@pytest.mark.parametrize("which", ["naive", "careful"])
def test_answer_key_is_consistent(which, request):
    data = request.getfixturevalue(which)
    check_answer_key(data, "supplier_buyback")
    lab = data.labels[data.labels.is_brushing]
    assert lab.victim_shop_id.isna().all()
    assert set(lab.beneficiary_shop_id) == set(data.campaigns.shops.iloc[0]) \
        == entities(data, "beneficiary", "shop")
    assert set(data.orders.buyer_id[data.labels.is_brushing.to_numpy()]) \
        <= entities(data, "supplier")


def test_a_span_without_office_hours_moves_to_the_next_opening():
    # Midnight to 01:00 holds no office hours: the supplier orders from 09:00, for an hour.
    data = generate(scenario(0.0, start=DAY, duration=3600, shops=1), seed=3)
    fake = data.orders[data.labels.is_brushing.to_numpy()]
    assert len(fake) == 30 and (fake.created_at.dt.hour == 9).all()


def warehouse_rule(data) -> float:
    """Units per order times the accounts that ship to the order's address."""
    o = joined(data)
    sharing = o.groupby("address_id").buyer_id.transform("nunique")
    return average_precision((o.quantity * sharing).to_numpy(), o.is_brushing.to_numpy())


def test_naive_is_visibly_easier_than_careful_for_the_warehouse_rule(naive, careful):
    ap_naive, ap_careful = warehouse_rule(naive), warehouse_rule(careful)
    assert ap_naive > 0.7
    assert ap_naive > ap_careful + 0.2
