"""Cut completed, time-sorted orders into the published Arrow tables.

Indices become public ids here (keyed bijections, :mod:`.ids`), codes become strings, and
after-sale rows keep the order of their orders, so every table is in order-time order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..dataset.tables import (
    CHANNELS,
    LEGIT_KINDS,
    ORDER_STATUSES,
    PLATFORMS,
    build_table,
    table_schema,
)
from ..market.seeds import integer_key
from .complete import NULL, REFUND_REASONS, OrderColumns
from .ids import scramble
from .plan import Plan

#: Buyers per part of the buyers table: bounds its memory at any number of buyers.
BUYER_CHUNK = 500_000

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
    # A null index takes a null: cheaper than taking every string and blanking some.
    indices = pa.array(codes.astype(np.int64), mask=mask)
    return pa.array(vocabulary, type=pa.string()).take(indices)


@functools.cache
def _ip_halves() -> pa.Array:
    """"a.b" for each 16-bit half of an IPv4 address (65,536 strings, made once)."""
    return pa.array([f"{i >> 8}.{i & 255}" for i in range(1 << 16)], type=pa.string())


def dotted_ips(ip: np.ndarray) -> pa.Array:
    """IPv4 addresses (uint32) as dotted strings."""
    # Two look-ups of the halves and one join: 2.5x faster than formatting four octets.
    ip = np.asarray(ip, dtype=np.uint32)
    halves = _ip_halves()
    high = pa.array((ip >> np.uint32(16)).astype(np.int32))
    low = pa.array((ip & np.uint32(0xFFFF)).astype(np.int32))
    return pc.binary_join_element_wise(halves.take(high), halves.take(low), ".")


def order_tables(plan: Plan, cols: OrderColumns, ids: IdMaker) -> dict[str, pa.Table]:
    """The orders, shipments, refunds, reviews and labels of one sorted block."""
    tz = plan.timezone
    pools = plan.pools
    order_id = pa.array(cols.order_id)
    tables: dict[str, pa.Table] = {}
    no_dist = cols.distributor == NULL
    tables["orders"] = build_table("orders", tz, {
        "order_id": order_id,
        "created_at": _ts(cols.created_at, tz),
        "buyer_id": pa.array(ids("buyer", cols.buyer)),
        "shop_id": pa.array(ids("shop", cols.shop)),
        "item_id": pa.array(ids("item", cols.item)),
        "quantity": pa.array(cols.quantity.astype(np.int32)),
        "unit_price": pa.array(cols.unit_price),
        "paid_amount": pa.array(cols.paid_amount),
        "coupon_amount": pa.array(cols.coupon_amount),
        "channel": _strings(CHANNELS, cols.channel),
        "device_id": pa.array(ids("device", cols.device)),
        "platform": _strings(PLATFORMS, cols.platform),
        "ip": dotted_ips(plan.ips(cols.ip)),
        "payment_account_id": pa.array(ids("payment", cols.payment)),
        "address_id": pa.array(ids("address", cols.household)),
        "distributor_id": pa.array(ids("distributor", np.where(no_dist, 0, cols.distributor)),
                                   mask=no_dist),
        "status": _strings(ORDER_STATUSES, cols.status),
    })

    shipped = np.flatnonzero(cols.shipped)
    pick = pa.array(shipped)
    carrier = cols.carrier[shipped]
    prefixes = _strings(pools.carrier_prefixes, carrier)
    numbers = pc.utf8_lpad(pc.cast(pa.array(cols.tracking_no[shipped]), pa.string()), 12, "0")
    city = list(pools.cities)
    tables["shipments"] = build_table("shipments", tz, {
        "order_id": order_id.take(pick),
        "carrier": _strings(pools.carriers, carrier),
        "tracking_id": pc.binary_join_element_wise(prefixes, numbers, ""),
        "shipped_at": _ts(cols.shipped_at[shipped], tz),
        "delivered_at": _ts(cols.delivered_at[shipped], tz),
        "declared_weight_g": pa.array(cols.declared_weight_g[shipped].astype(np.int32)),
        "weighed_weight_g": pa.array(cols.weighed_weight_g[shipped].astype(np.int32)),
        "origin_city": _strings(city, cols.origin_city[shipped]),
        "dest_city": _strings(city, cols.dest_city[shipped]),
    })

    refunded = np.flatnonzero(cols.has_refund)
    tables["refunds"] = build_table("refunds", tz, {
        "order_id": order_id.take(pa.array(refunded)),
        "requested_at": _ts(cols.refund_requested_at[refunded], tz),
        "refunded_at": _ts(cols.refunded_at[refunded], tz),
        "reason": _strings(REFUND_REASONS, cols.refund_reason[refunded]),
        "amount": pa.array(cols.refund_amount[refunded]),
    })

    reviewed = np.flatnonzero(cols.reviewed)
    tables["reviews"] = build_table("reviews", tz, {
        "order_id": order_id.take(pa.array(reviewed)),
        "created_at": _ts(cols.review_at[reviewed], tz),
        "rating": pa.array(cols.rating[reviewed].astype(np.int8)),
        "text": plan.review_texts.take(pa.array(cols.review_text[reviewed])),
    })

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
    return build_table("labels", plan.timezone, {
        "order_id": order_id,
        "is_brushing": pa.array(brushing),
        "pattern": _strings(patterns, campaign, legit),
        "campaign_id": _strings(campaign_ids, campaign, legit),
        "beneficiary_shop_id": pa.array(ids("shop", np.maximum(cols.beneficiary, 0)),
                                        mask=no_beneficiary),
        "victim_shop_id": pa.array(ids("shop", np.maximum(cols.victim, 0)), mask=no_victim),
        "legit_kind": _strings(LEGIT_KINDS, np.maximum(cols.kind, 0), brushing),
    })


def static_tables(plan: Plan, ids: IdMaker) -> Iterator[tuple[str, pa.Table]]:
    """Buyers (by registration time, in chunks of bounded size), shops and items (by id), the
    answer key's entities and campaigns: the marketplace itself, as (table name, part)."""
    yield from buyer_tables(plan, ids)
    yield from market_tables(plan, ids)


