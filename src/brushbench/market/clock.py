"""Scenario times as integer epoch seconds, and local calendar fields of epoch arrays."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

import numpy as np


def to_epoch(moment: datetime, timezone: str) -> int:
    """Epoch seconds of a scenario time; a naive time is local time of ``timezone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return int(moment.timestamp())


class LocalCalendar(NamedTuple):
    hour: np.ndarray     # 0-23
    day: np.ndarray      # days since the local date of the reference instant
    weekday: np.ndarray  # 0 = Monday


def local_calendar(epochs: np.ndarray, timezone: str, day0: int) -> LocalCalendar:
    """Local hour, day index (calendar days from the local date of ``day0``: a 23- or 25-hour
    day counts one) and weekday of each instant."""
    # Imported here: loading a scenario imports the patterns and so this module, and a harness
    # that only reads scenarios (``eval`` on cached datasets) should not pay for pandas. pandas
    # rather than pyarrow's local_timestamp: pyarrow gets daylight saving wrong past 2037
    # (New York's 2090 spring change an hour off), pandas follows the zone's rule.
    import pandas as pd

    local = pd.to_datetime(np.asarray(epochs), unit="s", utc=True).tz_convert(timezone)
    start = pd.Timestamp(day0, unit="s", tz="UTC").tz_convert(timezone).normalize()
    # Wall-clock dates, so a 23- or 25-hour day counts one (elapsed time would count one fewer
    # between the spring and autumn changes).
    days = (local.tz_localize(None).normalize() - start.tz_localize(None)).days
    return LocalCalendar(np.asarray(local.hour, dtype=np.int64), np.asarray(days, dtype=np.int64),
                         np.asarray(local.day_of_week, dtype=np.int64))
