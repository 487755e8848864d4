"""How many organic orders each shop gets in each ranking slice: the re-ranking feedback loop.

A marketplace hands next hour's traffic to this hour's best sellers (Cai et al., AAAI 2018): a
shop's expected orders in slice h+1 are its base popularity times a boost that decays with its
sales rank in slice h (smoothed over earlier slices). This loop runs once per slice over all shops
(a few thousand slices at most), never per order. Counts are Poisson-lognormal, drawn by inverse
CDF from uniforms keyed by (shop, slice), so one shop's count never depends on another's draw.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from ..market.curves import Curve
from ..scenario.model import Traffic
from .randomness import KeyedUniforms

# Above this mean a Poisson quantile is taken from its Cornish-Fisher normal approximation.
_NORMAL_FROM = 40.0


def poisson_quantile(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Smallest k with P(Poisson(lam) <= k) >= u, vectorised (approximate for large ``lam``)."""
    u = np.asarray(u, dtype=np.float64)
    lam = np.asarray(lam, dtype=np.float64)
    out = np.zeros(u.shape, dtype=np.int64)
    big = lam >= _NORMAL_FROM
    if big.any():
        z = ndtri(u[big])
        lb = lam[big]
        out[big] = np.maximum(np.floor(lb + np.sqrt(lb) * z + (z * z - 1.0) / 6.0 + 0.5), 0)
    small = np.flatnonzero(~big & (lam > 0))
    if small.size:
        ls, us = lam[small], u[small]
        pmf = np.exp(-ls)
        cdf = pmf.copy()
        k = np.zeros(small.size, dtype=np.int64)
        active = np.flatnonzero(cdf < us)
        step = 0
        while active.size:
            step += 1
            pmf[active] *= ls[active] / step
            cdf[active] += pmf[active]
            k[active] = step
            active = active[(cdf[active] < us[active]) & (pmf[active] > 1e-300)]
        out[small] = k
    return out


def slice_edges(start: int, end: int, interval: int) -> np.ndarray:
    """Slice boundaries (epoch seconds): every ``interval`` from ``start``, cut at ``end``."""
    edges = np.arange(start, end, interval, dtype=np.int64)
    return np.append(edges, end)


def organic_counts(traffic: Traffic, popularity: np.ndarray, rank_before: np.ndarray,
                   curve: Curve, edges: np.ndarray, extra_sales: np.ndarray,
                   uniforms: KeyedUniforms, fraud_sales: np.ndarray | None = None) -> np.ndarray:
    """Organic orders per (shop, slice), shape ``(n_shops, n_slices)``, int64.

    ``extra_sales`` (same shape) holds the legitimate orders the plan adds outside organic
    traffic (flash sales, redirects, bulk buyers): they count towards a shop's rank like organic
    sales. ``fraud_sales`` holds brushing orders. They lift the rank, and so the traffic, of the
    shops they are placed on: that is what makes brushing pay. Every other shop keeps the rank
    and traffic share it has in the log without fraud (a brushed shop is inserted into the
    others' ranking rather than pushing each of them down), so that adding a campaign changes
    the legitimate orders of the shops it targets and of no other.
    """
    n_shops, n_slices = len(popularity), len(edges) - 1
    expected = traffic.orders * curve.mass(edges[:-1], edges[1:])
    rr = traffic.reranking
    counts = np.zeros((n_shops, n_slices), dtype=np.int64)
    score = popularity / popularity.sum() * expected.mean()
    shops = np.arange(n_shops, dtype=np.uint64)
    brushed = (np.flatnonzero(fraud_sales.any(axis=1)) if fraud_sales is not None
               else np.zeros(0, dtype=np.int64))
    brushed_score = score[brushed].copy()

    def boost(rank: np.ndarray) -> np.ndarray:
        return 1.0 + rr.strength * np.exp(-rank / rr.top_slots)

    for h in range(n_slices):
        # Rank by the smoothed score; ties go to the shop that ranked higher before the window.
        order = np.lexsort((rank_before, -score))
        rank = np.empty(n_shops, dtype=np.float64)
        rank[order] = np.arange(n_shops)
        weight = popularity * boost(rank)
        total = weight.sum()
        keys = shops | (np.uint64(h) << np.uint64(32))
        counts[:, h] = _draw(traffic, expected[h] * weight / total, uniforms, keys)
        if brushed.size:
            # A brushed shop's rank among the others, as the others stand without fraud.
            ascending = np.sort(score)
            above = n_shops - np.searchsorted(ascending, brushed_score, side="right")
            rank_b = above - (score[brushed] > brushed_score)
            mean_b = expected[h] * popularity[brushed] * boost(rank_b) / total
            own = _draw(traffic, mean_b, uniforms, keys[brushed])
        score = rr.memory * score + counts[:, h] + extra_sales[:, h]
        if brushed.size:
            assert fraud_sales is not None  # brushed shops are those it has sales for
            brushed_score = (rr.memory * brushed_score + own + extra_sales[brushed, h]
                             + fraud_sales[brushed, h])
            counts[brushed, h] = own
    return counts


def _draw(traffic: Traffic, mean: np.ndarray, uniforms: KeyedUniforms,
          keys: np.ndarray) -> np.ndarray:
    if traffic.burstiness > 0:
        sigma = np.full(mean.shape, traffic.burstiness)
        if traffic.burst_crowd > 0:
            # A busy shop's hour is the sum of many buyers' choices: its spread shrinks.
            c = traffic.burst_crowd
            sigma = sigma * np.sqrt(c / (c + mean))
        mean = mean * np.exp(sigma * ndtri(uniforms(keys, "burst")) - 0.5 * sigma * sigma)
    return poisson_quantile(uniforms(keys, "count"), mean)
