"""The numbers of the leaderboard, from each entry's runs: one rule per kind of number.

* **Over ok runs only.** A run that failed (``error``, ``timeout``, ``invalid_output``,
  ``skipped``) is never counted as 0 and never hidden: the entry's status counts show it, its
  averages cover the runs that are ok, and it is not eligible for "best"
  (:attr:`EntryStats.complete`).
* **Overall average precision and ROC-AUC**: per seed, the mean over the scenarios of the
  suite (a macro average: each scenario weighs the same, whatever its size); then the mean and
  the sample standard deviation (``ddof=1``) of those per-seed values over the seeds.
* **Per pattern, per legitimate kind, per scenario**: the mean over the runs where the metric is
  defined (a pattern or kind only counts in the scenarios that have orders of it).
* **Orders per second**: orders scored over seconds spent in ``score`` (fit excluded), summed
  over the ok runs: the throughput of the whole suite, not a mean of rates that small scenarios
  would dominate.
* **PR curves**: per scenario, the mean over seeds of the runs' interpolated precision at each
  recall level (:meth:`brushbench.results.Run.pr_curve`, :mod:`brushbench.metrics.curves`).

Undefined values stay None; nothing here invents a number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from .. import patterns
from ..dataset.tables import LEGIT_KINDS
from ..metrics.aggregate import MeanSD, mean, mean_sd
from ..results.model import Run, count_statuses
from .entries import Entry, Leaderboard
from .robustness import robust_recall

#: The legitimate kinds whose false alarms the leaderboard shows (organic traffic is the bulk,
#: not a hard negative).
HARD_NEGATIVES = tuple(k for k in LEGIT_KINDS if k != "organic")
#: Recall and false alarms are read at this review budget (docs/metrics.md).
BUDGET_KEY = "1pct"
#: The leaderboard's main metric.
AP = "orders.average_precision"


def pattern_names() -> tuple[str, ...]:
    """The six fraud patterns, sorted."""
    return patterns.names()


@dataclass(frozen=True)
class Curve:
    recall: tuple[float, ...]
    precision: tuple[float, ...]
    n: int                          # runs averaged


@dataclass(frozen=True)
class EntryStats:
    """Everything the README and the HTML page show about one entry."""

    entry: Entry
    statuses: dict[str, int]
    n_runs: int
    average_precision: MeanSD
    roc_auc: MeanSD
    recall_per_pattern: dict[str, float | None]
    false_alarms: dict[str, float | None]
    orders_per_second: float | None
    ap_per_scenario: dict[str, float | None]
    ap_per_pattern: dict[str, float | None]
    base_rate_per_scenario: dict[str, float | None]
    curves: dict[str, Curve | None]
    #: Mean robust recall under attack (:mod:`.robustness`); None without a robustness file.
    robust_recall: float | None = None

    @property
    def complete(self) -> bool:
        """Every run ok: only such entries compete for the best of a column."""
        return self.statuses.get("ok", 0) == self.n_runs

    @property
    def failed(self) -> list[Run]:
        return [r for r in self.entry.runs if not r.ok]


def entry_stats(board: Leaderboard, entry: Entry) -> EntryStats:
    """The numbers of one entry (see the module docs for how each is averaged)."""
    ok = [r for r in entry.runs if r.ok]
    scenarios = board.scenario_names
    return EntryStats(
        entry=entry,
        statuses=count_statuses(entry.runs),
        n_runs=len(entry.runs),
        average_precision=_macro_over_seeds(ok, board.seeds, AP),
        roc_auc=_macro_over_seeds(ok, board.seeds, "orders.roc_auc"),
        recall_per_pattern={p: mean_defined(ok, recall_metric(p)) for p in pattern_names()},
        false_alarms={k: mean_defined(ok, false_alarm_metric(k)) for k in HARD_NEGATIVES},
        orders_per_second=_throughput(ok),
        ap_per_scenario={s: mean_defined([r for r in ok if r.scenario == s], AP)
                         for s in scenarios},
        ap_per_pattern={p: mean_defined(ok, f"per_pattern.{p}.average_precision")
                        for p in pattern_names()},
        base_rate_per_scenario={s: mean_defined([r for r in ok if r.scenario == s],
                                                 "orders.base_rate") for s in scenarios},
        curves={s: _mean_curve([r for r in ok if r.scenario == s]) for s in scenarios},
        robust_recall=robust_recall(entry.robustness),
    )


def board_stats(board: Leaderboard) -> list[EntryStats]:
    """:func:`entry_stats` of every entry, in the board's (name) order."""
    return [entry_stats(board, e) for e in board.entries]


def recall_metric(pattern: str) -> str:
    """The metric of a pattern's recall column: recall at the review budget."""
    return f"per_pattern.{pattern}.recall_at_{BUDGET_KEY}"


def false_alarm_metric(kind: str) -> str:
    """The metric of a legitimate kind's column: false-alarm rate at the review budget."""
    return f"false_alarms.{kind}.rate_at_{BUDGET_KEY}"


def mean_defined(runs: Sequence[Run], metric: str) -> float | None:
    """The mean of a metric (dotted path) over the runs that define it (None when none does)."""
    return mean([v for r in runs if (v := r.value(metric)) is not None])


def _macro_over_seeds(runs: Sequence[Run], seeds: tuple[int, ...], metric: str) -> MeanSD:
    per_seed = [m for s in seeds
                if (m := mean_defined([r for r in runs if r.seed == s], metric)) is not None]
    return mean_sd(per_seed)


def _throughput(runs: Sequence[Run]) -> float | None:
    orders = seconds = 0.0
    for r in runs:
        n = r.value("orders.n_orders")
        t = r.value("cost.score_seconds")
        if n is not None and t is not None and t > 0:
            orders += n
            seconds += t
    return orders / seconds if seconds > 0 else None


def _mean_curve(runs: Sequence[Run]) -> Curve | None:
    """The mean interpolated precision over the runs whose curve is defined, on the recall
    levels of the first of them (runs with other levels are left out)."""
    curves = [c for r in runs if (c := r.pr_curve()) is not None]
    if not curves:
        return None
    recall = curves[0][0]
    same = [precision for levels, precision in curves if levels == recall]
    precision = tuple(math.fsum(p[i] for p in same) / len(same) for i in range(len(recall)))
    return Curve(tuple(float(x) for x in recall), precision, len(same))


__all__ = ["AP", "BUDGET_KEY", "HARD_NEGATIVES", "Curve", "EntryStats", "MeanSD", "board_stats",
           "entry_stats", "false_alarm_metric", "mean_defined", "pattern_names",
           "recall_metric"]
