"""Orders before their details: who buys what, when, and why (the row's identity and kind).

Every source of orders (organic traffic, flash sales, redirects, bulk buyers and, later, fraud
patterns) produces an :class:`OrderDraft`; one shared stage then completes all drafts the same
way (identity, price, status, parcels, refunds, reviews), so that no column's format or
precision can tell one source from another.

``row`` is the order's identity, packed as (source tag, slice, shop or event, index). It keys the
order's random draws (:mod:`brushbench.generator.randomness`) and, scrambled, becomes its
public ``order_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from ..dataset.tables import CHANNELS, LEGIT_KINDS

# Source tags (the top bits of ``row``).
TAG_ORGANIC, TAG_FLASH, TAG_REDIRECT, TAG_BULK, TAG_FRAUD = 0, 1, 2, 3, 4
TAG_BITS, SLICE_BITS, GROUP_BITS, INDEX_BITS = 3, 16, 22, 22
ROW_BITS = TAG_BITS + SLICE_BITS + GROUP_BITS + INDEX_BITS  # 63: ids fit a signed int64

KIND = {name: code for code, name in enumerate(LEGIT_KINDS)}
CHANNEL = {name: code for code, name in enumerate(CHANNELS)}
NO_PRICE = -1  # unit_price to be set by the shop's price list (and any promotion)


class CapacityError(ValueError):
    """A scenario larger than the row identity can hold (the message says which part)."""


def pack_rows(tag: int, slice_: np.ndarray | int, group: np.ndarray | int,
              index: np.ndarray | int) -> np.ndarray:
    """Pack order identities; raise :class:`CapacityError` when a part overflows its bits."""
    for name, value, bits in (("slices", slice_, SLICE_BITS), ("shops or events", group,
                              GROUP_BITS), ("orders in one shop-slice", index, INDEX_BITS)):
        if np.size(value) and int(np.max(value)) >= (1 << bits):
            raise CapacityError(f"too many {name} for one dataset (limit {1 << bits:,})")
    return ((np.uint64(tag) << np.uint64(SLICE_BITS + GROUP_BITS + INDEX_BITS))
            | (np.asarray(slice_, dtype=np.uint64) << np.uint64(GROUP_BITS + INDEX_BITS))
            | (np.asarray(group, dtype=np.uint64) << np.uint64(INDEX_BITS))
            | np.asarray(index, dtype=np.uint64))


#: Review modes a draft may force (``review``): none, or the five-star template of a campaign.
REVIEW_DEFAULT, REVIEW_NONE, REVIEW_TEMPLATE = -1, 0, 1
#: Statuses a draft may force (``status``); the completion stage draws the others.
STATUS_COMPLETED, STATUS_REFUNDED, STATUS_CANCELLED = 0, 1, 2
UNSET = -1


@dataclass
class OrderDraft:
    row: np.ndarray         # uint64 packed identity
    time: np.ndarray        # int64 epoch seconds
    shop: np.ndarray        # int64 shop index
    item: np.ndarray        # int64 item index
    buyer: np.ndarray       # int64 buyer index
    quantity: np.ndarray    # int64 >= 1
    unit_price: np.ndarray  # int64 cents, NO_PRICE for the shop's price
    channel: np.ndarray     # int8 code in CHANNELS
    kind: np.ndarray        # int8 code in LEGIT_KINDS, UNSET for brushing orders
    # What a fraud pattern decides instead of the shared completion stage (None = nothing).
    campaign: np.ndarray | None = None      # int32 campaign index, UNSET for legitimate
    beneficiary: np.ndarray | None = None   # int64 shop index whose rank the order serves
    victim: np.ndarray | None = None        # int64 shop index harmed, UNSET where none
    distributor: np.ndarray | None = None   # int64 distributor index, UNSET = drawn
    parcel_fill: np.ndarray | None = None   # float64 share of the goods shipped, NaN = all
    status: np.ndarray | None = None        # int8 forced status code, UNSET = drawn
    refund_at: np.ndarray | None = None     # int64 forced refund request time, UNSET = drawn
    # The earliest a drawn return may be requested (a ring's own clock): an epoch time, and
    # seconds after the parcel's delivery; UNSET = no floor. The return is then drawn as a
    # legitimate one is, conditioned on coming after the floor.
    refund_after: np.ndarray | None = None  # int64 epoch seconds, UNSET = none
    refund_hold: np.ndarray | None = None   # int64 seconds after delivery, UNSET = none
    review: np.ndarray | None = None        # int8 REVIEW_* mode
    mobile: np.ndarray | None = None        # int8 1 = over CGNAT, 0 = home IP, UNSET = drawn

    def __len__(self) -> int:
        return len(self.row)

    def column(self, name: str) -> np.ndarray:
        """A column, with the neutral default where a draft leaves an override unset."""
        value = getattr(self, name)
        if value is not None:
            return value
        fill = np.nan if name == "parcel_fill" else UNSET
        return np.full(len(self), fill, dtype=_OVERRIDE_DTYPES[name])

    def take(self, index: np.ndarray) -> OrderDraft:
        columns: dict[str, Any] = {f.name: None if getattr(self, f.name) is None
                                   else getattr(self, f.name)[index] for f in fields(self)}
        return OrderDraft(**columns)

    @staticmethod
    def concat(drafts: list[OrderDraft]) -> OrderDraft:
        out: dict[str, Any] = {}  # None only for the overrides no draft sets
        for f in fields(OrderDraft):
            if f.name in _OVERRIDE_DTYPES and all(getattr(d, f.name) is None for d in drafts):
                out[f.name] = None
            else:
                out[f.name] = np.concatenate([d.column(f.name) for d in drafts])
        return OrderDraft(**out)

    @staticmethod
    def empty() -> OrderDraft:
        i64 = np.zeros(0, dtype=np.int64)
        return OrderDraft(np.zeros(0, dtype=np.uint64), i64, i64, i64, i64, i64, i64,
                          np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int8))


_OVERRIDE_DTYPES = {"campaign": np.int32, "beneficiary": np.int64, "victim": np.int64,
                    "distributor": np.int64, "parcel_fill": np.float64, "status": np.int8,
                    "refund_at": np.int64, "refund_after": np.int64,
                    "refund_hold": np.int64, "review": np.int8, "mobile": np.int8}
