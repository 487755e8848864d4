"""Sorting by (time, id) gives exactly np.lexsort's order, ties in the packed key included."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.generator.sorting import by_time_then_id


@settings(max_examples=150, deadline=None)
@given(n=st.integers(0, 3000), seed=st.integers(0, 2**32 - 1),
       span=st.sampled_from([1, 60, 86_400, 2**40, 2**50]),
       id_high=st.sampled_from([2**63 - 1, 2**20, 50]), shards=st.integers(1, 8))
def test_matches_lexsort(n, seed, span, id_high, shards):
    rng = np.random.default_rng(seed)
    time = 1_700_000_000 + rng.integers(0, span, n)
    # Unique ids, dense in a small range too, so many rows share their leading bits.
    ids = rng.permutation(np.unique(rng.integers(0, id_high, n, dtype=np.int64)))
    time = time[:len(ids)]
    if shards > 1:  # merged shards: each run already sorted
        cut = np.sort(rng.integers(0, len(ids) + 1, shards - 1))
        pieces = [(t[o], i[o]) for t, i in zip(np.split(time, cut), np.split(ids, cut),
                                             strict=True) for o in [np.lexsort((i, t))]]
        time = np.concatenate([t for t, _ in pieces])
        ids = np.concatenate([i for _, i in pieces])
    expected = np.lexsort((ids, time))
    for runs in (False, True):
        np.testing.assert_array_equal(by_time_then_id(time, ids, runs=runs), expected)


def test_ties_in_the_packed_key_are_ordered_by_id():
    # One second, ids differing only in their lowest bits: every key ties.
    ids = np.array([5, 3, 9, 1, 7], dtype=np.int64)
    time = np.full(5, 1_700_000_000, dtype=np.int64)
    assert ids[by_time_then_id(time, ids)].tolist() == [1, 3, 5, 7, 9]
