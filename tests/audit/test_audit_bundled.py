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


CAREFUL_SCENARIOS = [n for n in FRAUD_SCENARIOS if n.endswith("_careful")]


@pytest.mark.parametrize("name", CAREFUL_SCENARIOS)
def test_careful_rings_leave_no_generator_artefact(name):
    # Issue 17: careful rings must be told apart by behaviour, not by how the generator made
    # them (event order, constant delays, default categories, campaign accounts' attributes).
    # Naive rings trip these probes by behaviour (fresh accounts on one phone, refunds
    # within hours), so only the careful scenarios are held to them.
    from brushbench.audit import ARTEFACT_PROBES

    scale = 50_000 / brushbench.load_scenario(name).traffic.orders
    report = audit_dataset(brushbench.generate(name, scale=scale, seed=3),
                           probes=ARTEFACT_PROBES)
    assert report.passed, report.render()
