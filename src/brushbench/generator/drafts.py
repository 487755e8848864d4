"""Orders before their details: who buys what, when, and why (the row's identity and kind).

Every source of orders (organic traffic, flash sales, redirects, bulk buyers and, later, fraud
patterns) produces an :class:`OrderDraft`; one shared stage then completes all drafts the same
way (identity, price, status, parcels, refunds, reviews), so that no column's format or
precision can tell one source from another.

``row`` is the order's identity, packed as (source tag, slice, shop or event, index). It keys the
order's random draws (:mod:`.randomness`) and, scrambled, becomes its public ``order_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ..dataset.tables import CHANNELS, LEGIT_KINDS

# Source tags (the top bits of ``row``).
TAG_ORGANIC, TAG_FLASH, TAG_REDIRECT, TAG_BULK = 0, 1, 2, 3
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
    kind: np.ndarray        # int8 code in LEGIT_KINDS

    def __len__(self) -> int:
        return len(self.row)

    def take(self, index: np.ndarray) -> OrderDraft:
        return OrderDraft(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def concat(drafts: list[OrderDraft]) -> OrderDraft:
        return OrderDraft(**{f.name: np.concatenate([getattr(d, f.name) for d in drafts])
                             for f in fields(OrderDraft)})

    @staticmethod
    def empty() -> OrderDraft:
        i64 = np.zeros(0, dtype=np.int64)
        return OrderDraft(np.zeros(0, dtype=np.uint64), i64, i64, i64, i64, i64, i64,
                          np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int8))
