"""Yields one score too many for every batch that has orders."""

import numpy as np


class WrongLength:
    def score_stream(self, batches):
        for batch in batches:
            n = len(batch.data.orders)
            yield np.zeros(n + 1 if n else 0)
