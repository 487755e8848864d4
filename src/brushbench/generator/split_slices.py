"""The organic rows of a slice split over several time blocks, expanded once for a window of them.

A slice heavier than a block (an hour of a Double 11 burst) is cut into blocks by time. Which
block an organic order falls in depends on its time quantile, a keyed uniform of its identity,
so finding a block's orders means expanding the identities of the whole slice's cells and
keeping those whose quantile can fall in the block. Done block by block, a slice cut into k
blocks was expanded k times: at ``--scale 97`` every order 69 times on average, most of the CPU
per order that grew with the scale.

So one pass over the slice keeps the identities and quantiles (16 bytes an order) of the next
:data:`WINDOW_BLOCKS` blocks of the slice, and the blocks take theirs from it: a slice is
expanded k / WINDOW_BLOCKS times, and the window holds at most about
``WINDOW_BLOCKS * BLOCK_ORDERS`` orders whatever the scale. Filtering the window for a block
keeps exactly the rows, in the same order, that expanding the slice for it would: the window's
quantile range contains the block's, and both filters are the same test.

A process keeps the windows of one group of slices, one per shop range (the shards of a block
cover the shops in ranges), and forgets them when the blocks move on to other slices or when
the plan is gone.
"""

from __future__ import annotations

import functools
import itertools
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..market.drafts import GROUP_BITS, INDEX_BITS, SLICE_BITS, TAG_ORGANIC, pack_rows
from .plan import Block, Plan

#: Blocks of one split slice a window covers: with blocks of ``BLOCK_ORDERS`` (250,000) orders,
#: a window holds up to about 4M identities and quantiles (64 MiB) and cuts the passes over a
#: slice 16-fold.
WINDOW_BLOCKS = 16
#: Rows expanded at once while a window is filled.
EXPAND_ROWS = 1 << 20
# Quantiles are compared with a margin for rounding; the exact test is on the times.
_MARGIN = 1e-9

Rows = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def cell_rows(plan: Plan, slice0: int, s0: int, shop_local: np.ndarray,
              slice_local: np.ndarray, per_cell: np.ndarray) -> Rows:
    """Row identities, time quantiles, shops, slices and indices in their cell of the orders of
    some cells (shops ``s0 + shop_local``, slices ``slice0 + slice_local``)."""
    total = int(per_cell.sum())
    cell = np.repeat(np.arange(len(per_cell)), per_cell)
    index = np.arange(total) - np.repeat(np.cumsum(per_cell) - per_cell, per_cell)
    shop = (s0 + shop_local)[cell].astype(np.int64)
    slice_ = (slice0 + slice_local)[cell]
    row = pack_rows(TAG_ORGANIC, slice_, shop, index)
    return row, plan.uniforms(row, "time"), shop, slice_, index


def split_slice_rows(plan: Plan, block: Block, s0: int, s1: int) -> Rows:
    """:func:`cell_rows` of the organic orders of shops ``s0..s1-1`` whose quantile can fall in
    ``block``, a block that does not cover its slices whole."""
    window = _windows.get(plan, block, s0, s1)
    quantiles = _quantiles(plan, block.slice0, block.slice1, block.t0, block.t1)
    near = _near(window.u_time, quantiles, lambda: _unpack(window.row, _SLICE) - block.slice0)
    row = window.row[near]
    return (row, window.u_time[near], _unpack(row, _SHOP), _unpack(row, _SLICE),
            _unpack(row, _INDEX))


# (shift, width) of the parts of an organic row's identity (see ..market.drafts.pack_rows).
_INDEX = (0, INDEX_BITS)
_SHOP = (INDEX_BITS, GROUP_BITS)
_SLICE = (INDEX_BITS + GROUP_BITS, SLICE_BITS)


def _unpack(row: np.ndarray, part: tuple[int, int]) -> np.ndarray:
    shift, width = part
    value: np.ndarray = (row >> np.uint64(shift)) & np.uint64((1 << width) - 1)
    return value.astype(np.int64)


def _quantiles(plan: Plan, slice0: int, slice1: int, t0: int,
               t1: int) -> tuple[np.ndarray, np.ndarray]:
    """Per slice, the time quantiles of ``t0`` and ``t1`` within the slice."""
    lo, hi = plan.edges[slice0:slice1], plan.edges[slice0 + 1:slice1 + 1]
    whole = plan.curve.mass(lo, hi)
    some = whole > 0  # a slice without traffic leaves its orders to the exact test
    per = np.where(some, whole, 1.0)
    q0 = np.where(some, plan.curve.mass(lo, np.maximum(t0, lo)) / per, 0.0)
    q1 = np.where(some, plan.curve.mass(lo, np.minimum(t1, hi)) / per, 1.0)
    return q0, q1


