"""Evaluate a detector on a suite: the function behind ``brushbench eval``.

For every scenario of the suite and every seed, the detector runs in its own process
(:func:`brushbench.runtime.runner.run_isolated`): it may fit on a training dataset (another seed
of the same scenario, with its answer key) and scores the test dataset, which carries no answer
key at all. Every run is recorded with its status; a failed run is counted, never dropped and
never turned into a score. Metrics are computed here, in the parent, from the test dataset's
answer key.

A detector with ``score_stream`` is streamed the test dataset in time windows when it has no
``score`` or when ``stream=True`` (``brushbench eval --stream``); its ok runs then carry a
``stream`` section (batches, latency per batch, time to detect each campaign:
:func:`brushbench.harness.scoring.stream_results`).

Both return the typed results model (:class:`brushbench.results.Results`), built in one place
(:func:`results_of`); ``write_results`` writes it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .._version import GENERATOR_VERSION, __version__
from ..dataset import DatasetError, cache
from ..results import model
from ..results.model import (
    SCHEMA_VERSION,
    Cost,
    Detector,
    Limits,
    Results,
    Run,
    StreamRequest,
    Tree,
    count_statuses,
    environment,
)
from ..runtime import launch, private
from ..runtime.batches import DEFAULT_BATCH, batch_label, parse_batch
from ..runtime.detectors import load_detector
from ..runtime.runner import PreparedRun, RunRecord, execute_run, prepare_run, run_isolated
from .generated import generated_dataset
from .suites import Suite, load_suite

# pandas (through the metrics, the scoring and the dataset reader) is imported where a run is
# scored, not here: the first run's detector then starts without waiting for it, and the
# import happens on the worker thread while that detector works.

#: The training dataset of test seed ``s`` is seed ``s + TRAIN_SEED_OFFSET`` of the scenario.
TRAIN_SEED_OFFSET = 10_000


@dataclass(frozen=True)
class RunProgress:
    done: int
    total: int
    scenario: str
    seed: int
    status: str


#: What scoring a run reads of its test dataset (the detector's process reads the rest).
METRIC_TABLES = ("orders", "labels", "entity_labels", "campaigns")


def evaluate(target: str, suite: Suite | str | os.PathLike[str] = "quick", *,
             seeds: int | None = None, timeout: float = 600.0, memory_mb: int | None = None,
             progress: Callable[[RunProgress], None] | None = None,
             stream: bool = False, batch: str | int | float = DEFAULT_BATCH,
             seed_values: Sequence[int] | None = None,
             cache_root: os.PathLike[str] | None = None) -> Results:
    """Run ``target`` on every (scenario, seed) of ``suite``; return the results.

    ``suite`` is a :class:`~brushbench.harness.suites.Suite`, a bundled suite's name
    (``"quick"``, ``"standard"``) or a suite file. ``stream=True`` streams the test data to
    ``score_stream(batches)`` in windows of ``batch`` even when the detector also has
    ``score`` (a detector with only ``score_stream`` always streams).

    ``seed_values`` runs on those test seeds instead of ``0 .. seeds - 1`` (``seeds`` must
    then be None); each run's training seed is still ``seed + TRAIN_SEED_OFFSET``.
    ``cache_root`` puts the generated datasets under that folder instead of the shared cache
    (:func:`brushbench.dataset.cache.cache_root`): hidden-seed rounds
    (:mod:`brushbench.rounds`) generate into a private temporary folder.

    Raises
    ------
    brushbench.runtime.detectors.DetectorLoadError
        When the target cannot be loaded at all (a user mistake, reported before any run).
    """
    if seed_values is not None and seeds is not None:
        raise ValueError("give seeds (a count) or seed_values, not both")
    if not isinstance(suite, Suite):
        suite = load_suite(os.fspath(suite))
    detector = load_detector(target)
    batch_seconds = parse_batch(batch)  # ValueError before any run
    launch.warm_up()  # the run processes' server starts while the datasets are prepared
    test_seeds = (list(seed_values) if seed_values is not None
                  else list(range(seeds or suite.seeds)))
    root = None if cache_root is None else Path(cache_root)
    items = [(entry, seed) for entry in suite.entries for seed in test_seeds]
    # Generate what the cache lacks before any detector runs, so that no run's timing shares
    # the machine with the generator (the pipeline below then only copies and scores).
    for entry, seed in items:
        for s in (seed, seed + TRAIN_SEED_OFFSET):
            generated_dataset(entry.scenario, s, root=root)
    # A pipeline, so that the harness's own work does not add to the detector's: while one
    # run's detector works in its process, a worker thread scores the run before it and
    # copies the data of the run after it. Runs still go one at a time (their timings must
    # not compete with each other), and the worker does all the cache's file work, in order.
    finished: list[Future[Run]] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="brushbench-eval") as worker:
        upcoming = worker.submit(_prepare, target, *items[0], root) if items else None
        for index in range(len(items)):
            assert upcoming is not None
            job = upcoming.result()
            if index + 1 < len(items):
                upcoming = worker.submit(_prepare, target, *items[index + 1], root)
            try:
                record = execute_run(job.prepared, timeout=timeout, memory_mb=memory_mb,
                                     stream=stream, batch=batch_seconds)
            except BaseException:
                job.prepared.cleanup()
                raise
            finished.append(worker.submit(_finish, job, record, stream=stream,
                                          done=index + 1, total=len(items),
                                          progress=progress))
            for future in finished:  # a scoring failure stops the evaluation now
                if future.done():
                    future.result()
        runs = [future.result() for future in finished]
    return results_of(runs, suite=model.Suite(name=suite.name, hash=suite.hash),
                      detector=detector.identity(), timeout=timeout, memory_mb=memory_mb,
                      stream=stream, batch=batch_label(batch_seconds))


def evaluate_data(target: str, data_dir: str | os.PathLike[str], *,
                  train_dir: str | os.PathLike[str] | None = None, timeout: float = 600.0,
                  memory_mb: int | None = None,
                  progress: Callable[[RunProgress], None] | None = None,
                  stream: bool = False, batch: str | int | float = DEFAULT_BATCH
                  ) -> Results:
    """Run ``target`` once on a given dataset folder; return the results.

    ``data_dir`` is a dataset folder: an order log imported with
    :func:`brushbench.userdata.import_log` (``brushbench eval --data FILE``) or any
    brushbench dataset, used as it is. ``train_dir``, if given, is the dataset ``fit(train)``
    gets; without one a detector that has ``fit`` is ``skipped``.

    The document has the schema of :func:`evaluate`'s: suite ``data:<file name>`` whose hash
    is the imported content's (source sha256, column mapping, time zone, labels), one run
    with seed 0 and scenario ``<file stem>``, and a ``data`` section (the source, mapping,
    lacking columns and labels, from the manifest). Metrics are what the answer key defines
    (:func:`brushbench.harness.scoring.score_data`): with shop or buyer labels only, the
    order sections are undefined with the reason and the ``buyers``/``shops`` sections scored.

    Raises
    ------
    brushbench.runtime.detectors.DetectorLoadError
        When the target cannot be loaded at all.
    brushbench.dataset.DatasetError
        When ``data_dir`` is not a dataset folder, or ``train_dir`` is not one with an
        answer key, or a file of either differs from its manifest (size or sha256: checked
        before the run, and for ``data_dir`` again when it is read for scoring).
    """
    from ..dataset.manifest import read_manifest
    from ..dataset.reader import check_folder
    from ..userdata import content_key, data_identity

    detector = load_detector(target)
    batch_seconds = parse_batch(batch)
    info = data_identity(data_dir)  # DatasetError before any run
    check_folder(data_dir)  # a damaged or edited file is refused before the detector runs
    train = None
    if train_dir is not None:
        train = data_identity(train_dir)
        if not check_folder(train_dir)["has_answer_key"]:
            raise DatasetError(f"{train_dir}: the training dataset has no answer key "
                               "(fit(train) needs its labels)")
        # Another training set makes other results: it is part of what is compared.
        info["hash"] = content_key(info["hash"], train["hash"])
    # Every table, and the manifest as it is now: scoring reads the answer key and the
    # manifest's description of the labels, neither from what the detector could change.
    manifest = read_manifest(data_dir)
    recorded = private.snapshot(data_dir, manifest["tables"])
    record = run_isolated(target, train_dir, data_dir, timeout=timeout, memory_mb=memory_mb,
                          stream=stream, batch=batch_seconds)
    run = _run(record, scenario=info["stem"], scenario_hash=info["hash"], scale=None, seed=0,
               train_seed=None)
    tampered = private.changed(data_dir, recorded)
    if tampered:
        run = _tampered_run(run, tampered)
    if run.ok:
        assert record.scores is not None  # an ok run has scores
        from .scoring import score_run

        # The answer key read part by part as a code an order: scoring a log larger than
        # memory must not hold the log (see harness.answer_key).
        metrics, stream_section = score_run(data_dir, record, manifest)
        run = replace(run, metrics=metrics, stream=stream_section)
    if progress is not None:
        progress(RunProgress(1, 1, info["stem"], 0, record.status))
    data: dict[str, Any] = {"external": bool(manifest.get("external")),
                            "n_orders": int(manifest["tables"]["orders"]["rows"]),
                            **{key: manifest[key] for key in (
                                "source", "column_mapping", "lacking", "labels", "timezone",
                                "scenario", "scenario_hash", "seed") if key in manifest},
                            "train": train}
    return results_of([run], suite=model.Suite(name=f"data:{info['name']}", hash=info["hash"]),
                      data=data, detector=detector.identity(), timeout=timeout,
                      memory_mb=memory_mb, stream=stream, batch=batch_label(batch_seconds))


@dataclass
class _Job:
    """One (scenario, seed) run of a suite, its datasets checked and its private copies made."""

    entry: Any
    seed: int
    test_dir: Path
    test_key: dict[str, str]
    train_dir: Path
    train_key: dict[str, str]
    prepared: PreparedRun

    @property
    def train_seed(self) -> int:
        return self.seed + TRAIN_SEED_OFFSET


def _prepare(target: str, entry: Any, seed: int, root: Path | None) -> _Job:
    """The datasets of a run (generated if the cache lacks them) and the run's private copies."""
    test_dir, test_key = _intact_dataset(entry.scenario, seed, root)
    train_dir, train_key = _intact_dataset(entry.scenario, seed + TRAIN_SEED_OFFSET, root)
    return _Job(entry, seed, test_dir, test_key, train_dir, train_key,
                prepare_run(target, train_dir, test_dir))


