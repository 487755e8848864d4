"""Grade a submission against its answer key: one score in [0, 1], and where it came from.

One primary score per form, always in [0, 1]: a perfect answer scores 1.0, an empty one 0.

- **flagged orders**: F1 of the flagged orders against the brushing orders,
  ``2 TP / (2 TP + FP + FN)``, with precision and recall beside it. Flagging orders at random
  scores about the base rate (the share of brushing orders) when as many orders are flagged as
  there are brushing orders.
- **order scores**: average precision (step-wise PR-AUC, :mod:`brushbench.metrics`): random
  scores get the base rate in expectation. The breakdowns look at the top *P* orders, *P* the
  number of brushing orders (as if the student had flagged that many), ties shared by expected
  value like every review budget of the project.
- **shops and buyers**: F1 over (shop, buyer) pairs. The true pairs are the shop and buyer of
  every brushing order (a framed shop's orders count at the framed shop, where they were
  placed); a pair named that is not one of them is a false alarm. Naming random pairs, as many
  as there are true ones, scores about the share of true pairs among every (shop, buyer) pair
  that ordered. The Shopee Code League 2020 score is given beside it
  (``scl2020_weighted_accuracy``: a shop counts when its set of buyers is exactly right, weight
  1 for a brushing shop and 0.005 for a clean one, a shop left out being clean); it is not the
  primary score because a blank answer gets the clean shops' share of the weight, not 0.

The breakdowns: recall per pattern (orders, or pairs, of the pattern found), every campaign with
what was found of it (a campaign is *missed* when none of it was), and false alarms per kind of
legitimate traffic (organic, flash sale, split order, bulk, household, redirect).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ..dataset.tables import LEGIT_KINDS
from ..metrics import Cut, Ranking
from ..metrics.values import number, ratio
from .keys import AnswerKey
from .submission import Submission

__all__ = ["GRADE_SCHEMA", "PRIMARY", "Truth", "grade"]

GRADE_SCHEMA = "brushbench-grade/1"
#: The primary score of each form.
PRIMARY = {"flagged": "f1", "scores": "average_precision", "shops": "pair_f1"}
#: SCL 2020 weights (docs/sources.md#scl-rule): a correct clean shop 0.005, a correct brushing
#: shop 1.
SCL_CLEAN_WEIGHT = 0.005
NEVER_ORDERED = "never_ordered"


@dataclass
class Truth:
    """The key's truth per order, in the row order of the key's ``order_index``."""

    order_id: np.ndarray
    shop_id: np.ndarray
    buyer_id: np.ndarray
    brushing: np.ndarray
    pattern: np.ndarray
    campaign: np.ndarray
    kind: np.ndarray
    campaigns: pd.DataFrame

    @classmethod
    def of(cls, key: AnswerKey) -> Truth:
        index, labels = key.order_index, key.labels
        rows = pd.Index(labels["order_id"].to_numpy()).get_indexer(index["order_id"].to_numpy())
        if (rows < 0).any():
            raise ValueError(f"{key.folder}: order_index names orders the labels do not")

        def column(name: str) -> np.ndarray:
            return labels[name].to_numpy(dtype=object, na_value=None)[rows]

        return cls(index["order_id"].to_numpy(np.int64), index["shop_id"].to_numpy(np.int64),
                   index["buyer_id"].to_numpy(np.int64),
                   labels["is_brushing"].to_numpy(dtype=bool)[rows], column("pattern"),
                   column("campaign_id"), column("legit_kind"), key.campaigns)

    @property
    def n_positive(self) -> int:
        return int(np.count_nonzero(self.brushing))


def _f1(tp: float, fp: float, fn: float) -> float:
    """F1, with 1.0 when there is nothing to find and nothing was named."""
    return 1.0 if tp + fp + fn == 0 else number(2 * tp / (2 * tp + fp + fn))


def _top(scores: np.ndarray, k: int) -> Cut:
    """The top ``k`` orders, ties at the cut shared by expected value (:class:`Cut`)."""
    ordered = np.sort(scores)
    n = len(ordered)
    t = float(ordered[n - k])
    above = n - int(np.searchsorted(ordered, t, "right"))
    tied = int(np.searchsorted(ordered, t, "right") - np.searchsorted(ordered, t, "left"))
    return Cut(k / n, k, t, above, tied)


# -- the breakdowns, shared by the order forms -----------------------------------------------------


def _per_pattern(found: np.ndarray, truth: Truth) -> dict[str, Any]:
    pos = truth.brushing
    frame = pd.DataFrame({"pattern": truth.pattern[pos], "found": found[pos]})
    groups = frame.groupby("pattern")["found"].agg(["size", "sum"])
    for name in truth.campaigns["pattern"]:  # a pattern whose campaigns have no order here
        if name not in groups.index:
            groups.loc[name] = (0, 0.0)
    return {str(name): {"n": int(row["size"]), "found": number(row["sum"]),
                        "recall": ratio(row["sum"], row["size"], "no orders of this pattern")}
            for name, row in groups.sort_index().iterrows()}


def _campaign_rows(n: pd.Series, found: pd.Series, caught: pd.Series,
                   campaigns: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in campaigns.sort_values("campaign_id").itertuples(index=False):
        cid = row.campaign_id
        total = int(n.get(cid, 0))
        got = float(found.get(cid, 0.0))
        out.append({"campaign_id": cid, "pattern": row.pattern,
                    "camouflage": number(row.camouflage),
                    "shops": [int(s) for s in row.shops], "n": total, "found": number(got),
                    "recall": ratio(got, total, "no orders of this campaign"),
                    "missed": bool(total > 0 and caught.get(cid, 0.0) < 0.5)})
    return out


def _orders_campaigns(weights: np.ndarray, hit: Any, truth: Truth) -> list[dict[str, Any]]:
    """Per campaign: its orders, those found, and whether any was (``hit(above, tied)`` gives
    the chance that a campaign with so many orders above and at the cut has one inside)."""
    pos = truth.brushing
    frame = pd.DataFrame({"campaign": truth.campaign[pos], "found": weights[pos],
                          "above": hit[0][pos], "tied": hit[1][pos]})
    g = frame.groupby("campaign")
    sums = g[["found", "above", "tied"]].sum()
    caught = pd.Series(hit[2](sums["above"].to_numpy(), sums["tied"].to_numpy()),
                       index=sums.index)
    return _campaign_rows(g.size(), sums["found"], caught, truth.campaigns)


def _false_alarms(flagged: np.ndarray, kinds: np.ndarray, legit: np.ndarray,
                  extra: dict[str, int] | None = None) -> dict[str, Any]:
    frame = pd.DataFrame({"kind": kinds[legit], "flagged": flagged[legit]})
    groups = frame.groupby("kind")["flagged"].agg(["size", "sum"])
    out = {}
    for kind in [*LEGIT_KINDS, *sorted(set(groups.index) - set(LEGIT_KINDS))]:
        n = int(groups["size"].get(kind, 0))
        f = float(groups["sum"].get(kind, 0.0))
        if n or f:
            out[kind] = {"n": n, "flagged": number(f),
                         "rate": ratio(f, n, "no legitimate traffic of this kind")}
    for kind, count in (extra or {}).items():
        if count:
            out[kind] = {"n": 0, "flagged": number(count),
                         "rate": ratio(count, 0, "named, but never ordered there")}
    n_all = int(np.count_nonzero(legit))
    f_all = float(flagged[legit].sum()) + sum((extra or {}).values())
    out["all"] = {"n": n_all, "flagged": number(f_all),
                  "rate": ratio(f_all, n_all, "no legitimate orders")}
    return out


# -- the three forms -------------------------------------------------------------------------------

_T = TypeVar("_T")


def _part(value: _T | None, form: str) -> _T:
    """A part the submission's form always has (the reader fills it for that form)."""
    if value is None:
        raise ValueError(f"a {form} submission without its {form}: the reader should not "
                         f"have given it")
    return value



