"""``competitor_framing``: a rival brushes a shop to get it punished (对手故意刷单, 反向炒信).

From the seed report of Double 11 2015: when a customer bought 5,000 phones in one order from
Xiaomi's flagship store, Xiaomi answered that it was "being brushed" by a rival framing it. The
first criminal case of reverse brushing (Nanjing, 2016-17) had a rival place 1,500+ orders on a
shop and refund them quickly: the platform took them for brushing and demoted the shop, which
lost more than ¥100k in a few days (docs/sources.md#brushing-market and
docs/sources.md#p4-competitor-framing). The orders sit on the victim's shop, but the shop did
not cause them and gains nothing: the rival (culprit) is the one they serve, so a benchmark must
score culpability apart from fakeness.

Here the victim is picked among ``shop_ranks`` (the shops a rival wants to pull down) and the
culprit among the other shops of its category, preferring those close to it in rank. The rival's
staff accounts run the ring: the fake buyers share their devices, addresses (in the rival's city)
and payment accounts, so the buyers link to the rival, never to the victim.

Traces, naive to careful: one huge order (hundreds of units) or a burst of large orders from a
few fresh accounts vs ordinary-sized orders spread over the span, most placed by brushers hired
from task groups with their own real accounts (``camouflage`` of them) and the rest by the
ring's aged accounts; every order cancelled minutes to hours after it was placed vs returned as
ordinary orders are, relative to the parcel (in transit, days after delivery or weeks later), with
a share ``kept``; all buyers on the staff's devices and addresses in the rival's city vs some on
their own, anywhere; no reviews vs ordinary ones (rare and harsh on refunded orders).
"""


from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..market.drafts import REVIEW_DEFAULT, REVIEW_NONE, UNSET
from ..scenario.distributions import Dist
from ..scenario.model import Probability, param
from .base import (
    STATUS_CANCELLED,
    STATUS_COMPLETED,
    STATUS_REFUNDED,
    CampaignContext,
    CampaignSpec,
)

MINUTE, HOUR, DAY = 60, 3600, 86400


@dataclass(frozen=True)
class Spec(CampaignSpec):
    """A competitor-framing campaign: `shops` counts the victims, each framed by its own rival."""

    shop_ranks: tuple[int, ...] = param((1, 50), length=2, doc="Range of the victims' "
                                        "popularity ranks, [best, worst]; 0 = the last shop "
                                        "(rivals pull down the shops ahead of them).")
    staff: int = param(2, doc="The rival's staff accounts running the ring (role "
                       "`controller`): the fake buyers share their devices, addresses and "
                       "payment accounts.", min=1)
    single_order: Probability = param(Probability(0.3), doc="Chance that a naive rival frames "
                                      "its victim with one huge order instead of a burst "
                                      "(careful rivals never do).", min=0, max=1)
    huge_quantity: Dist = param(Dist.of("uniform", loc=200, scale=800),
                                doc="Units of that one order (Double 11 2015: one buyer, "
                                    "5,000 phones).")
    quantity: Dist = param(Dist.of("lognorm", s=0.6, scale=6),
                           doc="Units per order of a naive burst (at least 2); careful orders "
                               "take the ordinary traffic's quantities.")
    cancel_minutes: Dist = param(Dist.of("truncexpon", b=8.9, loc=1, scale=40),
                                 doc="Minutes from a naive order to its cancellation (clipped "
                                     "to 1 minute to 6 hours; the default averages 40 "
                                     "minutes).")
    kept: Probability = param(Probability(0.4), doc="Share of a careful rival's orders "
                              "(camouflage 1) kept instead of refunded, so that the victim's "
                              "refund ratio and the fake buyers' look ordinary.", min=0, max=1)
    spread_accounts: float = param(3.0, doc="How many times more fake accounts a careful "
                                   "rival spreads its orders over.", min=1)


def pick_culprit(ctx: CampaignContext, victim: int, exclude: np.ndarray) -> int:
    """A rival of ``victim``: a shop of its category, the closer in rank the likelier."""
    m = ctx.market
    others = np.setdiff1d(np.arange(m.n_shops), np.append(exclude, victim))
    if len(others) == 0:
        others = np.setdiff1d(np.arange(m.n_shops), [victim])
    same = others[m.shop_category[others] == m.shop_category[victim]]
    pool = same if len(same) else others
    gap = np.abs(m.shop_rank_before[pool].astype(np.int64) - int(m.shop_rank_before[victim]))
    weight = 1.0 / (1.0 + gap)
    return int(ctx.rng.choice(pool, p=weight / weight.sum()))


