"""Unseeded random scores: a different ranking on every run."""

import numpy as np


def score(data):
    return np.random.default_rng().random(len(data.orders))
