"""``self_purchase``: a shop buys its own items through accounts it controls (自买自卖, 空包).

From the seed report of Double 11 2015 (phone makers accusing each other of brushing): the shop
orders through its own accounts at the moment that moves its rank most, ships empty parcels or a
token item (toilet rolls "for heft", FT 2014), and refunds the buyers off-platform, so the orders
complete and earn five-star reviews.

Traces, naive to careful: a burst at the campaign's start vs orders spread over its span; the
shop's own fresh accounts, on one shared device and one address near its warehouse, vs hired
brushers (真人刷单) ordering with their own aged accounts, phones and addresses, one task each;
hundreds of orders on a shop that sells tens vs a share of its real sales (``careful_share``); an
empty parcel vs a real-weight one; one templated five-star review vs ordinary ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..market.drafts import REVIEW_DEFAULT, REVIEW_TEMPLATE
from ..scenario.model import Probability, param
from .base import STATUS_COMPLETED, CampaignContext, CampaignSpec


@dataclass(frozen=True)
class Spec(CampaignSpec):
    """A self-purchase campaign."""

    empty_parcels: Probability = param(Probability(0.9), doc="Share of a naive ring's parcels "
                                       "shipped empty or with a token item; careful rings ship "
                                       "real weight.", min=0, max=1)


#: The traces this pattern leaves (``brushbench explain`` groups them), most telling first.
TRACES = ("parcel", "device", "address", "payment", "account_age", "review", "repeat",
          "concentration", "timing", "destination")


def plan(spec: Spec, ctx: CampaignContext) -> None:
    """Plan one self-purchase campaign: a ring of accounts per shop, buying from it."""
    rng, cam = ctx.rng, spec.camouflage
    t0, t1 = ctx.span(spec)
    for shop in ctx.pick_shops(spec):
        n_accounts = ctx.count(spec.accounts)
        n_orders = ctx.ring_orders(spec, shop, t0, t1)
        buyers = ctx.ring(shop, n_accounts, t0, cam)
        buyer = ctx.hire(buyers, n_orders, cam)
        time = ctx.order_times(n_orders, t0, t1, cam)
        empty = rng.random(n_orders) < spec.empty_parcels * (1 - cam)
        fill = np.where(empty, rng.choice([0.0, 0.02, 0.05], size=n_orders), np.nan)
        templated = rng.random(n_orders) >= cam
        ctx.add_orders(
            time=time, shop=shop, item=ctx.items(np.full(n_orders, shop), cam),
            buyer=buyer, beneficiary=shop, parcel_fill=fill,
            status=STATUS_COMPLETED,
            review=np.where(templated, REVIEW_TEMPLATE, REVIEW_DEFAULT),
        )
        ctx.result.shops.append(int(shop))
        ctx.label("shop", shop, "beneficiary")
        ctx.label("account", buyer, "fake_buyer")  # the ring's and the hired accounts
        ctx.label("device", ctx.devices_of(buyers), "device")
