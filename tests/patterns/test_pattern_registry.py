"""The pattern registry: every pattern documented, bundled, and listed by the CLI."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from brushbench import patterns
from brushbench.cli import main
from brushbench.patterns.base import CampaignSpec
from brushbench.patterns.docs import render_markdown, summary
from brushbench.scenario import load_scenario
from brushbench.scenario.bundled import bundled_dir, bundled_names
from brushbench.scenario.canonical import pattern_name
from brushbench.teaching.explain import TRACES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "patterns.md"
SIX = {"self_purchase", "post_promo_return", "supplier_buyback", "competitor_framing",
       "click_farm", "distributor_fake"}


def test_the_six_patterns_are_registered():
    assert SIX <= set(patterns.names())


@pytest.mark.parametrize("name", patterns.names())
def test_each_pattern_has_a_documented_spec(name):
    pattern = patterns.get(name)
    assert issubclass(pattern.Spec, CampaignSpec) and callable(pattern.plan)
    assert summary(name)
    for f in dataclasses.fields(pattern.Spec):
        assert f.metadata.get("doc"), f"{name}.{f.name} has no doc"


def test_unknown_pattern_names_the_known_ones():
    with pytest.raises(KeyError, match="self_purchase"):
        patterns.get("self_purchse")


def test_every_pattern_appears_in_a_bundled_scenario():
    used = {pattern_name(spec) for n in bundled_names()
            for spec in load_scenario(bundled_dir() / f"{n}.yaml").fraud}
    assert set(patterns.names()) <= used


def test_bundled_fraud_scenarios_come_in_naive_and_careful_variants():
    names = set(bundled_names())
    for base in ("double11_phone_war", "supplier_price_war", "click_farm", "distributor_fake",
                 "mixed"):
        naive = load_scenario(bundled_dir() / f"{base}_naive.yaml")
        careful = load_scenario(bundled_dir() / f"{base}_careful.yaml")
        assert {f"{base}_naive", f"{base}_careful"} <= names
        assert max(s.camouflage for s in naive.fraud) <= 0.2
        assert min(s.camouflage for s in careful.fraud) >= 0.8


def test_docs_file_is_generated_from_the_modules():
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/patterns.md is stale: python -m brushbench.patterns.docs > docs/patterns.md")


def test_cli_lists_the_patterns(capsys):
    assert main(["patterns"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(patterns.names())


@pytest.mark.parametrize("name", patterns.names())
def test_each_pattern_leaves_traces_explain_can_show(name):
    traces = patterns.get(name).traces
    assert traces and len(set(traces)) == len(traces)
    assert set(traces) <= set(TRACES), f"{name}.TRACES names traces explain does not compute"
