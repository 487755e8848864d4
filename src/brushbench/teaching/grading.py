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

A key given as a labels file (:func:`brushbench.teaching.keys.key_from_labels`: a real log's
answer) defines less, and the grade says what it cannot give in ``not_available`` (section ->
reason) instead of a breakdown: per pattern and campaigns need patterns and campaigns, false
alarms per kind need legitimate kinds. Order answers need order labels (orders a file leaves
unlabelled are left out, and counted in ``metrics.orders_ungraded``); at shop or buyer level
they cannot be graded at all. A shops-and-buyers answer is graded over (shop, buyer) pairs
when the key has them (order labels, or the SCL ``shopid,userid`` answer, whose pairs are the
truth as given); with shop or buyer labels only, over the shops (``shops.f1``) or the buyers
(``buyers.f1``) it names.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
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
#: What a key's level labels, in words.
_LEVEL_WORDS = {"order": "orders", "shop": "shops", "buyer": "buyers",
                "shop+buyer": "shops and buyers"}


@dataclass
class Truth:
    """The key's truth per order, in the row order of the key's ``order_index``, and what the
    key defines beyond it.

    ``known`` is False for an order the key has no label for (``is_brushing`` null: a labels
    file that leaves it out, or shop- or buyer-level labels). ``true_pairs`` are the (shop,
    buyer) pairs as the key gives them (the SCL answer), None when they come from the orders.
    ``shops``/``buyers`` are the brushing shops and buyers (None when the key does not say).
    """

    order_id: np.ndarray
    shop_id: np.ndarray
    buyer_id: np.ndarray
    brushing: np.ndarray
    pattern: np.ndarray
    campaign: np.ndarray
    kind: np.ndarray
    campaigns: pd.DataFrame
    known: np.ndarray | None = None
    level: str = "order"
    true_pairs: pd.DataFrame | None = None
    shops: set[int] | None = None
    buyers: set[int] | None = None

    @classmethod
    def of(cls, key: AnswerKey) -> Truth:
        index, labels = key.order_index, key.labels
        rows = pd.Index(labels["order_id"].to_numpy()).get_indexer(index["order_id"].to_numpy())
        if (rows < 0).any():
            raise ValueError(f"{key.folder}: order_index names orders the labels do not")

        def column(name: str) -> np.ndarray:
            if name not in labels:
                return np.full(len(rows), None, dtype=object)
            return labels[name].to_numpy(dtype=object, na_value=None)[rows]

        flags = column("is_brushing")
        known = np.array([f is not None for f in flags], dtype=bool)
        brushing = np.array([bool(f) for f in flags], dtype=bool)  # None -> False
        level = getattr(key, "level", None) or str(key.manifest.get("level") or "order")
        shop_id = index["shop_id"].to_numpy(np.int64)
        buyer_id = index["buyer_id"].to_numpy(np.int64)
        pattern, campaign = column("pattern"), column("campaign_id")
        campaigns = key.campaigns if "campaigns" in key.tables else pd.DataFrame()
        if campaigns.empty:
            campaigns = _campaigns_of(campaign, pattern, shop_id, brushing)
        shops: set[int] | None
        buyers: set[int] | None
        if level == "order":
            shops = set(shop_id[brushing].tolist())
            buyers = set(buyer_id[brushing].tolist())
        else:
            ent = key.entity_labels
            role = ent["role"].astype(str).to_numpy() if len(ent) else np.zeros(0, str)
            ids = ent["entity_id"].to_numpy(np.int64) if len(ent) else np.zeros(0, np.int64)
            shops = set(ids[role == "beneficiary"].tolist()) if "shop" in level else None
            buyers = set(ids[role == "fake_buyer"].tolist()) if "buyer" in level else None
        return cls(index["order_id"].to_numpy(np.int64), shop_id, buyer_id, brushing, pattern,
                   campaign, column("legit_kind"), campaigns, known=known, level=level,
                   true_pairs=getattr(key, "true_pairs", None), shops=shops, buyers=buyers)

    @property
    def n_positive(self) -> int:
        return int(np.count_nonzero(self.brushing))

    @property
    def complete(self) -> bool:
        """Every order has a label."""
        return self.known is None or bool(self.known.all())

    @property
    def has_patterns(self) -> bool:
        return bool(len(self.campaigns)) or any(p is not None
                                                for p in self.pattern[self.brushing])

    @property
    def has_kinds(self) -> bool:
        return any(k is not None for k in self.kind[~self.brushing])

    def restrict(self, mask: np.ndarray) -> Truth:
        """The truth of the orders ``mask`` selects (the labelled ones)."""
        return replace(self, order_id=self.order_id[mask], shop_id=self.shop_id[mask],
                       buyer_id=self.buyer_id[mask], brushing=self.brushing[mask],
                       pattern=self.pattern[mask], campaign=self.campaign[mask],
                       kind=self.kind[mask], known=np.ones(int(mask.sum()), dtype=bool))

    def not_available(self, unit: str) -> dict[str, str]:
        """The breakdowns this truth cannot give, each with its reason."""
        out = {}
        if not self.has_patterns:
            out["per_pattern"] = "the key has no patterns"
            out["campaigns"] = "the key has no campaigns"
        if not self.has_kinds:
            out["false_alarms_per_kind"] = "the key has no kinds of legitimate traffic"
        return out


