"""The search space of an attack: the knobs of one campaign, read from its pattern's ``Spec``.

Every key a pattern declares with ``param(..., min=, max=)`` is a knob when it is a number
(a share, a count, a multiple, a duration) or one of the count distributions every campaign has
(``accounts``, ``orders``, and a click farm's ``wave_size``), searched as a constant. The range is
the one the ``Spec`` allows; where it leaves a side open, :func:`search_space` closes it at a
sensible multiple of the bundled value (:data:`OPEN_FACTOR`), so the attacker stays in the realm
of campaigns the scenario describes. Scales (counts, multiples, durations) are searched on a log
scale, shares on a linear one.

Not searched, and kept at the scenario's values: *where and when* the campaign brushes
(``start``, ``shops``, ``shop_ranks``: the attack asks how a given shop could brush unseen, not
which shop should), and distributions of anything else than counts (quantities, delays), whose
shape the scenario's author chose.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..scenario.distributions import Dist
from ..scenario.model import Probability, Seconds

#: Keys never searched: which shops are brushed, and from when.
FIXED = ("start", "shops", "shop_ranks")
#: Distribution keys searched as a constant count.
COUNTS = ("accounts", "orders", "wave_size")
#: An open side of a range is closed at the bundled value times (or divided by) this factor.
OPEN_FACTOR = 10.0
#: The most a count knob may reach: a ring of thousands of accounts is a click farm's scale.
MAX_COUNT = 5_000


@dataclass(frozen=True)
class Knob:
    """One searched key of a campaign.

    Attributes
    ----------
    name : str
        The ``Spec`` key.
    low, high : float
        The range searched (inclusive).
    log : bool
        Searched on a log scale (counts, multiples, durations) rather than a linear one.
    integer : bool
        Rounded to a whole number (counts, seconds, hours).
    kind : str
        ``"share"``, ``"count"``, ``"seconds"``, ``"number"`` or ``"integer"``.
    """

    name: str
    low: float
    high: float
    log: bool
    integer: bool
    kind: str

    def value(self, unit: float) -> float:
        """The knob's value at ``unit`` in [0, 1] of its range."""
        unit = min(max(float(unit), 0.0), 1.0)
        if self.log:
            value = math.exp(math.log(self.low) + unit * (math.log(self.high) - math.log(self.low)))
        else:
            value = self.low + unit * (self.high - self.low)
        value = min(max(value, self.low), self.high)  # exp/log round-trips may overshoot
        return float(round(value)) if self.integer else value

    def unit(self, value: float) -> float:
        """Where ``value`` lies in [0, 1] of the range (clipped): the inverse of :meth:`value`."""
        value = min(max(float(value), self.low), self.high)
        if self.high == self.low:
            return 0.0
        if self.log:
            return (math.log(value) - math.log(self.low)) / (math.log(self.high)
                                                              - math.log(self.low))
        return (value - self.low) / (self.high - self.low)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "low": self.low, "high": self.high, "log": self.log,
                "integer": self.integer, "kind": self.kind}


