"""Fails if any table of a batch holds a time at or after the batch's end, or an order from
before its start, or a batch out of order; otherwise scores every order 0."""

import numpy as np
import pandas as pd

TABLES = ("orders", "shipments", "refunds", "reviews", "buyers", "shops", "items")


class FutureGuard:
    def score_stream(self, batches):
        previous_end = None
        latest_seen = None
        for batch in batches:
            if previous_end is not None and batch.start != previous_end:
                raise AssertionError(f"batch {batch.index} starts at {batch.start}, the last "
                                     f"ended at {previous_end}")
            for name in TABLES:
                frame = getattr(batch.data, name)
                for column in frame.columns:
                    if isinstance(frame[column].dtype, pd.DatetimeTZDtype) and len(frame):
                        newest = frame[column].max()
                        if pd.notna(newest) and newest >= batch.end:
                            raise AssertionError(f"batch {batch.index}: {name}.{column} holds "
                                                 f"{newest}, at or after the end {batch.end}")
                        if pd.notna(newest):
                            latest_seen = max(latest_seen or newest, newest)
            created = batch.data.orders["created_at"]
            if len(created) and created.min() < batch.start:
                raise AssertionError(f"batch {batch.index}: an order from before its start")
            if batch.data.orders["status"].notna().any():
                raise AssertionError("an order's final status is known in advance")
            previous_end = batch.end
            yield np.zeros(len(batch.data.orders))
        print(f"latest time seen {latest_seen}")
