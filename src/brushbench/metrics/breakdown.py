"""Where the alerts go: per pattern, per camouflage level, per legitimate kind, per campaign.

Every function here works on the *positive* orders only (a few percent of the log: their scores,
pattern codes and campaign codes, in row order) or on per-kind totals, with ``bincount``; the one
pass over all orders (finding the legitimate orders inside the review budget) is done by the
caller. Higher score = more suspicious.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .ranking import Cut, Ranking
from .values import budget_label, number, ratio, undefined

__all__ = ["UNSPECIFIED", "Positives", "campaigns_caught", "false_alarms", "level_key",
           "per_camouflage", "per_pattern"]

#: The group of orders whose pattern, campaign, camouflage or kind the answer key leaves empty.
UNSPECIFIED = "unspecified"


def level_key(level: float) -> str:
    """The key of a camouflage level: 6 significant digits, ``.`` written ``p`` (0.5 -> ``0p5``)."""
    return format(float(level), ".6g").replace(".", "p")


@dataclass
class Positives:
    """The positive orders in row order, with their pattern and campaign as integer codes.

    Attributes
    ----------
    scores : array of float, shape (P,)
    pattern : array of int, shape (P,)
        Index into ``pattern_names`` (``UNSPECIFIED`` is one of the names when needed).
    pattern_names : list of str
    campaign : array of int, shape (P,)
        Index into ``campaign_ids``; -1 when the order names no campaign.
    campaign_ids : list of str
    """

    scores: np.ndarray
    pattern: np.ndarray
    pattern_names: list[str]
    campaign: np.ndarray
    campaign_ids: list[str]


def per_pattern(ranking: Ranking, cuts: list[Cut], pos: Positives,
                patterns: list[str]) -> dict[str, Any]:
    """For each pattern: its orders, its recall at each budget, its AP against all legitimate
    orders (the other patterns' orders are left out, not counted as negatives)."""
    k = len(pos.pattern_names)
    counts = np.bincount(pos.pattern, minlength=k)
    flagged = [np.bincount(pos.pattern, weights=c.weights(pos.scores), minlength=k) for c in cuts]
    code = {name: i for i, name in enumerate(pos.pattern_names)}
    out = {}
    for name in patterns:
        i = code.get(name)
        n = int(counts[i]) if i is not None else 0
        entry: dict[str, Any] = {"n_orders": n}
        absent = undefined("no orders of this pattern")
        for cut, f in zip(cuts, flagged, strict=True):
            entry[f"recall_at_{budget_label(cut.budget)}"] = (
                number(float(f[i]) / n) if n else absent)
        ap = ranking.average_precision(pos.scores[pos.pattern == i]) if n else None
        entry["average_precision"] = ap if ap is not None else absent
        out[name] = entry
    return out


def per_camouflage(cut: Cut, pos: Positives, campaign_level: np.ndarray,
                   levels: list[float]) -> dict[str, Any]:
    """Recall at ``cut`` for each camouflage level (of the orders' campaigns).

    ``campaign_level`` gives each campaign code's level (NaN when unknown); ``levels`` lists
    every level to report, including those of campaigns without orders here. Orders without a
    campaign or a known level are grouped as ``UNSPECIFIED`` (reported only when there are any).
    """
    label = budget_label(cut.budget)
    key_of = [UNSPECIFIED if np.isnan(v) else level_key(v) for v in campaign_level]
    reported = {level_key(v): float(v) for v in sorted(v for v in levels if not np.isnan(v))}
    names = [*reported, *sorted(set(key_of) - set(reported) - {UNSPECIFIED}), UNSPECIFIED]
    index = {name: i for i, name in enumerate(names)}
    # Campaign code -> level code; the extra last entry is for orders without a campaign.
    lut = np.array([index[k] for k in key_of] + [index[UNSPECIFIED]], dtype=np.int64)
    group = lut[np.where(pos.campaign >= 0, pos.campaign, len(key_of))]
    m = len(names)
    counts = np.bincount(group, minlength=m)
    flagged = np.bincount(group, weights=cut.weights(pos.scores), minlength=m)
    with_orders = np.unique(pos.campaign[pos.campaign >= 0])
    campaigns_at = np.bincount(lut[with_orders], minlength=m)
    out = {}
    for g, name in enumerate(names):
        if name not in reported and not counts[g]:
            continue
        entry: dict[str, Any] = {"camouflage": reported[name]} if name in reported else {}
        entry["n_orders"] = int(counts[g])
        entry["n_campaigns"] = int(campaigns_at[g])
        entry[f"recall_at_{label}"] = ratio(flagged[g], counts[g],
                                            "no orders at this camouflage level")
        out[name] = entry
    return out


def false_alarms(cut: Cut, totals: dict[str, int], flagged: dict[str, float],
                 kinds: list[str]) -> dict[str, Any]:
    """For each legitimate kind: its orders, how many are expected inside ``cut``, and the rate.

    ``totals`` and ``flagged`` hold the legitimate orders of each kind and their expected number
    inside the budget; ``"all"`` is added for all legitimate orders together (the sum of the
    kinds', in the order of ``flagged``).
    """
    label = budget_label(cut.budget)
    out = {}
    for kind in [*kinds, "all"]:
        if kind == "all":
            n, f = sum(totals.values()), sum(flagged.values())
            reason = "no legitimate orders"
        else:
            n, f = totals.get(kind, 0), flagged.get(kind, 0.0)
            reason = "no orders of this kind"
        out[kind] = {"n_orders": int(n), f"flagged_at_{label}": number(f),
                     f"rate_at_{label}": ratio(f, n, reason)}
    return out


def campaigns_caught(cut: Cut, pos: Positives, patterns: list[str],
                     without_orders: int | None) -> dict[str, Any]:
    """Campaigns with at least one order inside ``cut`` (expected value over tie-breaks), overall
    and per pattern. A campaign counts when it has orders here; ``without_orders`` (from the
    campaigns table, when given) says how many had none."""
    label = budget_label(cut.budget)
    has = pos.campaign >= 0
    c = pos.campaign[has]
    s = pos.scores[has]
    m = len(pos.campaign_ids)
    above = np.bincount(c, weights=s > cut.threshold, minlength=m)
    tied = np.bincount(c, weights=s == cut.threshold, minlength=m)
    n_orders = np.bincount(c, minlength=m)
    present = n_orders > 0
    caught = cut.hit_probability(above, tied)[present]
    # A campaign's pattern is that of its orders (they all agree).
    pattern_of = np.zeros(m, dtype=np.int64)
    pattern_of[c] = pos.pattern[has]
    pattern_of = pattern_of[present]
    none = "no campaign has orders here"
    out: dict[str, Any] = {"n_campaigns": int(present.sum()),
                 f"caught_at_{label}": number(caught.sum()),
                 f"recall_at_{label}": ratio(caught.sum(), present.sum(), none)}
    if without_orders is not None:
        out["n_campaigns_without_orders"] = int(without_orders)
    code = {name: i for i, name in enumerate(pos.pattern_names)}
    per = {}
    for name in patterns:
        mine = pattern_of == code.get(name, -1)
        total = int(mine.sum())
        per[name] = {"n_campaigns": total, f"caught_at_{label}": number(caught[mine].sum()),
                     f"recall_at_{label}": ratio(caught[mine].sum(), total,
                                                 "no campaign of this pattern has orders here")}
    out["per_pattern"] = per
    return out
