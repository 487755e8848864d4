"""Null: every order gets the same score.

The floor of the leaderboard. A constant ranks nothing, so its average precision is the base
rate (the share of brushing orders) and, under the metrics' expected-value rule for ties
(docs/metrics.md), its precision at every review budget is the base rate too and its recall
the budget's share: the score of reviewing orders picked at random. A detector that does not
beat it has learnt nothing; one that does worse ranks brushing orders *below* legitimate ones.

It looks at nothing and is blind to everything; it needs no column, so it runs on any log.

Speed: one array of zeros, under a millisecond per million orders on the project's 2-core
machine (``pytest benchmarks/bench_baselines_rules.py --benchmark-only``: 0.6 ms for the ~1 M
orders of ``double11_phone_war_naive`` at scale 1).
"""

from __future__ import annotations

import numpy as np

PATTERNS = ()


def score(data) -> np.ndarray:
    """Zero for every order of ``data.orders``, in row order."""
    return np.zeros(len(data.orders), dtype=np.float64)
