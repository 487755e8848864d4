"""Uniforms keyed by what they are for: counter-based randomness for per-order draws.

A row's random values are a hash of (the run's key, the row's identity, the column): the n-th
organic order of shop s in slice h gets the same quantity, device and parcel weight whatever else
the log holds. That is what lets a fraud campaign be added without disturbing a single legitimate
row around it, and what makes the output independent of how the work is split into shards and
processes. The key comes from a named ``SeedSequence`` stream (:mod:`.seeds`).
"""

from __future__ import annotations

import numpy as np

from ..market.keyed import mix, salt

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_TO_UNIT = 1.0 / (1 << 53)


class KeyedUniforms:
    """Uniform [0, 1) numbers as a pure function of (key, row identity, column name).

    Parameters
    ----------
    key : int
        64-bit key of the run (from :func:`brushbench.market.seeds.integer_key`).
    """

    def __init__(self, key: int) -> None:
        self.key = np.uint64(key)

    def __call__(self, rows: np.ndarray, column: str) -> np.ndarray:
        """One uniform per row identity in ``rows`` (uint64) for the named column."""
        return self.bind(rows)(column)

    def bind(self, rows: np.ndarray) -> RowUniforms:
        """Uniforms for a fixed set of rows, many columns: hashes the rows once."""
        with np.errstate(over="ignore"):
            return RowUniforms(np.asarray(rows, dtype=np.uint64) * _GOLDEN, self.key)


class RowUniforms:
    """Uniform columns for one set of rows (see :class:`KeyedUniforms`)."""

    def __init__(self, base: np.ndarray, key: np.uint64) -> None:
        self._base = base
        self._key = key

    def __len__(self) -> int:
        return len(self._base)

    def subset(self, mask: np.ndarray) -> RowUniforms:
        """The same rows' uniforms, for the rows where ``mask`` is set."""
        return RowUniforms(self._base[mask], self._key)

    def __call__(self, column: str) -> np.ndarray:
        # A Weyl sequence per column through the SplitMix64 finaliser: SplitMix64 itself.
        with np.errstate(over="ignore"):
            x = mix(self._base + (self._key ^ np.uint64(salt(column))))
        x >>= np.uint64(11)
        out: np.ndarray = x.astype(np.float64)
        out *= _TO_UNIT
        return out