def _grade_flagged(sub: Submission, truth: Truth) -> dict[str, Any]:
    flagged = _part(sub.flagged, "flagged")
    y = truth.brushing
    tp = int(np.count_nonzero(flagged & y))
    fp = int(np.count_nonzero(flagged & ~y))
    fn = truth.n_positive - tp
    metrics: dict[str, Any] = {
        "f1": _f1(tp, fp, fn),
        "precision": ratio(tp, tp + fp, "nothing flagged"),
        "recall": ratio(tp, truth.n_positive, "no brushing orders"),
        "n_flagged": tp + fp, "true_positives": tp, "false_positives": fp,
        "false_negatives": fn,
    }
    if sub.scores is not None:
        ap = Ranking(sub.scores, y).average_precision()
        metrics["average_precision"] = ap if ap is not None else ratio(0, 0, "no brushing "
                                                                              "orders")
    weights = flagged.astype(np.float64)
    hit = (weights, np.zeros_like(weights), lambda above, tied: (above > 0).astype(float))
    return {"metrics": metrics, "per_pattern": _per_pattern(weights, truth),
            "campaigns": _orders_campaigns(weights, hit, truth),
            "false_alarms": _false_alarms(weights, truth.kind, ~y)}


def _grade_scores(sub: Submission, truth: Truth) -> dict[str, Any]:
    s, y = _part(sub.scores, "scores"), truth.brushing
    ranking = Ranking(s, y)
    ap, auc = ranking.average_precision(), ranking.roc_auc()
    if ap is None:
        raise ValueError("the answer key has no brushing orders: order scores cannot be graded "
                         "(average precision is undefined)")
    p = truth.n_positive
    cut = _top(s, p)
    found = ranking.true_alerts(cut)
    weights = cut.weights(s)
    metrics = {
        "average_precision": number(ap),
        "roc_auc": auc if auc is not None else ratio(0, 0, "no legitimate orders"),
        "top_k": p,
        "precision_at_top_k": number(found / p),
        "scored": int(np.count_nonzero(np.isfinite(s))),
    }
    hit = ((s > cut.threshold).astype(float), (s == cut.threshold).astype(float),
           cut.hit_probability)
    return {"metrics": metrics, "per_pattern": _per_pattern(weights, truth),
            "campaigns": _orders_campaigns(weights, hit, truth),
            "false_alarms": _false_alarms(weights, truth.kind, ~y)}


