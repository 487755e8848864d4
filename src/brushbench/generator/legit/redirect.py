"""A shop redirects its own site's visitors to the marketplace (a sudden, legitimate jump).

The seed account of Xiaomi's 2013 Double 11 on Tmall: the brand pointed its own site's traffic at
its marketplace shop. Many of those buyers open a marketplace account minutes before ordering,
which looks like the fresh accounts of a brushing campaign.
"""

from __future__ import annotations

import numpy as np

from ...market.clock import to_epoch
from ...market.drafts import CHANNEL, KIND, NO_PRICE, TAG_REDIRECT, OrderDraft, pack_rows
from ...market.geography import Geography
from ...market.marketplace import (
    Market,
    add_accounts,
    buyers_by_activity,
    draw_cities,
    draw_levels,
    items_of,
)
from ...scenario.model import Marketplace as MarketSpec
from ...scenario.model import Redirect, Traffic


def plan_redirect(redirect: Redirect, index: int, traffic: Traffic, market: Market,
                  spec: MarketSpec, timezone: str, end: int, cities: Geography,
                  rng: np.random.Generator) -> tuple[OrderDraft, Market]:
    shop = int(market.shop_by_rank[min(redirect.shop_rank, market.n_shops) - 1])
    start = to_epoch(redirect.at, timezone)
    stop = min(start + redirect.duration, end)
    n = int(rng.poisson(redirect.orders * (stop - start) / redirect.duration))
    time = np.sort(rng.integers(start, max(stop, start + 1), size=n))
    is_new = rng.random(n) < redirect.new_account_share
    n_new = int(is_new.sum())
    signup = time[is_new] - np.rint(rng.exponential(1200.0, n_new)).astype(np.int64) - 30
    # New accounts live where buyers live and get their tier as any account opened outside
    # the population does (the same code as a ring's accounts).
    market, new_buyers = add_accounts(
        market, signup, np.arange(n_new), draw_cities(rng, spec, cities, n_new),
        np.zeros(n_new, dtype=bool), rng,
        level=draw_levels(rng, (time[is_new] - signup) / 86400))
    buyer = buyers_by_activity(market, rng.random(n))
    buyer[is_new] = new_buyers
    draft = OrderDraft(
        row=pack_rows(TAG_REDIRECT, 0, index, np.arange(n)),
        time=time.astype(np.int64), shop=np.full(n, shop),
        item=items_of(market, np.full(n, shop), rng.random(n), 2.5),
        buyer=buyer.astype(np.int64),
        quantity=np.maximum(np.rint(traffic.quantity.sample(rng, n)), 1).astype(np.int64),
        unit_price=np.full(n, NO_PRICE, dtype=np.int64),
        channel=np.full(n, CHANNEL["external"], dtype=np.int8),
        kind=np.full(n, KIND["redirect"], dtype=np.int8),
    )
    return draft, market
