"""Why an order is, or is not, brushing: the traces it left, against the marketplace's usual values.

For the review after a lab: :func:`explain_order` reads one order's traces from the whole log
(its parcel, the accounts sharing its device, address and payment account, its buyer's account
age, the orders around it, its refund and review, its place in the day) and compares each with
what is usual on the marketplace. With the answer key it also says what the order is (its
pattern, campaign, beneficiary and victim shop, or its kind of legitimate traffic) and which of
the traces are the ones that pattern leaves (its module's ``TRACES``), or which unusual ones
its legitimate kind explains (:data:`KIND_TRACES`).

"Usual" is read from the dataset itself: a count about an entity (accounts per device) is
compared with the same count over all entities of that kind, a figure about an order with the
same figure over all orders. A trace is *unusual* past the percentile given in :data:`TRACES`
(in the suspicious direction) and away from the median. Everything is computed a column at a
time over the whole log, then read at the order's row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import patterns
from ..dataset import Dataset

__all__ = ["GROUPS", "KIND_TRACES", "TRACES", "Trace", "explain_order",
           "pattern_traces"]

HOUR = 3600
#: Trace name -> (title, direction of suspicion, percentile past which it is unusual).
#: Direction "high": large values are suspicious, "low": small ones, None: informative only.
TRACES: dict[str, tuple[str, str | None, float]] = {
    "parcel": ("parcel weight", "low", 0.01),
    "device": ("shared device", "high", 0.99),
    "address": ("shared address", "high", 0.99),
    "payment": ("shared payment account", "high", 0.99),
    # Mobile networks put hundreds of users behind one address: context, not a signal.
    "ip": ("shared IP address", None, 0.99),
    "account_age": ("buyer's account age", "low", 0.05),
    "signup_batch": ("accounts opened with it", "high", 0.99),
    "repeat": ("same buyer, same shop, within the hour", "high", 0.99),
    "concentration": ("shop's orders per buyer that hour", "high", 0.99),
    "lockstep": ("same item within a minute", "high", 0.99),
    "quantity": ("units", "high", 0.99),
    "price": ("price paid vs list price", "low", 0.01),
    "refund": ("refund", "low", 0.05),
    "refund_timing": ("refund after the promotion", "low", 0.05),
    "refund_cluster": ("refunds at the shop within the hour", "high", 0.99),
    "review": ("review text", "high", 0.99),
    "distributor": ("distributor link", "high", 0.99),
    "timing": ("time of the order", None, 0.5),
    "destination": ("destination", None, 0.5),
}
#: How :func:`explain_order` sorts the traces: the pattern's own traces that stand out, the
#: unusual ones a legitimate kind accounts for, other unusual ones, the pattern's own traces
#: that this order does not show (camouflage hid them), the usual ones, and the context.
GROUPS = ("gives_away", "explained", "other_unusual", "hidden", "usual", "context")
#: The unusual traces a kind of legitimate traffic explains.
KIND_TRACES: dict[str, tuple[str, ...]] = {
    "flash_sale": ("lockstep", "concentration", "price", "repeat"),
    "split_order": ("repeat", "lockstep", "concentration", "price"),
    "bulk": ("quantity", "address", "payment", "price"),
    "household": ("device", "address", "payment", "ip"),
    "redirect": ("account_age", "signup_batch", "timing"),
    "organic": (),
}


def pattern_traces(name: str | None) -> tuple[str, ...]:
    """The traces the pattern ``name`` leaves, most telling first (none for legitimate orders)."""
    return patterns.get(name).traces if name else ()


@dataclass(frozen=True)
class Trace:
    """One trace of an order: what it shows, what is usual, and whether it stands out."""

    name: str
    title: str
    value: float | None
    text: str
    typical: str
    unusual: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- vectorised figures ----------------------------------------------------------------------------


def _seconds(data: Dataset, table: str, column: str) -> np.ndarray:
    """A timestamp column as float seconds since 1970 (NaN where null)."""
    col = data.arrow(table).column(column).cast(pa.int64())
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)


def _codes(values: Any) -> np.ndarray:
    return pd.factorize(pd.Series(values), use_na_sentinel=True)[0]


def _within(codes: np.ndarray, t: np.ndarray, width: float) -> np.ndarray:
    """For each row, the rows with the same code whose time is within ``width`` of its own."""
    n = len(codes)
    out = np.zeros(n, dtype=np.int64)
    ok = (codes >= 0) & np.isfinite(t)
    if not ok.any():
        return out
    tt = t[ok] - np.nanmin(t[ok])
    span = float(tt.max()) + 2 * width + 1
    key = codes[ok].astype(np.float64) * span + tt
    ordered = np.sort(key)
    out[ok] = (np.searchsorted(ordered, key + width, "right")
               - np.searchsorted(ordered, key - width, "left"))
    return out


def _accounts_per(orders: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Distinct buyers per value of ``column``: per order, and over the values."""
    per = orders.groupby(column)["buyer_id"].nunique()
    return orders[column].map(per).to_numpy(dtype=np.float64, na_value=np.nan), \
        per.to_numpy(dtype=np.float64)


