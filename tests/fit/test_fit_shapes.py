"""Logs shaped unlike the bundled scenarios: a tiny marketplace, a heavy tail of busy shops,
a log with item, units and paid amount; and the fit's determinism."""

from __future__ import annotations

import numpy as np
import pytest

from brushbench.fit import fit_log
from brushbench.generator.run import generate, generate_to
from brushbench.realism.compare import compare
from brushbench.realism.profile import DEFAULT_TOLERANCE
from brushbench.realism.stats import Log, compute_all
from brushbench.scenario.loader import load_scenario_text

from fit_helpers import orders_of, write_scl_log


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BRUSHBENCH_CACHE", str(tmp_path / "cache"))


def _rows(fit, seed: int = 2) -> dict:
    again = generate(fit.scenario, seed=seed).arrow("orders")
    mine = {"name": "fit", "statistics": compute_all(Log.of_tables(
        again, fit.scenario.window.timezone))}
    ref = {"name": "log", "tolerance": DEFAULT_TOLERANCE,
           "statistics": compute_all(fit.source.log)}
    return {row.name: row for row in compare(mine, ref).rows}


TINY = """
name: tiny
seed: 3
window: {start: 2022-06-01T00:00:00, duration: 2d, timezone: Europe/Berlin}
marketplace: {shops: 30, buyers: 250, shop_popularity: {dist: lognorm, s: 0.8, scale: 1}}
traffic: {orders: 600, repeat_share: 0.3, burstiness: 0.5}
bulk_buyers: {accounts: 0, orders: 0}
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The TINY log as a file, and its fit: (orders, time zone, path, fit). A fit takes seconds;
    the tests below share this one."""
    mp = pytest.MonkeyPatch()
    mp.setenv("BRUSHBENCH_CACHE", str(tmp_path_factory.mktemp("cache")))
    orders, zone = orders_of(TINY)
    path = write_scl_log(orders, zone, tmp_path_factory.mktemp("log") / "tiny.csv")
    yield orders, zone, path, fit_log(path, columns="scl2020", timezone=zone)
    mp.undo()


def test_a_tiny_marketplace(tiny):
    orders, _, _, fit = tiny
    m = fit.scenario.marketplace
    seen = fit.source.log
    assert len(np.unique(seen.shop)) <= m.shops <= 60
    assert len(np.unique(seen.buyer)) <= m.buyers <= 500
    assert fit.scenario.traffic.orders == orders.num_rows
    rows = _rows(fit)
    # A few hundred orders: the means and shares, not the tails, are what such a log can say.
    for name in ("orders_per_shop_mean", "orders_per_buyer_mean", "pairs_one_order",
                 "buyers_one_shop"):
        assert rows[name].within, (name, rows[name].ratio)


HEAVY = """
name: heavy
seed: 4
window: {start: 2020-02-03T00:00:00, duration: 3d, timezone: Asia/Jakarta}
marketplace:
  shops: 3000
  buyers: 15000
  shop_popularity: {dist: pareto, b: 0.9, scale: 1}
traffic: {orders: 15000, repeat_share: 0.1, burstiness: 1.5}
bulk_buyers: {accounts: 0, orders: 0}
"""


@pytest.fixture(scope="module")
def heavy_rows(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("BRUSHBENCH_CACHE", str(tmp_path_factory.mktemp("cache")))
    orders, zone = orders_of(HEAVY)
    fit = fit_log(write_scl_log(orders, zone, tmp_path_factory.mktemp("log") / "heavy.csv"),
                  columns="scl2020", timezone=zone)
    counts = np.bincount(fit.source.log.shop_code)
    assert counts.max() > 50 * np.median(counts)  # the log is what the test says it is
    yield _rows(fit)
    mp.undo()


# What the fit misses on a pareto tail (b 0.9: infinite mean), measured at this test's seeds.
# The source scenario itself, regenerated with seed 2, misses every one of these too (shop-hour
# p99 2.0x, orders per shop p50 0.5x, pairs KS 0.076, repeat gap p1 0.52x, hour of day KS
# 0.063, busiest minute 2.10x): a few top shops make the log, and another draw of them is
# another log. The fit's own part: the law is scored on a grid of 500 quantile levels, which
# cuts the top of so heavy a tail (b 0.98 fitted), and the bursty hours' coincidences of a
# buyer in a busy shop read as quick returns (repeat_bursts share 0.014 fitted, none in the
# truth), which pairs more orders. Burstiness comes back at 1.50 (truth 1.5; 2.0 before the fit
# had the quick returns to place).
_HEAVY_OFF = {
    "orders_per_shop": "p50 0.5x (1 order against 2): the fitted tail is lighter",
    "orders_per_shop_hour": "p99 1.45x: the busiest shops' hours (seed 2 of the source: 2.0x)",
    "orders_per_pair": "KS 0.055: coincidences in busy hours fitted as quick returns",
    "repeat_gap": "p25 0.23x: the same quick returns, too quick",
    "hour_of_day": "KS 0.073: a few top shops move whole hours (seed 2 of the source: 0.063)",
    "peak_minute_over_mean": "1.84x: a top shop's burst (seed 2 of the source: 2.10x)",
}
_HEAVY = ("orders_per_shop_mean", "orders_per_shop", "shops_under_3_orders",
          "orders_per_shop_hour", "orders_per_buyer_mean", "orders_per_buyer", "pairs_one_order",
          "orders_per_pair", "buyers_one_shop", "shops_per_buyer", "repeat_gap",
          "scl_rule_shops", "hour_of_day", "day_of_week", "peak_minute_over_mean")


@pytest.mark.parametrize("name", [
    pytest.param(s, marks=pytest.mark.xfail(strict=True, reason=_HEAVY_OFF[s]))
    if s in _HEAVY_OFF else s for s in _HEAVY])
def test_a_heavy_tail_of_busy_shops(heavy_rows, name):
    row = heavy_rows[name]
    assert row.within, (name, row.ratio, row.ratio_at, row.distance)


def test_items_units_and_prices_are_fitted_when_the_log_has_them(tmp_path):
    out = tmp_path / "ds"
    scenario = load_scenario_text(TINY.replace("orders: 600", "orders: 3000"))
    generate_to(out, scenario, seed=1)
    fit = fit_log(out, refine_rounds=False)
    m, t = fit.scenario.marketplace, fit.scenario.traffic
    assert list(m.categories) == ["fitted"]
    price = dict(m.categories["fitted"].price.params)
    paid = fit.source.column("paid_amount") / fit.source.column("quantity")
    assert price["scale"] == pytest.approx(np.exp(np.log(paid).mean()), rel=0.01)
    assert m.items_per_shop.name == "geom" and t.quantity.name == "geom"
    assert "items_per_shop" not in fit_log(write_scl_log(
        generate(scenario, seed=1).arrow("orders"), "Europe/Berlin", tmp_path / "x.csv"),
        columns="scl2020", refine_rounds=False).text


def test_the_same_log_gives_the_same_bytes(tiny):
    _, zone, path, first = tiny
    assert fit_log(path, columns="scl2020", timezone=zone).text == first.text