def buyer_tables(plan: Plan, ids: IdMaker) -> Iterator[tuple[str, pa.Table]]:
    """The buyers table, a chunk of bounded size at a time (by registration time)."""
    tz = plan.timezone
    m = plan.market
    city = list(plan.pools.cities)
    for chunk in buyer_chunks(plan):
        yield "buyers", build_table("buyers", tz, {
            "buyer_id": pa.array(ids("buyer", chunk)),
            "registered_at": _ts(m.registered_at(chunk), tz),
            "city": _strings(city, m.city_of(chunk)),
            "level": pa.array(m.level(chunk)),
        })


def market_tables(plan: Plan, ids: IdMaker) -> Iterator[tuple[str, pa.Table]]:
    """Shops and items (by id), the answer key's entities and campaigns, each whole."""
    tz = plan.timezone
    m = plan.market
    categories = sorted(plan.scenario.marketplace.categories)
    city = list(plan.pools.cities)
    shop_ids = ids("shop", np.arange(m.n_shops))
    order = np.argsort(shop_ids)
    shops = build_table("shops", tz, {
        "shop_id": pa.array(shop_ids[order]),
        "category": _strings(categories, m.shop_category[order]),
        "warehouse_city": _strings(city, m.shop_city[order]),
        "rank_before": pa.array(m.shop_rank_before[order]),
    })
    item_ids = ids("item", np.arange(len(m.item_shop)))
    order = np.argsort(item_ids)
    items = build_table("items", tz, {
        "item_id": pa.array(item_ids[order]),
        "shop_id": pa.array(shop_ids[m.item_shop[order]]),
        "category": _strings(categories, m.item_category[order]),
        "list_price": pa.array(m.item_list_price[order]),
        "weight_g": pa.array(m.item_weight_g[order].astype(np.int32)),
    })
    yield "shops", shops
    yield "items", items
    yield "entity_labels", entity_table(plan, ids)
    yield "campaigns", campaign_table(plan, ids)


