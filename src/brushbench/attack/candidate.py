"""Candidate scenarios: the attacked scenario with one campaign's knobs replaced.

The attacked campaign is moved to the end of the scenario's ``fraud`` list. A campaign's rows,
ids and random stream derive from its position, so with the attacked campaign last, every other
campaign (and every legitimate row) is the same in every candidate and in the *baseline*, the
scenario without the attacked campaign: a candidate differs from the baseline by its campaign's
rows and by the legitimate orders the re-ranking gives its beneficiary, nothing else.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..scenario import Scenario
from ..scenario.registry import name_of


class AttackError(ValueError):
    """An attack that cannot start (a pattern the scenario does not inject, a bad option)."""


def campaign_index(scenario: Scenario, pattern: str, which: int = 1) -> int:
    """The position in ``scenario.fraud`` of its ``which``-th campaign of ``pattern`` (from 1).

    Raises
    ------
    AttackError
        The scenario has no (or not that many) campaigns of ``pattern``.
    """
    found = [i for i, spec in enumerate(scenario.fraud) if name_of(spec) == pattern]
    if not found:
        present = sorted({name_of(spec) for spec in scenario.fraud})
        raise AttackError(f"scenario {scenario.name!r} injects no {pattern} campaign "
                          f"(it injects: {', '.join(present) or 'none'})")
    if not 1 <= which <= len(found):
        raise AttackError(f"scenario {scenario.name!r} has {len(found)} {pattern} "
                          f"campaign(s); --campaign {which} is out of range")
    return found[which - 1]


def baseline_scenario(scenario: Scenario, index: int) -> Scenario:
    """``scenario`` without its campaign at ``index``: what the log is without the attack."""
    fraud = tuple(spec for i, spec in enumerate(scenario.fraud) if i != index)
    return dataclasses.replace(scenario, fraud=fraud)


def candidate_scenario(scenario: Scenario, index: int, spec: Any) -> Scenario:
    """``scenario`` with its campaign at ``index`` replaced by ``spec``, moved last."""
    base = baseline_scenario(scenario, index)
    return dataclasses.replace(base, fraud=(*base.fraud, spec))


def campaign_id(scenario: Scenario) -> str:
    """The answer key's id of a candidate's attacked campaign (the last of its ``fraud``)."""
    index = len(scenario.fraud) - 1
    return f"c{index + 1:02d}-{name_of(scenario.fraud[index])}"


__all__ = ["AttackError", "baseline_scenario", "campaign_id", "campaign_index",
           "candidate_scenario"]
