"""``brushbench leaderboard build``: the same files from the same results, a page that works
offline, a README without matplotlib, and the committed leaderboard in step with its results."""

from __future__ import annotations

import base64
import re
import subprocess
import sys

import pytest

from brushbench.cli import main
from brushbench.harness.evaluate import evaluate
from brushbench.harness.suites import load_suite
from brushbench.leaderboard import build, load_leaderboard
from brushbench.leaderboard.markdown import render_markdown
from brushbench.leaderboard.stats import board_stats

from leaderboard_helpers import HERE, ROOT, copy_fixtures, table

ENTRIES = "ten_line:\n  status: verified\n  description: The ten-line example\n"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = copy_fixtures(tmp_path_factory.mktemp("results"))
    (folder / "entries.yaml").write_text(ENTRIES, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(results, tmp_path_factory):
    """The leaderboard built twice: in this process, and by the command in another one."""
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    written = build(results, first)
    done = subprocess.run([sys.executable, "-c", "from brushbench.cli import main; import sys; "
                           "sys.exit(main(sys.argv[1:]))", "leaderboard", "build",
                           "--results", str(results), "--out", str(second)],
                          capture_output=True, text=True, timeout=120)
    return {"written": written, "first": first, "second": second, "done": done}


def _problems(stderr: str) -> list[str]:
    """stderr lines other than notes (a fixture made by an older generator gets one)."""
    return [line for line in stderr.strip().splitlines() if not line.startswith("note:")]


def test_building_twice_gives_the_same_bytes(built):
    assert [p.name for p in built["written"]] == ["README.md", "index.html"]
    assert built["done"].returncode == 0, built["done"].stderr
    # The fixtures were made by an older generator: a note may say so, nothing else.
    assert "wrote" in built["done"].stdout and _problems(built["done"].stderr) == []
    for name in ("README.md", "index.html"):
        assert (built["first"] / name).read_bytes() == (built["second"] / name).read_bytes()


def test_the_page_is_one_file_readable_offline(built, results):
    page = (built["first"] / "index.html").read_text(encoding="utf-8")
    assert not re.search(r'(?:src|href)="(?!data:)', page)  # nothing to fetch
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    board = load_leaderboard(results)
    assert len(images) == len(board.scenarios) + 1        # a PR figure each, and the heatmap
    assert all(base64.b64decode(i).startswith(b"\x89PNG\r\n\x1a\n") for i in images)
    for scenario in board.scenario_names:
        assert f"<figcaption>{scenario}</figcaption>" in page
    # The README's numbers, with the same best cells.
    best = table((built["first"] / "README.md").read_text(encoding="utf-8"), "Overall")
    ap = best["ten_line ✔"]["AP (mean ± std)"].strip("*")
    assert f'<td class="num best">{ap}</td>' in page
    assert "careful_fails †" in page and "2/4 ok, 2 error" in page
    assert "no device shared by 20 accounts" in page


def test_without_matplotlib_the_readme_is_built_and_one_line_says_why_not_the_page(
        results, tmp_path, monkeypatch, capsys, built):
    monkeypatch.setattr("brushbench.leaderboard.plots.available", lambda: False)
    code = main(["leaderboard", "build", "--results", str(results), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]
    assert _problems(err) == [
        "index.html not built: the HTML page needs matplotlib (pip install "
        "'brushbench[leaderboard]')"]
    # The README does not depend on whether matplotlib is there.
    assert (tmp_path / "README.md").read_bytes() == (built["first"] / "README.md").read_bytes()


def test_eval_records_the_curve_the_page_plots(tmp_path, monkeypatch):
    monkeypatch.setenv("BRUSHBENCH_CACHE", str(tmp_path / "cache"))
    (tmp_path / "one.yaml").write_text(
        "name: one\nseeds: 1\nscenarios:\n  - {scenario: mixed_naive, scale: 0.003}\n",
        encoding="utf-8")
    doc = evaluate(str(HERE / "detectors" / "random_scores.py"),
                   load_suite(tmp_path / "one.yaml"), timeout=120)
    (run,) = doc.runs
    assert run.ok
    recall, precision = run.pr_curve()
    assert run.curves["orders_pr"] == {"recall": recall, "precision": precision}
    assert len(recall) == len(precision) == 51
    assert recall[0] == 0.0 and recall[-1] == 1.0
    # Random scores: precision near the base rate at full recall, never below it there.
    assert precision[-1] >= run.value("orders.base_rate") - 1e-6
    assert all("curves" not in part for part in doc.summary.values())


COMMITTED = ROOT / "leaderboard"


def stale(folder) -> str | None:
    """Why ``folder/README.md`` is not what ``folder/results/`` builds (None when it is)."""
    board = load_leaderboard(folder / "results")
    readme = folder / "README.md"
    if not readme.is_file():
        return f"{readme} is missing: run `brushbench leaderboard build`"
    if readme.read_text(encoding="utf-8") != render_markdown(board, board_stats(board)):
        return (f"{readme} differs from what {folder / 'results'} builds: run `brushbench "
                "leaderboard build` and commit the result")
    return None


@pytest.mark.skipif(not any((COMMITTED / "results").glob("*.json")),
                    reason="leaderboard/results/ holds no results yet (the baselines' results "
                           "on the standard suite are committed there later)")
def test_the_committed_readme_is_what_the_committed_results_build():
    assert stale(COMMITTED) is None, stale(COMMITTED)


def test_a_readme_out_of_step_with_its_results_is_caught(results, tmp_path, monkeypatch):
    """The check above, on a leaderboard folder made here."""
    monkeypatch.setattr("brushbench.leaderboard.plots.available", lambda: False)
    folder = tmp_path / "leaderboard"
    copy_fixtures(folder / "results", ("null_scores", "ten_line"))
    assert "is missing" in stale(folder)
    build(folder / "results", folder)
    assert stale(folder) is None
    copy_fixtures(folder / "results", ("random_scores",))     # a new entry, README not rebuilt
    assert "differs from what" in stale(folder)
