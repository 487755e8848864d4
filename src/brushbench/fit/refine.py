"""Refine the first estimate by generating from it: a few Newton steps on the generator itself.

The first estimate (:mod:`.estimate`) models each statistic apart; the generator couples them
(regular customers change how many buyers a log shows, the re-ranking loop and burstiness
change the orders per shop, quick returns add pairs of two). Here ten parameters are adjusted
together so that ten smooth statistics of a generated log match the log's:

===================================  ===============================================
parameter                            statistic
===================================  ===============================================
ln marketplace.shops                 ln shops with an order
shop_popularity shape                standard deviation of ln(orders per shop)
ln marketplace.buyers                ln buyers with an order
buyer_activity shape                 standard deviation of ln(orders per buyer)
traffic.repeat_share                 share of (shop, buyer) pairs with one order
traffic.burstiness                   mean ln(orders per non-empty shop-hour)
ln traffic.orders_per_regular        mean ln(orders per pair) over pairs of 2 or more
traffic.repeat_bursts.share          repeat gaps under 6 hours per order
ln traffic.repeat_bursts.delay       median ln(repeat gap) under 6 hours
ln(1 + traffic.burst_crowd)          how the busiest shops' hours vary (:func:`busy_spread`)
===================================  ===============================================

The Jacobian is taken once by finite differences at the first estimate, then a few damped
(Levenberg-Marquardt) steps follow; the point with the smallest residual is kept. Every run uses the
same seeds (common random numbers), so the whole refinement is deterministic. A log of more
than :data:`REFINE_ORDERS` orders is generated at a smaller scale (shops, buyers and orders
shrink together, so per-shop and per-buyer shapes stay); a smaller log is generated several
times with different seeds and the statistics averaged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..generator.run import generate
from ..realism.stats import Log, repeat_gaps, shop_hour_counts
from ..scenario.limits import MAX_BUYERS, MAX_SHOPS
from ..scenario.model import Scenario
from .estimate import MAX_REPEAT_SHARE, Estimate
from .laws import FAMILIES, CountFit
from .repeats import MAX_BURST_SHARE, MAX_ORDERS_PER_REGULAR, MIN_EVIDENCE, QUICK

__all__ = ["REFINE_ORDERS", "Refinement", "refine", "targets"]

#: Orders generated per evaluation (at most; the scale shrinks a larger log to this).
REFINE_ORDERS = 30_000
#: Most runs averaged for a small log.
MAX_REPEATS = 6
#: Newton steps after the Jacobian, and halvings of a step that does not help.
STEPS = 4
_HALVINGS = 3
#: Levenberg-Marquardt damping (a share of the curvature added to its diagonal).
_DAMPING = 0.3
#: Finite-difference steps and the residual scales (what counts as "close"), per parameter.
_DELTA = np.array([0.1, 0.1, 0.1, 0.1, 0.05, 0.2, 0.2, 0.02, 0.3, 0.7])
_SCALE = np.array([0.03, 0.05, 0.03, 0.03, 0.01, 0.03, 0.03, 0.005, 0.1, 0.05])
#: Largest change of one parameter in one step.
_MAX_STEP = np.array([0.5, 0.5, 0.5, 0.5, 0.2, 0.8, 0.7, 0.1, 1.0, 1.5])
#: Parameters bounded below by 0 (a finite difference there steps inwards).
_AT_ZERO = (4, 5, 6, 7, 9)
NAMES = ("shops", "shop_popularity", "buyers", "buyer_activity", "repeat_share", "burstiness",
         "orders_per_regular", "repeat_bursts.share", "repeat_bursts.delay", "burst_crowd")
_N = len(NAMES)
#: Share of the shops with an order whose hours :func:`busy_spread` reads (at least 3 shops).
BUSY_SHARE = 0.02


def _busy(log: Log) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The busiest shops, and the shop and orders of each of their non-empty hours."""
    hours = log.local // 3600
    hours = hours - hours.min()
    cells, counts = np.unique(log.shop_code * (int(hours.max()) + 1) + hours, return_counts=True)
    shop = cells // (int(hours.max()) + 1)
    per_shop = np.bincount(log.shop_code)
    seen = np.flatnonzero(per_shop)
    top = seen[np.argsort(-per_shop[seen], kind="stable")][:max(3, round(BUSY_SHARE * len(seen)))]
    busy = np.isin(shop, top)
    return top, shop[busy], counts[busy], per_shop


