"""The buyers drawn with the marketplace, as keyed functions of a buyer's index.

No array here grows with the number of buyers: a buyer's household, city, activity, age, level,
devices, payment accounts and second address are computed, for the buyers a shard touches,
from (the run's key, the buyer's index) (:mod:`.keyed`). So the plan a worker holds is the same
few kilobytes at any ``--scale``, and drawing a buyer costs the same at 40M buyers as at 40k.

The laws the scenario names keep their shape:

- **households** are laid out by size: the first households are the singles, then the couples,
  and so on, as many of each as the size law says (a buyer's household is arithmetic on its
  index). Nothing else depends on a buyer's index, so the layout tells nothing.
- **activity** is a rank law: the buyer of activity rank ``r`` (0 the most active) has the
  law's quantile at ``1 - (r + 1/2) / n``, and which buyer holds rank ``r`` is a keyed
  bijection. A draw in proportion to activity inverts the cumulated activity over ranks, a
  table of a few thousand points, then maps the rank to a buyer.
- **account ages** are stratified the same way: the buyer of age rank ``r`` has the law's
  quantile (cut to ``[1 day, max_account_age_days]``) at ``(r + 1/2) / n``, so the buyers
  table can be written in registration order a chunk at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..scenario.distributions import Dist
from ..scenario.model import Marketplace as MarketSpec
from .keyed import Permutation, hash64, salt, uniform

#: Share of buyers who ship some orders to a second address (an assumption).
SECOND_ADDRESS_SHARE = 0.15
#: Most personal devices (payment accounts) one buyer has: a law's tail beyond is cut there.
MAX_PER_BUYER = 64
# Points of the tables that invert the activity and the household-size laws.
_ACTIVITY_POINTS = 4096
_SIZE_POINTS = 1 << 16
# First octets of public IPv4 addresses (outside 0/8, 10/8, 127/8, 172.16/12, 192.168/16 and
# multicast), as the marketplace's networks are.
PUBLIC_FIRST_OCTETS = np.array([27, 36, 39, 42, 49, 58, 59, 60, 61, 101, 106, 110, 111, 112,
                                113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124,
                                125, 175, 180, 182, 183, 202, 203, 210, 211, 218, 219, 220,
                                221, 222, 223], dtype=np.uint32)


def positive_ints(values: np.ndarray, low: int = 1) -> np.ndarray:
    """Values rounded to integers of at least ``low`` (nan counts as ``low``)."""
    return np.maximum(np.rint(np.nan_to_num(values, nan=low)), low).astype(np.int64)


def keyed_ipv4(key: int, index: np.ndarray, name: str) -> np.ndarray:
    """A public IPv4 address (uint32) per index, a keyed function of it."""
    h = hash64(key, index, name)
    first = PUBLIC_FIRST_OCTETS[(h >> np.uint64(40)) % np.uint64(len(PUBLIC_FIRST_OCTETS))]
    return (first << np.uint32(24)) | (h & np.uint64(0xFFFFFF)).astype(np.uint32)


@dataclass(frozen=True)
class Population:
    """The marketplace's own buyers ``0..n-1`` (see the module's docstring)."""

    n: int
    key: int
    window_start: int
    # Households by size class: class c holds the households
    # household_start[c]..household_start[c+1]-1, of class_size[c] buyers each, seating the
    # buyers buyer_start[c]..buyer_start[c+1]-1.
    class_size: np.ndarray
    buyer_start: np.ndarray
    household_start: np.ndarray
    city_cdf: np.ndarray              # cumulative city shares, for the households' cities
    share_device: float
    share_payment: float
    # Activity: cumulated activity (0 to 1) over the rank fraction, the most active first.
    activity_rank_q: np.ndarray
    activity_mass: np.ndarray
    # Ages: the law's CDF at the cut's edges, and the cut in days.
    ages: Dist
    age_cdf_low: float
    age_cdf_high: float
    age_low: float
    age_high: float
    devices: Dist
    device_stride: int
    payments: Dist
    payment_stride: int

    # -- households and addresses ----------------------------------------------------------
    @property
    def n_households(self) -> int:
        return int(self.household_start[-1])

    @property
    def n_addresses(self) -> int:
        """Address rows of the population: its households, then a slot per buyer for a second
        address (used only by the buyers who have one)."""
        return self.n_households + self.n

    def household(self, buyers: np.ndarray) -> np.ndarray:
        """Each buyer's household (its home address)."""
        b = np.asarray(buyers, dtype=np.int64)
        c = np.searchsorted(self.buyer_start, b, side="right") - 1
        return self.household_start[c] + (b - self.buyer_start[c]) // self.class_size[c]

    def household_size(self, households: np.ndarray) -> np.ndarray:
        h = np.asarray(households, dtype=np.int64)
        return self.class_size[np.searchsorted(self.household_start, h, side="right") - 1]

    def household_city(self, households: np.ndarray) -> np.ndarray:
        return self._city(uniform(self.key, households, "household_city"))

    def _city(self, u: np.ndarray) -> np.ndarray:
        cdf = self.city_cdf
        return np.minimum(np.searchsorted(cdf, u * cdf[-1], side="right"), len(cdf) - 1)

    def shared_device(self, households: np.ndarray) -> np.ndarray:
        """The device a household shares (after every buyer's own), -1 where none."""
        return self._shared(households, "share_device", self.share_device,
                            self.n * self.device_stride)

    def shared_payment(self, households: np.ndarray) -> np.ndarray:
        return self._shared(households, "share_payment", self.share_payment,
                            self.n * self.payment_stride)

    def _shared(self, households: np.ndarray, name: str, share: float, base: int) -> np.ndarray:
        h = np.asarray(households, dtype=np.int64)
        shares = (self.household_size(h) > 1) & (uniform(self.key, h, name) < share)
        return np.where(shares, base + h, -1)

    def second_address(self, buyers: np.ndarray) -> np.ndarray:
        """Each buyer's second address (an office, the parents'), -1 where none."""
        b = np.asarray(buyers, dtype=np.int64)
        has = uniform(self.key, b, "second_address") < SECOND_ADDRESS_SHARE
        return np.where(has, self.n_households + b, -1)

    def second_city(self, buyers: np.ndarray) -> np.ndarray:
        """The city of each buyer's second-address slot: half in the buyer's city, half
        anywhere (where buyers live)."""
        b = np.asarray(buyers, dtype=np.int64)
        own = self.household_city(self.household(b))
        anywhere = self._city(uniform(self.key, b, "second_city"))
        return np.where(uniform(self.key, b, "second_local") < 0.5, own, anywhere)

    def address_city(self, addresses: np.ndarray) -> np.ndarray:
        a = np.asarray(addresses, dtype=np.int64)
        home = a < self.n_households
        out = np.empty(len(a), dtype=np.int64)
        out[home] = self.household_city(a[home])
        out[~home] = self.second_city(a[~home] - self.n_households)
        return out

    def address_ip(self, addresses: np.ndarray) -> np.ndarray:
        """Home IP of each address (second addresses have one too; no order uses it)."""
        return keyed_ipv4(self.key, addresses, "home_ip")

    # -- activity ----------------------------------------------------------------------------
    def _by_activity(self) -> Permutation:
        return Permutation(self.n, self.key ^ salt("activity_rank"))

    def by_activity(self, u: np.ndarray) -> np.ndarray:
        """Buyers drawn in proportion to activity, one per uniform in ``u``."""
        q = np.interp(np.asarray(u, dtype=np.float64), self.activity_mass, self.activity_rank_q)
        rank = np.minimum((q * self.n).astype(np.int64), self.n - 1)
        return self._by_activity()(rank)

    def activity_rank(self, buyers: np.ndarray) -> np.ndarray:
        """Each buyer's activity rank, 0 for the most active."""
        return self._by_activity().inverse(buyers)

    def ordering_quantile(self, u: np.ndarray, by_activity: float, uniform: float) -> np.ndarray:
        """Activity quantiles (1 the most active, as :meth:`level` takes them) of buyers who
        order in the window, one per uniform in ``u``.

        A buyer of activity ``a`` (mean 1) orders with probability
        ``1 - exp(-(by_activity * a + uniform))``: ``by_activity`` orders per buyer are drawn in
        proportion to activity, ``uniform`` per buyer without regard to it (regular customers).
        The accounts a log shows are these, not the population at large: busy buyers show up
        more often, and their levels carry the activity bonus more often.
        """
        q, mass = self.activity_rank_q, self.activity_mass
        dq = np.diff(q)
        density = np.diff(mass) / np.maximum(dq, 1e-300)
        weight = -np.expm1(-(max(by_activity, 0.0) * density + max(uniform, 0.0))) * dq
        if not weight.sum() > 0:  # nobody orders: the population's quantiles
            weight = dq
        cdf = np.concatenate(([0.0], np.cumsum(weight)))
        rank_q = np.interp(np.asarray(u, dtype=np.float64), cdf / cdf[-1], q)
        return np.asarray(1.0 - rank_q)

    def activity_of(self, buyers: np.ndarray) -> np.ndarray:
        """Each buyer's share of organic draws (:meth:`by_activity`), times ``n`` (mean 1):
        the law's mean over the buyer's slice of ranks."""
        rank = self.activity_rank(buyers).astype(np.float64)
        mass = np.interp(np.stack((rank, rank + 1)) / self.n, self.activity_rank_q,
                         self.activity_mass)
        return np.asarray((mass[1] - mass[0]) * self.n)

    # -- age, registration, level ------------------------------------------------------------
    def _by_age(self) -> Permutation:
        return Permutation(self.n, self.key ^ salt("age_rank"))

    def age_at_rank(self, rank: np.ndarray) -> np.ndarray:
        """Age in days of the buyer of age rank ``rank`` (0 the newest account)."""
        q = (np.asarray(rank, dtype=np.float64) + 0.5) / self.n
        lo, hi = self.age_cdf_low, self.age_cdf_high
        if not hi - lo > 1e-12:  # the law lies beyond the cut: spread over it
            return self.age_low + q * (self.age_high - self.age_low)
        age = self.ages.ppf(lo + q * (hi - lo))
        return np.clip(np.nan_to_num(age, nan=self.age_low), self.age_low, self.age_high)

    def buyers_at_age_rank(self, rank: np.ndarray) -> np.ndarray:
        return self._by_age().inverse(rank)

    def age_days(self, buyers: np.ndarray) -> np.ndarray:
        return self.age_at_rank(self._by_age()(buyers))

    def registered_at(self, buyers: np.ndarray) -> np.ndarray:
        return registration_times(self.window_start, self.age_days(buyers))

    def level(self, buyers: np.ndarray) -> np.ndarray:
        """Tier 1-6 from account age and activity quantile (the activity rank's)."""
        quantile = 1.0 - self.activity_rank(buyers) / max(self.n - 1, 1)
        return account_level(self.age_days(buyers), quantile)

    # -- devices and payment accounts --------------------------------------------------------
    def device_offset(self, buyers: np.ndarray) -> np.ndarray:
        """Each buyer's first personal device."""
        return np.asarray(buyers, dtype=np.int64) * self.device_stride

    def device(self, buyers: np.ndarray, u: np.ndarray) -> np.ndarray:
        """One of each buyer's personal devices, picked by the uniform ``u``."""
        b = np.asarray(buyers, dtype=np.int64)
        count = self._count(b, "devices", self.devices, self.device_stride)
        return b * self.device_stride + (u * count).astype(np.int64)

    def payment(self, buyers: np.ndarray, u: np.ndarray) -> np.ndarray:
        b = np.asarray(buyers, dtype=np.int64)
        count = self._count(b, "payments", self.payments, self.payment_stride)
        return b * self.payment_stride + (u * count).astype(np.int64)

    def _count(self, buyers: np.ndarray, name: str, law: Dist, stride: int) -> np.ndarray:
        return np.minimum(positive_ints(law.ppf(uniform(self.key, buyers, name))), stride)