def buyer_chunks(plan: Plan, size: int = BUYER_CHUNK) -> Iterator[np.ndarray]:
    """Every buyer once, in (registration time, buyer id) order, about ``size`` at a time.

    The marketplace's own buyers come in age-rank order (oldest first), which is registration
    order (:mod:`brushbench.market.population`); the few appended accounts are merged in where
    their times fall. Buyers that share the last second of a chunk wait for the next one, so a
    tie is sorted by id across chunk edges too.
    """
    m = plan.market
    pop = m.population
    ids = IdMaker(plan.seed)
    extra = m.n_organic + np.arange(m.n_buyers - m.n_organic)
    extra_at = m.extra_registered_at
    extra = extra[np.lexsort((ids("buyer", extra), extra_at))]
    extra_at = extra_at[extra - m.n_organic]
    held = np.zeros(0, dtype=np.int64)
    taken = 0  # appended accounts already handed out
    for stop in range(pop.n, 0, -size):
        organic = pop.buyers_at_age_rank(np.arange(stop - 1, max(stop - size, 0) - 1, -1))
        last = int(m.registered_at(organic[-1:])[0])
        upto = int(np.searchsorted(extra_at, last, side="right"))
        rows = np.concatenate((held, organic, extra[taken:upto]))
        taken = upto
        at = m.registered_at(rows)
        rows = rows[np.lexsort((ids("buyer", rows), at))]
        at = np.sort(at)
        tie = at == at[-1]
        held = rows[tie]
        if not tie.all():
            yield rows[~tie]
    rest = np.concatenate((held, extra[taken:]))
    rest = rest[np.lexsort((ids("buyer", rest), m.registered_at(rest)))]
    if len(rest):
        yield rest


# Entity types of the answer key and the id space each one's indices live in.
ENTITY_ID_SPACE = {"account": "buyer", "shop": "shop", "device": "device",
                   "distributor": "distributor", "payment_account": "payment",
                   "address": "address"}


def entity_table(plan: Plan, ids: IdMaker) -> pa.Table:
    """One row per (entity, role, campaign), sorted for a stable file."""
    entity_types: list[str] = []
    entity_ids: list[np.ndarray] = []
    roles: list[str] = []
    campaign_ids: list[str] = []
    for c in plan.campaigns:
        for entity_type, indices, role in c.entities:
            entity_types += [entity_type] * len(indices)
            entity_ids.append(ids(ENTITY_ID_SPACE[entity_type], indices))
            roles += [role] * len(indices)
            campaign_ids += [c.campaign_id] * len(indices)
    table = build_table("entity_labels", plan.timezone, {
        "entity_type": pa.array(entity_types, pa.string()),
        "entity_id": pa.array(np.concatenate(entity_ids) if entity_ids
                              else np.zeros(0, np.int64)),
        "role": pa.array(roles, pa.string()),
        "campaign_id": pa.array(campaign_ids, pa.string()),
    })
    table = table.group_by(table.column_names, use_threads=False).aggregate([])
    return table.select(table_schema("entity_labels", plan.timezone).names).sort_by(
        [("campaign_id", "ascending"), ("entity_type", "ascending"), ("role", "ascending"),
         ("entity_id", "ascending")])


def campaign_table(plan: Plan, ids: IdMaker) -> pa.Table:
    cs = plan.campaigns
    return build_table("campaigns", plan.timezone, {
        "campaign_id": pa.array([c.campaign_id for c in cs], pa.string()),
        "pattern": pa.array([c.pattern for c in cs], pa.string()),
        "shops": pa.array([ids("shop", np.asarray(c.shops, dtype=np.int64)).tolist()
                           for c in cs], pa.list_(pa.int64())),
        "start": _ts(np.array([c.start for c in cs], dtype=np.int64), plan.timezone),
        "end": _ts(np.array([c.end for c in cs], dtype=np.int64), plan.timezone),
        "orders": pa.array([c.orders for c in cs], pa.int64()),
        "camouflage": pa.array([c.camouflage for c in cs], pa.float64()),
    })
