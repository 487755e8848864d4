"""How many entities a log never shows, and the law of their relative rates.

A log shows only the shops (buyers) with at least one order. The generator gives each of its
``n`` entities a relative rate drawn from a law and its orders from a Poisson count around
``orders * rate / sum of rates`` (times the re-ranking boost for shops). For a candidate law,
:func:`fit_counts` solves for the ``n`` whose expected number of entities with at least one
order equals the log's, then scores the law by the distance between the model's and the log's
distributions of orders per observed entity; the best law of a grid wins. Entities with no
order are thus extrapolated from the law: as many as a Poisson count of that law leaves at 0.

Shops and buyers are drawn differently, and each is modelled as the generator draws it:

- a shop's popularity is a sample of the law (iid), represented by the law's quantiles at a
  fixed grid of :data:`GRID` levels, each standing for ``n / GRID`` shops;
- a buyer's activity is stratified (:mod:`brushbench.market.population`): the buyer of
  activity rank ``r`` has the law's mass over the ranks ``[r, r + 1)`` of the population's
  own table (:func:`population_cells`). The top buyers are modelled one by one, as the
  generator has them: under a law with a tail as heavy as pareto 1, the single most active
  buyer takes a tenth of the orders, which a grid of 500 levels cuts off.

Everything is deterministic (no sampling), and the count distribution is the exact Poisson
mixture over the grid or the cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri, pdtr

__all__ = ["CountFit", "fit_counts", "grid_means", "population_cells", "rates"]

#: Points of the quantile grid that stands for a law (levels (j + 0.5) / GRID).
GRID = 500
#: Candidate laws and the range of their shape (searched on a coarse grid, then refined by
#: golden section around the best point).
FAMILIES = {"lognorm": (0.05, 4.0), "pareto": (0.4, 6.0)}
_COARSE, _GOLDEN_ROUNDS = 0.25, 14
_PHI = (np.sqrt(5.0) - 1.0) / 2.0
#: Points of the population's activity table (as :mod:`brushbench.market.population`), and
#: cells of ranks the buyers are modelled by.
_ACTIVITY_POINTS = 4096
_RANK_CELLS = 600


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


def population_cells(family: str, shape: float, n: float) -> tuple[np.ndarray, np.ndarray]:
    """Buyers of each cell of activity ranks and each one's activity (mean 1), as the
    generator's population of ``n`` buyers has them.

    The activity table is the population's (:func:`brushbench.market.population.
    _activity_table`, a test holds them equal): the cumulated law over the rank fraction, on a
    geometric grid from ``min(0.25 / n, 1e-4)``. The ranks are cut into cells of one rank at
    the top, growing geometrically below (:data:`_RANK_CELLS` of them), each buyer of a cell
    taking its mean.
    """
    q = np.concatenate(([0.0], np.geomspace(min(0.25 / n, 1e-4), 1.0, _ACTIVITY_POINTS)))
    mid = (q[:-1] + q[1:]) / 2
    level = np.maximum(np.nan_to_num(rates(family, shape, 1.0 - mid), nan=0.0, posinf=0.0),
                       1e-12)
    mass = np.concatenate(([0.0], np.cumsum(np.diff(q) * level)))
    mass = mass / mass[-1]
    top = max(float(n), 1.0)
    edges = np.unique(np.concatenate(([0.0], np.floor(np.geomspace(1.0, top, _RANK_CELLS)),
                                      [top])))
    size = np.diff(edges)
    share = np.diff(np.interp(edges / top, q, mass))
    return size, share * top / size


def _levels() -> np.ndarray:
    # Highest first, so that position j is rank ~ j / GRID of the population.
    return 1.0 - (np.arange(GRID) + 0.5) / GRID


def _means(w: np.ndarray, n: float, orders: float, strength: float, top_slots: float
           ) -> np.ndarray:
    """Expected orders of each grid point's entities when there are ``n`` of them."""
    rank = (np.arange(GRID) + 0.5) / GRID * n
    weight = w * (1.0 + strength * np.exp(-rank / top_slots))
    return orders * weight / (n * weight.mean())


def _solve_n(model: Callable[[float], tuple[np.ndarray, np.ndarray]], observed: int,
             orders: int, cap: float) -> float:
    """The ``n`` whose expected number of entities with an order is ``observed``.

    ``model(n)`` gives the entities of each point and their expected orders."""
    lo, hi = float(observed), cap
    if observed >= orders:
        # Every entity has one order: the log says only that they are many; ten times as
        # many as it shows (rather than the cap: millions of accounts that slow every run).
        return min(cap, 10.0 * observed)
    for _ in range(60):
        mid = np.sqrt(lo * hi)
        size, lam = model(mid)
        seen = float(np.dot(size, -np.expm1(-lam)))
        lo, hi = (mid, hi) if seen < observed else (lo, mid)
        if hi / lo < 1.0005:
            break
    return float(np.sqrt(lo * hi))


def _grid_k(top: float) -> np.ndarray:
    small = np.arange(1, 65, dtype=np.float64)
    big = np.unique(np.floor(np.geomspace(65, max(top, 66.0), 120)))
    return np.concatenate((small, big))


def _distance(size: np.ndarray, lam: np.ndarray, k: np.ndarray, empirical: np.ndarray
              ) -> float:
    """W1 between ln(count | count > 0) of the Poisson mixture and of the log."""
    seen = size * -np.expm1(-lam)
    cdf = (pdtr(k[:, None], lam[None, :]) - np.exp(-lam)[None, :]) @ size
    cdf = cdf / seen.sum()
    widths = np.diff(np.log(k))
    return float(np.sum(np.abs(cdf - empirical)[:-1] * widths))


def fit_counts(counts: np.ndarray, orders: int, *, strength: float = 0.0,
               top_slots: float = 50.0, cap: float = 10_000_000,
               stratified: bool = False) -> CountFit:
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
    stratified : bool
        The entities' rates are the population's stratified table (buyers,
        :func:`population_cells`) rather than samples of the law (shops, the grid).
    """
    counts = np.asarray(counts)
    observed = len(counts)
    k = _grid_k(float(counts.max()) * 1.5)
    empirical = np.searchsorted(np.sort(counts), k, side="right") / observed
    cap = max(min(cap, 1000.0 * observed), observed + 1.0)

    def model(family: str, shape: float) -> Callable[[float], tuple[np.ndarray, np.ndarray]]:
        if stratified:
            def cells(n: float) -> tuple[np.ndarray, np.ndarray]:
                size, activity = population_cells(family, shape, n)
                return size, orders * activity / n
            return cells
        w = rates(family, shape, _levels())

        def grid(n: float) -> tuple[np.ndarray, np.ndarray]:
            return np.full(GRID, n / GRID), _means(w, n, orders, strength, top_slots)
        return grid

    def score(family: str, shape: float) -> tuple[float, float]:
        at = model(family, shape)
        n = _solve_n(at, observed, orders, cap)
        return _distance(*at(n), k, empirical), n

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
    size, lam = model(family, shape)(n)
    # d ln(seen) / d ln(n) with the rates fixed: 1 - (mean lam e^-lam) / (mean 1 - e^-lam).
    elasticity = 1.0 - float(np.dot(size, lam * np.exp(-lam)) / np.dot(size, -np.expm1(-lam)))
    return CountFit(family, float(shape), max(round(n), observed), d,
                    max(elasticity, 0.05))


def grid_means(fit: CountFit, orders: int, strength: float = 0.0, top_slots: float = 50.0
               ) -> np.ndarray:
    """Expected orders of entities standing for the fitted population (equal weights)."""
    return _means(rates(fit.family, fit.shape, _levels()), fit.n, orders, strength, top_slots)
