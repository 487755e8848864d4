"""Random: independent uniform scores, reproducible.

The chance level with ties broken: each order gets a draw from ``U[0, 1)``, so every ranking
is equally likely and the expected average precision is about the base rate (a little above
it on small datasets). Together with ``null`` it shows what a metric is worth when nothing is
detected; unlike ``null`` it spreads alerts over the review budgets like a real detector.

The draws come from ``numpy.random.default_rng`` seeded with ``seed``, the number of orders
and a hash of the order ids: the same dataset gets the same scores in every run, different
datasets (and seeds) different ones. It never reads the clock or numpy's global state.

It looks at nothing but the order ids (to seed itself) and is blind to everything.

It streams too (``score_stream``, ``brushbench eval --stream``): each batch's orders get draws
seeded the same way from that batch's ids and its index, so it holds no state between batches
and runs on a log of any length in the memory of one batch (docs/harness.md, "Logs larger
than memory").

Speed: about 130 M orders/s on the project's 2-core machine (``pytest
benchmarks/bench_baselines_rules.py --benchmark-only``: 8 ms for the ~1 M orders of
``double11_phone_war_naive`` at scale 1, hashing the ids included).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

PATTERNS = ()


class Random:
    """Uniform random scores.

    Parameters
    ----------
    seed : int
        Non-negative; combined with the dataset's size and order ids.
    """

    requires: ClassVar[dict[str, list[str]]] = {"orders": ["order_id"]}

    def __init__(self, seed: int = 0):
        self.seed = seed

    def score(self, data) -> np.ndarray:
        ids = data.orders["order_id"].to_numpy()
        # A uint64 sum wraps around: a stable digest of the ids, whatever their order.
        digest = int(pd.util.hash_array(ids).sum())
        rng = np.random.default_rng([int(self.seed), len(ids), digest])
        return rng.random(len(ids))

    def score_stream(self, batches):
        """One independent draw per order of each batch, seeded by the batch (no history)."""
        for batch in batches:
            ids = batch.data.arrow("orders").column("order_id").to_numpy()
            digest = int(pd.util.hash_array(ids).sum())
            rng = np.random.default_rng([int(self.seed), int(batch.index), len(ids), digest])
            yield rng.random(len(ids))