def busy_hours(log: Log) -> int:
    """Non-empty hours of the busiest shops (:func:`busy_spread`'s evidence)."""
    return len(_busy(log)[1])


def busy_spread(log: Log) -> float:
    """Mean over the busiest shops of the standard deviation of ln(orders per non-empty hour).

    ``burst_crowd`` calms exactly these shops' hours while leaving the small shops' (which
    :func:`targets`' mean ln shop-hour reads) as they are.
    """
    top, s, counts, per_shop = _busy(log)
    if len(s) == 0:
        return 0.0
    ln = np.log(counts)
    k = np.bincount(s, minlength=len(per_shop))[top]
    mean = np.bincount(s, weights=ln, minlength=len(per_shop))[top] / k
    square = np.bincount(s, weights=ln * ln, minlength=len(per_shop))[top] / k
    return float(np.sqrt(np.maximum(square - mean * mean, 0)).mean())


def active(log: Log) -> np.ndarray:
    """Which parameters (and their statistics) the log has the evidence to refine.

    The quick returns need :data:`~.repeats.MIN_EVIDENCE` repeat gaps under
    :data:`~.repeats.QUICK`, ``orders_per_regular`` as many pairs of 2 or more orders, and
    ``burst_crowd`` five times as many non-empty hours of the busiest shops; short of that the
    statistic is noise, and the parameter keeps its first estimate.
    """
    gaps = repeat_gaps(log)
    on = np.ones(_N, dtype=bool)
    on[6] = np.count_nonzero(log.pair_sizes >= 2) >= MIN_EVIDENCE
    on[7] = on[8] = np.count_nonzero(gaps < QUICK) >= MIN_EVIDENCE
    on[9] = busy_hours(log) >= 5 * MIN_EVIDENCE
    return on


def targets(log: Log) -> np.ndarray:
    """The statistics the refinement matches (see the module's table)."""
    shop = np.bincount(log.shop_code)
    shop = shop[shop > 0]
    buyer = np.bincount(log.buyer_code)
    buyer = buyer[buyer > 0]
    pairs = log.pair_sizes
    gaps = repeat_gaps(log)
    quick = gaps[gaps < QUICK]
    return np.array([
        math.log(len(shop)), float(np.log(shop).std()),
        math.log(len(buyer)), float(np.log(buyer).std()),
        float(np.mean(pairs == 1)),
        float(np.log(shop_hour_counts(log)).mean()),
        float(np.log(pairs[pairs >= 2]).mean()) if (pairs >= 2).any() else math.log(2),
        len(quick) / len(log.shop),
        float(np.median(np.log(np.maximum(quick, 1)))) if len(quick) else math.log(QUICK),
        busy_spread(log),
    ])


@dataclass(frozen=True)
class Refinement:
    """What the refinement did: the residuals (generated minus log) before and after."""

    before: np.ndarray
    after: np.ndarray
    runs: int


def _vector(est: Estimate) -> np.ndarray:
    return np.array([math.log(est.shops.n), est.shops.shape, math.log(est.buyers.n),
                     est.buyers.shape, est.repeat_share, est.burstiness,
                     math.log(est.orders_per_regular), est.burst_share,
                     math.log(est.burst_delay), math.log1p(est.burst_crowd)])


