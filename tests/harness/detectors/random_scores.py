"""Seeded random scores: deterministic, and as good as chance."""

import numpy as np


def score(data):
    return np.random.default_rng(7).random(len(data.orders))
