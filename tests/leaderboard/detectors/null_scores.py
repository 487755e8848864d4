"""The same score for every order: one tie, so every budget metric is its expected value."""

import numpy as np


def score(data):
    return np.zeros(len(data.orders))
