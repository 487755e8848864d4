"""The class form with fit, score (orders, buyers and shops) and predict."""

import numpy as np

from brushbench.harness import Scores


class ClassForm:
    """Buyers with many orders per day are suspicious; flags the top share of orders."""

    def __init__(self, alert_share: float = 0.05):
        self.alert_share = alert_share

    def fit(self, train):
        self.base_rate_ = float(train.labels["is_brushing"].mean())
        return self

    def _order_scores(self, data):
        orders = data.orders
        per_buyer = orders.groupby("buyer_id")["order_id"].transform("size")
        return per_buyer.to_numpy(dtype=float) * self.base_rate_

    def score(self, data):
        orders = data.orders
        values = self._order_scores(data)
        by_buyer = orders.assign(s=values).groupby("buyer_id")["s"].max()
        by_shop = orders.assign(s=values).groupby("shop_id")["s"].mean()
        return Scores(orders=values, buyers=by_buyer, shops=by_shop)

    def predict(self, data):
        values = self._order_scores(data)
        cut = np.quantile(values, 1 - self.alert_share)
        return values > cut


class Unrelated:
    """Not a detector: no score method."""
