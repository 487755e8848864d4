"""``traffic.burst_crowd``: a busy shop's hour-to-hour spread shrinks, a quiet shop's does not."""

from __future__ import annotations

import dataclasses

import numpy as np

from brushbench.generator.plan import make_plan

from builders import small_scenario


def _counts(crowd: float) -> tuple[np.ndarray, np.ndarray]:
    base = small_scenario(flash_sales=(), redirects=())
    traffic = dataclasses.replace(base.traffic, promotions=(), burstiness=1.5,
                                  burst_crowd=crowd)
    plan = make_plan(dataclasses.replace(base, traffic=traffic), seed=4)
    return plan.counts, plan.market.shop_by_rank


def _spread(counts: np.ndarray) -> float:
    """Coefficient of variation of one shop's counts over the slices."""
    return float(counts.std() / counts.mean())


def test_a_busy_shop_is_smoother_with_a_crowd_and_a_quiet_one_keeps_its_spread():
    plain, by_rank = _counts(0.0)
    crowd, _ = _counts(2.0)
    top = by_rank[:5]
    # the busiest shops (hundreds of orders an hour) average out
    assert _spread(crowd[top].sum(axis=0)) < 0.5 * _spread(plain[top].sum(axis=0))
    # the multiplier keeps its mean 1: the volume stays near traffic.orders (20,000), closer
    # than without, whose busiest shops' bursts move the total by themselves
    assert abs(crowd.sum() / 20_000 - 1) < 0.05
    # the quiet half of the shops is about as bursty as before (the same uniforms drive it)
    quiet = by_rank[len(by_rank) // 2:]
    assert np.corrcoef(plain[quiet].ravel(), crowd[quiet].ravel())[0, 1] > 0.8


def test_zero_crowd_is_the_plain_spread():
    a, _ = _counts(0.0)
    base = small_scenario(flash_sales=(), redirects=())
    traffic = dataclasses.replace(base.traffic, promotions=(), burstiness=1.5)
    b = make_plan(dataclasses.replace(base, traffic=traffic), seed=4).counts
    assert (a == b).all()