def _pairs(truth: Truth) -> pd.DataFrame:
    """Every (shop, buyer) pair that ordered: brushing or not, and its commonest legit kind."""
    kind = truth.kind.astype(object)  # a copy: brushing orders' kind becomes None
    kind[truth.brushing] = None
    orders = pd.DataFrame({"shop_id": truth.shop_id, "buyer_id": truth.buyer_id,
                           "brushing": truth.brushing, "kind": kind})
    pairs = orders.groupby(["shop_id", "buyer_id"], sort=False)["brushing"].any()
    kinds = (orders[~orders.brushing].value_counts(["shop_id", "buyer_id", "kind"], sort=True)
             .reset_index().drop_duplicates(["shop_id", "buyer_id"])
             .set_index(["shop_id", "buyer_id"])["kind"])
    return pd.DataFrame({"brushing": pairs, "kind": kinds.reindex(pairs.index)})


def _set_scores(named: set, true: set) -> dict[str, Any]:
    tp = len(named & true)
    return {"f1": _f1(tp, len(named) - tp, len(true) - tp),
            "precision": ratio(tp, len(named), "none named"),
            "recall": ratio(tp, len(true), "none to find"), "named": len(named),
            "true": len(true)}


def _scl_accuracy(truth: Truth, named: pd.DataFrame) -> float:
    """The SCL 2020 weighted accuracy: exact buyer sets, 1 per brushing shop, 0.005 per clean."""
    pos = truth.brushing
    true = (pd.DataFrame({"shop_id": truth.shop_id[pos], "buyer_id": truth.buyer_id[pos]})
            .drop_duplicates().sort_values(["shop_id", "buyer_id"])
            .groupby("shop_id")["buyer_id"].agg(tuple))
    answer = (named.sort_values(["shop_id", "buyer_id"]).groupby("shop_id")["buyer_id"]
              .agg(tuple))
    shops = pd.Index(pd.unique(truth.shop_id))
    empty = ()
    t = true.reindex(shops).map(lambda v: v if isinstance(v, tuple) else empty)
    a = answer.reindex(shops).map(lambda v: v if isinstance(v, tuple) else empty)
    weight = np.where(t.map(len).to_numpy() > 0, 1.0, SCL_CLEAN_WEIGHT)
    correct = (t.to_numpy() == a.to_numpy())
    return number(weight[correct].sum() / weight.sum())