def _types(spec: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(type(spec))
    except Exception:  # a pattern from a package with unresolvable annotations
        return {}


def _closed(value: float, low: float | None, high: float | None, *, positive: bool
            ) -> tuple[float, float]:
    """A range from the ``Spec``'s bounds, its open sides closed around ``value``."""
    base = abs(value) if value else 1.0
    lo = low if low is not None else (base / OPEN_FACTOR if positive else 0.0)
    hi = high if high is not None else max(base * OPEN_FACTOR, lo + 1.0)
    if positive:
        lo = max(lo, 1e-3)
    return float(lo), float(max(hi, lo))


def search_space(spec: Any, *, window_seconds: int, only: Sequence[str] | None = None
                 ) -> tuple[Knob, ...]:
    """The knobs of the campaign ``spec`` (a pattern's ``Spec`` instance), in ``Spec`` order.

    Parameters
    ----------
    spec
        The campaign as the scenario states it: its values close the open sides of ranges.
    window_seconds : int
        The scenario's window: no duration knob goes beyond it.
    only : sequence of str, optional
        Search these keys only (each must be a knob of the pattern).

    Raises
    ------
    ValueError
        ``only`` names a key that is not a knob of the pattern (the message lists them).
    """
    hints = _types(spec)
    knobs: list[Knob] = []
    for f in dataclasses.fields(spec):
        if f.name in FIXED:
            continue
        knob = _knob(f, getattr(spec, f.name), hints.get(f.name), window_seconds)
        if knob is not None:
            knobs.append(knob)
    if only is not None:
        names = [k.name for k in knobs]
        unknown = [name for name in only if name not in names]
        if unknown:
            raise ValueError(f"not a knob of this pattern: {', '.join(unknown)} "
                             f"(knobs: {', '.join(names)})")
        knobs = [k for k in knobs if k.name in only]
    return tuple(knobs)


def _knob(f: dataclasses.Field[Any], value: Any, hint: Any, window_seconds: int) -> Knob | None:
    low, high = f.metadata.get("min"), f.metadata.get("max")
    if isinstance(value, Dist):
        if f.name not in COUNTS:
            return None
        mean = value.mean() if value.name != "constant" else float(value.params[0][1])
        top = min(max(2.0, math.ceil(max(mean, 1.0) * 4)), MAX_COUNT)
        return Knob(f.name, 1.0, float(top), log=True, integer=True, kind="count")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if hint is Probability or isinstance(value, Probability):
        return Knob(f.name, float(low if low is not None else 0.0),
                    float(high if high is not None else 1.0), log=False, integer=False,
                    kind="share")
    if hint is Seconds or isinstance(value, Seconds):
        lo, hi = _closed(float(value), low, high, positive=True)
        hi = min(hi, float(window_seconds))
        return Knob(f.name, lo, max(hi, lo), log=True, integer=True, kind="seconds")
    integer = hint is int or (hint is None and isinstance(value, int))
    if integer and low is not None and high is not None and high - low <= 48:
        # A small closed range of whole numbers (hours of the day): searched linearly.
        return Knob(f.name, float(low), float(high), log=False, integer=True, kind="integer")
    positive = (low is not None and low > 0) or (low is None and float(value) > 0)
    lo, hi = _closed(float(value), low, high, positive=positive)
    return Knob(f.name, lo, hi, log=positive, integer=integer,
                kind="integer" if integer else "number")


def apply(spec: Any, knobs: Sequence[Knob], units: Sequence[float] | np.ndarray) -> Any:
    """``spec`` with each knob set to its value at ``units`` (a point of the unit cube).

    Counts become constant distributions, durations :class:`Seconds`, shares
    :class:`Probability`; the rest of the campaign is unchanged.
    """
    changes: dict[str, Any] = {}
    for knob, unit in zip(knobs, units, strict=True):
        value = knob.value(float(unit))
        if knob.kind == "count":
            changes[knob.name] = Dist.constant(int(value))
        elif knob.kind == "seconds":
            changes[knob.name] = Seconds(int(value))
        elif knob.kind == "share":
            changes[knob.name] = Probability(value)
        else:
            changes[knob.name] = int(value) if knob.integer else float(value)
    return dataclasses.replace(spec, **changes)


def units_of(spec: Any, knobs: Sequence[Knob]) -> np.ndarray:
    """Where ``spec``'s own values lie in the unit cube (a count distribution at its mean)."""
    out = []
    for knob in knobs:
        value = getattr(spec, knob.name)
        if isinstance(value, Dist):
            value = value.mean() if value.name != "constant" else float(value.params[0][1])
        out.append(knob.unit(float(value)))
    return np.asarray(out, dtype=np.float64)


def knob_values(spec: Any, knobs: Sequence[Knob]) -> dict[str, Any]:
    """The knobs' values in ``spec``, JSON-able (a count distribution as its spec form)."""
    out: dict[str, Any] = {}
    for knob in knobs:
        value = getattr(spec, knob.name)
        out[knob.name] = value.to_spec() if isinstance(value, Dist) else (
            int(value) if knob.integer else float(value))
    return out


__all__ = ["COUNTS", "FIXED", "Knob", "apply", "knob_values", "search_space", "units_of"]
