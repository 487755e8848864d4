"""How many entities a log never shows, and the law of their relative rates.

A log shows only the shops (buyers) with at least one order. The generator gives each of its
``n`` entities a relative rate drawn from a law and its orders from a Poisson count around
``orders * rate / sum of rates`` (times the re-ranking boost for shops). For a candidate law,
:func:`fit_counts` solves for the ``n`` whose expected number of entities with at least one
order equals the log's, then scores the law by the distance between the model's and the log's
distributions of orders per observed entity; the best law of a grid wins. Entities with no
order are thus extrapolated from the law: as many as a Poisson count of that law leaves at 0.

Everything is deterministic: a law is represented by its quantiles at a fixed grid of levels
(no sampling), and the count distribution is the exact Poisson mixture over that grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri, pdtr

__all__ = ["CountFit", "fit_counts", "grid_means", "rates"]

#: Points of the quantile grid that stands for a law (levels (j + 0.5) / GRID).
GRID = 500
#: Candidate laws and the range of their shape (searched on a coarse grid, then refined by
#: golden section around the best point).
FAMILIES = {"lognorm": (0.05, 4.0), "pareto": (0.4, 6.0)}
_COARSE, _GOLDEN_ROUNDS = 0.25, 14
_PHI = (np.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class CountFit:
    """A fitted law of relative rates and the number of entities."""

    family: str       # "lognorm" (shape s) or "pareto" (shape b)
    shape: float
    n: int            # entities, those with no order in the log included
    distance: float   # W1 between the model's and the log's ln(orders per observed entity)
    elasticity: float  # d ln(observed) / d ln(n): how the observed count follows n

    def spec(self) -> dict[str, float | str]:
        """The law as a scenario writes it."""
        key = "s" if self.family == "lognorm" else "b"
        return {"dist": self.family, key: round(self.shape, 3), "scale": 1.0}


def rates(family: str, shape: float, levels: np.ndarray) -> np.ndarray:
    """The law's quantiles at ``levels`` (scale 1)."""
    if family == "lognorm":
        return np.exp(shape * ndtri(levels))
    return (1.0 - levels) ** (-1.0 / shape)


def _levels() -> np.ndarray:
    # Highest first, so that position j is rank ~ j / GRID of the population.
    return 1.0 - (np.arange(GRID) + 0.5) / GRID


def _means(w: np.ndarray, n: float, orders: float, strength: float, top_slots: float
           ) -> np.ndarray:
    """Expected orders of each grid point's entities when there are ``n`` of them."""
    rank = (np.arange(GRID) + 0.5) / GRID * n
    weight = w * (1.0 + strength * np.exp(-rank / top_slots))
    return orders * weight / (n * weight.mean())


def _solve_n(w: np.ndarray, observed: int, orders: int, strength: float, top_slots: float,
             cap: float) -> float:
    """The ``n`` whose expected number of entities with an order is ``observed``."""
    lo, hi = float(observed), cap
    if observed >= orders:
        # Every entity has one order: the log says only that they are many; ten times as
        # many as it shows (rather than the cap: millions of accounts that slow every run).
        return min(cap, 10.0 * observed)
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        seen = mid * np.mean(-np.expm1(-_means(w, mid, orders, strength, top_slots)))
        lo, hi = (mid, hi) if seen < observed else (lo, mid)
        if hi / lo < 1.0005:
            break
    return float(np.sqrt(lo * hi))


def _grid_k(top: float) -> np.ndarray:
    small = np.arange(1, 65, dtype=np.float64)
    big = np.unique(np.floor(np.geomspace(65, max(top, 66.0), 120)))
    return np.concatenate((small, big))


def _distance(lam: np.ndarray, k: np.ndarray, empirical: np.ndarray) -> float:
    """W1 between ln(count | count > 0) of the Poisson mixture and of the log."""
    seen = -np.expm1(-lam)
    cdf = (pdtr(k[:, None], lam[None, :]) - np.exp(-lam)[None, :]) @ np.ones(len(lam))
    cdf = cdf / seen.sum()
    widths = np.diff(np.log(k))
    return float(np.sum(np.abs(cdf - empirical)[:-1] * widths))


def fit_counts(counts: np.ndarray, orders: int, *, strength: float = 0.0,
               top_slots: float = 50.0, cap: float = 10_000_000) -> CountFit:
    """Fit the law and number of entities to the orders of each observed entity.

    Parameters
    ----------
    counts : ndarray of int
        Orders of each entity the log shows (all >= 1).
    orders : int
        Orders in the log (the sum of ``counts``).
    strength, top_slots : float
        The re-ranking boost the generator adds to the top entities (shops; 0 for buyers).
    cap : float
        The most entities allowed (the scenario's limit).
    """
    counts = np.asarray(counts)
    observed = len(counts)
    k = _grid_k(float(counts.max()) * 1.5)
    empirical = np.searchsorted(np.sort(counts), k, side="right") / observed
    levels = _levels()
    cap = max(min(cap, 1000.0 * observed), observed + 1.0)

    def score(family: str, shape: float) -> tuple[float, float]:
        w = rates(family, shape, levels)
        n = _solve_n(w, observed, orders, strength, top_slots, cap)
        return _distance(_means(w, n, orders, strength, top_slots), k, empirical), n

    best: tuple[float, str, float, float] | None = None
    for family, (low, high) in FAMILIES.items():
        coarse = np.arange(low, high + 1e-9, _COARSE)
        scores = [score(family, s)[0] for s in coarse]
        centre = float(coarse[int(np.argmin(scores))])
        a, b = max(low, centre - _COARSE), min(high, centre + _COARSE)
        for _ in range(_GOLDEN_ROUNDS):  # the distance is unimodal near its minimum
            c, e = b - _PHI * (b - a), a + _PHI * (b - a)
            a, b = (a, e) if score(family, c)[0] <= score(family, e)[0] else (c, b)
        shape = (a + b) / 2
        d, n = score(family, shape)
        if best is None or d < best[0]:
            best = (d, family, shape, n)
    assert best is not None
    d, family, shape, n = best
    w = rates(family, shape, levels)
    lam = _means(w, n, orders, strength, top_slots)
    # d ln(seen) / d ln(n) with the rates fixed: 1 - (mean lam e^-lam) / (mean 1 - e^-lam).
    elasticity = 1.0 - float(np.mean(lam * np.exp(-lam)) / np.mean(-np.expm1(-lam)))
    return CountFit(family, float(shape), max(round(n), observed), d,
                    max(elasticity, 0.05))


def grid_means(fit: CountFit, orders: int, strength: float = 0.0, top_slots: float = 50.0
               ) -> np.ndarray:
    """Expected orders of entities standing for the fitted population (equal weights)."""
    return _means(rates(fit.family, fit.shape, _levels()), fit.n, orders, strength, top_slots)
