"""Every bundled legitimate scenario against its reference profile: a generator change that
breaks realism fails here.

``normal_week`` is held to ``scl2020`` at scale 1 (its own seed, ~100k orders, a few seconds):
the statistics of a log are not all scale-free (a shop's busiest hours and the SCL rule's
flagged share depend on how many orders a shop has, which scaling keeps, but the share of
shops under 3 orders and the tail of shop-hours are noisy on a twentieth of the shops).
``double11`` is held to ``double11`` at scale 0.05 (~50k orders): its milestones are shares of
the day and a ratio of the busiest minute to the mean, which do not depend on the volume
(checked against scale 1 in docs/realism.md).

Statistics that are beyond tolerance on purpose, because the reference mixes subsets of the
SCL log (docs/realism.md, "Where the bundled scenarios stand"), are listed in ``KNOWN_OFF``
with the bound they are held to instead, so that they cannot drift further either.
"""

from __future__ import annotations

import math

import pytest

import brushbench
from brushbench.realism import bundled, compare, profile_of

#: Statistic -> the largest |ln ratio| (or KS) it may show, for those not within tolerance yet.
KNOWN_OFF: dict[str, dict[str, float]] = {"normal_week": {}, "double11": {}}


def _report(scenario: str, reference: str, scale: float):
    data = brushbench.generate(scenario, scale=scale)
    return compare(profile_of(data), bundled(reference))


@pytest.fixture(scope="module")
def normal_week():
    return _report("normal_week", "scl2020", 1.0)


@pytest.fixture(scope="module")
def double11():
    return _report("double11", "double11", 0.05)


def _check(report, known_off: dict[str, float]) -> None:
    computed = [row for row in report.rows if row.within is not None]
    assert len(computed) >= 3
    for row in computed:
        if row.name in known_off:
            bound = known_off[row.name]
            size = row.distance if row.kind == "histogram" else abs(math.log(row.ratio))
            assert size <= bound, (row.name, row.value, row.reference)
        else:
            assert row.within, (row.name, row.value, row.reference, row.ratio, row.distance)


def test_normal_week_is_within_scl2020(normal_week):
    _check(normal_week, KNOWN_OFF["normal_week"])
    names = {row.name for row in normal_week.rows if row.within is not None}
    # the statistics the issue names, every one of them computed
    assert names >= {"orders_per_shop_hour", "orders_per_shop_mean", "shops_under_3_orders",
                     "pairs_one_order", "buyers_one_shop", "repeat_gap", "scl_rule_shops"}


def test_double11_is_within_its_milestones(double11):
    _check(double11, KNOWN_OFF["double11"])
    names = {row.name for row in double11.rows if row.within is not None}
    assert names >= {"gmv_first_96s", "gmv_first_hour", "peak_minute_over_mean",
                     "refund_rate"}
