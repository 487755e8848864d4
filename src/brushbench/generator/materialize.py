"""Materialize: turn the plan into order rows, a column at a time.

Work is split into shards (time block × shop block). A shard expands its organic counts into
order drafts, picks up the planned events that fall in it, and completes every draft with the
same code (:mod:`.complete`). Shards of one time block are merged and sorted by time, then handed
to the writer, so memory holds one time block at a time.

Every per-order draw is keyed by the order's identity (:mod:`.randomness`), so the bytes do not
depend on the shard layout or on the number of worker processes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from ..market.drafts import CHANNEL, KIND, NO_PRICE, OrderDraft
from ..market.marketplace import buyers_by_activity, items_of
from .complete import OrderColumns, complete_orders, order_ids
from .engines import Engine, ProcessEngine
from .plan import Block, Plan
from .repeats import repeat_roots
from .sorting import by_time_then_id
from .split_slices import cell_rows, split_slice_rows


def organic_drafts(plan: Plan, block: Block, s0: int, s1: int) -> OrderDraft:
    """The organic orders of shops ``s0..s1-1`` whose time falls in ``block``."""
    split = bool(block.t0 > plan.edges[block.slice0] or block.t1 < plan.edges[block.slice1])
    if split:
        row, u_time, shop, slice_, index = split_slice_rows(plan, block, s0, s1)
    else:
        counts = plan.counts[s0:s1, block.slice0:block.slice1]
        shop_local, slice_local = np.nonzero(counts)
        row, u_time, shop, slice_, index = cell_rows(plan, block.slice0, s0, shop_local,
                                                     slice_local,
                                                     counts[shop_local, slice_local])
    if len(row) == 0:
        return OrderDraft.empty()
    # The curve's share before each slice edge of the block, looked up per order.
    edges = plan.edges[block.slice0:block.slice1 + 1]
    share = plan.curve.share_before(edges)
    local = slice_ - block.slice0
    time = plan.curve.at_quantile(u_time, edges[local], edges[local + 1],
                                  shares=(share[local], share[local + 1]))
    inside = (time >= block.t0) & (time < block.t1)
    if not inside.all():
        row, time, shop = row[inside], time[inside], shop[inside]
        slice_, index = slice_[inside], index[inside]
    u = plan.uniforms.bind(row)

    traffic = plan.scenario.traffic
    market = plan.market
    # A repeat order takes the buyer of the first order of its chain (see .repeats).
    by_buyer = plan.uniforms.bind(repeat_roots(plan, row, shop, slice_, index, time))
    u_buyer = by_buyer("buyer")
    regular = by_buyer("regular") < traffic.repeat_share
    buyer = np.empty(len(row), dtype=np.int64)
    buyer[~regular] = buyers_by_activity(market, u_buyer[~regular])
    slot = (plan.regular_offset[shop[regular]]
            + (u_buyer[regular] * plan.regular_count[shop[regular]]).astype(np.int64))
    buyer[regular] = plan.regulars(slot)

    names = sorted(traffic.channels)  # order-independent, like the scenario hash
    weights = np.array([traffic.channels[n] for n in names], dtype=np.float64)
    codes = np.array([CHANNEL[n] for n in names], dtype=np.int8)
    cdf = np.cumsum(weights) / weights.sum()
    channel = codes[np.minimum(np.searchsorted(cdf, u("channel"), side="right"),
                               len(cdf) - 1)]
    n = len(row)
    return OrderDraft(
        row=row, time=time, shop=shop,
        item=items_of(market, shop, u("item"), plan.scenario.marketplace.item_popularity_skew),
        buyer=buyer.astype(np.int64),
        quantity=np.maximum(np.rint(traffic.quantity.ppf(u("quantity"))), 1).astype(np.int64),
        unit_price=np.full(n, NO_PRICE, dtype=np.int64), channel=channel,
        kind=np.full(n, KIND["organic"], dtype=np.int8),
    )


def event_drafts(plan: Plan, block: Block, s0: int, s1: int) -> OrderDraft:
    ev = plan.events
    lo, hi = np.searchsorted(ev.time, [block.t0, block.t1])
    window = np.arange(lo, hi)
    mine = window[(ev.shop[window] >= s0) & (ev.shop[window] < s1)]
    return ev.take(mine)


def shard_orders(plan: Plan, block: Block, s0: int, s1: int) -> OrderColumns:
    """All orders of shops ``s0..s1-1`` in ``block``, completed, sorted by (time, order id).

    ``block`` may be a plan block or a part of one (a narrower ``[t0, t1)`` over the same
    slices): the rows are the same either way, keyed by identity."""
    draft = OrderDraft.concat([organic_drafts(plan, block, s0, s1),
                               event_drafts(plan, block, s0, s1)])
    # Sort the few draft columns now rather than the many completed ones later.
    order_id = order_ids(plan, draft.row)
    order = by_time_then_id(draft.time, order_id)
    return complete_orders(plan, draft.take(order), order_id[order])


def materialize_shard(plan: Plan, block_index: int, shop_block_index: int) -> OrderColumns:
    """All orders of one shard, completed, as per-order columns (sorted within the shard)."""
    return shard_orders(plan, plan.blocks[block_index], *plan.shop_blocks[shop_block_index])


def merge_sorted(shards: list[OrderColumns]) -> OrderColumns:
    """The shards of one time block as one table sorted by (created_at, order_id)."""
    if len(shards) == 1:  # already sorted by its shard
        return shards[0]
    merged = OrderColumns.concat(shards)
    return merged.take(by_time_then_id(merged.created_at, merged.order_id, runs=True))


def block_orders(plan: Plan, block: Block) -> OrderColumns:
    """Every order of ``block``, sorted: one process's work on a block.

    One shard over every shop: the rows are the same as the shop blocks' merged (keyed by
    identity), without completing them apart and merging the many completed columns.
    """
    return shard_orders(plan, block, 0, plan.market.n_shops)


def iter_blocks(plan: Plan, workers: int = 1, on_shard: Callable[[int], None] | None = None,
                *, engine: Engine | None = None) -> Iterator[OrderColumns]:
    """Completed orders one time block at a time, sorted by (created_at, order_id).

    Shards run in this process, in ``workers`` processes, or on ``engine`` when one is given
    (:mod:`.engines`); the blocks are the same whichever.
    """
    n_shop_blocks = len(plan.shop_blocks)
    tasks = [(b, s) for b in range(len(plan.blocks)) for s in range(n_shop_blocks)]
    if engine is None and workers > 1 and len(tasks) > 1:
        with ProcessEngine(plan, workers) as pool:
            yield from iter_blocks(plan, on_shard=on_shard, engine=pool)
        return
    pending: list[OrderColumns] = []
    for done, columns in enumerate(_run(plan, tasks, engine), start=1):
        pending.append(columns)
        if on_shard is not None:
            on_shard(done)
        if len(pending) == n_shop_blocks:
            yield merge_sorted(pending)
            pending = []


def _run(plan: Plan, tasks: list[tuple[int, int]],
         engine: Engine | None) -> Iterator[OrderColumns]:
    if engine is None:
        for task in tasks:
            yield materialize_shard(plan, *task)
        return
    # A bounded window of shards in flight keeps memory flat while results come back in order.
    window = 2 * engine.workers
    futures = [engine.submit(materialize_shard, *t) for t in tasks[:window]]
    next_task = len(futures)
    for i in range(len(tasks)):
        result = futures[i].result()
        futures[i] = None  # type: ignore[call-overload]  # let the result be freed
        if next_task < len(tasks):
            futures.append(engine.submit(materialize_shard, *tasks[next_task]))
            next_task += 1
        yield result
