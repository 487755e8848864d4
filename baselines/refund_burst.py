"""Refund burst: refunds bunched in time, per shop and per buyer, by buyers who refund most orders.

What it looks at
----------------
The refunds of orders that were paid for (a cancelled order's refund is a cancellation, not a
return), by the time the refund was requested. Nothing here knows when a promotion was: every
comparison is with the marketplace's own refunds in the same data.

- **Bunching in time.** Each refund's request time is replaced by its rank among all the
  marketplace's refunds (a number in (0, 1)), so that the season's ordinary rise in returns
  (higher after any promotion) is flat. A shop or buyer whose refunds follow the marketplace's
  timing has ranks spread evenly; a burst is many of its refunds within a narrow window of
  ranks. Per refund: the number of the same shop's (buyer's) other refunds within ``±h`` of
  it, against the number expected if they were spread evenly, as a Poisson deviance residual
  (a z-like number, 0 when as expected), the largest over a few widths ``h``.
- **Bunching in delay.** The same on the refund's delay after its order, ranked among all
  refunds' delays: refunds asked for a fixed time after their order (once the promotion or a
  commission's settlement is over) bunch here even when the orders were spread out.
- **Refund ratio.** A buyer's share of refunded orders against the other buyers', a shop's
  against the other shops of its category (the rest of the marketplace for a shop alone in
  its category), as binomial deviance residuals; the shops' are divided by their spread across
  shops (an empirical null: big shops differ from their category by more than counting noise).

A refunded order scores the sum of its shop's burst (the larger of time and delay), its
buyer's burst, its buyer's ratio and its shop's ratio (the positive part of each); an order
that was not refunded scores its buyer's ratio only, so the orders a careful ring kept rank
above ordinary ones when its accounts refund most of their orders. Buyers score their ratio
plus their largest burst; shops their ratio plus their largest burst.

Where the idea comes from
-------------------------
Made for post-promotion returns, framing and fake distributor orders, the patterns whose
fake orders are not meant to be paid for. Post-promotion returns (刷单后退货): "some makers
brush during Double 11 and return the goods afterwards" (Double 11 2015 report). Framing
(反向炒信): the first criminal case had a rival place 1,500+ orders on a shop and refund them
(domain.md §3.1, §5 P4), so the victim's refunds come from a few accounts that return
almost everything. domain.md §5 (P2) lists refunds clustered just after the settlement or
subsidy snapshot and the same buyers recurring, and (P6) the refund spike of fake
distributor orders just after the commission settles (Youzan rules). Refund ratios alone
are weak: ordinary promotion orders are returned more often too (domain.md §3.1: Tmall
apparel averaged 10% after Double 11 2014, Handu 64% and Jack Jones 38%), hence the
comparison with peers and the weight on timing. The window counts against a Poisson
expectation are the likelihood-ratio reading of a scan statistic (Kulldorff 1997), one
window per refund.

What it is blind to
-------------------
Orders that are never refunded on the platform (self-purchase refunds the brushers off the
platform, supplier buy-back keeps the goods), careful rings that spread their refunds like
ordinary returns over many accounts, and the kept orders of accounts that refund few of their
orders. A shop whose honest customers return a whole flash sale together looks like a burst.

Speed
-----
1.5 to 2.2 M orders per second on the project's 2-core machine: 1.05 M orders of
``double11_phone_war_naive`` (scale 1.0, about 120k refunds) in 0.48 to 0.71 s, median of 5
runs, depending on what else the shared machine runs (``pytest
benchmarks/bench_baselines_traces.py --benchmark-only``).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from brushbench.harness import Scores

#: Made for post-promotion returns; the same traces also catch naive fake distributor orders
#: (refunded once the commission settles), for which ``fraudar`` is the specialist.
PATTERNS = ("post_promo_return", "competitor_framing", "distributor_fake")


class RefundBurst:
    """Score orders, buyers and shops by how bunched and how frequent their refunds are.

    Parameters
    ----------
    widths : tuple of float
        Half-widths of the windows, in ranks of the marketplace's refunds (0.01 is the 1% of
        refunds around a refund), over which bunching is counted; the largest residual counts.
    """

    requires: ClassVar[dict] = {"orders": ["buyer_id", "shop_id", "created_at"],
                                "refunds": ["requested_at"]}

    def __init__(self, widths: tuple[float, ...] = (0.005, 0.02, 0.08)):
        self.widths = widths

    def score(self, data) -> Scores:
        """Order scores aligned with ``data.orders``, with buyer and shop scores."""
        orders = data.orders
        shop = pd.factorize(orders["shop_id"].to_numpy())
        buyer = pd.factorize(orders["buyer_id"].to_numpy())
        row = _refund_rows(orders, data.refunds)
        refunded = np.zeros(len(orders), dtype=bool)
        refunded[row.index.to_numpy()] = True
        paid = _paid(orders)

        # Only excess counts: a shop refunding less, or less bunched, than expected is not
        # evidence of innocence to be traded against another trace.
        buyer_ratio = np.maximum(_ratio_z(buyer[0], refunded, paid, len(buyer[1]), None), 0.0)
        shop_ratio = _ratio_z(shop[0], refunded, paid, len(shop[1]),
                              _shop_category(data, shop[1]))
        shop_ratio = np.maximum(shop_ratio / _spread(shop_ratio), 0.0)

        rows = row.index.to_numpy()
        shop_burst, buyer_burst = np.zeros(len(orders)), np.zeros(len(orders))
        for burst, codes in ((shop_burst, shop[0][rows]), (buyer_burst, buyer[0][rows])):
            burst[rows] = np.maximum.reduce([self._burst(codes, row["requested_at"].to_numpy()),
                                             self._burst(codes, row["delay"].to_numpy()),
                                             np.zeros(len(rows))])

        per_order = np.where(refunded,
                             shop_burst + buyer_burst + buyer_ratio[buyer[0]]
                             + shop_ratio[shop[0]],
                             buyer_ratio[buyer[0]])
        buyer_scores = buyer_ratio + _group_max(buyer[0], buyer_burst, len(buyer[1]))
        shop_scores = shop_ratio + _group_max(shop[0], shop_burst, len(shop[1]))
        return Scores(orders=per_order,
                      buyers=pd.Series(buyer_scores, index=buyer[1]),
                      shops=pd.Series(shop_scores, index=shop[1]))

    def _burst(self, group: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Largest Poisson deviance residual, over the widths, of each refund's neighbours.

        ``values`` are ranked among all refunds into ``u`` in (0, 1); the neighbours are the
        refunds of the same group within ``±h`` of ``u``, expected ``(n_group - 1) × window``
        when the group's refunds are spread evenly.
        """
        n = len(values)
        if n == 0:
            return np.zeros(0)
        twice_rank = np.rint(2 * pd.Series(values).rank(method="average").to_numpy())
        twice_rank = twice_rank.astype(np.int64)            # mid-ranks are multiples of 1/2
        u = (twice_rank - 1) / (2.0 * n)
        size = np.bincount(group)[group] - 1
        # Whole numbers, groups laid far apart on one line: one sorted array answers every
        # window, and a neighbour exactly ``h`` away is in whatever the rows' order.
        key = group.astype(np.int64) * (4 * n + 4) + twice_rank
        line = np.sort(key)
        best = np.full(n, -np.inf)
        for h in self.widths:
            reach = int(np.floor(2 * n * h + 1e-9))
            count = (np.searchsorted(line, key + reach, side="right")
                     - np.searchsorted(line, key - reach, side="left") - 1)
            window = np.minimum(u + h, 1.0) - np.maximum(u - h, 0.0)
            best = np.maximum(best, _poisson_residual(count, size * window))
        return best


