"""Complete drafts into full orders: identity, price, status, parcel, refund, review.

One code path for every source of orders, so that formats, precisions and null patterns are the
same for all of them; a source differs only in what its draft says (who, what, when, how many)
and, for fraud patterns, in the overrides they apply to the completed columns afterwards.

The result is one record per order (:class:`OrderColumns`), with the after-sale columns aligned
to it; :mod:`.tables` cuts it into the published tables once a time block is sorted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import ndtri

from ..dataset.tables import PLATFORMS
from ..market.drafts import (
    CHANNEL,
    KIND,
    NO_PRICE,
    REVIEW_NONE,
    REVIEW_TEMPLATE,
    STATUS_CANCELLED,
    STATUS_COMPLETED,
    STATUS_REFUNDED,
    UNSET,
    OrderDraft,
)
from ..market.marketplace import with_price_endings
from ..market.seeds import integer_key
from .ids import ORDER_BITS, scramble
from .pools import REVIEWS_PER_GROUP
from .randomness import RowUniforms

if TYPE_CHECKING:
    from ..scenario.distributions import Dist
    from ..scenario.model import Refunds
    from .plan import Plan

REFUND_REASONS = ("no_reason", "quality", "not_as_described", "size_or_fit", "damaged",
                  "not_received", "cancelled")
# Shares of return reasons; "no reason" dominates (56% of Handu's 2014 Double 11 refunds).
_RETURN_REASON_CDF = np.cumsum([0.56, 0.14, 0.12, 0.1, 0.05, 0.03])
_REFUNDED_RATING_CDF = np.cumsum([0.55, 0.25, 0.15, 0.05, 0.0])
# Quantiles at which a law is tabulated to invert it (:func:`_cdf`); denser in the tails.
_CDF_GRID = np.concatenate(([0.0], np.logspace(-6, -2, 40)[:-1], np.linspace(0.01, 0.99, 981),
                            1 - np.logspace(-2, -6, 40)[1:]))
NULL = -1
#: Share of a buyer's orders shipped to their second address, where they have one.
SECOND_ADDRESS_USE = 0.3
#: Share of orders shipped from a shop's second warehouse, outside both warehouses' cities.
SECOND_WAREHOUSE_USE = 0.3
#: Code of ``pc`` in :data:`PLATFORMS` (the phones' platforms come before it).
PLATFORM_PC = PLATFORMS.index("pc")


@dataclass
class OrderColumns:
    """Per-order columns of every table; after-sale values count only where their mask is set."""

    order_id: np.ndarray
    created_at: np.ndarray
    buyer: np.ndarray
    shop: np.ndarray
    item: np.ndarray
    quantity: np.ndarray
    unit_price: np.ndarray
    paid_amount: np.ndarray
    coupon_amount: np.ndarray
    channel: np.ndarray
    device: np.ndarray
    platform: np.ndarray       # index into PLATFORMS
    ip: np.ndarray             # an address's home IP, or past the addresses the CGNAT pool
    payment: np.ndarray
    household: np.ndarray      # the address index
    distributor: np.ndarray    # NULL unless the channel is affiliate
    status: np.ndarray
    kind: np.ndarray
    carrier: np.ndarray
    tracking_no: np.ndarray
    shipped: np.ndarray        # bool: has a parcel (not cancelled)
    shipped_at: np.ndarray
    delivered_at: np.ndarray
    declared_weight_g: np.ndarray
    weighed_weight_g: np.ndarray
    origin_city: np.ndarray
    dest_city: np.ndarray
    has_refund: np.ndarray     # bool
    refund_requested_at: np.ndarray
    refunded_at: np.ndarray
    refund_reason: np.ndarray
    refund_amount: np.ndarray
    reviewed: np.ndarray       # bool
    review_at: np.ndarray
    rating: np.ndarray
    review_text: np.ndarray    # index into the flattened review pool
    campaign: np.ndarray       # campaign index, -1 for legitimate orders
    beneficiary: np.ndarray    # shop index, -1 where none
    victim: np.ndarray         # shop index, -1 where none

    def __len__(self) -> int:
        return len(self.order_id)

    def take(self, index: np.ndarray) -> OrderColumns:
        return OrderColumns(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def concat(parts: list[OrderColumns]) -> OrderColumns:
        return OrderColumns(**{f.name: np.concatenate([getattr(p, f.name) for p in parts])
                               for f in fields(OrderColumns)})


def _round_to(values: np.ndarray, step: int) -> np.ndarray:
    return (np.rint(values / step) * step).astype(np.int64)


def order_ids(plan: Plan, row: np.ndarray) -> np.ndarray:
    """Public order ids of packed order identities."""
    return scramble(row, integer_key(plan.seed, "ids", "order"), ORDER_BITS)


@dataclass
class _Parcel:
    carrier: np.ndarray
    handling: np.ndarray       # seconds from the order to shipping
    shipped_at: np.ndarray
    delivered_at: np.ndarray
    declared_weight_g: np.ndarray
    weighed_weight_g: np.ndarray
    origin_city: np.ndarray
    dest_city: np.ndarray


@dataclass
class _Refund:
    has_refund: np.ndarray
    requested_at: np.ndarray
    refunded_at: np.ndarray
    reason: np.ndarray
    amount: np.ndarray


@dataclass
class _Review:
    reviewed: np.ndarray
    review_at: np.ndarray
    rating: np.ndarray
    text: np.ndarray


def complete_orders(plan: Plan, draft: OrderDraft,
                    order_id: np.ndarray | None = None) -> OrderColumns:
    """Fill every column of every table for the orders in ``draft`` (ids given or derived)."""
    market = plan.market
    row = draft.row
    u = plan.uniforms.bind(row)
    buyer, shop, item = draft.buyer, draft.shop, draft.item
    home = market.household_of(buyer)
    device, platform, payment, ip, kind = _identity(plan, draft, u, home)
    address = _address(plan, draft, u, home)
    promo = _promotion_of(plan, draft.time)
    unit_price, coupon, paid = _price(plan, draft, u, promo)
    distributor = _distributor(plan, draft, u)
    status = _status(plan, draft, u, promo, distributor)
    parcel = _parcel(plan, draft, u, promo, address)
    _ship_before_forced_refund(draft, u, status, parcel)
    tracking = scramble(row, integer_key(plan.seed, "ids", "tracking"), ORDER_BITS) % 10**12
    refund = _refund(plan, draft, u, status, parcel, paid)
    review = _review(plan, draft, u, status, parcel.delivered_at)
    return OrderColumns(
        order_id=order_ids(plan, row) if order_id is None else order_id,
        created_at=draft.time, buyer=buyer, shop=shop, item=item, quantity=draft.quantity,
        unit_price=unit_price, paid_amount=paid, coupon_amount=coupon, channel=draft.channel,
        device=device, platform=platform, ip=ip, payment=payment, household=address,
        distributor=distributor,
        status=status, kind=kind, carrier=parcel.carrier, tracking_no=tracking,
        shipped=status != STATUS_CANCELLED, shipped_at=parcel.shipped_at,
        delivered_at=parcel.delivered_at, declared_weight_g=parcel.declared_weight_g,
        weighed_weight_g=parcel.weighed_weight_g, origin_city=parcel.origin_city,
        dest_city=parcel.dest_city,
        has_refund=refund.has_refund, refund_requested_at=refund.requested_at,
        refunded_at=refund.refunded_at, refund_reason=refund.reason,
        refund_amount=refund.amount,
        reviewed=review.reviewed, review_at=review.review_at, rating=review.rating,
        review_text=review.text,
        campaign=draft.column("campaign"), beneficiary=draft.column("beneficiary"),
        victim=draft.column("victim"),
    )


def _identity(plan: Plan, draft: OrderDraft, u: RowUniforms, household: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Device, platform, payment account, IP and legitimate kind: a personal device, or the
    household's shared one; likewise for payment. An organic order on a shared one is a
    household order. A PC orders from the home IP; a phone over mobile data or at home."""
    sc = plan.scenario
    market = plan.market
    buyer = draft.buyer
    hh = sc.marketplace.households
    device = market.device(buyer, u("device"))
    shared_dev = market.shared_device(household)
    use_shared_dev = (shared_dev >= 0) & (u("shared_device") < hh.shared_device_use)
    device = np.where(use_shared_dev, shared_dev, device)
    payment = market.payment(buyer, u("payment"))
    shared_pay = market.shared_payment(household)
    use_shared_pay = (shared_pay >= 0) & (u("shared_payment") < 0.5)
    payment = np.where(use_shared_pay, shared_pay, payment)
    forced_mobile = draft.column("mobile")
    platform = _platform(plan, device, u, forced_mobile == 1)
    phone = platform != PLATFORM_PC
    # Over mobile data only from a phone: so many of the phones' orders that the share of all
    # orders stays the scenario's mobile_share (where the phones' share allows it).
    phones = _platform_shares(sc.traffic.platforms)[:PLATFORM_PC].sum()
    mobile_given_phone = min(sc.marketplace.network.mobile_share / max(phones, 1e-12), 1.0)
    mobile = phone & (u("mobile") < mobile_given_phone)
    mobile = np.where(forced_mobile >= 0, forced_mobile == 1, mobile)
    n_addresses = market.n_addresses
    ip = np.where(mobile, n_addresses + (u("cgnat") * len(market.cgnat_ips)).astype(np.int64),
                  household)
    kind = draft.kind.copy()
    kind[(kind == KIND["organic"]) & (use_shared_dev | use_shared_pay)] = KIND["household"]
    return device, platform, payment, ip, kind


