"""The organic order rate over the window, minute by minute.

An ordinary day follows the hour-of-day profile times the day's trend. A promotion multiplies its
hours by ``uplift`` (and its evening by ``evening_rise``) and adds an opening burst that decays
exponentially, carrying ``burst_share`` of the promotion's orders (Double 11: a third of the day
in the first hour). Arrival times are drawn by inverting the cumulative rate, so the shape inside
a slice (the first minutes after midnight) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..scenario.model import Traffic
from .clock import local_calendar, to_epoch


@dataclass(frozen=True)
class Curve:
    start: int               # epoch seconds of minute 0
    end: int                 # epoch seconds, exclusive
    cumulative: np.ndarray   # float64, len = minutes + 1, cumulative[0] = 0, normalised to 1
    promotion_of_minute: np.ndarray  # int16, promotion index per minute, -1 outside
    # Per minute: the cumulative share at its start and its slope, one more than the minutes
    # (slope 0) so the window's end needs no special case.
    _base: np.ndarray = field(init=False, repr=False, compare=False)
    _slope: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        base = np.append(self.cumulative, self.cumulative[-1])
        object.__setattr__(self, "_base", base)
        object.__setattr__(self, "_slope", np.diff(base))

    @property
    def minutes(self) -> int:
        return len(self.cumulative) - 1

    def mass(self, t0: np.ndarray | int, t1: np.ndarray | int) -> np.ndarray:
        """Share of the window's organic orders between epoch seconds ``t0`` and ``t1``."""
        return self.share_before(np.asarray(t1)) - self.share_before(np.asarray(t0))

    def share_before(self, t: np.ndarray) -> np.ndarray:
        """Share of the window's organic orders before epoch seconds ``t``."""
        pos = np.clip((t - self.start) / 60.0, 0, self.minutes)
        # np.interp on the minute grid, without its binary search: the same operations
        # (slope times offset plus base), hence the same floats, in a third of the time.
        minute = pos.astype(np.int64)
        return self._slope[minute] * (pos - minute) + self._base[minute]

    def at_quantile(self, u: np.ndarray, t0: np.ndarray, t1: np.ndarray,
                    shares: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
        """Arrival times (epoch seconds) in ``[t0, t1)`` at quantiles ``u`` of the rate there.

        Inverse-CDF sampling of the piecewise-constant minute rate, vectorised over orders
        (each order has its own interval). ``shares``, when given, are
        ``share_before(t0), share_before(t1)`` already computed (once per slice rather than
        once per order).
        """
        lo, hi = shares if shares is not None else (self.share_before(t0),
                                                    self.share_before(t1))
        pos = np.interp(lo + u * (hi - lo), self.cumulative, np.arange(self.minutes + 1))
        t = self.start + np.floor(pos * 60.0).astype(np.int64)
        return np.clip(t, t0, np.asarray(t1) - 1)


def build_curve(traffic: Traffic, start: int, duration: int, timezone: str) -> Curve:
    minutes = -(-duration // 60)
    edges = start + 60 * np.arange(minutes, dtype=np.int64)
    hour, day, _ = local_calendar(edges, timezone, start)
    profile = np.asarray(traffic.hour_profile, dtype=np.float64)
    trend = np.asarray(traffic.day_trend, dtype=np.float64)
    rate = profile[hour] * trend[np.minimum(day, len(trend) - 1)]
    promo_of = np.full(minutes, -1, dtype=np.int16)
    for p, promo in enumerate(traffic.promotions):
        p0 = to_epoch(promo.start, timezone)
        inside = (edges >= p0) & (edges < p0 + promo.duration)
        if not inside.any():
            continue
        promo_of[inside] = p
        rate[inside] *= promo.uplift * np.where(hour[inside] >= 20, promo.evening_rise, 1.0)
        plateau = rate[inside].sum()
        if promo.burst_share > 0 and plateau > 0:
            burst_total = plateau * promo.burst_share / (1.0 - promo.burst_share)
            age = (edges[inside] - p0) / 60.0
            tau = promo.burst_tau / 60.0
            # Integrate the exponential over each minute so a short tau keeps its mass.
            share = np.exp(-age / tau) - np.exp(-(age + 1.0) / tau)
            rate[inside] += burst_total * share / share.sum()
    if duration % 60:
        rate[-1] *= (duration % 60) / 60.0
    total = rate.sum()
    cumulative = np.concatenate(([0.0], np.cumsum(rate) / total)) if total > 0 else (
        np.linspace(0.0, 1.0, minutes + 1))
    return Curve(start=start, end=start + duration, cumulative=cumulative,
                 promotion_of_minute=promo_of)
