"""Fail rules of ``brushbench compare`` (``--fail-if METRIC:DELTA``): parsing and what they gate.

A rule asks whether a metric got *worse*, so it needs a metric with a better direction: the
direction comes from :mod:`brushbench.metrics.registry`, never from the metric's name. A rule
on a metric without one (a count such as ``orders.n_orders``, a property of the data, a path
the registry does not know) is refused with a one-line :class:`CompareError`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..metrics.registry import HIGHER, LOWER, Direction, lookup

RULE_FORM = "METRIC:DELTA, e.g. orders.average_precision:-0.02 or cost.score_seconds:+20%"

_RULE = re.compile(r"(?P<metric>[^:\s]+):(?P<sign>[+-]?)(?P<number>\d+(?:\.\d*)?|\.\d+)"
                   r"(?P<percent>%?)")


class CompareError(ValueError):
    """A request that cannot be compared (a malformed fail rule, a metric in neither file)."""


def bad_sign(direction: Direction) -> str:
    """The sign of a regression: ``-`` (a drop) for higher-is-better, ``+`` for lower."""
    return "-" if direction == HIGHER else "+"


def _sign_direction(sign: str) -> Direction:
    return HIGHER if sign == "-" else LOWER


@dataclass(frozen=True)
class FailRule:
    """``METRIC:DELTA``: fail when ``METRIC`` moves the bad way by more than ``DELTA``.

    ``DELTA`` is a signed number, absolute (``-0.02``) or relative to the base mean (``+20%``);
    its sign must be the metric's bad direction (``-`` for higher-is-better metrics, ``+`` for
    lower-is-better ones; docs/metrics.md lists them). ``METRIC`` may contain ``*``; such a rule
    applies to the matching metrics whose bad direction is the sign's. A rule only fires on a
    change that is also beyond noise.
    """

    metric: str
    threshold: float          # magnitude, >= 0
    percent: bool
    sign: str                 # "-" (a drop is bad) or "+" (a rise is bad)
    text: str

    @classmethod
    def parse(cls, text: str) -> FailRule:
        return parse_fail_rule(text)

    @property
    def wildcard(self) -> bool:
        return "*" in self.metric

    @property
    def direction(self) -> Direction:
        """The direction of the metrics this rule gates (its sign is their bad one)."""
        return _sign_direction(self.sign)

    def matches(self, metric: str) -> bool:
        """Does the rule's name (or pattern) name ``metric``, whatever its direction?"""
        if self.wildcard:
            return fnmatch.fnmatchcase(metric, self.metric)
        return metric == self.metric

    def applies_to(self, metric: str) -> bool:
        """Does the rule gate ``metric``: named by it, with the rule's direction?"""
        if not self.matches(metric):
            return False
        found = lookup(metric)
        return found is not None and found.direction == self.direction

    def allowed(self) -> str:
        return f"{self.sign}{self.threshold:g}{'%' if self.percent else ''}"

    def breached(self, base: float, delta: float) -> bool:
        """Does a change of ``delta`` from ``base`` go the bad way by more than allowed?"""
        bad = -delta if self.sign == "-" else delta
        if bad <= 0:
            return False
        if not self.percent:
            return bad > self.threshold
        if base == 0:
            return True
        return bad / abs(base) * 100.0 > self.threshold

    def check_matches(self, metrics: Iterable[str]) -> None:
        """Refuse a rule that can gate none of the metrics it names (among ``metrics``).

        Raises :class:`CompareError` for a metric the registry does not know (it has no
        direction), and for a wildcard whose matches all have no better direction, or only the
        other one (the sign asks the wrong question of all of them). Call it once the metric
        is known to be in the files, so that a typo is reported as such first.
        """
        if not self.wildcard:
            found = _direction(self.metric)
            if found is None:
                raise CompareError(_no_direction(self.text, self.metric))
            if found != self.direction:  # a FailRule made without parse_fail_rule
                raise CompareError(f"--fail-if {self.text!r}: {self.metric} is "
                                   f"{found}-is-better: write {self.metric}:{bad_sign(found)}"
                                   f"{self.text.split(':', 1)[1][1:]} (expected {RULE_FORM})")
            return
        matched = [m for m in metrics if self.matches(m)]
        if not matched or any(self.applies_to(m) for m in matched):
            return
        directions = {d for m in matched if (d := _direction(m)) is not None}
        example = sorted(matched)[0]
        if not directions:
            raise CompareError(f"--fail-if {self.text!r}: no metric it matches has a better "
                               f"direction (e.g. {example}: {_why_none(example)}), so none can "
                               f"get worse; gate a higher- or lower-is-better metric "
                               f"(docs/metrics.md; expected {RULE_FORM})")
        (other,) = directions
        raise CompareError(f"--fail-if {self.text!r}: the metrics it matches are "
                           f"{other}-is-better, so a regression is "
                           f"{'a drop' if other == HIGHER else 'a rise'}: write "
                           f"{self.metric}:{bad_sign(other)}{self.text.split(':', 1)[1][1:]} "
                           f"(expected {RULE_FORM})")

    def __str__(self) -> str:
        return self.text


