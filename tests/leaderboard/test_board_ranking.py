"""Rows in rank order: by overall AP, ties shared, the spread over seeds marked, entries with
failed runs last and unranked; the same order in every table of the README and the page."""

from __future__ import annotations

import re

from brushbench.leaderboard import Section, build, load_leaderboard
from brushbench.leaderboard.markdown import render_markdown, summary_table
from brushbench.leaderboard.ranking import ranks
from brushbench.leaderboard.stats import board_stats

from leaderboard_helpers import ROOT, table, with_values, write

AP = "AP (mean ± std)"


def seeds(values):
    """AP per seed (the same on every scenario): the overall AP's per-seed values."""
    return lambda run: values[run["seed"]]


def board_of(tmp_path, docs):
    for name, doc in docs.items():
        write(tmp_path, name, doc)
    return load_leaderboard(tmp_path)


def test_rows_are_ranked_by_ap_not_by_name(tmp_path):
    board = board_of(tmp_path, {
        "alpha": with_values("ten_line", orders__average_precision=0.2),
        "beta": with_values("ten_line", orders__average_precision=0.9),
        "gamma": with_values("ten_line", orders__average_precision=0.5),
    })
    text = render_markdown(board, board_stats(board))
    for heading in ("Overall", "Per scenario: average precision"):
        rows = table(text, heading)
        assert list(rows) == ["beta", "gamma", "alpha"]
        assert [r["rank"] for r in rows.values()] == ["1", "2", "3"]
    entries = text.split("## Entries\n", 1)[1]
    assert entries.index("| beta |") < entries.index("| gamma |") < entries.index("| alpha |")


def test_equal_ap_as_shown_is_a_tie_and_a_gap_inside_the_spread_is_marked(tmp_path):
    board = board_of(tmp_path, {
        "a": with_values("ten_line", orders__average_precision=0.8),
        "b": with_values("ten_line", orders__average_precision=0.40004),   # 0.400 as shown
        "c": with_values("ten_line", orders__average_precision=0.4),
        # mean 0.35, sd 0.0707 over seeds: 0.05 below c, inside its own spread
        "d": with_values("ten_line", orders__average_precision=seeds({0: 0.3, 1: 0.4})),
        "e": with_values("ten_line", orders__average_precision=0.1),
    })
    rows = table(render_markdown(board, board_stats(board)), "Overall")
    rank = {name.split()[0]: row["rank"] for name, row in rows.items()}
    assert list(rank) == ["a", "b", "c", "d", "e"]          # within the tie: by name
    assert rank == {"a": "1", "b": "=2", "c": "=2", "d": "4 ≈", "e": "5"}
    assert rows[next(n for n in rows if n.startswith("d"))][AP] == "0.350 ± 0.071"


def test_an_entry_with_failed_runs_is_not_ranked_and_comes_last(tmp_path):
    board = board_of(tmp_path, {
        "a": with_values("ten_line", orders__average_precision=0.5),
        "b": with_values("careful_fails", orders__average_precision=0.99),   # higher, but †
    })
    stats = board_stats(board)
    rows = table(render_markdown(board, stats), "Overall")
    assert list(rows) == ["a", "b †"]
    assert rows["a"]["rank"] == "1" and rows["b †"]["rank"] == "—"
    assert [r.rank for r in ranks(stats)] == [1, None]


def test_the_page_has_the_same_order(tmp_path):
    board = board_of(tmp_path / "results", {
        "alpha": with_values("ten_line", orders__average_precision=0.2),
        "beta": with_values("ten_line", orders__average_precision=0.9),
    })
    assert board.entries
    build(tmp_path / "results", tmp_path / "out")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    overall = page.split("<h2>Overall</h2>", 1)[1].split("</table>", 1)[0]
    assert overall.index(">beta") < overall.index(">alpha")
    assert re.search(r"<td class=\"num\">1</td><td class=\"label\">beta", overall)


def test_extra_sections_go_before_the_entries_in_both_files(tmp_path):
    write(tmp_path / "results", "x", with_values("ten_line", orders__average_precision=0.5))
    extra = [Section("Rounds", ["Round 1: x."], ["<p>Round 1: x.</p>"])]
    build(tmp_path / "results", tmp_path / "out", extra)
    readme = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "## Failed runs" in readme.split("## Rounds\n\nRound 1: x.\n", 1)[0]
    assert "## Entries" in readme.split("## Rounds", 1)[1]
    assert (page.index("<h2>Failed runs</h2>") < page.index("<h2>Rounds</h2>")
            < page.index("<h2>Entries</h2>"))
    assert "<p>Round 1: x.</p>" in page


def test_the_project_readme_shows_the_committed_ranking():
    """The top-level README's leaderboard table is the committed results' ranking."""
    board = load_leaderboard(ROOT / "leaderboard" / "results")
    lines = summary_table(board_stats(board))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n".join(lines) in readme, "\n".join(lines)
    assert f"the mean over its {len(board.scenarios)} scenarios" in readme
    assert f"standard deviation over the {len(board.seeds)} seeds" in readme
