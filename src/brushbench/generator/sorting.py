"""Sort rows by (time, id): the order of every table the generator writes.

``np.lexsort((ids, time))`` runs a stable merge sort per key, about a microsecond per row on
this machine, which made it one of the generator's largest single costs. Here both keys are
packed into one int64 (the time's offset in the high bits, the id's leading bits below), and a
single sort of that key is several times faster (a stable one on merged shards, which finds
their sorted runs). Rows whose keys tie (same second, same leading id bits) are then put in
order by a second pass over those few rows, so the result is exactly lexsort's whatever the
sort's stability.
"""

from __future__ import annotations

import numpy as np

#: Below this many free bits for the id, packing is no longer worth it (a window of years).
_MIN_ID_BITS = 16


def by_time_then_id(time: np.ndarray, ids: np.ndarray, *, runs: bool = False) -> np.ndarray:
    """Indices that sort rows by ``time``, then by ``ids``: ``np.lexsort((ids, time))``.

    Parameters
    ----------
    time : np.ndarray
        int64 epoch seconds (or any int64 key).
    ids : np.ndarray
        int64 ids in ``[0, 2**63)``, the tie-breaker.
    runs : bool
        The rows are a few runs already sorted (merged shards): a stable sort finds them;
        otherwise an unstable one is faster. The result is the same either way.

    Returns
    -------
    np.ndarray
        int64 permutation, identical to ``np.lexsort((ids, time))``.
    """
    time = np.asarray(time, dtype=np.int64)
    ids = np.asarray(ids, dtype=np.int64)
    if len(time) < 2:
        return np.arange(len(time), dtype=np.int64)
    t0 = int(time.min())
    time_bits = (int(time.max()) - t0).bit_length()
    id_bits = 63 - time_bits
    if id_bits < _MIN_ID_BITS or int(ids.min()) < 0:
        return np.lexsort((ids, time)).astype(np.int64)
    key = ((time - t0) << np.int64(id_bits)) | (ids >> np.int64(63 - id_bits))
    order = np.argsort(key, kind="stable" if runs else "quicksort")
    ranked = key[order]
    tied = np.flatnonzero(ranked[1:] == ranked[:-1])
    if len(tied):
        # Rows whose key ties (same second, same leading id bits) sit next to each other;
        # ordering those positions by (key, id) in place finishes the sort.
        at = np.union1d(tied, tied + 1)
        rows = order[at]
        order[at] = rows[np.lexsort((ids[rows], key[rows]))]
    return order
