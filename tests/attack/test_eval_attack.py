"""``brushbench eval --attack``: the robust recall per pattern joins the results file."""

from __future__ import annotations

import json
from pathlib import Path

from brushbench.attack import robustness
from brushbench.cli import main

NULL = str(Path(__file__).resolve().parents[2] / "baselines" / "null.py")
SUITE = """\
name: tiny
description: one small scenario
seeds: 1
scenarios:
  - {scenario: mixed_naive, scale: 0.004}
"""


def test_eval_attack_adds_robust_recall_per_pattern(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BRUSHBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tiny.yaml").write_text(SUITE, encoding="utf-8")
    # One small attack of two candidates instead of the leaderboard's fixed set.
    monkeypatch.setattr(robustness, "ATTACKS",
                        (("double11_phone_war_naive", "self_purchase", 0.01),))
    monkeypatch.setattr(robustness, "BUDGET", 2)
    code = main(["eval", NULL, "--suite", "tiny.yaml", "--attack", "--out", "r.json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["robustness"]
    assert list(doc["robust_recall"]) == ["self_purchase"]
    (row,) = doc["attacks"]
    assert row["scenario"] == "double11_phone_war_naive" and row["budget"] == 2
    assert "robust R@1% under attack: self_purchase" in out.out
    assert "attack double11_phone_war_naive/self_purchase: 2 candidates" in out.err


def test_eval_attack_refuses_a_given_log(tmp_path, capsys):
    (tmp_path / "log.csv").write_text("order_id\n1\n", encoding="utf-8")
    code = main(["eval", NULL, "--data", str(tmp_path / "log.csv"), "--attack"])
    assert code == 2 and "--attack applies to a suite" in capsys.readouterr().err
