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
    """Local hour, day index (from the local date of ``day0``) and weekday of each instant."""
    # Imported here: loading a scenario imports the patterns and so this module, and a harness
    # that only reads scenarios (``eval`` on cached datasets) should not pay for pandas.
    import pandas as pd

    local = pd.to_datetime(np.asarray(epochs), unit="s", utc=True).tz_convert(timezone)
    start = pd.Timestamp(day0, unit="s", tz="UTC").tz_convert(timezone).normalize()
    days = (local.normalize() - start).days
    return LocalCalendar(np.asarray(local.hour, dtype=np.int64), np.asarray(days, dtype=np.int64),
                         np.asarray(local.day_of_week, dtype=np.int64))
