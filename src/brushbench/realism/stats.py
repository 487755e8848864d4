"""The statistics of an order log that a realism profile holds, each a vectorised function.

A statistic reads a :class:`Log`: the orders' shop, buyer and time (what every log has, down
to the four columns of the Shopee Code League 2020 log), and, when the log has them, the paid
amount, the status, the parcels' weights and the refund requests. A statistic whose columns
the log lacks is *not computable* (:class:`NotComputable`, naming them), never 0.

Each statistic is one of three kinds:

- ``scalar``: one number (a mean, a share);
- ``quantiles``: the values at :data:`LEVELS` of a distribution (``inverted_cdf``: a value
  that occurs in the data, so the counts stay integers);
- ``histogram``: shares over named bins, in order (hour of day, orders per pair...).

Times are read in the log's own time zone (local clock hours and days).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..dataset.tables import PLATFORMS
from .sclrule import flagged_shops

#: The platforms of orders placed from a phone.
_PHONES = ("app", "mobile_web")

__all__ = ["LEVELS", "STATISTICS", "Log", "NotComputable", "Statistic", "compute_all"]

#: Quantile levels stored for a distribution (a reference may store fewer).
LEVELS = (0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
_DAY = 86_400


class NotComputable(Exception):
    """The log lacks what the statistic reads; the message names it."""


def _column(table: pa.Table | None, name: str) -> np.ndarray | None:
    """``name`` of ``table`` as numpy, or None when the table is empty or the column is all
    null (an imported log's missing columns are null)."""
    if table is None or table.num_rows == 0 or name not in table.column_names:
        return None
    col = table.column(name)
    if col.null_count == len(col):
        return None
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.int64())
    if col.null_count:
        if pa.types.is_integer(col.type):
            return np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False))
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)
    return np.asarray(col.to_numpy(zero_copy_only=False))


