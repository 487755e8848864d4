"""The benchmark's own data passes its leak audit: every bundled scenario, small scale."""

from __future__ import annotations

import pytest

import brushbench
from brushbench.audit import audit_dataset
from brushbench.scenario.bundled import bundled_names

FRAUD_SCENARIOS = [n for n in bundled_names() if brushbench.load_scenario(n).fraud]


def test_every_fraud_pattern_is_audited_somewhere():
    assert len(FRAUD_SCENARIOS) >= 10


@pytest.mark.parametrize("name", FRAUD_SCENARIOS)
def test_bundled_scenario_passes_the_leak_audit(name):
    # About 50,000 orders each: small enough to be quick, large enough that a campaign's
    # smallest ring (one shop at any scale) stays a realistic share of the log.
    scale = 50_000 / brushbench.load_scenario(name).traffic.orders
    data = brushbench.generate(name, scale=scale, seed=3)
    share = data.labels.is_brushing.mean()
    assert 0 < share < 0.05, f"brushing share {share:.3f}"
    report = audit_dataset(data)
    assert report.passed, report.render()