def _platform_shares(platforms: Mapping[str, float]) -> np.ndarray:
    """The scenario's platform shares in :data:`PLATFORMS` order, summing to 1."""
    w = np.array([platforms.get(name, 0.0) for name in PLATFORMS], dtype=np.float64)
    return np.asarray(w / w.sum())


def _platform(plan: Plan, device: np.ndarray, u: RowUniforms,
              forced_phone: np.ndarray) -> np.ndarray:
    """What each order was placed on: whether the device is a PC is drawn once per device
    (keyed by it: a device is a phone or a computer in every order it places); on a phone,
    the app or the mobile web pages, per order. A draft forcing mobile data (a click farm's
    racks of phones) is on a phone."""
    shares = _platform_shares(plan.scenario.traffic.platforms)
    pc = (plan.uniforms(device.astype(np.uint64), "device_is_pc") < shares[PLATFORM_PC]) \
        & ~forced_phone
    phones = shares[:PLATFORM_PC].sum()
    app_given_phone = shares[PLATFORMS.index("app")] / phones if phones > 0 else 1.0
    on_phone = np.where(u("platform") < app_given_phone, PLATFORMS.index("app"),
                        PLATFORMS.index("mobile_web"))
    return np.where(pc, PLATFORM_PC, on_phone).astype(np.int8)


