"""``check_detector``: run a detector on a tiny dataset and say in plain words what is wrong.

Meant for a detector's author before a full evaluation: it takes a few seconds, uses the same
isolated runner and limits as an evaluation, and reports load errors, exceptions (with the
line), timeouts, memory, invalid output (missing, duplicate or unknown order ids, NaN or
infinite scores, wrong type, wrong length), attempts to read labels from the test data, and
non-determinism (two runs on the same data that give different scores).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from brushbench.dataset.cache import cache_root
from brushbench.dataset.manifest import read_manifest
from brushbench.runtime.protocol import NO_SCORE_STREAM
from brushbench.runtime.runner import RunRecord, Status, run_isolated

#: The tiny dataset check uses by default: every pattern, naive camouflage, ~3,000 orders.
CHECK_SCENARIO = "mixed_naive"
CHECK_SCALE = 0.003
CHECK_SEEDS = (1, 2)

_tiny_lock = threading.Lock()
_tiny: dict[tuple[str, str, float, int], tuple[Path, int]] = {}


@dataclass
class CheckReport:
    """What :func:`check_detector` found.

    Attributes
    ----------
    target : str
    lines : list of str
        The whole report, one line each, ready to print.
    errors : list of str
        What makes the detector unusable as it is (load errors, exceptions, timeouts,
        invalid output, a second run that fails).
    warnings : list of str
        What does not stop an evaluation but makes it less useful (non-determinism,
        constant scores).
    records : list of RunRecord
        The runs made (one, or two when the first succeeded).
    """

    target: str
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records: list[RunRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def __str__(self) -> str:
        return "\n".join(self.lines)


def check_detector(
    target: str,
    *,
    timeout: float = 30.0,
    memory_mb: int | None = None,
    data: tuple[str | os.PathLike[str], str | os.PathLike[str]] | None = None,
) -> CheckReport:
    """Run ``target`` twice on a tiny train/test pair and report what is wrong.

    Parameters
    ----------
    target : str
        Module, ``module:attr``, file path or installed detector name.
    timeout : float
        Seconds each run may take for building, fitting, scoring and predicting.
    memory_mb : int, optional
        Memory limit of each run (see :func:`~brushbench.harness.run_isolated`).
    data : (train_dir, test_dir), optional
        Dataset folders to use instead of generating the tiny ones
        (:data:`CHECK_SCENARIO` at :data:`CHECK_SCALE`, seeds :data:`CHECK_SEEDS`; generated
        once into the dataset cache, like the datasets of ``eval``).

    Returns
    -------
    CheckReport
        ``report.ok`` and ``print(report)``.
    """
    report = CheckReport(target=target)
    lines = report.lines
    lines.append(f"checking {target}")
    if data is None:
        (train_dir, n_train), (test_dir, n_test) = (
            _tiny_dataset(CHECK_SCENARIO, CHECK_SCALE, seed) for seed in CHECK_SEEDS)
        lines.append(f"  data: scenario {CHECK_SCENARIO} at scale {CHECK_SCALE:g}; train seed "
                     f"{CHECK_SEEDS[0]} ({n_train:,} orders, with labels), test seed "
                     f"{CHECK_SEEDS[1]} ({n_test:,} orders, without labels)")
    else:
        train_dir, test_dir = (Path(p) for p in data)
        lines.append(f"  data: train {train_dir}, test {test_dir}")

    first = run_isolated(target, train_dir, test_dir, timeout=timeout, memory_mb=memory_mb)
    report.records.append(first)
    if first.name is not None:
        forms = ", ".join(m for m, has in (("fit", first.fit_seconds is not None),
                                           ("predict", first.predict_seconds is not None))
                          if has)
        origin = first.file or first.module
        lines.append(f"  detector: {first.name} ({first.kind} form"
                     f"{', with ' + forms if forms else ''}) from {origin}")
    if not first.ok:
        _describe_failure(report, first)
        return _finish(report)
    lines.append(f"  ok: {_costs(first)}")
    lines.extend(f"  ok: {line}" for line in _outputs(first))
    assert first.scores is not None
    if len(first.scores) and np.ptp(first.scores) == 0:
        _warn(report, f"all {len(first.scores):,} scores are equal ({first.scores[0]:g}), "
                      "so they rank nothing")

    second = run_isolated(target, train_dir, test_dir, timeout=timeout, memory_mb=memory_mb)
    report.records.append(second)
    if not second.ok:
        _error(report, f"a second run on the same data failed ({second.status}): "
                       f"{second.reason or '; '.join(second.problems)}")
        return _finish(report)
    differences = _compare(first, second)
    if differences:
        for difference in differences:
            _warn(report, f"not deterministic: {difference}")
        lines.append("  hint: seed every random generator (np.random.default_rng(seed)) and "
                     "do not depend on the iteration order of sets of strings")
    else:
        lines.append("  ok: deterministic (two runs gave identical output)")
    if first.stream is None:
        _check_streaming(report, target, train_dir, test_dir, timeout, memory_mb)
    return _finish(report)


def _check_streaming(report: CheckReport, target: str, train_dir: Path, test_dir: Path,
                     timeout: float, memory_mb: int | None) -> None:
    """A detector with both ``score`` and ``score_stream``: the streaming side works too?

    ``eval --stream`` calls ``score_stream``, which the batch runs above never touched. A
    detector without it is skipped before it is even built, so asking costs nothing.
    """
    record = run_isolated(target, train_dir, test_dir, timeout=timeout, memory_mb=memory_mb,
                          stream=True)
    report.records.append(record)
    if record.status == Status.SKIPPED and NO_SCORE_STREAM in record.reason:
        report.lines.append("  note: no score_stream(batches), so `eval --stream` skips it "
                            "(batch evaluation is unaffected)")
    elif not record.ok:
        _error(report, f"streaming run (score_stream) {_status_and_reason(record)}")
    else:
        report.lines.append(f"  ok: streaming: {_costs(record)}")


def _describe_failure(report: CheckReport, record: RunRecord) -> None:
    if record.status == Status.INVALID_OUTPUT:
        _error(report, f"invalid output ({len(record.problems)} problem(s)):", record.problems)
    elif record.status == Status.SKIPPED:
        _error(report, f"skipped: {record.reason}")
    else:
        _error(report, _status_and_reason(record))
    if record.traceback:
        last = [line for line in record.traceback.strip().splitlines() if line.strip()]
        if last:
            report.lines.append(f"  traceback ends with: {last[-1].strip()}")
    if record.reads_answer_key:
        report.lines.append("  note: the detector tried to read labels from the test data; "
                            "it never has them (labels, entity_labels and campaigns are in "
                            "train only): learn from them in fit(train) and keep what you "
                            "need on self")


def _costs(record: RunRecord) -> str:
    parts = []
    if record.fit_seconds is not None:
        parts.append(f"fit {record.fit_seconds:.3f} s")
    parts.append(f"score {record.score_seconds or 0:.3f} s"
                 + (f" ({record.orders_per_second:,.0f} orders/s)"
                    if record.orders_per_second else ""))
    if record.predict_seconds is not None:
        parts.append(f"predict {record.predict_seconds:.3f} s")
    if record.peak_memory_mb is not None:
        parts.append(f"peak memory {record.peak_memory_mb:,.0f} MB")
    if record.stream:
        parts.append(f"{record.stream['batches']:,} batches of {record.stream['batch']}, "
                     f"latency p50 {record.stream['latency_p50_seconds'] * 1000:.1f} ms, "
                     f"p99 {record.stream['latency_p99_seconds'] * 1000:.1f} ms")
    return ", ".join(parts)


def _outputs(record: RunRecord) -> list[str]:
    lines = [f"{len(record.scores):,} order scores" if record.scores is not None else ""]
    if record.buyer_scores is not None:
        lines.append(f"{len(record.buyer_scores):,} buyer scores")
    if record.shop_scores is not None:
        lines.append(f"{len(record.shop_scores):,} shop scores")
    if record.predictions is not None:
        lines.append(f"predictions: {int(record.predictions.sum()):,} of "
                     f"{len(record.predictions):,} orders flagged")
    return [", ".join(line for line in lines if line)]


def _compare(a: RunRecord, b: RunRecord) -> list[str]:
    """Plain-words differences between two runs' outputs (empty when identical)."""
    found = []
    for label, x, y in (("scores", a.scores, b.scores),
                        ("predictions", a.predictions, b.predictions)):
        if x is None and y is None:
            continue
        if x is None or y is None or len(x) != len(y):
            found.append(f"{label} given in one run and not the other")
            continue
        differ = x != y
        if differ.any():
            gap = (f" (largest difference {np.max(np.abs(x[differ] - y[differ])):.3g})"
                   if label == "scores" else "")
            found.append(f"{int(differ.sum()):,} of {len(x):,} {label} differ between two "
                         f"runs on the same data{gap}")
    for label, s, t in (("buyer scores", a.buyer_scores, b.buyer_scores),
                        ("shop scores", a.shop_scores, b.shop_scores)):
        if s is None and t is None:
            continue
        if s is None or t is None:
            found.append(f"{label} given in one run and not the other")
            continue
        joined = pd.concat([s.rename("a"), t.rename("b")], axis=1)
        differ = ~(joined["a"] == joined["b"])
        if differ.any():
            found.append(f"{int(differ.sum()):,} of {len(joined):,} {label} differ between "
                         "two runs on the same data")
    return found


