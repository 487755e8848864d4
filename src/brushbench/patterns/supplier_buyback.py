"""``supplier_buyback``: a supplier buys back the shop's discounted promoted stock (供货商合谋回购).

From the seed report of Double 11 2015: in the 2013 Suning-JD price war (and Suning-Gome before
it), promoted goods sold so cheap that suppliers bought them back on a large scale (大举) and
supplied them to the platforms again; the report counts this collusion between shop and supplier
among the ways sales are brushed. The goods go back to the supplier's warehouse, the shop's
sell-through and rank rise, and the supplier resells the stock
(docs/sources.md#p3-supplier-buyback: many buyer accounts collapsing onto one or a few
addresses, one corporate payer). Honest bulk buyers (companies, resellers) leave some of the
same traces, which is what makes the pattern hard.

Traces, naive to careful: bulk quantities at the promotion's lowest price (an explicit unit price,
the list price less ``discount``) vs orders split into an ordinary shopper's one or two units at the
price every buyer of the promotion pays; orders on any shop vs a share of its real sales; fresh
accounts on one device, all shipping to ONE address (the supplier's warehouse, in the shop's own
city) and paying from ONE payment account vs aged accounts, each on its own device, gathered on a
few *sites* in one city anywhere (about one site per ``careful_accounts_per_site`` accounts, each
site one address and one business payment account); the shop's hero item vs its range; a burst vs
orders spread over the span, always in office hours; no reviews in either case (the goods go back on
sale, nobody reviews them).

What a careful supplier cannot hide is its economics: the buy-back only pays if the stock comes
back to its warehouses to be resold, paid from its own money. It can age its accounts, give each
its own phone, split cases into ordinary orders and spread them over the day and the range, but
shipping to as many addresses as it has accounts would mean collecting parcels back from
strangers' homes, and paying from as many wallets reimbursing each of them. So however many
accounts it spreads the orders over, the addresses and payment accounts stay few (the number of
sites is blended geometrically from 1 when naive to ``accounts / careful_accounts_per_site``
when careful): each site receives far more orders and units from the one shop than any household,
and the accounts linked through its address and payment account form a group larger than a
household whose orders all go to that shop, what address and payment connected components find
(P3). The groups are no larger than an office's, so big households and shared addresses that
happen to favour one shop still compete with them, and a site as such (several accounts, one
payer, one shop) is what an honest small reseller looks like too (``bulk_buyers.resellers``):
what the supplier adds is the volume its sites take back from the shop during the price war.
"""


from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from ..market.drafts import NO_PRICE, REVIEW_NONE
from ..scenario.distributions import Dist
from ..scenario.model import Probability, param
from .base import STATUS_COMPLETED, CampaignContext, CampaignSpec, blend


@dataclass(frozen=True)
class Spec(CampaignSpec):
    """A supplier buy-back campaign."""

    quantity: Dist = param(Dist.of("lognorm", s=0.5, scale=40),
                           doc="Units per order of a naive supplier: stock bought back by the "
                               "case (at least 2).")
    careful_split: float = param(20.0, doc="How many times smaller a careful supplier's "
                                 "orders are: cases split into the one or two units of an "
                                 "ordinary shopper's order (at least one unit each).", min=1)
    careful_accounts_per_site: float = param(
        4.0, doc="Accounts of a careful supplier per site it ships to and pays from (a "
                 "warehouse or office with its own business payment account): the goods must "
                 "go back to stock, so its accounts gather on accounts / this many sites "
                 "(geometric blend from one site when naive).", min=1)
    discount: Probability = param(Probability(0.4), doc="Fraction off the item's list price "
                                  "that the supplier pays: the deepest discount of the price "
                                  "war.", min=0, max=0.95)
    opens: int = param(9, doc="Local hour the supplier's office opens: its orders fall between "
                              "`opens` and `closes` (anywhere in the span if it holds no such "
                              "hours and none follow in the window).", min=0, max=23)
    closes: int = param(18, doc="Local hour the supplier's office closes (24 = midnight); a "
                                "value not after `opens` stands for `opens` + 1.", min=1, max=24)