def build_population(spec: MarketSpec, city_weights: np.ndarray, window_start: int,
                     key: int) -> Population:
    """The population of ``spec.buyers`` buyers; every table here is of bounded size."""
    n = spec.buyers
    class_size, buyer_start, household_start = _household_layout(spec.households.size, n)
    q, mass = _activity_table(spec.buyer_activity, n)
    low = min(1.0, spec.max_account_age_days)
    high = spec.max_account_age_days
    cdf_low, cdf_high = _law_cdf(spec.account_age_days, np.array([low, high]))
    return Population(
        n=n, key=key, window_start=window_start,
        class_size=class_size, buyer_start=buyer_start, household_start=household_start,
        city_cdf=np.cumsum(city_weights), share_device=float(spec.households.share_device),
        share_payment=float(spec.households.share_payment),
        activity_rank_q=q, activity_mass=mass,
        ages=spec.account_age_days, age_cdf_low=float(cdf_low), age_cdf_high=float(cdf_high),
        age_low=low, age_high=high,
        devices=spec.devices_per_buyer, device_stride=_stride(spec.devices_per_buyer),
        payments=spec.payment_accounts_per_buyer,
        payment_stride=_stride(spec.payment_accounts_per_buyer),
    )


def _stride(law: Dist) -> int:
    """Index slots per buyer: the law's largest count, up to :data:`MAX_PER_BUYER`."""
    top = positive_ints(law.ppf(np.array([0.0, 1 - 1e-9])))
    return int(min(max(int(top.max()), 1), MAX_PER_BUYER))


