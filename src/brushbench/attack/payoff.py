"""Whether a campaign pays, and what it costs: read from the generated logs, with and without it.

The marketplace hands next hour's traffic to this hour's best sellers, so brushing buys a shop
legitimate orders it would not have had. Adding a campaign changes the legitimate orders of the
shops it brushes and of no other (:func:`brushbench.generator.counts.organic_counts`), and a
candidate differs from the baseline (the same scenario and seed without the campaign) by nothing
else (:mod:`.candidate`). So the campaign's payoff is exact, not estimated: its beneficiaries'
legitimate orders in the candidate's log minus theirs in the baseline's.

``rank_gain`` is how many places the beneficiary climbs in the window's sales ranking (every
order counted, fake ones too: that is what the marketplace ranks by), against the baseline's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Sales:
    """Orders per shop of a log: legitimate ones and all of them (what the ranking sees)."""

    legit: pd.Series
    total: pd.Series

    @classmethod
    def of(cls, orders: pd.DataFrame, labels: pd.DataFrame) -> Sales:
        brushing = set(labels.loc[labels["is_brushing"].to_numpy(dtype=bool), "order_id"])
        fake = orders["order_id"].isin(brushing).to_numpy()
        shop = orders["shop_id"]
        return cls(legit=shop[~fake].value_counts(), total=shop.value_counts())

    def rank(self, shop: int) -> int:
        """1 = the best-selling shop of the window (ties share the best place)."""
        mine = int(self.total.get(shop, 0))
        return int(np.count_nonzero(self.total.to_numpy() > mine)) + 1


@dataclass(frozen=True)
class Payoff:
    """What a campaign bought and what it cost.

    Attributes
    ----------
    extra_orders : int
        Legitimate orders its beneficiaries gained (summed over them), against the baseline.
    rank_gain : float
        Places climbed in the window's sales ranking, mean over the beneficiaries.
    rank_before, rank_after : float
        Their mean rank without and with the campaign.
    shops : tuple of int
        The beneficiaries' shop ids.
    orders : int
        Brushing orders the campaign placed.
    accounts : int
        Distinct accounts that placed them.
    hired_share : float
        Share of those accounts that also shop for real in the log (hired brushers, 刷手,
        rather than the ring's own accounts).
    """

    extra_orders: int
    rank_gain: float
    rank_before: float
    rank_after: float
    shops: tuple[int, ...]
    orders: int
    accounts: int
    hired_share: float

    def to_json(self) -> dict[str, Any]:
        return {"extra_orders": self.extra_orders, "rank_gain": self.rank_gain,
                "rank_before": self.rank_before, "rank_after": self.rank_after,
                "shops": list(self.shops), "orders": self.orders, "accounts": self.accounts,
                "hired_share": self.hired_share}


def payoff(orders: pd.DataFrame, labels: pd.DataFrame, campaign: str, baseline: Sales
           ) -> Payoff:
    """The payoff and cost of the campaign ``campaign`` of a candidate's log.

    Parameters
    ----------
    orders, labels
        The candidate's ``orders`` and ``labels`` tables.
    campaign : str
        The campaign's ``campaign_id``.
    baseline : Sales
        The baseline log's sales (:meth:`Sales.of`), computed once for the whole attack.
    """
    mine = labels["campaign_id"].to_numpy() == campaign
    ids = labels.loc[mine, "order_id"]
    rows = orders["order_id"].isin(ids).to_numpy()
    beneficiaries = labels.loc[mine, "beneficiary_shop_id"].dropna()
    shops = tuple(sorted(int(s) for s in beneficiaries.unique()))
    sales = Sales.of(orders, labels)
    extra = sum(int(sales.legit.get(s, 0)) - int(baseline.legit.get(s, 0)) for s in shops)
    before = [baseline.rank(s) for s in shops]
    after = [sales.rank(s) for s in shops]
    buyers = orders.loc[rows, "buyer_id"].unique()
    real = orders.loc[~orders["order_id"].isin(set(labels.loc[
        labels["is_brushing"].to_numpy(dtype=bool), "order_id"])), "buyer_id"]
    hired = np.isin(buyers, real.unique()).mean() if len(buyers) else 0.0
    return Payoff(
        extra_orders=int(extra),
        rank_gain=float(np.mean(before) - np.mean(after)) if shops else 0.0,
        rank_before=float(np.mean(before)) if shops else float("nan"),
        rank_after=float(np.mean(after)) if shops else float("nan"),
        shops=shops, orders=int(rows.sum()), accounts=len(buyers), hired_share=float(hired))


__all__ = ["Payoff", "Sales", "payoff"]
