"""Evaluate a detector on a suite: the function behind ``brushbench eval``.

For every scenario of the suite and every seed, the detector runs in its own process
(:func:`brushbench.harness.runner.run_isolated`): it may fit on a training dataset (another seed
of the same scenario, with its answer key) and scores the test dataset, which carries no answer
key at all. Every run is recorded with its status; a failed run is counted, never dropped and
never turned into a score. Metrics are computed here, in the parent, from the test dataset's
answer key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._version import GENERATOR_VERSION, __version__
from ..dataset import load
from ..metrics import aggregate, score_orders
from .cache import cached_dataset
from .detectors import load_detector
from .results import SCHEMA_VERSION, count_statuses, environment
from .runner import run_isolated
from .suites import Suite

#: The training dataset of test seed ``s`` is seed ``s + TRAIN_SEED_OFFSET`` of the scenario.
TRAIN_SEED_OFFSET = 10_000


@dataclass(frozen=True)
class RunProgress:
    done: int
    total: int
    scenario: str
    seed: int
    status: str


def evaluate(target: str, suite: Suite, *, seeds: int | None = None, timeout: float = 600.0,
             memory_mb: int | None = None,
             progress: Callable[[RunProgress], None] | None = None) -> dict[str, Any]:
    """Run ``target`` on every (scenario, seed) of ``suite``; return the results document.

    Raises
    ------
    brushbench.harness.detectors.DetectorLoadError
        When the target cannot be loaded at all (a user mistake, reported before any run).
    """
    detector = load_detector(target)
    n_seeds = seeds or suite.seeds
    total = len(suite.entries) * n_seeds
    runs: list[dict[str, Any]] = []
    for entry in suite.entries:
        for seed in range(n_seeds):
            train_seed = seed + TRAIN_SEED_OFFSET
            test_dir = cached_dataset(entry.scenario, seed)
            train_dir = cached_dataset(entry.scenario, train_seed)
            record = run_isolated(target, train_dir, test_dir, timeout=timeout,
                                  memory_mb=memory_mb)
            run = {"scenario": entry.label, "scenario_hash": entry.hash, "scale": entry.scale,
                   "seed": seed, "train_seed": train_seed, **_record_fields(record)}
            if run["status"] == "ok":
                test = load(test_dir, verify=False)
                run["metrics"] = score_orders(
                    test.labels, record.scores, orders=test.orders,
                    entity_labels=test.entity_labels, campaigns=test.campaigns,
                    buyer_scores=record.buyer_scores, shop_scores=record.shop_scores,
                    predictions=record.predictions)
            runs.append(run)
            if progress is not None:
                progress(RunProgress(len(runs), total, entry.label, seed, record.status))
    return {
        "schema_version": SCHEMA_VERSION,
        "brushbench_version": __version__,
        "generator_version": GENERATOR_VERSION,
        "suite": {"name": suite.name, "hash": suite.hash},
        "detector": detector.identity(),
        "environment": environment(),
        "limits": {"timeout_seconds": timeout, "memory_mb": memory_mb},
        "runs": runs,
        "statuses": count_statuses(runs),
        "summary": summarize(runs),
    }


def _record_fields(record: Any) -> dict[str, Any]:
    return {
        "status": str(getattr(record.status, "value", record.status)),
        "reason": record.reason,
        "phase": record.phase,
        "problems": list(record.problems),
        "traceback": record.traceback,
        "cost": {"fit_seconds": record.fit_seconds, "score_seconds": record.score_seconds,
                 "orders_per_second": record.orders_per_second,
                 "peak_memory_mb": record.peak_memory_mb},
        "metrics": None,
    }


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean and spread over seeds, per scenario and over the whole suite (ok runs only)."""
    by_scenario: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        if run["status"] == "ok":
            by_scenario.setdefault(run["scenario"], []).append(
                {**run["metrics"], "cost": run["cost"]})
    summary = {name: aggregate(items) for name, items in by_scenario.items()}
    everything = [item for items in by_scenario.values() for item in items]
    if everything:
        summary["(all)"] = aggregate(everything)
    return summary
