"""A good score() but a score_stream() that yields one score too many per batch."""

import numpy as np


class BrokenStream:
    def score(self, data):
        return np.arange(len(data.orders), dtype=float)

    def score_stream(self, batches):
        for batch in batches:
            n = len(batch.data.orders)
            yield np.zeros(n + 1 if n else 0)
