"""Text for a terminal: a grade (:func:`render_grade`) and an explanation
(:func:`render_explanation`)."""

from __future__ import annotations

from typing import Any

from ..metrics import is_undefined
from .explain import GROUPS

__all__ = ["render_explanation", "render_grade"]

_FORMS = {"flagged": "flagged orders", "scores": "order scores", "shops": "shops and buyers"}
_SCORE = {"f1": "F1", "average_precision": "average precision", "pair_f1": "F1 over (shop, "
          "buyer) pairs", "shop_f1": "F1 over the brushing shops",
          "buyer_f1": "F1 over the brushing buyers"}


def _v(value: Any, fmt: str = ".3f") -> str:
    if is_undefined(value):
        return "n/a"
    return format(value, fmt)


def _metrics_line(result: dict[str, Any]) -> str:
    m = result["metrics"]
    if result["form"] == "flagged":
        line = (f"precision {_v(m['precision'])}  recall {_v(m['recall'])}  "
                f"({m['true_positives']:,} right, {m['false_positives']:,} false alarms, "
                f"{m['false_negatives']:,} missed)")
        if "average_precision" in m:
            line += f"  average precision {_v(m['average_precision'])}"
        return line
    if result["form"] == "scores":
        return (f"ROC-AUC {_v(m['roc_auc'])}  precision in the top {m['top_k']:,} "
                f"{_v(m['precision_at_top_k'])}")
    parts = []
    if "pair_precision" in m:
        parts.append(f"pair precision {_v(m['pair_precision'])}  recall {_v(m['pair_recall'])}")
    for section in ("shops", "buyers"):
        if section in m:
            parts.append(f"{section} F1 {_v(m[section]['f1'])}"
                         + ("" if "pair_precision" in m else
                            f" (precision {_v(m[section]['precision'])}, recall "
                            f"{_v(m[section]['recall'])})"))
    if "scl2020_weighted_accuracy" in m:
        parts.append(f"Shopee 2020 score {_v(m['scl2020_weighted_accuracy'])}")
    return "  ".join(parts)


def render_grade(result: dict[str, Any]) -> str:
    """A grade as a few lines of text."""
    unit = result["unit"] if result["unit"] in ("pairs", "shops", "buyers") else "orders"
    who = f" (student {result['student']})" if result.get("student") else ""
    out = [f"{result['submission']}{who}: {result['read_as']}"]
    if result.get("ignored_columns"):
        out.append(f"  ignored column(s): {', '.join(result['ignored_columns'])}")
    out.append(f"  score  {_v(result['score'])}  ({_SCORE[result['score_name']]}; base rate "
               f"{_v(result['base_rate'])})")
    out.append(f"  {_metrics_line(result)}")
    scope = " in the top k" if result["form"] == "scores" else ""
    missing = result.get("not_available") or {}
    width = max([len(p) for p in result.get("per_pattern") or {}] + [8])
    if result.get("per_pattern") is None:
        out.append(f"  per pattern: not available: {missing.get('per_pattern', 'none given')}")
    else:
        out.append(f"  per pattern ({unit} found{scope}):")
        for name, entry in result["per_pattern"].items():
            out.append(f"    {name:<{width}}  {entry['found']:>8,.0f} of {entry['n']:<7,} "
                       f"recall {_v(entry['recall'])}")
    if result.get("campaigns") is None:
        out.append(f"  campaigns: not available: {missing.get('campaigns', 'none given')}")
    else:
        missed = [c for c in result["campaigns"] if c["missed"]]
        if missed:
            out.append("  missed campaigns (nothing of them found):")
            out += [f"    {c['campaign_id']} ({c['pattern'] or 'pattern not given'}"
                    + (f", camouflage {c['camouflage']:g}" if c["camouflage"] is not None
                       else "") + f", {c['n']:,} {unit})" for c in missed]
        else:
            out.append("  missed campaigns: none (something of every campaign was found)")
    if result.get("false_alarms") is None:
        out.append(f"  false alarms: not available: {missing.get('false_alarms', 'none given')}")
    else:
        alarms = [(k, e) for k, e in result["false_alarms"].items()
                  if k != "all" and e["flagged"]]
        total = result["false_alarms"]["all"]
        out.append(f"  false alarms: {total['flagged']:,.0f} of {total['n']:,} legitimate "
                   f"{unit}" + (":" if alarms else ""))
        for kind, entry in alarms:
            rate = "" if is_undefined(entry["rate"]) else f" ({entry['rate']:.1%})"
            out.append(f"    {kind:<{width}}  {entry['flagged']:>8,.0f} of "
                       f"{entry['n']:<7,}{rate}")
        if "false_alarms_per_kind" in missing:
            out.append(f"    per kind: not available: {missing['false_alarms_per_kind']}")
    for section in ("pairs", "shops", "buyers", "scl2020_weighted_accuracy", "orders_ungraded"):
        if section in missing:
            label = {"scl2020_weighted_accuracy": "Shopee 2020 score",
                     "orders_ungraded": "note"}.get(section, section)
            out.append(f"  {label}: " + ("" if section == "orders_ungraded"
                                         else "not available: ") + missing[section])
    return "\n".join(out)


_HEADINGS = {
    "gives_away": "traces that give it away",
    "explained": "unusual, but explained by its kind of traffic",
    "other_unusual": "other unusual traces",
    "hidden": "traces its pattern can leave that this order does not show",
    "usual": "within the usual range",
    "context": "context",
}


def render_explanation(e: dict[str, Any], *, show_usual: bool = True) -> str:
    """An explanation as text: the verdict, then the traces by group."""
    o = e["order"]
    out = [f"order {o['order_id']}  {o['created_at']}  shop {o['shop_id']}  buyer "
           f"{o['buyer_id']}  item {o['item_id']}  x{o['quantity']}  {o['status']}"]
    v = e["verdict"]
    if not v["known"]:
        out.append("verdict: unknown without the answer key (pass --key); traces only")
    elif v["brushing"]:
        c = v.get("campaign") or {}
        line = (f"verdict: BRUSHING, pattern {v['pattern']}, campaign {v['campaign_id']}")
        if c:
            line += (f" (camouflage {c['camouflage']:g}, {c['orders']:,} orders, "
                     f"{c['start']} to {c['end']})")
        out.append(line)
        if v.get("beneficiary_shop_id") is not None:
            out.append(f"  beneficiary shop {v['beneficiary_shop_id']}")
        if v.get("victim_shop_id") is not None:
            out.append(f"  victim shop {v['victim_shop_id']} (framed: the orders are on it, "
                       "but it did not place them)")
    else:
        out.append(f"verdict: legitimate ({v['legit_kind']})")
    for role in v.get("roles", []):
        out.append(f"  its {role['entity_type']} {role['entity_id']} is a {role['role']} of "
                   f"{role['campaign_id']}")
    traces = {t["name"]: t for t in e["traces"]}
    width = max(len(t["title"]) for t in e["traces"])
    for group in GROUPS:
        names = e.get(group, [])
        if not names:
            continue
        if group == "usual" and not show_usual:
            out.append(f"{_HEADINGS[group]}: "
                       f"{', '.join(traces[n]['title'] for n in names)} (--all shows them)")
            continue
        heading = "unusual traces" if group == "other_unusual" and not v["known"] \
            else _HEADINGS[group]
        out.append(f"{heading}:")
        for name in names:
            t = traces[name]
            typical = f"   [usual: {t['typical']}]" if t["typical"] else ""
            out.append(f"  {t['title']:<{width}}  {t['text']}{typical}")
    return "\n".join(out)
