"""Supervised reference: gradient-boosted trees on engineered per-order features.

What it looks at
----------------
Everything a platform's risk team has on an order, turned into about sixty numbers per order
that are computed the same way on the training and the test log, from the observed tables only
(never from labels): the buyer's account age at the order and its history (orders, shops,
repeat orders at this shop and item, time since its previous order there), how many accounts
share the order's device, address, payment account and IP (and how close together those
accounts were registered), the distributor link's volume and refund rate, the parcel (weighed
weight against the item's catalogue weight, declared against weighed, same city as the
warehouse), the refund (whether, how soon, why), the review (rating, length, how many reviews
carry the same text), the order itself (quantity, price against list price, coupon, channel,
hour of day) and its shop's hour (share of the shop's orders in that hour, orders per buyer in
it, orders of the same item in the same minute). A scikit-learn
``HistGradientBoostingClassifier`` learns from the training seed's labels which combinations
mark brushing; the score is its predicted probability.

Where the idea comes from: gradient-boosted decision trees (Friedman, "Greedy function
approximation: a gradient boosting machine", Annals of Statistics 2001) in the histogram form of
LightGBM (Ke et al., NeurIPS 2017) that scikit-learn implements, the usual supervised model on
tabular transaction data, fed with the traces domain.md §5 lists for P1-P6 (empty parcels,
post-promotion refunds, shared devices, addresses and payment accounts, lockstep timing,
templated reviews, concentration on one distributor). It is the suite's supervised reference,
not a pattern-specific baseline: it shows how far the traces a pattern leaves go when labels
from the same scenario are available. ``l2_regularization`` defaults to 1 (XGBoost's default):
with a fraction of a percent of positives, unregularised Newton steps in leaves of near-certain
negatives blow up and the fit diverges.

What it is blind to
-------------------
What the training seed does not show: it learns the patterns, camouflage levels and hard
negatives of the scenario it was fitted on, and a pattern absent from training gets whatever
score its features happen to fall on. Each feature is about one order and its immediate groups
(buyer, device, shop-hour...), so structure spread over many weak links (a ring whose accounts
each share nothing) is only seen through those aggregates. Scores are probabilities from trees,
so many orders tie.

Needs scikit-learn (``pip install 'brushbench[ml]'``).

Speed (2-core reference machine, ``benchmarks/bench_baselines_models.py``, about 1.0M orders
of double11_phone_war_naive): features 4.6 s (about 220,000 orders per second); fit (features
and 200 boosting iterations) 21 s; score (features and prediction) 16 s, about 63,000 orders
per second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

try:
    from sklearn.ensemble import HistGradientBoostingClassifier
except ImportError:  # one line, not a chain of tracebacks: the fix is an install
    raise ImportError(
        "baselines/gbdt.py needs scikit-learn: pip install 'brushbench[ml]'") from None

PATTERNS = ()

#: Fixed vocabularies, so a category gets the same code on every dataset (unknown: missing).
CHANNELS = ("search", "recommend", "campaign", "affiliate", "share_link", "external")
STATUSES = ("completed", "refunded", "cancelled")
REASONS = ("no_reason", "cancelled", "quality", "not_as_described", "size_or_fit", "damaged",
           "not_received")
CATEGORICAL = ("channel", "status", "refund_reason")

_HOUR = 3600.0
_DAY = 86400.0


class GradientBoosting:
    """Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier) on order features.

    Parameters
    ----------
    max_iter : int, default 200
        Boosting iterations.
    learning_rate : float, default 0.1
    max_leaf_nodes : int, default 31
    min_samples_leaf : int, default 20
    l2_regularization : float, default 1.0
    random_state : int, default 0
        Seeds the model (binning subsample); the fit is deterministic.
    """

    def __init__(self, max_iter: int = 200, learning_rate: float = 0.1,
                 max_leaf_nodes: int = 31, min_samples_leaf: int = 20,
                 l2_regularization: float = 1.0, random_state: int = 0):
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def fit(self, train) -> GradientBoosting:
        """Learn from ``train.labels.is_brushing`` on the features of ``train``."""
        features = order_features(train)
        truth = train.labels.set_index("order_id")["is_brushing"]
        y = truth.reindex(train.orders["order_id"].to_numpy())
        if y.isna().any():
            raise ValueError(f"train.labels has no label for {int(y.isna().sum())} order(s)")
        y = y.to_numpy(dtype=bool)
        if y.all() or not y.any():
            raise ValueError("train.labels has a single class: nothing to learn from")
        self.model_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter, learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes, min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization, early_stopping=False,
            categorical_features=[name in CATEGORICAL for name in features.columns],
            random_state=self.random_state)
        self.model_.fit(features.to_numpy(), y)
        self.features_ = list(features.columns)
        return self

    def score(self, data) -> np.ndarray:
        """Predicted probability of brushing, one per row of ``data.orders``."""
        if not hasattr(self, "model_"):
            raise RuntimeError("GradientBoosting.score() needs fit(train) first")
        features = order_features(data)[self.features_].to_numpy()
        # Trees walk one row at a time: row-major is faster to predict from.
        return self.model_.predict_proba(np.ascontiguousarray(features))[:, 1]


def order_features(data) -> pd.DataFrame:
    """The feature frame of ``data.orders``: one row per order, in its row order.

    Uses only the observed tables (orders, shipments, refunds, reviews, buyers, shops, items).
    Missing values (no shipment, no refund, no review, no distributor) are NaN, which the trees
    route on their own.
    """
    orders = data.orders
    n = len(orders)
    t = _seconds(orders["created_at"])
    buyer = _codes(orders["buyer_id"])
    shop = _codes(orders["shop_id"])
    item = _codes(orders["item_id"])
    f: dict[str, np.ndarray] = {}

    # The order itself.
    quantity = orders["quantity"].to_numpy(dtype=float)
    unit_price = orders["unit_price"].to_numpy(dtype=float)
    paid = orders["paid_amount"].to_numpy(dtype=float)
    coupon = orders["coupon_amount"].to_numpy(dtype=float)
    items = data.items.set_index("item_id")
    list_price = _lookup(items["list_price"], orders["item_id"])
    item_weight = _lookup(items["weight_g"], orders["item_id"])
    f["quantity"] = quantity
    f["price_vs_list"] = unit_price / np.where(list_price > 0, list_price, np.nan)
    f["log_paid"] = np.log1p(np.maximum(paid, 0))
    f["coupon_share"] = coupon / np.maximum(paid + coupon, 1)
    f["channel"] = _category(orders["channel"], CHANNELS)
    f["status"] = _category(orders["status"], STATUSES)
    local = _seconds(orders["created_at"], local=True)
    f["hour_of_day"] = (local % _DAY) // _HOUR

    # The buyer: account and history.
    buyers = data.buyers.set_index("buyer_id")
    registered = _lookup(_seconds_series(buyers["registered_at"]), orders["buyer_id"])
    f["account_age_days"] = (t - registered) / _DAY
    f["buyer_level"] = _lookup(buyers["level"], orders["buyer_id"])
    f["buyer_orders"] = _count(buyer)
    f["buyer_shops"] = _distinct(buyer, shop)
    f["buyer_shop_orders"] = _count(_pair(buyer, shop))
    f["buyer_item_orders"] = _count(_pair(buyer, item))
    f["buyer_share_of_shop"] = f["buyer_shop_orders"] / _count(shop)
    f["buyer_gap_s"] = _gap_to_previous(buyer, t)
    f["buyer_shop_gap_s"] = _gap_to_previous(_pair(buyer, shop), t)

    # Identities shared between accounts.
    for column, short in (("device_id", "device"), ("address_id", "address"),
                          ("payment_account_id", "payment"), ("ip", "ip")):
        key = _codes(orders[column])
        f[f"{short}_buyers"] = _distinct(key, buyer)
        f[f"{short}_orders"] = _count(key)
        f[f"buyer_distinct_{short}"] = _distinct(buyer, key)
    device = _codes(orders["device_id"])
    # Accounts opened in one batch (a farm's sign-up run) sit close together in time.
    f["device_signup_spread_days"] = _spread(device, registered) / _DAY

    # The distribution link, if any.
    distributor = _codes(orders["distributor_id"])
    f["has_distributor"] = (distributor >= 0).astype(float)
    f["distributor_orders"] = _count(distributor)
    f["distributor_buyers"] = _distinct(distributor, buyer)
    f["distributor_shops"] = _distinct(distributor, shop)

    # The parcel.
    ship = _align(data.shipments, orders["order_id"])
    shipped, delivered = (_seconds_series(ship[c]).to_numpy() for c in ("shipped_at",
                                                                         "delivered_at"))
    weighed = _floats(ship["weighed_weight_g"])
    f["weight_vs_catalog"] = weighed / np.where(item_weight > 0, item_weight * quantity, np.nan)
    f["declared_vs_weighed"] = _floats(ship["declared_weight_g"]) / np.where(
        weighed > 0, weighed, np.nan)
    f["ship_delay_h"] = (shipped - t) / _HOUR
    f["delivery_h"] = (delivered - shipped) / _HOUR
    origin = ship["origin_city"].to_numpy(dtype=object)
    dest = ship["dest_city"].to_numpy(dtype=object)
    f["same_city_parcel"] = np.where(pd.isna(dest), np.nan, origin == dest).astype(float)
    shops = data.shops.set_index("shop_id")
    warehouse = _lookup(shops["warehouse_city"], orders["shop_id"], numeric=False)
    buyer_city = _lookup(buyers["city"], orders["buyer_id"], numeric=False)
    f["buyer_in_warehouse_city"] = np.where(pd.isna(buyer_city) | pd.isna(warehouse), np.nan,
                                            buyer_city == warehouse).astype(float)
    f["shop_rank_before"] = _lookup(shops["rank_before"], orders["shop_id"])

    # The refund.
    refund = _align(data.refunds, orders["order_id"])
    requested = _seconds_series(refund["requested_at"]).to_numpy()
    refunded = ~np.isnan(requested)
    f["refunded"] = refunded.astype(float)
    f["refund_delay_h"] = (requested - t) / _HOUR
    f["refund_processing_h"] = (_seconds_series(refund["refunded_at"]).to_numpy()
                                - requested) / _HOUR
    f["refund_reason"] = _category(refund["reason"], REASONS)
    f["refund_share"] = _floats(refund["amount"]) / np.maximum(paid, 1)
    f["buyer_refund_rate"] = _mean_by(buyer, refunded)
    f["shop_refund_rate"] = _mean_by(shop, refunded)
    f["distributor_refund_rate"] = np.where(distributor >= 0, _mean_by(distributor, refunded),
                                            np.nan)

    # The review.
    review = _align(data.reviews, orders["order_id"])
    text = review["text"]
    f["reviewed"] = text.notna().to_numpy(dtype=float)
    f["rating"] = _floats(review["rating"])
    f["review_length"] = _floats(text.str.len())
    f["review_delay_h"] = (_seconds_series(review["created_at"]).to_numpy() - t) / _HOUR
    # Templated reviews: the same text under many orders.
    f["review_text_repeats"] = np.where(text.notna(), _count(_codes(text)), np.nan)

    # The shop's hour and the item's minute.
    hour = (t // _HOUR).astype(np.int64)
    shop_hour = _pair(shop, hour)
    f["shop_orders"] = _count(shop)
    f["shop_hour_share"] = _count(shop_hour) / f["shop_orders"]
    f["shop_hour_orders_per_buyer"] = _count(shop_hour) / _distinct(shop_hour, buyer)
    f["hour_share_of_all"] = _count(shop_hour) / _count(hour)
    f["item_share_of_shop"] = _count(item) / f["shop_orders"]
    f["item_minute_orders"] = _count(_pair(item, (t // 60).astype(np.int64)))

    # Feature-major storage is what a DataFrame holds: filled once, never copied.
    matrix = np.empty((len(f), n))
    for i, values in enumerate(f.values()):
        matrix[i] = values
    return pd.DataFrame(matrix.T, columns=list(f), copy=False)


def _seconds(times: pd.Series, local: bool = False) -> np.ndarray:
    """Epoch seconds (float, NaN for missing); ``local`` uses the wall-clock time instead."""
    if local and times.dt.tz is not None:
        times = times.dt.tz_localize(None)
    return _seconds_series(times).to_numpy()


def _seconds_series(times: pd.Series) -> pd.Series:
    values = times.to_numpy(dtype="datetime64[s]")
    out = values.astype(np.int64).astype(np.float64)
    out[np.isnat(values)] = np.nan
    return pd.Series(out, index=times.index)


def _floats(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype=float, na_value=np.nan)


def _codes(values: pd.Series) -> np.ndarray:
    """Dense integer codes of a column, -1 for missing."""
    codes, _ = pd.factorize(values.to_numpy(), use_na_sentinel=True)
    return codes.astype(np.int64)


def _pair(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Codes of the pairs (a, b); -1 where either is missing."""
    known = (a >= 0) & (b >= 0)
    b = b - b[known].min(initial=0)
    codes = np.full(len(a), -1, dtype=np.int64)
    codes[known], _ = pd.factorize(a[known] * (int(b[known].max(initial=0)) + 1) + b[known])
    return codes


