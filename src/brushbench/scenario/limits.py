"""The largest scenario the generator accepts, and what a size costs.

Every size is checked before anything is allocated: a scenario's own keys at load time (their
``max`` in :mod:`.model`, listed in docs/scenarios.md and the JSON Schema), and the sizes after
``--scale`` by :func:`check_scaled` before the generator plans. The message says what the size
asked for would have cost, from the figures measured in docs/performance.md.
"""

from __future__ import annotations

import math
from typing import Any

#: Organic orders (``traffic.orders``), and all orders of a dataset after scaling.
MAX_ORDERS = 100_000_000
MAX_SHOPS = 1_000_000
#: Buyers cost no memory (keyed functions of an index, :mod:`brushbench.market.population`);
#: the bound keeps every device and payment index of theirs below the ids' 2**48.
MAX_BUYERS = 1_000_000_000
#: Two years.
MAX_WINDOW_SECONDS = 730 * 86400
#: Re-ranking slices in the window (``window.duration / traffic.reranking.interval``): the
#: order identity keeps 16 bits for the slice.
MAX_SLICES = 1 << 16
#: Cells of the (shops x slices) table of organic counts.
MAX_SHOP_SLICES = 200_000_000
#: Bytes per cell of that table (counts and the rates they are drawn from).
SHOP_SLICE_BYTES = 24
#: The largest ``--scale``.
MAX_SCALE = 1e9
#: Peak memory per order of ``generate --out`` (1,211 MiB at 10.3M orders, docs/performance.md)
#: and its pace on one core.
BYTES_PER_ORDER = 125
ORDERS_PER_SECOND = 200_000
#: Window bounds: timestamps are int64 nanoseconds in the tables (which end in 2262), and
#: deliveries and refunds fall after the window.
FIRST_YEAR, LAST_YEAR = 1970, 2200


class LimitError(ValueError):
    """A scenario or scale beyond the stated limits; the message says by how much and what it
    would cost."""


def cost(orders: float) -> str:
    """``about 1.2 GiB of memory and 50 s``: what generating ``orders`` orders takes."""
    return f"about {memory(orders * BYTES_PER_ORDER)} of memory and " \
           f"{_duration(orders / ORDERS_PER_SECOND)}"


def check_scale(scale: Any) -> float:
    """``scale`` as a float, or :class:`LimitError` unless it is finite, > 0 and <= MAX_SCALE."""
    try:
        value = float(scale)
    except (TypeError, ValueError):
        raise LimitError(f"scale must be a number, got {str(scale)[:40]!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise LimitError(f"scale must be a positive finite number, got {value:g}")
    if value > MAX_SCALE:
        raise LimitError(f"scale must be at most {MAX_SCALE:g}, got {value:g}")
    return value


def total_orders(scenario: Any) -> int:
    """Expected orders of a scenario: organic, redirected, bulk and flash-sale ones."""
    return int(scenario.traffic.orders + sum(r.orders for r in scenario.redirects)
               + scenario.bulk_buyers.orders + sum(f.stock for f in scenario.flash_sales))


def check_scaled(scenario: Any, scale: float) -> None:
    """:class:`LimitError` when ``scenario`` (already multiplied by ``scale``) is beyond the
    limits: orders, shops, buyers, and the shops x slices table."""
    orders = total_orders(scenario)
    market = scenario.marketplace
    slices = math.ceil(scenario.window.duration / scenario.traffic.reranking.interval)
    at = f" at scale {scale:g}" if scale != 1 else ""
    if orders > MAX_ORDERS:
        raise LimitError(f"{orders:,} orders{at} is more than the limit of {MAX_ORDERS:,}: "
                        f"it would take {cost(orders)}")
    for name, value, limit in (("shops", market.shops, MAX_SHOPS),
                               ("buyers", market.buyers, MAX_BUYERS)):
        if value > limit:
            raise LimitError(f"{value:,} {name}{at} is more than the limit of {limit:,} "
                            f"(marketplace.{name})")
    if market.shops * slices > MAX_SHOP_SLICES:
        raise LimitError(f"{market.shops:,} shops x {slices:,} re-ranking slices{at} is more "
                        f"than the limit of {MAX_SHOP_SLICES:,} cells: it would take "
                        f"{memory(market.shops * slices * SHOP_SLICE_BYTES)} of memory; fewer "
                        f"shops, a shorter window or a longer traffic.reranking.interval")


def memory(n: float) -> str:
    """``n`` bytes for a person: ``1.2 GiB``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n:,.1f} PiB"  # pragma: no cover


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:,.1f} {unit}"
    return f"{seconds:.0f} s"


__all__ = ["MAX_ORDERS", "MAX_SCALE", "LimitError", "check_scale", "check_scaled", "cost",
           "memory", "total_orders"]