def _campaigns_of(campaign: np.ndarray, pattern: np.ndarray, shop_id: np.ndarray,
                  brushing: np.ndarray) -> pd.DataFrame:
    """The campaigns table of a key that has none (a labels file): one row per campaign id its
    brushing orders name, with their pattern and shops; no camouflage."""
    columns = ["campaign_id", "pattern", "camouflage", "shops", "orders"]
    frame = pd.DataFrame({"campaign_id": campaign[brushing], "pattern": pattern[brushing],
                          "shop_id": shop_id[brushing]}).dropna(subset=["campaign_id"])
    if frame.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for cid, group in frame.groupby("campaign_id", sort=True):
        patterns = group["pattern"].dropna()
        rows.append((cid, patterns.iloc[0] if len(patterns) else None, None,
                     sorted(set(group["shop_id"].tolist())), len(group)))
    return pd.DataFrame(rows, columns=columns)


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
        if name is not None and name not in groups.index:
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
                    "camouflage": (None if row.camouflage is None or pd.isna(row.camouflage)
                                   else number(row.camouflage)),
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


def _scl_accuracy(true: pd.DataFrame, shops: np.ndarray, named: pd.DataFrame) -> float:
    """The SCL 2020 weighted accuracy: exact buyer sets, 1 per brushing shop, 0.005 per clean.

    ``true`` are the true (shop, buyer) pairs, ``shops`` every shop of the log (a shop the
    answer leaves out is clean)."""
    truth_sets = (true[["shop_id", "buyer_id"]].drop_duplicates()
                  .sort_values(["shop_id", "buyer_id"]).groupby("shop_id")["buyer_id"]
                  .agg(tuple))
    answer = (named.sort_values(["shop_id", "buyer_id"]).groupby("shop_id")["buyer_id"]
              .agg(tuple))
    index = pd.Index(pd.unique(np.concatenate([shops, truth_sets.index.to_numpy(np.int64)])))
    empty = ()
    t = truth_sets.reindex(index).map(lambda v: v if isinstance(v, tuple) else empty)
    a = answer.reindex(index).map(lambda v: v if isinstance(v, tuple) else empty)
    weight = np.where(t.map(len).to_numpy() > 0, 1.0, SCL_CLEAN_WEIGHT)
    correct = (t.to_numpy() == a.to_numpy())
    return number(weight[correct].sum() / weight.sum())


