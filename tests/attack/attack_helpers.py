"""A tiny scenario for the attack's tests: the Double 11 phone war's self-purchase campaign
alone, with a re-ranking strong enough that brushing pays even at a few thousand orders."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import yaml

from brushbench.scenario import Scenario, load_scenario, to_plain
from brushbench.scenario.bundled import resolve

#: Volume of the tests' runs: ~20k orders, half a second per candidate.
SCALE = 0.02
ROOT = Path(__file__).resolve().parents[2]


def tiny_scenario() -> Scenario:
    scenario = load_scenario(resolve("double11_phone_war_naive"))
    traffic = scenario.traffic
    return dataclasses.replace(
        scenario, name="attack_tiny", fraud=scenario.fraud[:1],
        traffic=dataclasses.replace(traffic, reranking=dataclasses.replace(
            traffic.reranking, strength=4.0)))


def write_scenario(folder: Path) -> Path:
    path = folder / "attack_tiny.yaml"
    path.write_text(yaml.safe_dump(to_plain(tiny_scenario()), allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return path


def baseline(name: str) -> str:
    return str(ROOT / "baselines" / f"{name}.py")


def detector(name: str) -> str:
    return str(ROOT / "tests" / "harness" / "detectors" / f"{name}.py")
