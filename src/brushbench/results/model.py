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

The typed model
---------------
:class:`Results` is the document as frozen dataclasses: :class:`Suite`, :class:`Detector`,
:class:`Limits`, :class:`StreamRequest` and one :class:`Run` (with its :class:`Cost`) per
(scenario, seed). ``Results.from_json(doc)`` checks a document and builds the model;
``to_json()`` gives the document back, key for key: keys an older file lacks stay absent and
keys this version does not know are kept (``extra``), so reading a results file and writing it
again gives the same bytes (:func:`brushbench.results.io.write_results` writes
``to_text()``). The metric sections (``metrics``, a run's ``stream``, ``curves``, ``summary``)
are JSON trees whose keys vary (budgets, patterns, campaigns): a run reads them by dotted path
(:meth:`Run.value`, :meth:`Run.values`), the one walk of those trees; every path is a metric of
:mod:`brushbench.metrics.registry`. Treat the trees as read-only.
"""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, ClassVar

SCHEMA_VERSION = 1
STATUSES = ("ok", "error", "timeout", "invalid_output", "skipped")
_REQUIRED = ("schema_version", "generator_version", "suite", "detector", "runs")
_RUN_REQUIRED = ("scenario", "scenario_hash", "seed", "status")

#: A JSON object of the document that the model keeps as it is (a metric tree, the
#: environment): read-only by convention.
Tree = Mapping[str, Any]


class ResultsError(ValueError):
    """A results file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Undefined:
    """A metric that is not defined in a run, and why (``{"value": null, "reason": ...}``,
    ``null``, or a number that is not finite)."""

    reason: str


#: A metric's value in a run: a number, or :class:`Undefined` with its reason.
Value = float | Undefined


# -- the records ---------------------------------------------------------------------------------

class _Record:
    """JSON of the frozen dataclasses below: each field is the key of the same name.

    ``omitted``: the fields whose key the document read did not have (an older format); they
    are left out of :meth:`to_json` again. ``extra``: keys this version does not know, kept and
    written back as they were. :attr:`_ABSENT_WHEN_NONE` fields are written only when not None
    (a ``null`` read from a file is kept in ``extra``).
    """

    _ABSENT_WHEN_NONE: ClassVar[frozenset[str]] = frozenset()
    omitted: frozenset[str]
    extra: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The JSON object, key for key as read (or as ``eval`` writes it, for a new one)."""
        out: dict[str, Any] = {}
        for f in fields(self):  # type: ignore[arg-type]
            name = f.name
            if name in ("omitted", "extra") or name in self.omitted:
                continue
            value = getattr(self, name)
            if value is None and name in self._ABSENT_WHEN_NONE:
                continue
            out[name] = _dump(value)
        out.update(self.extra)
        return out


def _dump(value: Any) -> Any:
    if isinstance(value, _Record):
        return value.to_json()
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    return value


def _keys_of(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in ("omitted", "extra"))


def _split(cls: type[_Record], obj: Mapping[str, Any]) -> tuple[frozenset[str], dict[str, Any]]:
    """(omitted known keys, unknown keys with their values) of a JSON object."""
    keys = _keys_of(cls)
    omitted = frozenset(k for k in keys if k not in obj and k not in cls._ABSENT_WHEN_NONE)
    extra = {k: v for k, v in obj.items() if k not in keys}
    for k in cls._ABSENT_WHEN_NONE:
        if k in obj and obj[k] is None:
            extra[k] = None
    return omitted, extra


def _object(value: Any, where: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ResultsError(f"{where}: {what} must be a JSON object, found "
                           f"{type(value).__name__}")
    return value


def _tree(obj: Mapping[str, Any], key: str, where: str) -> Tree | None:
    value = obj.get(key)
    if value is None:
        return None
    return _object(value, where, key)


@dataclass(frozen=True, kw_only=True)
class Suite(_Record):
    """What was evaluated: the suite's name and hash (``data:<file>`` for ``eval --data``)."""

    name: str | None = None
    hash: str | None = None
    omitted: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Suite:
        omitted, extra = _split(cls, obj)
        return cls(name=obj.get("name"), hash=obj.get("hash"), omitted=omitted, extra=extra)


@dataclass(frozen=True, kw_only=True)
class Detector(_Record):
    """Which detector made the results (``DetectorSpec.identity()``)."""

    target: str | None = None
    name: str | None = None
    kind: str | None = None
    module: str | None = None
    attr: str | None = None
    source: str | None = None
    file: str | None = None
    file_sha256: str | None = None
    version: str | None = None
    omitted: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Detector:
        omitted, extra = _split(cls, obj)
        return cls(**{k: obj.get(k) for k in _keys_of(cls)}, omitted=omitted, extra=extra)


@dataclass(frozen=True, kw_only=True)
class Limits(_Record):
    """The limits every run had: seconds and address space (MB, None for none)."""

    timeout_seconds: float | None = None
    memory_mb: int | None = None
    omitted: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Limits:
        omitted, extra = _split(cls, obj)
        return cls(timeout_seconds=obj.get("timeout_seconds"), memory_mb=obj.get("memory_mb"),
                   omitted=omitted, extra=extra)


@dataclass(frozen=True, kw_only=True)
class StreamRequest(_Record):
    """``eval --stream`` and ``--batch``: whether streaming was asked for, and the window."""

    requested: bool = False
    batch: str | None = None
    omitted: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> StreamRequest:
        omitted, extra = _split(cls, obj)
        return cls(requested=obj.get("requested", False), batch=obj.get("batch"),
                   omitted=omitted, extra=extra)


@dataclass(frozen=True, kw_only=True)
class Cost(_Record):
    """What a run spent: seconds in ``fit`` and ``score``, throughput, peak memory (MiB)."""

    fit_seconds: float | None = None
    score_seconds: float | None = None
    orders_per_second: float | None = None
    peak_memory_mb: float | None = None
    omitted: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Cost:
        omitted, extra = _split(cls, obj)
        return cls(**{k: obj.get(k) for k in _keys_of(cls)}, omitted=omitted, extra=extra)


@dataclass(frozen=True, kw_only=True)
class Run(_Record):
    """One (scenario, seed): its status, what it cost, and its metrics when it was ok.

    ``metrics`` is :func:`brushbench.metrics.score_orders`' tree, ``stream`` the streaming
    section (:func:`brushbench.harness.scoring.stream_results`), ``curves`` the PR curve kept
    for plots; read metrics with :meth:`value` / :meth:`get` / :meth:`values` by dotted path
    (``orders.average_precision``, ``cost.score_seconds``, ``stream.latency_p99_seconds``).
    """

    scenario: str
    scenario_hash: str
    scale: float | None = None
    seed: int
    train_seed: int | None = None
    status: str
    reason: str | None = None
    phase: str | None = None
    problems: tuple[str, ...] = ()
    traceback: str | None = None
    cost: Cost | None = None
    metrics: Tree | None = None
    curves: Tree | None = None
    stream: Tree | None = None
    omitted: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any], where: str = "<run>") -> Run:
        """A run of a results document; :class:`ResultsError` when it cannot be one."""
        _object(obj, where, "a run")
        missing = [k for k in _RUN_REQUIRED if k not in obj]
        if missing:
            raise ResultsError(f"{where} needs {', '.join(_RUN_REQUIRED)}")
        if obj["status"] not in STATUSES:
            raise ResultsError(f"{where}.status {_shown(obj['status'])} is not one of "
                               f"{', '.join(STATUSES)}")
        seed = obj["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ResultsError(f"{where}.seed must be an integer, found {_shown(seed)}")
        for key in ("scenario", "scenario_hash"):
            if not isinstance(obj[key], str):
                raise ResultsError(f"{where}.{key} must be a string, found {_shown(obj[key])}")
        for key in ("scale", "cost", "metrics"):
            bad = _huge_number(obj.get(key), f"{where}.{key}")
            if bad is not None:
                raise ResultsError(f"{bad[0]}: expected a number of magnitude below "
                                   f"{MAX_MAGNITUDE:g}, found {bad[1]!r}")
        problems = obj.get("problems", [])
        if not isinstance(problems, list):
            raise ResultsError(f"{where}.problems must be a list, found "
                               f"{type(problems).__name__}")
        cost = _tree(obj, "cost", where)
        omitted, extra = _split(cls, obj)
        return cls(scenario=obj["scenario"], scenario_hash=obj["scenario_hash"],
                   scale=obj.get("scale"), seed=seed, train_seed=obj.get("train_seed"),
                   status=obj["status"], reason=obj.get("reason"), phase=obj.get("phase"),
                   problems=tuple(problems), traceback=obj.get("traceback"),
                   cost=None if cost is None else Cost.from_json(cost),
                   metrics=_tree(obj, "metrics", where), curves=_tree(obj, "curves", where),
                   stream=_tree(obj, "stream", where), omitted=omitted, extra=extra)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def key(self) -> tuple[str, str, int]:
        """(scenario, scenario hash, seed): what must match for results to be comparable."""
        return (self.scenario, self.scenario_hash, self.seed)

    @cached_property
    def _values(self) -> dict[str, Value]:
        out: dict[str, Value] = {}
        _flatten(self.metrics, "", out)
        _flatten(None if self.cost is None else self.cost.to_json(), "cost.", out)
        _flatten(self.stream, "stream.", out)
        return out

    def values(self) -> dict[str, Value]:
        """Every metric of the run by dotted path (``orders.recall_at_1pct``,
        ``cost.fit_seconds``, ``stream.latency_p99_seconds``): a number, or
        :class:`Undefined` with the reason. Strings (``source``) and curves are not metrics."""
        return dict(self._values)

    def get(self, path: str) -> Value | None:
        """The metric at ``path``: a number, :class:`Undefined`, or None when not recorded."""
        return self._values.get(path)

    def value(self, path: str) -> float | None:
        """The metric at ``path`` when it is defined, else None."""
        v = self._values.get(path)
        return v if isinstance(v, float) else None

    def detail(self) -> str:
        """The first problem, else the exception line of the traceback (its last line)."""
        for p in self.problems:
            if str(p).strip():
                return str(p).strip().splitlines()[0]
        if isinstance(self.traceback, str):
            lines = [line.strip() for line in self.traceback.strip().splitlines()
                     if line.strip()]
            if lines:
                return lines[-1]
        return ""

    def pr_curve(self) -> tuple[list[float], list[float]] | None:
        """(recall levels, interpolated precision) of the run's order-level PR curve, or None
        (no curve kept, or undefined without positives)."""
        c = (self.curves or {}).get("orders_pr")
        if isinstance(c, Mapping) and isinstance(c.get("recall"), list) and c.get("precision"):
            return list(c["recall"]), list(c["precision"])
        return None


def _leaf(value: Any) -> Value | None:
    """A number, an undefined value with its reason, or None for what is not a metric."""
    if value is None:
        return Undefined("null")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value):
        return Undefined(f"not finite ({value})")
    return float(value)


