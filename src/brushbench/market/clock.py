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
    # that only reads scenarios (``eval`` on cached datasets) should not pay for pyarrow.
    import pyarrow as pa
    import pyarrow.compute as pc

    def local_seconds(values: np.ndarray) -> np.ndarray:
        instants = pa.array(np.asarray(values, dtype=np.int64),
                            type=pa.timestamp("s", tz=timezone))
        return np.asarray(pc.local_timestamp(instants).cast(pa.int64()).to_numpy(),
                          dtype=np.int64)

    local = local_seconds(np.asarray(epochs))
    local_day = local // 86_400
    start_day = int(local_seconds(np.array([day0]))[0] // 86_400)
    # 1970-01-01 was a Thursday: with Monday = 0, day 0 is weekday 3.
    return LocalCalendar((local // 3600) % 24, local_day - start_day, (local_day + 3) % 7)