def _grade_shops(sub: Submission, truth: Truth) -> dict[str, Any]:
    ordered = _pairs(truth)  # every pair that ordered (of the labelled orders)
    named = _part(sub.pairs, "shops")
    named_idx = pd.MultiIndex.from_frame(named[["shop_id", "buyer_id"]])
    pos = truth.brushing
    true_frame: pd.DataFrame | None = None
    if truth.true_pairs is not None:  # the pairs as the key gives them (the SCL answer)
        true_frame = truth.true_pairs[["shop_id", "buyer_id"]].drop_duplicates()
        true_idx = pd.MultiIndex.from_frame(true_frame)
        ordered["brushing"] = ordered.index.isin(true_idx)
    elif truth.level == "order":
        true_idx = ordered.index[ordered["brushing"].to_numpy(dtype=bool)]
        true_frame = true_idx.to_frame(index=False)
    metrics: dict[str, Any] = {}
    missing: dict[str, str] = {}
    what = _LEVEL_WORDS.get(truth.level, truth.level)
    hit = np.zeros(len(named), dtype=bool)
    if true_frame is not None:
        hit = named_idx.isin(true_idx)
        tp = int(hit.sum())
        metrics.update({
            "pair_f1": _f1(tp, len(named) - tp, len(true_idx) - tp),
            "pair_precision": ratio(tp, len(named), "no pairs named"),
            "pair_recall": ratio(tp, len(true_idx), "no brushing orders"),
            "pairs_named": len(named), "pairs_true": len(true_idx), "pairs_found": tp,
        })
    else:
        missing["pairs"] = (f"the key labels {what}, not (shop, buyer) pairs: it does not "
                            "say which buyers brushed which shop")
    if truth.shops is not None:
        metrics["shops"] = _set_scores(set(named["shop_id"].tolist()), truth.shops)
    else:
        missing["shops"] = "the key has no shop labels"
    if truth.buyers is not None:
        metrics["buyers"] = _set_scores(set(named["buyer_id"].tolist()), truth.buyers)
    else:
        missing["buyers"] = "the key has no buyer labels"
    if true_frame is not None:
        metrics["scl2020_weighted_accuracy"] = _scl_accuracy(true_frame, truth.shop_id, named)
    else:
        missing["scl2020_weighted_accuracy"] = "it needs each shop's brushing buyers"

    per_pattern: dict[str, Any] | None = None
    campaigns: list[dict[str, Any]] | None = None
    if truth.level == "order" and truth.true_pairs is None and truth.has_patterns:
        # Per pattern and campaign: the true pairs of each (a pair may serve more than one).
        found_set = pd.MultiIndex.from_frame(named[["shop_id", "buyer_id"]][hit])
        bp = (pd.DataFrame({"shop_id": truth.shop_id[pos], "buyer_id": truth.buyer_id[pos],
                            "pattern": truth.pattern[pos], "campaign": truth.campaign[pos]})
              .drop_duplicates())
        bp["found"] = pd.MultiIndex.from_frame(bp[["shop_id", "buyer_id"]]).isin(found_set)
        by_pattern = bp.drop_duplicates(["shop_id", "buyer_id", "pattern"])
        per_pattern = {}
        names = {p for p in by_pattern["pattern"] if p is not None} \
            | {p for p in truth.campaigns["pattern"] if p is not None}
        for name in sorted(names):
            mine = by_pattern[by_pattern["pattern"] == name]
            per_pattern[str(name)] = {"n": len(mine), "found": number(mine["found"].sum()),
                                      "recall": ratio(mine["found"].sum(), len(mine),
                                                      "no pairs of this pattern")}
        g = bp.drop_duplicates(["shop_id", "buyer_id", "campaign"]).groupby("campaign")["found"]
        campaigns = _campaign_rows(g.size(), g.sum().astype(float), g.sum().astype(float),
                                   truth.campaigns)

    false_alarms: dict[str, Any] | None = None
    if true_frame is not None:
        legit = ~ordered["brushing"].to_numpy(dtype=bool)
        flagged = ordered.index.isin(named_idx).astype(np.float64)
        never = int(np.count_nonzero(~named_idx.isin(ordered.index) & ~hit))
        false_alarms = _false_alarms(flagged, ordered["kind"].to_numpy(dtype=object), legit,
                                     {NEVER_ORDERED: never})
        base: Any = number(len(true_idx) / len(ordered)) if len(ordered) else ratio(0, 0,
                                                                                    "no orders")
        name = "pair_f1"
    else:
        missing["false_alarms"] = ("the key does not say which (shop, buyer) pairs are "
                                   "legitimate")
        if truth.shops is not None:
            name = "shop_f1"
            metrics[name] = metrics["shops"]["f1"]
            every = set(truth.shop_id.tolist()) | truth.shops
            base = ratio(len(truth.shops), len(every), "no shops")
        else:
            assert truth.buyers is not None  # a key labels shops, buyers or orders
            name = "buyer_f1"
            metrics[name] = metrics["buyers"]["f1"]
            every = set(truth.buyer_id.tolist()) | truth.buyers
            base = ratio(len(truth.buyers), len(every), "no buyers")
    return {"metrics": metrics, "per_pattern": per_pattern, "campaigns": campaigns,
            "false_alarms": false_alarms, "base_rate": base, "score_name": name,
            "unit": {"pair_f1": "pairs", "shop_f1": "shops", "buyer_f1": "buyers"}[name],
            "missing": missing}


