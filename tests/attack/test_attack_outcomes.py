"""What the attack reports when it cannot win: a detector that sees nothing stays at the base
rate whatever it tries, and a floor no campaign earns is "no paying evasion found"."""

from __future__ import annotations

import pytest

from brushbench.attack import attack
from brushbench.attack.report import frontier, to_json
from brushbench.cli import main

from attack_helpers import SCALE, baseline, tiny_scenario, write_scenario


@pytest.fixture(scope="module")
def null_result():
    return attack(baseline("null"), tiny_scenario(), "self_purchase", budget=6, seed=3,
                  floor="0", scale=SCALE, timeout=120)


def test_null_is_at_the_base_rate_whatever_the_attacker_tries(null_result):
    recalls = [t.recall for t in null_result.trials]
    assert len(recalls) == 6
    # Constant scores: every order is in the budget with the same expected share.
    assert recalls == pytest.approx([0.01] * 6, abs=1e-3)
    knobs = {str(t.knobs) for t in null_result.trials}
    assert len(knobs) > 1  # the attacker did try different campaigns


def test_the_curve_only_falls_as_the_payoff_asked_for_falls(null_result):
    curve = frontier(null_result.trials)
    levels = [p["rank_gain"] for p in curve]
    assert levels == sorted(levels, reverse=True)
    recalls = [p["recall"] for p in curve]
    assert recalls == sorted(recalls, reverse=True)
    doc = to_json(null_result)
    assert doc["summary"]["robust_recall"] == pytest.approx(0.01, abs=1e-3)


def test_a_floor_no_campaign_earns_is_reported(tmp_path, capsys):
    scenario = write_scenario(tmp_path)
    code = main(["attack", baseline("parcel_weight"), "--scenario", str(scenario),
                 "--pattern", "self_purchase", "--budget", "3", "--scale", str(SCALE),
                 "--floor", "100000", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert "no paying evasion found" in out
    assert (tmp_path / "out" / "attack.json").is_file()
    assert not (tmp_path / "out" / "evasions").exists()
    import json

    doc = json.loads((tmp_path / "out" / "attack.json").read_text())
    assert doc["summary"]["found"] is False and doc["summary"]["best"] is None
    assert doc["floor"] == {"given": "100000", "measure": "rank_gain", "value": 100000}


def test_the_command_prints_the_evasion_and_writes_a_scenario_that_generates(tmp_path, capsys):
    from brushbench.scenario import load_scenario

    scenario = write_scenario(tmp_path)
    code = main(["attack", baseline("parcel_weight"), "--scenario", str(scenario),
                 "--pattern", "self_purchase", "--budget", "3", "--scale", str(SCALE),
                 "--floor", "0", "--knobs", "empty_parcels", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert "best paying evasion" in out and "recall" in out and "rank" in out
    (evasion,) = sorted((tmp_path / "out" / "evasions").glob("*.yaml"))[:1]
    loaded = load_scenario(evasion)
    assert loaded.fraud[-1].empty_parcels <= 1.0
    assert len(loaded.fraud) == 1


def test_an_attack_into_a_used_folder_leaves_no_stale_evasion(tmp_path, capsys):
    scenario = write_scenario(tmp_path)
    stale = tmp_path / "out" / "evasions" / "old_evasion.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("name: old\n", encoding="utf-8")
    code = main(["attack", baseline("null"), "--scenario", str(scenario),
                 "--pattern", "self_purchase", "--budget", "1", "--scale", str(SCALE),
                 "--floor", "100000", "--out", str(tmp_path / "out")])
    assert code == 0
    assert not stale.exists()


def test_robustness_mode_writes_the_leaderboard_file(tmp_path, capsys, monkeypatch):
    import json

    from brushbench.attack import robustness

    monkeypatch.setattr(robustness, "ATTACKS",
                        (("double11_phone_war_naive", "self_purchase", SCALE),))
    code = main(["attack", baseline("null"), "--robustness", "--budget", "2",
                 "--out", str(tmp_path / "rob")])
    assert code == 0
    doc = json.loads((tmp_path / "rob" / "null.json").read_text())
    assert list(doc["robust_recall"]) == ["self_purchase"]
    assert doc["robust_recall"]["self_purchase"] == pytest.approx(0.01, abs=1e-3)
    assert "self_purchase: robust recall 0.010" in capsys.readouterr().out


def test_one_attack_needs_a_scenario_and_a_pattern(capsys):
    assert main(["attack", baseline("null"), "--pattern", "self_purchase"]) == 2
    assert "--scenario and --pattern" in capsys.readouterr().err
