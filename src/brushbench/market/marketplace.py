"""The marketplace: shops, items, buyers, households and their identity pools, as arrays.

Everything here is indexed by position (shop 0..S-1, buyer 0..B-1, ...); public ids are made from
positions only when tables are written (:mod:`brushbench.generator.ids`). Identity pools are laid
out so that an order picks its device, payment account, address and IP with a few vectorised
look-ups, never a Python loop per buyer or order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..scenario.limits import LimitError
from ..scenario.model import Marketplace as MarketSpec
from .drafts import CHANNEL
from .geography import Geography
from .seeds import stream


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
    # buyers (legitimate population; later stages may append accounts of their own)
    buyer_household: np.ndarray
    buyer_activity_cdf: np.ndarray   # cumulative activity, for weighted buyer draws
    buyer_registered_at: np.ndarray  # int64 epoch seconds
    buyer_level: np.ndarray          # int8, 1..6
    buyer_device_offset: np.ndarray
    buyer_device_count: np.ndarray
    buyer_payment_offset: np.ndarray
    buyer_payment_count: np.ndarray
    # households: address index == household index
    household_city: np.ndarray
    household_size: np.ndarray
    household_device: np.ndarray     # shared device index, -1 where none
    household_payment: np.ndarray    # shared payment account index, -1 where none
    household_ip: np.ndarray         # uint32 home IP
    cgnat_ips: np.ndarray            # uint32 pool of carrier-grade NAT addresses
    n_devices: int
    n_payments: int
    n_categories: int
    # Where real logs vary (issue 17): a shop ships with 1-3 carriers, the main one first, and
    # some shops from a second warehouse; some buyers ship some orders to a second address.
    shop_carriers: np.ndarray        # int64 (shops, MAX_CARRIERS), the main carrier first
    shop_carrier_count: np.ndarray   # int64, 1..MAX_CARRIERS: the first ones are in use
    shop_second_city: np.ndarray     # int64 city of a second warehouse, -1 where none
    # A second address (an office, the parents': an address row no account lives at) of the
    # buyers drawn with the marketplace, -1 where none; accounts added later (beyond its
    # length) have none, so add_accounts need not extend it.
    buyer_second_address: np.ndarray

    @property
    def n_shops(self) -> int:
        return len(self.shop_popularity)

    @property
    def n_buyers(self) -> int:
        return len(self.buyer_household)


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
#: Share of buyers who ship some orders to a second address (an assumption).
SECOND_ADDRESS_SHARE = 0.15
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

    # Households and buyers.
    rng = stream(seed, "marketplace", "buyers")
    n_buyers = spec.buyers
    sizes = _positive_ints(spec.households.size.sample(rng, n_buyers))
    # Enough households to seat every buyer; the last one is cut to fit.
    n_households = int(np.searchsorted(np.cumsum(sizes), n_buyers) + 1)
    sizes = sizes[:n_households].copy()
    sizes[-1] -= int(sizes.sum() - n_buyers)
    buyer_household = np.repeat(np.arange(n_households), sizes)
    household_city = rng.choice(n_cities, size=n_households, p=city_w)
    activity = np.maximum(spec.buyer_activity.sample(rng, n_buyers), 1e-12)
    age_days = draw_account_ages(rng, spec, n_buyers)
    registered = registration_times(window_start, age_days)
    # Level grows with account age and activity, as marketplace tiers do.
    act_q = np.argsort(np.argsort(activity)) / max(n_buyers - 1, 1)
    level = account_level(age_days, act_q)

    # Personal devices and payment accounts, then the households' shared ones after them.
    rng = stream(seed, "marketplace", "identities")
    dev_count = _positive_ints(spec.devices_per_buyer.sample(rng, n_buyers))
    pay_count = _positive_ints(spec.payment_accounts_per_buyer.sample(rng, n_buyers))
    dev_offset = np.concatenate(([0], np.cumsum(dev_count)[:-1]))
    pay_offset = np.concatenate(([0], np.cumsum(pay_count)[:-1]))
    multi = sizes > 1
    shares_dev = multi & (rng.random(n_households) < spec.households.share_device)
    shares_pay = multi & (rng.random(n_households) < spec.households.share_payment)
    household_device = np.full(n_households, -1, dtype=np.int64)
    household_device[shares_dev] = int(dev_count.sum()) + np.arange(int(shares_dev.sum()))
    household_payment = np.full(n_households, -1, dtype=np.int64)
    household_payment[shares_pay] = int(pay_count.sum()) + np.arange(int(shares_pay.sum()))
    n_devices = int(dev_count.sum() + shares_dev.sum())
    n_payments = int(pay_count.sum() + shares_pay.sum())

    rng = stream(seed, "marketplace", "network")
    household_ip = _public_ipv4(rng, n_households)
    cgnat = _public_ipv4(rng, spec.network.cgnat_ips)

    shop_carriers, carrier_count, shop_second_city = _warehouses(
        seed, shop_city, shop_carrier, n_carriers, warehouse_w)
    rng = stream(seed, "marketplace", "price_endings")
    price = with_price_endings(price, rng.random(len(price)))
    # Second addresses are address rows of their own, after the households' (no account
    # lives there, so their home IPs are never used): appended here, before any later stage
    # appends households, so every index stays put.
    second_address, address_city, address_ip = _second_addresses(
        seed, buyer_household, household_city, n_households, city_w)
    n_second = len(address_city)
    household_city = np.concatenate((household_city, address_city))
    sizes = np.concatenate((sizes, np.zeros(n_second, dtype=sizes.dtype)))
    household_device = np.concatenate((household_device, np.full(n_second, -1, np.int64)))
    household_payment = np.concatenate((household_payment, np.full(n_second, -1, np.int64)))
    household_ip = np.concatenate((household_ip, address_ip))

    return Market(
        shop_carriers=shop_carriers, shop_carrier_count=carrier_count,
        shop_second_city=shop_second_city, buyer_second_address=second_address,
        shop_popularity=pop, shop_rank_before=rank_before, shop_by_rank=shop_by_rank,
        shop_category=shop_category, shop_city=shop_city, shop_carrier=shop_carrier,
        shop_item_offset=item_offset, shop_item_count=item_count,
        item_shop=item_shop, item_category=item_category, item_list_price=price,
        item_weight_g=weight,
        buyer_household=buyer_household, buyer_activity_cdf=np.cumsum(activity),
        buyer_registered_at=registered, buyer_level=level,
        buyer_device_offset=dev_offset, buyer_device_count=dev_count,
        buyer_payment_offset=pay_offset, buyer_payment_count=pay_count,
        household_city=household_city, household_size=sizes,
        household_device=household_device, household_payment=household_payment,
        household_ip=household_ip, cgnat_ips=cgnat,
        n_devices=n_devices, n_payments=n_payments, n_categories=len(categories),
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


def _second_addresses(seed: int, buyer_household: np.ndarray, household_city: np.ndarray,
                      n_households: int, city_w: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A second address for some buyers (an office desk, the parents' home): an address row
    of its own, half in the buyer's city, half anywhere. Not another buyer's household: that
    would link strangers' identities, which an office or a parent does not.

    Returns each buyer's second address (-1 where none), and the new rows' cities and IPs.
    """
    rng = stream(seed, "marketplace", "addresses")
    n_buyers = len(buyer_household)
    has = rng.random(n_buyers) < SECOND_ADDRESS_SHARE
    n_new = int(has.sum())
    own_city = household_city[buyer_household[has]]
    anywhere = rng.choice(len(city_w), size=n_new, p=city_w)
    city = np.where(rng.random(n_new) < 0.5, own_city, anywhere).astype(household_city.dtype)
    second = np.full(n_buyers, -1, dtype=np.int64)
    second[has] = n_households + np.arange(n_new)
    return second, city, _public_ipv4(rng, n_new)


