"""Returns one score too few."""

import numpy as np


def score(data):
    return np.zeros(len(data.orders) - 1)
