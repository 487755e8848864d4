"""The marketplace: shops and items as arrays; buyers, households and their identity pools
as keyed functions of an index (:mod:`.population`), plus the few accounts later stages append.

Everything here is indexed by position (shop 0..S-1, buyer 0..B-1, ...); public ids are made from
positions only when tables are written (:mod:`brushbench.generator.ids`). An order picks its
device, payment account, address and IP with a few vectorised calls, never a Python loop per
buyer or order, and no array of the plan grows with the number of buyers (shops and items do:
one entry each).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..scenario.limits import LimitError
from ..scenario.model import Marketplace as MarketSpec
from ..scenario.model import Scenario
from .drafts import CHANNEL
from .geography import Geography
from .population import Population, account_level, build_population
from .population import registration_times as registration_times  # re-exported: patterns use it
from .seeds import integer_key, stream


@dataclass(frozen=True)
class Market:
    # shops
    shop_popularity: np.ndarray      # float64, relative base traffic
    shop_rank_before: np.ndarray     # int32, 1 = most popular
    shop_by_rank: np.ndarray         # int64, shop index at rank r+1
    shop_category: np.ndarray        # int64 index into categories
    shop_city: np.ndarray            # int64 index into cities
    shop_carrier: np.ndarray         # int64 index into carriers: the shop's main carrier
    shop_item_offset: np.ndarray     # int64, first item of the shop
    shop_item_count: np.ndarray      # int64, >= 1
    # items
    item_shop: np.ndarray
    item_category: np.ndarray
    item_list_price: np.ndarray      # int64 cents
    item_weight_g: np.ndarray        # int64 grams
    # The buyers drawn with the marketplace (0..population.n-1): keyed functions of the index,
    # no array per buyer, so the plan's memory does not grow with --scale.
    population: Population
    # Accounts appended by later stages (sign-ups, companies, rings: few), buyer index
    # population.n + position; their addresses are address rows population.n_addresses +
    # position. Each has one device and one payment account (shared with others by index).
    extra_household: np.ndarray      # int64 address index of the account's home
    extra_registered_at: np.ndarray  # int64 epoch seconds
    extra_level: np.ndarray          # int8, 1..6
    extra_device: np.ndarray         # int64 device index
    extra_payment: np.ndarray        # int64 payment account index
    extra_address_city: np.ndarray   # int64 city of each appended address
    extra_address_payment: np.ndarray  # int64 payment account the address shares, -1 where none
    extra_address_ip: np.ndarray     # uint32 home IP of each appended address
    cgnat_ips: np.ndarray            # uint32 pool of carrier-grade NAT addresses
    n_devices: int                   # device indices in use are below this
    n_payments: int                  # payment account indices in use are below this
    n_categories: int
    # Where real logs vary (issue 17): a shop ships with 1-3 carriers, the main one first, and
    # some shops from a second warehouse; some buyers ship some orders to a second address.
    shop_carriers: np.ndarray        # int64 (shops, MAX_CARRIERS), the main carrier first
    shop_carrier_count: np.ndarray   # int64, 1..MAX_CARRIERS: the first ones are in use
    shop_second_city: np.ndarray     # int64 city of a second warehouse, -1 where none

    @property
    def n_shops(self) -> int:
        return len(self.shop_popularity)

    @property
    def n_organic(self) -> int:
        """Buyers drawn with the marketplace (the ones organic traffic draws)."""
        return self.population.n

    @property
    def n_buyers(self) -> int:
        return self.population.n + len(self.extra_household)

    @property
    def n_addresses(self) -> int:
        return self.population.n_addresses + len(self.extra_address_city)

    # -- per buyer or address: the population's function below its size, the appended arrays
    # above it ----------------------------------------------------------------------------
    @staticmethod
    def _split(ids: np.ndarray, n: int, organic: Callable[[np.ndarray], np.ndarray],
               extra: np.ndarray) -> np.ndarray:
        i = np.asarray(ids, dtype=np.int64)
        if len(i) and i.max() < n:  # the common case: no appended account
            return organic(i)
        own = i < n
        out = np.empty(len(i), dtype=extra.dtype)
        out[own] = organic(i[own])
        out[~own] = extra[i[~own] - n]
        return out

    def _per_buyer(self, buyers: np.ndarray, organic: Callable[[np.ndarray], np.ndarray],
                   extra: np.ndarray) -> np.ndarray:
        return self._split(buyers, self.population.n, organic, extra)

    def household_of(self, buyers: np.ndarray) -> np.ndarray:
        """Each buyer's home address."""
        return self._per_buyer(buyers, self.population.household, self.extra_household)

    def city_of(self, buyers: np.ndarray) -> np.ndarray:
        """Each buyer's home city."""
        return self.address_city(self.household_of(buyers))

    def registered_at(self, buyers: np.ndarray) -> np.ndarray:
        return self._per_buyer(buyers, self.population.registered_at, self.extra_registered_at)

    def level(self, buyers: np.ndarray) -> np.ndarray:
        return self._per_buyer(buyers, self.population.level, self.extra_level)

    def device_offset(self, buyers: np.ndarray) -> np.ndarray:
        """Each buyer's first (for an appended account, only) device."""
        return self._per_buyer(buyers, self.population.device_offset, self.extra_device)

    def device(self, buyers: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One of each buyer's own devices, picked by the uniforms ``u``."""
        return self._pick(buyers, u, self.population.device, self.extra_device)

    def payment(self, buyers: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One of each buyer's own payment accounts, picked by the uniforms ``u``."""
        return self._pick(buyers, u, self.population.payment, self.extra_payment)

    def _pick(self, buyers: np.ndarray, u: np.ndarray,
              organic: Callable[[np.ndarray, np.ndarray], np.ndarray],
              extra: np.ndarray) -> np.ndarray:
        b = np.asarray(buyers, dtype=np.int64)
        own = b < self.population.n
        out = np.empty(len(b), dtype=np.int64)
        out[own] = organic(b[own], np.asarray(u)[own])
        out[~own] = extra[b[~own] - self.population.n]
        return out

    def second_address(self, buyers: np.ndarray) -> np.ndarray:
        """Each buyer's second address, -1 where none (appended accounts have none)."""
        b = np.asarray(buyers, dtype=np.int64)
        own = b < self.population.n
        return np.where(own, self.population.second_address(np.where(own, b, 0)), -1)

    def _per_address(self, addresses: np.ndarray, organic: Callable[[np.ndarray], np.ndarray],
                     extra: np.ndarray) -> np.ndarray:
        return self._split(addresses, self.population.n_addresses, organic, extra)

    def address_city(self, addresses: np.ndarray) -> np.ndarray:
        return self._per_address(addresses, self.population.address_city,
                                 self.extra_address_city)

    def address_ip(self, addresses: np.ndarray) -> np.ndarray:
        """Home IP (uint32) of each address."""
        return self._per_address(addresses, self.population.address_ip, self.extra_address_ip)

    def shared_device(self, addresses: np.ndarray) -> np.ndarray:
        """The device the household at each address shares, -1 where none."""
        pop = self.population
        a = np.asarray(addresses, dtype=np.int64)
        home = a < pop.n_households
        return np.where(home, pop.shared_device(np.where(home, a, 0)), -1)

    def shared_payment(self, addresses: np.ndarray) -> np.ndarray:
        """The payment account the household at each address shares, -1 where none."""
        pop = self.population
        a = np.asarray(addresses, dtype=np.int64)
        home = a < pop.n_households
        out = np.where(home, pop.shared_payment(np.where(home, a, 0)), -1)
        extra = a >= pop.n_addresses
        out[extra] = self.extra_address_payment[a[extra] - pop.n_addresses]
        return out


#: Carriers a shop ships with, at most.
MAX_CARRIERS = 3
# Shares of shops shipping with 1, 2 or 3 carriers (an assumption: small shops keep to one
# contract, larger ones add a fast and a cheap carrier).
_CARRIER_COUNT_P = (0.45, 0.35, 0.2)
#: Added to ``city_skew`` for where shops keep their warehouses: more in the big cities than
#: the buyers (an assumption: warehouses gather around logistics hubs).
WAREHOUSE_SKEW = 0.5
#: Share of shops with a second warehouse in another city (an assumption).
SECOND_WAREHOUSE_SHARE = 0.2
# Price endings in fen and their shares: shop prices end in .00, .90, .99, .80, .50, .88, .98
# and, for a few, any fen (an assumption from how shops price: charm endings dominate).
_ENDINGS = np.array([0, 90, 99, 80, 50, 88, 98])
_ENDING_CDF = np.cumsum([0.3, 0.2, 0.2, 0.08, 0.05, 0.05, 0.04, 0.08])


def with_price_endings(cents: np.ndarray, u: np.ndarray, floor: int = 100) -> np.ndarray:
    """Prices near ``cents`` with a shop's ending: the whole yuan below, then .00, .90, .99,
    .80, ... or, for a few, any fen, chosen by the uniforms ``u`` (one per price, so a price
    keyed by its item is the same for every order); at least ``floor`` cents."""
    u = np.asarray(u, dtype=np.float64)
    slot = np.minimum(np.searchsorted(_ENDING_CDF, u * _ENDING_CDF[-1], side="right"),
                      len(_ENDING_CDF) - 1)
    # The last slot, any fen: the uniform's position inside it picks the fen.
    lo = _ENDING_CDF[-2] / _ENDING_CDF[-1]
    odd = np.minimum(((u - lo) / (1 - lo) * 100).astype(np.int64), 99)
    ending = np.where(slot < len(_ENDINGS), _ENDINGS[np.minimum(slot, len(_ENDINGS) - 1)], odd)
    yuan = np.floor(np.asarray(cents, dtype=np.float64) / 100).astype(np.int64)
    return np.maximum(yuan * 100 + ending, floor).astype(np.int64)


def _positive_ints(values: np.ndarray, low: int = 1) -> np.ndarray:
    return np.maximum(np.rint(np.nan_to_num(values, nan=low)), low).astype(np.int64)


def _public_ipv4(rng: np.random.Generator, size: int) -> np.ndarray:
    """Random addresses outside 0/8, 10/8, 127/8, 172.16/12, 192.168/16 and multicast."""
    first = rng.choice(np.array([27, 36, 39, 42, 49, 58, 59, 60, 61, 101, 106, 110, 111, 112,
                                 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124,
                                 125, 175, 180, 182, 183, 202, 203, 210, 211, 218, 219, 220,
                                 221, 222, 223], dtype=np.uint32), size=size)
    rest = rng.integers(0, 1 << 24, size=size, dtype=np.uint32)
    return (first << np.uint32(24)) | rest


def build_market(spec: MarketSpec, cities: Geography, n_carriers: int, window_start: int,
                 seed: int) -> Market:
    """Draw the marketplace of a scenario; each part from its own named stream."""
    n_cities = len(cities)
    # Sorted by name: a mapping's order must not change the data (the scenario hash ignores it).
    names = sorted(spec.categories)
    categories = [spec.categories[name] for name in names]
    city_w = city_weights(cities, spec.city_skew)
    warehouse_w = city_weights(cities, spec.city_skew + WAREHOUSE_SKEW)

    # Shops: heavy-tailed popularity; warehouses concentrate in the big cities.
    rng = stream(seed, "marketplace", "shops")
    n_shops = spec.shops
    pop = np.maximum(spec.shop_popularity.sample(rng, n_shops), 1e-12)
    shop_by_rank = np.argsort(-pop, kind="stable")
    rank_before = np.empty(n_shops, dtype=np.int32)
    rank_before[shop_by_rank] = np.arange(1, n_shops + 1, dtype=np.int32)
    cat_p = np.array([c.share for c in categories]) / sum(c.share for c in categories)
    shop_category = rng.choice(len(categories), size=n_shops, p=cat_p)
    shop_city = rng.choice(n_cities, size=n_shops, p=warehouse_w)
    shop_carrier = rng.integers(0, n_carriers, size=n_shops)
    item_count = _positive_ints(spec.items_per_shop.sample(rng, n_shops))
    item_offset = np.concatenate(([0], np.cumsum(item_count)[:-1]))

    # Items: weights and prices by category, drawn category by category (a loop over a handful).
    rng = stream(seed, "marketplace", "items")
    item_shop = np.repeat(np.arange(n_shops), item_count)
    item_category = shop_category[item_shop]
    price = np.empty(len(item_shop), dtype=np.int64)
    weight = np.empty(len(item_shop), dtype=np.int64)
    for c, cat in enumerate(categories):
        idx = np.flatnonzero(item_category == c)
        # Drawn to the 10 fen here; the shop's ending (.90, .99, ...) comes after, from a
        # stream of its own. A 1-yuan floor keeps every item sellable.
        # A law that draws a price below zero is a mistake in the scenario, not a cheap item:
        # refused, never clamped to the floor.
        drawn = cat.price.sample(rng, len(idx))
        if len(drawn) and not np.all(drawn >= 0):
            bad = drawn[~(drawn >= 0)]
            raise LimitError(f"marketplace.categories.{names[c]}.price: expected a law of "
                             f"prices >= 0 cents, drew {len(bad):,} below 0 (e.g. {bad[0]:g}) "
                             f"from {cat.price}")
        price[idx] = np.maximum(np.rint(drawn / 10) * 10, 100)
        weight[idx] = _positive_ints(cat.weight_g.sample(rng, len(idx)), 5)

    # The buyers, their households and identities: keyed functions of a buyer's index.
    population = build_population(spec, city_w, window_start,
                                  integer_key(seed, "marketplace", "population"))
    rng = stream(seed, "marketplace", "network")
    cgnat = _public_ipv4(rng, spec.network.cgnat_ips)

    shop_carriers, carrier_count, shop_second_city = _warehouses(
        seed, shop_city, shop_carrier, n_carriers, warehouse_w)
    rng = stream(seed, "marketplace", "price_endings")
    price = with_price_endings(price, rng.random(len(price)))
    none_i, none_u = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32)
    return Market(
        shop_carriers=shop_carriers, shop_carrier_count=carrier_count,
        shop_second_city=shop_second_city,
        shop_popularity=pop, shop_rank_before=rank_before, shop_by_rank=shop_by_rank,
        shop_category=shop_category, shop_city=shop_city, shop_carrier=shop_carrier,
        shop_item_offset=item_offset, shop_item_count=item_count,
        item_shop=item_shop, item_category=item_category, item_list_price=price,
        item_weight_g=weight, population=population,
        extra_household=none_i, extra_registered_at=none_i,
        extra_level=np.zeros(0, dtype=np.int8), extra_device=none_i, extra_payment=none_i,
        extra_address_city=none_i, extra_address_payment=none_i, extra_address_ip=none_u,
        cgnat_ips=cgnat,
        n_devices=population.n * population.device_stride + population.n_households,
        n_payments=population.n * population.payment_stride + population.n_households,
        n_categories=len(categories),
    )


def _warehouses(seed: int, shop_city: np.ndarray, main_carrier: np.ndarray, n_carriers: int,
                city_w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each shop's carriers (1-3 distinct, its main one first) and second warehouse city."""
    rng = stream(seed, "marketplace", "warehouses")
    n_shops = len(shop_city)
    count = np.minimum(rng.choice(MAX_CARRIERS, size=n_shops, p=_CARRIER_COUNT_P) + 1,
                       n_carriers)
    # Distinct carriers per shop: the first columns of a random permutation of them each,
    # the main carrier's key set below every other so that it comes first.
    keys = rng.random((n_shops, n_carriers))
    keys[np.arange(n_shops), main_carrier] = -1.0
    perm = np.argsort(keys, axis=1)[:, :MAX_CARRIERS]
    carriers = np.empty((n_shops, MAX_CARRIERS), dtype=np.int64)
    carriers[:, :perm.shape[1]] = perm
    carriers[:, perm.shape[1]:] = perm[:, :1]  # fewer carriers than slots: repeat the main one
    second = rng.choice(len(city_w), size=n_shops, p=city_w)
    has_second = (rng.random(n_shops) < SECOND_WAREHOUSE_SHARE) & (second != shop_city)
    return carriers, count.astype(np.int64), np.where(has_second, second, -1).astype(np.int64)


# Every account, legitimate or a ring's, gets its city, age, registration time and level from
# the helpers below, so that none of them tells an account opened by a ring from a shopper's:
# what is left to tell them apart is what the fraud forces (a batch sign-up, a shared site).

def city_weights(cities: Geography, skew: float) -> np.ndarray:
    """Share of accounts living in each city: its population raised to ``skew``
    (:meth:`Geography.weights`), as the marketplace's buyers live."""
    return cities.weights(skew)


def draw_cities(rng: np.random.Generator, spec: MarketSpec, cities: Geography,
                n: int) -> np.ndarray:
    """``n`` cities drawn where the marketplace's buyers live (:func:`city_weights`)."""
    return rng.choice(len(cities), size=n, p=city_weights(cities, spec.city_skew))


#: Rounds of redrawing an account age that falls outside ``[1 day, max_account_age_days]``.
_AGE_REDRAWS = 8


def draw_account_ages(rng: np.random.Generator, spec: MarketSpec, n: int) -> np.ndarray:
    """Account ages in days, from ``spec.account_age_days`` cut to ``[1, max_account_age_days]``.

    A draw outside the range is drawn again (the law conditioned on the range), never clipped
    to its edge: clipped, the 1% of lognormal ages beyond the marketplace's age would all share
    one registration second, which no sign-up history has. What still falls outside after a few
    rounds (a law that mostly lies beyond the cap) is spread uniformly over the range.
    """
    low = min(1.0, spec.max_account_age_days)
    high = spec.max_account_age_days
    age = spec.account_age_days.sample(rng, n)
    for _ in range(_AGE_REDRAWS):
        out = np.flatnonzero(~((age >= low) & (age <= high)))
        if len(out) == 0:
            return age
        age[out] = spec.account_age_days.sample(rng, len(out))
    rest = np.flatnonzero(~((age >= low) & (age <= high)))
    age[rest] = rng.uniform(low, high, len(rest))
    return age


def draw_levels(rng: np.random.Generator, age_days: np.ndarray,
                quantile: np.ndarray | None = None) -> np.ndarray:
    """Tiers of accounts opened outside the buyer population (sign-ups, companies, rings):
    :func:`account_level` at the activity quantiles ``quantile``, by default uniform ones, so
    one in five gets the activity bonus, as among the buyers (whose quantile is their
    activity's rank)."""
    age_days = np.asarray(age_days)
    return account_level(age_days, rng.random(age_days.shape) if quantile is None else quantile)


def ordering_quantiles(market: Market, spec: Scenario, u: np.ndarray) -> np.ndarray:
    """Activity quantiles of the marketplace's buyers who order in the window, one per uniform
    in ``u`` (:meth:`.population.Population.ordering_quantile`): ``traffic.orders`` spread over
    the buyers, less the repeat bursts (a buyer coming back draws nobody new); of those,
    ``repeat_share`` go to regulars picked without regard to activity, ``orders_per_regular``
    each, so only one buyer in that many of them is drawn."""
    traffic = spec.traffic
    draws = traffic.orders * (1.0 - float(traffic.repeat_bursts.share))
    per_buyer = draws / max(market.n_organic, 1)
    repeat = float(traffic.repeat_share)
    k = float(traffic.orders_per_regular)
    regulars = per_buyer * repeat / k * -np.expm1(-k)  # buyers who are regulars and order
    return market.population.ordering_quantile(u, per_buyer * (1 - repeat),
                                               float(-np.log1p(-min(regulars, 0.999))))


def draw_channels(rng: np.random.Generator, channels: Mapping[str, float], n: int) -> np.ndarray:
    """``n`` channel codes drawn with the scenario's ``traffic.channels`` shares, as organic
    orders get theirs (names sorted, so a mapping's order does not change the draw)."""
    names = sorted(channels)
    weights = np.array([channels[name] for name in names], dtype=np.float64)
    codes = np.array([CHANNEL[name] for name in names], dtype=np.int8)
    return codes[rng.choice(len(names), size=n, p=weights / weights.sum())]


def buyers_by_activity(market: Market, u: np.ndarray) -> np.ndarray:
    """Buyer indices of the marketplace's own buyers drawn in proportion to activity, one per
    uniform in ``u`` (no table per buyer: :meth:`.population.Population.by_activity`)."""
    return market.population.by_activity(u)


def items_of(market: Market, shop: np.ndarray, u: np.ndarray, skew: float) -> np.ndarray:
    """An item of each shop, concentrated on the shop's first items (its best sellers)."""
    count = market.shop_item_count[shop]
    return market.shop_item_offset[shop] + np.minimum((count * u**skew).astype(np.int64),
                                                      count - 1)


def add_accounts(market: Market, registered_at: np.ndarray, group: np.ndarray,
                 group_city: np.ndarray, group_shares_payment: np.ndarray,
                 rng: np.random.Generator, device_group: np.ndarray | None = None,
                 payment_group: np.ndarray | None = None,
                 level: np.ndarray | None = None) -> tuple[Market, np.ndarray]:
    """Append accounts that organic traffic does not draw (sign-ups, companies, fraud rings).

    Accounts with the same ``group`` share an address and home IP (a new household), and a
    payment account where ``group_shares_payment``. Accounts with the same ``device_group``
    (``payment_group``) use one device (payment account); by default each has its own. ``level``
    is each account's tier (default 1, a new account).
    Returns the new market and the new accounts' buyer indices.
    """
    n, n_groups = len(registered_at), len(group_city)
    device_group = np.arange(n) if device_group is None else np.asarray(device_group)
    payment_group = np.arange(n) if payment_group is None else np.asarray(payment_group)
    n_new_devices = int(device_group.max()) + 1 if n else 0
    n_new_payments = int(payment_group.max()) + 1 if n else 0
    first_buyer, first_address = market.n_buyers, market.n_addresses
    sizes = np.bincount(group, minlength=n_groups)
    shared_pay = group_shares_payment & (sizes > 1)
    household_payment = np.full(n_groups, -1, dtype=np.int64)
    household_payment[shared_pay] = (market.n_payments + n_new_payments
                                     + np.arange(int(shared_pay.sum())))
    cat = np.concatenate
    new = dataclasses.replace(
        market,
        extra_household=cat((market.extra_household, first_address + group)),
        extra_registered_at=cat((market.extra_registered_at, registered_at.astype(np.int64))),
        extra_level=cat((market.extra_level, np.ones(n, dtype=np.int8) if level is None
                         else np.asarray(level, dtype=np.int8))),
        extra_device=cat((market.extra_device, market.n_devices + device_group)),
        extra_payment=cat((market.extra_payment, market.n_payments + payment_group)),
        extra_address_city=cat((market.extra_address_city,
                                np.asarray(group_city, dtype=np.int64))),
        extra_address_payment=cat((market.extra_address_payment, household_payment)),
        extra_address_ip=cat((market.extra_address_ip, _public_ipv4(rng, n_groups))),
        n_devices=market.n_devices + n_new_devices,
        n_payments=market.n_payments + n_new_payments + int(shared_pay.sum()),
    )
    return new, first_buyer + np.arange(n)
