"""Repeat bursts: a buyer coming back to a shop hours after ordering there.

Real logs are full of them (the Shopee 2020 log's repeat buyers come back after a median of
2.4 hours, docs/sources.md#scl-log): a second checkout for what was forgotten, a re-order after
a cancellation, a purchase split under a per-order limit. An organic order is such a *repeat*
with probability ``traffic.repeat_bursts.share``: it is placed by the buyer of an earlier
organic order of the same shop, one drawn about ``delay`` before it. That order may itself be a
repeat, so a buyer can come back several times (a busy shop-hour of one buyer, which the SCL
rule flags, happens this way too).

The buyer of an order is drawn from the uniforms of its *root*: the first order of its chain of
repeats. Every step is a pure function of order identities (the earlier order is named by its
slice and its index there, both drawn from the later order's uniforms, and the counts of the
plan), so the root of an order does not depend on the shard, the block or the worker that
computes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..market.drafts import TAG_ORGANIC, pack_rows

if TYPE_CHECKING:
    from .plan import Plan

#: Longest chain of repeats followed; an order deeper than this takes the buyer of the order it
#: reached (a bound on the loop, reached with probability ``share ** MAX_DEPTH``).
MAX_DEPTH = 64


def repeat_roots(plan: Plan, row: np.ndarray, shop: np.ndarray, slice_: np.ndarray,
                 index: np.ndarray, time: np.ndarray) -> np.ndarray:
    """The row identity whose buyer each organic order takes: its own, or its chain's root.

    Parameters
    ----------
    plan : Plan
        Its ``counts``, ``edges``, ``curve``, ``uniforms`` and ``scenario.traffic`` are read.
    row, shop, slice_, index, time : numpy.ndarray
        The organic orders: identity, shop, ranking slice, index in the (shop, slice) cell and
        time (epoch seconds).
    """
    spec = plan.scenario.traffic.repeat_bursts
    root: np.ndarray = np.asarray(row, dtype=np.uint64).copy()
    if spec.share <= 0 or len(root) == 0:
        return root
    uniforms = plan.uniforms
    counts, edges = plan.counts, plan.edges
    # The chain walked so far, for the orders still walking it (positions into ``root``).
    at = np.arange(len(root))
    cur_row, cur_slice, cur_index, cur_time = root, slice_, index, time
    cur_shop = shop
    for _ in range(MAX_DEPTH):
        u = uniforms.bind(cur_row)
        back = cur_time - np.maximum(spec.delay.ppf(u("repeat_delay")), 0)
        src_slice = np.searchsorted(edges, back, side="right") - 1
        # In its own slice an order can only return to a lower index: chains end.
        same = src_slice >= cur_slice
        src_slice = np.where(same, cur_slice, src_slice)
        ok = src_slice >= 0
        avail = np.where(ok, counts[cur_shop, np.maximum(src_slice, 0)], 0)
        avail = np.where(same, np.minimum(avail, cur_index), avail)
        walk = (u("repeat") < spec.share) & (avail > 0)
        if not walk.any():
            break
        at, cur_shop = at[walk], cur_shop[walk]
        cur_slice = src_slice[walk]
        cur_index = np.minimum((u("repeat_source")[walk] * avail[walk]).astype(np.int64),
                               avail[walk] - 1)
        cur_row = pack_rows(TAG_ORGANIC, cur_slice, cur_shop, cur_index)
        cur_time = plan.curve.at_quantile(uniforms(cur_row, "time"), edges[cur_slice],
                                          edges[cur_slice + 1])
        root[at] = cur_row
    return root