@dataclass(frozen=True)
class Log:
    """What the statistics read, as numpy arrays (one row per order unless said otherwise).

    ``t`` is epoch seconds (UTC); ``local`` the same instant as seconds of the local wall clock
    (``t`` plus the zone's offset then), from which hours, days and weekdays are read.
    Optional arrays are None when the log lacks them.
    """

    shop: np.ndarray
    buyer: np.ndarray
    t: np.ndarray
    local: np.ndarray
    order_id: np.ndarray | None = None
    paid: np.ndarray | None = None
    status: np.ndarray | None = None
    #: what each order was placed on: app, mobile_web or pc
    platform: np.ndarray | None = None
    #: shipments: weighed and declared weight, one row per parcel
    weighed: np.ndarray | None = None
    declared: np.ndarray | None = None
    #: refunds: the order and when it was asked for, one row per refund
    refund_order: np.ndarray | None = None
    refund_requested: np.ndarray | None = None

    @classmethod
    def of_times(cls, shop: Any, buyer: Any, created_at: Any, timezone: str,
                 **optional: Any) -> Log:
        """A log from order arrays; ``created_at`` as epoch seconds or datetimes (time-zone
        aware, or naive in UTC); hours and days are then read in ``timezone``."""
        raw = created_at if isinstance(created_at, pd.Series | pd.Index) \
            else np.asarray(created_at)
        unit = "s" if pd.api.types.is_numeric_dtype(raw) else None
        stamps = pd.DatetimeIndex(pd.to_datetime(raw, utc=True, unit=unit))
        t = stamps.as_unit("s").asi8
        local = stamps.tz_convert(timezone).tz_localize(None).as_unit("s").asi8
        arrays = {k: None if v is None else np.asarray(v) for k, v in optional.items()}
        return cls(np.asarray(shop), np.asarray(buyer), t, local, **arrays)

    @classmethod
    def of_tables(cls, orders: pa.Table, timezone: str, shipments: pa.Table | None = None,
                  refunds: pa.Table | None = None) -> Log:
        """A log from a dataset's ``orders`` (and ``shipments``, ``refunds``) Arrow tables."""
        shop, buyer, created = (_column(orders, c) for c in ("shop_id", "buyer_id",
                                                              "created_at"))
        if shop is None or buyer is None or created is None:
            raise NotComputable("the orders table needs shop_id, buyer_id and created_at")
        return cls.of_times(
            shop, buyer, created, timezone, order_id=_column(orders, "order_id"),
            paid=_column(orders, "paid_amount"), status=_column(orders, "status"),
            platform=_column(orders, "platform"),
            weighed=_column(shipments, "weighed_weight_g"),
            declared=_column(shipments, "declared_weight_g"),
            refund_order=_column(refunds, "order_id"),
            refund_requested=_column(refunds, "requested_at"))

    @cached_property
    def shop_code(self) -> np.ndarray:
        """Shops numbered 0..n-1 (ids can be any 64-bit value)."""
        return pd.factorize(self.shop)[0].astype(np.int64)

    @cached_property
    def buyer_code(self) -> np.ndarray:
        return pd.factorize(self.buyer)[0].astype(np.int64)

    @cached_property
    def pair_sizes(self) -> np.ndarray:
        """Orders of each (shop, buyer) pair."""
        return np.unique(self.pair_code, return_counts=True)[1]

    @cached_property
    def pair_code(self) -> np.ndarray:
        """One int64 per (shop, buyer) pair: shop code * buyers + buyer code."""
        return self.shop_code * (int(self.buyer_code.max()) + 1) + self.buyer_code

    @cached_property
    def shops_per_buyer(self) -> np.ndarray:
        """Distinct shops of each buyer."""
        pairs = np.unique(self.pair_code)
        return np.bincount(pairs % (int(self.buyer_code.max()) + 1))

    def need(self, *names: str) -> tuple[np.ndarray, ...]:
        """The optional arrays ``names``; NotComputable naming the missing ones."""
        where = {"paid": "orders.paid_amount", "status": "orders.status",
                 "platform": "orders.platform",
                 "order_id": "orders.order_id", "weighed": "shipments.weighed_weight_g",
                 "declared": "shipments.declared_weight_g", "refund_order": "refunds.order_id",
                 "refund_requested": "refunds.requested_at"}
        missing = [where[n] for n in names if getattr(self, n) is None]
        if missing:
            raise NotComputable(f"the log has no {', '.join(dict.fromkeys(missing))}")
        return tuple(getattr(self, n) for n in names)


@dataclass(frozen=True)
class Statistic:
    """One statistic: how to compute it and how to read it."""

    name: str
    kind: str  # "scalar", "quantiles" or "histogram"
    unit: str
    doc: str
    compute: Callable[[Log], Any]
    bins: tuple[str, ...] = ()


def _quantiles(values: np.ndarray) -> dict[str, float]:
    if len(values) == 0:
        raise NotComputable("no values to take quantiles of")
    qs = np.quantile(values, LEVELS, method="inverted_cdf")
    return {f"{p:g}": float(q) for p, q in zip(LEVELS, qs, strict=True)}


def _counts(codes: np.ndarray) -> np.ndarray:
    """How many rows share each distinct code (codes are 0..n-1 and all used)."""
    return np.bincount(codes)


def _binned(counts: np.ndarray, edges: tuple[int, ...]) -> list[float]:
    """Shares of ``counts`` in the bins ``[edges[i], edges[i+1])`` (last bin open)."""
    idx = np.searchsorted(np.asarray(edges), counts, side="right") - 1
    return (np.bincount(idx, minlength=len(edges)) / len(counts)).tolist()


def shop_hour_counts(log: Log) -> np.ndarray:
    """Orders of each non-empty (shop, local clock hour)."""
    hours = log.local // 3600
    hours = hours - hours.min()
    return np.unique(log.shop_code * (int(hours.max()) + 1) + hours, return_counts=True)[1]


def _shop_hour(log: Log) -> dict[str, float]:
    return _quantiles(shop_hour_counts(log))


