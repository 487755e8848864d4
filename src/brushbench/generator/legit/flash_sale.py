"""Flash sales: a hot item sells out to a crowd in minutes under a per-order limit.

Buyers who want more than the limit split their purchase into several orders minutes apart,
which is exactly what the Shopee 2020 concentrate-rule flags (one buyer, three orders, a quarter
of an hour): these are the ``split_order`` hard negatives.
"""

from __future__ import annotations

import numpy as np

from ...market.clock import to_epoch
from ...market.drafts import CHANNEL, KIND, TAG_FLASH, OrderDraft, pack_rows
from ...market.marketplace import Market, buyers_by_activity
from ...scenario.model import FlashSale


def plan_flash_sale(sale: FlashSale, index: int, market: Market, timezone: str, end: int,
                    rng: np.random.Generator) -> OrderDraft:
    shop = int(market.shop_by_rank[min(sale.shop_rank, market.n_shops) - 1])
    item = int(market.shop_item_offset[shop])
    opens = to_epoch(sale.at, timezone)
    crowd = int(np.ceil(2.0 * sale.stock / max(sale.demand.mean(), 1.0))) + 10
    demand = np.maximum(np.rint(sale.demand.sample(rng, crowd)), 1).astype(np.int64)
    arrival = np.sort(opens + rng.exponential(sale.arrival_tau, crowd)).astype(np.int64)
    # Stock goes to buyers in arrival order; the last one served gets what is left.
    served_before = np.cumsum(demand) - demand
    served = served_before < sale.stock
    demand = np.minimum(demand[served], sale.stock - served_before[served])
    arrival = arrival[served]
    candidates = buyers_by_activity(market, rng.random(4 * len(demand) + 16))
    _, first = np.unique(candidates, return_index=True)
    buyers = candidates[np.sort(first)][: len(demand)]
    demand, arrival = demand[: len(buyers)], arrival[: len(buyers)]

    limit = sale.per_order_limit
    n_orders = -(-demand // limit)
    owner = np.repeat(np.arange(len(buyers)), n_orders)
    nth = np.arange(len(owner)) - np.repeat(np.cumsum(n_orders) - n_orders, n_orders)
    gaps = np.where(nth > 0, sale.split_gap.sample(rng, len(owner)), 0.0)
    # Cumulative gaps within each buyer's run of orders.
    run_start = np.repeat(np.cumsum(n_orders) - n_orders, n_orders)
    cum = np.cumsum(gaps)
    offset = cum - cum[run_start] + gaps[run_start]
    time = arrival[owner] + np.rint(offset).astype(np.int64)
    quantity = np.where(nth < n_orders[owner] - 1, limit,
                        demand[owner] - limit * (n_orders[owner] - 1))
    kind = np.where(n_orders[owner] > 1, KIND["split_order"], KIND["flash_sale"])
    price = int(max(np.rint(market.item_list_price[item] * (1 - sale.discount) / 10) * 10, 10))
    keep = time < end
    n = int(keep.sum())
    return OrderDraft(
        row=pack_rows(TAG_FLASH, 0, index, np.arange(n)),
        time=time[keep], shop=np.full(n, shop), item=np.full(n, item),
        buyer=buyers[owner][keep], quantity=quantity[keep].astype(np.int64),
        unit_price=np.full(n, price, dtype=np.int64),
        channel=np.full(n, CHANNEL["campaign"], dtype=np.int8), kind=kind[keep].astype(np.int8),
    )
