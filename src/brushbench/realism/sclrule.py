"""Which shops the Shopee Code League 2020 rule flags: the realism statistic ``scl_rule_shops``.

A shop is flagged when some closed 1-hour window ``[t, t + 1h]``, for any real ``t``, holds at
least 3 orders per unique buyer (``docs/sources.md#scl-rule``; the ``exact`` reading of
``#scl-windows``, which gives the 315 shops of the official key). The reference
implementation, which also scores orders and buyers, is ``baselines/concentrate_rate.py``; it
takes its windows and unique-buyer counts from here (:func:`closed_windows`,
:func:`distinct_buyers`), and tests/realism check that both flag the same shops.

Vectorised: orders sorted by shop and time on one axis (gaps capped, shops kept apart), every
distinct window content by ``np.searchsorted``, unique buyers per window by a difference
array.
"""

from __future__ import annotations

import numpy as np

__all__ = ["closed_windows", "distinct_buyers", "flagged_shops"]

HOUR = 3600
THRESHOLD = 3.0


def closed_windows(key: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct non-empty content ``[lo, hi)`` (positions in the sorted ``key``) of a
    closed window ``[t, t + window]`` over real ``t``; ``lo`` and ``hi`` non-decreasing."""
    events = np.sort(np.concatenate((key, key - window)), kind="stable")
    events = events[np.concatenate(([True], events[1:] != events[:-1]))]
    hi = np.repeat(np.searchsorted(key, events + window, "right"), 2)
    # At an event e: the closed window [e, e+w], then (e, e+w] (what t just above e holds).
    lo = np.column_stack((np.searchsorted(key, events, "left"),
                          np.searchsorted(key, events, "right"))).ravel()
    keep = lo < hi
    keep[1:] &= (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    return lo[keep], hi[keep]


def distinct_buyers(lo: np.ndarray, hi: np.ndarray, prev: np.ndarray) -> np.ndarray:
    """Unique buyers per window: orders in it whose buyer's previous order in the shop
    (``prev``, -1 for none) lies before it; those windows are one run, added by a difference
    array."""
    m = len(lo)
    p = np.arange(len(prev))
    start = np.maximum(np.searchsorted(lo, prev + 1, "left"), np.searchsorted(hi, p, "right"))
    end = np.searchsorted(lo, p, "right")
    ok = start < end
    diff = np.bincount(start[ok], minlength=m + 1) - np.bincount(end[ok], minlength=m + 1)
    return np.cumsum(diff[:m])


def flagged_shops(shop_code: np.ndarray, buyer_code: np.ndarray, t: np.ndarray,
                  window: int = HOUR, threshold: float = THRESHOLD) -> np.ndarray:
    """The shop codes (``0..n-1`` numbering) the rule flags, sorted."""
    order = np.lexsort((t, shop_code))
    sh, b, ts = shop_code[order], buyer_code[order], t[order]
    # Gaps over the window change no window's content: capping them (and putting more than a
    # window between shops) keeps the keys small and the shops apart on one sorted axis.
    step = np.minimum(np.diff(ts), window + 1)
    step[sh[1:] != sh[:-1]] = 2 * window + 1
    key = np.concatenate(([0], np.cumsum(step)))
    pair = sh.astype(np.int64) * (int(b.max()) + 1) + b
    by_pair = np.argsort(pair, kind="stable")
    same = pair[by_pair[1:]] == pair[by_pair[:-1]]
    prev = np.full(len(sh), -1, dtype=np.int64)
    prev[by_pair[1:][same]] = by_pair[:-1][same]
    lo, hi = closed_windows(key, window)
    rate = (hi - lo) / distinct_buyers(lo, hi, prev)
    return np.unique(sh[lo[rate >= threshold]])
