"""The shortcut probe: can a small model find brushing without looking at behaviour?

A gradient-boosted model (scikit-learn's ``HistGradientBoostingClassifier``) is trained on one
dataset and scored on another (two seeds of a scenario), with only features that carry no
behaviour a real fraud would have to show: no ids, no counts of orders, no amounts, no times
of day, no sharing of devices or IPs between orders. What is left is how the generator writes
an order down:

==========================  ======================================================================
``channel``                  the order's channel (a default left in a draft)
``refund_reason``            a refunded order's reason
``requested_before_*``,      the order of two events across tables (1/0, missing where one is)
``review_before_delivered``
``<delay>``                  the delays of :data:`brushbench.audit.artefacts.DELAYS`, in days
``city_popularity``          log share of all accounts in the buyer's city
``level``                    the buyer's membership level
``shared_registration``      accounts registered in the same second as the buyer
``devices_per_account``,     distinct devices and payment accounts over the buyer's orders
``payments_per_account``
``one_wallet_site``          the address has >= 2 accounts, one payment account, one shop
==========================  ======================================================================

Its AP per pattern on the second dataset is a finding (family ``shortcut``) that fails above
``max_ap``; the features that carry it are measured by permutation importance (the AP lost
when one feature's column is shuffled on the test data) and named in the report's notes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from brushbench.dataset import Dataset
from brushbench.metrics.ranking import average_precision

from . import artefacts as a
from .report import Finding
from .stats import stream
from .view import OrderView

INSTALL = "pip install 'brushbench[ml]'"
#: Categorical features (strings, encoded with the training dataset's values).
CATEGORICAL = ("channel", "refund_reason")
#: Legitimate orders kept for training at most (all brushing orders are kept).
MAX_TRAIN_LEGIT = 200_000
#: Legitimate test orders the permutation importance is measured on (all brushing orders too):
#: enough to rank the features, without 20 predictions over a whole log.
MAX_IMPORTANCE_LEGIT = 20_000


class ShortcutUnavailable(RuntimeError):
    """scikit-learn is not installed."""


def _strings(view: OrderView, source: str, refunded_only: bool) -> np.ndarray:
    codes, dictionary = view.encoded(source)
    values = np.empty(len(dictionary) + 1, dtype=object)  # the last one (None) for code -1
    values[:-1] = dictionary.to_pylist()
    out = values[codes]
    if refunded_only:
        out = np.where(a._refunded(view), out, None)
    return out


def features(data: Dataset) -> pd.DataFrame:
    """The probe's features, one row per order of ``data.orders`` (NaN/None = missing)."""
    view = OrderView(data)
    cols: dict[str, np.ndarray] = {
        "channel": _strings(view, "orders.channel", False),
        "refund_reason": _strings(view, "refunds.reason", True),
    }
    for name, first, second, refunded, _ in a.ORDERINGS:
        cols[name] = a._before(view, first, second, refunded)
    for name, start, end, refunded in a.DELAYS:
        cols[name] = a._delay(view, start, end, refunded)
    level, null = view.ints("buyers.level")
    cols["city_popularity"] = a._city_popularity(view)
    cols["level"] = np.where(null, np.nan, level.astype(np.float64))
    cols["shared_registration"] = a._shared_registration(view)
    cols["devices_per_account"] = a._distinct_per(view, "orders.buyer_id", "orders.device_id")
    cols["payments_per_account"] = a._distinct_per(view, "orders.buyer_id",
                                                   "orders.payment_account_id")
    cols["one_wallet_site"] = a._one_wallet_site(view)
    return pd.DataFrame(cols)


def _encode(frame: pd.DataFrame, vocab: dict[str, list[str]]) -> np.ndarray:
    """Float matrix: categorical columns as their index in ``vocab`` (NaN if unseen)."""
    out = frame.copy()
    for col in CATEGORICAL:
        index = {v: i for i, v in enumerate(vocab[col])}
        out[col] = out[col].map(index).astype(np.float64)
    return out.to_numpy(dtype=np.float64)


