"""Shared by the scenario-language tests: a valid base file and a fake fraud pattern."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from brushbench.scenario import check_files, registry
from brushbench.scenario.distributions import Dist
from brushbench.scenario.model import Probability, Seconds, param

#: A small valid scenario that tests perturb.
BASE = """\
name: base
window:
  start: 2024-11-10 00:00:00
  duration: 3d
  timezone: Asia/Shanghai
marketplace:
  shops: 50
  buyers: 1000
traffic:
  orders: 5000
  promotions:
    - start: 2024-11-11 00:00:00
      burst_tau: 20m
flash_sales:
  - at: 2024-11-11 12:00:00
    shop_rank: 2
"""


@dataclass(frozen=True)
class FakeSpec:
    """A campaign of the fake pattern used by these tests."""

    start: datetime = param(doc="When the campaign starts.")
    shops: int = param(1, doc="Shops involved.", min=1)
    orders: Dist = param(Dist.constant(30), doc="Orders per shop.")
    camouflage: Probability = param(Probability(0.5), doc="How careful.", min=0, max=1)
    gap: Seconds = param(Seconds(300), doc="Time between orders.", min=1)


def _never_planned(spec, ctx):
    raise AssertionError("the scenario-language tests never plan a campaign")


#: A pattern whose entry takes FakeSpec's keys, registered by the ``fake_pattern`` fixture.
FakePattern = registry.Pattern("self_purchase", FakeSpec, _never_planned, (),
                               sys.modules[__name__], "the scenario tests")


def with_key(text: str, section: str, key: str, value: str) -> str:
    """``text`` with ``section.key: value`` added (the section is created when missing)."""
    head = re.compile(rf"^{section}:\n", re.MULTILINE)
    if head.search(text):
        return head.sub(f"{section}:\n  {key}: {value}\n", text, count=1)
    return text + f"{section}:\n  {key}: {value}\n"


def lines(path: Path | str) -> list[str]:
    """The one-line issues ``check_files`` reports for one file."""
    return [str(i) for i in check_files([path])]