def _flatten(tree: Any, prefix: str, out: dict[str, Value]) -> None:
    if not isinstance(tree, Mapping):
        return
    for key, value in tree.items():
        path = f"{prefix}{key}"
        leaf: Value | None
        if isinstance(value, Mapping) and "value" in value:
            leaf = _leaf(value["value"])
            if isinstance(leaf, Undefined) and value.get("reason"):
                leaf = Undefined(str(value["reason"]))
        elif isinstance(value, Mapping):
            _flatten(value, path + ".", out)
            continue
        else:
            leaf = _leaf(value)
        if leaf is not None:
            out[path] = leaf


@dataclass(frozen=True, kw_only=True)
class Results(_Record):
    """A results document: one evaluation of one detector on a suite (or a given dataset)."""

    _ABSENT_WHEN_NONE: ClassVar[frozenset[str]] = frozenset({"data"})

    schema_version: int = SCHEMA_VERSION
    brushbench_version: str | None = None
    generator_version: str
    suite: Suite
    data: Tree | None = None                    # eval --data: where the dataset came from
    detector: Detector
    environment: Tree = field(default_factory=dict)
    limits: Limits | None = None
    stream: StreamRequest | None = None
    runs: tuple[Run, ...] = ()
    statuses: Mapping[str, int] | None = None   # count_statuses(runs)
    summary: Tree | None = None                 # brushbench.metrics.aggregate over seeds
    omitted: frozenset[str] = frozenset()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, doc: Any, where: str = "<results>") -> Results:
        """Check a results document (as ``json.load`` returns it) and build the model.

        Raises :class:`ResultsError` with a one-line reason naming ``where``.
        """
        check_results(doc, where)
        suite = _object(doc["suite"], where, "'suite'")
        detector = _object(doc["detector"], where, "'detector'")
        runs = tuple(Run.from_json(run, f"{where}: runs[{i}]")
                     for i, run in enumerate(doc["runs"]))
        limits = _tree(doc, "limits", where)
        stream = _tree(doc, "stream", where)
        omitted, extra = _split(cls, doc)
        return cls(schema_version=doc["schema_version"],
                   brushbench_version=doc.get("brushbench_version"),
                   generator_version=doc["generator_version"], suite=Suite.from_json(suite),
                   data=_tree(doc, "data", where), detector=Detector.from_json(detector),
                   environment=_tree(doc, "environment", where) or {},
                   limits=None if limits is None else Limits.from_json(limits),
                   stream=None if stream is None else StreamRequest.from_json(stream),
                   runs=runs, statuses=_tree(doc, "statuses", where),
                   summary=_tree(doc, "summary", where), omitted=omitted, extra=extra)

    def to_text(self) -> str:
        """The file's text: sorted keys, two-space indent, no NaN, a final newline."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True, allow_nan=False) + "\n"

    def run_keys(self) -> set[tuple[str, str, int]]:
        return {r.key for r in self.runs}

    def scenarios(self) -> dict[str, list[Run]]:
        """The runs by scenario, in the order of the document."""
        out: dict[str, list[Run]] = {}
        for run in self.runs:
            out.setdefault(run.scenario, []).append(run)
        return out


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
            raise ResultsError(f"{where}: runs[{i}].status {_shown(run['status'])} is not one "
                               f"of {', '.join(STATUSES)}")


#: The largest magnitude a figure in a results file may have: squares and differences of the
#: figures stay finite.
MAX_MAGNITUDE = 1e100


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _huge_number(tree: Any, path: str) -> tuple[str, float] | None:
    """The first number in ``tree`` beyond MAX_MAGNITUDE (or not finite), and its path."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            found = _huge_number(value, f"{path}.{key}")
            if found is not None:
                return found
    elif isinstance(tree, list):
        for j, value in enumerate(tree):
            found = _huge_number(value, f"{path}[{j}]")
            if found is not None:
                return found
    elif isinstance(tree, int | float) and not isinstance(tree, bool):
        if not abs(tree) <= MAX_MAGNITUDE:
            return path, float(tree)
    return None


