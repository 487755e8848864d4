"""``click_farm``: software drives many accounts from a rack of phones (群控, device farms).

From domain.md §5 (P5) and §3.1: phone farms of 20-phone boards and racks of up to 1,000 phones
(CCTV 2024; the Thailand 2017 farm ran 474 iPhones on 347,200 SIM cards) run many accounts each,
change IP often, and fire orders in lockstep: the same items bought by the same accounts within
seconds (CopyCatch, D-Cube). A farm sells this to client shops, which it lifts in turn.

Every order goes out over mobile data (SIM rotation), so its IP is a carrier-grade NAT address
that legitimate users share too: IP is a weak signal by design.

Traces, naive to careful: about 25 accounts per phone vs about 2 (``accounts_per_device`` to
``careful_accounts_per_device``); waves where a fixed group of accounts buys one item of a client
shop within seconds, at machine-regular intervals, vs waves stretched over tens of minutes, at
random times, by random accounts, on a mix of the shop's items; accounts signed up in one batch
within minutes vs registered over months and years; a few addresses and wallets shared by dozens
of accounts in the farm's city vs a couple of accounts each, anywhere; one templated five-star
review vs ordinary ones. Each is interpolated by ``camouflage``.
"""


from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..generator.drafts import REVIEW_DEFAULT, REVIEW_TEMPLATE
from ..scenario.distributions import Dist
from ..scenario.model import Seconds, param
from . import register
from .base import STATUS_COMPLETED, CampaignContext, CampaignSpec, blend


@dataclass(frozen=True)
class Spec(CampaignSpec):
    """A click-farm campaign: one farm, serving ``shops`` client shops."""

    duration: Seconds = param(Seconds(6 * 3600), doc="How long the farm's waves keep coming.",
                              min=60)
    shops: int = param(3, doc="How many client shops the farm lifts (all with the same "
                       "accounts).", min=1)
    accounts: Dist = param(Dist.constant(300), doc="Accounts the farm drives, shared by all "
                           "its client shops.")
    orders: Dist = param(Dist.constant(100), doc="Brushing orders per client shop.")
    wave_size: Dist = param(Dist.constant(20), doc="Orders fired together in one wave (a "
                            "20-phone board), per client shop.")
    accounts_per_device: float = param(25.0, doc="Accounts run on one phone by a naive farm.",
                                       min=1)
    careful_accounts_per_device: float = param(2.0, doc="Accounts run on one phone by a "
                                               "careful farm (camouflage 1), like a household; "
                                               "geometric blend in between.",
                                               min=1)
    jitter: Seconds = param(Seconds(40), doc="Time from a naive wave's first order to its last "
                            "(software fires them together).", min=1)
    careful_jitter: Seconds = param(Seconds(45 * 60), doc="Time over which a careful farm "
                                    "(camouflage 1) spreads each wave; geometric blend "
                                    "in between.", min=1)
    signup_batch: Seconds = param(Seconds(600), doc="Time within which a naive farm registered "
                                  "all its accounts, days before the campaign; careful farms "
                                  "use accounts registered over months.", min=1)



@register("click_farm")
class ClickFarm:
    Spec = Spec

    @staticmethod
    def plan(spec: Spec, ctx: CampaignContext) -> None:
        rng, cam = ctx.rng, float(spec.camouflage)
        t0, t1 = ctx.span(spec)
        shops = ctx.pick_shops(spec)

        # The farm: its accounts, the phones that run them and where it sends the parcels.
        n_accounts = ctx.count(spec.accounts)
        per_device = blend(spec.accounts_per_device, spec.careful_accounts_per_device, cam)
        n_devices = min(n_accounts, max(1, round(n_accounts / per_device)))
        batch = t0 - np.rint(rng.uniform(2, 30) * 86400) + rng.uniform(0, spec.signup_batch,
                                                                       n_accounts)
        aged = t0 - np.rint(ctx.account_ages(n_accounts, 1.0) * 86400) - 60
        registered = np.where(rng.random(n_accounts) < cam, aged, batch).astype(np.int64)
        # Cities drawn where real buyers live: the farm's own, or anywhere when careful.
        m = ctx.market
        anywhere = m.household_city[m.buyer_household[ctx.existing_buyers(n_devices + 1)]]
        city = np.where(rng.random(n_devices) < cam, anywhere[1:], anywhere[0])
        buyers = ctx.add_accounts(n_accounts, at=t0, camouflage=cam, city=city,
                                  devices=n_devices, addresses=n_devices, payments=n_devices,
                                  registered_at=registered)

        # Waves: each targets one client shop; a shop's orders are cut into waves.
        sizes = [(int(shop), ctx.count(spec.orders), min(ctx.count(spec.wave_size), n_accounts))
                 for shop in shops]
        wave_shop = np.concatenate([np.full(-(-n // k), s) for s, n, k in sizes])
        wave_len = np.concatenate([np.minimum(k, n - k * np.arange(-(-n // k)))
                                   for _, n, k in sizes])
        n_waves, n = len(wave_len), int(wave_len.sum())
        wave = np.repeat(np.arange(n_waves), wave_len)
        pos = np.arange(n) - np.repeat(np.cumsum(wave_len) - wave_len, wave_len)

        # When: a scheduler's regular slots when naive, random times when careful; inside a
        # wave, evenly spaced over the jitter when naive, at random when careful.
        spread = blend(spec.jitter, spec.careful_jitter, cam)
        usable = max(t1 - t0 - spread, 1.0)
        slot = t0 + (rng.permutation(n_waves) + rng.random(n_waves) * 0.1) * usable / n_waves
        wave_at = (1 - cam) * slot + cam * rng.uniform(t0, t0 + usable, n_waves)
        offset = ((1 - cam) * (pos + 0.5) / wave_len[wave] + cam * rng.random(n)) * spread
        time = np.clip(np.rint(wave_at[wave] + offset), t0, t1 - 1).astype(np.int64)

        # Who and what: the same group of accounts moves together on one item when naive.
        group = buyers[rng.permutation(n_accounts)][np.arange(n) % n_accounts]
        buyer = np.where(rng.random(n) < cam, rng.choice(buyers, size=n), group)
        shop = wave_shop[wave]
        wave_item = ctx.items(wave_shop, 0.0)[wave]
        item = np.where(rng.random(n) < cam, ctx.items(shop, 1.0), wave_item)

        ctx.add_orders(
            time=time, shop=shop, item=item, buyer=buyer, beneficiary=shop, mobile=1,
            status=STATUS_COMPLETED,
            review=np.where(rng.random(n) >= cam, REVIEW_TEMPLATE, REVIEW_DEFAULT),
        )
        ctx.result.shops.extend(int(s) for s in shops)
        ctx.label("shop", shops, "beneficiary")
        ctx.label("account", buyers, "fake_buyer")
        ctx.label("device", ctx.devices_of(buyers), "device")
