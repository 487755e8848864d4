"""The terminal table ``brushbench eval`` prints at the end: one row per scenario.

Columns are metrics of :mod:`brushbench.metrics.registry`, shown in its formats (batch latencies
in milliseconds and times to detect in hours rather than its seconds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..metrics.aggregate import mean, mean_sd
from ..metrics.registry import spec
from .model import Results, Run


@dataclass(frozen=True)
class Column:
    """A column: a metric over the ok runs of a scenario, as ``mean±sd`` or as a mean."""

    header: str
    metric: str
    spread: bool = False        # mean ± sample standard deviation, else the mean alone
    scale: float = 1.0          # shown as value * scale (seconds as milliseconds)
    fmt: str = ""               # "" for the registry's format

    def cell(self, runs: list[Run]) -> str:
        values = [v * self.scale for r in runs if (v := r.value(self.metric)) is not None]
        fmt = self.fmt or spec(self.metric).fmt
        if not self.spread:
            m = mean(values)
            return format(m, fmt) if m is not None else "-"
        s = mean_sd(values)
        if s.mean is None:
            return "-"
        if s.sd is None:
            return format(s.mean, fmt)
        return f"{format(s.mean, fmt)}±{format(s.sd, fmt)}"


class Cells(Protocol):
    """What a column of the table does: a header, and a cell from a scenario's ok runs."""

    @property
    def header(self) -> str: ...

    def cell(self, runs: list[Run]) -> str: ...


@dataclass(frozen=True)
class Share:
    """A column ``part/whole``: two count metrics summed over the ok runs that define both."""

    header: str
    part: str
    whole: str

    def cell(self, runs: list[Run]) -> str:
        pairs = [(p, w) for r in runs
                 if (p := r.value(self.part)) is not None
                 and (w := r.value(self.whole)) is not None]
        if not pairs:
            return "-"
        return f"{sum(p for p, _ in pairs):,.0f}/{sum(w for _, w in pairs):,.0f}"


#: Quality, mean ± sample standard deviation over seeds.
COLUMNS = (Column("AP", "orders.average_precision", spread=True),
           Column("ROC-AUC", "orders.roc_auc", spread=True),
           Column("P@1%", "orders.precision_at_1pct", spread=True),
           Column("R@1%", "orders.recall_at_1pct", spread=True))
#: Costs, means over the ok runs.
COST_COLUMNS = (Column("fit s", "cost.fit_seconds"), Column("score s", "cost.score_seconds"),
                Column("orders/s", "cost.orders_per_second"),
                Column("peak MB", "cost.peak_memory_mb"))
#: Streaming runs: batch latency in milliseconds; time to detect: campaigns alerted of those in
#: the stream (summed over the ok runs) and the median hours from a campaign's first fake order
#: to its first alert (the mean over the ok runs of each run's median).
STREAM_COLUMNS: tuple[Cells, ...] = (
    Column("p50 ms", "stream.latency_p50_seconds", scale=1000.0, fmt=",.1f"),
    Column("p99 ms", "stream.latency_p99_seconds", scale=1000.0, fmt=",.1f"),
    Share("alerted", "stream.time_to_detect.n_alerted", "stream.time_to_detect.n_campaigns"),
    Column("TTD h", "stream.time_to_detect.median_seconds", scale=1 / 3600, fmt=",.1f"))


def render_table(results: Results) -> str:
    """Mean ± sample std over seeds; failed runs are counted in 'ok', never averaged.

    Costs are means over the ok runs: fit and score seconds, orders scored per second, the
    detector's peak memory (MiB, including the loaded data); streaming runs add the batch
    latency (p50 and p99, milliseconds) and the time to detect: ``alerted`` campaigns of those
    in the stream, summed over the ok runs, and ``TTD h``, the median hours from a campaign's
    first fake order to its first alert (mean over the ok runs; ``-`` when no campaign was
    alerted).
    """
    streaming = any(r.stream for r in results.runs)
    columns: list[Cells] = [*COLUMNS, *COST_COLUMNS, *(STREAM_COLUMNS if streaming else ())]
    header = ["scenario", "ok", *[c.header for c in columns]]
    rows = []
    for name, runs in results.scenarios().items():
        ok = [r for r in runs if r.ok]
        rows.append([name, f"{len(ok)}/{len(runs)}", *[c.cell(ok) for c in columns]])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in [header, *rows]]
    failures = [r for r in results.runs if not r.ok]
    title = (f"{results.detector.name} on suite {results.suite.name} "
             f"({len(results.runs)} runs, {len(failures)} not ok)")
    out = [title, *lines]
    for r in failures:
        out.append(f"  {r.scenario} seed {r.seed}: {r.status}: "
                   f"{r.reason or '; '.join(r.problems) or ''}")
    return "\n".join(out)


__all__ = ["COLUMNS", "COST_COLUMNS", "STREAM_COLUMNS", "Cells", "Column", "Share",
           "render_table"]
