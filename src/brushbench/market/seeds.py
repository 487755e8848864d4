"""Named random streams.

Every part of the generator draws from its own stream, spawned by *name* from the run's seed
(``stream(seed, "marketplace", "buyers")``). A stream depends only on the seed and its name, so
adding a fraud campaign or a flash sale never shifts the draws of anything else, and shards draw
the same numbers whichever process runs them.
"""

from __future__ import annotations

import hashlib

import numpy as np


def _words(name: str) -> tuple[int, ...]:
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def seed_sequence(seed: int, *names: str | int) -> np.random.SeedSequence:
    """The ``SeedSequence`` of the stream called ``names`` under ``seed``."""
    key: list[int] = []
    for name in names:
        key.extend(_words(str(name)))
    return np.random.SeedSequence(entropy=int(seed), spawn_key=tuple(key))


def stream(seed: int, *names: str | int) -> np.random.Generator:
    """A fresh ``numpy.random.Generator`` for the stream called ``names`` under ``seed``."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, *names)))


def integer_key(seed: int, *names: str | int) -> int:
    """A 64-bit key derived from the seed and a name (for id scrambling and Faker seeding)."""
    return int(seed_sequence(seed, *names).generate_state(2, np.uint32).view(np.uint64)[0])
