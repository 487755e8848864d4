"""What every fraud pattern shares: the campaign keys, the planning context and the result.

A pattern module defines ``Spec`` (a frozen dataclass extending :class:`CampaignSpec` with the
keys of its own) and ``plan(spec, ctx)``, which turns one campaign of a scenario into order drafts,
accounts and entity labels through the :class:`CampaignContext`. The shared completion stage then
gives those orders their parcels, refunds and reviews exactly as it does legitimate ones, apart
from what the draft forces (an empty parcel, a refund date, a templated review).

``camouflage`` runs from 0 (naive: fresh accounts, one device, a burst, empty parcels, one review
text, hundreds of orders on a shop that sells tens) to 1 (careful: hired brushers with real accounts
or aged ones, spread timing, real-weight parcels, varied reviews, shared infrastructure that
legitimate users share too, and fake sales kept to a share of the shop's real ones). The helpers
below interpolate between the two, so every pattern reads the knob the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np

from ..market.clock import to_epoch
from ..market.curves import Curve
from ..market.drafts import (
    CHANNEL,
    NO_PRICE,
    REVIEW_DEFAULT,
    STATUS_CANCELLED,
    STATUS_COMPLETED,
    STATUS_REFUNDED,
    TAG_FRAUD,
    UNSET,
    OrderDraft,
    pack_rows,
)
from ..market.geography import Geography
from ..market.marketplace import (
    Market,
    add_accounts,
    draw_account_ages,
    draw_channels,
    draw_cities,
    draw_levels,
    items_of,
    ordering_quantiles,
    registration_times,
)
from ..scenario.distributions import Dist
from ..scenario.model import Probability, Scenario, Seconds, param

#: Brushing orders per expected organic order a naive ring allows itself (no cap, in effect).
NAIVE_SHARE = 100.0

__all__ = ["NAIVE_SHARE", "ROLES", "STATUS_CANCELLED", "STATUS_COMPLETED", "STATUS_REFUNDED",
           "CampaignContext", "CampaignResult", "CampaignSpec", "PatternModule", "blend"]

#: Rounds of weighted draws :meth:`CampaignContext.real_accounts` makes before the uniform rest.
_DISTINCT_ROUNDS = 64

#: Roles an entity can hold in a campaign (``entity_labels.role``).
ROLES = ("controller", "fake_buyer", "beneficiary", "victim", "culprit", "supplier",
         "distributor", "device")


def blend(naive: float, careful: float, camouflage: float) -> float:
    """Geometric interpolation between a naive and a careful value: scales (seconds, counts)
    move by factors, not by steps."""
    return float(naive ** (1.0 - camouflage) * careful ** camouflage)


@dataclass(frozen=True)
class CampaignSpec:
    """Keys common to every fraud campaign of a scenario."""

    start: datetime = param(doc="When the campaign starts (local time).")
    duration: Seconds = param(Seconds(3600), doc="How long its orders keep coming.", min=60)
    shops: int = param(1, doc="How many shops the campaign serves (each gets its own ring).",
                       min=1)
    shop_ranks: tuple[int, ...] = param((20, 0), length=2, doc="Range of shops' popularity "
                                        "ranks to pick from, [best, worst]; 0 = the last shop.")
    accounts: Dist = param(Dist.constant(3), doc="Accounts the ring controls, per shop.")
    orders: Dist = param(Dist.constant(12), doc="Brushing orders per shop.")
    camouflage: Probability = param(Probability(0.0), doc="0 = naive (fresh accounts, one "
                                    "device, bursts, empty parcels), 1 = careful.", min=0, max=1)
    careful_share: float = param(0.25, doc="A careful ring (camouflage 1) places at most this "
                                 "many orders per organic order its shop can expect over the "
                                 "campaign's span (fake sales were 10-25% of sales in some "
                                 "categories, FT 2014); a naive one ignores the shop's size. "
                                 "The cap moves geometrically with camouflage.", min=0.001)


@dataclass
class CampaignResult:
    """Everything a campaign adds, in plan terms (indices, not public ids)."""

    drafts: list[OrderDraft] = field(default_factory=list)
    entities: list[tuple[str, np.ndarray, str]] = field(default_factory=list)
    shops: list[int] = field(default_factory=list)


class CampaignContext:
    """The plan as a pattern sees it while planning one campaign.

    Parameters
    ----------
    scenario, market
        The scenario and the marketplace so far (accounts added here extend it).
    index : int
        The campaign's position in the scenario's ``fraud`` list: its rows and ids derive
        from it, so campaigns never collide.
    rng : numpy.random.Generator
        The campaign's own named stream: nothing else draws from it.
    cities : Geography
        The scenario's cities (names, positions, populations), for the accounts it opens.
    curve : Curve
        The organic traffic's rate over the window, for the orders a shop can expect.
    camouflage : float
        The campaign's ``camouflage``, for what :meth:`add_orders` draws unless told
        (the channel).
    """

    def __init__(self, scenario: Scenario, market: Market, index: int, name: str,
                 rng: np.random.Generator, start: int, end: int, cities: Geography,
                 n_distributors: int, curve: Curve, camouflage: float = 0.0) -> None:
        self.scenario = scenario
        self.camouflage = camouflage
        self.curve = curve
        self.market = market
        self.index = index
        self.name = name
        self.rng = rng
        self.window_start, self.window_end = start, end
        self.cities = cities
        self.n_distributors = n_distributors
        self.result = CampaignResult()
        self._extra_distributors = 0

    @property
    def n_cities(self) -> int:
        """How many cities there are (city indices are 0..n_cities-1)."""
        return len(self.cities)

    # -- time ---------------------------------------------------------------------------------
    def epoch(self, moment: datetime) -> int:
        return to_epoch(moment, self.scenario.window.timezone)

    def span(self, spec: CampaignSpec) -> tuple[int, int]:
        """The campaign's [start, end) clipped to the window."""
        t0 = max(self.epoch(spec.start), self.window_start)
        return t0, max(min(t0 + spec.duration, self.window_end), t0 + 1)

    def order_times(self, n: int, t0: int, t1: int, camouflage: float) -> np.ndarray:
        """Sorted order times: a burst right after ``t0`` when naive, spread when careful.

        A naive ring fires its orders within minutes; a careful one spreads them over the span
        like ordinary traffic. Each order is one or the other, with probability ``camouflage``.
        """
        rng = self.rng
        burst = t0 + rng.exponential(max((t1 - t0) * 0.02, 30.0), n)
        spread = rng.uniform(t0, t1, n)
        times = np.where(rng.random(n) < camouflage, spread, burst)
        return np.sort(np.clip(np.rint(times), t0, t1 - 1).astype(np.int64))

    def promotion_end(self, at: int) -> int:
        """End of the promotion running at ``at`` (the window's end if there is none)."""
        for promo in self.scenario.traffic.promotions:
            p0 = self.epoch(promo.start)
            if p0 <= at < p0 + promo.duration:
                return p0 + promo.duration
        return self.window_end

    # -- shops and items ----------------------------------------------------------------------
    def pick_shops(self, spec: CampaignSpec, exclude: np.ndarray | None = None) -> np.ndarray:
        """``spec.shops`` distinct shops within ``spec.shop_ranks`` (by base popularity)."""
        m = self.market
        best, worst = spec.shop_ranks
        worst = m.n_shops if worst <= 0 else min(worst, m.n_shops)
        best = min(max(best, 1), worst)
        pool = m.shop_by_rank[best - 1:worst]
        if exclude is not None:
            pool = pool[~np.isin(pool, exclude)]
        if len(pool) == 0:
            pool = np.setdiff1d(np.arange(m.n_shops), exclude if exclude is not None else [])
        return self.rng.choice(pool, size=min(spec.shops, len(pool)), replace=False)

    def items(self, shop: np.ndarray, camouflage: float) -> np.ndarray:
        """Items of each order's shop: the shop's hero item when naive, its range when careful."""
        hero = self.market.shop_item_offset[shop]
        varied = items_of(self.market, shop, self.rng.random(len(shop)),
                          self.scenario.marketplace.item_popularity_skew)
        return np.where(self.rng.random(len(shop)) < camouflage, varied, hero)

    def count(self, dist: Dist, low: int = 1) -> int:
        return max(low, int(np.rint(dist.sample(self.rng, 1)[0])))

    def expected_orders(self, shop: int, t0: int, t1: int) -> float:
        """Organic orders ``shop`` can expect over ``[t0, t1)`` at its popularity before the
        window (what its owner sees in last season's figures, before re-ranking moves it)."""
        m = self.market
        share = m.shop_popularity[shop] / m.shop_popularity.sum()
        return float(self.scenario.traffic.orders * share * self.curve.mass(t0, t1))

    def ring_orders(self, spec: CampaignSpec, shop: int, t0: int, t1: int) -> int:
        """Brushing orders for one shop: ``spec.orders``, capped for a careful ring.

        A naive ring swamps a small shop (hundreds of orders on a shop that sells tens), so
        the shop's own figures give it away; a careful one keeps its fake sales to a share
        of the real ones (:meth:`within_share`).
        """
        return self.within_share(spec, self.count(spec.orders),
                                 self.expected_orders(shop, t0, t1))

    @staticmethod
    def within_share(spec: CampaignSpec, n: int, expected: float) -> int:
        """``n`` orders, or fewer for a careful ring: at most a share of the ``expected``
        real ones, ``careful_share`` at camouflage 1 and geometrically more as the knob falls
        (about 0.45 at 0.9, 5 at 0.5, :data:`NAIVE_SHARE` at 0); at least one."""
        cam = float(spec.camouflage)
        if cam <= 0:
            return n
        cap = blend(NAIVE_SHARE, spec.careful_share, cam) * expected
        return max(1, min(n, int(np.ceil(cap))))

    def expected_link_orders(self, distributor: int, t0: int, t1: int) -> float:
        """Orders an established distributor's link can expect over ``[t0, t1)``: its share
        of the affiliate channel, as the traffic draws links (busier ones more often)."""
        traffic = self.scenario.traffic
        affiliate = traffic.channels.get("affiliate", 0.0) / sum(traffic.channels.values())
        n = max(self.n_distributors, 1)
        link = np.sqrt((distributor + 1) / n) - np.sqrt(distributor / n)
        return float(traffic.orders * affiliate * link * self.curve.mass(t0, t1))

    # -- accounts -----------------------------------------------------------------------------
    def account_ages(self, n: int, camouflage: float) -> np.ndarray:
        """Account ages in days: fresh (registered days before) or aged like real accounts,
        drawn by the code that draws the buyers' ages (:func:`draw_account_ages`)."""
        fresh = self.rng.uniform(0.05, 10.0, n)
        aged = draw_account_ages(self.rng, self.scenario.marketplace, n)
        return np.where(self.rng.random(n) < camouflage, aged, fresh)

    def add_accounts(self, n: int, *, at: int, camouflage: float, city: np.ndarray,
                     devices: int, addresses: int, payments: int,
                     registered_at: np.ndarray | None = None) -> np.ndarray:
        """Open ``n`` accounts that share ``devices`` devices, ``addresses`` addresses and
        ``payments`` payment accounts (each at least 1), registered before ``at``.

        Returns their buyer indices. ``city`` gives each address's city. Registration times
        follow :meth:`account_ages` unless ``registered_at`` gives them (a batch sign-up).
        """
        rng = self.rng
        if registered_at is None:
            age = self.account_ages(n, camouflage)
            registered = registration_times(at - 60, age)
        else:
            registered = np.minimum(np.asarray(registered_at, dtype=np.int64), at - 60)
            age = (self.window_start - registered) / 86400
        # Nested groups, as people share things: the accounts of one device (or address, or
        # wallet) group are a union of the finest groups, so the groups never chain. Drawn
        # independently, a few hundred accounts on a couple each of phones, addresses and
        # wallets would all link into one identity cluster, which no careful ring would
        # allow and no household looks like.
        finest = max(devices, addresses, payments, 1)
        cell = rng.integers(0, finest, size=n)
        cell[: min(n, finest)] = np.arange(min(n, finest))  # every group used

        def coarse(groups: int) -> np.ndarray:
            return cell * max(groups, 1) // finest

        household, device, payment = coarse(addresses), coarse(devices), coarse(payments)
        self.market, buyers = add_accounts(
            self.market, registered, household, np.asarray(city)[: max(addresses, 1)],
            np.zeros(max(addresses, 1), dtype=bool), rng, device_group=device,
            payment_group=payment,
            # Levels of buyers who order, as the accounts beside them in the log have
            # (busy buyers show up more often, and more of them carry the activity bonus).
            level=draw_levels(rng, age, ordering_quantiles(self.market, self.scenario,
                                                           rng.random(n))))
        return buyers

    def ring(self, shop: int, n_accounts: int, at: int, camouflage: float) -> np.ndarray:
        """Accounts a shop controls, opened before ``at``.

        Naive, they share one phone, one address near the shop's warehouse and one wallet;
        careful, each has its own (``round(camouflage * n)`` of each), anywhere.
        """
        spread = max(1, round(camouflage * n_accounts))
        return self.add_accounts(
            n_accounts, at=at, camouflage=camouflage,
            city=self.cities_near(shop, n_accounts, camouflage),
            devices=spread, addresses=spread, payments=spread)

    def existing_buyers(self, n: int) -> np.ndarray:
        """Real accounts hired as brushers (刷手): drawn from the legitimate population."""
        return self.market.population.by_activity(self.rng.random(n))

    def real_accounts(self, n: int) -> np.ndarray:
        """``n`` distinct real accounts of the legitimate population, drawn like
        :meth:`existing_buyers` (accounts a ring rents or buys from their owners); fewer when
        the population has fewer."""
        population = self.market.population
        n = min(n, population.n)
        if 4 * n >= population.n:  # a small population: weigh every account at once
            activity = population.activity_of(np.arange(population.n))
            return self.rng.choice(population.n, size=n, replace=False,
                                   p=activity / activity.sum())
        # Successive weighted draws, keeping each account's first: what drawing without
        # replacement does, in rounds over the shortfall rather than a table per buyer.
        taken = np.zeros(0, dtype=np.int64)
        for _ in range(_DISTINCT_ROUNDS):
            drawn = np.concatenate((taken, self.existing_buyers(2 * (n - len(taken)) + 8)))
            _, first = np.unique(drawn, return_index=True)
            taken = drawn[np.sort(first)]
            if len(taken) >= n:
                return taken[:n]
        # Activity piled on so few accounts that rounds keep drawing them: the rest uniformly.
        rest = np.setdiff1d(self.rng.choice(population.n, size=2 * n, replace=False), taken)
        return np.concatenate((taken, rest))[:n]

    def hire(self, ring: np.ndarray, n_orders: int, camouflage: float) -> np.ndarray:
        """Each order's buyer: a hired brusher with probability ``camouflage``, else one of
        the ring's own accounts.

        Careful brushing is done by real people (真人刷单): brushers (刷手) recruited through
        task groups buy with their own accounts, phones, addresses and wallets, mostly one
        task per shop (the busiest shoppers take more tasks, so a few are hired twice), and
        are paid back off-platform (docs/sources.md#p1-self-purchase: "the seller or hired 刷手").
        Their accounts have the ordinary history of the population they come from, so what
        is left of the order is the trace the fraud's economics forces (the parcel, the
        refund, the link it went through), not who placed it.
        """
        rng = self.rng
        own = rng.choice(np.asarray(ring), size=n_orders)
        hired = self.existing_buyers(n_orders)
        return np.where(rng.random(n_orders) < camouflage, hired, own)

    def new_distributor(self) -> int:
        """A distributor index that no legitimate order uses."""
        self._extra_distributors += 1
        return self.n_distributors + 1000 * self.index + self._extra_distributors - 1

    def cities_near(self, shop: int, n: int, camouflage: float) -> np.ndarray:
        """Cities for ring addresses: the shop's own warehouse city, or, when careful, anywhere
        buyers live (big cities more often, as :func:`draw_cities` draws the buyers')."""
        home = np.full(n, self.market.shop_city[shop])
        anywhere = draw_cities(self.rng, self.scenario.marketplace, self.cities, n)
        return np.where(self.rng.random(n) < camouflage, anywhere, home)

    # -- output -------------------------------------------------------------------------------
    def add_orders(self, *, time: np.ndarray, shop: np.ndarray, item: np.ndarray,
                   buyer: np.ndarray, beneficiary: np.ndarray | int,
                   quantity: np.ndarray | int = 1, unit_price: np.ndarray | int = NO_PRICE,
                   channel: str | np.ndarray | None = None, victim: np.ndarray | int = UNSET,
                   distributor: np.ndarray | int = UNSET, parcel_fill: np.ndarray | float = np.nan,
                   status: np.ndarray | int = UNSET, refund_at: np.ndarray | int = UNSET,
                   review: np.ndarray | int = REVIEW_DEFAULT,
                   mobile: np.ndarray | int = UNSET, refund_after: np.ndarray | int = UNSET,
                   refund_hold: np.ndarray | int = UNSET) -> None:
        """Add brushing orders; scalars broadcast. Rows are numbered within the campaign.

        ``channel`` defaults to :meth:`channels` (a pattern whose orders must come through one
        channel, such as a distributor's link, names it).
        """
        n = len(time)
        first = sum(len(d) for d in self.result.drafts)

        def full(value, dtype):
            return np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()

        if channel is None:
            channel_code = self.channels(n)
        elif isinstance(channel, str):
            channel_code = np.full(n, CHANNEL[channel], dtype=np.int8)
        else:
            channel_code = np.asarray(channel, dtype=np.int8)
        self.result.drafts.append(OrderDraft(
            row=pack_rows(TAG_FRAUD, 0, self.index, first + np.arange(n)),
            time=np.asarray(time, dtype=np.int64), shop=full(shop, np.int64),
            item=full(item, np.int64), buyer=full(buyer, np.int64),
            quantity=np.maximum(full(quantity, np.int64), 1), unit_price=full(unit_price, np.int64),
            channel=channel_code, kind=np.full(n, UNSET, dtype=np.int8),
            campaign=np.full(n, self.index, dtype=np.int32),
            beneficiary=full(beneficiary, np.int64), victim=full(victim, np.int64),
            distributor=full(distributor, np.int64), parcel_fill=full(parcel_fill, np.float64),
            status=full(status, np.int8), refund_at=full(refund_at, np.int64),
            review=full(review, np.int8), mobile=full(mobile, np.int8),
            refund_after=full(refund_after, np.int64), refund_hold=full(refund_hold, np.int64),
        ))

    def channels(self, n: int) -> np.ndarray:
        """How ``n`` brushing orders reach the shop: as shoppers' orders do, in the scenario's
        ``traffic.channels`` shares (search, recommendations, promotion pages, shared and
        affiliate links; an affiliate order gets a distributor as organic ones do).

        Naive and careful rings alike: a brushing task's script may start from a keyword
        search, but a channel every fake order shares would be a default of the generator,
        not a trace of the fraud (issue 17). A pattern whose orders must come through one
        channel (a distributor's own link) names it.
        """
        return draw_channels(self.rng, self.scenario.traffic.channels, n)

    def label(self, entity_type: str, indices: np.ndarray | int, role: str) -> None:
        """Record entities (``account``, ``shop``, ``device``, ``distributor``) and their role."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        self.result.entities.append((entity_type, np.unique(np.atleast_1d(indices)), role))

    def devices_of(self, buyers: np.ndarray) -> np.ndarray:
        """Devices the given accounts have ordered from in this campaign so far.

        Accounts that never ordered are left out: an entity label must point at something
        in the log, and a device shows only on orders.
        """
        ordered = [d.buyer for d in self.result.drafts]
        used = np.intersect1d(np.asarray(buyers), np.concatenate(ordered) if ordered else [])
        return np.unique(self.market.device_offset(used.astype(np.int64)))


class PatternModule(Protocol):
    """What a pattern module provides (see :mod:`brushbench.patterns`); a module satisfies it."""

    # Read-only properties, so a module's narrower Spec class and fixed-length tuple conform.
    @property
    def Spec(self) -> type[CampaignSpec]:
        """The keys of the pattern's scenario entry."""

    @property
    def TRACES(self) -> tuple[str, ...]:
        """The traces it leaves, most telling first."""

    def plan(self, spec: Any, ctx: CampaignContext) -> None:
        """Add the campaign ``spec`` describes to ``ctx``, drawing only from ``ctx.rng``."""
