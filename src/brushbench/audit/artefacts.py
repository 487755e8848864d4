"""The artefact probes: generator shortcuts in values that patterns do decide.

The leak probes (:mod:`brushbench.audit.probes`) leave behaviour alone: the channel, refund and
review timing, the accounts a ring uses. Issue 17 found that short rules on exactly those
columns separated careful fraud almost perfectly, not because of the fraud's behaviour but
because of how the generator wrote it down: refunds asked for before the parcel arrived (never
done by a legitimate buyer), a constant part in a delay, a default channel, ring accounts whose
city, level and registration second come from another recipe than the buyers'. These probes
look for that class; they run in the same engine, with the same units, null and threshold:

- ``consistency``: the order of two events across tables (refund requested before the parcel
  was shipped or delivered, review before delivery), 1/0 per order where both exist;
- ``delay``: the time between two events, scored as a *threshold learnt on one half* of the
  units (a floor or ceiling of the pattern's delays, :func:`stats.score_threshold`), so a
  constant part that puts every fraud delay above a value the legitimate ones often fall below
  shows;
- ``default``: categories of the order itself (channel, refund reason), scored by the share of
  a pattern's orders beyond the legitimate shares (:func:`stats.score_share`): a pattern
  piling onto one value, typically a default left in a draft;
- ``accounts``: attributes of the buyer accounts and addresses a campaign uses, per account
  (city, its popularity among all buyers, level, how many accounts share its registration
  second, devices and payment accounts per account) and per address (the "one-wallet site"),
  each measured on one order per account or address (:func:`_representative`).

A pattern whose behaviour legitimately moves one of them is named in :data:`EXEMPT`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from .accounts import first_order_time, level_given_age
from .probes import NUMERIC, SHARE, THRESHOLD, Probe
from .view import OrderView

#: (probe key, pattern) pairs whose separation is the pattern's behaviour, with the reason.
EXEMPT: dict[tuple[str, str], str] = {
    ("orders.channel:default_share", "distributor_fake"):
        "fake distributor orders come through the distributor's link: channel `affiliate` is "
        "the pattern",
    ("buyers.city:city_share", "supplier_buyback"):
        "a supplier's accounts gather on a few sites in one city (the goods go back to its "
        "warehouse): one city is the pattern",
    ("refunds.requested_at:order_to_refund_request", "distributor_fake"):
        "a fake distributor refunds once its commission has settled, days after the delivery "
        "(the settlement window is the pattern; legitimate late claims share its days)",
    ("refunds.requested_at:delivery_to_refund_request", "distributor_fake"):
        "a fake distributor refunds once its commission has settled, days after the delivery "
        "(the settlement window is the pattern; legitimate late claims share its days)",
    ("orders.address_id:one_wallet_site", "supplier_buyback"):
        "a supplier ships its buy-back to its own sites and pays from its own account: few "
        "addresses with one payer each are its economics (honest resellers share the trace)",
}

DAY = 86_400.0


# -- helpers --------------------------------------------------------------------------------------

def _time(view: OrderView, source: str) -> np.ndarray:
    """Epoch seconds per order as float64, NaN where null or no row."""
    def run() -> np.ndarray:
        values, null = view.ints(source)
        out = values.astype(np.float64)
        out[null] = np.nan
        return out
    return view.memo(f"time:{source}", run)


def _refunded(view: OrderView) -> np.ndarray:
    """Orders paid for and refunded: a cancellation's refund row is not a return."""
    return view.equals("orders.status", "refunded")


def _before(view: OrderView, first: str, second: str, refunded_only: bool) -> np.ndarray:
    """1 where ``first`` happened before ``second``, 0 where after, NaN where one is missing."""
    a, b = _time(view, first), _time(view, second)
    out = np.where(np.isnan(a) | np.isnan(b), np.nan, (a < b).astype(np.float64))
    if refunded_only:
        out[~_refunded(view)] = np.nan
    return out


def _delay(view: OrderView, start: str, end: str, refunded_only: bool) -> np.ndarray:
    """Days from ``start`` to ``end`` per order (NaN where one is missing)."""
    out = (_time(view, end) - _time(view, start)) / DAY
    if refunded_only:
        out = np.where(_refunded(view), out, np.nan)
    return out


def _codes_where(view: OrderView, source: str, refunded_only: bool) -> np.ndarray:
    codes = view.codes(source)
    return np.where(_refunded(view), codes, -1) if refunded_only else codes


def _per_buyer_table(view: OrderView, values: np.ndarray) -> np.ndarray:
    """A value per row of ``buyers`` spread to the orders (NaN for unknown buyers)."""
    row, _ = view.join("buyers")
    out = np.full(view.n, np.nan)
    if len(values):
        out[row >= 0] = values[row[row >= 0]]
    return out


