"""The smallest detector: a module-level score(). Orders from busy devices look suspicious."""

import pandas as pd


def score(data):
    orders = data.orders
    per_device = orders.groupby("device_id")["order_id"].transform("size")
    return pd.Series(per_device.to_numpy(dtype=float), index=orders["order_id"])
