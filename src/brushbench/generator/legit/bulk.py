"""Corporate procurement and resellers: large quantities, business hours, shared company accounts.

Several accounts of one company ship to one business address and often pay from one company
account: the same traces a supplier buy-back leaves, for honest reasons.
"""

from __future__ import annotations

import numpy as np

from ...market.clock import local_calendar
from ...market.drafts import CHANNEL, KIND, NO_PRICE, TAG_BULK, OrderDraft, pack_rows
from ...market.marketplace import Market, account_level, add_accounts, items_of
from ...scenario.model import BulkBuyers


def plan_bulk(bulk: BulkBuyers, market: Market, timezone: str, start: int, end: int,
              n_cities: int, skew: float, rng: np.random.Generator) -> tuple[OrderDraft, Market]:
    if bulk.accounts == 0 or bulk.orders == 0:
        return OrderDraft.empty(), market
    company = np.sort(rng.integers(0, max(bulk.accounts // 3, 1), size=bulk.accounts))
    _, company = np.unique(company, return_inverse=True)
    n_companies = int(company.max()) + 1
    age_days = rng.uniform(200, 2000, bulk.accounts)
    registered = start - np.rint(age_days * 86400).astype(np.int64)
    market, accounts = add_accounts(
        market, registered, company, rng.integers(0, n_cities, size=n_companies),
        rng.random(n_companies) < 0.7, rng, level=account_level(age_days, 0.5))

    n = int(rng.poisson(bulk.orders))
    # Business hours on weekdays: draw in the window, keep 09:00-18:00 Monday to Friday.
    pool = rng.integers(start, end, size=8 * n + 64)
    cal = local_calendar(pool, timezone, start)
    office = (cal.hour >= 9) & (cal.hour < 18) & (cal.weekday < 5)
    time = np.sort((pool[office] if office.sum() >= n else pool)[:n]).astype(np.int64)
    n = len(time)
    popularity = market.shop_popularity
    shop = np.searchsorted(np.cumsum(popularity), rng.random(n) * popularity.sum())
    shop = np.minimum(shop, market.n_shops - 1)
    return OrderDraft(
        row=pack_rows(TAG_BULK, 0, 0, np.arange(n)),
        time=time, shop=shop.astype(np.int64),
        item=items_of(market, shop, rng.random(n), skew),
        buyer=accounts[rng.integers(0, bulk.accounts, size=n)].astype(np.int64),
        quantity=np.maximum(np.rint(bulk.quantity.sample(rng, n)), 5).astype(np.int64),
        unit_price=np.full(n, NO_PRICE, dtype=np.int64),
        channel=np.full(n, CHANNEL["search"], dtype=np.int8),
        kind=np.full(n, KIND["bulk"], dtype=np.int8),
    ), market

