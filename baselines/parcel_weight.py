"""Parcel weight: orders whose parcel weighs implausibly little for what was bought (空包).

What it looks at
----------------
The weight the carrier weighed (``shipments.weighed_weight_g``) against the weight of what the
order holds: the catalogue weight of the item times the quantity (``items.weight_g`` ×
``orders.quantity``; the parcel's own ``declared_weight_g`` where the item is not in the
catalogue). The residual ``log(weighed / expected)`` is compared with the parcels of similar
expected weight in the same data, unsupervised: parcels are split into equal-count bands of
expected weight (packaging is a large share of a light parcel and a small share of a heavy
one, so the ordinary ratio falls with weight); each carrier's median offset from its bands is
taken out (scales differ between carriers); each band gives a robust centre (the median) and a
spread for each side (the distance from the median to the lower and to the upper quartile, as
a normal deviate: ordinary residuals are skewed, since packaging only adds weight). Medians and
quartiles hold while fewer than a quarter of a band's parcels are fake; percentiles further out
do not (one ring's parcels of one item can fill a tenth of a band).

The score is how many lower spreads below its band's centre the parcel is; a parcel heavier
than the centre counts half as much per upper spread (a token item or toilet rolls "for heft"
push a parcel towards the ordinary range, never above it; an unusually heavy parcel is odd,
but not the trace of this trade). An order without a parcel (cancelled) scores 0, the score of
a parcel at its band's centre.

Where the idea comes from
-------------------------
The empty-parcel trade of self-purchase (自买自卖, 空包): the shop ships a hollow box, a token
item (candy, a keychain) or toilet rolls "to give some heft" and refunds the brusher off the
platform; a Ningbo courier put fake parcels at ~25% of its 4,000 daily parcels (FT 2014-08-29)
and logistics firms sold brushing parcels at ¥3 each (Nantong 2015). domain.md §3.3 and §5 (P1)
list "scanned weight ≪ catalogue weight" among the platform-side signals, next to tracking and
address mismatches (Tokopedia fake-order guidelines).

What it is blind to
-------------------
Everything but the parcel: a careful ring that ships the real goods (or a parcel padded to the
real weight), any pattern whose parcels are genuine (returns after a promotion, supplier
buy-back, click farms, distributor orders), and cancelled orders. A mis-catalogued item makes
all its parcels look light or heavy together, and the bands assume that most parcels of a
given weight are honest.

Speed
-----
1.4 to 2.0 M orders per second on the project's 2-core machine: 1.05 M orders of
``double11_phone_war_naive`` (scale 1.0) in 0.52 to 0.75 s, median of 5 runs, depending on
what else the shared machine runs (``pytest benchmarks/bench_baselines_traces.py
--benchmark-only``).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

PATTERNS = ("self_purchase",)

#: Normal deviate of the quartiles: turns a quartile's distance from the median into a spread.
_Z75 = 0.6744897501960817


class ParcelWeight:
    """Score orders by how light their parcel is for the weight of what they hold.

    Parameters
    ----------
    bands : int
        Largest number of equal-count bands of expected weight.
    min_band : int
        Fewest parcels in a band (fewer bands on small data).
    heavy_weight : float
        Score per upper spread of a parcel heavier than its band's centre (1 per lower spread
        for a light one).
    min_spread : float
        Floor of a band's spread, in natural-log units (weights are whole grams, so the
        ratios of light parcels are coarse).
    """

    requires: ClassVar[dict] = {"orders": ["item_id", "quantity"],
                                "shipments": ["weighed_weight_g", "declared_weight_g", "carrier"]}

    def __init__(self, bands: int = 16, min_band: int = 1000, heavy_weight: float = 0.5,
                 min_spread: float = 0.02):
        self.bands = bands
        self.min_band = min_band
        self.heavy_weight = heavy_weight
        self.min_spread = min_spread

    def score(self, data) -> np.ndarray:
        """One score per row of ``data.orders``: higher = lighter parcel than expected."""
        orders = data.orders
        parcels = self._parcels(data)
        z = self._light_score(parcels)
        by_order = pd.Series(z, index=parcels.index)
        scores = by_order.reindex(orders["order_id"].to_numpy()).to_numpy(dtype=float)
        return np.nan_to_num(scores, nan=0.0)

    def _parcels(self, data) -> pd.DataFrame:
        """Weighed and expected grams per order (an order may ship several parcels)."""
        orders, items, ship = data.orders, data.items, data.shipments
        item_grams = pd.Series(items["weight_g"].to_numpy(dtype=float),
                               index=items["item_id"].to_numpy())
        item_grams = item_grams[~item_grams.index.duplicated()]
        catalogue = (item_grams.reindex(orders["item_id"].to_numpy()).to_numpy()
                     * orders["quantity"].to_numpy(dtype=float))
        catalogue = pd.Series(catalogue, index=orders["order_id"].to_numpy())
        ship = ship.dropna(subset=["weighed_weight_g"])
        per_order = pd.DataFrame({
            "order_id": ship["order_id"].to_numpy(),
            "weighed": ship["weighed_weight_g"].to_numpy(dtype=float),
            "declared": ship["declared_weight_g"].to_numpy(dtype=float),
            "carrier": pd.factorize(ship["carrier"])[0],
        })
        if per_order["order_id"].duplicated().any():
            per_order = per_order.groupby("order_id", sort=False).agg(
                weighed=("weighed", "sum"), declared=("declared", "sum"),
                carrier=("carrier", "first"))
        else:
            per_order = per_order.set_index("order_id")
        expected = catalogue.reindex(per_order.index).to_numpy()
        # The catalogue is the platform's own record; the parcel's declaration is the shop's.
        per_order["expected"] = np.where(np.isfinite(expected) & (expected > 0), expected,
                                         per_order["declared"].to_numpy())
        usable = (per_order["expected"] > 0) & (per_order["weighed"] >= 0)
        return per_order[usable.to_numpy()]

    def _light_score(self, parcels: pd.DataFrame) -> np.ndarray:
        """Robust residual of log(weighed / expected), by band of expected weight."""
        n = len(parcels)
        if n == 0:
            return np.zeros(0)
        # One gram of floor keeps a weightless parcel finite (and the most suspicious).
        ratio = np.log(np.maximum(parcels["weighed"].to_numpy(), 1.0)
                       / parcels["expected"].to_numpy())
        n_bands = int(np.clip(n // max(self.min_band, 1), 1, max(self.bands, 1)))
        # Ties share a rank, so the parcels of one item never straddle two bands.
        pct = parcels["expected"].rank(method="average", pct=True).to_numpy()
        band = np.minimum((pct * n_bands).astype(np.int64), n_bands - 1)
        carrier = parcels["carrier"].to_numpy()

        resid = ratio - _by_group(ratio, band, 0.5)
        resid = resid - _by_group(resid, carrier, 0.5)
        resid = resid - _by_group(resid, band, 0.5)
        low = np.maximum(-_by_group(resid, band, 0.25) / _Z75, self.min_spread)
        high = np.maximum(_by_group(resid, band, 0.75) / _Z75, self.min_spread)
        return np.where(resid < 0, -resid / low, self.heavy_weight * resid / high)


def _by_group(values: np.ndarray, groups: np.ndarray, q: float) -> np.ndarray:
    """The ``q`` quantile of ``values`` within each group, broadcast back to the rows."""
    quantiles = pd.Series(values).groupby(groups).quantile(q)
    return quantiles.reindex(groups).to_numpy()
