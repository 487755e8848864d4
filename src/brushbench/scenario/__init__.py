"""The scenario language: YAML files validated into typed, immutable objects.

>>> from brushbench.scenario import load_scenario, scenario_hash
>>> scenario = load_scenario("scenarios/double11.yaml")      # doctest: +SKIP
>>> scenario.traffic.promotions[0].burst_tau                  # doctest: +SKIP
1200

The reference of every key is ``docs/scenarios.md`` (generated from :mod:`.model` by
:mod:`.docs`).
"""

from __future__ import annotations

from .canonical import scenario_hash, to_plain
from .distributions import Dist, DistError
from .errors import Issue, Location, ScenarioError
from .loader import check_files, load_scenario, load_scenario_text
from .model import (
    BulkBuyers,
    Category,
    Coupons,
    FlashSale,
    Households,
    Logistics,
    Marketplace,
    Network,
    Probability,
    Promotion,
    Redirect,
    Refunds,
    RepeatBursts,
    Reranking,
    Reviews,
    Scenario,
    Seconds,
    Traffic,
    Window,
)
from .schema import json_schema

__all__ = [
    "BulkBuyers",
    "Category",
    "Coupons",
    "Dist",
    "DistError",
    "FlashSale",
    "Households",
    "Issue",
    "Location",
    "Logistics",
    "Marketplace",
    "Network",
    "Probability",
    "Promotion",
    "Redirect",
    "Refunds",
    "RepeatBursts",
    "Reranking",
    "Reviews",
    "Scenario",
    "ScenarioError",
    "Seconds",
    "Traffic",
    "Window",
    "check_files",
    "json_schema",
    "load_scenario",
    "load_scenario_text",
    "scenario_hash",
    "to_plain",
]
