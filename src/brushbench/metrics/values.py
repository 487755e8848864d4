"""How a metric's value is written: a plain number, or an *undefined* marker with its reason.

A metric that cannot be computed (no positive order, no legitimate order, a pattern or a kind with
no orders, a section whose input was not given) is never written as 0 or NaN: it is the dict

    {"value": None, "reason": "no positive orders"}

in the place of the number (``null`` in JSON). Every defined leaf is a finite ``int`` or
``float``; strings appear only as descriptions (``source``). Counts are always defined.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

__all__ = ["Metric", "budget_label", "is_undefined", "number", "ratio", "undefined"]

#: A metric leaf: a finite number, or an undefined marker (``{"value": None, "reason": ...}``).
Metric = float | int | dict[str, Any]


def undefined(reason: str) -> dict[str, Any]:
    """The marker of an undefined metric: ``{"value": None, "reason": reason}``."""
    return {"value": None, "reason": reason}


def is_undefined(leaf: Any) -> bool:
    """True for an undefined marker (a dict whose ``value`` is None and that has a ``reason``)."""
    return isinstance(leaf, dict) and "reason" in leaf and leaf.get("value", 0) is None


def number(x: float | int) -> float:
    """``x`` as a plain float, refusing NaN and infinities (they would corrupt the JSON)."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"a metric came out as {x}: this is a bug in brushbench.metrics")
    return x


def ratio(num: float, den: float, reason: str) -> Metric:
    """``num / den``, or undefined with ``reason`` when ``den`` is 0."""
    return undefined(reason) if den == 0 else number(num / den)


def budget_label(budget: float) -> str:
    """The key suffix of a budget (a share of the orders): 0.01 -> ``1pct``, 0.005 -> ``0p5pct``.

    Keys never contain a dot, so a leaf of the result is named by its dotted path
    (``orders.precision_at_0p5pct``).
    """
    pct = float(Fraction(repr(float(budget))) * 100)
    return format(pct, ".6g").replace(".", "p") + "pct"


def budget_fraction(budget: float) -> Fraction:
    """The budget as the exact decimal fraction it was written as (``0.005`` is 1/200)."""
    b = float(budget)
    if not (0.0 < b <= 1.0):
        raise ValueError(f"a budget is a share of the orders in (0, 1]; got {budget!r}")
    return Fraction(repr(b))
