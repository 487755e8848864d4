"""Which results files are ranked: only comparable ones; the others are listed with a reason,
and mistakes in ``entries.yaml`` are located one-line errors."""

from __future__ import annotations

import pytest

from brushbench.cli import main
from brushbench.leaderboard import LeaderboardError, load_leaderboard
from brushbench.leaderboard.build import write_board

from leaderboard_helpers import NAMES, copy_fixtures, fixture, write


@pytest.fixture
def no_plots(monkeypatch):
    """README only: these tests are about what is ranked, not the figures."""
    monkeypatch.setattr("brushbench.leaderboard.plots.available", lambda: False)


def test_comparable_fixtures_are_all_ranked_in_name_order(tmp_path):
    board = load_leaderboard(copy_fixtures(tmp_path))
    assert [e.name for e in board.entries] == sorted(NAMES)
    assert board.refused == ()
    assert board.suite_name == "tiny-leaderboard" and board.seeds == (0, 1)
    assert board.scenario_names == ("mixed_naive", "mixed_careful")


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: d.update(generator_version="999"), "different generator versions (1 vs 999)"),
    (lambda d: d["suite"].update(hash="0" * 64), "different suites"),
    (lambda d: d["runs"][-1].update(scenario_hash="f" * 64),
     "different scenario hashes or seeds for mixed_careful"),
    (lambda d: d.update(runs=d["runs"][:-1]), "different scenario hashes or seeds"),
])
def test_an_incomparable_file_is_refused_with_its_reason(tmp_path, no_plots, capsys, change,
                                                         reason):
    results = copy_fixtures(tmp_path / "results", ("null_scores", "random_scores", "ten_line"))
    other = fixture("careful_fails")
    change(other)
    write(results, "stale", other)
    board = load_leaderboard(results)
    assert [e.name for e in board.entries] == ["null_scores", "random_scores", "ten_line"]
    (refused,) = board.refused
    assert refused.file == "stale.json" and reason in refused.reason
    assert "not comparable with the 3 ranked entries (tiny-leaderboard" in refused.reason

    code = main(["leaderboard", "build", "--results", str(results), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 1  # built, but something was left out: the exit says so
    (line,) = [x for x in err.splitlines() if x.startswith("not ranked")]
    assert line.startswith("not ranked: stale.json: not comparable") and reason in line
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    ranked, _, unranked = readme.partition("## Not ranked")
    assert "stale" not in ranked and "`stale.json`: not comparable" in unranked


def test_the_largest_group_is_ranked_and_ties_go_to_verified_entries(tmp_path):
    results = copy_fixtures(tmp_path, ("null_scores", "ten_line"))
    for name in ("a", "b"):
        write(results, name, {**fixture("random_scores"), "generator_version": "2"})
    board = load_leaderboard(results)
    # Two groups of two: the first names sort first ("a", "b") unless the other is verified.
    assert [e.name for e in board.entries] == ["a", "b"]
    (results / "entries.yaml").write_text("ten_line: {status: verified}\n", encoding="utf-8")
    board = load_leaderboard(results)
    assert [e.name for e in board.entries] == ["null_scores", "ten_line"]
    assert [r.name for r in board.refused] == ["a", "b"]


def test_unreadable_files_are_refused_and_nothing_readable_is_an_error(tmp_path):
    results = copy_fixtures(tmp_path, ("ten_line",))
    (results / "broken.json").write_text("{not json", encoding="utf-8")
    (results / "other.json").write_text('{"a": 1}', encoding="utf-8")
    board = load_leaderboard(results)
    assert [e.name for e in board.entries] == ["ten_line"]
    reasons = {r.file: r.reason for r in board.refused}
    assert reasons["broken.json"].startswith("broken.json:1:2: not JSON")
    assert "not a brushbench results file" in reasons["other.json"]
    (results / "ten_line.json").unlink()
    with pytest.raises(LeaderboardError, match="no readable results file"):
        load_leaderboard(results)
    (tmp_path / "empty").mkdir()
    with pytest.raises(LeaderboardError, match="no results files"):
        load_leaderboard(tmp_path / "empty")
    with pytest.raises(LeaderboardError, match="no such folder"):
        load_leaderboard(tmp_path / "missing")


def test_entries_yaml_marks_verified_entries_and_describes_them(tmp_path, no_plots):
    results = copy_fixtures(tmp_path / "results", ("random_scores", "ten_line"))
    (results / "entries.yaml").write_text(
        "ten_line:\n  status: verified\n  description: Shared devices and addresses\n"
        "  link: examples/ten_line_detector.py\n", encoding="utf-8")
    board = load_leaderboard(results)
    ten = {e.name: e for e in board.entries}["ten_line"]
    assert ten.verified and ten.description == "Shared devices and addresses"
    assert not {e.name: e for e in board.entries}["random_scores"].verified
    write_board(board, tmp_path)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| ten_line ✔ |" in readme and "| random_scores |" in readme
    assert ("| ten_line | verified | `examples/ten_line_detector.py` | Shared devices and "
            "addresses (examples/ten_line_detector.py) |") in readme
    assert "(1 verified, 1 self-reported)" in readme


@pytest.mark.parametrize(("text", "message"), [
    ("ten_line:\n  statu: verified\n", "entries.yaml:2:3: ten_line.statu: unknown key, did you "
                                       "mean 'status'?"),
    ("ten_line:\n  status: reproduced\n", "entries.yaml:2:11: ten_line.status: expected one of"),
    ("ten_lin: {status: verified}\n", "entries.yaml:1:1: ten_lin: names no results file of "
                                      "this folder"),
    ("- ten_line\n", "entries.yaml:1:1: (top level): expected a mapping"),
])
def test_mistakes_in_entries_yaml_are_one_located_line(tmp_path, capsys, text, message):
    results = copy_fixtures(tmp_path / "results", ("ten_line",))
    (results / "entries.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(LeaderboardError) as info:
        load_leaderboard(results)
    assert message in str(info.value)
    code = main(["leaderboard", "build", "--results", str(results), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "README.md").exists()
