"""Generate a dataset from a scenario: the pipeline's entry points.

``generate`` returns a :class:`~brushbench.dataset.Dataset` in memory (for tests, notebooks and
the harness on small data); ``generate_to`` streams the tables to a folder block by block, so
memory stays flat at any scale: the plan holds no array per buyer (buyers are keyed functions
of their index, :mod:`brushbench.market.population`), time blocks hold about
``plan.BLOCK_ORDERS`` orders whatever the scale, and the buyers table is written in chunks
(peak RSS 581 MiB at 1M orders, 702 MiB at 10M, 877 MiB at 30M, 1,227 MiB at 99M;
docs/performance.md). Both give the same tables for the same scenario and seed.

``generate_to`` writes one file per table, or a partitioned dataset (a folder of parts per
table, :mod:`.parts`) for a large run: there each worker builds and writes its own parts, so
the work of encoding the files is spread over the workers too.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from .._version import GENERATOR_VERSION
from ..dataset.remote import RemoteFolder, is_url
from ..dataset.writer import DatasetWriter
from ..scenario.limits import LimitError, check_scale, check_scaled
from ..scenario.model import Scenario
from ..scenario.scale import scale_scenario
from .background import BackgroundWriter, Beside
from .engines import Engine, check_engine, open_engine
from .materialize import iter_blocks
from .parts import auto_partition, part_blocks, part_bounds, write_part, write_parts_here
from .plan import Plan, make_plan
from .tables import IdMaker, buyer_tables, market_tables, order_tables, static_tables

if TYPE_CHECKING:  # pandas comes with Dataset: a run that writes files does not need it
    from ..dataset.dataset import Dataset


@dataclass(frozen=True)
class Progress:
    """What a progress callback receives after each shard."""

    shards_done: int
    shards_total: int
    orders: int


@dataclass(frozen=True)
class Summary:
    """What ``generate_to`` did."""

    out: Path | str  # a URL stays a string
    rows: dict[str, int]
    seconds: float
    manifest: dict[str, Any]

    @property
    def orders_per_second(self) -> float:
        return self.rows.get("orders", 0) / self.seconds if self.seconds > 0 else float("inf")


def manifest_fields(scenario: Scenario, seed: int, scale: float,
                    plan: Plan) -> dict[str, Any]:
    """What a dataset's manifest says about where it came from (nothing about when)."""
    from ..scenario.canonical import scenario_hash

    return {
        "generator_version": GENERATOR_VERSION,
        "scenario": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": int(seed),
        "scale": float(scale),
        "window": {"start": plan.start, "end": plan.end},
        "libraries": {name: importlib.metadata.version(name) for name in ("faker", "numpy")},
    }


#: Durations drawn per order, and the largest mean each may have (in its own unit): a law
#: with an infinite or huge mean (a zipf with a close to 1) has a tail that takes scipy minutes
#: to invert and times beyond any window.
_DURATION_LAWS = (("logistics.handling_hours", "hours", 24 * 30),
                  ("logistics.transit_days_local", "days", 60),
                  ("logistics.transit_days_remote", "days", 60),
                  ("refunds.delay_days", "days", 60))


def check_laws(scenario: Scenario) -> None:
    """:class:`LimitError` when a duration law's mean is infinite or beyond its limit."""
    for path, unit, limit in _DURATION_LAWS:
        first, second = path.split(".")
        law = getattr(getattr(scenario, first), second)
        mean = law.mean()
        if not mean <= limit:  # inf and nan too
            raise LimitError(f"{path}: expected a law with a mean of at most {limit} {unit}, "
                             f"found {law} with a mean of {mean:g} {unit}")


def _prepare(scenario: Scenario, seed: int | None, scale: float) -> tuple[Scenario, int, Plan]:
    scale = check_scale(scale)
    seed = scenario.seed if seed is None else int(seed)
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    scaled = scale_scenario(scenario, scale)
    check_scaled(scaled, scale)
    check_laws(scaled)
    return scaled, seed, make_plan(scaled, seed)


def _emit(plan: Plan, workers: int, write: Callable[[str, pa.Table], None],
          progress: Callable[[Progress], None] | None, engine: Engine | None = None) -> None:
    ids = IdMaker(plan.seed)
    orders = 0

    def tick(done: int) -> None:
        if progress is not None:
            progress(Progress(done, plan.n_shards, orders))

    for columns in iter_blocks(plan, workers, on_shard=tick, engine=engine):
        orders += len(columns)
        for name, table in order_tables(plan, columns, ids).items():
            write(name, table)
    _write_tables(static_tables(plan, ids), write)


