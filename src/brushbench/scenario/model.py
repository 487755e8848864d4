"""The scenario language as typed, immutable objects.

Each dataclass below is one mapping of the YAML language; each field is one key. The loader
(:mod:`brushbench.scenario.loader`) builds these from YAML and the JSON Schema
(:mod:`brushbench.scenario.schema`) is derived from them, so this module is the single place where
the language is defined. A field's ``metadata`` carries its documentation and bounds.

Defaults come from public figures where there are any (``docs/sources.md``, cited in
``docs/scenarios.md``); the rest are marked as assumptions there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from .distributions import Dist
from .limits import MAX_BUYERS, MAX_ORDERS, MAX_SHOPS, MAX_WINDOW_SECONDS


class Seconds(int):
    """A duration in whole seconds, written ``90s``, ``3m``, ``24h``, ``7d`` or ``1h30m``."""


class Probability(float):
    """A share or probability, a number in [0, 1]."""


def param(default: Any = dataclasses.MISSING, *, doc: str, min: float | None = None,
          max: float | None = None, exclusive_min: bool = False,
          length: int | None = None) -> Any:
    """A scenario key: its default, its documentation and its bounds, in one place."""
    meta = {"doc": doc, "min": min, "max": max, "exclusive_min": exclusive_min, "length": length}
    if isinstance(default, (list, dict, Dist, tuple, MappingProxyType)) or dataclasses.is_dataclass(
        default
    ):
        frozen = default
        return field(default_factory=lambda: frozen, metadata=meta)
    return field(default=default, metadata=meta)


def _d(name: str, **params: float) -> Dist:
    # Built as Dist.of would, without its check: the check imports scipy.stats (half a second)
    # and these defaults are checked once, by a test, instead of at every import.
    return Dist(name, tuple(sorted((key, float(value)) for key, value in params.items())))


def _cat(values: list[float], weights: list[float]) -> Dist:
    return Dist.from_spec({"dist": "categorical", "values": values, "weights": weights})


# Hour-of-day share of orders in the Shopee Code League 2020 log (docs/sources.md#scl-log): a
# bimodal ordinary day with flash peaks at 00:00 and 12:00.
SCL_HOUR_PROFILE = (7.8, 4.0, 2.2, 1.3, 0.9, 0.7, 1.2, 2.3, 3.4, 3.7, 4.1, 5.2,
                    7.1, 5.6, 5.4, 4.8, 5.0, 5.2, 4.6, 4.2, 4.8, 5.4, 5.6, 5.7)


# --------------------------------------------------------------------------------------------
# Time
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Window:
    """The time span of the order log."""

    start: datetime = param(doc="First instant of the log, local time of `timezone` "
                                "(an offset in the value overrides it).")
    duration: Seconds = param(Seconds(86400), doc="Length of the log.", min=60,
                              max=MAX_WINDOW_SECONDS)
    timezone: str = param("Asia/Shanghai", doc="IANA time zone of the marketplace "
                                               "(e.g. Asia/Shanghai, America/New_York).")


# --------------------------------------------------------------------------------------------
# Marketplace
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Category:
    """One product category: how common it is, what its items weigh and cost."""

    share: float = param(doc="Relative share of shops selling this category.", min=0,
                         exclusive_min=True)
    weight_g: Dist = param(doc="Item weight in grams (Olist medians: telephony 200 g, "
                               "fashion bags 200 g, perfumery 400 g, bed-bath 1,250 g).")
    price: Dist = param(doc="List price in cents (fen).")


# Mappings are kept sorted by key, as the loader stores them, so that the order in which the
# generator walks them (and draws random numbers) is the same however a scenario was made.
DEFAULT_CATEGORIES = MappingProxyType(dict(sorted({
    "telephony": Category(3.0, _d("lognorm", s=0.5, scale=200), _d("lognorm", s=1.2, scale=9_900)),
    "fashion": Category(4.0, _d("lognorm", s=0.6, scale=300), _d("lognorm", s=0.7, scale=12_900)),
    "beauty": Category(2.0, _d("lognorm", s=0.5, scale=400), _d("lognorm", s=0.8, scale=8_900)),
    "home": Category(2.0, _d("lognorm", s=0.7, scale=1_250), _d("lognorm", s=0.8, scale=6_900)),
    "electronics": Category(1.5, _d("lognorm", s=0.8, scale=900),
                            _d("lognorm", s=1.0, scale=29_900)),
    "furniture": Category(0.5, _d("lognorm", s=0.6, scale=6_000),
                          _d("lognorm", s=0.7, scale=49_900)),
}.items())))


@dataclass(frozen=True)
class Households:
    """Accounts that share an address and, sometimes, a device, home IP or payment account.

    Families and offices are the legitimate reason why identities are shared; a detector that
    links every shared device to fraud pays for it here.
    """

    size: Dist = param(_cat([1, 2, 3, 4, 5, 8, 20],
                            [0.62, 0.18, 0.10, 0.06, 0.02, 0.015, 0.005]),
                       doc="Accounts per household (sizes 8 and 20 stand for offices).")
    share_device: Probability = param(Probability(0.35), doc="Share of multi-account households "
                                      "with one shared device (a family tablet, an office PC).",
                                      min=0, max=1)
    shared_device_use: Probability = param(Probability(0.4), doc="Share of a member's orders "
                                           "placed from the shared device, where there is one.",
                                           min=0, max=1)
    share_payment: Probability = param(Probability(0.25), doc="Share of multi-account households "
                                       "paying from one shared account.", min=0, max=1)


@dataclass(frozen=True)
class Network:
    """Where orders come from on the network."""

    mobile_share: Probability = param(Probability(0.6), doc="Share of orders placed over mobile "
                                      "data, behind carrier-grade NAT (many users per IP); the "
                                      "rest come from the household's home IP. Only phone "
                                      "orders (`traffic.platforms` app, mobile_web) go over "
                                      "mobile data, so the share is at most theirs.",
                                      min=0, max=1)
    cgnat_ips: int = param(400, doc="Size of the pool of carrier-grade NAT addresses.", min=1,
                           max=10_000_000)


@dataclass(frozen=True)
class Marketplace:
    """Shops, items and buyers with their pools of devices, addresses and payment accounts."""

    shops: int = param(2_000, doc="Number of shops.", min=1, max=MAX_SHOPS)
    shop_popularity: Dist = param(_d("lognorm", s=1.6, scale=1.0),
                                  doc="Relative base traffic of a shop (heavy-tailed).")
    items_per_shop: Dist = param(_d("geom", p=0.12), doc="Items a shop lists (at least 1).")
    item_popularity_skew: float = param(2.5, doc="Concentration of a shop's orders on its first "
                                        "items (1 = uniform, larger = a few best sellers).", min=1)
    categories: Mapping[str, Category] = param(DEFAULT_CATEGORIES,
                                               doc="Product categories by name.")
    buyers: int = param(100_000, doc="Number of buyer accounts before the window opens.", min=1,
                        max=MAX_BUYERS)
    buyer_activity: Dist = param(_d("lognorm", s=1.0, scale=1.0),
                                 doc="Relative ordering rate of a buyer (heavy-tailed).")
    account_age_days: Dist = param(_d("lognorm", s=1.0, scale=500),
                                   doc="Age of an account when the window opens, in days.")
    max_account_age_days: float = param(5000.0, doc="Age of the oldest account, in days: no "
                                        "account is older than the marketplace (Taobao opened "
                                        "in 2003); longer draws are drawn again (the law "
                                        "conditioned on this cap, with no pile-up at it).",
                                        min=1)
    cities: int = param(300, doc="Number of cities: the most populous ones of the locale's "
                        "table of real cities (zh_CN: 296 prefecture-level cities and "
                        "municipalities; en_US: 300 US cities; all of them when it has fewer, "
                        "docs/sources.md#geography); other locales: Faker names at invented "
                        "places, Zipf-sized.", min=1, max=5_000)
    city_skew: float = param(1.0, doc="How accounts spread over cities: a city's share is its "
                             "population to this power (1 = in proportion to population, 0 = "
                             "every city alike; warehouses use it + 0.5, gathering in the big "
                             "cities).", min=0)
    devices_per_buyer: Dist = param(_cat([1, 2, 3], [0.7, 0.25, 0.05]),
                                    doc="Personal devices per account.")
    payment_accounts_per_buyer: Dist = param(_cat([1, 2], [0.8, 0.2]),
                                             doc="Personal payment accounts per account.")
    households: Households = param(Households(), doc="Shared identities of families and offices.")
    network: Network = param(Network(), doc="IP addresses.")
    distributors: int = param(300, doc="Distribution (分销) partners whose links carry the "
                              "'affiliate' channel.", min=1,
                              max=100_000)


# --------------------------------------------------------------------------------------------
# Legitimate traffic
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Promotion:
    """A promotion day such as Double 11: a midnight burst, a plateau, an evening rise."""

    start: datetime = param(doc="When the promotion opens (local time).")
    duration: Seconds = param(Seconds(86400), doc="How long it lasts.", min=60)
    uplift: float = param(6.0, doc="Order rate during the promotion, outside the burst, as a "
                          "multiple of an ordinary hour.", min=0)
    burst_share: Probability = param(Probability(0.35), doc="Share of the promotion's orders in "
                                     "the opening burst (Double 11 2019: 37% in the first hour).",
                                     min=0, max=0.95)
    burst_tau: Seconds = param(Seconds(1200), doc="Decay time of the opening burst "
                               "(10-30 min in Double 11 reports).", min=1)
    evening_rise: float = param(1.5, doc="Multiplier of the rate from 20:00 to midnight.", min=0)
    discount: Dist = param(_d("uniform", loc=0.1, scale=0.3),
                           doc="Fraction taken off list prices during the promotion.")
    refund_uplift: float = param(2.0, doc="Refund rate of promotion orders as a multiple of "
                                 "the ordinary rate (post-Double 11 returns run 2-6x higher).",
                                 min=0)


@dataclass(frozen=True)
class Reranking:
    """The hourly re-ranking: next slice's traffic follows this slice's sales rank."""

    interval: Seconds = param(Seconds(3600), doc="Length of a ranking slice.", min=60)
    strength: float = param(1.0, doc="Extra traffic of the top shop, as a multiple of its base "
                            "traffic (0 switches the feedback off).", min=0)
    top_slots: float = param(50.0, doc="Rank scale of the boost: the shop at this rank gets "
                             "1/e of the top shop's extra traffic.", min=1)
    memory: Probability = param(Probability(0.5), doc="Weight of earlier slices in the ranking "
                                "score (exponential smoothing).", min=0, max=0.99)


@dataclass(frozen=True)
class Coupons:
    """Coupons paid with ordinary orders."""

    share: Probability = param(Probability(0.25), doc="Share of orders paying with a coupon.",
                               min=0, max=1)
    value: Dist = param(_d("uniform", loc=0.03, scale=0.12),
                        doc="Coupon value as a fraction of the order value.")


# Double 11 2017: 90-93% of orders from phones (2016: 85%; docs/sources.md#double11). The
# split between the app and mobile web pages is an assumption.
DEFAULT_PLATFORMS = MappingProxyType({"app": 0.82, "mobile_web": 0.08, "pc": 0.1})


@dataclass(frozen=True)
class RepeatBursts:
    """Buyers coming back to a shop within hours: a second checkout, a re-order, a split.

    The Shopee 2020 log's repeat buyers return to a shop after a median of 2.4 hours
    (docs/sources.md#scl-log), not days: an organic order here is, with probability `share`,
    placed by the buyer of an earlier order of the same shop from about `delay` before it
    (itself possibly such a repeat, so one buyer may come back several times).
    """

    share: Probability = param(Probability(0.0), doc="Share of organic orders placed by a "
                               "buyer coming back to a shop they ordered from shortly before "
                               "(0 = off).", min=0, max=0.9)
    delay: Dist = param(_d("lognorm", s=1.5, scale=3600),
                        doc="Seconds from the earlier order to the repeat (the earlier order "
                            "is one of the shop's orders in the ranking slice that time falls "
                            "in).")


DEFAULT_CHANNELS = MappingProxyType(dict(sorted({"search": 0.5, "recommend": 0.3, "campaign": 0.1,
                                                 "affiliate": 0.07, "share_link": 0.03}.items())))


@dataclass(frozen=True)
class Traffic:
    """Ordinary (organic) orders: volume, daily shape, re-ranking and order details."""

    orders: int = param(100_000, doc="Expected organic orders in the window.", min=0,
                        max=MAX_ORDERS)
    hour_profile: tuple[float, ...] = param(SCL_HOUR_PROFILE, length=24,
                                            doc="Relative order rate per hour of day "
                                                "(default: Shopee 2020 log, "
                                                "docs/sources.md#scl-log).")
    day_trend: tuple[float, ...] = param((1.0,), doc="Relative volume per day of the window; "
                                         "the last value repeats.")
    promotions: tuple[Promotion, ...] = param((), doc="Promotion days.")
    reranking: Reranking = param(Reranking(), doc="Hourly re-ranking feedback.")
    burstiness: float = param(1.0, doc="Spread of a shop's hour-to-hour rate: the standard "
                              "deviation of a log-normal multiplier with mean 1 (0 = Poisson "
                              "counts).", min=0, max=4)
    burst_crowd: float = param(0.0, doc="Expected orders per slice at which a shop's "
                               "hour-to-hour spread starts to shrink: `burstiness` is scaled by "
                               "sqrt(c / (c + expected)), since a busy shop's many buyers "
                               "average out (0 = the same spread for every shop).", min=0)
    repeat_share: Probability = param(Probability(0.12), doc="Share of a shop's orders from its "
                                      "regular customers.", min=0, max=1)
    orders_per_regular: float = param(2.5, doc="Orders a regular customer places in their "
                                      "shop on average: a shop has `repeat_share` of its "
                                      "expected orders over this many regulars (at least one), "
                                      "so a larger value makes fewer, more loyal regulars.",
                                      min=1, max=1000)
    repeat_bursts: RepeatBursts = param(RepeatBursts(), doc="Buyers coming back to a shop "
                                        "within hours.")
    quantity: Dist = param(_d("geom", p=0.9), doc="Units per order (Olist: 1 in 90%).")
    channels: Mapping[str, float] = param(DEFAULT_CHANNELS, doc="Relative share of each channel "
                                          "('affiliate' orders carry a distributor).")
    coupons: Coupons = param(Coupons(), doc="Coupon use.")
    platforms: Mapping[str, float] = param(DEFAULT_PLATFORMS, doc="Relative share of orders "
                                           "by platform: `app`, `mobile_web`, `pc` (default: "
                                           "90% from phones, Double 11 2017, "
                                           "docs/sources.md#double11; the app / mobile web "
                                           "split is an assumption). Whether a device is a PC "
                                           "is drawn once per device.")


@dataclass(frozen=True)
class FlashSale:
    """A hot item sold out to a crowd in minutes under a per-order purchase limit."""

    at: datetime = param(doc="When the sale opens (local time).")
    shop_rank: int = param(1, doc="The shop by base popularity (1 = most popular).", min=1)
    stock: int = param(2_000, doc="Units on sale.", min=1, max=10_000_000)
    per_order_limit: int = param(2, doc="Units one order may hold; buyers who want more "
                                 "split their purchase into several orders.", min=1)
    demand: Dist = param(_cat([1, 2, 3, 4, 5, 6], [0.45, 0.25, 0.12, 0.1, 0.05, 0.03]),
                         doc="Units each buyer in the crowd wants.")
    arrival_tau: Seconds = param(Seconds(120), doc="Mean delay of a buyer after the opening.",
                                 min=1)
    split_gap: Dist = param(_d("lognorm", s=0.8, scale=90),
                            doc="Seconds between the split orders of one buyer.")
    discount: Probability = param(Probability(0.5), doc="Fraction off the list price.",
                                  min=0, max=0.99)


@dataclass(frozen=True)
class Redirect:
    """A shop sends its own site's visitors to the marketplace: a sudden, legitimate jump."""

    at: datetime = param(doc="When the redirect starts (local time).")
    duration: Seconds = param(Seconds(7200), doc="How long it lasts.", min=60)
    shop_rank: int = param(3, doc="The shop by base popularity (1 = most popular).", min=1)
    orders: int = param(2_000, doc="Expected orders it brings.", min=0, max=10_000_000)
    new_account_share: Probability = param(Probability(0.6), doc="Share of those buyers who "
                                           "open a marketplace account just before ordering.",
                                           min=0, max=1)


@dataclass(frozen=True)
class BulkBuyers:
    """Corporate procurement and resellers: large quantities to a business address, and small
    resellers buying one shop's goods through a few accounts on one wallet."""

    accounts: int = param(40, doc="Bulk-buying accounts.", min=0, max=1_000_000)
    orders: int = param(400, doc="Expected bulk orders in the window.", min=0,
                        max=10_000_000)
    quantity: Dist = param(_d("lognorm", s=0.7, scale=25), doc="Units per bulk order.")
    resellers: Probability = param(Probability(0.3), doc="Share of the bulk accounts that "
                                   "belong to small resellers (微商, 代购: a family or a small "
                                   "shop reselling one shop's goods to its own customers): a "
                                   "few accounts per address (`reseller_accounts`), all paying "
                                   "from one wallet, all ordering from one shop (an assumption, "
                                   "the honest side of a supplier's one-payer site).",
                                   min=0, max=1)
    reseller_orders: Probability = param(Probability(0.06), doc="Share of the bulk orders "
                                         "placed by the resellers.", min=0, max=1)
    reseller_accounts: Dist = param(_cat([2, 3, 4, 5, 6], [0.3, 0.25, 0.2, 0.15, 0.1]),
                                    doc="Accounts of one reseller (family members' or "
                                    "staff's), sharing its address and wallet.")
    reseller_quantity: Dist = param(_d("lognorm", s=0.6, scale=2.0),
                                    doc="Units per reseller order (at least 1): what its own "
                                    "customers asked for, not cases.")


# --------------------------------------------------------------------------------------------
# After the order
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Logistics:
    """Parcels: carriers, handling and transit times, packaging and the carrier's scale."""

    carriers: tuple[str, ...] = param((), doc="Carrier names; empty = the locale's usual ones.")
    handling_hours: Dist = param(_d("lognorm", s=0.6, scale=18),
                                 doc="Hours from order to shipment.")
    promotion_backlog: float = param(1.8, doc="Handling-time multiplier for promotion orders.",
                                     min=1)
    transit_days_local: Dist = param(_d("lognorm", s=0.4, scale=1.0),
                                     doc="Days in transit within one city.")
    transit_days_remote: Dist = param(_d("lognorm", s=0.4, scale=1.4),
                                      doc="Days in transit between two cities, besides the "
                                          "distance (`transit_days_per_1000km`): pick-up, "
                                          "sorting hubs, the last mile.")
    transit_days_per_1000km: float = param(0.9, doc="Days in transit added per 1,000 km of "
                                           "great-circle distance between two cities (an "
                                           "assumption: trunk lines cover about 1,000 km a "
                                           "day, docs/sources.md#geography).", min=0)
    packaging_g: Dist = param(_d("lognorm", s=0.5, scale=120), doc="Packaging weight in grams.")
    scale_error: float = param(0.02, doc="Relative standard error of the carrier's scale.", min=0)


@dataclass(frozen=True)
class Refunds:
    """Cancellations and returns of ordinary orders."""

    rate: Probability = param(Probability(0.04), doc="Share of ordinary orders returned and "
                              "refunded (Shopee seller target: < 2.5%; US online: 16.5%).",
                              min=0, max=1)
    cancel_rate: Probability = param(Probability(0.02), doc="Share of orders cancelled and "
                                     "refunded before shipment.", min=0, max=1)
    delay_days: Dist = param(_d("lognorm", s=0.9, scale=2.0),
                             doc="Days from delivery to an ordinary return's request (the "
                                 "default puts nine in ten inside the 7-day no-reason window).")
    in_transit_share: Probability = param(Probability(0.1), doc="Share of returns requested "
                                          "before the parcel arrives: cancelled in transit, "
                                          "intercepted, or refund only (仅退款) for goods not "
                                          "received (5.5% of Handu's Double 11 2014 refunds "
                                          "gave 'not received' alone; the rest is an "
                                          "assumption). Placed uniformly over the transit.",
                                          min=0, max=1)
    late_share: Probability = param(Probability(0.2), doc="Share of returns that are after-sale "
                                    "claims (售后) made after the no-reason window: faults found "
                                    "in use, warranty and quality claims (an assumption).",
                                    min=0, max=1)
    late_days: Dist = param(_d("uniform", loc=7, scale=14),
                            doc="Days from delivery to an after-sale claim's request (the "
                                "default spreads them over the second and third weeks).")
    link_spread: float = param(0.8, doc="How much the return rate differs from one "
                               "distributor's link to the next: the sigma of a lognormal "
                               "factor (mean 1) on the refund rate of the orders each link "
                               "carries (links that push poor goods come back more).", min=0)
    processing_hours: Dist = param(_d("lognorm", s=0.8, scale=20),
                                   doc="Hours from request to refund.")
    partial_share: Probability = param(Probability(0.15), doc="Share of refunds that return "
                                       "part of the amount paid.", min=0, max=1)


@dataclass(frozen=True)
class Reviews:
    """Reviews written after delivery."""

    rate: Probability = param(Probability(0.35), doc="Share of delivered orders reviewed.",
                              min=0, max=1)
    ratings: tuple[float, ...] = param((0.04, 0.02, 0.06, 0.16, 0.72), length=5,
                                       doc="Relative frequency of ratings 1 to 5.")
    delay_days: Dist = param(_d("lognorm", s=0.9, scale=3.0),
                             doc="Days from delivery to the review.")


# --------------------------------------------------------------------------------------------
# The scenario
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    """One scenario: a marketplace, its legitimate traffic and the fraud injected into it."""

    name: str = param(doc="Short identifier (letters, digits, '_' and '-').")
    window: Window = param(doc="Time span of the log.")
    description: str = param("", doc="One line shown by `brushbench scenarios`.")
    sources: tuple[str, ...] = param((), doc="Where the figures come from (citations).")
    seed: int = param(0, doc="Default seed; `--seed` overrides it.", min=0)
    locale: str = param("zh_CN", doc="Faker locale of names, cities and review texts "
                                     "(zh_CN, en_US, ...).")
    marketplace: Marketplace = param(Marketplace(), doc="Shops, items, buyers, identities.")
    traffic: Traffic = param(Traffic(), doc="Organic orders.")
    flash_sales: tuple[FlashSale, ...] = param((), doc="Flash sales.")
    redirects: tuple[Redirect, ...] = param((), doc="Traffic redirected from shops' own sites.")
    bulk_buyers: BulkBuyers = param(BulkBuyers(), doc="Corporate and reseller buyers.")
    logistics: Logistics = param(Logistics(), doc="Parcels.")
    refunds: Refunds = param(Refunds(), doc="Cancellations and returns.")
    reviews: Reviews = param(Reviews(), doc="Reviews.")
    fraud: tuple[Any, ...] = param((), doc="Fraud campaigns, each naming a registered "
                                   "pattern (see `brushbench patterns`).")
