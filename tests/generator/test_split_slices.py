"""A slice split over several time blocks is expanded once per window of blocks, and a block
takes from the window exactly the rows that expanding its whole slice would give it."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brushbench.generator import plan as plan_module
from brushbench.generator import split_slices
from brushbench.generator.plan import Block, make_plan
from brushbench.generator.split_slices import cell_rows, split_slice_rows

from builders import small_scenario

# Four shop ranges, as the shards of a block cover them.
SHOP_RANGES = [(0, 300), (0, 70), (70, 200), (200, 300)]


@pytest.fixture(scope="module")
def plan():
    with pytest.MonkeyPatch.context() as patch:
        # Blocks of 150 orders: the day's busy hours are cut into several blocks each.
        patch.setattr(plan_module, "BLOCK_ORDERS", 150)
        return make_plan(small_scenario(), seed=3)


def _split_blocks(plan) -> list[Block]:
    return [b for b in plan.blocks
            if b.t0 > plan.edges[b.slice0] or b.t1 < plan.edges[b.slice1]]


def _whole_slice_rows(plan, block: Block, s0: int, s1: int):
    """What a block's rows were before windows: its slices' cells expanded whole, filtered by
    the block's own quantiles."""
    counts = plan.counts[s0:s1, block.slice0:block.slice1]
    shop_local, slice_local = np.nonzero(counts)
    quantiles = split_slices._quantiles(plan, block.slice0, block.slice1, block.t0, block.t1)
    rows = cell_rows(plan, block.slice0, s0, shop_local, slice_local,
                     counts[shop_local, slice_local])
    near = split_slices._near(rows[1], quantiles, lambda: rows[3] - block.slice0)
    return tuple(column[near] for column in rows)


def test_the_plan_has_slices_cut_into_many_blocks(plan):
    split = _split_blocks(plan)
    per_slice = np.bincount([b.slice0 for b in split])
    assert per_slice.max() > 6  # so that windows of 1-3 blocks take several passes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), window_blocks=st.sampled_from([1, 2, 3, 16]))
def test_a_block_gets_the_rows_of_its_whole_slice_whatever_was_asked_before(
        plan, data, window_blocks):
    split = _split_blocks(plan)
    # Requests in any order (a Dask worker's), for any shop range, some narrowed to a part
    # of a partitioned run that starts or ends inside the block.
    requests = data.draw(st.lists(st.tuples(st.sampled_from(split),
                                            st.sampled_from(SHOP_RANGES),
                                            st.floats(0, 0.9), st.floats(0, 0.9)),
                                  min_size=1, max_size=12))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(split_slices, "WINDOW_BLOCKS", window_blocks)
        for block, (s0, s1), cut_start, cut_end in requests:
            span = block.t1 - block.t0
            t0 = block.t0 + int(cut_start * span / 2)
            t1 = max(block.t1 - int(cut_end * span / 2), t0 + 1)
            asked = Block(t0, t1, block.slice0, block.slice1)
            got = split_slice_rows(plan, asked, s0, s1)
            want = _whole_slice_rows(plan, asked, s0, s1)
            for g, w in zip(got, want, strict=True):
                assert g.dtype == w.dtype
                assert np.array_equal(g, w)


def test_blocks_in_order_expand_each_slice_once_per_window(plan, monkeypatch):
    filled: list[tuple[int, int]] = []
    real_fill = split_slices._fill

    def counting_fill(plan_, block, s0, s1):
        filled.append((block.slice0, block.t0))
        return real_fill(plan_, block, s0, s1)

    monkeypatch.setattr(split_slices, "_fill", counting_fill)
    monkeypatch.setattr(split_slices, "WINDOW_BLOCKS", 3)
    split_slices._windows._forget(None)
    split = _split_blocks(plan)
    for block in split:
        split_slice_rows(plan, block, 0, 300)
    per_slice = np.bincount([b.slice0 for b in split])
    expected = sum(-(-k // 3) for k in per_slice if k)
    assert len(filled) == expected
    # Rows for every shop range are kept side by side: interleaved shards do not refill.
    filled.clear()
    split_slices._windows._forget(None)
    for block in split:
        for s0, s1 in SHOP_RANGES[1:]:
            split_slice_rows(plan, block, s0, s1)
    assert len(filled) == 3 * expected


def test_a_window_is_dropped_with_its_plan():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(plan_module, "BLOCK_ORDERS", 150)
        plan = make_plan(small_scenario(), seed=4)
    block = _split_blocks(plan)[0]
    split_slice_rows(plan, block, 0, 300)
    assert split_slices._windows._by_shops
    del plan, block
    gc.collect()
    assert not split_slices._windows._by_shops