def _write_tables(tables: Iterable[tuple[str, pa.Table]],
                  write: Callable[[str, pa.Table], None]) -> None:
    for name, table in tables:
        write(name, table)


def _emit_parts(plan: Plan, writer: DatasetWriter, engine: Engine | None,
                progress: Callable[[Progress], None] | None, upload_to: str | None) -> None:
    """Each part written by a task (in a worker, or here without an engine); the marketplace
    tables written here meanwhile."""
    bounds = part_bounds(plan)
    shards = [len(part_blocks(plan, t0, t1)) * len(plan.shop_blocks) for t0, t1 in bounds]
    args = [(i, t0, t1, str(writer.staging), writer.fmt, writer.tables, upload_to)
            for i, (t0, t1) in enumerate(bounds)]
    ids = IdMaker(plan.seed)

    def static(name: str, table: pa.Table) -> None:
        if name in writer.tables:
            writer.write(name, table)

    if engine is None and upload_to is None:
        _write_parts_here(plan, writer, bounds, shards, progress, static)
        return
    if engine is None:  # each part written, then uploaded, in turn
        results = (write_part(plan, *a) for a in args)
    else:
        futures = [engine.submit(write_part, *a) for a in args]
        _write_tables(static_tables(plan, ids), static)  # while the workers write the parts
        results = (f.result() for f in futures)
    done = orders = 0
    for part in results:
        for name, entry in part.entries.items():
            writer.add_part(name, part.index, entry)
        done += shards[part.index]
        orders += part.orders
        if progress is not None:
            progress(Progress(done, sum(shards), orders))
    if engine is None:
        _write_tables(static_tables(plan, ids), static)


def _write_parts_here(plan: Plan, writer: DatasetWriter, bounds: tuple[tuple[int, int], ...],
                      shards: list[int], progress: Callable[[Progress], None] | None,
                      static: Callable[[str, pa.Table], None]) -> None:
    """Without an engine: the parts, encoded on one background thread behind the generation,
    while a third thread builds and writes the buyers table (a chunk at a time: queued behind
    the parts, they would pile up); then the other marketplace tables, built whole (items: 2.4M
    at ``--scale 97``), so not while the parts hold memory too."""
    count = {"shards": 0, "orders": 0}
    ids = IdMaker(plan.seed)
    marketplace = Beside(lambda write: _write_tables(buyer_tables(plan, ids), write), static)

    def on_part(index: int, orders: int) -> None:
        if marketplace.error is not None:  # no use generating the rest
            marketplace.join()
        count["shards"] += shards[index]
        count["orders"] += orders
        if progress is not None:
            progress(Progress(count["shards"], sum(shards), count["orders"]))

    parts = [(i, t0, t1) for i, (t0, t1) in enumerate(bounds)]
    try:
        done = write_parts_here(plan, parts, str(writer.staging), writer.fmt, writer.tables,
                                on_part)
    except BaseException:
        marketplace.stop()
        raise
    marketplace.join()
    # The manifest's entries, once the other thread no longer writes.
    for part in done:
        for name, entry in part.entries.items():
            writer.add_part(name, part.index, entry)
    _write_tables(market_tables(plan, ids), static)


