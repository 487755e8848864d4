"""Plan: the small, global decisions of a run, made before any order row exists.

The plan draws the marketplace, the organic rate curve, the planned legitimate events (flash
sales, redirects, bulk buyers), the organic order count of every (shop, slice) through the
re-ranking loop, and the layout of the work: time blocks (bounded by expected orders, so memory
stays flat at any scale) × shop blocks. Everything per order happens later, in
:mod:`.materialize`.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from .. import patterns
from ..market.clock import to_epoch
from ..market.curves import Curve, build_curve
from ..market.drafts import OrderDraft
from ..market.geography import Geography
from ..market.keyed import Permutation
from ..market.marketplace import Market, build_market
from ..market.seeds import integer_key, stream
from ..patterns.base import CampaignContext
from ..scenario.model import Scenario
from ..scenario.registry import name_of
from .counts import organic_counts, slice_edges
from .legit.bulk import plan_bulk
from .legit.flash_sale import plan_flash_sale
from .legit.redirect import plan_redirect
from .pools import Pools, build_pools
from .randomness import KeyedUniforms

#: Expected orders per time block: bounds the rows held in memory at once.
BLOCK_ORDERS = 250_000
#: Shops per shop block: the unit of parallel work inside a time block.
SHOP_BLOCK = 4096
#: Most shop blocks per time block: past it the blocks hold more shops. A time block's orders
#: are bounded, so at --scale 100 (300,000 shops) fixed blocks of 4,096 shops would cut each
#: one into 73 shards of a few thousand orders, whose fixed costs then grow with the scale.
MAX_SHOP_BLOCKS = 8


@dataclass(frozen=True)
class Block:
    """A time block ``[t0, t1)`` and the slices it overlaps (``slice0 <= h < slice1``)."""

    t0: int
    t1: int
    slice0: int
    slice1: int


@dataclass(frozen=True)
class Campaign:
    """One planned fraud campaign: what the answer key says about it."""

    index: int
    campaign_id: str
    pattern: str
    camouflage: float
    shops: tuple[int, ...]                 # shop indices the campaign serves
    start: int
    end: int
    orders: int
    entities: tuple[tuple[str, np.ndarray, str], ...]  # (entity type, indices, role)


@dataclass(frozen=True)
class Plan:
    scenario: Scenario
    seed: int
    start: int
    end: int
    market: Market
    pools: Pools
    curve: Curve
    edges: np.ndarray          # slice boundaries, epoch seconds
    counts: np.ndarray         # organic orders per (shop, slice)
    events: OrderDraft         # planned non-organic orders (fraud included), sorted by time
    campaigns: tuple[Campaign, ...]
    regular_key: int           # keys a bijection of the buyers; a shop's regulars are a slice
    regular_offset: np.ndarray
    regular_count: np.ndarray
    blocks: tuple[Block, ...]
    shop_blocks: tuple[tuple[int, int], ...]
    uniforms_key: int

    @property
    def timezone(self) -> str:
        return self.scenario.window.timezone

    @property
    def uniforms(self) -> KeyedUniforms:
        return KeyedUniforms(self.uniforms_key)

    def regulars(self, slot: np.ndarray) -> np.ndarray:
        """The buyers at the given slots of the regulars' bijection (slots taken mod n)."""
        n = self.market.n_organic
        return Permutation(n, self.regular_key)(np.asarray(slot, dtype=np.int64) % n)

    def ips(self, index: np.ndarray) -> np.ndarray:
        """IPv4 addresses (uint32) of IP indices: an address's home IP below
        ``market.n_addresses``, the carrier-grade NAT pool above."""
        market = self.market
        index = np.asarray(index, dtype=np.int64)
        home = index < market.n_addresses
        out = np.empty(len(index), dtype=np.uint32)
        out[home] = market.address_ip(index[home])
        out[~home] = market.cgnat_ips[index[~home] - market.n_addresses]
        return out

    @functools.cached_property
    def review_texts(self) -> pa.Array:
        return pa.array([t for group in self.pools.reviews for t in group], type=pa.string())

    @property
    def n_shards(self) -> int:
        return len(self.blocks) * len(self.shop_blocks)