def office_times(ctx: CampaignContext, n: int, t0: int, t1: int, camouflage: float,
                 opens: int, closes: int) -> np.ndarray:
    """Sorted order times in office hours: ``ctx.order_times`` on a clock that stops at night.

    The clock runs through the office hours of ``[t0, t1)``; if the span holds none, through
    as many office seconds as the span is long from the next opening in the window.
    """
    tz = ctx.scenario.window.timezone
    zone = ZoneInfo(tz)
    closes = max(closes, opens + 1)
    first = datetime.fromtimestamp(t0, zone).date()
    last = datetime.fromtimestamp(ctx.window_end - 1, zone).date()
    days = [first + timedelta(days=d) for d in range((last - first).days + 1)]
    open_at = np.array([ctx.epoch(datetime.combine(d, time(opens))) for d in days])
    close_at = np.array([ctx.epoch(datetime.combine(d + timedelta(days=closes // 24),
                                                    time(closes % 24))) for d in days])
    lo = np.maximum(open_at, t0)
    hi = np.minimum(close_at, t1)
    length = np.clip(hi - lo, 0, None)
    budget = int(length.sum())
    if budget == 0:  # no office hours in the span: the next ones in the window
        hi = np.minimum(close_at, ctx.window_end)
        length = np.clip(hi - lo, 0, None)
        budget = min(int(length.sum()), t1 - t0)
        if budget == 0:
            return ctx.order_times(n, t0, t1, camouflage)
    keep = length > 0
    lo, length = lo[keep], length[keep]
    ends = np.cumsum(length)
    clock = ctx.order_times(n, 0, budget, camouflage)
    k = np.searchsorted(ends, clock, side="right")
    return (lo[k] + clock - (ends[k] - length[k])).astype(np.int64)


def supplier_sites(n_accounts: int, accounts_per_site: float, camouflage: float) -> int:
    """How many sites (an address with its own payment account) the supplier's accounts use.

    One warehouse when naive; when careful, one per ``accounts_per_site`` accounts: the goods go
    back to stock and the money comes from the supplier, so however many accounts it uses, they
    gather on a few sites (geometric blend in between, from 1 to at most ``n_accounts``).
    """
    careful = max(n_accounts / max(accounts_per_site, 1.0), 1.0)
    return int(min(max(round(blend(1.0, careful, camouflage)), 1), max(n_accounts, 1)))


#: The traces this pattern leaves (``brushbench explain`` groups them), most telling first.
TRACES = ("quantity", "price", "address", "payment", "device", "account_age")


def plan(spec: Spec, ctx: CampaignContext) -> None:
    """Plan one buy-back campaign: the supplier buys the promoted stock back."""
    rng, cam = ctx.rng, spec.camouflage
    m = ctx.market
    t0, t1 = ctx.span(spec)
    for shop in ctx.pick_shops(spec):
        n_accounts = ctx.count(spec.accounts)
        n_orders = ctx.ring_orders(spec, shop, t0, t1)
        sites = supplier_sites(n_accounts, spec.careful_accounts_per_site, cam)
        buyers = ctx.add_accounts(
            n_accounts, at=t0, camouflage=cam,
            city=np.repeat(ctx.cities_near(shop, 1, cam), sites),
            devices=max(1, round(cam * n_accounts)), addresses=sites, payments=sites)
        when = office_times(ctx, n_orders, t0, t1, cam, spec.opens, spec.closes)
        item = ctx.items(np.full(n_orders, shop), cam)
        bulk = np.maximum(spec.quantity.sample(rng, n_orders), 2)
        split = rng.random(n_orders) < cam
        quantity = np.maximum(np.rint(np.where(split, bulk / spec.careful_split, bulk)), 1)
        # A naive supplier names the price war's lowest price; a careful one pays what
        # every buyer of the promotion pays, so its price is no trace.
        deepest = np.rint(m.item_list_price[item] * (1.0 - spec.discount) / 10) * 10
        price = np.where(rng.random(n_orders) < cam, NO_PRICE, np.maximum(deepest, 10))
        ctx.add_orders(
            time=when, shop=shop, item=item, buyer=rng.choice(buyers, size=n_orders),
            beneficiary=shop, quantity=quantity.astype(np.int64),
            unit_price=price.astype(np.int64),
            status=STATUS_COMPLETED, review=REVIEW_NONE,
        )
        ctx.result.shops.append(int(shop))
        ctx.label("shop", shop, "beneficiary")
        ctx.label("account", buyers, "supplier")
        ctx.label("device", ctx.devices_of(buyers), "device")
