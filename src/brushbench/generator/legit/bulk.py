"""Corporate procurement and resellers: large quantities, business hours, shared company accounts.

Several accounts of one company ship to one business address and often pay from one company
account: the same traces a supplier buy-back leaves, for honest reasons.

Small resellers (微商, 代购: a family or a small shop reselling one shop's goods to its own
customers) go further: a few accounts of family members or staff, one address, one wallet that
every order is paid from, and every order at the one shop whose goods they resell, in the one or
two units their customers asked for. That is exactly what a careful supplier's site looks like
(an address with several accounts, one payer and one shop), so that trace alone is ambiguous:
what still tells the supplier apart is how much stock goes back to its sites during the price
war, not that the site exists.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...market.clock import local_calendar
from ...market.drafts import KIND, NO_PRICE, TAG_BULK, OrderDraft, pack_rows
from ...market.geography import Geography
from ...market.marketplace import (
    Market,
    add_accounts,
    draw_account_ages,
    draw_channels,
    draw_cities,
    draw_levels,
    items_of,
    registration_times,
)
from ...scenario.model import BulkBuyers
from ...scenario.model import Marketplace as MarketSpec


def plan_bulk(bulk: BulkBuyers, market: Market, spec: MarketSpec, channels: Mapping[str, float],
              timezone: str, start: int, end: int, cities: Geography,
              rng: np.random.Generator) -> tuple[OrderDraft, Market]:
    """The bulk buyers' accounts and orders: companies buying cases wherever goods sell, and
    small resellers buying a few units at a time at the one shop whose goods they resell."""
    if bulk.accounts == 0 or bulk.orders == 0:
        return OrderDraft.empty(), market
    n_resale = int(np.rint(bulk.accounts * bulk.resellers))
    n_office = bulk.accounts - n_resale
    # Companies: about three accounts each.
    company = np.sort(rng.integers(0, max(n_office // 3, 1), size=n_office))
    _, company = np.unique(company, return_inverse=True)
    n_companies = int(company.max()) + 1 if n_office else 0
    # Resellers: a few accounts each, the last one cut to fit.
    sizes = np.maximum(np.rint(bulk.reseller_accounts.sample(rng, max(n_resale, 1))), 1)
    n_sites = int(np.searchsorted(np.cumsum(sizes), n_resale)) + 1 if n_resale else 0
    sizes = sizes[:n_sites].astype(np.int64)
    if n_sites:
        sizes[-1] -= int(sizes.sum() - n_resale)
    site = np.repeat(np.arange(n_sites), sizes)

    group = np.concatenate((company, n_companies + site)).astype(np.int64)
    # A reseller's accounts all pay from its one wallet (their own payment account is that
    # wallet); a company's have their own and often a company account besides.
    payment = np.concatenate((np.arange(n_office), n_office + site)).astype(np.int64)
    shares_payment = np.concatenate((rng.random(n_companies) < 0.7, np.zeros(n_sites, bool)))
    age_days = draw_account_ages(rng, spec, bulk.accounts)
    market, accounts = add_accounts(
        market, registration_times(start, age_days), group,
        draw_cities(rng, spec, cities, n_companies + n_sites), shares_payment, rng,
        payment_group=payment, level=draw_levels(rng, age_days))

    n = int(rng.poisson(bulk.orders))
    # Business hours on weekdays: draw in the window, keep 09:00-18:00 Monday to Friday.
    pool = rng.integers(start, end, size=8 * n + 64)
    cal = local_calendar(pool, timezone, start)
    office = (cal.hour >= 9) & (cal.hour < 18) & (cal.weekday < 5)
    time = np.sort((pool[office] if office.sum() >= n else pool)[:n]).astype(np.int64)
    n = len(time)
    popularity = market.shop_popularity
    cdf = np.cumsum(popularity)
    shop = np.minimum(np.searchsorted(cdf, rng.random(n) * cdf[-1]), market.n_shops - 1)
    quantity = np.maximum(np.rint(bulk.quantity.sample(rng, n)), 5)
    # The resellers' share of the orders: each at its reseller's one shop (picked as shoppers
    # pick shops, by popularity), by one of its accounts, a few units at a time.
    if n_sites == 0 or n_office == 0:
        resale = np.full(n, n_sites > 0)
    else:
        resale = rng.random(n) < bulk.reseller_orders
    k = int(resale.sum())
    buyer = np.empty(n, dtype=np.int64)
    buyer[~resale] = accounts[rng.integers(0, max(n_office, 1), size=n - k)]
    who = rng.integers(0, max(n_resale, 1), size=k)
    buyer[resale] = accounts[n_office + who]
    site_shop = np.minimum(np.searchsorted(cdf, rng.random(n_sites) * cdf[-1]),
                           market.n_shops - 1)
    shop[resale] = site_shop[site[who]]
    quantity[resale] = np.maximum(np.rint(bulk.reseller_quantity.sample(rng, k)), 1)
    return OrderDraft(
        row=pack_rows(TAG_BULK, 0, 0, np.arange(n)),
        time=time, shop=shop.astype(np.int64),
        item=items_of(market, shop, rng.random(n), spec.item_popularity_skew),
        buyer=buyer.astype(np.int64),
        quantity=quantity.astype(np.int64),
        unit_price=np.full(n, NO_PRICE, dtype=np.int64),
        channel=draw_channels(rng, channels, n),
        kind=np.full(n, KIND["bulk"], dtype=np.int8),
    ), market
