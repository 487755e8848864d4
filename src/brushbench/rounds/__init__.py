"""Hidden-seed rounds: a suite evaluated on seeds nobody could tune a detector to.

A round is two files, written together by :func:`new_round`:

- ``NAME.round.json`` (public): the suite's name and hash, the number of seeds, the
  **commitment** (sha256 of the canonical encoding of the seeds, a random salt and the suite
  hash: :func:`commitment`) and the time it was made;
- ``NAME.seeds.json`` (private, mode 0600): the seeds and the salt.

:func:`evaluate_round` runs submissions on the hidden seeds; its results name the round and the
commitment, never the seeds. :func:`reveal` writes the seeds and salt into the round file and
:func:`verify` recomputes the commitment from them, so anyone can check that the seeds were
fixed when the round was announced. See docs/rounds.md.
"""

from __future__ import annotations

from .core import (
    ROUND_KIND,
    ROUND_SCHEMA_VERSION,
    SEEDS_KIND,
    Round,
    RoundError,
    RoundSeeds,
    check_seeds,
    commitment,
    draw_seeds,
    evaluate_round,
    new_round,
    read_round,
    read_seeds,
    resolve_round,
    reveal,
    round_paths,
    round_suite,
    verify,
)

__all__ = ["ROUND_KIND", "ROUND_SCHEMA_VERSION", "SEEDS_KIND", "Round", "RoundError",
           "RoundSeeds", "check_seeds", "commitment", "draw_seeds", "evaluate_round",
           "new_round", "read_round", "read_seeds", "resolve_round", "reveal", "round_paths",
           "round_suite", "verify"]