def _count(codes: np.ndarray) -> np.ndarray:
    """Rows sharing each row's code (NaN where the code is missing)."""
    known = codes >= 0
    counts = np.bincount(codes[known], minlength=int(codes.max(initial=-1)) + 1)
    out = np.full(len(codes), np.nan)
    out[known] = counts[codes[known]]
    return out


def _distinct(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distinct known values of ``b`` among the rows sharing each row's ``a``."""
    known = (a >= 0) & (b >= 0)
    width = int(b.max(initial=0)) + 1
    pairs = pd.unique(a[known] * width + b[known])
    per_a = np.bincount(pairs // width, minlength=int(a.max(initial=-1)) + 1)
    out = np.full(len(a), np.nan)
    out[a >= 0] = per_a[a[a >= 0]]
    return out


def _mean_by(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    known = codes >= 0
    size = int(codes.max(initial=-1)) + 1
    total = np.bincount(codes[known], weights=values[known].astype(float), minlength=size)
    count = np.bincount(codes[known], minlength=size)
    out = np.full(len(codes), np.nan)
    out[known] = total[codes[known]] / count[codes[known]]
    return out


def _spread(codes: np.ndarray, values: np.ndarray) -> np.ndarray:
    """max - min of ``values`` among the rows sharing each row's code (NaN: missing code)."""
    known = codes >= 0
    size = int(codes.max(initial=-1)) + 1
    high, low = np.full(size, -np.inf), np.full(size, np.inf)
    np.fmax.at(high, codes[known], values[known])
    np.fmin.at(low, codes[known], values[known])
    out = np.full(len(codes), np.nan)
    out[known] = (high - low)[codes[known]]
    out[~np.isfinite(out)] = np.nan
    return out


def _gap_to_previous(codes: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Seconds since the previous order with the same code (0 for orders placed in the same
    second as another; NaN for the first), whatever the row order."""
    order = np.lexsort((t, codes))
    c, ts = codes[order], t[order]
    same = c[1:] == c[:-1]
    gap = np.full(len(codes), np.nan)
    gap[1:][same] = np.diff(ts)[same]
    tied_with_next = np.zeros(len(codes), bool)
    tied_with_next[:-1] = same & (ts[1:] == ts[:-1])
    gap[tied_with_next] = 0.0
    out = np.empty(len(codes))
    out[order] = gap
    out[codes < 0] = np.nan
    return out


def _category(values: pd.Series, vocabulary: tuple[str, ...]) -> np.ndarray:
    codes = pd.Categorical(values.to_numpy(dtype=object), categories=vocabulary).codes
    return np.where(codes >= 0, codes, np.nan)


def _lookup(column: pd.Series, keys: pd.Series, numeric: bool = True) -> np.ndarray:
    """``column`` (indexed by id) at each key; NaN (or None) where the id is unknown."""
    values = column[~column.index.duplicated()].reindex(keys.to_numpy())
    if numeric:
        return values.to_numpy(dtype=float, na_value=np.nan)
    return values.to_numpy(dtype=object)


def _align(table: pd.DataFrame, order_ids: pd.Series) -> pd.DataFrame:
    """One row of ``table`` per order (its first row for that order; NaN rows where none)."""
    first = table.drop_duplicates("order_id").set_index("order_id")
    return first.reindex(order_ids.to_numpy()).reset_index(drop=True)
