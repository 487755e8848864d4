"""Local calendar fields of epoch arrays, against the standard library's zoneinfo."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.market.clock import local_calendar

ZONES = ["Asia/Shanghai", "Asia/Singapore", "America/New_York", "Europe/London",
         "Australia/Lord_Howe", "Asia/Kathmandu", "UTC", "Pacific/Chatham"]
# 1902 to 2100: the zones' history and DST rules in both directions.
EPOCH = st.integers(-2_100_000_000, 4_100_000_000)


@settings(max_examples=80, deadline=None)
@given(zone=st.sampled_from(ZONES), day0=EPOCH,
       epochs=st.lists(EPOCH, min_size=1, max_size=50))
def test_hour_day_and_weekday_are_the_zones_local_fields(zone, day0, epochs):
    cal = local_calendar(np.array(epochs, dtype=np.int64), zone, day0)
    tz = ZoneInfo(zone)
    local = [dt.datetime.fromtimestamp(e, tz) for e in epochs]  # a test's reference, not a path
    start = dt.datetime.fromtimestamp(day0, tz).date()
    assert cal.hour.tolist() == [t.hour for t in local]
    assert cal.weekday.tolist() == [t.weekday() for t in local]
    # Days between local dates (a 23- or 25-hour day still counts one).
    assert cal.day.tolist() == [(t.date() - start).days for t in local]

def test_daylight_saving_far_in_the_future_follows_the_zone_rule():
    # 2090-03-12 07:00 UTC: New York springs from 02:00 EST to 03:00 EDT.
    cal = local_calendar(np.array([3_792_985_199, 3_792_985_200]), "America/New_York", 0)
    assert cal.hour.tolist() == [1, 3]
