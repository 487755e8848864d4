"""Cut completed, time-sorted orders into the published Arrow tables.

Indices become public ids here (keyed bijections, :mod:`.ids`), codes become strings, and
after-sale rows keep the order of their orders, so every table is in order-time order.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset.tables import CHANNELS, LEGIT_KINDS, ORDER_STATUSES, table_schema
from ..market.seeds import integer_key
from .complete import NULL, REFUND_REASONS, OrderColumns
from .ids import scramble
from .plan import Plan

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

    tables["labels"] = label_table(plan, cols, ids, order_id)
    return tables


def label_table(plan: Plan, cols: OrderColumns, ids: IdMaker, order_id: pa.Array) -> pa.Table:
    """Per order: brushing or not, its campaign and shops, or its legitimate kind."""
    brushing = cols.campaign >= 0
    legit = ~brushing
    campaign = np.where(brushing, cols.campaign, 0)
    patterns = [c.pattern for c in plan.campaigns] or [""]
    campaign_ids = [c.campaign_id for c in plan.campaigns] or [""]
    no_beneficiary = cols.beneficiary < 0
    no_victim = cols.victim < 0
    return pa.Table.from_arrays([
        order_id, pa.array(brushing), _strings(patterns, campaign, legit),
        _strings(campaign_ids, campaign, legit),
        pa.array(ids("shop", np.maximum(cols.beneficiary, 0)), mask=no_beneficiary),
        pa.array(ids("shop", np.maximum(cols.victim, 0)), mask=no_victim),
        _strings(LEGIT_KINDS, np.maximum(cols.kind, 0), brushing),
    ], schema=table_schema("labels", plan.timezone))


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
    return {"buyers": buyers, "shops": shops, "items": items,
            "entity_labels": entity_table(plan, ids), "campaigns": campaign_table(plan, ids)}


# Entity types of the answer key and the id space each one's indices live in.
ENTITY_ID_SPACE = {"account": "buyer", "shop": "shop", "device": "device",
                   "distributor": "distributor", "payment_account": "payment",
                   "address": "address"}


def entity_table(plan: Plan, ids: IdMaker) -> pa.Table:
    """One row per (entity, role, campaign), sorted for a stable file."""
    rows: dict[str, list] = {"entity_type": [], "entity_id": [], "role": [], "campaign_id": []}
    for c in plan.campaigns:
        for entity_type, indices, role in c.entities:
            rows["entity_type"] += [entity_type] * len(indices)
            rows["entity_id"].append(ids(ENTITY_ID_SPACE[entity_type], indices))
            rows["role"] += [role] * len(indices)
            rows["campaign_id"] += [c.campaign_id] * len(indices)
    table = pa.table({
        "entity_type": pa.array(rows["entity_type"], pa.string()),
        "entity_id": pa.array(np.concatenate(rows["entity_id"]) if rows["entity_id"]
                              else np.zeros(0, np.int64)),
        "role": pa.array(rows["role"], pa.string()),
        "campaign_id": pa.array(rows["campaign_id"], pa.string()),
    }, schema=table_schema("entity_labels", plan.timezone))
    table = table.group_by(table.column_names, use_threads=False).aggregate([])
    return table.select(table_schema("entity_labels", plan.timezone).names).sort_by(
        [("campaign_id", "ascending"), ("entity_type", "ascending"), ("role", "ascending"),
         ("entity_id", "ascending")])


def campaign_table(plan: Plan, ids: IdMaker) -> pa.Table:
    cs = plan.campaigns
    return pa.Table.from_arrays([
        pa.array([c.campaign_id for c in cs], pa.string()),
        pa.array([c.pattern for c in cs], pa.string()),
        pa.array([ids("shop", np.asarray(c.shops, dtype=np.int64)).tolist() for c in cs],
                 pa.list_(pa.int64())),
        _ts(np.array([c.start for c in cs], dtype=np.int64), plan.timezone),
        _ts(np.array([c.end for c in cs], dtype=np.int64), plan.timezone),
        pa.array([c.orders for c in cs], pa.int64()),
        pa.array([c.camouflage for c in cs], pa.float64()),
    ], schema=table_schema("campaigns", plan.timezone))
