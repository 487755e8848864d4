"""``post_promo_return``: promotion orders refunded once the promotion is over (刷单后退货).

From the seed report of Double 11 2015 (phone makers accusing each other of brushing): "some
makers brush during Double 11 and return the goods afterwards". A shop places orders through
accounts it controls while the promotion runs, so that its hourly rank, its GMV or a subsidy
threshold is reached when the platform takes its snapshot, and asks for refunds once the
promotion has ended (docs/sources.md#p2-post-promo-return). Post-Double 11 refund rates give the
scale: Tmall apparel averaged 10% in 2014 while Handu reached 64% and Jack Jones 38%
(docs/sources.md#refunds), so a shop's refund ratio alone is a weak signal: ordinary promotion
orders are returned more often too.

Traces, naive to careful: the shop's fresh accounts on one device and one address near its
warehouse vs hired brushers (真人刷单) ordering with their own accounts, one task each; hundreds of
orders on a small shop vs a share of its real sales (``careful_share``); a burst at the
campaign's start vs orders spread over its span (both inside the promotion); every order
refunded within hours of the promotion's end vs returned as ordinary orders are, relative to
the parcel (some while in transit, most days after delivery), never before the promotion's end,
with a share of the orders kept; no reviews at all vs ordinary reviews (rare
and harsh on refunded orders).
"""


from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..market.drafts import REVIEW_DEFAULT, REVIEW_NONE, UNSET
from ..scenario.distributions import Dist
from ..scenario.model import Probability, param
from .base import STATUS_COMPLETED, STATUS_REFUNDED, CampaignContext, CampaignSpec

HOUR, DAY = 3600, 86400


@dataclass(frozen=True)
class Spec(CampaignSpec):
    """A post-promotion return campaign: its orders fall inside the promotion running at
    `start` (without one, the window's end stands for the promotion's end)."""

    refund_hours: Dist = param(Dist.of("truncexpon", b=7.9, loc=0.05, scale=3.0),
                               doc="Hours from the promotion's end to a naive ring's refund "
                                   "requests, once the ranking snapshot is taken (clipped to "
                                   "one minute to one day; the default averages 3 hours).")
    kept: Probability = param(Probability(0.3), doc="Share of a careful ring's orders kept "
                              "(never refunded), so that the shop's refund ratio stays near "
                              "the promotion's ordinary one; scales with camouflage.",
                              min=0, max=1)


#: The traces this pattern leaves (``brushbench explain`` groups them), most telling first.
TRACES = ("refund_timing", "refund_cluster", "device", "address", "payment", "account_age",
          "repeat", "concentration", "timing")


def plan(spec: Spec, ctx: CampaignContext) -> None:
    """Plan one post-promotion return campaign: orders during the promotion, refunded after it."""
    rng, cam = ctx.rng, spec.camouflage
    t0, t1 = ctx.span(spec)
    end = ctx.promotion_end(t0)
    t1 = max(min(t1, end), t0 + 1)  # every order placed while the promotion runs
    for shop in ctx.pick_shops(spec):
        n_accounts = ctx.count(spec.accounts)
        n_orders = ctx.ring_orders(spec, shop, t0, t1)
        buyers = ctx.ring(shop, n_accounts, t0, cam)
        buyer = ctx.hire(buyers, n_orders, cam)
        time = ctx.order_times(n_orders, t0, t1, cam)
        careful = rng.random(n_orders) < cam
        kept = careful & (rng.random(n_orders) < spec.kept)
        rush = np.clip(spec.refund_hours.sample(rng, n_orders) * HOUR, 60, DAY)
        # A naive ring refunds on its own clock, within hours of the promotion's end; a
        # careful one returns the goods as a buyer would, relative to the parcel, only never
        # before the promotion is over (the completion stage draws an ordinary return
        # conditioned on coming after ``end``).
        refund_at = np.where(careful, UNSET, end + np.rint(rush).astype(np.int64))
        ctx.add_orders(
            time=time, shop=shop, item=ctx.items(np.full(n_orders, shop), cam),
            buyer=buyer, beneficiary=shop,
            status=np.where(kept, STATUS_COMPLETED, STATUS_REFUNDED),
            refund_at=np.where(kept, UNSET, refund_at),
            refund_after=np.where(careful & ~kept, end, UNSET),
            review=np.where(careful, REVIEW_DEFAULT, REVIEW_NONE),
        )
        ctx.result.shops.append(int(shop))
        ctx.label("shop", shop, "beneficiary")
        ctx.label("account", buyer, "fake_buyer")  # the ring's and the hired accounts
        ctx.label("device", ctx.devices_of(buyers), "device")