def _grade_shops(sub: Submission, truth: Truth) -> dict[str, Any]:
    pairs = _pairs(truth)
    named = _part(sub.pairs, "shops")
    named_idx = pd.MultiIndex.from_frame(named[["shop_id", "buyer_id"]])
    known = pairs.reindex(named_idx)
    true_pairs = pairs.index[pairs["brushing"].to_numpy()]
    hit = known["brushing"].fillna(False).to_numpy(dtype=bool)
    tp = int(hit.sum())
    metrics: dict[str, Any] = {
        "pair_f1": _f1(tp, len(named) - tp, len(true_pairs) - tp),
        "pair_precision": ratio(tp, len(named), "no pairs named"),
        "pair_recall": ratio(tp, len(true_pairs), "no brushing orders"),
        "pairs_named": len(named), "pairs_true": len(true_pairs), "pairs_found": tp,
    }
    pos = truth.brushing
    metrics["shops"] = _set_scores(set(named["shop_id"].tolist()),
                                   set(truth.shop_id[pos].tolist()))
    metrics["buyers"] = _set_scores(set(named["buyer_id"].tolist()),
                                    set(truth.buyer_id[pos].tolist()))
    metrics["scl2020_weighted_accuracy"] = _scl_accuracy(truth, named)

    # Per pattern and campaign: the true pairs of each (a pair may serve more than one).
    found_set = pd.MultiIndex.from_frame(named[["shop_id", "buyer_id"]][hit])
    bp = (pd.DataFrame({"shop_id": truth.shop_id[pos], "buyer_id": truth.buyer_id[pos],
                        "pattern": truth.pattern[pos], "campaign": truth.campaign[pos]})
          .drop_duplicates())
    bp["found"] = pd.MultiIndex.from_frame(bp[["shop_id", "buyer_id"]]).isin(found_set)
    by_pattern = bp.drop_duplicates(["shop_id", "buyer_id", "pattern"])
    per_pattern = {}
    for name in sorted(set(by_pattern["pattern"]) | set(truth.campaigns["pattern"])):
        mine = by_pattern[by_pattern["pattern"] == name]
        per_pattern[str(name)] = {"n": len(mine), "found": number(mine["found"].sum()),
                                  "recall": ratio(mine["found"].sum(), len(mine),
                                                  "no pairs of this pattern")}
    g = bp.drop_duplicates(["shop_id", "buyer_id", "campaign"]).groupby("campaign")["found"]
    campaigns = _campaign_rows(g.size(), g.sum().astype(float), g.sum().astype(float),
                               truth.campaigns)

    legit = ~pairs["brushing"].to_numpy()
    flagged = pairs.index.isin(named_idx).astype(np.float64)
    never = int(known["brushing"].isna().sum())
    false_alarms = _false_alarms(flagged, pairs["kind"].to_numpy(dtype=object), legit,
                                 {NEVER_ORDERED: never})
    base = len(true_pairs) / len(pairs)
    return {"metrics": metrics, "per_pattern": per_pattern, "campaigns": campaigns,
            "false_alarms": false_alarms, "base_rate": number(base)}


def grade(sub: Submission, key: AnswerKey, *, student: str | None = None) -> dict[str, Any]:
    """Grade ``sub`` (read against ``key.order_index``) with ``key``.

    Returns
    -------
    dict
        JSON-able: ``score`` (in [0, 1]) and ``score_name``, ``form``, ``unit`` (orders, or
        (shop, buyer) pairs), ``base_rate``, ``metrics``, ``per_pattern``, ``campaigns`` (each
        with ``missed``), ``missed`` (the ids of the campaigns missed) and ``false_alarms`` per
        legitimate kind. Undefined ratios are ``{"value": None, "reason": ...}``.
    """
    truth = Truth.of(key)
    graders = {"flagged": _grade_flagged, "scores": _grade_scores, "shops": _grade_shops}
    result = graders[sub.form](sub, truth)
    base = result.pop("base_rate", None)
    if base is None:
        base = number(truth.n_positive / len(truth.order_id))
    name = PRIMARY[sub.form]
    score = result["metrics"][name]
    return {
        "schema": GRADE_SCHEMA,
        "submission": str(sub.path),
        "student": student if student is not None else key.manifest.get("student"),
        "lab": key.manifest.get("lab"),
        "key": {"folder": str(key.folder), "sha256": key.sha256},
        "form": sub.form,
        "read_as": sub.describe(),
        "ignored_columns": list(sub.ignored),
        "unit": "pairs" if sub.form == "shops" else "orders",
        "score": score,
        "score_name": name,
        "max_score": 1.0,
        "base_rate": base,
        **result,
        "missed": [c["campaign_id"] for c in result["campaigns"] if c["missed"]],
    }
