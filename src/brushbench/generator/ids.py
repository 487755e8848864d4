"""Identifiers that carry no information.

An entity's id is a keyed bijection of its index onto ``[0, 2**bits)``: unique by construction, in
no particular order (so an id never tells when or by which stage a row was made). Accounts, shops,
items, devices, addresses and payment accounts use 48 bits (at most 15 digits, which a
spreadsheet keeps exactly); orders use 63 bits because their index packs the order's identity
(:mod:`.drafts`). The key differs per entity type and per seed.
"""

from __future__ import annotations

import numpy as np

ENTITY_BITS = 48
ORDER_BITS = 63
# Odd multipliers: multiplication by an odd number is a bijection modulo 2**bits.
_M1 = 0x9E3779B97F4A7C15
_M2 = 0xBF58476D1CE4E5B9


def scramble(index: np.ndarray, key: int, bits: int = ENTITY_BITS) -> np.ndarray:
    """Map indices (``0 <= index < 2**bits``) to ids, bijectively for a given ``key``."""
    mask = np.uint64((1 << bits) - 1)
    m1, m2 = np.uint64(_M1) & mask, np.uint64(_M2) & mask
    shifts = [np.uint64(s) for s in (bits // 2 - 1, bits // 2 - 5, bits // 2 + 1)]
    x = np.asarray(index, dtype=np.uint64) & mask
    k = np.uint64(key) & mask
    with np.errstate(over="ignore"):
        for round_key in (k, (k * m1) & mask, (k * m2) & mask):
            # Each step (xor with a constant, xorshift, odd multiply) is invertible mod 2**bits.
            x = x ^ round_key
            x = x ^ (x >> shifts[0])
            x = (x * m1) & mask
            x = x ^ (x >> shifts[1])
            x = (x * m2) & mask
            x = x ^ (x >> shifts[2])
    ids: np.ndarray = x.astype(np.int64)
    return ids
