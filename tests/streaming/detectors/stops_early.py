"""Yields the scores of the first batch only, then stops."""

import numpy as np


class StopsEarly:
    def score_stream(self, batches):
        for batch in batches:
            yield np.zeros(len(batch.data.orders))
            return
