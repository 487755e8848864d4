"""``distributor_fake``: fake orders through a distributor's link for its commission (分销刷单).

From the seed note on brushing through Youzan distribution (分销) links and
docs/sources.md#p6-distributor-fake: a distributor, alone or with the shop, orders through their
own link so that the sales earn a commission (and lift the item for other distributors), then
refunds once the commission has settled. The platform's risk control looks for one device
ordering again and again, shipping addresses clustered together, odd payment accounts and IP
anomalies (Youzan rules, docs/sources.md#parcels); the after-sale trace is a refund spike just
after the settlement window.

A naive ring gets a distributor link of its own, which no legitimate order uses; a careful one
(with probability ``camouflage``) goes through an established affiliate whose link also carries
honest sales for many shops, so that a distributor selling one shop only is not the giveaway (a
busy one more often, as the traffic draws links), and keeps its fake sales to a share
(``careful_share``) of both the shop's and the link's real ones: a link that suddenly sells many
times its usual is what the risk control watches. Every order carries the "affiliate" channel and
that distributor. Links differ in their ordinary return rates too (``refunds.link_spread``), so a
link's refund ratio alone says little.

Traces, naive to careful: fresh accounts on one phone, one wallet and one address ordering again and
again vs mostly brushers from a task group (刷单群) ordering through the link with their own real
accounts, the rest aged accounts of the distributor's taking turns, with a phone, wallet and address
each, in its city; orders by the hundred on one shop vs a share of its real sales; the shop's
cheapest item vs its range; orders in a burst vs spread over the span; every order refunded within
hours of the commission settling (``settlement`` after the expected delivery) vs a share ``kept``
for good, so that the refund rate looks ordinary, and the rest returned like ordinary late
returns once the commission settled, counted from the actual delivery, a confirmation of
receipt that varies (``confirm_days``) and a settlement run in batches (``settlement_jitter``); no
reviews vs ordinary ones. Each is interpolated by ``camouflage``.
"""


from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..market.drafts import REVIEW_DEFAULT, REVIEW_NONE, UNSET
from ..scenario.distributions import Dist
from ..scenario.model import Probability, Seconds, param
from .base import STATUS_COMPLETED, STATUS_REFUNDED, CampaignContext, CampaignSpec

#: Expected time from order to delivery: the settlement clock starts when the buyer could confirm.
EXPECTED_DELIVERY = 3 * 86400
#: Mean delay of a naive refund after the commission settled (the distributor is waiting).
NAIVE_REFUND_LAG = 3 * 3600


@dataclass(frozen=True)
class Spec(CampaignSpec):
    """A fake-distributor campaign: one distributor per shop, ordering through its own link."""

    duration: Seconds = param(Seconds(12 * 3600), doc="How long its orders keep coming.",
                              min=60)
    accounts: Dist = param(Dist.constant(3), doc="Accounts the distributor orders from, per "
                           "shop (a naive ring shares one phone, wallet and address; a careful "
                           "one gives each account its own).")
    orders: Dist = param(Dist.constant(40), doc="Fake orders through the link, per shop.")
    settlement: Seconds = param(Seconds(7 * 86400), doc="Time from the buyer's confirmation "
                                "of receipt until the commission settles; refunds come after "
                                "it. A naive ring counts from the expected delivery (3 days "
                                "after the order), a careful one from the actual one.", min=60)
    confirm_days: Dist = param(Dist.of("uniform", loc=0.0, scale=5.0),
                               doc="Days from a careful ring's delivery until its buyer "
                                   "confirms receipt (at once, or when reminded), which starts "
                                   "the settlement clock.")
    settlement_jitter: Dist = param(Dist.of("uniform", loc=0.0, scale=2.0),
                                    doc="Days the settlement runs past its nominal time for a "
                                        "careful ring (payouts settle in daily or weekly "
                                        "batches).")
    kept: Probability = param(Probability(0.9), doc="Share of a careful distributor's orders "
                              "(camouflage 1) kept for good instead of refunded, so that its "
                              "refund rate looks ordinary; a naive one refunds them all.",
                              min=0, max=1)


#: The traces this pattern leaves (``brushbench explain`` groups them), most telling first.
TRACES = ("distributor", "device", "address", "payment", "refund", "refund_cluster", "account_age")


