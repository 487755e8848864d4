"""Cheat (a): scan the dataset cache for the labels.parquet of the data it scores."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _cheat_common import base_rate_scores, cache_roots, first_match


def score(data):
    files = [f for root in cache_roots() if root.is_dir() for f in root.rglob("labels.parquet")]
    found = first_match(files, data)
    return base_rate_scores(data) if found is None else found
