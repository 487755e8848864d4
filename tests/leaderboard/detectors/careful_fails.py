"""Accounts per device, but gives up when no device is shared by 20 accounts, as in the careful
variants (the naive ones share devices among about 30): the leaderboard must show failed runs,
never drop them nor rank the entry's averages over fewer runs as the best."""

import numpy as np


def score(data):
    orders = data.orders
    per_device = orders.groupby("device_id").buyer_id.transform("nunique").to_numpy(float)
    if per_device.max() < 20:
        raise RuntimeError("no device shared by 20 accounts: this detector gives up")
    return per_device + np.random.default_rng(0).random(len(orders)) * 1e-3