def plan(spec: Spec, ctx: CampaignContext) -> None:
    """Plan one campaign of fake orders through distributors' links."""
    rng, cam = ctx.rng, float(spec.camouflage)
    t0, t1 = ctx.span(spec)
    for shop in ctx.pick_shops(spec):
        # A naive ring opens a link of its own; a careful one goes through an established
        # affiliate, whose link also carries honest sales for many shops (a busy one more
        # likely, as the traffic draws them), and keeps its fake sales to a share of both
        # the shop's and the link's real ones: a link that suddenly sells many times its
        # usual is what the platform's risk control watches (seed 002).
        established = ctx.n_distributors > 0 and rng.random() < cam
        n_orders = ctx.ring_orders(spec, shop, t0, t1)
        if established:
            distributor = min(int(ctx.n_distributors * rng.random() ** 2),
                              ctx.n_distributors - 1)
            n_orders = ctx.within_share(spec, n_orders,
                                        ctx.expected_link_orders(distributor, t0, t1))
        else:
            distributor = ctx.new_distributor()
        n_accounts = ctx.count(spec.accounts)
        # Naive: one phone, one wallet, one address; careful: one each, in the same city.
        spread = max(1, round(cam * n_accounts))
        m = ctx.market  # the distributor lives where real buyers do
        home = m.city_of(ctx.existing_buyers(1))[0]
        buyers = ctx.add_accounts(
            n_accounts, at=t0, camouflage=cam, city=np.full(spread, home),
            devices=spread, addresses=spread, payments=spread)

        time = ctx.order_times(n_orders, t0, t1, cam)
        # Careful rings take turns so that no account orders twice before all have ordered.
        turns = buyers[rng.permutation(n_accounts)][rng.permutation(n_orders) % n_accounts]
        own = np.where(rng.random(n_orders) < cam, turns, rng.choice(buyers, size=n_orders))
        # Careful distributors post the link in a brushers' group (刷单群): hired brushers
        # order through it with their own accounts.
        buyer = np.where(rng.random(n_orders) < cam, ctx.existing_buyers(n_orders), own)
        first = m.shop_item_offset[shop]
        cheapest = first + int(np.argmin(
            m.item_list_price[first:first + m.shop_item_count[shop]]))
        item = np.where(rng.random(n_orders) < cam,
                        ctx.items(np.full(n_orders, shop), 1.0), cheapest)

        # Refunds wait for the commission. A naive ring counts from the expected delivery and
        # refunds within hours of the settlement; a careful one (each order with probability
        # ``camouflage``) waits for the actual delivery, a confirmation that comes when it
        # comes and a settlement that runs in batches, and then returns the goods as a
        # buyer would: an ordinary return drawn after that floor (legitimate after-sale
        # claims come over the same weeks). A careful ring keeps a share of its orders for
        # good, so that its refund rate stays near the marketplace's ordinary one.
        refunded = rng.random(n_orders) >= cam * spec.kept
        careful = rng.random(n_orders) < cam
        lag = rng.exponential(NAIVE_REFUND_LAG, n_orders)
        naive_at = time + EXPECTED_DELIVERY + spec.settlement + 60 + np.rint(lag).astype(
            np.int64)
        hold_days = (spec.confirm_days.sample(rng, n_orders)
                     + spec.settlement_jitter.sample(rng, n_orders))
        hold = spec.settlement + np.rint(np.maximum(hold_days, 0) * 86400).astype(np.int64)
        ctx.add_orders(
            time=time, shop=shop, item=item, buyer=buyer, beneficiary=shop,
            channel="affiliate", distributor=distributor,
            status=np.where(refunded, STATUS_REFUNDED, STATUS_COMPLETED),
            refund_at=np.where(refunded & ~careful, naive_at, UNSET),
            refund_hold=np.where(refunded & careful, hold, UNSET),
            review=np.where(rng.random(n_orders) < cam, REVIEW_DEFAULT, REVIEW_NONE),
        )
        ctx.result.shops.append(int(shop))
        ctx.label("distributor", distributor, "distributor")
        ctx.label("shop", shop, "beneficiary")
        ctx.label("account", buyer, "fake_buyer")
        ctx.label("device", ctx.devices_of(buyers), "device")