def _near(u_time: np.ndarray, quantiles: tuple[np.ndarray, np.ndarray],
          local_slice: Callable[[], np.ndarray]) -> np.ndarray:
    """Where a quantile falls in its slice's range (``local_slice``: the slices from the
    range's first, asked for only when the range covers several)."""
    q0, q1 = quantiles
    if len(q0) == 1:  # the common case, a slice split by time: no gather
        lo, hi = q0[0], q1[0]
    else:
        local = local_slice()
        lo, hi = q0[local], q1[local]
    near: np.ndarray = (u_time >= lo - _MARGIN) & (u_time <= hi + _MARGIN)
    return near


@dataclass(frozen=True)
class _Window:
    t0: int
    t1: int
    row: np.ndarray
    u_time: np.ndarray

    def covers(self, block: Block) -> bool:
        return self.t0 <= block.t0 and block.t1 <= self.t1


class _Windows:
    """The windows of one process: one per shop range over the slices last asked for."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plan: weakref.ref[Plan] | None = None
        self._slices: tuple[int, int] | None = None
        self._by_shops: dict[tuple[int, int], _Window] = {}

    def get(self, plan: Plan, block: Block, s0: int, s1: int) -> _Window:
        slices = (block.slice0, block.slice1)
        with self._lock:
            if self._plan is None or self._plan() is not plan or self._slices != slices:
                self._plan, self._slices = weakref.ref(plan, self._forget), slices
                self._by_shops = {}
            window = self._by_shops.get((s0, s1))
        if window is not None and window.covers(block):
            return window
        window = _fill(plan, block, s0, s1)
        with self._lock:
            if self._slices == slices and self._plan is not None and self._plan() is plan:
                self._by_shops[(s0, s1)] = window
        return window

    def _forget(self, _: object) -> None:
        with self._lock:
            self._plan, self._slices, self._by_shops = None, None, {}


_windows = _Windows()


def _window_end(plan: Plan, block: Block) -> int:
    """The end of the window that starts at ``block``: the plan's blocks over the same slices
    that follow it, up to :data:`WINDOW_BLOCKS` of them (``block`` may be part of a plan
    block: a part of a partitioned run starts or ends inside one)."""
    starts = [b.t0 for b in plan.blocks]
    first = max(int(np.searchsorted(starts, block.t0, side="right")) - 1, 0)
    end = block.t1
    for b in itertools.islice(plan.blocks, first, first + WINDOW_BLOCKS):
        if (b.slice0, b.slice1) != (block.slice0, block.slice1):
            break
        end = max(end, b.t1)
    return end


def _fill(plan: Plan, block: Block, s0: int, s1: int) -> _Window:
    t1 = _window_end(plan, block)
    counts = plan.counts[s0:s1, block.slice0:block.slice1]
    shop_local, slice_local = np.nonzero(counts)
    per_cell = counts[shop_local, slice_local]
    quantiles = _quantiles(plan, block.slice0, block.slice1, block.t0, t1)
    # The cells are expanded a bounded number of rows at a time (a loop over chunks, not
    # orders): the whole slice holds many more orders than the window keeps.
    ends = np.cumsum(per_cell)
    cuts = [0, *np.searchsorted(ends, np.arange(EXPAND_ROWS, int(ends[-1]) if len(ends) else 0,
                                                EXPAND_ROWS), side="right").tolist(),
            len(per_cell)]
    rows, u_times = [np.empty(0, np.uint64)], [np.empty(0, np.float64)]
    for a, b in itertools.pairwise(cuts):
        if b > a:
            row, u_time, _, slice_, _ = cell_rows(plan, block.slice0, s0, shop_local[a:b],
                                                  slice_local[a:b], per_cell[a:b])
            # Only what the window keeps is filtered: the rest of the identity is in the row.
            near = _near(u_time, quantiles, functools.partial(np.subtract, slice_, block.slice0))
            rows.append(row[near])
            u_times.append(u_time[near])
    return _Window(block.t0, t1, np.concatenate(rows), np.concatenate(u_times))
