"""The first estimate of a scenario's parameters, from the log's own columns.

Each parameter is read off the statistic it drives, without running the generator:

- the window and the daily rhythm (:mod:`.clock`);
- ``marketplace.shops`` and ``shop_popularity`` from the orders per shop, the shops with no
  order extrapolated from the law (:mod:`.laws`), with the re-ranking boost of the top shops;
- ``marketplace.buyers`` and ``buyer_activity`` the same way from the orders per buyer;
- ``traffic.repeat_share`` from the share of orders that repeat a (shop, buyer) pair;
- ``traffic.burstiness`` from the orders per shop-hour (:mod:`.burst`);
- items per shop, units per order and prices when the log has those columns.

:mod:`.refine` then corrects these by generating from them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..scenario.limits import MAX_BUYERS, MAX_SHOPS
from ..scenario.model import Reranking, Traffic
from .burst import fit_burstiness, shop_hour_counts
from .clock import Rhythm, fit_rhythm
from .laws import CountFit, fit_counts, grid_means
from .source import Source

__all__ = ["Estimate", "estimate"]

#: The most the repeat share is set to: regulars are sized from it, and at 1 no shop would
#: ever see a new customer.
MAX_REPEAT_SHARE = 0.95

#: Orders a regular places in their shop: the scenario's default ``traffic.orders_per_regular``,
#: which the fit leaves unset (a fitted scenario states only what the log determines).
ORDERS_PER_REGULAR = float(next(f.default for f in dataclasses.fields(Traffic)  # type: ignore[arg-type]
                                if f.name == "orders_per_regular"))


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
    extra: dict[str, Any] = field(default_factory=dict)  # marketplace / traffic keys, if any

    def with_values(self, **values: Any) -> Estimate:
        return replace(self, **values)


def repeat_fraction(log: Any) -> float:
    """Share of orders that repeat a (shop, buyer) pair already seen."""
    return 1.0 - len(log.pair_sizes) / len(log.shop)


def initial_repeat_share(log: Any) -> float:
    """``repeat_share`` from the repeat fraction, as if all repeats came from regulars.

    A shop's regulars place :data:`ORDERS_PER_REGULAR` orders each on average (Poisson),
    so a share ``1 - P(at least one) / mean`` of the regulars' orders repeat a pair.
    """
    m = ORDERS_PER_REGULAR
    repeats_per_regular_order = 1.0 - (1.0 - np.exp(-m)) / m
    return float(np.clip(repeat_fraction(log) / repeats_per_regular_order, 0.0,
                         MAX_REPEAT_SHARE))


def estimate(source: Source, seed: int) -> Estimate:
    """The first estimate of every parameter from ``source``."""
    log = source.log
    n = len(log.shop)
    rhythm = fit_rhythm(log.local)
    rr = Reranking()
    shops = fit_counts(np.bincount(log.shop_code), n, strength=rr.strength,
                       top_slots=rr.top_slots, cap=MAX_SHOPS)
    buyers = fit_counts(np.bincount(log.buyer_code), n, cap=MAX_BUYERS)
    burst = fit_burstiness(grid_means(shops, n, rr.strength, rr.top_slots),
                           rhythm.hour_shares(), shop_hour_counts(log.local, log.shop_code),
                           seed)
    return Estimate(rhythm, source.timezone, n, shops, buyers, initial_repeat_share(log), burst,
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