def _order_truth(sub: Submission, truth: Truth, key: AnswerKey
                 ) -> tuple[Submission, Truth, int]:
    """The submission and truth over the labelled orders (an order answer needs order labels);
    the number of orders left out."""
    if truth.level != "order":
        raise ValueError(f"{key.folder}: the key labels "
                         f"{_LEVEL_WORDS.get(truth.level, truth.level)}, "
                         "not orders: it does not say which orders are fake, so an answer of "
                         f"{'flagged orders' if sub.form == 'flagged' else 'order scores'} "
                         "cannot be graded against it (answer with shops and buyers: "
                         "shopid,userid)")
    if truth.complete:
        return sub, truth, 0
    mask = truth.known
    assert mask is not None
    if not mask.any():
        raise ValueError(f"{key.folder}: no order has a label: order answers cannot be graded")
    sub = replace(sub, flagged=None if sub.flagged is None else sub.flagged[mask],
                  scores=None if sub.scores is None else sub.scores[mask])
    return sub, truth.restrict(mask), int(np.count_nonzero(~mask))


def grade(sub: Submission, key: AnswerKey, *, student: str | None = None) -> dict[str, Any]:
    """Grade ``sub`` (read against ``key.order_index``) with ``key``.

    Returns
    -------
    dict
        JSON-able: ``score`` (in [0, 1]) and ``score_name``, ``form``, ``unit`` (orders,
        (shop, buyer) pairs, or shops or buyers for a key that labels only those),
        ``base_rate``, ``metrics``, ``per_pattern``, ``campaigns`` (each with ``missed``),
        ``missed`` (the ids of the campaigns missed) and ``false_alarms`` per legitimate kind.
        Undefined ratios are ``{"value": None, "reason": ...}``. A section the key cannot
        give (a labels file's key: :func:`brushbench.teaching.keys.key_from_labels`) is None,
        and ``not_available`` maps it to the reason.

    Raises
    ------
    ValueError
        One line: an order answer against a key without order labels, or order scores
        against a key without brushing orders.
    """
    truth = Truth.of(key)
    ungraded = 0
    if sub.form in ("flagged", "scores"):
        sub, truth, ungraded = _order_truth(sub, truth, key)
    graders = {"flagged": _grade_flagged, "scores": _grade_scores, "shops": _grade_shops}
    result = graders[sub.form](sub, truth)
    base = result.pop("base_rate", None)
    if base is None:
        base = number(truth.n_positive / len(truth.order_id))
    name = result.pop("score_name", PRIMARY[sub.form])
    unit = result.pop("unit", "pairs" if sub.form == "shops" else "orders")
    missing = {**truth.not_available(unit), **result.pop("missing", {})}
    if ungraded:
        result["metrics"]["orders_ungraded"] = ungraded
        missing["orders_ungraded"] = (f"{ungraded:,} order(s) have no label in the key: "
                                      "graded without them")
    if result["per_pattern"] is not None and not truth.has_patterns:
        result["per_pattern"] = result["campaigns"] = None
    if result["per_pattern"] is None:
        missing.setdefault("per_pattern", "the key has no patterns")
        missing.setdefault("campaigns", "the key has no campaigns")
    if result["false_alarms"] is None:
        missing.pop("false_alarms_per_kind", None)
    campaigns = result["campaigns"]
    score = result["metrics"][name]
    out = {
        "schema": GRADE_SCHEMA,
        "submission": str(sub.path),
        "student": student if student is not None else key.manifest.get("student"),
        "lab": key.manifest.get("lab"),
        "key": {"folder": str(key.folder), "sha256": key.sha256},
        "form": sub.form,
        "read_as": sub.describe(),
        "ignored_columns": list(sub.ignored),
        "unit": unit,
        "score": score,
        "score_name": name,
        "max_score": 1.0,
        "base_rate": base,
        **result,
        "missed": (None if campaigns is None
                   else [c["campaign_id"] for c in campaigns if c["missed"]]),
    }
    if key.manifest.get("source"):
        out["key"]["source"] = key.manifest["source"]
        out["key"]["level"] = truth.level
    if missing:
        out["not_available"] = missing
    return out