def repeat_gaps(log: Log) -> np.ndarray:
    """Seconds between consecutive orders of one buyer in one shop."""
    order = np.lexsort((log.t, log.pair_code))
    pair, t = log.pair_code[order], log.t[order]
    return np.diff(t)[pair[1:] == pair[:-1]]


def _gmv_share(seconds: int) -> Callable[[Log], float]:
    def compute(log: Log) -> float:
        (paid,) = log.need("paid")
        paid = np.nan_to_num(paid.astype(np.float64))
        start = (log.local.min() // _DAY) * _DAY  # local midnight of the first day
        day = paid[log.local < start + _DAY].sum()
        if day <= 0:
            raise NotComputable("no paid amount on the first day")
        return float(paid[log.local < start + seconds].sum() / day)
    return compute


def _peak_minute(log: Log) -> float:
    # Over whole local days from the first order's midnight: a log cut mid-day would
    # otherwise shrink the mean.
    start = (log.local.min() // _DAY) * _DAY
    days = int((log.local.max() - start) // _DAY) + 1
    per_minute = np.bincount((log.local - start) // 60, minlength=days * 1440)
    return float(per_minute.max() / per_minute.mean())


def _refund_rate(log: Log) -> float:
    (status,) = log.need("status")
    return float(np.mean(status == "refunded"))


def _refund_delay(log: Log) -> dict[str, float]:
    order_id, ref_order, requested = log.need("order_id", "refund_order", "refund_requested")
    pos = np.searchsorted(order_id, ref_order, sorter=np.argsort(order_id))
    created = log.t[np.argsort(order_id)][np.clip(pos, 0, len(order_id) - 1)]
    return _quantiles(requested.astype(np.int64) - created)


def _weight_ratio(log: Log) -> dict[str, float]:
    weighed, declared = log.need("weighed", "declared")
    ok = (declared > 0) & np.isfinite(weighed.astype(np.float64))
    return _quantiles(weighed[ok].astype(np.float64) / declared[ok])


def _basket(log: Log) -> dict[str, float]:
    (paid,) = log.need("paid")
    paid = paid.astype(np.float64)
    return _quantiles(paid[np.isfinite(paid)] / 100)


def _mobile(log: Log) -> float:
    # Over the orders whose platform is one of the documented codes: an imported log may
    # leave some empty or write its own values, which say nothing about the phone.
    (platform,) = log.need("platform")
    known = np.isin(platform, PLATFORMS)
    if not known.any():
        raise NotComputable(f"orders.platform holds none of {', '.join(PLATFORMS)}")
    return float(np.isin(platform[known], _PHONES).mean())


_PAIR_EDGES = (1, 2, 3, 4, 5, 10)
_SHOP_EDGES = (1, 2, 3)
_HOURS = tuple(f"{h}h" for h in range(24))
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

#: Every statistic, by name, in the order reports list them.
STATISTICS: dict[str, Statistic] = {s.name: s for s in (
    Statistic("orders_per_shop_hour", "quantiles", "orders",
              "orders of a shop in one local clock hour, over the non-empty shop-hours",
              _shop_hour),
    Statistic("orders_per_shop_mean", "scalar", "orders",
              "orders per shop that has at least one order in the log",
              lambda log: float(len(log.shop) / (log.shop_code.max() + 1))),
    Statistic("orders_per_shop", "quantiles", "orders", "orders of each shop in the log",
              lambda log: _quantiles(_counts(log.shop_code))),
    Statistic("shops_under_3_orders", "scalar", "share",
              "share of shops with fewer than 3 orders in the log",
              lambda log: float(np.mean(_counts(log.shop_code) < 3))),
    Statistic("orders_per_buyer_mean", "scalar", "orders", "orders per buyer in the log",
              lambda log: float(len(log.buyer) / (log.buyer_code.max() + 1))),
    Statistic("orders_per_buyer", "quantiles", "orders", "orders of each buyer in the log",
              lambda log: _quantiles(_counts(log.buyer_code))),
    Statistic("pairs_one_order", "scalar", "share",
              "share of (shop, buyer) pairs with exactly one order",
              lambda log: float(np.mean(log.pair_sizes == 1))),
    Statistic("orders_per_pair", "histogram", "share of pairs",
              "(shop, buyer) pairs by their number of orders",
              lambda log: _binned(log.pair_sizes, _PAIR_EDGES),
              ("1", "2", "3", "4", "5-9", "10+")),
    Statistic("buyers_one_shop", "scalar", "share",
              "share of buyers who buy in one shop only",
              lambda log: float(np.mean(log.shops_per_buyer == 1))),
    Statistic("shops_per_buyer", "histogram", "share of buyers",
              "buyers by the number of shops they buy in",
              lambda log: _binned(log.shops_per_buyer, _SHOP_EDGES),
              ("1", "2", "3+")),
    Statistic("repeat_gap", "quantiles", "seconds",
              "seconds between consecutive orders of one buyer in one shop",
              lambda log: _quantiles(repeat_gaps(log))),
    Statistic("scl_rule_shops", "scalar", "share",
              "share of shops the SCL 2020 rule flags (3+ orders per unique buyer in some hour)",
              lambda log: float(len(flagged_shops(log.shop_code, log.buyer_code, log.t))
                                / (log.shop_code.max() + 1))),
    Statistic("hour_of_day", "histogram", "share of orders",
              "orders by local hour of day",
              lambda log: (np.bincount((log.local // 3600) % 24, minlength=24)
                           / len(log.local)).tolist(), _HOURS),
    Statistic("day_of_week", "histogram", "share of orders",
              "orders by local day of week (1970-01-01 was a Thursday)",
              lambda log: (np.bincount((log.local // _DAY + 3) % 7, minlength=7)
                           / len(log.local)).tolist(), _DAYS),
    Statistic("basket_value", "quantiles", "currency units",
              "paid amount per order (cents / 100)", _basket),
    Statistic("parcel_weight_ratio", "quantiles", "ratio",
              "a parcel's weighed weight over its declared weight", _weight_ratio),
    Statistic("refund_rate", "scalar", "share", "share of orders whose status is refunded",
              _refund_rate),
    Statistic("refund_delay", "quantiles", "seconds",
              "seconds from an order to its refund request", _refund_delay),
    Statistic("gmv_first_96s", "scalar", "share",
              "share of the first local day's paid amount in its first 96 seconds",
              _gmv_share(96)),
    Statistic("gmv_first_hour", "scalar", "share",
              "share of the first local day's paid amount in its first hour",
              _gmv_share(3600)),
    Statistic("peak_minute_over_mean", "scalar", "ratio",
              "orders in the busiest minute over the mean per minute (whole local days)",
              _peak_minute),
    Statistic("mobile_share", "scalar", "share",
              "share of orders placed from a phone (orders.platform `app` or `mobile_web`, "
              "over the orders whose platform is one of the documented codes)", _mobile),
)}


def compute_all(log: Log, names: tuple[str, ...] | None = None) -> dict[str, dict[str, Any]]:
    """Every statistic (or ``names``) of ``log`` as a profile entry: ``kind``, ``unit`` and
    ``value`` / ``quantiles`` / ``bins`` + ``shares``, or ``not_computable`` with the reason."""
    out: dict[str, dict[str, Any]] = {}
    for name in names or tuple(STATISTICS):
        stat = STATISTICS[name]
        entry: dict[str, Any] = {"kind": stat.kind, "unit": stat.unit}
        try:
            result = stat.compute(log)
        except NotComputable as exc:
            entry["not_computable"] = str(exc)
        else:
            if stat.kind == "scalar":
                entry["value"] = result
            elif stat.kind == "quantiles":
                entry["quantiles"] = result
            else:
                entry["bins"] = list(stat.bins)
                entry["shares"] = [round(float(x), 6) for x in result]
        out[name] = entry
    return out