def cpu_model() -> str:
    """The processor's model name (``/proc/cpuinfo`` on Linux, else what :mod:`platform` says;
    ``""`` when unknown)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key.strip() == "model name" and value.strip():
                    return value.strip()
    except OSError:
        pass
    return platform.processor() or ""


def environment() -> dict[str, Any]:
    """What the numbers were measured on. It does not gate comparability, but ``compare``
    judges timings only between results of the same machine (CPU model and count, platform,
    Python: :data:`brushbench.results.compare.MACHINE_KEYS`)."""
    import numpy
    import pandas
    import pyarrow

    return {"python": platform.python_version(), "platform": platform.platform(),
            "machine": platform.machine(), "cpu": cpu_model(), "cpus": os.cpu_count(),
            "numpy": numpy.__version__, "pandas": pandas.__version__,
            "pyarrow": pyarrow.__version__}


def run_keys(results: Results) -> set[tuple[str, str, int]]:
    return results.run_keys()


def comparability(base: Results, new: Results) -> list[str]:
    """Why two results are not comparable (empty when they are)."""
    reasons = []
    if base.suite.hash != new.suite.hash:
        reasons.append(f"different suites ({base.suite.name} {str(base.suite.hash)[:12]} vs "
                       f"{new.suite.name} {str(new.suite.hash)[:12]})")
    if base.generator_version != new.generator_version:
        reasons.append(f"different generator versions ({base.generator_version} vs "
                       f"{new.generator_version})")
    b, n = base.run_keys(), new.run_keys()
    if b != n:
        changed = sorted({k[0] for k in b ^ n})
        reasons.append(f"different scenario hashes or seeds for {', '.join(changed)}")
    return reasons


def count_statuses(runs: Iterable[Run]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for run in runs:
        counts[run.status] += 1
    return counts


__all__ = ["SCHEMA_VERSION", "STATUSES", "Cost", "Detector", "Limits", "Results",
           "ResultsError", "Run", "StreamRequest", "Suite", "Tree", "Undefined", "Value",
           "check_results", "comparability", "count_statuses", "cpu_model", "environment",
           "run_keys"]
