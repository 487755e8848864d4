"""Round results on the leaderboard: their own page, never ranked with public-seed results."""

from __future__ import annotations

from pathlib import Path

from brushbench.harness.evaluate import evaluate
from brushbench.leaderboard.build import build
from brushbench.leaderboard.rounds import ROUNDS_NAME, render_rounds
from brushbench.results import write_results
from brushbench.rounds import evaluate_round, new_round, read_seeds, reveal

DETECTORS = Path(__file__).resolve().parents[1] / "harness" / "detectors"
SUITE = """\
name: tiny
seeds: 1
scenarios:
  - {scenario: click_farm_naive, scale: 0.05}
"""


def test_round_results_get_a_page_of_their_own(tmp_path, monkeypatch):
    monkeypatch.setenv("BRUSHBENCH_CACHE", str(tmp_path / "cache"))
    board = tmp_path / "board"
    board.mkdir()
    (tmp_path / "tiny.yaml").write_text(SUITE, encoding="utf-8")
    suite = str(tmp_path / "tiny.yaml")
    target = str(DETECTORS / "oracle_train.py")
    write_results(evaluate(target, suite, timeout=60), board / "public_oracle.json")
    assert render_rounds(board) is None  # no round: no page
    rnd, public, private = new_round(board / "spring", suite, seeds=1)
    results = evaluate_round(public, read_seeds(private), target, timeout=60)
    write_results(results, board / "rounds" / "spring" / "round_oracle.json")

    written = build(board, tmp_path / "out")
    assert tmp_path / "out" / ROUNDS_NAME in written
    readme = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "round_oracle" not in readme and "public_oracle" in readme
    page = (tmp_path / "out" / ROUNDS_NAME).read_text(encoding="utf-8")
    assert "## Round spring" in page and "| round_oracle | OracleTrain | 1/1 |" in page
    assert rnd.commitment[:16] in page and "seeds hidden" in page
    assert "public_oracle" not in page

    seeds = reveal(public, read_seeds(private)).revealed["seeds"]
    assert f"seeds revealed: {seeds[0]}" in render_rounds(board)
