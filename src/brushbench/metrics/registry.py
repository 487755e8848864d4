"""Every metric a results file carries: its name, which way is better, its kind, unit and format.

This is the one place that says whether a larger value of a metric is an improvement.
``brushbench compare`` reads it to judge a change (and to refuse a ``--fail-if`` rule on a
metric that has no better direction), the table ``brushbench eval`` prints and the leaderboard
read it for their columns and formats, and the metric table of ``docs/metrics.md`` is written
from it::

    python -m brushbench.metrics.registry --write docs/metrics.md   # regenerate the table
    python -m brushbench.metrics.registry --check docs/metrics.md   # exit 1 when it drifted

A metric is named by its dotted path in a run of a results file: ``orders.average_precision``
in ``run["metrics"]``, ``cost.score_seconds`` in ``run["cost"]``, ``stream.latency_p99_seconds``
in ``run["stream"]``. Names with a part that varies are templates: ``{budget}`` is a review
budget as the metrics write it (``0p5pct``, ``1pct``, ``5pct``) or, in results that spell it
as a share, the share (``0.01``); ``{pattern}`` a fraud pattern (or ``unspecified``);
``{kind}`` a kind of legitimate order, or ``all``; ``{level}`` a camouflage level key
(``0p5``); ``{campaign}`` a campaign id; ``{entities}`` ``buyers`` or ``shops``.

>>> from brushbench.metrics.registry import direction, lookup
>>> direction("per_pattern.click_farm.recall_at_1pct"), direction("cost.peak_memory_mb")
('higher', 'lower')
>>> lookup("orders.n_orders").direction is None     # a count: neither better nor worse
True

**Directions**: ``higher`` (an improvement is a rise: average precision, recall, throughput),
``lower`` (an improvement is a drop: seconds, memory, false alarms) or None: counts and
properties of the data (``orders.n_orders``, ``orders.base_rate``), which change with the data,
not with the detector's quality. A path the registry does not know has no direction either.

**Kinds**: ``quality`` (a share or a score in [0, 1]), ``count`` (orders, campaigns, entities;
expected counts at a budget too), ``data`` (a property of the dataset, the same for every
detector), ``speed`` (time spent, throughput), ``memory``, ``latency`` (streaming: the delay
of a batch's scores, the time to detect a campaign) and ``timestamp``. ``compare`` gives
``speed``, ``memory`` and ``latency`` metrics a noise floor relative to the base mean
(:attr:`MetricSpec.relative_noise`).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["DIRECTIONS", "DOC_BEGIN", "DOC_END", "HIGHER", "KINDS", "LOWER", "PLACEHOLDERS",
           "REGISTRY", "Direction", "Kind", "MetricSpec", "direction", "lookup", "main",
           "render_markdown", "replace_table", "spec"]

Direction = Literal["higher", "lower"]
Kind = Literal["quality", "count", "data", "speed", "memory", "latency", "timestamp"]

HIGHER: Direction = "higher"
LOWER: Direction = "lower"
DIRECTIONS: tuple[Direction, ...] = (HIGHER, LOWER)
KINDS: tuple[Kind, ...] = ("quality", "count", "data", "speed", "memory", "latency", "timestamp")
#: Kinds whose noise floor in ``compare`` is a share of the base mean, not an absolute number.
RELATIVE_NOISE_KINDS: frozenset[Kind] = frozenset({"speed", "memory", "latency"})

#: What each ``{placeholder}`` of a metric name matches, and what it stands for.
PLACEHOLDERS: dict[str, tuple[str, str]] = {
    "budget": (r"[0-9][0-9a-z+-]*pct|[0-9]*\.?[0-9]+",
               "a review budget, a share of the orders: `0p5pct`, `1pct`, `5pct` (or, in "
               "results that spell it as a share, `0.01`)"),
    "fpr": (r"[0-9][0-9a-z+-]*pct|[0-9]*\.?[0-9]+", "a false-alarm rate: `1pct`"),
    "pattern": (r"[^.]+", "a fraud pattern (`click_farm`, ...) or `unspecified`"),
    "kind": (r"[^.]+", "a kind of legitimate order (`organic`, `flash_sale`, ...) or `all`"),
    "level": (r"[^.]+", "a camouflage level, `.` written `p` (`0p5`), or `unspecified`"),
    "campaign": (r".+", "a campaign id"),
    "entities": (r"buyers|shops", "`buyers` or `shops`"),
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class MetricSpec:
    """One metric (or family of metrics, when ``name`` has ``{placeholders}``)."""

    name: str                       # dotted path, e.g. "per_pattern.{pattern}.recall_at_{budget}"
    direction: Direction | None     # which way is better; None: neither (counts, data)
    kind: Kind
    unit: str                       # "share", "orders", "seconds", "orders/s", "MiB", ...
    fmt: str                        # format spec of one value, e.g. ".3f", ",.0f", ".2%"
    doc: str                        # one line
    section: str = field(init=False)
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.direction is not None and self.direction not in DIRECTIONS:
            raise ValueError(f"{self.name}: direction {self.direction!r} is not one of "
                             f"{DIRECTIONS} or None")
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: kind {self.kind!r} is not one of {KINDS}")
        parts = []
        last = 0
        for m in _PLACEHOLDER.finditer(self.name):
            if m[1] not in PLACEHOLDERS:
                raise ValueError(f"{self.name}: unknown placeholder {{{m[1]}}}")
            parts += [re.escape(self.name[last:m.start()]), f"(?:{PLACEHOLDERS[m[1]][0]})"]
            last = m.end()
        parts.append(re.escape(self.name[last:]))
        object.__setattr__(self, "pattern", re.compile("".join(parts)))
        object.__setattr__(self, "section", self.name.split(".", 1)[0])

    @property
    def higher_is_better(self) -> bool | None:
        """True, False, or None for a metric with no better direction."""
        return None if self.direction is None else self.direction == HIGHER

    @property
    def relative_noise(self) -> bool:
        """Is ``compare``'s noise floor a share of the base mean (time, memory, throughput)?"""
        return self.kind in RELATIVE_NOISE_KINDS

    def matches(self, path: str) -> bool:
        return self.pattern.fullmatch(path) is not None

    def format(self, value: float) -> str:
        """``value`` in the metric's display format."""
        return format(value, self.fmt)