def account_level(age_days: np.ndarray, activity_quantile: np.ndarray | float) -> np.ndarray:
    """Marketplace tier 1-6: grows with account age and, for the most active, with activity."""
    aq = np.asarray(activity_quantile)
    return np.clip(1 + np.log2(1 + np.asarray(age_days) / 60).astype(np.int64) // 2 + (aq > 0.8)
                   + (aq > 0.95), 1, 6).astype(np.int8)


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


def registration_times(at: int | np.ndarray, age_days: np.ndarray) -> np.ndarray:
    """When accounts of the given ages (days) at ``at`` (epoch seconds) were opened."""
    return np.asarray(at, dtype=np.int64) - np.rint(np.asarray(age_days) * 86400).astype(np.int64)


def draw_levels(rng: np.random.Generator, age_days: np.ndarray) -> np.ndarray:
    """Tiers of accounts opened outside the buyer population (sign-ups, companies, rings):
    :func:`account_level` at a uniform activity quantile, so one in five gets the activity
    bonus, as among the buyers (whose quantile is their activity's rank)."""
    age_days = np.asarray(age_days)
    return account_level(age_days, rng.random(age_days.shape))


def draw_channels(rng: np.random.Generator, channels: Mapping[str, float], n: int) -> np.ndarray:
    """``n`` channel codes drawn with the scenario's ``traffic.channels`` shares, as organic
    orders get theirs (names sorted, so a mapping's order does not change the draw)."""
    names = sorted(channels)
    weights = np.array([channels[name] for name in names], dtype=np.float64)
    codes = np.array([CHANNEL[name] for name in names], dtype=np.int8)
    return codes[rng.choice(len(names), size=n, p=weights / weights.sum())]


