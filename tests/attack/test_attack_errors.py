"""Bad input is one line and exit 2; the answer key never reaches the detector."""

from __future__ import annotations

import pytest

from brushbench.attack import attack
from brushbench.attack.space import apply, search_space, units_of
from brushbench.cli import main
from brushbench.runtime import private

from attack_helpers import SCALE, baseline, detector, tiny_scenario, write_scenario


@pytest.mark.parametrize(("args", "needle"), [
    (["--scenario", "double11_phone_war_naive", "--pattern", "click_farm"],
     "injects no click_farm campaign"),
    (["--scenario", "no_such_scenario", "--pattern", "self_purchase"], "no such file"),
    (["--scenario", "double11_phone_war_naive", "--pattern", "nope"], "unknown fraud pattern"),
    (["--scenario", "double11_phone_war_naive", "--pattern", "self_purchase", "--floor", "lots"],
     "--floor"),
    (["--scenario", "double11_phone_war_naive", "--pattern", "self_purchase", "--budget", "0"],
     "--budget"),
    (["--scenario", "double11_phone_war_naive", "--pattern", "self_purchase", "--knobs", "x"],
     "not a knob"),
])
def test_bad_input_is_one_line(args, needle, capsys):
    code = main(["attack", baseline("null"), *args])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_the_detector_never_gets_the_answer_key(monkeypatch):
    views = []
    real = private.prepare_view

    def spy(source, dest, *, answer_key):
        views.append(answer_key)
        return real(source, dest, answer_key=answer_key)

    monkeypatch.setattr(private, "prepare_view", spy)
    result = attack(detector("reads_labels"), tiny_scenario(), "self_purchase", budget=2,
                    seed=0, floor="0", scale=SCALE, knobs=["empty_parcels"], timeout=120)
    # Each run: the training view with its key (fit may learn from it), the test view without.
    assert views == [True, False] * 2
    for trial in result.trials:
        assert trial.status == "error" and trial.recall is None
        assert "label" in trial.reason.lower() or "answer key" in trial.reason.lower()
    assert result.best is None


def test_every_failed_run_exits_1(tmp_path, capsys):
    scenario = write_scenario(tmp_path)
    code = main(["attack", detector("reads_labels"), "--scenario", str(scenario),
                 "--pattern", "self_purchase", "--budget", "1", "--scale", str(SCALE),
                 "--out", str(tmp_path / "out")])
    assert code == 1
    assert "every run failed" in capsys.readouterr().err


def test_the_space_follows_the_spec_ranges():
    spec = tiny_scenario().fraud[0]
    knobs = {k.name: k for k in search_space(spec, window_seconds=86400)}
    assert {"camouflage", "empty_parcels", "orders", "accounts", "duration"} <= set(knobs)
    assert not {"start", "shops", "shop_ranks"} & set(knobs)
    assert (knobs["camouflage"].low, knobs["camouflage"].high) == (0.0, 1.0)
    assert knobs["duration"].high <= 86400 and knobs["duration"].low >= 60
    # The scenario's own campaign is a point of the space: applying its units gives it back.
    space = tuple(knobs.values())
    again = apply(spec, space, units_of(spec, space))
    assert again.camouflage == spec.camouflage and again.empty_parcels == spec.empty_parcels
    assert again.duration == spec.duration


def test_the_command_line_lists_the_library_values():
    from brushbench.attack import report, run
    from brushbench.cli import _choices

    assert _choices.ATTACK_FLOOR == run.DEFAULT_FLOOR
    assert _choices.ATTACK_REVIEW_BUDGET == run.REVIEW_BUDGET
    assert _choices.PAYOFF_MEASURES == run.MEASURES
    assert _choices.PAYOFF_WORDS == report.WORDS