def _paid(orders: pd.DataFrame) -> np.ndarray:
    """Orders that were paid for and not cancelled (unknown status counts as paid)."""
    status = orders["status"].astype("string")
    return ~(status == "cancelled").fillna(False).to_numpy(dtype=bool)


def _refund_rows(orders: pd.DataFrame, refunds: pd.DataFrame) -> pd.DataFrame:
    """The first refund request of each paid order, indexed by the order's row."""
    position = pd.Series(np.arange(len(orders)), index=orders["order_id"].to_numpy())
    req = refunds.dropna(subset=["requested_at"])
    req = req.sort_values("requested_at", kind="stable").drop_duplicates("order_id")
    rows = position.reindex(req["order_id"].to_numpy()).to_numpy()
    keep = ~np.isnan(rows)
    rows = rows[keep].astype(np.int64)
    req = req[keep]
    keep = _paid(orders)[rows]
    rows, req = rows[keep], req[keep]
    requested = _seconds(req["requested_at"])
    delay = requested - _seconds(orders["created_at"])[rows]
    return pd.DataFrame({"requested_at": requested, "delay": delay}, index=rows)


def _seconds(times: pd.Series) -> np.ndarray:
    """Seconds since the epoch (time zones and units of the log set aside)."""
    return times.dt.as_unit("s").astype("int64").to_numpy()