def _direction(metric: str) -> Direction | None:
    found = lookup(metric)
    return None if found is None else found.direction


def _no_direction(raw: str, metric: str) -> str:
    return (f"--fail-if {raw!r}: {metric} has no better direction ({_why_none(metric)}), so "
            f"it cannot get worse; a rule gates a higher- or lower-is-better metric "
            f"(docs/metrics.md; expected {RULE_FORM})")


def _why_none(metric: str) -> str:
    found = lookup(metric)
    if found is None:
        return "not a metric of the registry"
    return f"a {found.kind} ({found.doc})"


def parse_fail_rule(text: str) -> FailRule:
    """Parse ``METRIC:DELTA``; raise :class:`CompareError` with a one-line message otherwise.

    The metric's direction comes from :mod:`brushbench.metrics.registry`: the sign must be its
    bad one, and a metric without a direction (a count, a property of the data) cannot be
    gated. A path the registry does not know, and a ``*`` pattern, are checked against the
    files' metrics when they are compared (:meth:`FailRule.check_matches`): a typo is then
    reported as a metric in neither file, with the closest name.
    """
    raw = str(text)
    m = _RULE.fullmatch(raw.strip())
    if m is None:
        raise CompareError(f"--fail-if {raw!r}: expected {RULE_FORM}")
    metric, sign = m["metric"], m["sign"]
    delta = f"{m['number']}{m['percent']}"
    wildcard = "*" in metric
    # A pattern's direction, when the registry knows it ("per_pattern.*.recall_at_1pct"), only
    # serves the hint of a missing sign: its matches are checked against the files.
    found = lookup(metric)
    direction = None if found is None else found.direction
    if found is not None and direction is None and not wildcard:
        raise CompareError(_no_direction(raw, metric))
    if not sign:
        hint = (f": {metric}:{bad_sign(direction)}{delta}" if direction is not None
                else " (- when higher is better, + when lower is)")
        raise CompareError(f"--fail-if {raw!r}: the delta needs a sign, the metric's bad "
                           f"direction{hint} (expected {RULE_FORM})")
    if direction is not None and not wildcard and sign != bad_sign(direction):
        bad = bad_sign(direction)
        raise CompareError(f"--fail-if {raw!r}: {metric} is {direction}-is-better, so a "
                           f"regression is {'a drop' if bad == '-' else 'a rise'}: write "
                           f"{metric}:{bad}{delta} (expected {RULE_FORM})")
    return FailRule(metric=metric, threshold=float(m["number"]), percent=bool(m["percent"]),
                    sign=sign, text=f"{metric}:{sign}{delta}")


__all__ = ["RULE_FORM", "CompareError", "FailRule", "bad_sign", "parse_fail_rule"]
