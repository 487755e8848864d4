"""The leaderboard's robustness column: present with robustness files beside the results,
absent (the board unchanged) without them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from brushbench.leaderboard import load_leaderboard
from brushbench.leaderboard.markdown import render_markdown
from brushbench.leaderboard.stats import board_stats

FIXTURES = Path(__file__).resolve().parents[1] / "leaderboard" / "fixtures"


def _doc(robust, reference):
    return {"schema": 1, "versions": {"generator": "3"}, "detector": {"name": "x"},
            "robust_recall": {"self_purchase": robust},
            "attacks": [{"pattern": "self_purchase", "robust_recall": robust,
                         "reference_recall": reference},
                        {"pattern": "click_farm", "robust_recall": None,
                         "reference_recall": 0.5}]}


def _board(tmp_path, robustness):
    results = tmp_path / "board" / "results"
    results.mkdir(parents=True)
    for name in ("null_scores", "ten_line"):
        shutil.copy(FIXTURES / f"{name}.json", results / f"{name}.json")
    if robustness:
        folder = tmp_path / "board" / "robustness"
        folder.mkdir()
        for name, doc in robustness.items():
            (folder / f"{name}.json").write_text(json.dumps(doc), encoding="utf-8")
    board = load_leaderboard(results)
    return render_markdown(board, board_stats(board))


def test_robustness_files_add_a_column_and_a_section(tmp_path):
    text = _board(tmp_path, {"ten_line": _doc(0.25, 0.9), "null_scores": _doc(0.01, 0.01)})
    header = next(line for line in text.splitlines() if line.startswith("| rank |"))
    assert "robust R@1%" in header
    row = next(line for line in text.splitlines() if line.startswith("| ") and "ten_line" in line)
    assert "**0.250**" in row  # the mean over the patterns that paid, the best of the column
    assert "## Robustness under attack" in text
    assert "0.250 (was 0.900)" in text and "no paying evasion (was 0.500)" in text


def test_without_robustness_files_the_board_is_unchanged(tmp_path):
    text = _board(tmp_path, {})
    assert "robust R@1%" not in text and "Robustness under attack" not in text
