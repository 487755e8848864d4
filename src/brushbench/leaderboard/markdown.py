"""``leaderboard/README.md``: byte-stable Markdown (no clock, sorted entries, fixed formats)."""

from __future__ import annotations

from collections.abc import Sequence

from ..results.model import Run
from . import discrimination, notes, robustness
from .entries import Leaderboard
from .ranking import ranked
from .sections import Section
from .stats import EntryStats
from .tables import Table, main_table, scenario_table, select

#: The HTML page's file name, next to the README.
HTML_NAME = "index.html"


def cell_text(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def summary_table(stats: list[EntryStats]) -> list[str]:
    """The short ranking for the project's README: rank, detector, AP ± std, ROC-AUC, runs."""
    return render_table(select(main_table(stats), lambda c: c.header in SUMMARY_COLUMNS))


#: The columns of :func:`summary_table`.
SUMMARY_COLUMNS = ("rank", "detector", "AP (mean ± std)", "ROC-AUC", "runs")


def render_table(table: Table) -> list[str]:
    head = [cell_text(c.title) for c in table.columns]
    align = ["---" if c.text else "---:" for c in table.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for row in table.rows:
        cells = [f"**{cell_text(c.text)}**" if c.best else cell_text(c.text) for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def header_lines(board: Leaderboard) -> list[str]:
    n_verified = sum(e.verified for e in board.entries)
    n = len(board.entries)
    seeds = ", ".join(str(s) for s in board.seeds)
    return [
        f"Suite **{board.suite_name}** (hash `{board.suite_hash}`), generator version "
        f"**{board.generator_version}**, seeds {seeds}: {len(board.scenarios)} scenarios × "
        f"{len(board.seeds)} seeds = {len(board.scenarios) * len(board.seeds)} runs per "
        f"detector. {n} entr{'y' if n == 1 else 'ies'} ({n_verified} verified, "
        f"{n - n_verified} self-reported).",
        "",
        f"The page [{HTML_NAME}]({HTML_NAME}) (one file, readable offline) has the same tables "
        f"and the plots: {notes.PLOTS} Adding a detector: [SUBMITTING.md](SUBMITTING.md).",
    ]


def failed_lines(stats: list[EntryStats]) -> list[str]:
    out = []
    for st in stats:
        for run in st.failed:
            out.append(f"- `{st.entry.name}` {run.scenario} seed {run.seed}: "
                       f"{run.status}: {one_line(run)}")
    return out


def one_line(run: Run) -> str:
    """Why a run failed, on one line: its reason, else its first problem."""
    text = run.reason or next((p for p in run.problems if p), "") or ""
    text = " ".join(str(text).split())
    return text or "no reason recorded"


def entries_table(stats: list[EntryStats]) -> list[str]:
    lines = ["| detector | status | target | description |", "|---|---|---|---|"]
    for st in stats:
        e = st.entry
        what = e.description + (f" ({e.link})" if e.link else "")
        lines.append(f"| {cell_text(e.name)} | {e.status} | "
                     f"`{cell_text(str(e.results.detector.target or ''))}` | "
                     f"{cell_text(what) or '—'} |")
    return lines


def render_markdown(board: Leaderboard, stats: list[EntryStats],
                    extra: Sequence[Section] = ()) -> str:
    """The README's text (ends with a newline); ``extra`` sections go before the entries."""
    stats = ranked(stats)
    out = [f"<!-- {notes.GENERATED} -->", "", "# brushbench leaderboard", "",
           *header_lines(board), "", "## Overall", "", *render_table(main_table(stats)), "",
           notes.RANKING, "", notes.LEGEND, ""]
    out += [f"- **{term}**: {text}" for term, text in notes.HOW]
    out += ["", "## Per scenario: average precision", "",
            *render_table(scenario_table(stats, board.scenario_names)), "", notes.SCENARIOS]
    out += ["", "## Does the suite discriminate?", "", *discrimination.render_lines(stats)]
    failed = failed_lines(stats)
    out += ["", "## Failed runs", ""]
    out += failed or ["None: every run of every ranked entry was ok."]
    attacked = robustness.markdown_lines([(st.entry.name, st.entry.robustness) for st in stats])
    if attacked:
        out += ["", *attacked]
    for section in extra:
        out += ["", *section.markdown_lines()]
    out += ["", "## Entries", "", *entries_table(stats)]
    if board.refused:
        out += ["", "## Not ranked", "",
                "These results files are not comparable with the entries above (or cannot be "
                "read), so they are not ranked:", ""]
        out += [f"- `{r.file}`: {' '.join(r.reason.split())}" for r in board.refused]
    return "\n".join(out) + "\n"


__all__ = ["HTML_NAME", "SUMMARY_COLUMNS", "cell_text", "one_line", "render_markdown",
           "render_table", "summary_table"]
