"""The fitted scenario as YAML: the keys fitted, and a header saying from what and how close.

Only the keys the fit sets are written; every other key keeps the language's default. Planned
legitimate events the log cannot be told apart from (bulk buyers) are switched off, flash
sales and redirects are left out, and there is no fraud: campaigns are added by a scenario
that ``extends:`` this file.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import yaml

from .estimate import Estimate
from .repeats import DEFAULT_ORDERS_PER_REGULAR

__all__ = ["scenario_dict", "scenario_text", "slug"]

#: A weight law for the one fitted category (a log has no weights; the language's "beauty").
_WEIGHT = {"dist": "lognorm", "s": 0.5, "scale": 400}
#: Shape of the quick returns' delay law (the language's default; the fit sets its scale).
BURST_DELAY_SHAPE = 1.5


def slug(text: str) -> str:
    """A scenario name from a file name: letters, digits, '_' and '-'."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:60] or "fitted"


def _duration(seconds: int) -> str:
    return f"{seconds // 86400}d" if seconds % 86400 == 0 else f"{seconds // 3600}h"


def scenario_dict(est: Estimate, name: str, source_line: str, seed: int) -> dict[str, Any]:
    """The scenario's keys as plain YAML values."""
    start = datetime.fromtimestamp(est.rhythm.start_local, tz=timezone.utc).replace(tzinfo=None)
    market: dict[str, Any] = {
        "shops": int(est.shops.n),
        "buyers": int(est.buyers.n),
        "shop_popularity": est.shops.spec(),
        "buyer_activity": est.buyers.spec(),
    }
    traffic: dict[str, Any] = {
        "orders": int(est.orders),
        "hour_profile": [round(float(x), 3) for x in est.rhythm.hour_profile],
        "day_trend": [round(float(x), 4) for x in est.rhythm.day_trend],
        "repeat_share": round(float(est.repeat_share), 4),
        "burstiness": round(float(est.burstiness), 3),
    }
    # Keys the log gives no sign of stay unset (the defaults: no quick returns, no crowd).
    if est.orders_per_regular != DEFAULT_ORDERS_PER_REGULAR:
        traffic["orders_per_regular"] = round(float(est.orders_per_regular), 3)
    if round(float(est.burst_share), 4) > 0:
        traffic["repeat_bursts"] = {
            "share": round(float(est.burst_share), 4),
            "delay": {"dist": "lognorm", "s": BURST_DELAY_SHAPE,
                      "scale": round(float(est.burst_delay), 1)}}
    if round(float(est.burst_crowd), 2) > 0:
        traffic["burst_crowd"] = round(float(est.burst_crowd), 2)
    if "items_per_shop" in est.extra:
        market["items_per_shop"] = est.extra["items_per_shop"]
    if "price" in est.extra:
        market["categories"] = {"fitted": {"share": 1.0, "weight_g": dict(_WEIGHT),
                                           "price": est.extra["price"]}}
    if "quantity" in est.extra:
        traffic["quantity"] = est.extra["quantity"]
    return {
        "name": name,
        "description": f"Legitimate traffic fitted by brushbench fit to {source_line}",
        "sources": [f"brushbench fit: {source_line}"],
        "seed": int(seed),
        "window": {"start": start.strftime("%Y-%m-%dT%H:%M:%S"),
                   "duration": _duration(est.rhythm.duration), "timezone": est.timezone},
        "marketplace": market,
        "traffic": traffic,
        # The log's bulk orders are already in the fitted organic traffic.
        "bulk_buyers": {"accounts": 0, "orders": 0},
    }


class _Dumper(yaml.SafeDumper):
    pass


def _flow_lists(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    # Profiles and trends on one line each, as the bundled scenarios write them.
    flow = all(isinstance(x, int | float) for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _flow_laws(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = "dist" in data
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=flow)


_Dumper.add_representer(list, _flow_lists)
_Dumper.add_representer(dict, _flow_laws)


def scenario_text(doc: dict[str, Any], header: list[str]) -> str:
    """The YAML file: ``header`` as comment lines, then the keys in the order given."""
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "".join(f"# {line}".rstrip() + "\n" for line in header) + body