def make_plan(scenario: Scenario, seed: int) -> Plan:
    """All global decisions of generating ``scenario`` with ``seed``."""
    tz = scenario.window.timezone
    start = to_epoch(scenario.window.start, tz)
    end = start + scenario.window.duration
    mkt = scenario.marketplace
    pools = build_pools(scenario.locale, mkt.cities, scenario.logistics.carriers,
                        integer_key(seed, "pools", "faker"), stream(seed, "pools"))
    market = build_market(mkt, pools.geography, len(pools.carriers), start, seed)
    traffic = scenario.traffic
    curve = build_curve(traffic, start, scenario.window.duration, tz)
    uniforms_key = integer_key(seed, "uniforms")

    drafts = []
    for i, sale in enumerate(scenario.flash_sales):
        drafts.append(plan_flash_sale(sale, i, market, tz, end, stream(seed, "flash_sale", i)))
    for i, redirect in enumerate(scenario.redirects):
        draft, market = plan_redirect(redirect, i, traffic, market, mkt, tz, end,
                                      pools.geography, stream(seed, "redirect", i))
        drafts.append(draft)
    draft, market = plan_bulk(scenario.bulk_buyers, market, mkt, traffic.channels, tz, start,
                              end, pools.geography, stream(seed, "bulk"))
    drafts.append(draft)
    legit = OrderDraft.concat(drafts)
    campaigns, fraud, market = _plan_campaigns(scenario, seed, market, start, end,
                                               pools.geography, curve)
    events = OrderDraft.concat([legit, fraud])
    events = events.take(np.argsort(events.time, kind="stable"))

    edges = slice_edges(start, end, traffic.reranking.interval)
    counts = organic_counts(traffic, market.shop_popularity, market.shop_rank_before, curve,
                            edges, _sales_per_slice(legit, edges, market.n_shops),
                            KeyedUniforms(uniforms_key),
                            fraud_sales=_sales_per_slice(fraud, edges, market.n_shops))

    n_organic_buyers = market.n_organic
    expected = traffic.orders * market.shop_popularity / market.shop_popularity.sum()
    regular_count = np.clip(np.rint(traffic.repeat_share * expected
                                    / traffic.orders_per_regular), 1,
                            n_organic_buyers).astype(np.int64)
    return Plan(
        scenario=scenario, seed=seed, start=start, end=end, market=market, pools=pools,
        curve=curve, edges=edges, counts=counts, events=events, campaigns=campaigns,
        regular_key=integer_key(seed, "regulars"),
        # Disjoint slices of the bijection: a loyal customer is loyal to one shop (the Shopee
        # 2020 log: 83% of buyers order from a single shop).
        regular_offset=(np.cumsum(regular_count) - regular_count) % n_organic_buyers,
        regular_count=regular_count,
        blocks=_time_blocks(curve, edges, traffic.orders + len(events)),
        shop_blocks=_shop_blocks(market.n_shops),
        uniforms_key=uniforms_key,
    )


def _plan_campaigns(scenario: Scenario, seed: int, market: Market, start: int, end: int,
                    cities: Geography, curve: Curve
                    ) -> tuple[tuple[Campaign, ...], OrderDraft, Market]:
    """Run each fraud entry's pattern; each campaign draws from its own named stream."""
    campaigns, drafts = [], [OrderDraft.empty()]
    for i, spec in enumerate(scenario.fraud):
        name = name_of(spec)
        ctx = CampaignContext(scenario, market, i, name, stream(seed, "campaign", i), start, end,
                              cities, scenario.marketplace.distributors, curve,
                              camouflage=float(spec.camouflage))
        patterns.get(name).plan(spec, ctx)
        market = ctx.market
        draft = OrderDraft.concat([OrderDraft.empty(), *ctx.result.drafts])
        draft = draft.take(np.flatnonzero((draft.time >= start) & (draft.time < end)))
        drafts.append(draft)
        span = (int(draft.time.min()), int(draft.time.max()) + 1) if len(draft) else (start, start)
        campaigns.append(Campaign(
            index=i, campaign_id=f"c{i + 1:02d}-{name}", pattern=name,
            camouflage=float(spec.camouflage), shops=tuple(int(x) for x in ctx.result.shops),
            start=span[0], end=span[1], orders=len(draft),
            entities=tuple(ctx.result.entities)))
    return tuple(campaigns), OrderDraft.concat(drafts), market


def _shop_blocks(n_shops: int) -> tuple[tuple[int, int], ...]:
    """Shop ranges ``[s0, s1)``: SHOP_BLOCK shops each, or more when that makes more than
    MAX_SHOP_BLOCKS of them."""
    size = max(SHOP_BLOCK, -(-n_shops // MAX_SHOP_BLOCKS))
    return tuple((s, min(s + size, n_shops)) for s in range(0, n_shops, size))


def _sales_per_slice(events: OrderDraft, edges: np.ndarray, n_shops: int) -> np.ndarray:
    extra = np.zeros((n_shops, len(edges) - 1), dtype=np.int64)
    h = np.searchsorted(edges, events.time, side="right") - 1
    np.add.at(extra, (events.shop, h), 1)
    return extra


def _time_blocks(curve: Curve, edges: np.ndarray, total_orders: float) -> tuple[Block, ...]:
    """Group slices into blocks of about BLOCK_ORDERS expected orders; split heavier slices.

    The layout depends only on the scenario (expected, not drawn, volumes), so adding a fraud
    campaign or changing the number of workers never moves a block boundary.
    """
    n_slices = len(edges) - 1
    expected = total_orders * curve.mass(edges[:-1], edges[1:])
    blocks: list[Block] = []
    h = 0
    while h < n_slices:
        if expected[h] > BLOCK_ORDERS:
            parts = int(np.ceil(expected[h] / BLOCK_ORDERS))
            cuts = _equal_mass_cuts(curve, int(edges[h]), int(edges[h + 1]), parts)
            blocks.extend(Block(a, b, h, h + 1) for a, b in itertools.pairwise(cuts) if b > a)
            h += 1
            continue
        first, load = h, 0.0
        while h < n_slices and load + expected[h] <= BLOCK_ORDERS:
            load += expected[h]
            h += 1
        blocks.append(Block(int(edges[first]), int(edges[h]), first, h))
    return tuple(blocks)


def _equal_mass_cuts(curve: Curve, t0: int, t1: int, parts: int) -> list[int]:
    # A grid of seconds, not minutes: at --scale 30 the first minute of a Double 11 burst
    # holds 700,000 orders, and a block may not be bigger than what its cuts can split.
    grid = np.arange(t0, t1 + 1, dtype=np.int64)
    if grid[-1] != t1:
        grid = np.append(grid, t1)
    mass = curve.mass(np.full(len(grid), t0), grid)
    targets = mass[-1] * np.arange(1, parts) / parts
    inner = grid[np.searchsorted(mass, targets)]
    return sorted({t0, *map(int, inner), t1})