def generate_to(out: str | Path, scenario: Scenario, *, seed: int | None = None,
                scale: float = 1.0, fmt: str = "parquet", workers: int = 1,
                overwrite: bool = False, answer_key: bool = True,
                progress: Callable[[Progress], None] | None = None,
                partition: bool | None = None, engine: str = "local",
                scheduler: str | None = None) -> Summary:
    """Generate ``scenario`` into the folder ``out``, written atomically.

    Parameters
    ----------
    out : path or str
        Destination folder; it appears only once complete. Or an fsspec URL
        (``s3://bucket/ds``): the files are uploaded as they are finished, the manifest last
        (:mod:`brushbench.dataset.remote`).
    scenario : Scenario
        A validated scenario (see :func:`brushbench.scenario.load_scenario`).
    seed : int, optional
        Seed of the run; defaults to the scenario's own ``seed``. 0 is a seed like any other.
    scale : float
        Volume multiplier (:func:`scale_scenario`).
    fmt : {"parquet", "csv"}
    workers : int
        Processes materialising shards (or Dask workers of a LocalCluster); the bytes do not
        depend on it.
    answer_key : bool
        Write ``labels``, ``entity_labels`` and ``campaigns`` too.
    partition : bool, optional
        Write each table as a folder of parts (``orders/part-00000.parquet``, ...) rather than
        one file. By default, when the scenario expects more than
        :data:`~.parts.AUTO_PARTITION_ORDERS` orders (scale included). A partitioned dataset's
        bytes do not depend on ``workers`` or ``engine`` either.
    engine : {"local", "dask"}
        Where the work runs: local processes, or Dask (:mod:`.engines`).
    scheduler : str, optional
        With ``engine="dask"``, the address of a running Dask scheduler; by default a
        ``LocalCluster`` of ``workers`` processes is started for the run.

    Raises
    ------
    EngineError
        The engine cannot start (Dask is not installed, a scheduler does not answer).
    """
    started = time.perf_counter()
    check_engine(engine, scheduler)  # Dask missing: say so before any work
    if partition is None:
        partition = auto_partition(float(scenario.traffic.orders) * float(scale))
    # A URL: the dataset is made in a local folder, its parts uploaded by the workers that
    # write them and the rest at the end, the manifest last (dataset/remote.py).
    remote = RemoteFolder(str(out), overwrite=overwrite) if is_url(out) else None
    with contextlib.ExitStack() as stack:
        local: str | Path = out
        if remote is not None:
            local = Path(stack.enter_context(tempfile.TemporaryDirectory(
                prefix="brushbench-"))) / "dataset"
        # Open the writer first: a refused destination fails before any work is done.
        writer = DatasetWriter(local, timezone=scenario.window.timezone, fmt=fmt,
                               overwrite=overwrite, answer_key=answer_key,
                               partitioned=partition)
        try:
            manifest = _write(writer, scenario, seed, scale, workers, progress, partition,
                              engine, scheduler, remote)
        except BaseException:
            if remote is not None:
                remote.abandon()
            raise
        if remote is not None:
            remote.publish(Path(local))
    where = Path(out) if remote is None else str(out)
    return Summary(where, dict(writer.rows), time.perf_counter() - started, manifest)


def _write(writer: DatasetWriter, scenario: Scenario, seed: int | None, scale: float,
           workers: int, progress: Callable[[Progress], None] | None, partition: bool,
           engine: str, scheduler: str | None, remote: RemoteFolder | None) -> dict[str, Any]:
    with writer:
        scaled, seed, plan = _prepare(scenario, seed, scale)
        if remote is not None:
            remote.clear()  # a dataset there is replaced: its manifest goes first
        pool = open_engine(engine, plan, workers, scheduler)
        with pool if pool is not None else contextlib.nullcontext():
            if partition:
                _emit_parts(plan, writer, pool, progress,
                            None if remote is None else remote.url)
            else:
                _emit_single(plan, writer, pool, workers, progress)
        return writer.close(manifest_fields(scaled, seed, scale, plan))


def _emit_single(plan: Plan, writer: DatasetWriter, engine: Engine | None, workers: int,
                 progress: Callable[[Progress], None] | None) -> None:
    """One file per table: shards computed anywhere, tables built and written here."""
    def write(name: str, table: pa.Table) -> None:
        if name in writer.tables:  # without the answer key, its tables are dropped here
            writer.write(name, table)

    background = BackgroundWriter(write)
    try:
        _emit(plan, workers, background, progress, engine)
    finally:
        background.finish()


def generate(scenario: Scenario, *, seed: int | None = None, scale: float = 1.0,
             workers: int = 1) -> Dataset:
    """Generate ``scenario`` in memory and return the :class:`~brushbench.dataset.Dataset`."""
    scaled, seed, plan = _prepare(scenario, seed, scale)
    parts: dict[str, list[pa.Table]] = {}
    _emit(plan, workers, lambda name, table: parts.setdefault(name, []).append(table), None)
    tables = {name: pa.concat_tables(chunks) for name, chunks in parts.items()}
    manifest = {**manifest_fields(scaled, seed, scale, plan), "has_answer_key": True}
    from ..dataset.dataset import Dataset

    return Dataset(tables, manifest, timezone=scenario.window.timezone)