def _q(values: np.ndarray, q: float) -> float:
    values = values[np.isfinite(values)]
    # "nearest": a value that occurs (3 accounts, not 2.27 of them).
    return float(np.quantile(values, q, method="nearest")) if len(values) else float("nan")


def _n(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 or abs(x) >= 100 else f"{x:,.2f}"


def _hours(seconds: float) -> str:
    if not np.isfinite(seconds):
        return "n/a"
    h = seconds / HOUR
    return f"{h / 24:.1f} days" if abs(h) >= 48 else f"{h:.1f} h" if abs(h) >= 1 \
        else f"{seconds / 60:.0f} min"


class _Log:
    """The whole log's per-order figures, computed once."""

    def __init__(self, data: Dataset):
        self.data = data
        o = data.orders
        self.orders = o
        self.t = _seconds(data, "orders", "created_at")
        self.index = pd.Index(o["order_id"].to_numpy())

    def at(self, values: pd.Series, fill: float = np.nan) -> np.ndarray:
        """``values`` (indexed by order_id) aligned with the orders."""
        return values.reindex(self.index).to_numpy(dtype=np.float64, na_value=fill) \
            if len(values) else np.full(len(self.index), fill)


def _unusual(value: float, pop: np.ndarray, direction: str | None, q: float) -> bool:
    if direction is None or not np.isfinite(value):
        return False
    median, cut = _q(pop, 0.5), _q(pop, q)
    if direction == "high":
        return bool(value > cut and value > median)
    return bool(value < cut and value < median)


# -- one function per trace: (log, row) -> Trace ---------------------------------------------------


def _parcel(log: _Log, row: int) -> Trace:
    s = log.data.shipments
    declared = log.at(s.set_index("order_id")["declared_weight_g"])
    weighed = log.at(s.set_index("order_id")["weighed_weight_g"])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = weighed / declared
    v = ratio[row]
    if not np.isfinite(v):
        return Trace("parcel", TRACES["parcel"][0], None, "no parcel (not shipped)",
                     f"{np.isfinite(ratio).mean():.0%} of orders are shipped", False)
    typical = (f"median {_q(ratio, 0.5):.0%} of declared; 1% of parcels weigh under "
               f"{_q(ratio, 0.01):.0%}")
    return Trace("parcel", TRACES["parcel"][0], float(v),
                 f"weighed {_n(weighed[row])} g for {_n(declared[row])} g declared ({v:.0%})",
                 typical, _unusual(v, ratio, "low", 0.01))


def _shared(name: str, column: str, noun: str) -> Callable[[_Log, int], Trace]:
    def trace(log: _Log, row: int) -> Trace:
        per_order, per_value = _accounts_per(log.orders, column)
        v = per_order[row]
        title, direction, q = TRACES[name]
        if not np.isfinite(v):
            return Trace(name, title, None, f"no {noun} recorded", "", False)
        weak = " (mobile networks share IPs widely: a weak signal)" if name == "ip" else ""
        return Trace(name, title, float(v), f"{_n(v)} account(s) on its {noun}{weak}",
                     f"median {_n(_q(per_value, 0.5))} per {noun}, 99% of them "
                     f"{_n(_q(per_value, q))} or fewer", _unusual(v, per_value, direction, q))
    return trace


def _account_age(log: _Log, row: int) -> Trace:
    b = log.data.buyers
    reg = pd.Series(_seconds(log.data, "buyers", "registered_at"), index=b["buyer_id"])
    age = log.t - reg.reindex(log.orders["buyer_id"]).to_numpy(dtype=np.float64)
    # Over buyers (age at their first order), so that a busy account counts once.
    pop = pd.Series(age).groupby(log.orders["buyer_id"].to_numpy()).min().to_numpy()
    v = age[row]
    return Trace("account_age", TRACES["account_age"][0], float(v) / 86400,
                 f"opened {_hours(v)} before the order",
                 f"median {_hours(_q(pop, 0.5))} over buyers; 5% of buyers are younger than "
                 f"{_hours(_q(pop, 0.05))} at their first order", _unusual(v, pop, "low", 0.05))


def _signup_batch(log: _Log, row: int) -> Trace:
    b = log.data.buyers
    reg = _seconds(log.data, "buyers", "registered_at")
    batch = pd.Series(_within(np.zeros(len(reg), dtype=np.int64), reg, 300),
                      index=b["buyer_id"])
    per_order = batch.reindex(log.orders["buyer_id"]).to_numpy(dtype=np.float64)
    v = per_order[row]
    return Trace("signup_batch", TRACES["signup_batch"][0], float(v),
                 f"{_n(v)} account(s) registered within 5 minutes of the buyer's",
                 f"median {_n(_q(batch.to_numpy(float), 0.5))}, 99% of accounts "
                 f"{_n(_q(batch.to_numpy(float), 0.99))} or fewer",
                 _unusual(v, batch.to_numpy(float), "high", 0.99))


def _repeat(log: _Log, row: int) -> Trace:
    o = log.orders
    codes = _codes(o["buyer_id"].astype(str) + "/" + o["shop_id"].astype(str))
    n = _within(codes, log.t, HOUR).astype(np.float64)
    pop = pd.Series(n).groupby(codes).max().to_numpy()  # over (buyer, shop) pairs
    v = n[row]
    return Trace("repeat", TRACES["repeat"][0], float(v),
                 f"{_n(v)} order(s) by its buyer at this shop within an hour of it",
                 f"median {_n(_q(pop, 0.5))} over (buyer, shop) pairs, 99% of pairs "
                 f"{_n(_q(pop, 0.99))} or fewer", _unusual(v, pop, "high", 0.99))


def _concentration(log: _Log, row: int) -> Trace:
    o = log.orders
    hour = np.floor(log.t / HOUR)
    frame = pd.DataFrame({"shop": o["shop_id"].to_numpy(), "hour": hour,
                          "buyer": o["buyer_id"].to_numpy()})
    g = frame.groupby(["shop", "hour"])["buyer"]
    stats = pd.DataFrame({"orders": g.size(), "buyers": g.nunique()})
    rate = stats["orders"] / stats["buyers"]
    key = (int(o["shop_id"].iloc[row]), hour[row])
    n_orders, n_buyers = stats.loc[key, "orders"], stats.loc[key, "buyers"]
    v = float(rate.loc[key])
    pop = rate.to_numpy(dtype=np.float64)
    return Trace("concentration", TRACES["concentration"][0], v,
                 f"the shop took {_n(n_orders)} order(s) from {_n(n_buyers)} buyer(s) in that "
                 f"clock hour (concentrate rate {v:.1f}; Shopee 2020 flagged 3 or more)",
                 f"median {_n(_q(pop, 0.5))} per shop-hour, 99% {_n(_q(pop, 0.99))} or less",
                 _unusual(v, pop, "high", 0.99))


def _lockstep(log: _Log, row: int) -> Trace:
    n = _within(_codes(log.orders["item_id"]), log.t, 60).astype(np.float64)
    v = n[row]
    return Trace("lockstep", TRACES["lockstep"][0], float(v),
                 f"{_n(v)} order(s) of the same item within a minute of it",
                 f"median {_n(_q(n, 0.5))}, 99% of orders {_n(_q(n, 0.99))} or fewer",
                 _unusual(v, n, "high", 0.99))


def _quantity(log: _Log, row: int) -> Trace:
    q = log.orders["quantity"].to_numpy(dtype=np.float64, na_value=np.nan)
    v = q[row]
    return Trace("quantity", TRACES["quantity"][0], float(v), f"{_n(v)} unit(s)",
                 f"median {_n(_q(q, 0.5))}, 99% of orders {_n(_q(q, 0.99))} or fewer",
                 _unusual(v, q, "high", 0.99))


def _price(log: _Log, row: int) -> Trace:
    items = log.data.items.set_index("item_id")["list_price"]
    listed = items.reindex(log.orders["item_id"]).to_numpy(dtype=np.float64)
    paid = log.orders["unit_price"].to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = paid / listed
    v = share[row]
    return Trace("price", TRACES["price"][0], float(v),
                 f"{_n(paid[row] / 100)} paid per unit, {v:.0%} of the list price "
                 f"{_n(listed[row] / 100)}",
                 f"median {_q(share, 0.5):.0%} of list; 1% of orders pay under "
                 f"{_q(share, 0.01):.0%}", _unusual(v, share, "low", 0.01))


def _promotion_ends(log: _Log) -> tuple[np.ndarray, str]:
    """Per order, the end of the promotion it was placed in (NaN outside any), from the
    manifest's calendar (a withheld dataset has one); without a calendar, the end of the log,
    which the generator also takes for a promotion's end when it knows of none."""
    manifest = log.data.manifest
    ends = np.full(len(log.t), np.nan)
    if "promotions" in manifest:
        for promo in manifest["promotions"]:
            start = dt.datetime.fromisoformat(promo["start"]).timestamp()
            end = dt.datetime.fromisoformat(promo["end"]).timestamp()
            ends[(log.t >= start) & (log.t < end)] = end
        return ends, "the promotion ended"
    if isinstance(manifest.get("window"), dict):
        ends[:] = float(manifest["window"]["end"])
    return ends, "the log ended"


def _requested(log: _Log) -> np.ndarray:
    r = log.data.refunds
    return log.at(pd.Series(_seconds(log.data, "refunds", "requested_at"), index=r["order_id"]))


def _refund(log: _Log, row: int) -> Trace:
    requested = _requested(log)
    delay = requested - log.t
    v = delay[row]
    title = TRACES["refund"][0]
    rate = np.isfinite(delay).mean()
    if not np.isfinite(v):
        return Trace("refund", title, None, "none", f"{rate:.1%} of orders are refunded",
                     False)
    reason = log.data.refunds.set_index("order_id")["reason"].get(
        int(log.orders["order_id"].iloc[row]))
    return Trace("refund", title, float(v) / HOUR,
                 f"requested {_hours(v)} after the order (reason: {reason})",
                 f"{rate:.1%} of orders are refunded, median {_hours(_q(delay, 0.5))} after "
                 f"the order; 5% within {_hours(_q(delay, 0.05))}",
                 _unusual(v, delay, "low", 0.05))


def _refund_timing(log: _Log, row: int) -> Trace:
    """A refund just after the promotion it was bought in ended: the snapshot was taken."""
    title = TRACES["refund_timing"][0]
    ends, what = _promotion_ends(log)
    after = _requested(log) - ends
    v = after[row]
    if not np.isfinite(v):
        reason = "not refunded" if np.isfinite(ends[row]) else "not bought in a promotion"
        return Trace("refund_timing", title, None, reason, "", False)
    # Refunds asked for once the promotion was over: how soon after its end is usual.
    pop = after[np.isfinite(after) & (after >= 0)]
    side = "after" if v >= 0 else "before"
    return Trace("refund_timing", title, float(v) / HOUR, f"requested {_hours(abs(v))} {side} "
                 f"{what}", f"refunds after it: median {_hours(_q(pop, 0.5))} after, 5% within "
                 f"{_hours(_q(pop, 0.05))}", bool(v >= 0 and _unusual(v, pop, "low", 0.05)))


def _refund_cluster(log: _Log, row: int) -> Trace:
    r = log.data.refunds
    title = TRACES["refund_cluster"][0]
    if not len(r):
        return Trace("refund_cluster", title, None, "no refunds in the log", "", False)
    shop = log.orders.set_index("order_id")["shop_id"].reindex(r["order_id"]).to_numpy()
    n = _within(_codes(shop), _seconds(log.data, "refunds", "requested_at"), HOUR)
    per_order = log.at(pd.Series(n.astype(np.float64), index=r["order_id"]))
    v = per_order[row]
    if not np.isfinite(v):
        return Trace("refund_cluster", title, None, "not refunded", "", False)
    pop = n.astype(np.float64)
    return Trace("refund_cluster", title, float(v),
                 f"{_n(v)} refund request(s) at this shop within an hour of its own",
                 f"median {_n(_q(pop, 0.5))}, 99% of refunds {_n(_q(pop, 0.99))} or fewer",
                 _unusual(v, pop, "high", 0.99))


def _review(log: _Log, row: int) -> Trace:
    rv = log.data.reviews
    title = TRACES["review"][0]
    share = len(rv) / max(len(log.orders), 1)
    mine = rv[rv["order_id"] == log.orders["order_id"].iloc[row]]
    if not len(mine):
        return Trace("review", title, None, "no review",
                     f"{share:.0%} of orders get one", False)
    counts = rv["text"].value_counts()
    same = counts.to_numpy(dtype=np.float64)  # over distinct texts
    text, rating = mine["text"].iloc[0], int(mine["rating"].iloc[0])
    v = float(counts.get(text, 1))
    return Trace("review", title, v,
                 f"{rating}/5, {text!r}, the same text on {_n(v)} review(s)",
                 f"{share:.0%} of orders reviewed; a text appears on {_n(_q(same, 0.5))} "
                 f"reviews at the median, 99% of texts on {_n(_q(same, 0.99))} or fewer",
                 _unusual(v, same, "high", 0.99))


def _distributor(log: _Log, row: int) -> Trace:
    o = log.orders
    title = TRACES["distributor"][0]
    dist = o["distributor_id"]
    if pd.isna(dist.iloc[row]):
        return Trace("distributor", title, None, "not through a distributor's link",
                     f"{dist.notna().mean():.0%} of orders are", False)
    via = o[dist.notna()]
    g = via.groupby("distributor_id")
    per_device = g.size() / g["device_id"].nunique().clip(lower=1)
    d = dist.iloc[row]
    v = float(per_device.loc[d])
    pop = per_device.to_numpy(dtype=np.float64)
    return Trace("distributor", title, v,
                 f"distributor {d}: {int(g.size().loc[d]):,} order(s) from "
                 f"{int(g['device_id'].nunique().loc[d]):,} device(s), {v:.1f} per device",
                 f"median {_n(_q(pop, 0.5))} orders per device over distributors, 99% "
                 f"{_n(_q(pop, 0.99))} or fewer", _unusual(v, pop, "high", 0.99))


def _timing(log: _Log, row: int) -> Trace:
    hour = np.floor(log.t / HOUR)
    counts = pd.Series(hour).value_counts()
    peak = float(counts.index[0])
    share = counts.iloc[0] / len(hour)
    tz = log.data.timezone
    when = pd.Timestamp(log.t[row], unit="s", tz="UTC").tz_convert(tz)
    peak_at = pd.Timestamp(peak * HOUR, unit="s", tz="UTC").tz_convert(tz)
    delta = log.t[row] - peak * HOUR
    return Trace("timing", TRACES["timing"][0], float(delta) / HOUR,
                 f"{when:%Y-%m-%d %H:%M:%S}, {_hours(abs(delta))} "
                 f"{'after' if delta >= 0 else 'before'} the start of the busiest hour",
                 f"the busiest hour, {peak_at:%Y-%m-%d %H:00}, holds {share:.0%} of the orders",
                 False)


def _destination(log: _Log, row: int) -> Trace:
    s = log.data.shipments.set_index("order_id")["dest_city"]
    dest = s.reindex(log.index).to_numpy(dtype=object)
    home = log.data.shops.set_index("shop_id")["warehouse_city"].reindex(
        log.orders["shop_id"]).to_numpy(dtype=object)
    local = pd.Series(dest == home)[pd.notna(dest)]
    if pd.isna(dest[row]):
        return Trace("destination", TRACES["destination"][0], None, "no parcel", "", False)
    same = dest[row] == home[row]
    return Trace("destination", TRACES["destination"][0], float(same),
                 f"{dest[row]}, {'the' if same else 'not the'} city of the shop's warehouse",
                 f"{local.mean():.0%} of parcels stay in the shop's city", False)


_TRACE_FUNCS: dict[str, Callable[[_Log, int], Trace]] = {
    "parcel": _parcel,
    "device": _shared("device", "device_id", "device"),
    "address": _shared("address", "address_id", "address"),
    "payment": _shared("payment", "payment_account_id", "payment account"),
    "ip": _shared("ip", "ip", "IP address"),
    "account_age": _account_age,
    "signup_batch": _signup_batch,
    "repeat": _repeat,
    "concentration": _concentration,
    "lockstep": _lockstep,
    "quantity": _quantity,
    "price": _price,
    "refund": _refund,
    "refund_timing": _refund_timing,
    "refund_cluster": _refund_cluster,
    "review": _review,
    "distributor": _distributor,
    "timing": _timing,
    "destination": _destination,
}


# -- the verdict -----------------------------------------------------------------------------------


def _clean(value: Any) -> Any:
    if value is None or (not isinstance(value, str | list | dict) and pd.isna(value)):
        return None
    if isinstance(value, np.integer | np.floating | np.bool_):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def _verdict(data: Dataset, order_id: int, row: pd.Series) -> dict[str, Any]:
    if not data.has_answer_key:
        return {"known": False}
    labels = data.labels
    label = labels[labels["order_id"] == order_id].iloc[0]
    out: dict[str, Any] = {"known": True, "brushing": bool(label["is_brushing"])}
    for name in ("pattern", "campaign_id", "beneficiary_shop_id", "victim_shop_id",
                 "legit_kind"):
        out[name] = _clean(label[name])
    cid = out["campaign_id"]
    if cid is not None:
        c = data.campaigns.set_index("campaign_id").loc[cid]
        out["campaign"] = {"camouflage": float(c["camouflage"]), "orders": int(c["orders"]),
                           "shops": [int(s) for s in c["shops"]],
                           "start": c["start"].isoformat(), "end": c["end"].isoformat()}
    el = data.entity_labels
    mine = {"account": row["buyer_id"], "shop": row["shop_id"], "device": row["device_id"],
            "distributor": row["distributor_id"]}
    roles = []
    for etype, eid in mine.items():
        if pd.isna(eid):
            continue
        hit = el[(el["entity_type"] == etype) & (el["entity_id"] == eid)]
        roles += [{"entity_type": etype, "entity_id": int(eid), "role": r.role,
                   "campaign_id": _clean(r.campaign_id)} for r in hit.itertuples()]
    out["roles"] = roles
    return out


def explain_order(data: Dataset, order_id: int) -> dict[str, Any]:
    """Explain one order of ``data`` (with its answer key, or without: traces only).

    Parameters
    ----------
    data : Dataset
        The whole log; with the answer key to say what the order is.
    order_id : int

    Returns
    -------
    dict
        ``order`` (its row), ``verdict`` (``known`` False without the key; else ``brushing``,
        ``pattern``, ``campaign_id``, ``campaign``, ``beneficiary_shop_id``,
        ``victim_shop_id``, ``legit_kind``, ``roles`` of its buyer, shop, device and
        distributor), ``traces`` (every :class:`Trace` as a dict), and the trace names sorted
        into the :data:`GROUPS`.

    Raises
    ------
    KeyError
        ``order_id`` is not an order of ``data``.
    """
    log = _Log(data)
    rows = np.flatnonzero(log.index == order_id)
    if not len(rows):
        raise KeyError(f"order {order_id} is not in this dataset ({len(log.index):,} orders)")
    row = int(rows[0])
    record = data.orders.iloc[row]
    traces = [fn(log, row) for fn in _TRACE_FUNCS.values()]
    verdict = _verdict(data, order_id, record)
    own = pattern_traces(verdict.get("pattern"))
    kind = KIND_TRACES.get(verdict.get("legit_kind") or "", ())
    groups: dict[str, list[str]] = {name: [] for name in GROUPS}
    for tr in sorted(traces, key=lambda tr: own.index(tr.name) if tr.name in own else 99):
        if TRACES[tr.name][1] is None:
            group = "context"
        elif tr.unusual:
            group = ("gives_away" if tr.name in own else
                     "explained" if tr.name in kind else "other_unusual")
        else:
            group = "hidden" if tr.name in own else "usual"
        groups[group].append(tr.name)
    return {"order": {k: _clean(v) for k, v in record.items()}, "verdict": verdict,
            "traces": [tr.as_dict() for tr in traces], **groups}