#: The traces this pattern leaves (``brushbench explain`` groups them), most telling first.
TRACES = ("quantity", "refund", "refund_cluster", "device", "address", "account_age",
          "concentration")


def plan(spec: Spec, ctx: CampaignContext) -> None:
    """Plan one framing campaign: a rival brushes the victim shop."""
    rng, cam = ctx.rng, spec.camouflage
    m = ctx.market
    t0, t1 = ctx.span(spec)
    victims = ctx.pick_shops(spec)
    if len(victims) == 0 or m.n_shops < 2:
        return
    for victim in victims:
        culprit = pick_culprit(ctx, int(victim), victims)
        n_staff = spec.staff
        n_fake = max(1, round(ctx.count(spec.accounts)
                              * (1 + cam * (spec.spread_accounts - 1))))
        # The staff come first: each has its own phone, home and wallet; naive fake buyers
        # all reuse those, careful ones mostly have their own (hired brushers, 刷手, with
        # their own accounts), so that the few left on the staff's phones look like a
        # household rather than a ring.
        own = round(cam * n_fake)
        n_homes = n_staff + own
        age = np.concatenate((ctx.account_ages(n_staff, 1.0),
                              ctx.account_ages(n_fake, cam)))
        accounts = ctx.add_accounts(
            n_staff + n_fake, at=t0, camouflage=cam,
            city=np.concatenate((np.full(n_staff, m.shop_city[culprit]),
                                 ctx.cities_near(culprit, own, cam))),
            devices=n_homes, addresses=n_homes, payments=n_homes,
            registered_at=t0 - np.rint(age * DAY).astype(np.int64) - MINUTE)
        staff, fake = accounts[:n_staff], accounts[n_staff:]

        single = rng.random() < spec.single_order * (1 - cam)
        n = 1 if single else ctx.ring_orders(spec, int(victim), t0, t1)
        when = ctx.order_times(n, t0, t1, cam)
        careful = np.zeros(n, dtype=bool) if single else rng.random(n) < cam
        if single:
            burst = np.maximum(spec.huge_quantity.sample(rng, 1), 2)
        else:
            burst = np.maximum(spec.quantity.sample(rng, n), 2)
        ordinary = np.maximum(ctx.scenario.traffic.quantity.sample(rng, n), 1)
        quantity = np.rint(np.where(careful, ordinary, burst)).astype(np.int64)
        cancel = np.clip(spec.cancel_minutes.sample(rng, n) * MINUTE, MINUTE, 6 * HOUR)
        kept = careful & (rng.random(n) < cam * spec.kept)
        status = np.where(careful, STATUS_REFUNDED, STATUS_CANCELLED)
        # A careful rival returns the goods as a buyer would: the completion stage places
        # the request relative to the parcel, like an ordinary return (some while it is
        # still in transit, most days after delivery, a few weeks later).
        refund_at = np.where(careful, UNSET, when + np.rint(cancel).astype(np.int64))
        # Careful rivals hire brushers from task groups for most orders (their own real
        # accounts), so that the victim's fake buyers mostly link to nobody.
        buyer = ctx.hire(fake, n, cam)
        ctx.add_orders(
            time=when, shop=victim, item=ctx.items(np.full(n, victim), cam),
            buyer=buyer, beneficiary=culprit, victim=victim,
            quantity=quantity,
            status=np.where(kept, STATUS_COMPLETED, status),
            refund_at=np.where(kept, UNSET, refund_at),
            review=np.where(careful, REVIEW_DEFAULT, REVIEW_NONE),
        )
        ctx.result.shops.append(culprit)
        ctx.label("shop", victim, "victim")
        ctx.label("shop", culprit, "culprit")
        ctx.label("account", buyer, "fake_buyer")
        ctx.label("account", staff, "controller")
        ctx.label("device", ctx.devices_of(accounts), "device")
