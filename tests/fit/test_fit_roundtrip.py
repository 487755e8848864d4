"""Round trip: a log generated from a scenario the fit never saw, fitted, generated again from
the fit (with another seed), matches the first log within the realism tolerance (1.3x on
scalars and every stored quantile, KS 0.05 on histograms) on every statistic a log of the four
SCL 2020 columns gives."""

from __future__ import annotations

import pytest

from brushbench.fit import fit_log
from brushbench.generator.run import generate
from brushbench.realism.compare import compare
from brushbench.realism.profile import DEFAULT_TOLERANCE
from brushbench.realism.stats import Log, compute_all

from fit_helpers import UNSEEN, orders_of, write_scl_log


def _profile(log: Log) -> dict:
    return {"name": "x", "tolerance": DEFAULT_TOLERANCE, "statistics": compute_all(log)}


@pytest.fixture(scope="module")
def roundtrip(tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("BRUSHBENCH_CACHE", str(cache))
    orders, zone = orders_of(UNSEEN)
    path = write_scl_log(orders, zone, tmp_path_factory.mktemp("log") / "unseen.csv")
    fit = fit_log(path, columns="scl2020", timezone=zone)
    again = generate(fit.scenario, seed=2).arrow("orders")
    # The reference is the log as the fit read it: the four columns of the file.
    report = compare(_profile(Log.of_tables(again, fit.scenario.window.timezone)),
                     _profile(fit.source.log))
    yield fit, {row.name: row for row in report.rows}
    mp.undo()


# Measured with the seeds of this test (generator 5): every statistic is within. Under
# generator 4 the SCL rule flagged 3 shops against 2 (1.48x), a quick return's chain.
_OFF: dict[str, str] = {}
_STATS = ("orders_per_shop_hour", "orders_per_shop_mean", "orders_per_shop",
          "shops_under_3_orders", "orders_per_buyer_mean", "orders_per_buyer", "pairs_one_order",
          "orders_per_pair", "buyers_one_shop", "shops_per_buyer", "repeat_gap",
          "scl_rule_shops", "hour_of_day", "day_of_week", "peak_minute_over_mean")


@pytest.mark.parametrize("name", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=_OFF[s])) if s in _OFF else s
    for s in _STATS])
def test_a_log_generated_from_the_fit_matches_the_log(roundtrip, name):
    _, rows = roundtrip
    row = rows[name]
    assert row.within, f"{name}: ratio {row.ratio} ({row.ratio_at}), distance {row.distance}"


def test_every_statistic_of_a_four_column_log_is_checked(roundtrip):
    _, rows = roundtrip
    assert {name for name, row in rows.items() if row.within is not None} == set(_STATS)


def test_the_fit_recovers_the_unseen_scenarios_parameters(roundtrip):
    fit, _ = roundtrip
    m, t = fit.scenario.marketplace, fit.scenario.traffic
    # The truth: 1,500 shops (about 1,350 with an order), 12,000 buyers, lognorm 1.3 and 0.9,
    # repeat share 0.2, burstiness 0.8, the default 2.5 orders per regular, no quick returns
    # and no crowd.
    assert 1500 / 1.1 <= m.shops <= 1500 * 1.1
    assert 12000 / 1.15 <= m.buyers <= 12000 * 1.15
    assert m.shop_popularity.name == "lognorm"
    assert abs(dict(m.shop_popularity.params)["s"] - 1.3) < 0.15
    assert abs(dict(m.buyer_activity.params)["s"] - 0.9) < 0.2
    assert abs(t.repeat_share - 0.2) < 0.05
    assert abs(t.burstiness - 0.8) < 0.3
    assert 2.5 / 1.3 <= t.orders_per_regular <= 2.5 * 1.3
    assert t.repeat_bursts.share < 0.02 and t.burst_crowd < 1
    assert fit.scenario.window.timezone == "America/New_York"
    assert fit.scenario.window.start.hour == 6 and fit.scenario.window.duration == 4 * 86400
    assert not fit.scenario.fraud and not fit.scenario.flash_sales
