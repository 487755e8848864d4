"""The statistics on hand-built logs whose answers are worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brushbench.realism.stats import STATISTICS, Log, compute_all

TZ = "Asia/Singapore"  # UTC+8, no daylight saving


def _local(*stamps: str) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(list(stamps)).tz_localize(TZ)


@pytest.fixture
def log() -> Log:
    # shop 10: buyer 1 three times (00:00, 00:10, 02:00); shop 20: buyer 2 once (00:30);
    # shop 30: buyer 1 once (01:00). Friday 2019-12-27, local time.
    return Log.of_times([10, 10, 20, 30, 10], [1, 1, 2, 1, 1],
                        _local("2019-12-27 00:00:00", "2019-12-27 00:10:00",
                               "2019-12-27 00:30:00", "2019-12-27 01:00:00",
                               "2019-12-27 02:00:00"), TZ)


def _value(log: Log, name: str):
    return STATISTICS[name].compute(log)


def test_shop_buyer_and_pair_counts(log):
    assert _value(log, "orders_per_shop_mean") == pytest.approx(5 / 3)
    assert _value(log, "shops_under_3_orders") == pytest.approx(2 / 3)
    assert _value(log, "orders_per_buyer_mean") == pytest.approx(5 / 2)
    assert _value(log, "pairs_one_order") == pytest.approx(2 / 3)
    assert _value(log, "orders_per_pair") == pytest.approx([2 / 3, 0, 1 / 3, 0, 0, 0])
    assert _value(log, "buyers_one_shop") == pytest.approx(1 / 2)  # buyer 1 buys in two shops
    assert _value(log, "shops_per_buyer") == pytest.approx([0.5, 0.5, 0])


def test_shop_hours_and_repeat_gaps(log):
    # non-empty shop-hours: (10, 0h) 2 orders, (20, 0h) 1, (30, 1h) 1, (10, 2h) 1
    q = _value(log, "orders_per_shop_hour")
    assert (q["0.5"], q["0.75"], q["0.99"]) == (1, 1, 2)
    gaps = _value(log, "repeat_gap")  # shop 10, buyer 1: 600 s then 6,600 s
    assert (gaps["0.5"], gaps["0.99"]) == (600, 6600)


def test_hours_and_weekdays_are_read_in_the_logs_time_zone():
    # 16:30 UTC on Friday 27 December is 00:30 on Saturday in Singapore
    log = Log.of_times([1, 1], [1, 2], pd.DatetimeIndex(["2019-12-27 16:30:00",
                                                         "2019-12-27 03:00:00"], tz="UTC"), TZ)
    hours = _value(log, "hour_of_day")
    assert hours[0] == 0.5 and hours[11] == 0.5 and sum(hours) == 1
    assert _value(log, "day_of_week") == [0, 0, 0, 0, 0.5, 0.5, 0]  # Fri, Sat


def test_promotion_day_shares_and_the_peak_minute():
    log = Log.of_times([1, 2, 3], [1, 2, 3],
                       _local("2019-11-11 00:00:10", "2019-11-11 00:30:00",
                              "2019-11-11 05:00:00"), TZ, paid=[100, 200, 700])
    assert _value(log, "gmv_first_96s") == pytest.approx(0.1)
    assert _value(log, "gmv_first_hour") == pytest.approx(0.3)
    # 3 orders in 1,440 minutes; the busiest minute has 1
    assert _value(log, "peak_minute_over_mean") == pytest.approx(1440 / 3)
    assert _value(log, "basket_value")["0.5"] == 2.0  # cents / 100


def test_refunds_parcels_and_status():
    log = Log.of_times([1, 1, 2], [1, 2, 3], np.array([1000, 2000, 3000]), "UTC",
                       order_id=[30, 10, 20], status=np.array(["refunded", "completed",
                                                               "completed"], dtype=object),
                       refund_order=[20, 30], refund_requested=[3500, 1100],
                       weighed=[50, 1000], declared=[1000, 1000])
    assert _value(log, "refund_rate") == pytest.approx(1 / 3)
    delay = _value(log, "refund_delay")  # order 20 at 3000 -> 500 s; order 30 at 1000 -> 100 s
    assert (delay["0.01"], delay["0.99"]) == (100, 500)
    ratio = _value(log, "parcel_weight_ratio")
    assert (ratio["0.01"], ratio["0.99"]) == (0.05, 1.0)


def test_a_statistic_whose_columns_are_missing_is_not_computable_never_zero(log):
    entries = compute_all(log)
    for name in ("basket_value", "refund_rate", "refund_delay", "parcel_weight_ratio",
                 "gmv_first_hour", "mobile_share"):
        assert "value" not in entries[name] and "quantiles" not in entries[name]
        assert entries[name]["not_computable"]
    assert "orders.paid_amount" in entries["basket_value"]["not_computable"]
    assert "shipments.weighed_weight_g" in entries["parcel_weight_ratio"]["not_computable"]
    assert entries["orders_per_shop_mean"]["value"] == pytest.approx(5 / 3)


def test_ids_of_any_size_and_order_give_the_same_statistics(log):
    # Ids are random 64-bit numbers: the statistics must not depend on their values.
    big = Log.of_times(log.shop * 2**58 + 12345, -log.buyer, log.t, TZ)
    assert compute_all(big) == compute_all(log)


def test_the_scl_rule_flags_a_shop_with_three_orders_per_buyer_in_some_hour():
    # shop 1: buyer 7 at 10, 20, 30 min past, buyer 8 at 0 and buyer 9 at 65: the window
    # starting 2 min past holds only buyer 7's three orders (no window anchored at an order
    # does); shop 2: three buyers, one order each; shop 3: buyer 7 three times in 61 minutes.
    minutes = [0, 10, 20, 30, 65, 0, 1, 2, 0, 30, 61]
    log = Log.of_times([1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3], [8, 7, 7, 7, 9, 1, 2, 3, 7, 7, 7],
                       np.array(minutes) * 60 + 1_600_000_000, "UTC")
    assert _value(log, "scl_rule_shops") == pytest.approx(1 / 3)


def test_the_scl_rule_flags_the_shops_the_reference_baseline_flags():
    import importlib.util
    from pathlib import Path

    import brushbench
    from brushbench.realism.sclrule import flagged_shops

    path = Path(__file__).resolve().parents[2] / "baselines" / "concentrate_rate.py"
    spec = importlib.util.spec_from_file_location("baseline_concentrate_rate", path)
    baseline = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(baseline)
    orders = brushbench.generate("mixed_naive", scale=0.02, seed=1).orders
    rule = baseline.brushing_orders(orders["shop_id"], orders["buyer_id"], orders["created_at"])
    expected = set(orders.loc[rule["in_brushing"].to_numpy(), "shop_id"])
    codes, uniques = pd.factorize(orders["shop_id"])
    log = Log.of_times(orders["shop_id"], orders["buyer_id"], orders["created_at"], "UTC")
    got = set(uniques[flagged_shops(codes, pd.factorize(orders["buyer_id"])[0], log.t)])
    assert len(expected) >= 5 and got == expected


def test_the_mobile_share_counts_phones_over_the_orders_with_a_documented_platform(log):
    platform = np.array(["app", "pc", None, "mobile_web", "android"], dtype=object)
    with_platform = Log(log.shop, log.buyer, log.t, log.local, platform=platform)
    assert _value(with_platform, "mobile_share") == pytest.approx(2 / 3)
    unknown = Log(log.shop, log.buyer, log.t, log.local,
                  platform=np.array(["android"] * 5, dtype=object))
    assert "none of app, mobile_web, pc" in compute_all(unknown)["mobile_share"]["not_computable"]
