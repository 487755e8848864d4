"""Shared by the cheating fixture detectors: match a found answer key to the scored orders.

Not a detector (no ``score``): the cheats import it by file, from beside them.
"""

from pathlib import Path

import numpy as np
import pandas as pd


def scores_from_labels(labels_file, data):
    """Scores equal to the truth of ``labels_file`` when it is the key of ``data``, else None."""
    try:
        labels = pd.read_parquet(labels_file)
    except Exception:  # whatever it is, it is not our key
        return None
    ids = data.orders["order_id"]
    if len(labels) != len(ids) or set(labels["order_id"]) != set(ids):
        return None
    truth = labels.set_index("order_id")["is_brushing"].astype(float)
    return truth.reindex(ids).to_numpy()


def first_match(files, data):
    for file in files:
        found = scores_from_labels(file, data)
        if found is not None:
            return found
    return None


def base_rate_scores(data):
    """What a cheat that found nothing returns: a constant (AP = the base rate)."""
    return np.zeros(len(data.orders))


def cache_roots():
    import os

    roots = [os.environ.get("BRUSHBENCH_CACHE"), os.environ.get("CHEAT_CACHE_HINT"),
             str(Path.home() / ".cache" / "brushbench")]
    return [Path(r) for r in roots if r]