def _apply(est: Estimate, x: np.ndarray, observed_shops: int, observed_buyers: int
           ) -> Estimate:
    lo_s, hi_s = FAMILIES[est.shops.family]
    lo_b, hi_b = FAMILIES[est.buyers.family]
    # Never fewer entities than the log shows, nor more than a scenario may hold.
    n_shops = min(max(round(math.exp(x[0])), observed_shops), MAX_SHOPS)
    n_buyers = min(max(round(math.exp(x[2])), observed_buyers), MAX_BUYERS)
    shops = CountFit(est.shops.family, float(np.clip(x[1], lo_s, hi_s)), n_shops,
                     est.shops.distance, est.shops.elasticity)
    buyers = CountFit(est.buyers.family, float(np.clip(x[3], lo_b, hi_b)), n_buyers,
                      est.buyers.distance, est.buyers.elasticity)
    return est.with_values(shops=shops, buyers=buyers,
                           repeat_share=float(np.clip(x[4], 0.0, MAX_REPEAT_SHARE)),
                           burstiness=float(np.clip(x[5], 0.0, 4.0)),
                           orders_per_regular=float(np.clip(math.exp(x[6]), 1.0,
                                                            MAX_ORDERS_PER_REGULAR)),
                           burst_share=float(np.clip(x[7], 0.0, MAX_BURST_SHARE)),
                           burst_delay=float(np.clip(math.exp(x[8]), 60.0, 30 * 86400.0)),
                           burst_crowd=float(np.clip(math.expm1(x[9]), 0.0, 1e6)))


def refine(est: Estimate, log: Log, build: Callable[[Estimate], Scenario], seed: int
           ) -> tuple[Estimate, Refinement]:
    """Adjust ``est`` so that logs generated from ``build(est)`` match ``log``.

    Parameters
    ----------
    est : Estimate
        The first estimate.
    log : Log
        The log fitted to.
    build : callable
        Makes the scenario of an estimate (as it will be written).
    seed : int
        First seed of the generator runs.
    """
    n = len(log.shop)
    scale = min(1.0, REFINE_ORDERS / n)
    repeats = int(min(MAX_REPEATS, max(1, math.ceil(REFINE_ORDERS / n))))
    want = targets(log)
    want[0] += math.log(scale)
    want[2] += math.log(scale)
    seen_shops, seen_buyers = len(np.unique(log.shop_code)), len(np.unique(log.buyer_code))
    runs = 0

    def residual(x: np.ndarray) -> np.ndarray:
        nonlocal runs
        scenario = build(_apply(est, x, seen_shops, seen_buyers))
        got = []
        for r in range(repeats):
            runs += 1
            orders = generate(scenario, seed=seed + r, scale=scale).arrow("orders")
            if orders.num_rows:  # a run of a very small log may draw no order at all
                got.append(targets(Log.of_tables(orders, scenario.window.timezone)))
        return np.mean(got, axis=0) - want if got else np.full(_N, np.inf)

    on = active(log)
    weight = np.where(on, 1.0 / _SCALE, 0.0)

    def loss(f: np.ndarray) -> float:
        value = float(np.sum((f * weight) ** 2))
        return value if np.isfinite(value) else np.inf

    x = _vector(est)
    f = residual(x)
    before = f
    best = (loss(f), x, f)
    jac = np.zeros((_N, _N))
    for i in np.flatnonzero(on):
        step = np.zeros(_N)
        # Step inwards where a parameter sits at its lower bound (0 burstiness, 0 repeats).
        step[i] = _DELTA[i] if x[i] - _DELTA[i] < 0 and i in _AT_ZERO else -_DELTA[i]
        fi = residual(x + step)
        jac[:, i] = (fi - f) / step[i]
        if loss(fi) < best[0]:
            best = (loss(fi), x + step, fi)
    a = (jac * weight[:, None])[:, on]
    for _ in range(STEPS):
        x, f = best[1], best[2]
        # A Levenberg-Marquardt step (scaled: each statistic weighs by how close it must
        # come), halved until it lowers the residual: the generator is not linear so far out.
        # Each parameter's change is cut to its own bound: scaling the whole step by the
        # largest overshoot let a flat direction (a pareto buyer law's shape, which moves
        # little) shrink the others' steps to nothing.
        g = a.T @ a
        delta = np.zeros(_N)
        delta[on] = np.linalg.solve(g + _DAMPING * np.diag(np.diag(g)) + 1e-9 * np.eye(len(g)),
                                    -a.T @ (f * weight))
        delta = np.clip(delta, -_MAX_STEP, _MAX_STEP)
        improved = False
        for _ in range(_HALVINGS):
            ft = residual(x + delta)
            if loss(ft) < best[0]:
                best, improved = (loss(ft), x + delta, ft), True
                break
            delta = delta / 2
        if not improved:
            break
    return _apply(est, best[1], seen_shops, seen_buyers), Refinement(before, best[2], runs)