def _m(name: str, direction: Direction | None, kind: Kind, unit: str, fmt: str,
       doc: str) -> MetricSpec:
    return MetricSpec(name, direction, kind, unit, fmt, doc)


Q: Kind = "quality"
C: Kind = "count"

#: Every metric of a run, in the order of docs/metrics.md.
REGISTRY: tuple[MetricSpec, ...] = (
    # -- orders ---------------------------------------------------------------------------------
    _m("orders.n_orders", None, C, "orders", ",.0f", "orders scored"),
    _m("orders.n_positive", None, C, "orders", ",.0f", "brushing orders among them"),
    _m("orders.base_rate", None, "data", "share", ".4f",
       "share of brushing orders: the average precision of a random score"),
    _m("orders.average_precision", HIGHER, Q, "share", ".3f",
       "average precision (step-wise PR-AUC, as scikit-learn's)"),
    _m("orders.roc_auc", HIGHER, Q, "share", ".3f",
       "ROC-AUC: the chance a brushing order outscores a legitimate one"),
    _m("orders.precision_at_{budget}", HIGHER, Q, "share", ".3f",
       "share of brushing orders among the top `{budget}` of orders"),
    _m("orders.recall_at_{budget}", HIGHER, Q, "share", ".3f",
       "share of the brushing orders inside the top `{budget}` of orders"),
    _m("orders.recall_at_{fpr}_fpr", HIGHER, Q, "share", ".3f",
       "recall when 1% of the legitimate orders may be flagged"),
    # -- per_pattern ----------------------------------------------------------------------------
    _m("per_pattern.{pattern}.n_orders", None, C, "orders", ",.0f",
       "brushing orders of the pattern"),
    _m("per_pattern.{pattern}.recall_at_{budget}", HIGHER, Q, "share", ".3f",
       "share of the pattern's orders inside the top `{budget}` of all orders"),
    _m("per_pattern.{pattern}.average_precision", HIGHER, Q, "share", ".3f",
       "AP of the pattern's orders against the legitimate ones"),
    # -- per_camouflage -------------------------------------------------------------------------
    _m("per_camouflage.{level}.camouflage", None, "data", "level", ".3g",
       "the camouflage level"),
    _m("per_camouflage.{level}.n_orders", None, C, "orders", ",.0f",
       "brushing orders at that level"),
    _m("per_camouflage.{level}.n_campaigns", None, C, "campaigns", ",.0f",
       "campaigns at that level with orders here"),
    _m("per_camouflage.{level}.recall_at_{budget}", HIGHER, Q, "share", ".3f",
       "share of those orders inside the review budget"),
    # -- false_alarms ---------------------------------------------------------------------------
    _m("false_alarms.{kind}.n_orders", None, C, "orders", ",.0f",
       "legitimate orders of that kind"),
    _m("false_alarms.{kind}.flagged_at_{budget}", LOWER, C, "orders", ",.1f",
       "expected number of them inside the review budget"),
    _m("false_alarms.{kind}.rate_at_{budget}", LOWER, Q, "share", ".2%",
       "false-alarm rate of that kind at the review budget"),
    # -- campaigns ------------------------------------------------------------------------------
    _m("campaigns.n_campaigns", None, C, "campaigns", ",.0f",
       "campaigns with a brushing order among the orders scored"),
    _m("campaigns.caught_at_{budget}", HIGHER, C, "campaigns", ",.1f",
       "expected campaigns with an order inside the review budget"),
    _m("campaigns.recall_at_{budget}", HIGHER, Q, "share", ".3f",
       "share of the campaigns caught"),
    _m("campaigns.n_campaigns_without_orders", None, C, "campaigns", ",.0f",
       "campaigns of the answer key without orders here"),
    _m("campaigns.per_pattern.{pattern}.n_campaigns", None, C, "campaigns", ",.0f",
       "campaigns of the pattern with orders here"),
    _m("campaigns.per_pattern.{pattern}.caught_at_{budget}", HIGHER, C, "campaigns", ",.1f",
       "expected campaigns of the pattern caught"),
    _m("campaigns.per_pattern.{pattern}.recall_at_{budget}", HIGHER, Q, "share", ".3f",
       "share of the pattern's campaigns caught"),
    # -- buyers and shops -----------------------------------------------------------------------
    _m("{entities}.n_entities", None, C, "entities", ",.0f", "entities seen in the orders"),
    _m("{entities}.n_positive", None, C, "entities", ",.0f", "positive entities among them"),
    _m("{entities}.n_positive_without_orders", None, C, "entities", ",.0f",
       "positive entities of the answer key never seen in the orders"),
    _m("{entities}.n_unscored", None, C, "entities", ",.0f",
       "entities the detector's own entity scores leave out"),
    _m("{entities}.base_rate", None, "data", "share", ".4f", "share of positive entities"),
    _m("{entities}.average_precision", HIGHER, Q, "share", ".3f",
       "entity-level average precision"),
    _m("{entities}.roc_auc", HIGHER, Q, "share", ".3f", "entity-level ROC-AUC"),
    # -- predictions ----------------------------------------------------------------------------
    _m("predictions.n_alerts", None, C, "orders", ",.0f", "orders the detector alerted on"),
    _m("predictions.true_alerts", HIGHER, C, "orders", ",.0f", "brushing orders among them"),
    _m("predictions.precision", HIGHER, Q, "share", ".3f", "true alerts / alerts"),
    _m("predictions.recall", HIGHER, Q, "share", ".3f", "true alerts / brushing orders"),
    _m("predictions.f1", HIGHER, Q, "share", ".3f",
       "harmonic mean of the alerts' precision and recall"),
    # -- cost -----------------------------------------------------------------------------------
    _m("cost.fit_seconds", LOWER, "speed", "seconds", ".2f", "seconds spent in `fit`"),
    _m("cost.score_seconds", LOWER, "speed", "seconds", ".2f",
       "seconds spent in `score` (or streaming every batch)"),
    _m("cost.orders_per_second", HIGHER, "speed", "orders/s", ",.0f",
       "orders scored per second of scoring"),
    _m("cost.peak_memory_mb", LOWER, "memory", "MiB", ",.0f",
       "peak resident memory of the run's process, the loaded data included"),
    # -- stream ---------------------------------------------------------------------------------
    _m("stream.batches", None, C, "batches", ",.0f", "batches streamed"),
    _m("stream.empty_batches", None, C, "batches", ",.0f", "batches without orders"),
    _m("stream.latency_p50_seconds", LOWER, "latency", "seconds", ".4f",
       "median seconds to score a batch"),
    _m("stream.latency_p99_seconds", LOWER, "latency", "seconds", ".4f",
       "99th percentile of the seconds to score a batch"),
    _m("stream.latency_max_seconds", LOWER, "latency", "seconds", ".4f",
       "the slowest batch's seconds"),
    _m("stream.time_to_detect.n_campaigns", None, C, "campaigns", ",.0f",
       "campaigns with orders in the stream"),
    _m("stream.time_to_detect.n_alerted", HIGHER, C, "campaigns", ",.0f",
       "campaigns with an alert"),
    _m("stream.time_to_detect.median_seconds", LOWER, "latency", "seconds", ",.0f",
       "median seconds from a campaign's first fake order to its first alert"),
    _m("stream.time_to_detect.per_pattern.{pattern}.n_campaigns", None, C, "campaigns",
       ",.0f", "campaigns of the pattern in the stream"),
    _m("stream.time_to_detect.per_pattern.{pattern}.n_alerted", HIGHER, C, "campaigns",
       ",.0f", "campaigns of the pattern with an alert"),
    _m("stream.time_to_detect.per_pattern.{pattern}.median_seconds", LOWER, "latency",
       "seconds", ",.0f", "median time to detect the pattern's campaigns"),
    _m("stream.time_to_detect.per_campaign.{campaign}.n_orders", None, C, "orders", ",.0f",
       "the campaign's brushing orders in the stream"),
    _m("stream.time_to_detect.per_campaign.{campaign}.seconds", LOWER, "latency", "seconds",
       ",.0f", "seconds from the campaign's first fake order to its first alert"),
    _m("stream.time_to_detect.per_campaign.{campaign}.first_alert_at", None, "timestamp",
       "ISO 8601", "s", "when the campaign's first alert was raised"),
)

