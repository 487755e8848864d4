"""Scenarios with fraud, built in Python (tests/patterns helpers)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from brushbench import patterns
from brushbench.scenario.distributions import Dist
from brushbench.scenario.model import (
    BulkBuyers, FlashSale, Marketplace, Promotion, Redirect, Scenario, Seconds, Traffic, Window,
)

DAY = dt.datetime(2019, 11, 11)


def base_scenario(**overrides) -> Scenario:
    """A Double 11 day with every legitimate source, about 20,000 orders, no fraud."""
    base = Scenario(
        name="fraud_base",
        window=Window(start=DAY, duration=Seconds(86400), timezone="Asia/Shanghai"),
        marketplace=Marketplace(shops=300, buyers=8000, distributors=20),
        traffic=Traffic(orders=20000, promotions=(Promotion(start=DAY),)),
        flash_sales=(FlashSale(at=DAY.replace(hour=12), shop_rank=2, stock=600),),
        redirects=(Redirect(at=DAY.replace(hour=9), shop_rank=3, orders=400),),
        bulk_buyers=BulkBuyers(accounts=10, orders=60),
    )
    return dataclasses.replace(base, **overrides)


def campaign(pattern: str, **keys):
    """A campaign of a registered pattern with the given common keys."""
    return patterns.get(pattern).Spec(**keys)


def average_precision(score: np.ndarray, truth: np.ndarray) -> float:
    """AP with tied scores ranked as a group (a constant score gives the base rate)."""
    score = np.asarray(score, dtype=float)
    truth = np.asarray(truth, dtype=bool)
    order = np.argsort(-score, kind="stable")
    s, t = score[order], truth[order]
    # Precision at the end of each tie group, credited to every positive in the group.
    ends = np.r_[np.flatnonzero(np.diff(s) != 0), len(s) - 1]
    tp = np.cumsum(t)[ends]
    group_pos = np.diff(np.r_[0, tp])
    precision = tp / (ends + 1)
    return float((group_pos * precision).sum() / max(t.sum(), 1))


__all__ = ["DAY", "Dist", "average_precision", "base_scenario", "campaign"]
