"""Compare two results files: what changed beyond the spread across seeds, and what regressed.

``brushbench compare BASE.json NEW.json`` and ``brushbench eval --compare BASE.json`` both call
:func:`compare_results` (through :func:`compare_files`). Everything here is a pure function of
the two results documents (see :mod:`brushbench.results.model` for their format) except
:func:`compare_files`, which reads them.

Semantics (ASV's, adapted to detection quality; docs/ci.md explains them for CI users):

* **Comparable** exactly when :func:`~brushbench.results.model.comparability` finds no
  reason otherwise (same suite hash, generator version and set of (scenario, scenario hash,
  seed)). Results that are not comparable are not compared at all: the comparison lists the
  reasons and its exit code is 2.
* **Per scenario and metric**: the mean over the seeds whose value is defined, on each side;
  ``delta = new - base``; ``noise = max(noise_sigmas * max(sd_base, sd_new), floor)`` with the
  sample standard deviations over seeds (sides with fewer than two defined values have none);
  the floor is :data:`COST_FLOOR_SHARE` of the base mean for time, memory and throughput
  (``cost.*``, the streaming latencies and times to detect) and :data:`QUALITY_FLOOR`
  otherwise. A change beyond noise (``|delta| > noise``) is ``"improved"`` or ``"worse"`` by
  the metric's direction in :mod:`brushbench.metrics.registry` (never guessed from its
  name), or ``"changed"`` for a metric without one (a count, a property of the data, an
  unknown path); otherwise ``"within noise"``; ``"undefined"`` when either side has no
  defined value (with the reason).
* **Timings need one machine**: a metric of the registry's ``speed``, ``memory`` or
  ``latency`` kind (:data:`MACHINE_KINDS`) compared between results measured on different
  machines (:func:`machine_differences`: CPU model and count, operating system and
  architecture, Python version) gets the verdict ``"other machine"``, with the differences as
  its reason: never ``"worse"``, never a regression, never a broken fail rule. The caller may
  judge them anyway (``timings_across_machines=True``, ``--timings-across-machines``).
* **Regressions** (exit code 1) are only: a run ``ok`` in base and not ``ok`` in new; a
  :class:`FailRule` breached (worse beyond noise *and* by more than the rule allows); a metric
  named by a fail rule that is defined in base and undefined in new (the gate cannot be
  checked). Without fail rules a metric that got worse is reported, not failed. A rule on a
  metric without a better direction is refused (:mod:`brushbench.results.rules`).
"""

from __future__ import annotations

import fnmatch
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from ..metrics.aggregate import mean_sd
from ..metrics.registry import HIGHER, RELATIVE_NOISE_KINDS, Direction, Kind, direction, lookup
from .io import read_results
from .model import (
    STATUSES,
    Results,
    ResultsError,
    Run,
    Value,
    comparability,
    count_statuses,
)
from .rules import RULE_FORM, CompareError, FailRule, parse_fail_rule

#: Metrics always compared, when present (the ``stream.*`` ones in streaming results only).
#: ``*`` matches any part of a path (fnmatch). Budgets
#: are spelled as :mod:`brushbench.metrics` writes them (``recall_at_1pct``) and, as an alias for
#: results that spell them as a share, ``recall_at_0.01``: a name absent from a scenario's runs in
#: both files is left out, and so is a ``*`` match undefined on both sides (a pattern with no
#: orders in that scenario).
DEFAULT_METRICS: tuple[str, ...] = (
    "orders.average_precision",
    "orders.roc_auc",
    "orders.recall_at_1pct",
    "orders.precision_at_1pct",
    "per_pattern.*.recall_at_1pct",
    "orders.recall_at_0.01",
    "orders.precision_at_0.01",
    "per_pattern.*.recall_at_0.01",
    "cost.score_seconds",
    "cost.orders_per_second",
    "stream.latency_p99_seconds",
    "stream.time_to_detect.median_seconds",
)

#: Smallest noise band of a quality metric (absolute): what a single seed, or seeds that agree
#: exactly, fall back to.
QUALITY_FLOOR = 0.005
#: Smallest noise band of a ``cost.*`` metric, as a share of the base mean (timings on shared
#: CI runners move by this much between identical runs).
COST_FLOOR_SHARE = 0.10

