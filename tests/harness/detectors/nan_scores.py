"""Returns a Series indexed by order_id in which every tenth score is NaN."""

import numpy as np
import pandas as pd


def score(data):
    values = np.arange(len(data.orders), dtype=float)
    values[::10] = np.nan
    return pd.Series(values, index=data.orders["order_id"])
