"""The leaderboard's tables as plain data: cells with their text and whether they are the best.

Both the README (:mod:`~brushbench.leaderboard.markdown`) and the HTML page
(:mod:`~brushbench.leaderboard.html`) render these, so the two never disagree.

**Best in a column**: among the entries whose runs are all ok (an entry with failed runs
averages over fewer runs, so it does not compete) and that have a value, the best one after
rounding to what is shown, so entries that look equal are marked together. Which way is better
is the column's metric's direction in :mod:`brushbench.metrics.registry` (higher for average
precision, recall and throughput, lower for false alarms). A column is marked only when at
least two entries compete. Undefined values are ``—``.

**Order**: rows in leaderboard order, ranked by overall average precision with ties and the
spread over seeds marked (:mod:`~brushbench.leaderboard.ranking`); the first column is the rank.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..metrics.registry import HIGHER, LOWER, direction, spec
from .ranking import ranked, ranks
from .robustness import HEADER as ROBUST
from .stats import (
    AP,
    HARD_NEGATIVES,
    EntryStats,
    false_alarm_metric,
    pattern_names,
    recall_metric,
)

DASH = "—"


@dataclass(frozen=True)
class Column:
    header: str
    better: str | None = None        # HIGHER, LOWER or None (not ranked): see metric_column
    group: str = ""                  # a heading over several columns (HTML), e.g. "recall at 1%"
    short: str = ""                  # the group in a one-line header (Markdown), e.g. "R@1%"
    text: bool = False               # left-aligned words rather than right-aligned numbers

    @property
    def title(self) -> str:
        """The header on one line: the group's short form, then the column's name."""
        return f"{self.short} {self.header}" if self.short else self.header


def metric_column(header: str, metric: str, group: str = "", short: str = "") -> Column:
    """A column of ``metric``'s values, ranked by its direction in the metric registry."""
    return Column(header, direction(metric), group, short)


def metric_format(metric: str) -> Callable[[float], str]:
    """The registry's display format of ``metric``."""
    return spec(metric).format


@dataclass
class Cell:
    text: str
    value: float | None = None       # what "best" compares (rounded as shown)
    best: bool = False


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)


def fixed(decimals: int) -> Callable[[float], str]:
    return lambda x: f"{x:.{decimals}f}"


def percent(decimals: int) -> Callable[[float], str]:
    return lambda x: f"{100 * x:.{decimals}f}%"


def thousands(x: float) -> str:
    return f"{x:,.0f}"


def number_cell(value: float | None, fmt: Callable[[float], str]) -> Cell:
    """A cell showing ``fmt(value)``; it compares on the shown text's number, so that values
    equal once rounded are equally best."""
    if value is None:
        return Cell(DASH)
    text = fmt(value)
    return Cell(text, float(text.replace(",", "").rstrip("%")))


def mark_best(table: Table, eligible: list[bool]) -> None:
    """Set ``best`` on the best cell(s) of each ranked column among the ``eligible`` rows."""
    for j, col in enumerate(table.columns):
        if col.better is None:
            continue
        values = [(i, v) for i, row in enumerate(table.rows)
                  if eligible[i] and (v := row[j].value) is not None]
        if len(values) < 2:
            continue
        pick = max if col.better == HIGHER else min
        best = pick(v for _, v in values)
        for i, v in values:
            table.rows[i][j].best = v == best


def entry_label(stats: EntryStats) -> str:
    """The entry's name, ``✔`` when verified, ``†`` when some of its runs failed."""
    return (stats.entry.name + (" ✔" if stats.entry.verified else "")
            + ("" if stats.complete else " †"))


def status_text(stats: EntryStats) -> str:
    """``8/8 ok`` or ``6/8 ok, 2 error``."""
    s = stats.statuses
    others = [f"{n} {name}" for name, n in s.items() if name != "ok" and n]
    return ", ".join([f"{s.get('ok', 0)}/{stats.n_runs} ok", *others])


RANK = Column("rank")
DETECTOR = Column("detector", text=True)


def lead_cells(stats: list[EntryStats]) -> list[list[Cell]]:
    """The rank and detector cells of ``stats`` (in the order given)."""
    return [[Cell(r.text), Cell(entry_label(r.stats))] for r in ranks(stats)]


def select(table: Table, keep: Callable[[Column], bool]) -> Table:
    """The columns of ``table`` that ``keep`` accepts, with their cells (and best marks)."""
    wanted = [j for j, c in enumerate(table.columns) if keep(c)]
    return Table([table.columns[j] for j in wanted],
                 [[row[j] for j in wanted] for row in table.rows])


