"""Seeded random scores: chance level, the floor every detector on the leaderboard must beat."""

import numpy as np


def score(data):
    return np.random.default_rng(20191111).random(len(data.orders))