def _household_layout(size_law: Dist, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Size classes, and the first buyer and household of each (one more entry: the ends).

    As many households of each size as the law's share of households says (rounded down),
    then, with the buyers left over, one more household of the sizes whose counts lost most to
    the rounding, and a last household cut to seat whoever is left (as a sequential draw cuts
    its last household).
    """
    u = (np.arange(_SIZE_POINTS) + 0.5) / _SIZE_POINTS
    sizes, count = np.unique(positive_ints(size_law.ppf(u)), return_counts=True)
    p = count / count.sum()
    mean = float(np.dot(p, sizes))
    exact = n * p / mean
    households = np.floor(exact).astype(np.int64)
    left = n - int(np.dot(households, sizes))
    for c in np.argsort(-(exact - households), kind="stable"):  # a loop over size classes
        if sizes[c] <= left:
            households[c] += 1
            left -= int(sizes[c])
    if left > 0:  # the cut household: a class of its own
        at = int(np.searchsorted(sizes, left))
        if at < len(sizes) and sizes[at] == left:
            households[at] += 1
        else:
            sizes = np.insert(sizes, at, left)
            households = np.insert(households, at, 1)
    keep = households > 0
    sizes, households = sizes[keep].astype(np.int64), households[keep]
    buyer_start = np.concatenate(([0], np.cumsum(households * sizes)))
    household_start = np.concatenate(([0], np.cumsum(households)))
    return sizes, buyer_start.astype(np.int64), household_start.astype(np.int64)


def _activity_table(law: Dist, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Cumulated activity over the rank fraction ``q`` (0 the most active buyer), normalised
    to end at 1: a geometric grid, fine enough at the top to resolve the single most active
    buyer. Inside a cell the activity is taken as constant (the grid's step is 0.5%)."""
    q = np.concatenate(([0.0], np.geomspace(min(0.25 / n, 1e-4), 1.0, _ACTIVITY_POINTS)))
    mid = (q[:-1] + q[1:]) / 2
    level = np.maximum(np.nan_to_num(law.ppf(1.0 - mid), nan=0.0, posinf=0.0), 1e-12)
    mass = np.concatenate(([0.0], np.cumsum(np.diff(q) * level)))
    return q, mass / mass[-1]


def _law_cdf(law: Dist, x: np.ndarray) -> np.ndarray:
    """The law's CDF at ``x``, by inverting its quantiles on a grid dense in the tails."""
    grid = np.concatenate((np.logspace(-9, -2, 50)[:-1], np.linspace(0.01, 0.99, 981),
                           1 - np.logspace(-2, -9, 50)[1:]))
    ppf = np.maximum.accumulate(np.nan_to_num(law.ppf(grid), nan=0.0))
    return np.asarray(np.interp(x, ppf, grid, left=0.0, right=1.0))


def account_level(age_days: np.ndarray, activity_quantile: np.ndarray | float) -> np.ndarray:
    """Marketplace tier 1-6: grows with account age and, for the most active, with activity."""
    aq = np.asarray(activity_quantile)
    return np.clip(1 + np.log2(1 + np.asarray(age_days) / 60).astype(np.int64) // 2 + (aq > 0.8)
                   + (aq > 0.95), 1, 6).astype(np.int8)


def registration_times(at: int | np.ndarray, age_days: np.ndarray) -> np.ndarray:
    """When accounts of the given ages (days) at ``at`` (epoch seconds) were opened."""
    return np.asarray(at, dtype=np.int64) - np.rint(np.asarray(age_days) * 86400).astype(np.int64)