def main_table(stats: list[EntryStats]) -> Table:
    """Rank, detector, AP ± std, ROC-AUC, recall per pattern, false alarms per kind, orders/s,
    runs; rows in rank order."""
    stats = ranked(stats)
    columns = [RANK, DETECTOR, metric_column("AP (mean ± std)", AP),
               metric_column("ROC-AUC", "orders.roc_auc")]
    columns += [metric_column(p, recall_metric(p), "recall at 1% (per pattern)", "R@1%")
                for p in pattern_names()]
    columns += [metric_column(k, false_alarm_metric(k), "false alarms at 1% (per legitimate "
                              "kind)", "FA@1%") for k in HARD_NEGATIVES]
    attacked = any(st.robust_recall is not None for st in stats)
    if attacked:  # only once robustness files exist (leaderboard/robustness.py)
        columns.append(Column(ROBUST, HIGHER, group="robustness under attack (mean over "
                              "the attacked patterns)"))
    columns += [metric_column("orders/s", "cost.orders_per_second"), Column("runs", text=True)]
    table = Table(columns)
    for lead, st in zip(lead_cells(stats), stats, strict=True):
        ap = st.average_precision
        if ap.mean is None:
            ap_cell = Cell(DASH)
        else:
            shown = metric_format(AP)
            ap_cell = number_cell(ap.mean, shown)
            ap_cell.text += f" ± {shown(ap.sd)}" if ap.sd is not None else f" ± {DASH}"
        row = [*lead, ap_cell,
               number_cell(st.roc_auc.mean, metric_format("orders.roc_auc"))]
        row += [number_cell(st.recall_per_pattern[p], metric_format(recall_metric(p)))
                for p in pattern_names()]
        row += [number_cell(st.false_alarms[k], metric_format(false_alarm_metric(k)))
                for k in HARD_NEGATIVES]
        if attacked:
            row.append(number_cell(st.robust_recall, fixed(3)))
        row += [number_cell(st.orders_per_second, metric_format("cost.orders_per_second")),
                Cell(status_text(st))]
        table.rows.append(row)
    mark_best(table, [st.complete for st in stats])
    return table


def scenario_order(names: tuple[str, ...]) -> list[str]:
    """The suite's scenarios with each ``X_naive`` right before its ``X_careful``."""
    out: list[str] = []
    for name in names:
        if name in out:
            continue
        stem, _, variant = name.rpartition("_")
        if variant in ("naive", "careful") and stem:
            for v in ("naive", "careful"):
                if f"{stem}_{v}" in names and f"{stem}_{v}" not in out:
                    out.append(f"{stem}_{v}")
        if name not in out:
            out.append(name)
    return out


def pairs(names: list[str]) -> list[tuple[str, str]]:
    """(naive, careful) scenario pairs of the suite."""
    return [(n, n[: -len("naive")] + "careful") for n in names
            if n.endswith("_naive") and n[: -len("naive")] + "careful" in names]


def scenario_table(stats: list[EntryStats], scenarios: tuple[str, ...]) -> Table:
    """AP per scenario (mean over seeds), naive and careful side by side, and the mean gap;
    rows in rank order."""
    stats = ranked(stats)
    order = scenario_order(scenarios)
    pairs_ = pairs(order)
    columns = [RANK, DETECTOR, *[metric_column(s, AP) for s in order]]
    if pairs_:
        columns.append(Column("careful − naive"))
    table = Table(columns)
    for lead, st in zip(lead_cells(stats), stats, strict=True):
        row = [*lead]
        row += [number_cell(st.ap_per_scenario.get(s), metric_format(AP)) for s in order]
        if pairs_:
            gaps = [c - n for n_name, c_name in pairs_
                    if (n := st.ap_per_scenario.get(n_name)) is not None
                    and (c := st.ap_per_scenario.get(c_name)) is not None]
            gap = math.fsum(gaps) / len(gaps) if len(gaps) == len(pairs_) else None
            row.append(number_cell(gap, lambda x: f"{x:+.3f}"))
        table.rows.append(row)
    mark_best(table, [st.complete for st in stats])
    return table


__all__ = ["DASH", "DETECTOR", "HIGHER", "LOWER", "RANK", "Cell", "Column", "Table", "entry_label",
           "lead_cells", "main_table", "mark_best", "metric_column", "metric_format", "pairs",
           "scenario_order", "scenario_table", "select", "status_text"]
