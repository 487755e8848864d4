"""Scenarios with fraud, built in Python (tests/patterns helpers)."""

from __future__ import annotations

import numpy as np

from brushbench import patterns
from brushbench.scenario.distributions import Dist
from brushbench.scenario.model import Scenario

from builders import DAY, small_scenario


def base_scenario(**overrides) -> Scenario:
    """A Double 11 day with every legitimate source, about 20,000 orders, no fraud."""
    return small_scenario(**{"name": "fraud_base", **overrides})


#: ``careful_share`` that never binds: the small base scenario's shops sell tens of orders, so
#: the careful volume cap would leave a handful of fake orders to test each trace on. The cap
#: has tests of its own (test_careful_volume.py).
NO_CAP = 1e6


def campaign(pattern: str, **keys):
    """A campaign of a registered pattern with the given keys (no careful volume cap unless
    ``careful_share`` is given)."""
    return patterns.get(pattern).Spec(**{"careful_share": NO_CAP, **keys})


def average_precision(score: np.ndarray, truth: np.ndarray) -> float:
    """AP with tied scores ranked as a group (a constant score gives the base rate)."""
    score = np.asarray(score, dtype=float)
    truth = np.asarray(truth, dtype=bool)
    order = np.argsort(-score, kind="stable")
    s, t = score[order], truth[order]
    # Precision at the end of each tie group, credited to every positive in the group.
    ends = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]
    tp = np.cumsum(t)[ends]
    group_pos = np.diff(np.r_[0, tp])
    precision = tp / (ends + 1)
    return float((group_pos * precision).sum() / max(t.sum(), 1))


__all__ = ["DAY", "NO_CAP", "Dist", "average_precision", "base_scenario", "campaign"]