def buyers_by_activity(market: Market, u: np.ndarray) -> np.ndarray:
    """Buyer indices drawn in proportion to activity, one per uniform in ``u``."""
    cdf = market.buyer_activity_cdf
    return np.minimum(np.searchsorted(cdf, u * cdf[-1], side="right"), len(cdf) - 1)


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
    first_buyer, first_household = market.n_buyers, len(market.household_city)
    sizes = np.bincount(group, minlength=n_groups)
    shared_pay = group_shares_payment & (sizes > 1)
    household_payment = np.full(n_groups, -1, dtype=np.int64)
    household_payment[shared_pay] = (market.n_payments + n_new_payments
                                     + np.arange(int(shared_pay.sum())))
    cat = np.concatenate
    new = dataclasses.replace(
        market,
        buyer_household=cat((market.buyer_household, first_household + group)),
        buyer_registered_at=cat((market.buyer_registered_at, registered_at.astype(np.int64))),
        buyer_level=cat((market.buyer_level, np.ones(n, dtype=np.int8) if level is None
                         else np.asarray(level, dtype=np.int8))),
        buyer_device_offset=cat((market.buyer_device_offset, market.n_devices + device_group)),
        buyer_device_count=cat((market.buyer_device_count, np.ones(n, dtype=np.int64))),
        buyer_payment_offset=cat((market.buyer_payment_offset,
                                  market.n_payments + payment_group)),
        buyer_payment_count=cat((market.buyer_payment_count, np.ones(n, dtype=np.int64))),
        household_city=cat((market.household_city, group_city)),
        household_size=cat((market.household_size, sizes)),
        household_device=cat((market.household_device, np.full(n_groups, -1, dtype=np.int64))),
        household_payment=cat((market.household_payment, household_payment)),
        household_ip=cat((market.household_ip, _public_ipv4(rng, n_groups))),
        n_devices=market.n_devices + n_new_devices,
        n_payments=market.n_payments + n_new_payments + int(shared_pay.sum()),
    )
    return new, first_buyer + np.arange(n)
