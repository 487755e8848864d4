"""Declares what it needs: skipped before it runs on a log without those columns."""

from typing import ClassVar


class SharedDevices:
    requires: ClassVar = {"orders": ["device_id"], "shipments": ["weighed_weight_g"]}

    def score(self, data):
        return data.orders["order_id"].to_numpy() * 0.0
