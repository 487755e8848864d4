"""The calibration's keys in a round trip: a log generated from a scenario with loyal regulars,
quick returns and a crowd that calms busy shops (``fit_helpers.RETURNS``) is fitted and
generated again (another seed); and a log of ``normal_week`` itself, fitted, against the
``scl2020`` profile that ``normal_week`` is calibrated to."""

from __future__ import annotations

import pytest

import brushbench
from brushbench.fit import fit_log
from brushbench.generator.run import generate
from brushbench.realism import bundled, compare, profile_of
from brushbench.realism.profile import DEFAULT_TOLERANCE
from brushbench.realism.stats import Log, compute_all

from fit_helpers import RETURNS, orders_of, write_scl_log

_STATS = ("orders_per_shop_hour", "orders_per_shop_mean", "orders_per_shop",
          "shops_under_3_orders", "orders_per_buyer_mean", "orders_per_buyer", "pairs_one_order",
          "orders_per_pair", "buyers_one_shop", "shops_per_buyer", "repeat_gap",
          "scl_rule_shops", "hour_of_day", "day_of_week", "peak_minute_over_mean")


def _profile(log: Log) -> dict:
    return {"name": "x", "tolerance": DEFAULT_TOLERANCE, "statistics": compute_all(log)}


@pytest.fixture(scope="module")
def returns(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("BRUSHBENCH_CACHE", str(tmp_path_factory.mktemp("cache")))
    orders, zone = orders_of(RETURNS)
    path = write_scl_log(orders, zone, tmp_path_factory.mktemp("log") / "returns.csv")
    fit = fit_log(path, columns="scl2020", timezone=zone)
    again = generate(fit.scenario, seed=2).arrow("orders")
    report = compare(_profile(Log.of_tables(again, zone)), _profile(fit.source.log))
    yield fit, {row.name: row for row in report.rows}
    mp.undo()


# Measured with this test's seeds (see docs/realism.md, "Fit a scenario to your log").
# The buyers come back: 52,947 fitted, lognorm s 0.61, against 60,000 at s 0.6 (fitted on the
# shops per buyer, which leave the regulars' repeats out; generator 4's fit, on the orders per
# buyer, gave 139,950 at s 1.46 and missed orders per buyer p90).
# burst_crowd: fitted 0 against 10, with burstiness 1.27 against 1.4. The busiest shops' spread
# of hours it is refined on differs by about 0.02 between crowd 0 and 10, less than between two
# seeds of the truth (0.03), so a log of 30,000 orders cannot tell; the SCL rule, which counts
# small shops' concentrated hours, sees the calmer small shops (and moves 1.36x between seeds 1
# and 2 of the truth itself).
_RETURNS_OFF = {
    "scl_rule_shops": "0.64x: burst_crowd 0 and burstiness 1.27 fitted (truth 10 and 1.4)",
}


@pytest.mark.parametrize("name", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=_RETURNS_OFF[s]))
    if s in _RETURNS_OFF else s for s in _STATS])
def test_a_log_with_quick_returns_and_loyal_regulars_comes_back(returns, name):
    row = returns[1][name]
    assert row.within, (name, row.ratio, row.ratio_at, row.distance)


def test_the_fit_sets_the_calibrations_keys_near_the_truth(returns):
    t = returns[0].scenario.traffic
    # The truth: orders_per_regular 5, repeat_share 0.4, repeat_bursts 0.12 at 2,700 s
    # (fitted: 4.98, 0.36, 0.145 at 3,065 s).
    assert 5 / 1.3 <= t.orders_per_regular <= 5 * 1.3
    assert abs(t.repeat_share - 0.4) < 0.08
    assert abs(t.repeat_bursts.share - 0.12) < 0.04
    assert 2700 / 1.5 <= dict(t.repeat_bursts.delay.params)["scale"] <= 2700 * 1.5


NORMAL_WEEK_SCALE = 0.25


@pytest.fixture(scope="module")
def normal_week(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("BRUSHBENCH_CACHE", str(tmp_path_factory.mktemp("cache")))
    data = brushbench.generate("normal_week", scale=NORMAL_WEEK_SCALE)
    own = compare(profile_of(data), bundled("scl2020"))
    path = write_scl_log(data.arrow("orders"), data.timezone,
                         tmp_path_factory.mktemp("log") / "normal_week.csv")
    fit = fit_log(path, columns="scl2020", timezone=data.timezone)
    again = generate(fit.scenario, seed=2).arrow("orders")
    fitted = compare(_profile(Log.of_tables(again, data.timezone)), bundled("scl2020"))
    yield ({r.name: r for r in own.rows if r.within is not None},
           {r.name: r for r in fitted.rows if r.within is not None})
    mp.undo()


_SCL = ("orders_per_shop_hour", "orders_per_shop_mean", "shops_under_3_orders",
        "orders_per_buyer_mean", "pairs_one_order", "orders_per_pair", "buyers_one_shop",
        "shops_per_buyer", "repeat_gap", "scl_rule_shops", "hour_of_day")
# Measured (docs/realism.md, "Fit a scenario to your log"): the fit's log (seed 2) against
# scl2020, and normal_week itself at scale 0.25 regenerated with seeds 1, 2, 3 and 7 (its own):
# shops under 3 orders 1.306x (normal_week 1.221, 1.318, 1.340, 1.204) and orders per pair KS
# 0.053 (normal_week 0.047, 0.044, 0.054, 0.047). Both misses are within what the scenario's
# own seeds spread over.
_NORMAL_WEEK_OFF = {
    "shops_under_3_orders": "1.306x; normal_week itself at seeds 2 and 3: 1.318x and 1.340x",
    "orders_per_pair": "KS 0.053; normal_week itself at seed 3: 0.054",
}


@pytest.mark.parametrize("name", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=_NORMAL_WEEK_OFF[s]))
    if s in _NORMAL_WEEK_OFF else s for s in _SCL])
def test_a_fit_to_normal_week_is_within_scl2020_where_normal_week_is(normal_week, name):
    own, fitted = normal_week
    if not own[name].within:
        pytest.skip(f"normal_week itself at scale {NORMAL_WEEK_SCALE} is off on {name}")
    row = fitted[name]
    assert row.within, (name, row.ratio, row.ratio_at, row.distance)
