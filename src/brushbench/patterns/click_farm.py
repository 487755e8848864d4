"""``click_farm``: software drives many accounts from a rack of phones (群控, device farms).

From docs/sources.md#p5-click-farm and docs/sources.md#brushing-market: phone farms of 20-phone
boards and racks of up to 1,000 phones (CCTV 2024; the Thailand 2017 farm ran 474 iPhones on
347,200 SIM cards) run many accounts each, change IP often, and fire orders in lockstep: the same
items bought by the same accounts within seconds (CopyCatch, D-Cube). A farm sells this to client
shops, which it lifts in turn.

Every order goes out over mobile data (SIM rotation), so its IP is a carrier-grade NAT address
that legitimate users share too: IP is a weak signal by design.

Traces, naive to careful: about 25 accounts per phone vs about 2 (``accounts_per_device`` to
``careful_accounts_per_device``); waves fired within seconds, at machine-regular intervals, vs
waves jittered over tens of minutes at random times; the shop's hero item in every wave vs a
different item of its range from wave to wave; the farm's own accounts, signed up in one batch
within minutes, vs mostly real shoppers' accounts rented or bought from their owners (租号, 买号: a
history, an address and a wallet of their own) and the rest its own, registered over months and
years; a few addresses and wallets shared by dozens of accounts in the farm's city vs a couple
of accounts each, anywhere; one templated five-star review vs ordinary ones; as many orders as
the client pays for vs a share of the client's real sales (``careful_share``). Each is
interpolated by ``camouflage``.

What a careful farm cannot hide is what it is paid for, and how group control works:

- *A wave buys one item within the hour.* The marketplace re-ranks every hour and gives the next
  hour's traffic to this hour's best sellers (docs/sources.md#promotion-day, Cai et al. 2018):
  that is what the client pays for. A wave therefore puts its orders on one item, and a careful
  farm can jitter them over the hour (``careful_jitter``, never beyond the scenario's ranking
  slice), while spreading them over the day or over the client's whole range would lift nothing.
- *A board acts as one.* Group-control (群控) software drives a board of phones with one command
  (20-phone boards, ¥3-6k per kit; racks of boards, docs/sources.md#brushing-market), so a wave
  is run by one board's accounts together. A naive farm runs all its accounts as one board,
  taking turns in a fixed rotation: the same group fires wave after wave. A careful farm deals
  its accounts onto boards of about ``careful_board`` (the accounts its phones switch between;
  device-ID reset tools give each its own fingerprint) and sends a fresh random share of the
  board each wave, but the share comes from the same board: its accounts keep meeting on one
  item in the same minutes, wave after wave, on different items and days. This is CopyCatch's
  lockstep (the same accounts, the same items, the same time windows, repeatedly), weakened but
  not gone: two accounts of a board are together in only some of its waves, and the jitter keeps
  some of those apart.

Aged accounts cost money (years of ordinary use, or rent paid to their owners), so a careful
farm keeps a pool it reuses a few times each rather than burning fresh ones. The flash-sale
crowd, the legitimate look-alike, is many accounts on one item in the same minutes too, but in
one burst, and never the same group again.
"""


from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..market.drafts import REVIEW_DEFAULT, REVIEW_TEMPLATE
from ..market.marketplace import registration_times
from ..scenario.distributions import Dist
from ..scenario.model import Seconds, param
from .base import STATUS_COMPLETED, CampaignContext, CampaignSpec, blend


@dataclass(frozen=True)
class Spec(CampaignSpec):
    """A click-farm campaign: one farm, serving ``shops`` client shops."""

    duration: Seconds = param(Seconds(6 * 3600), doc="How long the farm's waves keep coming.",
                              min=60)
    shops: int = param(3, doc="How many client shops the farm lifts (all with the same "
                       "accounts).", min=1)
    accounts: Dist = param(Dist.constant(100), doc="Accounts the farm drives for one client "
                           "shop's `orders`: its pool is one draw per client shop (cut in "
                           "proportion where `careful_share` cuts the orders), and every "
                           "shop's waves draw from the whole pool, so each account takes "
                           "about orders / accounts orders at any scale.")
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
                                    "in between, capped at the re-ranking interval (a wave "
                                    "lifts one slice's rank).", min=1)
    signup_batch: Seconds = param(Seconds(600), doc="Time within which a naive farm registered "
                                  "all its accounts, days before the campaign; careful farms "
                                  "use accounts registered over months.", min=1)
    careful_board: int = param(40, doc="Accounts on one board of a careful farm (camouflage "
                               "1): the accounts its phones take turns with. Each wave is run by "
                               "one board; a naive farm runs all its accounts as one board; "
                               "geometric blend in between.", min=1)


