"""Against ``parcel_weight`` the attack finds what the detector's docstring admits it is blind
to: parcels of real weight. And the same seed repeats the same attack."""

from __future__ import annotations

import pytest

from brushbench.attack import attack

from attack_helpers import SCALE, baseline, tiny_scenario

KNOBS = ["camouflage", "empty_parcels"]


def _empty_share(knobs):
    # A naive ring's share of empty parcels; camouflage turns the rest into real weight.
    return knobs["empty_parcels"] * (1 - knobs["camouflage"])


@pytest.fixture(scope="module")
def result():
    return attack(baseline("parcel_weight"), tiny_scenario(), "self_purchase", budget=8,
                  seed=0, floor="1", scale=SCALE, knobs=KNOBS, timeout=120)


def test_real_weight_parcels_evade_parcel_weight(result):
    ref, best = result.reference, result.best
    assert ref.status == "ok" and ref.pays
    assert ref.recall > 0.6  # the scenario's naive campaign: nine parcels in ten empty
    assert best is not None and best.pays
    assert best.recall < 0.5 * ref.recall
    assert _empty_share(best.knobs) < 0.5 * _empty_share(ref.knobs)
    assert best.payoff.rank_gain >= 1


def test_every_trial_is_scored_and_its_cost_recorded(result):
    assert len(result.trials) == 8
    for trial in result.trials:
        assert trial.status == "ok", trial.reason
        assert 0.0 <= trial.recall <= 1.0
        assert trial.payoff.orders >= 1 and trial.payoff.accounts >= 1
        assert 0.0 <= trial.payoff.hired_share <= 1.0
        assert trial.payoff.shops  # the brushed shop is known from the answer key


def test_the_same_seed_repeats_the_attack(result):
    again = attack(baseline("parcel_weight"), tiny_scenario(), "self_purchase", budget=8,
                   seed=0, floor="1", scale=SCALE, knobs=KNOBS, timeout=120)

    def strip(trials):
        return [{k: v for k, v in t.to_json().items() if k != "seconds"} for t in trials]

    assert strip(again.trials) == strip(result.trials)
