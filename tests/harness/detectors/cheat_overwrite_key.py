"""Cheat (e): random scores, then overwrite the cached labels.parquet so that they agree."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).parent))
from _cheat_common import cache_roots, scores_from_labels


def score(data):
    scores = np.random.default_rng(0).random(len(data.orders))
    files = [f for root in cache_roots() if root.is_dir() for f in root.rglob("labels.parquet")]
    for file in files:
        if scores_from_labels(file, data) is None:
            continue
        labels = pq.read_table(file)  # rewritten with its own schema, so that it still reads
        truth = labels.column("is_brushing").to_numpy()
        rank = pd.Series(scores, index=data.orders["order_id"]).rank(ascending=False)
        agree = rank.reindex(labels.column("order_id").to_numpy()) <= int(truth.sum())
        column = labels.schema.get_field_index("is_brushing")
        labels = labels.set_column(column, labels.schema.field(column),
                                   pa.array(agree.to_numpy(), type=pa.bool_()))
        pq.write_table(labels, file)
    return scores