_BY_NAME = {s.name: s for s in REGISTRY}
_CACHE: dict[str, MetricSpec | None] = {}


def lookup(path: str) -> MetricSpec | None:
    """The metric a dotted path names (``per_pattern.click_farm.recall_at_1pct``), or None."""
    try:
        return _CACHE[path]
    except KeyError:
        pass
    found = _BY_NAME.get(path) or next((s for s in REGISTRY if s.matches(path)), None)
    if len(_CACHE) < 100_000:
        _CACHE[path] = found
    return found


def spec(path: str) -> MetricSpec:
    """:func:`lookup`, raising KeyError for a path that names no metric."""
    found = lookup(path)
    if found is None:
        raise KeyError(f"{path!r} is not a metric of the registry (brushbench.metrics.registry)")
    return found


def direction(path: str) -> Direction | None:
    """``"higher"``, ``"lower"``, or None for a metric without a better direction (or unknown)."""
    found = lookup(path)
    return None if found is None else found.direction


# -- docs/metrics.md ------------------------------------------------------------------------------

DOC_BEGIN = "<!-- metric registry: begin -->"
DOC_END = "<!-- metric registry: end -->"
_GENERATED = ("<!-- Generated from src/brushbench/metrics/registry.py by `python -m "
              "brushbench.metrics.registry --write docs/metrics.md`: edit the registry, not "
              "this table. -->")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown() -> str:
    """The generated section of docs/metrics.md, markers included."""
    lines = [DOC_BEGIN, _GENERATED, "", "In a name:", ""]
    lines += [f"- `{{{k}}}`: {doc}" for k, (_, doc) in PLACEHOLDERS.items()]
    lines += ["", "Better: `higher`, `lower`, or `—` for neither (`compare` calls a change of "
                  "such a metric `changed` and refuses a `--fail-if` rule on it).", "",
              "| metric | better | kind | unit | shown as | meaning |",
              "| --- | --- | --- | --- | --- | --- |"]
    for s in REGISTRY:
        lines.append(f"| `{_cell(s.name)}` | {s.direction or '—'} | {s.kind} | {_cell(s.unit)} "
                     f"| `{_cell(s.fmt)}` | {_cell(s.doc)} |")
    lines += ["", DOC_END]
    return "\n".join(lines) + "\n"