def _city_popularity(view: OrderView) -> np.ndarray:
    """Share of all buyer accounts that give the same city: label-free (buyers live in a city
    in proportion to its population)."""
    city = view.data.arrow("buyers")["city"].to_pandas()
    share = city.map(city.value_counts(normalize=True)).to_numpy(dtype=np.float64)
    return _per_buyer_table(view, np.log(share))


def _level_given_age(view: OrderView) -> np.ndarray:
    """The account's level less the median level of accounts of its age
    (:func:`brushbench.audit.accounts.level_given_age`)."""
    buyers = view.data.arrow("buyers")
    codes = level_given_age(buyers["level"].to_numpy(zero_copy_only=False),
                            buyers["registered_at"].cast("int64").to_numpy(),
                            first_order_time(view.data))
    row, _ = view.join("buyers")
    out = np.full(view.n, -1, dtype=np.int64)
    out[row >= 0] = codes[row[row >= 0]]
    return out


def _shared_registration(view: OrderView) -> np.ndarray:
    """How many buyer accounts were registered in the same second as this order's buyer."""
    t = pd.Series(view.data.arrow("buyers")["registered_at"].cast("int64").to_numpy(
        zero_copy_only=False))
    return _per_buyer_table(view, t.map(t.value_counts()).to_numpy(dtype=np.float64))


def _distinct_per(view: OrderView, group: str, of: str) -> np.ndarray:
    """Distinct values of ``of`` over all orders of the order's ``group`` (e.g. devices per
    account), NaN where either is null."""
    g, v = view.codes(group), view.codes(of)
    ok = (g >= 0) & (v >= 0)
    out = np.full(view.n, np.nan)
    if not ok.any():
        return out
    pairs = pd.DataFrame({"g": g[ok], "v": v[ok]}).drop_duplicates()
    count = np.bincount(pairs["g"].to_numpy(), minlength=int(g.max()) + 1)
    out[ok] = count[g[ok]]
    return out


def _representative(view: OrderView, group: str) -> np.ndarray:
    """Per order: it is its group's order with the smallest order_id.

    Order ids are random numbers, so this is a label-free random pick of one order per
    account (or address). An account is then positive when *that* order is brushing: counting an
    account as positive when *any* of its orders is would favour accounts with many orders, and
    so their activity (level, devices, payment accounts), even under shuffled labels.
    """
    def run() -> np.ndarray:
        g = view.codes(group)
        ok = np.flatnonzero(g >= 0)
        order = ok[np.lexsort((view.order_id[ok], g[ok]))]
        first = order[np.r_[True, g[order][1:] != g[order][:-1]]] if len(order) else order
        out = np.zeros(view.n, dtype=bool)
        out[first] = True
        return out
    return view.memo(f"representative:{group}", run)


def _one_sided(view: OrderView) -> np.ndarray:
    """Per order: its account placed only brushing orders, or only legitimate ones.

    The one probe input read from the answer key, and why: a careful ring hires real shoppers
    (刷手), the busiest most often, and their accounts are the population's by definition (a
    level, a city, a history of their own). The question here is whether the accounts a
    campaign *made* look like buyers, so hired accounts, which also buy for themselves, are
    left out; the shuffled-label null draws from the same accounts.
    """
    def run() -> np.ndarray:
        labels = view.data.arrow("labels")
        fraud = pd.Series(labels["is_brushing"].to_numpy(zero_copy_only=False),
                          index=labels["order_id"].to_numpy()).reindex(view.order_id)
        g = view.codes("orders.buyer_id")
        ok = g >= 0
        out = np.zeros(view.n, dtype=bool)
        if not ok.any():
            return out
        f = fraud.to_numpy(dtype=bool, na_value=False)[ok]
        size = int(g.max()) + 1
        some = np.bincount(g[ok], weights=f, minlength=size)
        every = np.bincount(g[ok], minlength=size)
        out[ok] = (some[g[ok]] == 0) | (some[g[ok]] == every[g[ok]])
        return out
    return view.memo("one_sided_accounts", run)


def _per_account(compute: Callable[[OrderView], np.ndarray], group: str = "orders.buyer_id"
                 ) -> Callable[[OrderView], np.ndarray]:
    """``compute``, kept on each account's (address's) representative order only; for
    accounts, only those whose orders are all brushing or all legitimate (:func:`_one_sided`)."""
    def on_one(view: OrderView) -> np.ndarray:
        values = compute(view)
        keep = _representative(view, group)
        if group == "orders.buyer_id" and "labels" in view.data.table_names:
            keep = keep & _one_sided(view)
        if values.dtype.kind == "f":
            return np.where(keep, values, np.nan)
        return np.where(keep, values, -1)
    return on_one


