"""Repeat bursts (``traffic.repeat_bursts``): buyers coming back to a shop within hours.

An order that is a repeat takes the buyer of an earlier organic order of its shop; the chain is
a pure function of order identities, so the bytes do not depend on the block layout.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brushbench.generator import plan as plan_module
from brushbench.generator.materialize import organic_drafts
from brushbench.generator.plan import make_plan
from brushbench.generator.repeats import repeat_roots
from brushbench.generator.run import generate, generate_to
from brushbench.market.drafts import (
    GROUP_BITS,
    INDEX_BITS,
    SLICE_BITS,
    TAG_ORGANIC,
    pack_rows,
)
from brushbench.scenario.distributions import Dist
from brushbench.scenario.model import RepeatBursts

from builders import small_scenario


def _with_bursts(share: float, delay_s: float = 3600.0, **traffic):
    base = small_scenario(flash_sales=(), redirects=())
    bursts = RepeatBursts(share=share, delay=Dist.of("lognorm", s=1.0, scale=delay_s))
    return dataclasses.replace(base, traffic=dataclasses.replace(
        base.traffic, repeat_bursts=bursts, **traffic))


def _unpack(rows: np.ndarray):
    rows = rows.astype(np.uint64)
    index = (rows & np.uint64((1 << INDEX_BITS) - 1)).astype(np.int64)
    shop = ((rows >> np.uint64(INDEX_BITS)) & np.uint64((1 << GROUP_BITS) - 1)).astype(np.int64)
    slice_ = ((rows >> np.uint64(INDEX_BITS + GROUP_BITS))
              & np.uint64((1 << SLICE_BITS) - 1)).astype(np.int64)
    return slice_, shop, index


def _all_organic(plan):
    parts = [organic_drafts(plan, b, s0, s1) for b in plan.blocks for s0, s1 in plan.shop_blocks]
    rows = np.concatenate([p.row for p in parts])
    times = np.concatenate([p.time for p in parts])
    shops = np.concatenate([p.shop for p in parts])
    return rows, times, shops


@pytest.fixture(scope="module")
def bursty_plan():
    return make_plan(_with_bursts(0.3), seed=2)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pick=st.integers(0, 10**9))
def test_a_root_is_an_earlier_order_of_the_same_shop_and_its_own_root(bursty_plan, pick):
    plan = bursty_plan
    shop = pick % plan.market.n_shops
    cells = np.flatnonzero(plan.counts[shop])
    if cells.size == 0:
        return
    h = np.repeat(cells, plan.counts[shop, cells])
    index = np.concatenate([np.arange(c) for c in plan.counts[shop, cells]])
    shops = np.full(len(h), shop)
    row = pack_rows(TAG_ORGANIC, h, shops, index)
    time = plan.curve.at_quantile(plan.uniforms(row, "time"), plan.edges[h], plan.edges[h + 1])
    root = repeat_roots(plan, row, shops, h, index, time)
    r_slice, r_shop, r_index = _unpack(root)
    assert (r_shop == shop).all()
    # an existing order of the shop, no later than the order (same slice: a lower index)
    assert (r_index < plan.counts[shop, r_slice]).all()
    assert ((r_slice < h) | ((r_slice == h) & (r_index <= index))).all()
    # a root's own root is itself: every order of one chain gets one buyer
    root_time = plan.curve.at_quantile(plan.uniforms(root, "time"), plan.edges[r_slice],
                                       plan.edges[r_slice + 1])
    again = repeat_roots(plan, root, r_shop, r_slice, r_index, root_time)
    assert (again == root).all()


def test_share_zero_changes_nothing():
    plan = make_plan(_with_bursts(0.0), seed=1)
    rows, times, shops = _all_organic(plan)
    s, _, i = _unpack(rows)
    assert (repeat_roots(plan, rows, shops, s, i, times) == rows).all()


def test_repeat_bursts_bring_buyers_back_within_hours():
    def repeat_gaps(scenario):
        o = generate(scenario, seed=5).orders
        o = o.sort_values(["shop_id", "buyer_id", "created_at"])
        same = (o.shop_id.values[1:] == o.shop_id.values[:-1]) & (
            o.buyer_id.values[1:] == o.buyer_id.values[:-1])
        seconds = o.created_at.dt.tz_convert(None).to_numpy().astype("datetime64[s]")
        gaps = np.diff(seconds.astype(np.int64))[same]
        pairs = o.groupby(["shop_id", "buyer_id"]).size()
        return np.median(gaps), (pairs > 1).mean()

    gap_off, multi_off = repeat_gaps(_with_bursts(0.0, repeat_share=0.05))
    gap_on, multi_on = repeat_gaps(_with_bursts(0.3, delay_s=1800, repeat_share=0.05))
    assert gap_on < 0.5 * gap_off and gap_on < 4 * 3600
    assert multi_on > multi_off + 0.02


def test_bytes_do_not_depend_on_the_block_layout(tmp_path, monkeypatch):
    scenario = _with_bursts(0.3)

    def hashes(folder):
        manifest = json.loads((folder / "manifest.json").read_text())
        return {name: entry["sha256"] for name, entry in manifest["tables"].items()}

    one = generate_to(tmp_path / "one", scenario, seed=9)
    monkeypatch.setattr(plan_module, "BLOCK_ORDERS", 1500)
    monkeypatch.setattr(plan_module, "SHOP_BLOCK", 32)
    two = generate_to(tmp_path / "two", scenario, seed=9, workers=2)
    assert hashes(one.out) == hashes(two.out)
