"""``brushbench attack``: an adaptive adversary that searches for the campaigns a detector misses.

One campaign of a scenario is the attacker's: its knobs (:mod:`.space`) are searched
(:mod:`.search`) for the campaign the detector's recall is lowest on at a review budget, among
those that still pay (:mod:`.payoff`: the legitimate orders the re-ranking gives the brushed shop,
against the same log without the campaign). Each candidate (:mod:`.candidate`) is generated and
scored by the detector as ``eval`` does (:mod:`.run`); :mod:`.report` writes the results, the
robustness curve and the best evasions as scenario files. See docs/attack.md.
"""

from __future__ import annotations

from .candidate import AttackError
from .run import AttackProgress, AttackResult, Floor, Trial, attack

__all__ = ["AttackError", "AttackProgress", "AttackResult", "Floor", "Trial", "attack"]