def _status_and_reason(record: RunRecord) -> str:
    """``timeout: REASON``, ``crashed: REASON``...; an ``error`` is its reason alone (the line
    already says error)."""
    reason = record.reason or "; ".join(record.problems)
    status = str(getattr(record.status, "value", record.status))
    return reason if status == "error" else f"{status}: {reason}"


def _error(report: CheckReport, message: str, details: list[str] | None = None) -> None:
    report.errors.append(message if not details else f"{message} {'; '.join(details)}")
    report.lines.append(f"  error: {message}")
    report.lines.extend(f"    - {detail}" for detail in details or [])


def _warn(report: CheckReport, message: str) -> None:
    report.warnings.append(message)
    report.lines.append(f"  warning: {message}")


def _finish(report: CheckReport) -> CheckReport:
    if report.errors:
        verdict = f"FAILED: {len(report.errors)} error(s)"
    else:
        verdict = "passed"
    if report.warnings:
        verdict += f", {len(report.warnings)} warning(s)"
    report.lines.append(f"{report.target}: {verdict}")
    return report


def _tiny_dataset(scenario: str, scale: float, seed: int) -> tuple[Path, int]:
    """A generated dataset folder (with its answer key) and its order count.

    From the dataset cache (:mod:`brushbench.dataset.cache`), generated there the first time;
    looked up once per process and cache folder.
    """
    key = (str(cache_root()), scenario, scale, seed)
    with _tiny_lock:
        if key not in _tiny:
            # The generator is only needed here, not by the runner.
            from ..scenario import load_scenario
            from .generated import generated_dataset

            folder = generated_dataset(load_scenario(scenario), seed, scale=scale)
            _tiny[key] = (folder, int(read_manifest(folder)["tables"]["orders"]["rows"]))
        return _tiny[key]
