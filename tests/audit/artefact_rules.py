"""Artefact rules: a held-out detector made of issue 17's short rules, not of fraud behaviour.

Not a bundled baseline (``brushbench eval tests/audit/artefact_rules.py`` runs it like
any detector file): it exists to check the claim that careful rings stay under 0.9 AP
(README, leaderboard checks) against the generator shortcuts issue 17 found. Each rule is a
yes/no flag per order; ``fit`` learns each rule's precision on the training seed (smoothed
towards the base rate) and an order scores the noisy-or of the precisions of the rules it
fires, ``1 - prod(1 - precision)``, so a rule that is right every time it fires ranks its
orders first whatever the others say, and weak rules only break ties.

The rules
---------
``refund_before_delivery``
    a refunded order whose refund was asked for before its parcel was delivered (legitimate
    buyers of the generator never do);
``one_wallet_site``
    the order's address has two or more accounts, exactly one payment account, and all its
    orders at one shop;
``late_refund``
    a refunded order asked for at least ``delay`` days after it was placed, ``delay`` the
    training brushing refunds' 5% quantile when that rule is precise on the training seed,
    else 10 days (the issue's fixed settlement delay);
``default_channel``
    the order's channel is the one most brushing orders of the training seed use;
``shared_registration``
    the buyer's account was registered in the same second as 2 to 50 other accounts (larger
    piles are the legitimate age cap);
``rare_city``
    the buyer's city is among the least common cities that together hold 20% of accounts
    (rings spread uniformly over cities, buyers follow a Zipf law);
``flat_level``
    the buyer placed 3 or more orders yet has the lowest level among such accounts (a level
    without the activity bonus).

Scores are per order, in ``data.orders`` row order; vectorised, no loop per order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY = 86_400.0
#: Precision of each rule before ``fit`` (and the prior it is smoothed towards).
DEFAULTS = {"refund_before_delivery": 0.9, "one_wallet_site": 0.9, "late_refund": 0.5,
            "default_channel": 0.05, "shared_registration": 0.3, "rare_city": 0.05,
            "flat_level": 0.1}
#: Pseudo-orders of the base rate added to each rule's counts when its precision is learnt.
SMOOTHING = 5.0


def _seconds(times: pd.Series) -> np.ndarray:
    """Epoch seconds as float64, NaN where missing (any time zone)."""
    t = pd.to_datetime(times, utc=True)
    out = (t - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=np.float64)
    return out


def _first(table: pd.DataFrame, order_ids: np.ndarray, column: str) -> np.ndarray:
    """``table[column]`` of each order's first row, aligned to ``order_ids`` (NaN if none)."""
    first = table.drop_duplicates("order_id").set_index("order_id")[column]
    return _seconds(first.reindex(order_ids))


class ArtefactRules:
    """Score orders by the generator shortcuts of issue 17 (see the module docstring)."""

    def __init__(self) -> None:
        self.precision = dict(DEFAULTS)
        self.delay = 10.0
        self.channel = "search"

    # -- the flags ------------------------------------------------------------------------------
    def flags(self, data) -> pd.DataFrame:
        """One boolean column per rule, one row per order of ``data.orders``."""
        orders = data.orders
        ids = orders["order_id"].to_numpy()
        refunded = (orders["status"] == "refunded").to_numpy()
        created = _seconds(orders["created_at"])
        requested = _first(data.refunds, ids, "requested_at")
        delivered = _first(data.shipments, ids, "delivered_at")
        delay = (requested - created) / DAY
        with np.errstate(invalid="ignore"):
            out = {
                "refund_before_delivery": refunded & (requested < delivered),
                "one_wallet_site": self._one_wallet_site(orders),
                "late_refund": refunded & (delay >= self.delay),
                "default_channel": (orders["channel"] == self.channel).to_numpy(),
            }
        out.update(self._account_flags(data))
        return pd.DataFrame(out)

    @staticmethod
    def _one_wallet_site(orders: pd.DataFrame) -> np.ndarray:
        per = orders.groupby("address_id").agg(
            accounts=("buyer_id", "nunique"), wallets=("payment_account_id", "nunique"),
            shops=("shop_id", "nunique"))
        site = (per["accounts"] >= 2) & (per["wallets"] == 1) & (per["shops"] == 1)
        return orders["address_id"].map(site).fillna(False).to_numpy(dtype=bool)

    @staticmethod
    def _account_flags(data) -> dict[str, np.ndarray]:
        orders, buyers = data.orders, data.buyers
        registered = buyers["registered_at"]
        shared = registered.map(registered.value_counts()).to_numpy()
        city_share = buyers["city"].map(buyers["city"].value_counts(normalize=True))
        ranked = city_share.sort_values(kind="stable")
        rare = pd.Series(ranked.cumsum().to_numpy() <= 0.2, index=ranked.index).reindex(
            buyers.index).to_numpy()
        n_orders = buyers["buyer_id"].map(orders["buyer_id"].value_counts()).fillna(0)
        busy = (n_orders >= 3).to_numpy()
        level = buyers["level"].to_numpy()
        lowest = level[busy].min() if busy.any() else -1
        per_buyer = pd.DataFrame({
            "shared_registration": (shared >= 3) & (shared <= 51),
            "rare_city": rare,
            "flat_level": busy & (level <= lowest),
        }, index=buyers["buyer_id"].to_numpy())
        at = per_buyer.reindex(orders["buyer_id"].to_numpy()).fillna(False)
        return {c: at[c].to_numpy(dtype=bool) for c in per_buyer.columns}

    # -- the detector ---------------------------------------------------------------------------
    def fit(self, train) -> ArtefactRules:
        """Learn the default channel, the refund delay and each rule's precision."""
        labels = train.labels.set_index("order_id").reindex(train.orders["order_id"])
        y = labels["is_brushing"].fillna(False).to_numpy(dtype=bool)
        base = float(y.mean()) if len(y) else 0.0
        if y.any():
            self.channel = str(train.orders["channel"][y].mode().iloc[0])
            orders = train.orders
            refunded = (orders["status"] == "refunded").to_numpy()
            ids = orders["order_id"].to_numpy()
            delay = (_first(train.refunds, ids, "requested_at")
                     - _seconds(orders["created_at"])) / DAY
            fraud = delay[refunded & y]
            if len(fraud):
                learnt = float(np.quantile(fraud, 0.05))
                legit = delay[refunded & ~y]
                precise = np.sum(fraud >= learnt) > 2 * np.sum(legit >= learnt)
                self.delay = learnt if precise else 10.0
        flags = self.flags(train)
        for rule in flags.columns:
            fired = flags[rule].to_numpy()
            hits = float(np.sum(fired & y))
            self.precision[rule] = (hits + SMOOTHING * base) / (fired.sum() + SMOOTHING)
        return self

    def score(self, data) -> np.ndarray:
        """Noisy-or of the precisions of the rules each order fires; higher = more suspicious."""
        flags = self.flags(data)
        keep = np.ones(len(flags))
        for rule in flags.columns:
            p = min(max(self.precision[rule], 0.0), 0.999)
            keep *= np.where(flags[rule].to_numpy(), 1.0 - p, 1.0)
        return 1.0 - keep