def _finish(job: _Job, record: RunRecord, *, stream: bool, done: int, total: int,
            progress: Callable[[RunProgress], None] | None) -> Run:
    """The run of a record: its metrics scored from the test dataset's answer key, unless
    the files scoring reads changed while the detector ran."""
    job.prepared.cleanup()
    run = _run(record, scenario=job.entry.label, scenario_hash=job.entry.hash,
               scale=job.entry.scale, seed=job.seed, train_seed=job.train_seed)
    tampered = [(folder, files) for folder, key in ((job.test_dir, job.test_key),
                                                    (job.train_dir, job.train_key))
                if (files := private.changed(folder, key))]
    for folder, _ in tampered:
        _discard(folder)  # generated again by the next run that needs it
    if tampered:
        run = _tampered_run(run, [f for _, files in tampered for f in files])
    elif run.ok:
        from .scoring import score_run

        assert record.scores is not None  # an ok run has scores
        metrics, stream_section = score_run(job.test_dir, record, curves=True)
        # Curves are lists for plots (the leaderboard), not metrics: kept beside them so
        # that summaries and comparisons never see them.
        curves = metrics.pop("curves")
        run = replace(run, metrics=metrics, curves=curves, stream=stream_section)
    if progress is not None:
        progress(RunProgress(done, total, job.entry.label, job.seed, record.status))
    return run


