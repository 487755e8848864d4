"""The window and the daily rhythm of a log: start, duration, hour-of-day profile, day trend.

The generator's organic rate in a window hour is ``hour_profile[hour of day] *
day_trend[day]``; both are fitted to the log's orders per window hour by iterative
proportional fitting (the Poisson maximum likelihood of that product), so that an hour of day
the window holds more often than another (a 5.5-day log) does not weigh more in the profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_HOUR, _DAY = 3600, 86_400
#: Most rounds of proportional fitting: a log with orders in most hours converges in a
#: handful; a sparse one (a few orders) can creep towards a boundary solution much longer.
_ROUNDS = 2000
_TOLERANCE = 1e-10


@dataclass(frozen=True)
class Rhythm:
    """The window (local wall-clock seconds) and the rate's profile over it."""

    start_local: int        # local wall-clock seconds (as if UTC) of the window's start
    duration: int           # seconds, whole hours
    hour_profile: np.ndarray  # 24 relative rates, in percent of a day
    day_trend: np.ndarray     # one relative volume per local day of the window, first = 1

    @property
    def hours(self) -> int:
        return self.duration // _HOUR

    def hour_shares(self) -> np.ndarray:
        """Expected share of the window's orders in each window hour."""
        hod, day = self._calendar()
        rate = self.hour_profile[hod] * self.day_trend[day]
        return rate / rate.sum()

    def _calendar(self) -> tuple[np.ndarray, np.ndarray]:
        local = self.start_local + _HOUR * np.arange(self.hours, dtype=np.int64)
        return (local // _HOUR) % 24, (local - (self.start_local // _DAY) * _DAY) // _DAY


def fit_rhythm(local: np.ndarray) -> Rhythm:
    """The window (whole hours around the log's first and last order) and its profile.

    Parameters
    ----------
    local : ndarray of int64
        Each order's time as local wall-clock seconds.
    """
    start = int(local.min()) // _HOUR * _HOUR
    end = (int(local.max()) // _HOUR + 1) * _HOUR
    rhythm = Rhythm(start, end - start, np.ones(24), np.ones(1))
    hod, day = rhythm._calendar()
    counts = np.bincount((local - start) // _HOUR, minlength=rhythm.hours).astype(np.float64)
    n_days = int(day.max()) + 1
    profile, trend = np.ones(24), np.ones(n_days)
    for _ in range(_ROUNDS):
        before = trend
        exposure = np.bincount(hod, weights=trend[day], minlength=24)
        profile = np.divide(np.bincount(hod, weights=counts, minlength=24), exposure,
                            out=np.zeros(24), where=exposure > 0)
        exposure = np.bincount(day, weights=profile[hod], minlength=n_days)
        trend = np.divide(np.bincount(day, weights=counts, minlength=n_days), exposure,
                          out=np.zeros(n_days), where=exposure > 0)
        if np.max(np.abs(trend - before)) <= _TOLERANCE * np.max(trend):
            break
    # Hours of day the window never holds keep the mean rate rather than 0 (the log says
    # nothing about them, and a window extended later should not go dark there).
    seen = np.bincount(hod, minlength=24) > 0
    profile[~seen] = profile[seen].mean()
    if trend[0] <= 0:  # a first day without orders: scale to the first day with some
        trend = trend / trend[trend > 0][0]
    else:
        trend = trend / trend[0]
    profile = 100 * profile / profile.sum()
    return Rhythm(start, end - start, profile, trend)
