"""Refine the first estimate by generating from it: a few Newton steps on the generator itself.

The first estimate (:mod:`.estimate`) models each statistic apart; the generator couples them
(regular customers change how many buyers a log shows, the re-ranking loop and burstiness
change the orders per shop). Here six parameters are adjusted together so that six smooth
statistics of a generated log match the log's:

==========================  ====================================================
parameter                   statistic
==========================  ====================================================
ln marketplace.shops        ln shops with an order
shop_popularity shape       standard deviation of ln(orders per shop)
ln marketplace.buyers       ln buyers with an order
buyer_activity shape        standard deviation of ln(orders per buyer)
traffic.repeat_share        share of (shop, buyer) pairs with one order
traffic.burstiness          mean ln(orders per non-empty shop-hour)
==========================  ====================================================

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
from ..realism.stats import Log
from ..scenario.limits import MAX_BUYERS, MAX_SHOPS
from ..scenario.model import Scenario
from .burst import shop_hour_counts
from .estimate import MAX_REPEAT_SHARE, Estimate
from .laws import FAMILIES, CountFit

__all__ = ["REFINE_ORDERS", "Refinement", "refine", "targets"]

#: Orders generated per evaluation (at most; the scale shrinks a larger log to this).
REFINE_ORDERS = 30_000
#: Most runs averaged for a small log.
MAX_REPEATS = 6
#: Newton steps after the Jacobian, and halvings of a step that does not help.
STEPS = 2
_HALVINGS = 3
#: Levenberg-Marquardt damping (a share of the curvature added to its diagonal).
_DAMPING = 0.3
#: Finite-difference steps and the residual scales (what counts as "close"), per parameter.
_DELTA = np.array([0.1, 0.1, 0.1, 0.1, 0.05, 0.2])
_SCALE = np.array([0.03, 0.05, 0.03, 0.03, 0.01, 0.03])
#: Largest change of one parameter in one step.
_MAX_STEP = np.array([0.5, 0.5, 0.5, 0.5, 0.2, 0.8])
NAMES = ("shops", "shop_popularity", "buyers", "buyer_activity", "repeat_share", "burstiness")


def targets(log: Log) -> np.ndarray:
    """The six statistics the refinement matches (see the module's table)."""
    shop = np.bincount(log.shop_code)
    buyer = np.bincount(log.buyer_code)
    return np.array([
        math.log(len(shop)), float(np.log(shop).std()),
        math.log(len(buyer)), float(np.log(buyer).std()),
        float(np.mean(log.pair_sizes == 1)),
        float(np.log(shop_hour_counts(log.local, log.shop_code)).mean()),
    ])


@dataclass(frozen=True)
class Refinement:
    """What the refinement did: the residuals (generated minus log) before and after."""

    before: np.ndarray
    after: np.ndarray
    runs: int


def _vector(est: Estimate) -> np.ndarray:
    return np.array([math.log(est.shops.n), est.shops.shape, math.log(est.buyers.n),
                     est.buyers.shape, est.repeat_share, est.burstiness])


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
                           burstiness=float(np.clip(x[5], 0.0, 4.0)))


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
        return np.mean(got, axis=0) - want if got else np.full(6, np.inf)

    def loss(f: np.ndarray) -> float:
        value = float(np.sum((f / _SCALE) ** 2))
        return value if np.isfinite(value) else np.inf

    x = _vector(est)
    f = residual(x)
    before = f
    best = (loss(f), x, f)
    jac = np.empty((6, 6))
    for i in range(6):
        step = np.zeros(6)
        # Step inwards where a parameter sits at its lower bound (0 burstiness, 0 repeats).
        step[i] = _DELTA[i] if x[i] - _DELTA[i] < 0 and i >= 4 else -_DELTA[i]
        fi = residual(x + step)
        jac[:, i] = (fi - f) / step[i]
        if loss(fi) < best[0]:
            best = (loss(fi), x + step, fi)
    a = jac / _SCALE[:, None]
    for _ in range(STEPS):
        x, f = best[1], best[2]
        # A Levenberg-Marquardt step (scaled: each statistic weighs by how close it must
        # come), halved until it lowers the residual: the generator is not linear so far out.
        g = a.T @ a
        delta = np.linalg.solve(g + _DAMPING * np.diag(np.diag(g)) + 1e-9 * np.eye(6),
                                -a.T @ (f / _SCALE))
        delta = delta * min(1.0, float(np.min(_MAX_STEP / np.maximum(np.abs(delta), 1e-12))))
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
