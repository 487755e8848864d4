"""How bursty a shop's hours are: the ``traffic.burstiness`` that gives the log's shop-hours.

The generator draws a shop's orders in an hour as a Poisson count around its mean times a
log-normal multiplier (mean 1, log standard deviation ``burstiness``). Given the fitted shops
(their expected orders over the window) and the window's hour shares, :func:`fit_burstiness`
simulates the non-empty shop-hours for a grid of values and keeps the one whose distribution
of ln(orders per shop-hour) is closest (1-Wasserstein) to the log's.
"""

from __future__ import annotations

import numpy as np

from ..generator.counts import poisson_quantile

__all__ = ["fit_burstiness"]

#: Values tried (the scenario allows 0 to 4).
CANDIDATES = np.round(np.arange(0.0, 4.0001, 0.1), 2)
#: Hours of the window sampled per shop grid point (the shares of the others are alike).
_HOURS = 96


def _w1_ln(a: np.ndarray, b: np.ndarray) -> float:
    """1-Wasserstein distance between ln(a) and ln(b) (both positive counts)."""
    grid = np.unique(np.concatenate((a, b))).astype(np.float64)
    fa = np.searchsorted(np.sort(a), grid, side="right") / len(a)
    fb = np.searchsorted(np.sort(b), grid, side="right") / len(b)
    return float(np.sum(np.abs(fa - fb)[:-1] * np.diff(np.log(grid))))


def fit_burstiness(shop_means: np.ndarray, hour_shares: np.ndarray, observed: np.ndarray,
                   seed: int) -> float:
    """The burstiness whose simulated shop-hours are closest to ``observed``.

    Parameters
    ----------
    shop_means : ndarray
        Expected orders over the window of shops standing for the population (equal weights).
    hour_shares : ndarray
        Share of the window's orders in each hour (sums to 1).
    observed : ndarray of int
        The log's orders per non-empty shop-hour.
    seed : int
        Seed of the simulation (the same draws for every candidate).
    """
    rng = np.random.default_rng(seed)
    hours = rng.choice(len(hour_shares), size=(len(shop_means), _HOURS))
    mean = shop_means[:, None] * hour_shares[hours]
    z = rng.standard_normal(mean.shape)
    u = rng.random(mean.shape)
    best, best_d = 0.0, np.inf
    for sigma in CANDIDATES:
        lam = mean * np.exp(sigma * z - 0.5 * sigma * sigma)
        counts = _poisson_at(u, lam)
        counts = counts[counts > 0]
        if len(counts) == 0:
            continue
        d = _w1_ln(counts, observed)
        if d < best_d:
            best, best_d = float(sigma), d
    return best


def _poisson_at(u: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Poisson quantiles at ``u``, as the generator draws its counts (the same uniforms for
    every candidate: common random numbers keep draw noise out of the comparison)."""
    return poisson_quantile(u.ravel(), lam.ravel())