def replace_table(text: str) -> str:
    """``text`` (docs/metrics.md) with its generated section replaced by :func:`render_markdown`.

    Raises ValueError when the markers are missing or out of order.
    """
    start, end = text.find(DOC_BEGIN), text.find(DOC_END)
    if start < 0 or end < start:
        raise ValueError("no generated metric table (its begin and end markers) in the text")
    stop = end + len(DOC_END)
    if text[stop:stop + 1] == "\n":
        stop += 1
    return text[:start] + render_markdown() + text[stop:]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m brushbench.metrics.registry [--write FILE | --check FILE]``."""
    p = argparse.ArgumentParser(prog="python -m brushbench.metrics.registry",
                                description="Print the metric table of docs/metrics.md, write "
                                            "it into the file, or check it is up to date.")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--write", metavar="FILE", help="replace the table in FILE")
    group.add_argument("--check", metavar="FILE", help="exit 1 when FILE's table is stale")
    args = p.parse_args(argv)
    if args.write is None and args.check is None:
        sys.stdout.write(render_markdown())
        return 0
    path = Path(args.write or args.check)
    text = path.read_text(encoding="utf-8")
    try:
        updated = replace_table(text)
    except ValueError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 2
    if args.check is not None:
        if updated != text:
            print(f"{path}: the metric table is stale: run python -m "
                  f"brushbench.metrics.registry --write {path}", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        path.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
