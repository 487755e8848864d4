"""Repeat customers from a log's own columns: regulars' loyalty and quick returns.

Two generator mechanisms make a (shop, buyer) pair order more than once:

- *regulars* (``traffic.repeat_share``, ``traffic.orders_per_regular``): a shop's regulars
  place about ``orders_per_regular`` orders each, spread over the whole window, so their gaps
  are hours to days;
- *repeat bursts* (``traffic.repeat_bursts {share, delay}``): an order is, with probability
  ``share``, a buyer coming back about ``delay`` seconds after an earlier order of the shop,
  so its gap is minutes to hours.

The quick returns are told apart by the repeat gap: gaps under :data:`QUICK` seconds in excess
of the regulars' background (whose density near 0 is about flat, read off the gaps between
:data:`QUICK` and 5 x :data:`QUICK`) are bursts. The regulars' loyalty is read off the pairs
with more than one order: a Poisson(m) count given at least 2 has the log's mean.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..scenario.model import Traffic

__all__ = ["DEFAULT_ORDERS_PER_REGULAR", "MIN_EVIDENCE", "QUICK", "initial_bursts",
           "initial_orders_per_regular"]

#: Gaps shorter than this (seconds) count as quick returns: well above the delays the SCL 2020
#: log's median gap points to (2.4 hours is the median of all gaps, regulars' included).
QUICK = 6 * 3600
#: Bounds of ``orders_per_regular`` (the scenario's) and of the burst share (the scenario's).
MIN_ORDERS_PER_REGULAR, MAX_ORDERS_PER_REGULAR = 1.0, 1000.0
MAX_BURST_SHARE = 0.9
#: The fewest quick gaps (repeat pairs) a log needs for the fit to set the quick returns
#: (``orders_per_regular``): fewer are noise that a refinement would chase (a log of 600 orders
#: has a few dozen).
MIN_EVIDENCE = 100
#: The scenario's default ``traffic.orders_per_regular``, kept when the log cannot tell.
DEFAULT_ORDERS_PER_REGULAR = float(next(
    f.default for f in dataclasses.fields(Traffic)  # type: ignore[arg-type]
    if f.name == "orders_per_regular"))


def initial_bursts(gaps: np.ndarray, orders: int) -> tuple[float, float]:
    """``repeat_bursts`` share and delay scale (seconds) from the repeat gaps.

    The share is 0 (off) for a log of fewer than :data:`MIN_EVIDENCE` quick gaps; otherwise
    the quick gaps in excess of the background per order (each burst makes one
    gap); the delay is their median (the generator's delay law is a log-normal with the
    scenario default's shape, whose median is its scale).
    """
    quick = gaps[gaps < QUICK]
    if len(quick) < MIN_EVIDENCE:
        return 0.0, float(QUICK / 4)
    background = np.count_nonzero((gaps >= QUICK) & (gaps < 5 * QUICK)) / 4
    excess = len(quick) - background
    if excess <= 0 or orders == 0:
        return 0.0, float(QUICK / 4)
    share = min(MAX_BURST_SHARE, excess / orders)
    return float(share), float(max(60.0, np.median(quick)))


def _mean_given_two(m: float) -> float:
    """Mean of a Poisson(m) count given it is at least 2."""
    p0, p1 = math.exp(-m), m * math.exp(-m)
    return (m - p1) / max(1.0 - p0 - p1, 1e-300)


def initial_orders_per_regular(pair_sizes: np.ndarray) -> float:
    """The Poisson mean whose count given at least 2 has the mean of the log's pairs of 2+.

    A log with fewer than :data:`MIN_EVIDENCE` such pairs keeps the scenario's default.
    """
    repeat = pair_sizes[pair_sizes >= 2]
    if len(repeat) < MIN_EVIDENCE:
        return DEFAULT_ORDERS_PER_REGULAR
    target = float(repeat.mean())
    lo, hi = 1e-6, MAX_ORDERS_PER_REGULAR
    if _mean_given_two(lo) >= target:  # pairs of exactly 2: the fewest orders per regular
        return MIN_ORDERS_PER_REGULAR
    for _ in range(100):  # the conditional mean rises with m
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if _mean_given_two(mid) < target else (lo, mid)
    return float(np.clip(math.sqrt(lo * hi), MIN_ORDERS_PER_REGULAR, MAX_ORDERS_PER_REGULAR))
