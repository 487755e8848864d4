"""Tries to read every batch before scoring the first: the harness refuses."""

import numpy as np


class ReadsAhead:
    def score_stream(self, batches):
        everything = list(batches)
        for batch in everything:
            yield np.zeros(len(batch.data.orders))