def _one_wallet_site(view: OrderView) -> np.ndarray:
    """1 for an address with >= 2 accounts, exactly one payment account and one shop."""
    accounts = _distinct_per(view, "orders.address_id", "orders.buyer_id")
    wallets = _distinct_per(view, "orders.address_id", "orders.payment_account_id")
    shops = _distinct_per(view, "orders.address_id", "orders.shop_id")
    site = (accounts >= 2) & (wallets == 1) & (shops == 1)
    return np.where(np.isnan(accounts), np.nan, site.astype(np.float64))


# -- the list -------------------------------------------------------------------------------------

#: (name, first event, second event, refunded orders only, why).
ORDERINGS = (
    ("requested_before_delivered", "refunds.requested_at", "shipments.delivered_at", True,
     "a return asked for before the parcel was delivered"),
    ("requested_before_shipped", "refunds.requested_at", "shipments.shipped_at", True,
     "a return asked for before the parcel left the shop"),
    ("review_before_delivered", "reviews.created_at", "shipments.delivered_at", False,
     "a review written before the parcel was delivered"),
)

#: (name, start, end, refunded orders only): delays whose floor or ceiling is probed.
DELAYS = (
    ("order_to_ship", "orders.created_at", "shipments.shipped_at", False),
    ("ship_to_delivery", "shipments.shipped_at", "shipments.delivered_at", False),
    ("order_to_refund_request", "orders.created_at", "refunds.requested_at", True),
    ("delivery_to_refund_request", "shipments.delivered_at", "refunds.requested_at", True),
    ("request_to_refunded", "refunds.requested_at", "refunds.refunded_at", True),
    ("order_to_review", "orders.created_at", "reviews.created_at", False),
    ("delivery_to_review", "shipments.delivered_at", "reviews.created_at", False),
)

def _p(name: str, column: str, family: str, kind: str, unit: tuple[str, ...], why: str,
       compute: Callable[[OrderView], np.ndarray]) -> Probe:
    return Probe(name, column, family, kind, unit, why, compute, per_unit=bool(unit))


def _build() -> tuple[Probe, ...]:
    probes = [
        _p(name, first, "consistency", NUMERIC, (), why + " (refunded orders)" * refunded,
           partial(_before, first=first, second=second, refunded_only=refunded))
        for name, first, second, refunded, why in ORDERINGS]
    probes += [
        _p(name, end, "delay", THRESHOLD, (),
           f"every {start} -> {end} delay above a floor (or below a ceiling) that legitimate "
           "orders cross: a constant part in the delay" + " (refunded orders)" * refunded,
           partial(_delay, start=start, end=end, refunded_only=refunded))
        for name, start, end, refunded in DELAYS]
    probes += [
        _p("default_share", "orders.channel", "default", SHARE, (),
           "a pattern's orders piling onto one channel (a default value left in the draft)",
           partial(_codes_where, source="orders.channel", refunded_only=False)),
        _p("default_share", "refunds.reason", "default", SHARE, (),
           "a pattern's returns piling onto one reason (refunded orders)",
           partial(_codes_where, source="refunds.reason", refunded_only=True)),
        _p("city_share", "buyers.city", "accounts", SHARE, (),
           "the accounts' cities drawn from another law than the buyers' (one order per "
           "account)", _per_account(partial(_codes_where, source="buyers.city",
                                            refunded_only=False))),
        _p("popularity", "buyers.city", "accounts", NUMERIC, (),
           "accounts in rarer (or commoner) cities than the buyers' law gives: log share of "
           "all accounts in the account's city (one order per account)",
           _per_account(_city_popularity)),
        _p("level_share", "buyers.level", "accounts", SHARE, (),
           "membership levels drawn from another law, e.g. without the activity bonus: the "
           "level less the median of accounts of the same age, since a naive ring's young "
           "accounts have low levels by behaviour (one order per account)",
           _per_account(_level_given_age)),
        _p("shared_second", "buyers.registered_at", "accounts", NUMERIC, (),
           "accounts registered in the same second as other accounts, a pile at a cap (one "
           "order per account)", _per_account(_shared_registration)),
        _p("per_account", "orders.device_id", "accounts", NUMERIC, (),
           "devices per account over all its orders (one order per account)",
           _per_account(partial(_distinct_per, group="orders.buyer_id", of="orders.device_id"))),
        _p("per_account", "orders.payment_account_id", "accounts", NUMERIC, (),
           "payment accounts per account over all its orders (one order per account)",
           _per_account(partial(_distinct_per, group="orders.buyer_id",
                                of="orders.payment_account_id"))),
        _p("one_wallet_site", "orders.address_id", "accounts", NUMERIC, (),
           "an address with two or more accounts, one payment account and one shop (one "
           "order per address)", _per_account(_one_wallet_site, "orders.address_id")),
    ]
    return tuple(probes)


ARTEFACT_PROBES: tuple[Probe, ...] = _build()