#: ``changed``: beyond noise, for a metric without a better direction (a count, a property of
#: the data, a path the metric registry does not know). ``other machine``: a timing, memory or
#: latency metric of results measured on different machines, not judged.
VERDICTS = ("improved", "worse", "changed", "within noise", "undefined", "other machine")
OTHER_MACHINE = "other machine"

#: The registry's kinds of metrics that depend on the machine: judged only between results of
#: the same machine.
MACHINE_KINDS: frozenset[Kind] = RELATIVE_NOISE_KINDS

#: What makes "the same machine", from the results' ``environment`` (``brushbench eval``
#: records it): the CPU model, the CPU count, the operating system and architecture, and the
#: Python version (major.minor). Kernel releases and library versions are not compared.
MACHINE_KEYS: tuple[str, ...] = ("cpu", "cpus", "os", "machine", "python")

EXIT_OK = 0
EXIT_REGRESSION = 1
EXIT_NOT_COMPARABLE = 2


def noise_floor(metric: str, base_mean: float | None) -> float:
    """The smallest noise band of ``metric``: :data:`COST_FLOOR_SHARE` of the base mean for the
    metrics the registry counts as time, memory or throughput (``cost.*``, the streaming
    latencies and times to detect: :attr:`~brushbench.metrics.registry.MetricSpec.relative_noise`),
    for which an absolute floor of :data:`QUALITY_FLOOR` would be no floor at all;
    :data:`QUALITY_FLOOR` for the others."""
    found = lookup(metric)
    if found is not None and found.relative_noise:
        return COST_FLOOR_SHARE * abs(base_mean) if base_mean is not None else 0.0
    return QUALITY_FLOOR


def machine_of(environment: Mapping[str, Any]) -> dict[str, str]:
    """The :data:`MACHINE_KEYS` an ``environment`` section records (those it has)."""
    out: dict[str, str] = {}
    for key in ("cpu", "cpus", "machine"):
        if environment.get(key) not in (None, ""):
            out[key] = str(environment[key])
    if environment.get("platform"):
        out["os"] = str(environment["platform"]).split("-", 1)[0]
    if environment.get("python"):
        out["python"] = ".".join(str(environment["python"]).split(".")[:2])
    return out


def machine_differences(base: Results, new: Results) -> list[str]:
    """How the machines of two results differ (empty for the same machine, as far as both
    record it): each key of :data:`MACHINE_KEYS` recorded on both sides and different
    (``"cpus 2 vs 8"``), or that one side records no machine while the other does. Results
    that both record none are taken as from the same machine (nothing says otherwise)."""
    b, n = machine_of(base.environment), machine_of(new.environment)
    if bool(b) != bool(n):
        return [f"{'base' if not b else 'new'} records no machine"]
    return [f"{key} {b[key]} vs {n[key]}" for key in MACHINE_KEYS
            if key in b and key in n and b[key] != n[key]]


def machine_bound(metric: str) -> bool:
    """Does ``metric`` depend on the machine (a ``speed``, ``memory`` or ``latency`` kind)?"""
    found = lookup(metric)
    return found is not None and found.kind in MACHINE_KINDS


# --------------------------------------------------------------------------------------------
# Reading metric values out of runs

def run_values(run: Run | Mapping[str, Any]) -> dict[str, Value]:
    """Every metric of one run by dotted path (``orders.recall_at_0.01``, ``cost.fit_seconds``,
    ``stream.latency_p99_seconds`` for a streaming run): :meth:`Run.values`."""
    return (run if isinstance(run, Run) else Run.from_json(run)).values()


@dataclass
class _Side:
    """One scenario's runs in one results file, by seed."""

    runs: dict[int, Run]

    def paths(self) -> set[str]:
        return {p for run in self.runs.values() for p in run.values()}

    def collect(self, metric: str) -> tuple[list[float], str]:
        """The defined values over seeds and, when there are none, why."""
        found, why = [], []
        for seed in sorted(self.runs):
            run = self.runs[seed]
            leaf = run.get(metric)
            if isinstance(leaf, float):
                found.append(leaf)
            elif not run.ok:
                why.append(f"run {run.status}")
            elif leaf is None:
                why.append("not recorded")
            else:
                why.append(leaf.reason)
        if found:
            return found, ""
        counts: dict[str, int] = {}
        for w in why:
            counts[w] = counts.get(w, 0) + 1
        reason = "; ".join(w if n == len(why) else f"{w} ({n} of {len(why)} seeds)"
                           for w, n in counts.items())
        return found, reason or "no runs"