def _labels(data: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Per order of ``data.orders``: brushing, and its pattern ("" for legitimate)."""
    labels = data.labels.set_index("order_id").reindex(data.orders["order_id"])
    brushing = labels["is_brushing"].fillna(False).to_numpy(dtype=bool)
    pattern = labels["pattern"].fillna("").to_numpy(dtype=object)
    return brushing, np.where(brushing, pattern, "")


def shortcut_findings(train: Dataset, test: Dataset, *, max_ap: float = 0.5, seed: int = 0,
                      top: int = 3) -> tuple[list[Finding], list[str]]:
    """Train the shortcut model on ``train``, score ``test``: findings per pattern and notes.

    Parameters
    ----------
    train, test : Dataset
        Two datasets with their answer keys (two seeds of a scenario).
    max_ap : float
        AP on a pattern above which the shortcut is a finding that fails.
    seed : int
        Seed of the model, the training subsample and the importance shuffles.
    top : int
        Features named per pattern in the notes.

    Raises
    ------
    ShortcutUnavailable
        scikit-learn is not installed.
    """
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]
    except ImportError:
        raise ShortcutUnavailable(f"the shortcut probe needs scikit-learn: {INSTALL}") from None
    # One OpenMP thread: the model is small, and spinning threads on a machine whose cores are
    # busy (the audit's own probe threads, other jobs) cost several times the work itself.
    with threadpool_limits(1, user_api="openmp"):
        return _shortcut(HistGradientBoostingClassifier, train, test, max_ap, seed, top)


def _shortcut(model_class: Any, train: Dataset, test: Dataset, max_ap: float, seed: int,
              top: int) -> tuple[list[Finding], list[str]]:
    f_train, f_test = features(train), features(test)
    y_train, _ = _labels(train)
    y_test, p_test = _labels(test)
    if not y_train.any() or not y_test.any():
        return [], ["shortcut probe: no brushing orders to learn or to score"]
    vocab = {c: sorted(v for v in f_train[c].dropna().unique()) for c in CATEGORICAL}
    x_train, x_test = _encode(f_train, vocab), _encode(f_test, vocab)
    rng = stream(seed, "shortcut", "train")
    legit = np.flatnonzero(~y_train)
    if len(legit) > MAX_TRAIN_LEGIT:
        legit = rng.choice(legit, MAX_TRAIN_LEGIT, replace=False)
    rows = np.sort(np.concatenate([np.flatnonzero(y_train), legit]))
    cat = [list(f_train.columns).index(c) for c in CATEGORICAL]
    model = model_class(max_iter=60, learning_rate=0.15, max_leaf_nodes=15,
                                           categorical_features=cat, early_stopping=False,
                                           random_state=seed)
    model.fit(x_train[rows], y_train[rows])
    score = model.predict_proba(x_test)[:, 1]
    patterns = sorted(set(p_test[y_test].tolist()))
    subsets = {"all": np.ones(len(y_test), dtype=bool)} if len(patterns) > 1 else {}
    subsets.update({p: ~y_test | (p_test == p) for p in patterns})
    base_ap = {name: average_precision(y_test[s], score[s]) for name, s in subsets.items()}
    # Permutation importance: the AP each comparison loses when one column is shuffled, on
    # all brushing orders and a sample of the legitimate ones.
    shuffle = stream(seed, "shortcut", "importance")
    legit = np.flatnonzero(~y_test)
    if len(legit) > MAX_IMPORTANCE_LEGIT:
        legit = shuffle.choice(legit, MAX_IMPORTANCE_LEGIT, replace=False)
    sample = np.sort(np.concatenate([np.flatnonzero(y_test), legit]))
    xs, ys = x_test[sample], y_test[sample]
    sub = {name: s[sample] for name, s in subsets.items()}
    ref = model.predict_proba(xs)[:, 1]
    ref_ap = {name: average_precision(ys[s], ref[s]) or 0.0 for name, s in sub.items()}
    loss: dict[str, dict[str, float]] = {name: {} for name in subsets}
    for j, col in enumerate(f_train.columns):
        shuffled = xs.copy()
        shuffled[:, j] = xs[shuffle.permutation(len(xs)), j]
        s2 = model.predict_proba(shuffled)[:, 1]
        for name, s in sub.items():
            loss[name][col] = ref_ap[name] - (average_precision(ys[s], s2[s]) or 0.0)
    findings, notes = [], []
    for name, s in subsets.items():
        ap = base_ap[name]
        if ap is None:
            continue
        ranked = sorted(loss[name].items(), key=lambda kv: -kv[1])
        positives = int(y_test[s].sum())
        rate = positives / int(s.sum())
        findings.append(Finding(
            probe="shortcut", column=ranked[0][0], family="shortcut", pattern=name, ap=ap,
            base_rate=rate, null_mean=rate, null_std=0.0, threshold=max_ap,
            passed=bool(ap <= max_ap), direction="gbdt", unit="order", n_units=int(s.sum()),
            n_positive=positives))
        carried = ", ".join(f"{c} {v:+.3f}" for c, v in ranked[:top])
        notes.append(f"shortcut model on {name}: AP {ap:.3f} (fails above {max_ap}); "
                     f"AP lost when shuffled: {carried}")
    return findings, notes
