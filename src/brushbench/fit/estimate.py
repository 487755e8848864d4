"""The first estimate of a scenario's parameters, from the log's own columns.

Each parameter is read off the statistic it drives, without running the generator:

- the window and the daily rhythm (:mod:`.clock`);
- ``marketplace.shops`` and ``shop_popularity`` from the orders per shop, the shops with no
  order extrapolated from the law (:mod:`.laws`), with the re-ranking boost of the top shops;
- ``marketplace.buyers`` and ``buyer_activity`` the same way from the shops per buyer (the
  distinct shops each buyer ordered from), against the population's stratified activity
  table (:func:`.laws.population_cells`): a regular's orders stay in its one shop and a quick
  return repeats a shop, so each counts once there, and what is left is the activity draw;
- ``traffic.repeat_bursts`` (share and delay) from the quick repeat gaps, and
  ``traffic.orders_per_regular`` from the pairs with more than one order (:mod:`.repeats`);
- ``traffic.repeat_share`` from the share of orders that repeat a (shop, buyer) pair, less
  the quick returns;
- ``traffic.burstiness`` from the orders per shop-hour (:mod:`.burst`); ``burst_crowd`` starts
  off (0) and is set by the refinement, from how much the busiest shops' hours vary;
- items per shop, units per order and prices when the log has those columns.

:mod:`.refine` then corrects these by generating from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..realism.stats import repeat_gaps, shop_hour_counts
from ..scenario.limits import MAX_BUYERS, MAX_SHOPS
from ..scenario.model import Reranking
from .burst import fit_burstiness
from .clock import Rhythm, fit_rhythm
from .laws import CountFit, fit_counts, grid_means
from .repeats import initial_bursts, initial_orders_per_regular
from .source import Source

__all__ = ["Estimate", "estimate"]

#: The most the repeat share is set to: regulars are sized from it, and at 1 no shop would
#: ever see a new customer.
MAX_REPEAT_SHARE = 0.95


@dataclass(frozen=True)
class Estimate:
    """The fitted parameters (what the scenario file will say)."""

    rhythm: Rhythm
    timezone: str
    orders: int
    shops: CountFit
    buyers: CountFit
    repeat_share: float
    burstiness: float
    orders_per_regular: float
    burst_share: float      # traffic.repeat_bursts.share
    burst_delay: float      # traffic.repeat_bursts.delay's scale, seconds
    burst_crowd: float
    extra: dict[str, Any] = field(default_factory=dict)  # marketplace / traffic keys, if any

    def with_values(self, **values: Any) -> Estimate:
        return replace(self, **values)


def repeat_fraction(log: Any) -> float:
    """Share of orders that repeat a (shop, buyer) pair already seen."""
    return 1.0 - len(log.pair_sizes) / len(log.shop)


def initial_repeat_share(log: Any, orders_per_regular: float, burst_share: float) -> float:
    """``repeat_share`` from the repeat fraction, the quick returns taken out.

    A shop's regulars place ``orders_per_regular`` orders each on average (Poisson), so a
    share ``1 - P(at least one) / mean`` of the regulars' orders repeat a pair; each quick
    return repeats one.
    """
    m = orders_per_regular
    repeats_per_regular_order = 1.0 - (1.0 - np.exp(-m)) / m
    return float(np.clip((repeat_fraction(log) - burst_share) / repeats_per_regular_order,
                         0.0, MAX_REPEAT_SHARE))


def estimate(source: Source, seed: int) -> Estimate:
    """The first estimate of every parameter from ``source``."""
    log = source.log
    n = len(log.shop)
    rhythm = fit_rhythm(log.local)
    rr = Reranking()
    shops = fit_counts(np.bincount(log.shop_code), n, strength=rr.strength,
                       top_slots=rr.top_slots, cap=MAX_SHOPS)
    # Orders per buyer would read the regulars' and quick returns' repeats as activity (a
    # pareto law near 1 and millions of buyers for normal_week, whose top buyer then takes a
    # tenth of the orders); the shops per buyer leave them out.
    shops_per_buyer = log.shops_per_buyer[log.shops_per_buyer > 0]
    buyers = fit_counts(shops_per_buyer, int(shops_per_buyer.sum()), cap=MAX_BUYERS,
                        stratified=True)
    burst = fit_burstiness(grid_means(shops, n, rr.strength, rr.top_slots),
                           rhythm.hour_shares(), shop_hour_counts(log),
                           seed)
    share, delay = initial_bursts(repeat_gaps(log), n)
    m = initial_orders_per_regular(log.pair_sizes)
    return Estimate(rhythm, source.timezone, n, shops, buyers,
                    initial_repeat_share(log, m, share), burst, m, share, delay, 0.0,
                    _details(source))


def _details(source: Source) -> dict[str, Any]:
    """Items per shop, units per order and the price law, where the log has the columns."""
    out: dict[str, Any] = {}
    log = source.log
    item = source.column("item_id")
    if item is not None:
        ok = ~np.isnan(item.astype(np.float64)) if item.dtype.kind == "f" else slice(None)
        pairs = np.unique(np.stack((log.shop_code[ok], np.asarray(item[ok], np.int64))), axis=1)
        per_shop = np.bincount(pairs[0])
        mean = float(per_shop[per_shop > 0].mean())
        out["items_per_shop"] = {"dist": "geom", "p": round(min(1.0, 1.0 / mean), 4)}
    quantity = source.column("quantity")
    if quantity is not None:
        q = quantity.astype(np.float64)
        q = q[np.isfinite(q) & (q >= 1)]
        if len(q):
            out["quantity"] = {"dist": "geom", "p": round(min(1.0, 1.0 / float(q.mean())), 4)}
    paid = source.column("paid_amount")
    if paid is not None:
        unit = paid.astype(np.float64)
        if quantity is not None:
            unit = unit / np.maximum(quantity.astype(np.float64), 1)
        unit = unit[np.isfinite(unit) & (unit > 0)]
        if len(unit) >= 2:
            ln = np.log(unit)
            out["price"] = {"dist": "lognorm", "s": round(max(float(ln.std()), 0.01), 4),
                            "scale": round(float(np.exp(ln.mean())), 1)}
    return out