def _sides(results: Results, where: str) -> dict[str, _Side]:
    sides: dict[str, _Side] = {}
    for run in results.runs:
        side = sides.setdefault(run.scenario, _Side({}))
        if run.seed in side.runs:
            raise CompareError(f"{where}: scenario {run.scenario} seed {run.seed} appears twice")
        side.runs[run.seed] = run
    return sides


# --------------------------------------------------------------------------------------------
# The comparison

@dataclass(frozen=True)
class Row:
    """One (scenario, metric): means over seeds, change, noise band and verdict."""

    scenario: str
    metric: str
    base: float | None
    new: float | None
    delta: float | None
    noise: float | None
    verdict: str                       # one of VERDICTS
    reason: str = ""                   # why undefined
    n_base: int = 0                    # seeds with a defined value
    n_new: int = 0
    rule: FailRule | None = None       # the fail rule gating this metric, if any
    failed: bool = False               # this row is a regression

    @property
    def direction(self) -> Direction | None:
        """``"higher"``, ``"lower"`` or None, from :mod:`brushbench.metrics.registry`."""
        return direction(self.metric)

    @property
    def relative(self) -> float | None:
        if self.delta is None or not self.base:
            return None
        return self.delta / abs(self.base)


@dataclass(frozen=True)
class RunChange:
    """One (scenario, seed) run's status in base and in new."""

    scenario: str
    seed: int
    base_status: str
    new_status: str
    detail: str = ""                   # first problem or the traceback's exception line (new)

    @property
    def regression(self) -> bool:
        return self.base_status == "ok" and self.new_status != "ok"

    @property
    def fixed(self) -> bool:
        return self.base_status != "ok" and self.new_status == "ok"


@dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`compare_results`; render it with ``render_*`` / ``to_junit_xml``."""

    comparable: bool
    reasons: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    runs: list[RunChange] = field(default_factory=list)
    regressions: list[str] = field(default_factory=list)
    rules: list[FailRule] = field(default_factory=list)
    noise_sigmas: float = 2.0
    base_label: str = "base"
    new_label: str = "new"
    base_statuses: dict[str, int] = field(default_factory=dict)
    new_statuses: dict[str, int] = field(default_factory=dict)
    #: How the two machines differ (:func:`machine_differences`); empty for the same machine.
    machines: list[str] = field(default_factory=list)
    #: Were timings judged although the machines differ (``timings_across_machines``)?
    timings_across_machines: bool = False

    @property
    def exit_code(self) -> int:
        """0 fine, 1 at least one regression, 2 not comparable."""
        if not self.comparable:
            return EXIT_NOT_COMPARABLE
        return EXIT_REGRESSION if self.regressions else EXIT_OK

    @property
    def passed(self) -> bool:
        return self.exit_code == EXIT_OK

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(VERDICTS, 0)
        for row in self.rows:
            counts[row.verdict] += 1
        return counts

    def row(self, scenario: str, metric: str) -> Row:
        for r in self.rows:
            if r.scenario == scenario and r.metric == metric:
                return r
        raise KeyError((scenario, metric))

    def headline(self) -> str:
        if not self.comparable:
            return "not comparable: " + "; ".join(self.reasons)
        c = self.counts()
        parts = [f"{c[v]} {v}" for v in VERDICTS if c[v]]
        n = len(self.regressions)
        lead = f"{n} regression{'s' if n != 1 else ''}" if n else "no regressions"
        return f"{lead} ({', '.join(parts) or 'no metrics'})"

    def machine_note(self) -> str:
        """One sentence on the machines when they differ (``""`` when they do not)."""
        if not self.machines:
            return ""
        how = "; ".join(self.machines)
        if self.timings_across_machines:
            return (f"measured on different machines ({how}); timings judged anyway "
                    "(--timings-across-machines)")
        return (f"measured on different machines ({how}): time, memory and latency metrics "
                "are not judged (verdict 'other machine'; --timings-across-machines judges "
                "them anyway)")

    # -- renderings ----------------------------------------------------------------------------

    def render_text(self) -> str:
        """A terminal table: regressions first, then every (scenario, metric), then runs."""
        title = f"brushbench compare: {self.base_label} -> {self.new_label}"
        lines = [title]
        if not self.comparable:
            lines.append("NOT COMPARABLE: nothing was compared")
            lines += [f"  x {r}" for r in self.reasons]
            lines.append(f"result: not comparable; exit {self.exit_code}")
            return "\n".join(lines)
        if self.regressions:
            lines.append(f"REGRESSIONS ({len(self.regressions)})")
            lines += [f"  ! {r}" for r in self.regressions]
        lines.append("")
        header = ("", "scenario", "metric", "base", "new", "delta", "noise", "verdict")
        table = [header]
        for r in self.rows:
            table.append(("!" if r.failed else _MARK[r.verdict], r.scenario, r.metric,
                          _num(r.base), _num(r.new), _delta(r), _noise(r),
                          _verdict_text(r)))
        widths = [max(len(row[i]) for row in table) for i in range(len(header))]
        right = {3, 4, 5, 6}
        for row in table:
            cells = [c.rjust(w) if i in right else c.ljust(w)
                     for i, (c, w) in enumerate(zip(row, widths, strict=True))]
            lines.append(" ".join(cells).rstrip())
        lines.append("")
        lines.append(f"runs: {self.base_label} {_statuses(self.base_statuses)}; "
                     f"{self.new_label} {_statuses(self.new_statuses)}")
        changed = [c for c in self.runs if c.base_status != c.new_status]
        for c in changed:
            mark = "!" if c.regression else "+" if c.fixed else " "
            lines.append(f"  {mark} {c.scenario} seed {c.seed}: {c.base_status} -> "
                         f"{c.new_status}" + (f": {c.detail}" if c.detail else ""))
        rules = ", ".join(r.text for r in self.rules) or "none (only newly failing runs fail)"
        lines.append(f"noise: {self.noise_sigmas:g} x seed sd (floor {QUALITY_FLOOR:g}, cost "
                     f"{COST_FLOOR_SHARE:.0%} of base); fail rules: {rules}")
        if self.machines:
            lines.append(f"machines: {self.machine_note()}")
        lines.append(f"result: {self.headline()}; exit {self.exit_code}")
        return "\n".join(lines)

    def render_markdown(self) -> str:
        """A summary for a CI job page (``$GITHUB_STEP_SUMMARY``, a PR comment)."""
        icon = "✅" if self.exit_code == EXIT_OK else "❌"
        out = [f"### {icon} brushbench compare: {_md(self.headline())}", ""]
        out.append(f"`{_md(self.base_label)}` → `{_md(self.new_label)}`, noise = "
                   f"{self.noise_sigmas:g} × seed sd (floor {QUALITY_FLOOR:g}; cost "
                   f"{COST_FLOOR_SHARE:.0%} of base); fail rules: "
                   + (", ".join(f"`{r.text}`" for r in self.rules) or "none") + ".")
        if self.machines and self.comparable:
            out += ["", f"Machines: {_md(self.machine_note())}."]
        out.append("")
        if not self.comparable:
            out.append("**Not comparable**: nothing was compared.")
            out.append("")
            out += [f"- {_md(r)}" for r in self.reasons]
            return "\n".join(out) + "\n"
        shown = [r for r in self.rows if r.verdict != "within noise" or r.rule or r.failed]
        shown_ids = {id(r) for r in shown}
        quiet = [r for r in self.rows if id(r) not in shown_ids]
        if shown:
            out += _md_table(shown)
        else:
            out.append("Every metric is within noise.")
        if quiet:
            out += ["", f"<details><summary>{len(quiet)} within noise</summary>", ""]
            out += _md_table(quiet)
            out += ["", "</details>"]
        changed = [c for c in self.runs if c.base_status != c.new_status]
        out += ["", f"Runs: {self.base_label} {_statuses(self.base_statuses)}; "
                    f"{self.new_label} {_statuses(self.new_statuses)}."]
        if changed:
            out.append("")
            out += [f"- {c.scenario} seed {c.seed}: {c.base_status} → {c.new_status}"
                    + (f": {_md(c.detail)}" if c.detail else "") for c in changed]
        if self.regressions:
            out += ["", f"**Regressions ({len(self.regressions)})**", ""]
            out += [f"- {_md(r)}" for r in self.regressions]
        return "\n".join(out) + "\n"

    def to_junit_xml(self) -> str:
        """One ``testsuite``: a testcase per (scenario, metric) and per run status."""
        suite = ET.Element("testsuite", name="brushbench compare")
        cases = 0
        failures = errors = skipped = 0
        if not self.comparable:
            case = ET.SubElement(suite, "testcase", classname="brushbench.compare",
                                 name="comparable")
            err = ET.SubElement(case, "error", message="not comparable", type="NotComparable")
            err.text = "\n".join(self.reasons)
            cases, errors = 1, 1
        for r in self.rows:
            case = ET.SubElement(suite, "testcase", classname=r.scenario, name=r.metric)
            cases += 1
            detail = (f"base {_num(r.base)} new {_num(r.new)} delta {_delta(r)} "
                      f"noise {_noise(r)} verdict {_verdict_text(r)}")
            if r.failed:
                failures += 1
                f = ET.SubElement(case, "failure", message=_row_sentence(r), type="Regression")
                f.text = detail
            elif r.verdict in ("undefined", OTHER_MACHINE):
                skipped += 1
                ET.SubElement(case, "skipped", message=f"{r.verdict}: {r.reason}")
            ET.SubElement(case, "system-out").text = detail
        for c in self.runs:
            case = ET.SubElement(suite, "testcase", classname=c.scenario,
                                 name=f"run seed {c.seed} status")
            cases += 1
            if c.regression:
                failures += 1
                f = ET.SubElement(case, "failure", message=_run_sentence(c),
                                  type="NewlyFailing")
                f.text = c.detail
            ET.SubElement(case, "system-out").text = f"{c.base_status} -> {c.new_status}"
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("skipped", str(skipped))
        root = ET.Element("testsuites", name="brushbench", tests=str(cases),
                          failures=str(failures), errors=str(errors))
        root.append(suite)
        ET.indent(root)
        return ('<?xml version="1.0" encoding="utf-8"?>\n'
                + ET.tostring(root, encoding="unicode") + "\n")


_MARK = {"improved": "+", "worse": "-", "changed": "*", "within noise": "~",
         "undefined": "?", OTHER_MACHINE: "#"}


def _num(x: float | None) -> str:
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.2f}"
    return f"{x:.4f}"


def _delta(r: Row) -> str:
    if r.delta is None:
        return "-"
    d = r.delta
    text = f"{'+' if d >= 0 else '-'}{_num(abs(d))}"
    rel = r.relative
    return text + (f" ({rel:+.1%})" if rel is not None else "")


def _noise(r: Row) -> str:
    return "-" if r.noise is None else f"±{_num(r.noise)}"


def _verdict_text(r: Row) -> str:
    text = r.verdict
    if r.verdict in ("undefined", OTHER_MACHINE) and r.reason:
        text += f": {r.reason}"
    if r.rule is not None:
        text += f" [fail-if {r.rule.allowed()}: {'FAIL' if r.failed else 'pass'}]"
    return text


def _statuses(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "no runs"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _md_table(rows: Iterable[Row]) -> list[str]:
    out = ["| | scenario | metric | base | new | delta | noise | verdict |",
           "|---|---|---|---:|---:|---:|---:|---|"]
    for r in rows:
        mark = "❗" if r.failed else _MARK[r.verdict]
        verdict = _md(_verdict_text(r))
        if r.failed:
            verdict = f"**{verdict}**"
        out.append(f"| {mark} | {_md(r.scenario)} | `{_md(r.metric)}` | {_num(r.base)} | "
                   f"{_num(r.new)} | {_delta(r)} | {_noise(r)} | {verdict} |")
    return out


def _row_sentence(r: Row) -> str:
    if r.verdict == "undefined":
        return (f"{r.scenario}: {r.metric} is gated by --fail-if {r.rule} but undefined in new "
                f"({r.reason}) while base has {_num(r.base)}: the gate cannot be checked")
    word = "fell" if (r.delta or 0) < 0 else "rose"
    assert r.rule is not None and r.delta is not None and r.noise is not None
    return (f"{r.scenario}: {r.metric} {word} by {_num(abs(r.delta))} ({_num(r.base)} -> "
            f"{_num(r.new)}"
            + (f", {r.relative:+.1%}" if r.relative is not None else "")
            + f"), beyond noise ±{_num(r.noise)} and the allowed {r.rule.allowed()} "
            f"(--fail-if {r.rule})")


def _run_sentence(c: RunChange) -> str:
    return (f"{c.scenario} seed {c.seed}: ok in base, {c.new_status} in new"
            + (f": {c.detail}" if c.detail else ""))


def _wanted(named: Sequence[str], available: set[str]) -> list[tuple[str, bool]]:
    """(metric, optional) pairs in report order: the defaults present, then the named metrics.

    An optional metric (a ``*`` match of a default) is dropped when undefined on both sides;
    a named metric is always reported, even when absent (``not recorded``).
    """
    out: dict[str, bool] = {}
    for pattern in DEFAULT_METRICS:
        if "*" in pattern:
            for p in sorted(p for p in available if fnmatch.fnmatchcase(p, pattern)):
                out.setdefault(p, True)
        elif pattern in available:
            out.setdefault(pattern, False)
    for pattern in named:
        if "*" in pattern:
            matches = sorted(p for p in available if fnmatch.fnmatchcase(p, pattern))
        else:
            matches = [pattern]
        for p in matches:
            out[p] = False
    return list(out.items())


def _compare_metric(scenario: str, metric: str, b: _Side, n: _Side, sigmas: float,
                    rules: list[FailRule], other_machine: str = "") -> Row:
    """One row; ``rules`` are the fail rules that apply to ``metric`` (the row keeps the first
    one broken, else the first one). ``other_machine``: how the machines differ, when
    ``metric`` depends on the machine and is not to be judged across them; such a row is
    never a regression."""
    rule = rules[0] if rules else None
    bv, bwhy = b.collect(metric)
    nv, nwhy = n.collect(metric)
    bs, ns = mean_sd(bv), mean_sd(nv)
    bm, nm = bs.mean, ns.mean
    if bm is None or nm is None:
        reason = "; ".join(f"{side}: {why}" for side, why in (("base", bwhy), ("new", nwhy))
                           if why)
        failed = rule is not None and bm is not None and nm is None and not other_machine
        return Row(scenario, metric, bm, nm, None, None, "undefined", reason, len(bv), len(nv),
                   rule, failed)
    sds = [s for s in (bs.sd, ns.sd) if s is not None]
    noise = max(sigmas * max(sds) if sds else 0.0, noise_floor(metric, bm))
    delta = nm - bm
    better = direction(metric)
    if other_machine:
        return Row(scenario, metric, bm, nm, delta, None, OTHER_MACHINE, other_machine,
                   len(bv), len(nv), rule, False)
    if abs(delta) <= noise:
        verdict = "within noise"
    elif better is None:
        verdict = "changed"
    elif (delta > 0) == (better == HIGHER):
        verdict = "improved"
    else:
        verdict = "worse"
    broken = [r for r in rules if verdict == "worse" and r.breached(bm, delta)]
    failed = bool(broken)
    rule = broken[0] if broken else rule
    return Row(scenario, metric, bm, nm, delta, noise, verdict, "", len(bv), len(nv), rule,
               failed)


def _as_rules(fail_if: Iterable[FailRule | str]) -> list[FailRule]:
    return [r if isinstance(r, FailRule) else parse_fail_rule(r) for r in fail_if]


def compare_results(base: Results | Mapping[str, Any], new: Results | Mapping[str, Any], *,
                    fail_if: Iterable[FailRule | str] = (),
                    metrics: Sequence[str] | None = None, noise_sigmas: float = 2.0,
                    base_label: str = "base", new_label: str = "new",
                    timings_across_machines: bool = False) -> Comparison:
    """Compare two results (as :func:`~brushbench.results.io.read_results` returns them).

    Parameters
    ----------
    base, new : Results or dict
        Results (or results documents, checked with :meth:`Results.from_json`); ``base`` is
        the reference.
    fail_if : iterable of FailRule or str
        Gates (``"orders.average_precision:-0.02"``). Without any, only runs that newly fail
        are regressions.
    metrics : sequence of str, optional
        Metric paths (``*`` allowed) compared in addition to :data:`DEFAULT_METRICS`; each must
        exist in at least one of the documents.
    noise_sigmas : float
        Width of the noise band in sample standard deviations over seeds.
    timings_across_machines : bool
        Judge time, memory and latency metrics (:data:`MACHINE_KINDS`) even when the results
        were measured on different machines (:func:`machine_differences`); by default they
        get the verdict ``"other machine"`` and can neither regress nor break a rule.

    Raises
    ------
    CompareError
        A malformed rule, a negative ``noise_sigmas``, a named metric (rule or ``metrics``)
        found in neither document, or a (scenario, seed) listed twice.
    """
    base = _model(base, base_label)
    new = _model(new, new_label)
    rules = _as_rules(fail_if)
    if not (isinstance(noise_sigmas, int | float) and math.isfinite(noise_sigmas)
            and noise_sigmas >= 0):
        raise CompareError(f"--noise-sigmas must be a number >= 0, got {noise_sigmas!r}")
    nothing = Comparison(comparable=False, rules=rules, noise_sigmas=float(noise_sigmas),
                         base_label=base_label, new_label=new_label,
                         base_statuses=count_statuses(base.runs),
                         new_statuses=count_statuses(new.runs),
                         machines=machine_differences(base, new),
                         timings_across_machines=timings_across_machines)
    reasons = comparability(base, new)
    if reasons:
        return replace(nothing, reasons=reasons)
    bsides, nsides = _sides(base, base_label), _sides(new, new_label)
    everywhere = set().union(*(s.paths() for s in (*bsides.values(), *nsides.values())))
    named = [*(metrics or ()), *(r.metric for r in rules)]
    for name in named:
        _check_named(name, everywhere)
    for rule in rules:
        rule.check_matches(everywhere)

    skip = "" if timings_across_machines else "; ".join(nothing.machines)
    rows: list[Row] = []
    changes: list[RunChange] = []
    regressions: list[str] = []
    for scenario, b in bsides.items():
        n = nsides[scenario]
        for seed in sorted(b.runs):
            brun, nrun = b.runs[seed], n.runs[seed]
            change = RunChange(scenario, seed, brun.status, nrun.status,
                               nrun.detail() if not nrun.ok else "")
            changes.append(change)
            if change.regression:
                regressions.append(_run_sentence(change))
        for metric, optional in _wanted(named, b.paths() | n.paths()):
            gates = [r for r in rules if r.applies_to(metric)]
            row = _compare_metric(scenario, metric, b, n, noise_sigmas, gates,
                                  skip if machine_bound(metric) else "")
            if not (optional and row.base is None and row.new is None):
                rows.append(row)
        regressions += [_row_sentence(r) for r in rows if r.scenario == scenario and r.failed]
    return replace(nothing, comparable=True, rows=rows, runs=changes, regressions=regressions)


def _model(results: Results | Mapping[str, Any], where: str) -> Results:
    return results if isinstance(results, Results) else Results.from_json(results, where)


def _check_named(name: str, everywhere: set[str]) -> None:
    if "*" in name:
        if any(fnmatch.fnmatchcase(p, name) for p in everywhere):
            return
    elif name in everywhere:
        return
    close = get_close_matches(name, sorted(everywhere), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    raise CompareError(f"metric {name!r} is in neither results file{hint}")


def compare_files(base_path: str | Path, new_path: str | Path, **kw: Any) -> Comparison:
    """Read two results files and :func:`compare_results` them (``eval --compare`` calls this).

    Raises :class:`~brushbench.results.model.ResultsError` for a file that cannot be read and
    :class:`CompareError` for a bad request; both carry a one-line message.
    """
    base, new = read_results(base_path), read_results(new_path)
    kw.setdefault("base_label", str(base_path))
    kw.setdefault("new_label", str(new_path))
    return compare_results(base, new, **kw)


__all__ = ["COST_FLOOR_SHARE", "DEFAULT_METRICS", "EXIT_NOT_COMPARABLE", "EXIT_OK",
           "EXIT_REGRESSION", "MACHINE_KEYS", "MACHINE_KINDS", "OTHER_MACHINE",
           "QUALITY_FLOOR", "RULE_FORM", "STATUSES", "VERDICTS",
           "CompareError", "Comparison", "FailRule", "ResultsError", "Row", "RunChange",
           "compare_files", "compare_results", "machine_bound", "machine_differences",
           "machine_of", "noise_floor",
           "parse_fail_rule", "run_values"]
