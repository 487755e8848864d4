"""Lockstep: groups of accounts that buy the same items within the same short time windows.

What it looks at
    ``buyer_id``, ``item_id`` and ``created_at`` of the orders. Orders are put in buckets of
    one item and one time window (``window`` seconds, at two offsets half a window apart, so
    that a wave on a window's edge is whole in one of them). Two accounts that share a
    bucket bought the same item within a window of each other: they *met*. They are
    *lockstep partners* when they met in at least ``min_meetings`` separate bursts: on
    different items, or on the same item again after a quiet window (meetings on one item in
    adjacent windows are one burst). An order scores the number of its bucket's other
    accounts that are its buyer's partners: how many of the accounts that bought this item
    with it have also moved with it at another time; plus a little for how many partners
    its buyer has in all (the buyer score).

Where the idea comes from
    CopyCatch (Beutel, Xu, Guruswami, Palow and Faloutsos, WWW 2013): fake page "likes"
    come from groups of users that like the same set of pages within the same time
    windows, the signature of scripted accounts; D-Cube and DenseAlert find the same dense
    blocks in (user, item, time) tensors. domain.md §5 P5 lists lockstep ("the same set of
    items bought by the same set of accounts within Δt") among the traces of phone farms
    (群控); docs/patterns.md describes waves in which a fixed group of accounts buys one item
    of a client shop within seconds, wave after wave. Unlike a like, a purchase can be
    repeated, so the same group meeting on the same item in separate waves counts too.

The hard negative
    A flash sale puts hundreds of honest accounts on the same item in the same minutes, but
    as one burst: its buyers meet once (a buyer who splits an order under a per-order limit
    stays in the same burst), so they are not partners and score 0 however big the crowd;
    likewise the Double 11 midnight rush. Buckets of more than ``max_bucket`` accounts are
    skipped altogether: such a crowd is a sale, and its pairs (hundreds of millions at
    Double 11) would cost more than they tell.

Blind to
    Farms that spread each account's orders so that the same accounts rarely meet twice
    (random accounts, random items of the client's range, waves stretched over tens of
    minutes); farms whose waves hold more than ``max_bucket`` accounts; devices, addresses,
    machine-regular timing, registration dates and reviews, which it never reads. Heavy
    buyers of an item that stays busy for an hour (the hourly re-ranking) can meet in two
    bursts and become partners by chance, with few partners each.

Speed
    About 0.7-1.6 M orders per second on the project's shared 2-core machine
    (``double11_phone_war_naive`` at scale 1.0, 1.05 M orders: 0.65-1.5 s per ``score``;
    ``benchmarks/bench_baselines_graph.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from brushbench.harness import Scores

PATTERNS = ("click_farm",)

#: Checked by the harness before the detector runs: a log without items is skipped.
requires = {"orders": ["item_id"]}


class Lockstep:
    """Score orders by their buyer's lockstep partners in the same (item, time window).

    Parameters
    ----------
    window : int
        Length of a time window, in seconds (Δt).
    min_meetings : int
        Separate bursts in which two accounts must meet to be lockstep partners.
    max_bucket : int
        Buckets with more accounts than this are skipped (a sale's crowd).
    buyer_weight : float
        Weight of the buyer's score (``log1p`` of its number of lockstep partners) added to
        each of its orders, so that a partner's orders outside any shared bucket rank above
        unrelated ones.
    """

    def __init__(self, window: int = 600, min_meetings: int = 2, max_bucket: int = 50,
                 buyer_weight: float = 0.1):
        self.window = window
        self.min_meetings = min_meetings
        self.max_bucket = max_bucket
        self.buyer_weight = buyer_weight

    def score(self, data) -> Scores:
        """Order scores and buyer scores (log1p of the number of lockstep partners)."""
        orders = data.orders
        account, buyer_ids = pd.factorize(orders["buyer_id"])
        item, _ = pd.factorize(orders["item_id"])
        seconds = _epoch_seconds(orders["created_at"])
        n_acc = len(buyer_ids)
        incidences = [bucket_incidence(account, item, seconds, self.window, offset,
                                       self.max_bucket, n_acc)
                      for offset in (0, self.window // 2)]
        partners = lockstep_partners(incidences, n_acc, self.min_meetings)
        order_score = np.zeros(len(orders))
        for inc in incidences:
            order_score = np.maximum(order_score, partners_in_bucket(partners, inc, account))
        buyer = np.log1p(np.diff(partners.indptr)).astype(np.float64)
        return Scores(orders=order_score + self.buyer_weight * buyer[account],
                      buyers=pd.Series(buyer, index=np.asarray(buyer_ids)))


def _epoch_seconds(times: pd.Series) -> np.ndarray:
    """Whole seconds since the epoch of a timestamp column (any unit, any time zone)."""
    values = pd.to_datetime(times)
    return values.to_numpy(dtype="datetime64[s]").astype(np.int64)


@dataclass(frozen=True)
class Incidence:
    """Accounts x kept buckets of one window offset.

    Attributes
    ----------
    matrix : scipy.sparse.csr_matrix
        ``matrix[a, b] = 1`` when account ``a`` ordered in bucket ``b``.
    item, slot : numpy.ndarray
        The item and the window number of each bucket (column).
    order_bucket : numpy.ndarray
        The bucket of each order, -1 where the order's bucket was not kept.
    """

    matrix: sp.csr_matrix
    item: np.ndarray
    slot: np.ndarray
    order_bucket: np.ndarray


def bucket_incidence(account: np.ndarray, item: np.ndarray, seconds: np.ndarray, window: int,
                     offset: int, max_bucket: int, n_accounts: int) -> Incidence:
    """Buckets (item, window) holding 2 to ``max_bucket`` accounts, and who is in them.

    Orders without an item (code -1) are in no bucket.
    """
    slot = (seconds + offset) // window
    slot = slot - (slot.min() if len(slot) else 0)
    n_slots = int(slot.max(initial=0)) + 1
    has_item = item >= 0
    bucket = np.full(len(item), -1, dtype=np.int64)
    bucket[has_item], keys = pd.factorize(item[has_item].astype(np.int64) * n_slots
                                          + slot[has_item])
    b, a = np.divmod(pd.unique(bucket[has_item] * n_accounts + account[has_item]), n_accounts)
    size = np.bincount(b, minlength=len(keys))
    kept = (size >= 2) & (size <= max_bucket)
    column = np.full(len(keys) + 1, -1)  # the extra last entry maps bucket -1 to -1
    column[:-1][kept] = np.arange(int(kept.sum()))
    inside = kept[b]
    matrix = sp.csr_matrix((np.ones(int(inside.sum()), dtype=np.int32),
                            (a[inside], column[b[inside]])),
                           shape=(n_accounts, int(kept.sum())))
    return Incidence(matrix, (keys // n_slots)[kept], (keys % n_slots)[kept], column[bucket])


def lockstep_partners(incidences: list[Incidence], n_accounts: int,
                      min_meetings: int) -> sp.csr_matrix:
    """Accounts x accounts, 1 where two accounts met in ``min_meetings`` separate bursts.

    Two accounts meet in a bucket they share. Meetings on the same item in adjacent
    windows are one burst (a sale both bought at twice, a wave cut by a window edge);
    meetings on another item, or on the same item after a window without one, count apart.
    Each offset is counted on its own and a pair is a partner if it is one in either, so a
    burst seen in both offsets' buckets is never counted twice.
    """
    partners = sp.csr_matrix((n_accounts, n_accounts), dtype=np.int32)
    for inc in incidences:
        shared = (inc.matrix @ inc.matrix.T).tocoo()
        # Each pair once; fewer shared buckets than min_meetings cannot make that many bursts.
        candidate = (shared.row < shared.col) & (shared.data >= min_meetings)
        a, b = shared.row[candidate], shared.col[candidate]
        # The buckets each candidate pair shared, sorted by (pair, item, window).
        both = inc.matrix[a].multiply(inc.matrix[b]).tocoo()
        pair, item, slot = both.row, inc.item[both.col], inc.slot[both.col]
        order = np.lexsort((slot, item, pair))
        pair, item, slot = pair[order], item[order], slot[order]
        same_burst = np.zeros(len(pair), dtype=bool)
        same_burst[1:] = ((pair[1:] == pair[:-1]) & (item[1:] == item[:-1])
                          & (slot[1:] - slot[:-1] <= 1))
        met = np.bincount(pair[~same_burst], minlength=len(a)) >= min_meetings
        partners = partners.maximum(sp.csr_matrix(
            (np.ones(int(met.sum()), dtype=np.int32), (a[met], b[met])), shape=partners.shape))
    return (partners + partners.T).tocsr()


def partners_in_bucket(partners: sp.csr_matrix, inc: Incidence,
                       account: np.ndarray) -> np.ndarray:
    """Per order: how many of its bucket's other accounts are its buyer's partners."""
    per_order = np.zeros(len(account))
    inside = np.flatnonzero(inc.order_bucket >= 0)
    if len(inside) and partners.nnz:
        # (partners @ matrix)[a, b]: how many of a's partners ordered in bucket b.
        in_bucket = (partners @ inc.matrix).tocsr()
        per_order[inside] = np.asarray(
            in_bucket[account[inside], inc.order_bucket[inside]]).ravel()
    return per_order


_DEFAULT = Lockstep()


def score(data) -> Scores:
    """Function form: :meth:`Lockstep.score` with the default parameters."""
    return _DEFAULT.score(data)
