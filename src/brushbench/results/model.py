"""The results file ``brushbench eval`` writes and ``brushbench compare`` reads.

One JSON document per evaluation::

    {
      "schema_version": 1,
      "brushbench_version": "0.1.0",
      "generator_version": "1",
      "suite": {"name": "quick", "hash": "<sha256>"},
      "detector": {"target": "baselines/x.py", "name": "x", "file_sha256": "<sha256 or null>"},
      "environment": {"python": "3.11.7", "platform": "...", "cpus": 2, "numpy": "..."},
      "runs": [                                  # one per (scenario, seed), never dropped
        {"scenario": "mixed_naive", "scenario_hash": "<sha256>", "scale": 0.05,
         "seed": 1, "train_seed": 1001,
         "status": "ok" | "error" | "timeout" | "invalid_output" | "skipped",
         "problems": ["..."], "traceback": null,
         "cost": {"fit_seconds": 0.1, "score_seconds": 0.2, "orders_per_second": 1e5,
                  "peak_memory_mb": 120.0},
         "metrics": {...},                       # brushbench.metrics.score_orders, or null
         "curves": null | {"orders_pr": {"recall": [0.0, 0.02, ..., 1.0],
                                         "precision": [...]}},
                                                 # optional, ok runs of a suite (see below)
         "stream": null | {"batch": "1h", "batches": 168, "empty_batches": 0,
                           "latency_p50_seconds": 0.002, "latency_p99_seconds": 0.004,
                           "latency_max_seconds": 0.005, "time_to_detect": {...}}}
                                                 # ok streaming runs (runtime.streaming)
      ],
      "stream": {"requested": false, "batch": "1h"},   # eval --stream / --batch
      "summary": {"<scenario>": {...}}           # brushbench.metrics.aggregate over seeds
    }

``curves`` (optional: older files and ``eval --data`` runs have none, failed runs ``null``)
holds the order-level precision-recall curve of the run for plots (the leaderboard): the
interpolated precision (the best precision at a recall of at least ``r``) at 51 recall levels
``0, 0.02, ..., 1`` (:mod:`brushbench.metrics.curves`), or ``{"value": null, "reason": ...}``
without positive orders. It is not a metric: the summary, ``flatten`` and ``compare`` ignore it,
and it does not change the schema version.

Two results are comparable exactly when their suite hash, generator version and the set of
(scenario, scenario_hash, seed) match; :func:`comparability` says why when they do not.
"""

from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..dataset._fs import write_file_atomic

SCHEMA_VERSION = 1
STATUSES = ("ok", "error", "timeout", "invalid_output", "skipped")
_REQUIRED = ("schema_version", "generator_version", "suite", "detector", "runs")
_RUN_REQUIRED = ("scenario", "scenario_hash", "seed", "status")


class ResultsError(ValueError):
    """A results file that cannot be used; the message names the file and the problem."""


def environment() -> dict[str, Any]:
    """What the numbers were measured on (for the reader; it does not gate comparability)."""
    import numpy
    import pandas
    import pyarrow

    return {"python": platform.python_version(), "platform": platform.platform(),
            "machine": platform.machine(), "cpus": os.cpu_count(),
            "numpy": numpy.__version__, "pandas": pandas.__version__,
            "pyarrow": pyarrow.__version__}


def read_results(path: str | Path) -> dict[str, Any]:
    """Load and check a results file; raise :class:`ResultsError` with a one-line reason."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ResultsError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    check_results(doc, str(path))
    return doc


def check_results(doc: Any, where: str = "<results>") -> None:
    if not isinstance(doc, dict):
        raise ResultsError(f"{where}: expected a JSON object, found {type(doc).__name__}")
    missing = [k for k in _REQUIRED if k not in doc]
    if missing:
        raise ResultsError(f"{where}: not a brushbench results file (missing {', '.join(missing)})")
    if doc["schema_version"] != SCHEMA_VERSION:
        raise ResultsError(f"{where}: results schema version {doc['schema_version']!r}, this "
                           f"brushbench reads version {SCHEMA_VERSION}")
    if not isinstance(doc["runs"], list):
        raise ResultsError(f"{where}: 'runs' must be a list")
    for i, run in enumerate(doc["runs"]):
        if not isinstance(run, dict) or any(k not in run for k in _RUN_REQUIRED):
            raise ResultsError(f"{where}: runs[{i}] needs {', '.join(_RUN_REQUIRED)}")
        if run["status"] not in STATUSES:
            raise ResultsError(f"{where}: runs[{i}].status {run['status']!r} is not one of "
                               f"{', '.join(STATUSES)}")


def run_keys(doc: dict[str, Any]) -> set[tuple[str, str, int]]:
    return {(r["scenario"], r["scenario_hash"], int(r["seed"])) for r in doc["runs"]}


def comparability(base: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why two results are not comparable (empty when they are)."""
    reasons = []
    if base["suite"].get("hash") != new["suite"].get("hash"):
        reasons.append(f"different suites ({base['suite'].get('name')} "
                       f"{str(base['suite'].get('hash'))[:12]} vs {new['suite'].get('name')} "
                       f"{str(new['suite'].get('hash'))[:12]})")
    if base["generator_version"] != new["generator_version"]:
        reasons.append(f"different generator versions ({base['generator_version']} vs "
                       f"{new['generator_version']})")
    b, n = run_keys(base), run_keys(new)
    if b != n:
        changed = sorted({k[0] for k in b ^ n})
        reasons.append(f"different scenario hashes or seeds for {', '.join(changed)}")
    return reasons


def write_results(doc: dict[str, Any], path: str | Path) -> Path:
    """Write ``doc`` atomically (temporary file, then rename)."""
    check_results(doc)
    text = json.dumps(doc, indent=2, sort_keys=True, allow_nan=False) + "\n"
    return write_file_atomic(path, text)


def count_statuses(runs: Iterable[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for run in runs:
        counts[run["status"]] += 1
    return counts


__all__ = ["SCHEMA_VERSION", "STATUSES", "ResultsError", "check_results", "comparability",
           "count_statuses", "environment", "read_results", "run_keys", "write_results"]
