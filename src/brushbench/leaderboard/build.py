"""``build(results_dir, out_dir)``: the README and the HTML page from the results files.

Both outputs are functions of the results files alone (and of the matplotlib version, for the
page's images): no clock, no machine, entries in rank order (ties by name:
:mod:`~brushbench.leaderboard.ranking`), numbers in fixed formats. So a
rebuild from the same files gives the same bytes, and a test can check that the committed
README matches the committed results.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..dataset._fs import write_file_atomic
from . import plots
from .entries import Leaderboard, load_leaderboard
from .html import render_html
from .markdown import HTML_NAME, render_markdown
from .ranking import ranked
from .rounds import write_rounds
from .sections import Section
from .stats import EntryStats, board_stats, pattern_names
from .tables import entry_label, scenario_order

README_NAME = "README.md"


def build(results_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str],
          extra: Sequence[Section] = ()) -> list[Path]:
    """Build the leaderboard of ``results_dir`` into ``out_dir``; return the files written.

    ``README.md`` always; ``index.html`` too when matplotlib is installed
    (:func:`brushbench.leaderboard.plots.available`). Files are replaced atomically.
    ``extra``: sections of other features (:class:`~brushbench.leaderboard.sections.Section`),
    placed in both files before the list of entries.

    Raises
    ------
    brushbench.leaderboard.LeaderboardError
        When the results cannot make a leaderboard (no folder, no results file, a mistake in
        ``entries.yaml``). Results files that are not comparable are not an error: they are
        listed in the README as not ranked (``load_leaderboard(...).refused``).
    """
    return (write_board(load_leaderboard(results_dir), out_dir, extra)
            + write_rounds(results_dir, out_dir))


def write_board(board: Leaderboard, out_dir: str | os.PathLike[str],
                extra: Sequence[Section] = ()) -> list[Path]:
    """:func:`build` for a leaderboard already loaded."""
    out = Path(out_dir)
    stats = ranked(board_stats(board))
    written = [write_atomic(out / README_NAME,
                            render_markdown(board, stats, extra).encode("utf-8"))]
    if plots.available():
        page = render_page(board, stats, extra)
        written.append(write_atomic(out / HTML_NAME, page.encode("utf-8")))
    return written


def render_page(board: Leaderboard, stats: list[EntryStats],
                extra: Sequence[Section] = ()) -> str:
    """The HTML page with its figures (needs matplotlib); entries in rank order."""
    stats = ranked(stats)
    labels = [entry_label(st) for st in stats]
    curves = {}
    for scenario in scenario_order(board.scenario_names):
        rates = [r for st in stats if (r := st.base_rate_per_scenario.get(scenario)) is not None]
        # Every entry scored the same orders, so the base rate is the same for all of them.
        base_rate = rates[0] if rates else None
        curves[scenario] = plots.pr_curves(
            scenario, [(label, st.curves.get(scenario)) for label, st in zip(labels, stats,
                                                                             strict=True)],
            base_rate)
    patterns = list(pattern_names())
    heat = plots.heatmap(patterns, labels,
                         [[st.ap_per_pattern.get(p) for st in stats] for p in patterns],
                         "average precision per pattern (mean over runs)")
    return render_html(board, stats, heat, curves, extra)


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    write_file_atomic(path, data)
    return path


__all__ = ["README_NAME", "build", "render_page", "write_atomic", "write_board"]