def _poisson_residual(count: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Signed root of the Poisson deviance of ``count`` given ``expected`` (0 if nothing is
    expected: a group of one refund says nothing about bunching)."""
    count = count.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(count > 0, count * np.log(count / expected), 0.0)
        dev = 2.0 * (term - (count - expected))
    out = np.sign(count - expected) * np.sqrt(np.maximum(dev, 0.0))
    return np.where(expected > 0, out, 0.0)


def _ratio_z(group: np.ndarray, refunded: np.ndarray, paid: np.ndarray, n_groups: int,
             peers: np.ndarray | None) -> np.ndarray:
    """Binomial deviance residual of each group's refunded share of its paid orders against
    the pooled share of its peers, itself left out (the rest of the marketplace when
    ``peers`` is None or when it has no peer with paid orders)."""
    n = np.bincount(group, weights=paid, minlength=n_groups)
    r = np.bincount(group, weights=refunded & paid, minlength=n_groups)
    # Left out, or a shop alone in its category would be its own yardstick.
    rest_n, rest_r = n.sum() - n, r.sum() - r
    if peers is None:
        peer_n, peer_r = rest_n, rest_r
    else:
        peer_n = np.bincount(peers, weights=n)[peers] - n
        peer_r = np.bincount(peers, weights=r)[peers] - r
        alone = peer_n <= 0
        peer_n, peer_r = np.where(alone, rest_n, peer_n), np.where(alone, rest_r, peer_r)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.clip(np.where(peer_n > 0, peer_r / peer_n, 0.5), 1e-6, 1 - 1e-6)
        share = np.where(n > 0, r / n, 0.0)
        up = np.where(r > 0, r * np.log(share / p), 0.0)
        down = np.where(n - r > 0, (n - r) * np.log((1 - share) / (1 - p)), 0.0)
    dev = 2.0 * (up + down)
    return np.where(n > 0, np.sign(share - p) * np.sqrt(np.maximum(dev, 0.0)), 0.0)


def _shop_category(data, shop_ids: np.ndarray) -> np.ndarray:
    """A code per shop for its category (one code for every shop without one)."""
    shops = getattr(data, "shops", None)
    if shops is None or len(shops) == 0 or "category" not in shops:
        return np.zeros(len(shop_ids), dtype=np.int64)
    category = pd.Series(shops["category"].to_numpy(), index=shops["shop_id"].to_numpy())
    category = category[~category.index.duplicated()].reindex(shop_ids)
    return pd.factorize(category.astype("string").fillna("").to_numpy())[0]


def _spread(z: np.ndarray) -> float:
    """Robust spread of the shops' residuals (1.4826 × MAD), never below 1 (counting noise)."""
    if len(z) == 0:
        return 1.0
    mad = np.median(np.abs(z - np.median(z)))
    return max(1.4826 * mad, 1.0)


def _group_max(group: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Largest value per group (0 for a group without rows)."""
    out = np.zeros(n_groups)
    np.maximum.at(out, group, values)
    return out
