"""Cut completed, time-sorted orders into the published Arrow tables.

Indices become public ids here (keyed bijections, :mod:`.ids`), codes become strings, and
after-sale rows keep the order of their orders, so every table is in order-time order.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset.tables import CHANNELS, LEGIT_KINDS, ORDER_STATUSES, table_schema
from .complete import NULL, REFUND_REASONS, OrderColumns
from .ids import scramble
from .plan import Plan
from .seeds import integer_key

ENTITIES = ("buyer", "shop", "item", "device", "payment", "address", "distributor")


class IdMaker:
    """Public ids of a run's entities, one key per entity type."""

    def __init__(self, seed: int) -> None:
        self._keys = {e: integer_key(seed, "ids", e) for e in ENTITIES}

    def __call__(self, entity: str, index: np.ndarray) -> np.ndarray:
        return scramble(index, self._keys[entity])


def _ts(values: np.ndarray, tz: str, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, type=pa.timestamp("s", tz=tz), mask=mask)


def _strings(vocabulary: tuple[str, ...] | list[str], codes: np.ndarray,
             mask: np.ndarray | None = None) -> pa.Array:
    taken = pa.array(vocabulary, type=pa.string()).take(pa.array(codes.astype(np.int64)))
    if mask is not None:
        taken = pc.if_else(pa.array(mask), pa.nulls(len(codes), pa.string()), taken)
    return taken


def dotted_ips(ip: np.ndarray) -> pa.Array:
    """IPv4 addresses (uint32) as dotted strings."""
    octets = [pc.cast(pa.array((ip >> np.uint32(s)) & np.uint32(255)), pa.string())
              for s in (24, 16, 8, 0)]
    return pc.binary_join_element_wise(*octets, ".")


def order_tables(plan: Plan, cols: OrderColumns, ids: IdMaker) -> dict[str, pa.Table]:
    """The orders, shipments, refunds, reviews and labels of one sorted block."""
    tz = plan.timezone
    pools = plan.pools
    order_id = pa.array(cols.order_id)
    tables: dict[str, pa.Table] = {}
    no_dist = cols.distributor == NULL
    tables["orders"] = pa.Table.from_arrays([
        order_id, _ts(cols.created_at, tz), pa.array(ids("buyer", cols.buyer)),
        pa.array(ids("shop", cols.shop)), pa.array(ids("item", cols.item)),
        pa.array(cols.quantity.astype(np.int32)), pa.array(cols.unit_price),
        pa.array(cols.paid_amount), pa.array(cols.coupon_amount),
        _strings(CHANNELS, cols.channel), pa.array(ids("device", cols.device)),
        plan.ip_strings.take(pa.array(cols.ip)), pa.array(ids("payment", cols.payment)),
        pa.array(ids("address", cols.household)),
        pa.array(ids("distributor", np.where(no_dist, 0, cols.distributor)), mask=no_dist),
        _strings(ORDER_STATUSES, cols.status),
    ], schema=table_schema("orders", tz))

    shipped = np.flatnonzero(cols.shipped)
    pick = pa.array(shipped)
    carrier = cols.carrier[shipped]
    prefixes = _strings(pools.carrier_prefixes, carrier)
    numbers = pc.utf8_lpad(pc.cast(pa.array(cols.tracking_no[shipped]), pa.string()), 12, "0")
    city = list(pools.cities)
    tables["shipments"] = pa.Table.from_arrays([
        order_id.take(pick), _strings(pools.carriers, carrier),
        pc.binary_join_element_wise(prefixes, numbers, ""), _ts(cols.shipped_at[shipped], tz),
        _ts(cols.delivered_at[shipped], tz),
        pa.array(cols.declared_weight_g[shipped].astype(np.int32)),
        pa.array(cols.weighed_weight_g[shipped].astype(np.int32)),
        _strings(city, cols.origin_city[shipped]), _strings(city, cols.dest_city[shipped]),
    ], schema=table_schema("shipments", tz))

    refunded = np.flatnonzero(cols.has_refund)
    tables["refunds"] = pa.Table.from_arrays([
        order_id.take(pa.array(refunded)), _ts(cols.refund_requested_at[refunded], tz),
        _ts(cols.refunded_at[refunded], tz),
        _strings(REFUND_REASONS, cols.refund_reason[refunded]),
        pa.array(cols.refund_amount[refunded]),
    ], schema=table_schema("refunds", tz))

    reviewed = np.flatnonzero(cols.reviewed)
    tables["reviews"] = pa.Table.from_arrays([
        order_id.take(pa.array(reviewed)), _ts(cols.review_at[reviewed], tz),
        pa.array(cols.rating[reviewed].astype(np.int8)),
        plan.review_texts.take(pa.array(cols.review_text[reviewed])),
    ], schema=table_schema("reviews", tz))

    n = len(cols)
    tables["labels"] = pa.Table.from_arrays([
        order_id, pa.array(np.zeros(n, dtype=bool)), pa.nulls(n, pa.string()),
        pa.nulls(n, pa.string()), pa.nulls(n, pa.int64()), pa.nulls(n, pa.int64()),
        _strings(LEGIT_KINDS, cols.kind),
    ], schema=table_schema("labels", tz))
    return tables


def static_tables(plan: Plan, ids: IdMaker) -> dict[str, pa.Table]:
    """Buyers (by registration time), shops and items (by id): the marketplace itself."""
    tz = plan.timezone
    m = plan.market
    city = list(plan.pools.cities)
    categories = sorted(plan.scenario.marketplace.categories)
    buyer_ids = ids("buyer", np.arange(m.n_buyers))
    order = np.lexsort((buyer_ids, m.buyer_registered_at))
    buyers = pa.Table.from_arrays([
        pa.array(buyer_ids[order]), _ts(m.buyer_registered_at[order], tz),
        _strings(city, m.household_city[m.buyer_household][order]),
        pa.array(m.buyer_level[order]),
    ], schema=table_schema("buyers", tz))
    shop_ids = ids("shop", np.arange(m.n_shops))
    order = np.argsort(shop_ids)
    shops = pa.Table.from_arrays([
        pa.array(shop_ids[order]), _strings(categories, m.shop_category[order]),
        _strings(city, m.shop_city[order]), pa.array(m.shop_rank_before[order]),
    ], schema=table_schema("shops", tz))
    item_ids = ids("item", np.arange(len(m.item_shop)))
    order = np.argsort(item_ids)
    items = pa.Table.from_arrays([
        pa.array(item_ids[order]), pa.array(shop_ids[m.item_shop[order]]),
        _strings(categories, m.item_category[order]), pa.array(m.item_list_price[order]),
        pa.array(m.item_weight_g[order].astype(np.int32)),
    ], schema=table_schema("items", tz))
    empty = {name: table_schema(name, tz).empty_table() for name in ("entity_labels", "campaigns")}
    return {"buyers": buyers, "shops": shops, "items": items, **empty}
