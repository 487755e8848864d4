"""Keyed functions of an index: hashes, uniforms and bijections of ``[0, n)``.

What lets the marketplace hold no per-buyer array: an account's attributes are a pure function
of (the run's key, its index), computed for the accounts a shard touches, and an ordering of
the accounts (by activity, by registration) is a keyed bijection instead of a stored
permutation. Everything here is vectorised over numpy arrays of indices.
"""

from __future__ import annotations

import hashlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / (1 << 53)
#: Feistel rounds: four make a balanced Feistel network a pseudo-random permutation.
_ROUNDS = 4


def salt(name: str) -> int:
    """A 64-bit constant for a named attribute (so two attributes never share draws)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")


def mix(x: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser, a bijection of uint64 with full avalanche, applied to the
    uint64 array ``x`` in place (pass a temporary: no copy on this hot path) and returned."""
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= _C1
        x ^= x >> np.uint64(27)
        x *= _C2
        x ^= x >> np.uint64(31)
    return x


def hash64(key: int, index: np.ndarray, name: str) -> np.ndarray:
    """64 random-looking bits per index, a function of (key, index, name) only."""
    with np.errstate(over="ignore"):
        base = np.asarray(index, dtype=np.uint64) * _GOLDEN
        return mix(base + np.uint64((key ^ salt(name)) & 0xFFFFFFFFFFFFFFFF))


def uniform(key: int, index: np.ndarray, name: str) -> np.ndarray:
    """A uniform in [0, 1) per index, a function of (key, index, name) only."""
    out: np.ndarray = (hash64(key, index, name) >> np.uint64(11)).astype(np.float64)
    out *= _TO_UNIT
    return out


class Permutation:
    """A keyed bijection of ``[0, n)``: a Feistel network on the smallest even number of bits
    that covers ``n``, cycle-walked back into range (each walk is expected to take fewer than
    two steps, as ``n`` is more than a quarter of the network's domain).

    Parameters
    ----------
    n : int
        Size of the domain, at least 1.
    key : int
        64-bit key; another key gives an unrelated permutation.
    """

    def __init__(self, n: int, key: int) -> None:
        if n < 1:
            raise ValueError(f"a permutation needs n >= 1, got {n}")
        bits = max(2, int(n - 1).bit_length())
        bits += bits % 2
        self.n = int(n)
        self._half = np.uint64(bits // 2)
        self._mask = np.uint64((1 << (bits // 2)) - 1)
        keys = hash64(key, np.arange(_ROUNDS), "feistel")
        self._keys = tuple(np.uint64(k) for k in keys)

    def _f(self, half: np.ndarray, k: np.uint64) -> np.ndarray:
        return mix(half ^ k) & self._mask

    def _forward(self, x: np.ndarray) -> np.ndarray:
        left, right = x >> self._half, x & self._mask
        for k in self._keys:
            left, right = right, left ^ self._f(right, k)
        out: np.ndarray = (left << self._half) | right
        return out

    def _backward(self, y: np.ndarray) -> np.ndarray:
        left, right = y >> self._half, y & self._mask
        for k in reversed(self._keys):
            left, right = right ^ self._f(left, k), left
        out: np.ndarray = (left << self._half) | right
        return out

    def _walk(self, x: np.ndarray, step: str) -> np.ndarray:
        fn = self._forward if step == "forward" else self._backward
        y = fn(np.asarray(x, dtype=np.uint64))
        n = np.uint64(self.n)
        out = np.flatnonzero(y >= n)
        while len(out):  # cycle walking: a loop over rounds, never over indices
            y[out] = fn(y[out])
            out = out[y[out] >= n]
        return y.astype(np.int64)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The images of ``x`` (each in ``[0, n)``)."""
        return self._walk(x, "forward")

    def inverse(self, y: np.ndarray) -> np.ndarray:
        """The preimages of ``y`` (each in ``[0, n)``): ``inverse(self(x)) == x``."""
        return self._walk(y, "backward")

