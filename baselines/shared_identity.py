"""Shared identity: rings of accounts linked by devices, addresses, IPs and payment accounts.

What it looks at
    The account-to-identifier links of the orders table (``device_id``, ``payment_account_id``,
    ``address_id``, ``ip``; whichever of them the log has). Accounts that share an identifier
    are joined; the connected components of that bipartite graph are candidate rings. A
    component is suspicious when it is large, when its links are of kinds legitimate users
    rarely share, and when its orders converge on one shop (several linked accounts
    funnelling orders into the same shop). An order scores its buyer's component, plus a
    little for its own identifiers' sharing; a buyer scores its component; a shop scores the
    share of its orders that came from suspicious components.

Where the idea comes from
    Platform risk control. The seed note on Youzan distribution (seeds 002) lists the signals
    of its 风控: one device ordering again and again, shipping addresses clustered together,
    abnormal payment accounts (同一设备频繁下单、收货地址集中、支付账户异常); domain.md §3.3
    quotes Youzan's distribution rules ("IP anomalies, repeated payment flows, concentrated
    shipping addresses, device-fingerprint links") and PayPal's merchant guidance ("many
    customers, one shipping address"); §5 P3 gives the supplier buy-back signature (buyer
    accounts collapsing onto the supplier's warehouse address and one corporate payer,
    "detect with address/payment connected components"). IP is weak (§5 P5, the eBay note):
    carrier-grade NAT puts hundreds of honest users behind one address.

How links are weighed
    Each identifier kind gets the inverse of its expected sharing, measured on the data
    itself: the mean number of accounts on the identifier of a randomly picked (account,
    identifier) link, ``sum(n**2) / sum(n)`` over the kind's identifiers (an IDF-like
    weight). Personal devices and wallets are shared by about one account, so their links
    weigh about 1; household addresses by 2-4, so about 0.3-0.5; NAT IPs by hundreds, so
    almost nothing. Identifiers shared by more than ``hub_cap`` accounts are infrastructure
    (a NAT gateway, a campus) and are dropped before components are found, so that one IP
    does not glue the marketplace into one component.

How a component is scored
    ``density * log2(co_buyers) * focus`` at the shop where that is largest: ``density`` is
    the weighted number of linked account pairs per account (the |E(S)|/|S| of
    dense-subgraph detection, as in Fraudar: a chain of pairs counts like a clique of the
    same links); ``co_buyers`` how many of the component's accounts ordered at the shop;
    ``focus`` the share of the component's orders that went there beyond the shop's share of
    all orders (a household buying at the marketplace's biggest shop follows the crowd). A
    lone account, or linked accounts that each shop elsewhere, score 0.

Blind to
    Rings that share nothing (each fake account on its own phone, wallet and address); rings
    whose one identifier is shared by more than ``hub_cap`` accounts (taken for
    infrastructure); rings spread evenly over many shops; and timing, quantities, parcels,
    refunds and reviews, which it never reads. A careful ring whose accounts share an
    address or a wallet in pairs has the density of a household, and large households that
    all buy at one mid-sized shop look like a small ring.

Speed
    About 0.7-1.2 M orders per second on the project's shared 2-core machine
    (``double11_phone_war_naive`` at scale 1.0, 1.05 M orders: 0.85-1.45 s per ``score``;
    ``benchmarks/bench_baselines_graph.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from brushbench.harness import Scores

PATTERNS = ("supplier_buyback",)

#: Identifier columns of the orders table that link accounts.
KINDS = ("device_id", "payment_account_id", "address_id", "ip")


class SharedIdentity:
    """Score orders by the identity-linked component of their buyer.

    Parameters
    ----------
    hub_cap : int
        Identifiers shared by more accounts than this are dropped as infrastructure.
    own_weight : float
        Weight of the order's own link strength, added to its component's score; it mostly
        orders the orders of weak or unlinked components.
    shop_prior : float
        Orders added to every shop's count when its share of suspicious orders is taken, so
        that a shop with two orders cannot reach the top on one ring order.
    """

    def __init__(self, hub_cap: int = 50, own_weight: float = 0.1, shop_prior: float = 10.0):
        self.hub_cap = hub_cap
        self.own_weight = own_weight
        self.shop_prior = shop_prior

    def score(self, data) -> Scores:
        """Order scores, buyer scores (their component's) and shop scores (the mean component
        score of the shop's orders, counting ``shop_prior`` more orders of score 0)."""
        orders = data.orders
        kinds = [k for k in KINDS if k in orders.columns]
        if not kinds:  # a log without identifiers: the harness reads the name and skips
            raise KeyError(KINDS[0])
        account, buyer_ids = pd.factorize(orders["buyer_id"])
        links = identity_links(orders, account, kinds, self.hub_cap)
        n_acc = len(buyer_ids)
        component = account_components(links, n_acc)
        ring = component_scores(links, component, account, orders["shop_id"].to_numpy())
        of_order = ring[component[account]]
        shop_codes, shop_ids = pd.factorize(orders["shop_id"])
        per_shop = np.bincount(shop_codes, weights=of_order, minlength=len(shop_ids))
        n_shop = np.bincount(shop_codes, minlength=len(shop_ids))
        return Scores(
            orders=of_order + self.own_weight * links.own_strength,
            buyers=pd.Series(ring[component], index=np.asarray(buyer_ids)),
            shops=pd.Series(per_shop / (n_shop + self.shop_prior), index=np.asarray(shop_ids)),
        )


@dataclass(frozen=True)
class Links:
    """Account-to-identifier links of every kind, identifiers numbered across kinds.

    Attributes
    ----------
    account, ident : numpy.ndarray
        One entry per distinct (account, identifier) link, hubs and unshared ones included.
    weight : numpy.ndarray
        Per identifier: its kind's weight, the inverse of the kind's expected sharing.
    size : numpy.ndarray
        Per identifier: how many accounts use it.
    kept : numpy.ndarray
        Per identifier: shared by at least 2 and at most ``hub_cap`` accounts.
    own_strength : numpy.ndarray
        Per order: sum over its identifiers that are kept of ``weight * log2(size)``.
    """

    account: np.ndarray
    ident: np.ndarray
    weight: np.ndarray
    size: np.ndarray
    kept: np.ndarray
    own_strength: np.ndarray


def kind_weight(size: np.ndarray) -> float:
    """Inverse of the expected sharing of a kind: ``sum(n) / sum(n**2)`` over its identifiers.

    ``sum(n**2) / sum(n)`` is the mean size of the identifier behind a randomly picked link,
    i.e. how many accounts a user of this kind of identifier usually shares it with
    (themselves included). 1 when no identifier is shared.
    """
    size = size[size > 0].astype(np.float64)
    return float(size.sum() / np.square(size).sum()) if len(size) else 1.0


def identity_links(orders: pd.DataFrame, account: np.ndarray, kinds: list[str],
                   hub_cap: int) -> Links:
    """The distinct (account, identifier) links of ``kinds``; nulls link nothing."""
    accounts, idents, weights, sizes = [], [], [], []
    own = np.zeros(len(orders))
    offset = 0
    for kind in kinds:
        code, uniques = pd.factorize(orders[kind])
        ok = code >= 0
        pair = pd.unique(account[ok].astype(np.int64) * max(len(uniques), 1) + code[ok])
        acc, ident = np.divmod(pair, max(len(uniques), 1))
        size = np.bincount(ident, minlength=len(uniques))
        weight = kind_weight(size)
        kept_size = np.where((size >= 2) & (size <= hub_cap), size, 1)
        own[ok] += weight * np.log2(kept_size[code[ok]])
        accounts.append(acc)
        idents.append(ident + offset)
        weights.append(np.full(len(uniques), weight))
        sizes.append(size)
        offset += len(uniques)
    size = np.concatenate(sizes)
    return Links(np.concatenate(accounts), np.concatenate(idents), np.concatenate(weights),
                 size, (size >= 2) & (size <= hub_cap), own)


def account_components(links: Links, n_accounts: int) -> np.ndarray:
    """Component label of each account in the graph of kept links (unlinked: their own)."""
    keep = links.kept[links.ident]
    n_ident = len(links.size)
    # The bipartite graph as one square matrix: accounts first, then identifiers.
    adj = sp.coo_matrix((np.ones(int(keep.sum()), dtype=np.int8),
                         (links.account[keep], n_accounts + links.ident[keep])),
                        shape=(n_accounts + n_ident,) * 2).tocsr()
    _, label = connected_components(adj, directed=False)
    return label[:n_accounts]


def component_scores(links: Links, component: np.ndarray, account: np.ndarray,
                     shop: np.ndarray) -> np.ndarray:
    """Suspicion of each component label: the max over shops of
    ``density * log2(co_buyers) * focus``.

    ``density`` is the weighted number of linked account pairs per account (a pair linked
    by a device and a wallet counts about 2); ``co_buyers`` the number of the component's
    accounts that ordered at the shop; ``focus`` the share of the component's orders that
    went to the shop beyond the shop's share of all orders, ``(own - share) / (1 - share)``
    (1 when every order went there, 0 when no more than anybody's). A single account, or
    linked accounts that each shop elsewhere, score 0.
    """
    n_labels = int(component.max()) + 1 if len(component) else 0
    members = np.bincount(component, minlength=n_labels).astype(np.float64)

    kept = np.flatnonzero(links.kept)
    # All accounts of a kept identifier are in one component: any of them names it.
    ident_component = np.full(len(links.size), -1)
    ident_component[links.ident] = component[links.account]
    size = links.size[kept].astype(np.float64)
    pair_weight = np.bincount(ident_component[kept], weights=links.weight[kept] * size
                              * (size - 1) / 2, minlength=n_labels)
    # Weighted links per account, the density of dense-subgraph detection (Charikar's
    # |E(S)|/|S|, as in Fraudar): a chain of pairs scores as a ring, unlike links per pair.
    density = pair_weight / np.maximum(members, 1)

    order_comp = component[account]
    frame = pd.DataFrame({"c": order_comp, "s": shop, "a": account})
    per_shop = frame.groupby(["c", "s"], sort=False).agg(
        buyers=("a", "nunique"), orders=("a", "size")).reset_index()
    c = per_shop["c"].to_numpy()
    # The shop's share of all orders: linked accounts that all shop at the marketplace's
    # biggest shop are a household following the crowd, not a ring.
    market = frame.groupby("s").size()
    share = (market / len(frame)).reindex(per_shop["s"]).to_numpy()
    own = per_shop["orders"].to_numpy() / np.bincount(order_comp, minlength=n_labels)[c]
    focus = np.divide(own - share, 1.0 - share, out=np.zeros(len(c)), where=share < 1)
    per_pair = density[c] * np.log2(per_shop["buyers"].to_numpy()) * np.clip(focus, 0, None)
    best = np.zeros(n_labels)
    np.maximum.at(best, c, per_pair)
    return best


_DEFAULT = SharedIdentity()


def score(data) -> Scores:
    """Function form: :meth:`SharedIdentity.score` with the default parameters."""
    return _DEFAULT.score(data)