#: The traces this pattern leaves (``brushbench explain`` groups them), most telling first.
TRACES = ("device", "lockstep", "signup_batch", "address", "payment", "review", "account_age")


def plan(spec: Spec, ctx: CampaignContext) -> None:
    """Plan one click-farm campaign: waves of orders from a rack of phones."""
    rng, cam = ctx.rng, float(spec.camouflage)
    t0, t1 = ctx.span(spec)
    shops = ctx.pick_shops(spec)

    # What each client pays for: its orders (capped for a careful farm) and the accounts they
    # need. The farm sizes its pool by the job: accounts in proportion to the orders each
    # client gets, so a farm with twice the clients (a scenario at twice the scale, whose
    # biggest shops are bigger) drives twice the accounts, each reused as often, rather than
    # one pool twice as hard: reuse per account would be a trace of --scale, not of fraud.
    jobs = [(int(shop), ctx.count(spec.orders), ctx.count(spec.accounts)) for shop in shops]
    orders = [ctx.within_share(spec, drawn, ctx.expected_orders(shop, t0, t1))
              for shop, drawn, _ in jobs]
    n_accounts = sum(max(1, round(accounts * n / drawn))
                     for (_, drawn, accounts), n in zip(jobs, orders, strict=True))
    per_device = blend(spec.accounts_per_device, spec.careful_accounts_per_device, cam)
    n_devices = min(n_accounts, max(1, round(n_accounts / per_device)))
    batch = t0 - np.rint(rng.uniform(2, 30) * 86400) + rng.uniform(0, spec.signup_batch,
                                                                   n_accounts)
    aged = registration_times(t0 - 60, ctx.account_ages(n_accounts, 1.0))
    registered = np.where(rng.random(n_accounts) < cam, aged, batch).astype(np.int64)
    # Cities drawn where real buyers live: the farm's own, or anywhere when careful.
    m = ctx.market
    anywhere = m.city_of(ctx.existing_buyers(n_devices + 1))
    city = np.where(rng.random(n_devices) < cam, anywhere[1:], anywhere[0])
    opened = ctx.add_accounts(n_accounts, at=t0, camouflage=cam, city=city,
                              devices=n_devices, addresses=n_devices, payments=n_devices,
                              registered_at=registered)
    # A careful farm mostly drives real accounts rented or bought from their owners
    # (租号, 买号): the history, address and wallet of a real shopper, which no account it
    # opens itself can have.
    rented = np.flatnonzero(rng.random(n_accounts) < cam)
    real = ctx.real_accounts(len(rented))  # fewer on a marketplace with fewer shoppers
    buyers = opened.copy()
    buyers[rented[:len(real)]] = real

    # Waves: each targets one client shop; a shop's orders are cut into waves.
    sizes = [(shop, n, min(ctx.count(spec.wave_size), n_accounts))
             for (shop, _, _), n in zip(jobs, orders, strict=True)]
    wave_shop = np.concatenate([np.full(-(-n // k), s) for s, n, k in sizes])
    wave_len = np.concatenate([np.minimum(k, n - k * np.arange(-(-n // k)))
                               for _, n, k in sizes])
    n_waves, n = len(wave_len), int(wave_len.sum())
    wave = np.repeat(np.arange(n_waves), wave_len)
    pos = np.arange(n) - np.repeat(np.cumsum(wave_len) - wave_len, wave_len)

    # When: a scheduler's regular slots when naive, random times when careful; inside a
    # wave, evenly spaced over the jitter when naive, at random when careful. A wave
    # spread beyond one ranking slice would no longer lift the item's rank in it.
    spread = min(blend(spec.jitter, spec.careful_jitter, cam),
                 float(ctx.scenario.traffic.reranking.interval))
    usable = max(t1 - t0 - spread, 1.0)
    slot = t0 + (rng.permutation(n_waves) + rng.random(n_waves) * 0.1) * usable / n_waves
    wave_at = (1 - cam) * slot + cam * rng.uniform(t0, t0 + usable, n_waves)
    offset = ((1 - cam) * (pos + 0.5) / wave_len[wave] + cam * rng.random(n)) * spread
    time = np.clip(np.rint(wave_at[wave] + offset), t0, t1 - 1).astype(np.int64)

    # Who: each wave is run by one board, whose accounts take their turns in a fixed
    # order when naive, and a fresh random share of them per wave when careful.
    buyer = board_accounts(rng, buyers, spec.careful_board, cam, wave, pos)
    # What: one item per wave, the item whose rank it lifts: the shop's hero item when
    # naive, any item of its range (a different one from wave to wave) when careful.
    shop = wave_shop[wave]
    item = ctx.items(wave_shop, cam)[wave]

    ctx.add_orders(
        time=time, shop=shop, item=item, buyer=buyer, beneficiary=shop, mobile=1,
        status=STATUS_COMPLETED,
        review=np.where(rng.random(n) >= cam, REVIEW_TEMPLATE, REVIEW_DEFAULT),
    )
    ctx.result.shops.extend(int(s) for s in shops)
    ctx.label("shop", shops, "beneficiary")
    ctx.label("account", buyer, "fake_buyer")
    ctx.label("device", ctx.devices_of(opened), "device")  # the farm's own phones


def board_accounts(rng: np.random.Generator, accounts: np.ndarray, careful_board: int,
                   camouflage: float, wave: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """The account of each order: one of its wave's board.

    The farm's accounts are dealt onto boards of at most ``blend(len(accounts), careful_board,
    camouflage)`` accounts (a naive farm: all of them on one board) and each wave is given to
    one board, each board getting an equal share of the waves. Each order takes, with
    probability ``1 - camouflage``, its board's next account in a fixed rotation (so a naive
    group fires in the same order wave after wave), otherwise the ``pos``-th account of an
    ordering of the board drawn afresh for its wave (a careful board sends a different share
    of its accounts each time).

    Parameters
    ----------
    rng : numpy.random.Generator
        The campaign's stream.
    accounts : numpy.ndarray
        The farm's accounts (buyer indices).
    careful_board, camouflage : int, float
        The board size of a careful farm and the campaign's camouflage.
    wave, pos : numpy.ndarray
        Per order, sorted by wave: its wave (0, 1, ... with none empty) and its place in it.

    Returns
    -------
    numpy.ndarray
        The buyer of each order.
    """
    n_accounts, n_waves = len(accounts), int(wave.max(initial=-1)) + 1
    size = max(1, min(n_accounts, round(blend(n_accounts, careful_board, camouflage))))
    n_boards = -(-n_accounts // size)
    # Board b holds the accounts at positions [start[b], start[b + 1]) of a random order.
    dealt = accounts[rng.permutation(n_accounts)]
    start = -(-np.arange(n_boards + 1) * n_accounts // n_boards)
    members = np.diff(start)
    wave_board = rng.permutation(n_waves) % n_boards
    board = wave_board[wave]
    # Rotation: the k-th order a board fires takes its (k mod size)-th account.
    by_board = np.argsort(board, kind="stable")
    first = np.searchsorted(board[by_board], board[by_board])
    turn = np.empty(len(wave), dtype=np.int64)
    turn[by_board] = np.arange(len(wave)) - first
    rotation = turn % members[board]
    # A fresh ordering of each wave's board: sort random keys, its empty seats last.
    keys = rng.random((n_waves, int(members.max())))
    keys[np.arange(keys.shape[1]) >= members[wave_board][:, None]] = np.inf
    shuffled = np.argsort(keys, axis=1)[wave, pos % members[board]]
    seat = np.where(rng.random(len(wave)) < camouflage, shuffled, rotation)
    return dealt[start[board] + seat]