def _intact_dataset(scenario: Any, seed: int, root: Path | None
                    ) -> tuple[Path, dict[str, str]]:
    """The cached dataset of ``scenario`` and ``seed`` and the sha256 of the tables scoring
    reads, checked against its manifest now; a cache entry that fails the check (changed since
    its last full check) is generated again."""
    folder = generated_dataset(scenario, seed, root=root)
    try:
        return folder, private.snapshot(folder, METRIC_TABLES)
    except DatasetError:
        _discard(folder)
    folder = generated_dataset(scenario, seed, root=root)
    return folder, private.snapshot(folder, METRIC_TABLES)


def _discard(folder: Path) -> None:
    """Remove a cache entry (and its verified stamp) whose files were changed."""
    shutil.rmtree(folder, ignore_errors=True)
    cache.stamp_path(folder).unlink(missing_ok=True)


def _tampered_run(run: Run, files: Sequence[str]) -> Run:
    """``run`` made ``invalid_output``: files the scoring reads changed while it ran."""
    problem = (f"the answer key or orders of the data were modified while the detector ran "
               f"({', '.join(files)}: sha256 differs from the one recorded before the run); "
               "the run is not scored")
    return replace(run, status="invalid_output", reason=f"invalid output: {problem}",
                   problems=(problem, *run.problems), metrics=None, curves=None, stream=None)


