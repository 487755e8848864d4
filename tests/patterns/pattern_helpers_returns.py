"""Helpers of the post_promo_return, supplier_buyback and competitor_framing tests."""

from __future__ import annotations

import pandas as pd

from brushbench.generator.plan import make_plan

from fraud_fixtures import DAY, Dist, average_precision, base_scenario, campaign

#: The base scenario's promotion (and window) runs over DAY: it ends at the next midnight.
PROMO_END = pd.Timestamp(DAY, tz="Asia/Shanghai") + pd.Timedelta(days=1)


def joined(data, *tables: str) -> pd.DataFrame:
    """Orders with their labels and, left-joined, the named after-sale tables."""
    out = data.orders.merge(data.labels, on="order_id")
    for name in tables:
        out = out.merge(getattr(data, name), on="order_id", how="left",
                        suffixes=("", f"_{name}"))
    return out


def hours(delta):
    """A time difference (a Series or one value) in hours."""
    return (delta.dt.total_seconds() if isinstance(delta, pd.Series)
            else delta.total_seconds()) / 3600


def entities(data, role: str, entity_type: str = "account") -> set:
    ent = data.entity_labels
    return set(ent.entity_id[(ent.role == role) & (ent.entity_type == entity_type)])


def check_answer_key(data, pattern: str) -> None:
    """Labels, entity labels and the campaigns table agree with each other and with the log."""
    lab = data.labels
    fraud = lab[lab.is_brushing]
    assert len(fraud) > 0 and (fraud.pattern == pattern).all()
    table = data.campaigns.set_index("campaign_id")
    assert fraud.groupby("campaign_id").size().reindex(table.index, fill_value=0).tolist() \
        == table.orders.tolist()
    ent = data.entity_labels
    assert set(ent.entity_id[ent.entity_type == "account"]) <= set(data.buyers.buyer_id)
    assert set(ent.entity_id[ent.entity_type == "device"]) <= set(data.orders.device_id)
    # Every account that placed a brushing order is labelled.
    ordered = set(data.orders.buyer_id[lab.is_brushing.to_numpy()])
    assert ordered <= set(ent.entity_id[ent.entity_type == "account"])
    assert lab.is_brushing.mean() < 0.05  # a realistic share


def campaign_entities(scenario, seed: int) -> tuple:
    """The plan's first campaign's entities and the marketplace they live in (indices)."""
    plan = make_plan(scenario, seed)
    return plan.campaigns[0].entities, plan.market


__all__ = ["DAY", "PROMO_END", "Dist", "average_precision", "base_scenario", "campaign",
           "campaign_entities", "check_answer_key", "entities", "hours", "joined"]
