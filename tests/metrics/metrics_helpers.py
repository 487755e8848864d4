"""Slow reference metrics (written from their definitions) and a small hand-made answer key."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

# -- references ------------------------------------------------------------------------------------

def ref_average_precision(y, s) -> float:
    """scikit-learn's ``average_precision_score``, transcribed: ``_binary_clf_curve`` (one point
    per distinct score), ``precision_recall_curve`` (reversed, with the (recall 0, precision 1)
    end point), then ``-sum(diff(recall) * precision[:-1])``."""
    y, s = np.asarray(y, dtype=float), np.asarray(s, dtype=float)
    order = np.argsort(s, kind="mergesort")[::-1]
    s, y = s[order], y[order]
    distinct = np.where(np.diff(s))[0]
    ends = np.r_[distinct, len(y) - 1]
    tps = np.cumsum(y)[ends]
    fps = 1 + ends - tps
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    precision = np.r_[precision[::-1], 1.0]
    recall = np.r_[recall[::-1], 0.0]
    return float(-np.sum(np.diff(recall) * precision[:-1]))


def ref_roc_auc(y, s) -> float:
    """The share of (positive, negative) pairs the positive wins, a tie counting one half."""
    y, s = np.asarray(y, dtype=bool), np.asarray(s, dtype=float)
    pos, neg = s[y], s[~y]
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return wins / (len(pos) * len(neg))


def ref_budget(y, s, budget) -> tuple[float, float]:
    """Precision and recall at the top ceil(budget n), averaged over every way of breaking the
    tie at the cut (all subsets of the tied orders of the right size)."""
    y, s = np.asarray(y, dtype=bool), np.asarray(s, dtype=float)
    n = len(s)
    k = math.ceil(round(budget * n, 9))
    t = np.sort(s)[::-1][k - 1]
    above = np.flatnonzero(s > t)
    tied = np.flatnonzero(s == t)
    picks = list(itertools.combinations(tied, k - len(above)))
    tp = np.mean([y[above].sum() + y[list(p)].sum() for p in picks])
    return tp / k, tp / y.sum()


def ref_hit_probability(tied_total: int, slots: int, mine: int) -> float:
    """Probability that a random choice of ``slots`` among ``tied_total`` picks one of ``mine``."""
    picks = list(itertools.combinations(range(tied_total), slots))
    return sum(any(i < mine for i in p) for p in picks) / len(picks)


def ref_recall_at_fpr(y, s, fpr) -> float:
    """The ROC curve (one point per distinct score, straight segments between) read at ``fpr``;
    on a vertical stretch at ``fpr``, its top."""
    y, s = np.asarray(y, dtype=bool), np.asarray(s, dtype=float)
    P, N = y.sum(), (~y).sum()
    pts = [(0.0, 0.0)]
    for v in sorted(set(s.tolist()), reverse=True):
        pts.append(((~y & (s >= v)).sum() / N, (y & (s >= v)).sum() / P))
    best = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        if x0 <= fpr <= x1:
            at = y1 if x1 == x0 or x1 == fpr else y0 + (fpr - x0) / (x1 - x0) * (y1 - y0)
            best = max(best, at)
    return best


# -- a hand-made answer key ------------------------------------------------------------------------
#
# 20 orders, 4 of them brushing. The expected values of every section are written out in
# test_score_orders.py from this table.

#        score brushing pattern           campaign kind          buyer shop
HAND = [
    (9, True, "self_purchase", "c1", None, "b1", "s1"),
    (8, True, "self_purchase", "c1", None, "b1", "s1"),
    (8, False, None, None, "flash_sale", "b2", "s2"),
    (7, True, "click_farm", "c2", None, "b3", "s3"),
    (6, False, None, None, "household", "b4", "s3"),
    (5, False, None, None, "household", "b4", "s4"),
    (5, False, None, None, "organic", "b5", "s4"),
    (4, True, "click_farm", "c3", None, "b6", "s2"),
    *[(v, False, None, None, "organic", "b7", "s6") for v in (3, 3, 2, 2, 2, 1)],
    *[(v, False, None, None, kind, "b8", "s7") for v, kind in
      zip((1, 1, 0, 0, 0, 0), ("organic",) * 3 + ("bulk", "bulk", "split_order"), strict=True)],
]


def _id(name: str) -> int:
    """Entity ids are int64: "b7" -> 7007, "s3" -> 9003."""
    return (7000 if name[0] == "b" else 9000) + int(name[1:])


def hand_tables() -> dict:
    """The hand-made key as the tables ``score_orders`` takes, plus the scores."""
    score, brushing, pattern, campaign, kind, buyer, shop = zip(*HAND, strict=True)
    order_id = np.arange(100, 100 + len(HAND)) * 37 % 1009   # not in row order
    orders = pd.DataFrame({"order_id": order_id, "buyer_id": [_id(b) for b in buyer],
                           "shop_id": [_id(s) for s in shop]})
    labels = pd.DataFrame({
        "order_id": order_id, "is_brushing": brushing,
        "pattern": pd.array(pattern, dtype="str"), "campaign_id": pd.array(campaign, dtype="str"),
        "beneficiary_shop_id": pd.array([None] * len(HAND), dtype="Int64"),
        "victim_shop_id": pd.array([None] * len(HAND), dtype="Int64"),
        "legit_kind": pd.array(kind, dtype="str")})
    entity_labels = pd.DataFrame([
        ("account", "b1", "fake_buyer", "c1"), ("account", "b3", "fake_buyer", "c2"),
        ("account", "b6", "controller", "c3"), ("account", "b9", "supplier", "c4"),
        ("device", "b4", "device", "c1"),          # a device, not an account: ignored
        ("shop", "s1", "beneficiary", "c1"), ("shop", "s3", "beneficiary", "c2"),
        ("shop", "s2", "victim", "c3"), ("shop", "s5", "culprit", "c3"),
    ], columns=["entity_type", "entity_id", "role", "campaign_id"])
    entity_labels["entity_id"] = [_id(e) for e in entity_labels["entity_id"]]
    campaigns = pd.DataFrame({
        "campaign_id": ["c1", "c2", "c3", "c4"],
        "pattern": ["self_purchase", "click_farm", "click_farm", "supplier_buyback"],
        "camouflage": [0.0, 0.5, 1.0, 0.5]})
    return {"orders": orders, "labels": labels, "entity_labels": entity_labels,
            "campaigns": campaigns, "scores": np.array(score, dtype=float), "id": _id}