def results_of(runs: Sequence[Run], *, suite: model.Suite, detector: Mapping[str, Any],
               timeout: float, memory_mb: int | None, stream: bool, batch: str,
               data: Tree | None = None) -> Results:
    """The results of an evaluation: its runs, what was evaluated and how, where it ran, and
    the status counts and summaries derived from the runs. The one place a results document is
    put together."""
    return Results(
        schema_version=SCHEMA_VERSION,
        brushbench_version=__version__,
        generator_version=GENERATOR_VERSION,
        suite=suite,
        data=data,
        detector=Detector.from_json(detector),
        environment=environment(),
        limits=Limits(timeout_seconds=timeout, memory_mb=memory_mb),
        stream=StreamRequest(requested=bool(stream), batch=batch),
        runs=tuple(runs),
        statuses=count_statuses(runs),
        summary=summarize(runs),
    )


def _run(record: Any, *, scenario: str, scenario_hash: str, scale: float | None, seed: int,
         train_seed: int | None) -> Run:
    """A run from its :class:`~brushbench.runtime.runner.RunRecord`, metrics not yet scored."""
    return Run(
        scenario=scenario, scenario_hash=scenario_hash, scale=scale, seed=seed,
        train_seed=train_seed,
        status=str(getattr(record.status, "value", record.status)),
        reason=record.reason,
        phase=record.phase,
        problems=tuple(record.problems),
        traceback=record.traceback,
        cost=Cost(fit_seconds=record.fit_seconds, score_seconds=record.score_seconds,
                  orders_per_second=record.orders_per_second,
                  peak_memory_mb=record.peak_memory_mb),
        metrics=None, curves=None, stream=None)


def summarize(runs: Sequence[Run]) -> dict[str, Any]:
    """Mean and spread over seeds, per scenario and over the whole suite (ok runs only)."""
    from ..metrics import aggregate
    from .scoring import stream_summary_part

    by_scenario: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        if run.ok:
            cost = run.cost.to_json() if run.cost is not None else {}
            by_scenario.setdefault(run.scenario, []).append(
                {**(run.metrics or {}), "cost": cost,
                 **({"stream": stream_summary_part(dict(run.stream))} if run.stream else {})})
    summary = {name: aggregate(items) for name, items in by_scenario.items()}
    everything = [item for items in by_scenario.values() for item in items]
    if everything:
        summary["(all)"] = aggregate(everything)
    return summary
