"""``fraud`` entries: built into the named pattern's Spec by the same generic builder."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import yaml

from brushbench.scenario import (
    ScenarioError,
    json_schema,
    load_scenario_text,
    scenario_hash,
    to_plain,
)
from brushbench.scenario.distributions import Dist

from scenario_helpers import BASE, FakeSpec


def fraud(entries: str) -> str:
    return BASE + "fraud:\n" + entries


def test_unknown_pattern_names_the_known_ones():
    # The real registry may hold patterns by now; the message must still name the bad one.
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(fraud("  - {pattern: no_such_pattern, shops: 2}\n"), "f.yaml")
    (issue,) = info.value.issues
    row = len(BASE.splitlines()) + 2
    assert str(issue).startswith(f"f.yaml:{row}:15: fraud[0].pattern: unknown fraud pattern "
                                 "'no_such_pattern' (known: ")


def test_misspelt_pattern_gets_a_suggestion(fake_pattern):
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(fraud("  - {pattern: self_purchse, start: 2024-11-11}\n"))
    (issue,) = info.value.issues
    assert issue.path == "fraud[0].pattern"
    assert issue.message.endswith(", did you mean 'self_purchase'?")


def test_entry_without_pattern_is_reported():
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(fraud("  - {shops: 2}\n  - 3\n"))
    assert [(i.path, i.message.split(",")[0]) for i in info.value.issues] == [
        ("fraud[0].pattern", "required key missing"),
        ("fraud[1]", "expected a mapping with a 'pattern' key"),
    ]


def test_entry_is_built_into_the_pattern_spec(fake_pattern):
    s = load_scenario_text(fraud("  - pattern: self_purchase\n    start: 2024-11-11 01:00\n"
                                 "    shops: 3\n    gap: 2m\n    orders: {dist: poisson, mu: 5}\n"))
    (spec,) = s.fraud
    assert spec == FakeSpec(start=datetime(2024, 11, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
                            shops=3, gap=120, orders=Dist.of("poisson", mu=5))
    plain = to_plain(s)["fraud"]
    assert plain == [{"pattern": "self_purchase", "start": "2024-11-11T01:00:00+08:00",
                      "shops": 3, "orders": {"dist": "poisson", "mu": 5.0}, "camouflage": 0.5,
                      "gap": 120}]
    assert load_scenario_text(yaml.safe_dump(to_plain(s))) == s


def test_spec_keys_are_checked_like_model_keys(fake_pattern):
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(fraud("  - {pattern: self_purchase, start: 2024-11-11, shop: 2,"
                                 " camouflage: 2, gap: true}\n"))
    assert [(i.path, i.message) for i in info.value.issues] == [
        ("fraud[0].shop", "unknown key, did you mean 'shops'?"),
        ("fraud[0].camouflage", "expected a number between 0 and 1, found 2"),
        ("fraud[0].gap", "expected a duration such as 90s, 3m, 24h, 7d or 1h30m (or whole "
                         "seconds), at least 1s, found true (a boolean)"),
    ]


def test_fraud_changes_the_hash(fake_pattern):
    one = load_scenario_text(fraud("  - {pattern: self_purchase, start: 2024-11-11}\n"))
    two = load_scenario_text(fraud("  - {pattern: self_purchase, start: 2024-11-11, shops: 2}\n"))
    assert scenario_hash(one) != scenario_hash(two)


def test_schema_lists_registered_patterns_with_their_keys(fake_pattern):
    entry = json_schema()["$defs"]["Scenario"]["properties"]["fraud"]["items"]
    assert "self_purchase" in entry["properties"]["pattern"]["enum"]
    (branch,) = [b for b in entry["allOf"]
                 if b["if"]["properties"]["pattern"]["const"] == "self_purchase"]
    assert set(branch["then"]["properties"]) == {"pattern", "start", "shops", "orders",
                                                 "camouflage", "gap"}
    assert branch["then"]["required"] == ["start"]
