"""Streaming only: an order is as suspicious as the number of orders its device placed so far."""

import pandas as pd


class DeviceCounts:
    def score_stream(self, batches):
        counts = pd.Series(dtype="float64")
        for batch in batches:
            devices = batch.data.orders["device_id"]
            counts = counts.add(devices.value_counts(), fill_value=0)
            yield counts.reindex(devices).to_numpy(dtype=float)
