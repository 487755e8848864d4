"""Allocates (and touches) 1 GiB in score(): past a 300 MB limit."""

import numpy as np


def score(data):
    block = np.ones(2**30 // 8)
    return np.full(len(data.orders), block[0])