def _address(plan: Plan, draft: OrderDraft, u: RowUniforms, home: np.ndarray) -> np.ndarray:
    """The address an order ships to: the buyer's home, or now and then the second address
    some buyers have (an office, the parents'). Accounts added after the marketplace was drawn
    have none."""
    second = plan.market.second_address(draft.buyer)
    use = (second >= 0) & (u("second_address") < SECOND_ADDRESS_USE)
    return np.where(use, second, home)


def _promotion_of(plan: Plan, time: np.ndarray) -> np.ndarray:
    """Index of the promotion running at each time (-1 where none)."""
    minute = np.clip((time - plan.curve.start) // 60, 0, plan.curve.minutes - 1)
    return np.asarray(plan.curve.promotion_of_minute[minute], dtype=np.int64)


def _price(plan: Plan, draft: OrderDraft, u: RowUniforms,
           promo: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit price, coupon and amount paid: the list price, less the promotion's discount on
    this item while it runs, less a coupon. A price the draft names (a flash sale's, a
    supplier's) is the shop's too: to the yuan, with an ending as the list prices have."""
    sc = plan.scenario
    item = draft.item
    list_price = plan.market.item_list_price[item]
    shop_price = list_price.copy()
    for p, promotion in enumerate(sc.traffic.promotions):
        on = promo == p
        if on.any():
            # Keyed by (item, promotion): every buyer of the promotion pays the same price.
            keys = item[on].astype(np.uint64) | (np.uint64(p) << np.uint64(40))
            discount = np.clip(promotion.discount.ppf(plan.uniforms(keys, "item_discount")),
                               0, 0.95)
            shop_price[on] = with_price_endings(list_price[on] * (1.0 - discount),
                                                plan.uniforms(keys, "price_ending"), 10)
    named = draft.unit_price != NO_PRICE
    unit_price = shop_price
    if named.any():
        # Keyed by (item, named price): the same named price gets the same ending.
        keys = (item[named].astype(np.uint64)
                ^ (draft.unit_price[named].astype(np.uint64) << np.uint64(24)))
        unit_price[named] = with_price_endings(draft.unit_price[named],
                                               plan.uniforms(keys, "named_price_ending"), 10)
    gross = unit_price * draft.quantity
    coupons = sc.traffic.coupons
    has_coupon = u("coupon") < coupons.share
    coupon = np.where(has_coupon, _round_to(gross * coupons.value.ppf(u("coupon_value")),
                                            100), 0)
    coupon = np.clip(coupon, 0, gross - 1)
    return unit_price, coupon, gross - coupon


def _distributor(plan: Plan, draft: OrderDraft, u: RowUniforms) -> np.ndarray:
    """The distributor of affiliate orders (popular ones more often), NULL for the others."""
    affiliate = draft.channel == CHANNEL["affiliate"]
    n_dist = plan.scenario.marketplace.distributors
    distributor = np.where(affiliate,
                           (n_dist * u("distributor") ** 2).astype(np.int64), NULL)
    forced_distributor = draft.column("distributor")
    return np.where(forced_distributor >= 0, forced_distributor, distributor)


def _status(plan: Plan, draft: OrderDraft, u: RowUniforms, promo: np.ndarray,
            distributor: np.ndarray) -> np.ndarray:
    """Cancelled before shipping, refunded after delivery, or completed."""
    sc = plan.scenario
    refunds = sc.refunds
    uplift = np.ones(len(draft.row))
    for p, promotion in enumerate(sc.traffic.promotions):
        uplift[promo == p] = promotion.refund_uplift
    # Each link's own return rate: the same factor for every order it carries (drawn for
    # those orders only).
    linked = distributor >= 0
    sigma = refunds.link_spread
    if sigma > 0 and linked.any():
        z = ndtri(plan.uniforms(distributor[linked].astype(np.uint64), "link_refund"))
        uplift[linked] *= np.exp(sigma * z - sigma ** 2 / 2)
    u_status = u("status")
    status = np.where(u_status < refunds.cancel_rate, STATUS_CANCELLED,
                      np.where(u_status < refunds.cancel_rate + refunds.rate * uplift,
                               STATUS_REFUNDED, STATUS_COMPLETED))
    forced_status = draft.column("status")
    return np.where(forced_status >= 0, forced_status, status)


def _parcel(plan: Plan, draft: OrderDraft, u: RowUniforms, promo: np.ndarray,
            household: np.ndarray) -> _Parcel:
    """Carrier and warehouse, handling (longer for promotion backlogs), transit by distance,
    weighed weight."""
    market = plan.market
    lg = plan.scenario.logistics
    shop = draft.shop
    backlog = np.where(promo >= 0, lg.promotion_backlog, 1.0)
    handling = np.maximum(lg.handling_hours.ppf(u("handling")) * backlog, 0.1) * 3600
    shipped = draft.time + np.rint(handling).astype(np.int64)
    # One of the shop's carriers, the main one most often.
    slot = (market.shop_carrier_count[shop] * u("carrier") ** 2).astype(np.int64)
    carrier = market.shop_carriers[shop, slot]
    dest = market.address_city(household)
    # The warehouse in the buyer's city if there is one, else mostly the main one.
    main, second = market.shop_city[shop], market.shop_second_city[shop]
    from_second = (second >= 0) & (dest != main) & (
        (dest == second) | (u("warehouse") < SECOND_WAREHOUSE_USE))
    origin = np.where(from_second, second, main)
    local = origin == dest
    transit = np.empty(len(draft.row))
    transit[local] = lg.transit_days_local.ppf(u.subset(local)("transit"))
    # Between cities: the remote law, plus days that grow with the great-circle distance.
    km = plan.pools.geography.distance_km(origin[~local], dest[~local])
    transit[~local] = (lg.transit_days_remote.ppf(u.subset(~local)("transit"))
                       + lg.transit_days_per_1000km * km / 1000)
    delivered = shipped + np.rint(np.maximum(transit, 0.05) * 86400).astype(np.int64)
    declared = market.item_weight_g[draft.item] * draft.quantity
    packaging = np.maximum(lg.packaging_g.ppf(u("packaging")), 5)
    scale = 1.0 + lg.scale_error * ndtri(u("scale"))
    # An empty or token parcel weighs its packaging and whatever share of the goods it holds.
    fill = draft.column("parcel_fill")
    content = np.where(np.isnan(fill), declared, declared * np.nan_to_num(fill))
    weighed = np.maximum(np.rint((content + packaging) * scale), 1).astype(np.int64)
    return _Parcel(carrier, handling, shipped, delivered, declared, weighed, origin, dest)


def _ship_before_forced_refund(draft: OrderDraft, u: RowUniforms, status: np.ndarray,
                               parcel: _Parcel) -> None:
    """Ship, in place, the parcels of returns a draft times before their parcel would leave.

    A shop brushing itself and refunding within hours of a promotion's end (a naive
    ``post_promo_return`` ring) does not wait for its warehouse: it marks its own fake orders
    shipped at once (an empty or token parcel), so that they count, and asks for the refunds
    later. A "refunded" order whose request comes before it shipped exists in no log (returns
    need a parcel; before shipping it is a cancellation), so such a parcel leaves between the
    order and the request instead, and travels as usual.
    """
    forced_at = draft.column("refund_at")
    early = (status == STATUS_REFUNDED) & (forced_at >= 0) & (forced_at < parcel.shipped_at)
    if not early.any():
        return
    lead = np.maximum(forced_at[early] - draft.time[early], 0)
    handling = np.rint(lead * (0.2 + 0.6 * u.subset(early)("early_ship"))).astype(np.int64)
    shift = parcel.shipped_at[early] - (draft.time[early] + handling)
    parcel.handling[early] = handling
    parcel.shipped_at[early] -= shift
    parcel.delivered_at[early] -= shift


def _refund(plan: Plan, draft: OrderDraft, u: RowUniforms, status: np.ndarray,
            parcel: _Parcel, paid: np.ndarray) -> _Refund:
    """A cancellation within hours, or a return placed relative to the parcel (:func:`_return_at`).
    Drawn only for the orders that have one (an order's draws are keyed by the order, so
    subsets change nothing).
    """
    refunds = plan.scenario.refunds
    n = len(draft.row)
    cancelled = status == STATUS_CANCELLED
    has_refund = cancelled | (status == STATUS_REFUNDED)
    requested = np.zeros(n, dtype=np.int64)
    refunded_at = np.zeros(n, dtype=np.int64)
    refund_amount = np.zeros(n, dtype=np.int64)
    reason = np.zeros(n, dtype=np.int64)
    if has_refund.any():
        ur = u.subset(has_refund)
        c = cancelled[has_refund]
        shipped = parcel.shipped_at[has_refund]
        delivered = parcel.delivered_at[has_refund]
        cancel_after = parcel.handling[has_refund] * ur("cancel_after") + 60
        floor = np.maximum(draft.column("refund_after")[has_refund],
                           np.where(draft.column("refund_hold")[has_refund] >= 0,
                                    delivered + draft.column("refund_hold")[has_refund], UNSET))
        returned = _return_at(refunds, ur, shipped, delivered, floor)
        req = np.where(c, draft.time[has_refund] + np.rint(cancel_after).astype(np.int64),
                       returned)
        # A forced time is a naive ring's own clock, which ignores the parcel (its trace).
        forced_at = draft.column("refund_at")[has_refund]
        req = np.where(forced_at >= 0, forced_at, req)
        hours = np.maximum(refunds.processing_hours.ppf(ur("refund_processing")), 0.01)
        requested[has_refund] = req
        refunded_at[has_refund] = req + np.rint(np.where(c, hours / 24, hours) * 3600).astype(
            np.int64)
        paid_r = paid[has_refund]
        partial = ~c & (ur("partial") < refunds.partial_share)
        part = np.maximum(np.rint(paid_r * (0.2 + 0.6 * ur("partial_amount"))), 1)
        refund_amount[has_refund] = np.where(partial, part.astype(np.int64), paid_r)
        reason[has_refund] = np.where(c, REFUND_REASONS.index("cancelled"), np.searchsorted(
            _RETURN_REASON_CDF, ur("reason") * _RETURN_REASON_CDF[-1], side="right"))
    return _Refund(has_refund, requested, refunded_at, reason, refund_amount)


def _cdf(dist: Dist, x: np.ndarray) -> np.ndarray:
    """The law's CDF at ``x``, by inverting its quantiles on a grid (any law, vectorised)."""
    ppf = dist.ppf(_CDF_GRID)
    return np.asarray(np.interp(x, ppf, _CDF_GRID, left=0.0, right=1.0))


def _return_at(refunds: Refunds, ur: RowUniforms, shipped: np.ndarray, delivered: np.ndarray,
               floor: np.ndarray) -> np.ndarray:
    """When a return is requested: while the parcel travels (``in_transit_share``), days after
    delivery (``delay_days``) or, for after-sale claims, later (``late_share``, ``late_days``).

    ``floor`` (UNSET where none) is the earliest time the buyer may ask: the same law,
    conditioned on coming after it. Each part keeps the mass it has beyond the floor, and the
    draw within a part is its quantile above the floor's, so an order with a floor refunds
    like a legitimate order that happened to refund that late: no pile-up at the floor.
    """
    day = 86400.0
    transit = np.maximum(delivered - shipped, 1).astype(np.float64)
    after = (floor - delivered) / day  # days after delivery the floor falls, -inf-ish if none
    shares = np.array([refunds.in_transit_share, refunds.late_share])
    early_share = max(1.0 - shares.sum(), 0.0)
    f_early = np.where(floor >= 0, _cdf(refunds.delay_days, after), 0.0)
    f_late = np.where(floor >= 0, _cdf(refunds.late_days, after), 0.0)
    f_transit = np.where(floor >= 0, np.clip((floor - shipped) / transit, 0.0, 1.0), 0.0)
    mass = np.stack([shares[0] * (1 - f_transit), early_share * (1 - f_early),
                     shares[1] * (1 - f_late)], axis=1)
    total = mass.sum(axis=1)
    # A floor beyond every part's reach (a law with a bounded support): the early law's draw
    # counted from the floor instead.
    none = total <= 0
    mass[none] = [0.0, 1.0, 0.0]
    cdf = np.cumsum(mass, axis=1) / mass.sum(axis=1, keepdims=True)
    part = np.minimum((ur("refund_timing")[:, None] >= cdf).sum(axis=1), 2)
    v = ur("refund_delay")
    low = np.where(none, 0.0, np.select([part == 0, part == 1], [f_transit, f_early], f_late))
    q = np.minimum(low + v * (1.0 - low), 1 - 1e-9)
    in_transit = shipped + np.rint(q * transit).astype(np.int64)
    days = np.where(part == 1, refunds.delay_days.ppf(q), refunds.late_days.ppf(q))
    base = np.where(none, np.maximum(floor, delivered), delivered)
    after_delivery = base + np.rint(np.maximum(days, 0.01) * day).astype(np.int64)
    req = np.where(part == 0, in_transit, after_delivery)
    return np.where(floor >= 0, np.maximum(req, floor), req)


def _review(plan: Plan, draft: OrderDraft, u: RowUniforms, status: np.ndarray,
            delivered: np.ndarray) -> _Review:
    """A share of delivered orders; refunded ones rarely, and harshly. A campaign's template:
    five stars, one text for all its orders, posted within hours."""
    rv = plan.scenario.reviews
    n = len(draft.row)
    cancelled = status == STATUS_CANCELLED
    refunded = status == STATUS_REFUNDED
    u_review = u("review")
    reviewed = ~cancelled & np.where(refunded, u_review < rv.rate * 0.3, u_review < rv.rate)
    mode = draft.column("review")
    templated = ~cancelled & (mode == REVIEW_TEMPLATE)
    reviewed = np.where(mode == REVIEW_NONE, False, reviewed | templated)
    review_at = np.zeros(n, dtype=np.int64)
    rating = np.zeros(n, dtype=np.int64)
    text = np.zeros(n, dtype=np.int64)
    if reviewed.any():
        uv = u.subset(reviewed)
        rating_cdf = np.cumsum(rv.ratings) / sum(rv.ratings)
        u_rating = uv("rating") * 0.999999
        stars = 1 + np.where(refunded[reviewed],
                             np.searchsorted(_REFUNDED_RATING_CDF, u_rating, side="right"),
                             np.searchsorted(rating_cdf, u_rating, side="right"))
        group = np.select([stars <= 2, stars == 3], [0, 1], 2)
        rating[reviewed] = stars
        text[reviewed] = group * REVIEWS_PER_GROUP + (
            uv("review_text") * REVIEWS_PER_GROUP).astype(np.int64)
        delay = np.maximum(rv.delay_days.ppf(uv("review_delay")), 0.01) * 86400
        tpl = templated[reviewed]
        campaign = draft.column("campaign")[reviewed]
        stars[tpl] = 5
        text[reviewed] = np.where(
            tpl, 2 * REVIEWS_PER_GROUP + (campaign.astype(np.int64) * 7919) % REVIEWS_PER_GROUP,
            text[reviewed])
        rating[reviewed] = stars
        delay = np.where(tpl, 3600 + delay * 0.05, delay)
        review_at[reviewed] = delivered[reviewed] + np.rint(delay).astype(np.int64)
    return _Review(reviewed, review_at, rating, text)
