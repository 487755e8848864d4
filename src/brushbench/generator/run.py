"""Generate a dataset from a scenario: the pipeline's entry points.

``generate`` returns a :class:`~brushbench.dataset.Dataset` in memory (for tests, notebooks and
the harness on small data); ``generate_to`` streams the tables to a folder block by block, so
memory stays flat at any scale: the plan holds no array per buyer (buyers are keyed functions
of their index, :mod:`brushbench.market.population`), time blocks hold about
``plan.BLOCK_ORDERS`` orders whatever the scale, and the buyers table is written in chunks
(peak RSS 581 MiB at 1M orders, 702 MiB at 10M, 877 MiB at 30M; docs/performance.md). Both
give the same tables for the same scenario and seed.
"""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from .._version import GENERATOR_VERSION
from ..dataset import Dataset, DatasetWriter
from ..scenario.limits import LimitError, check_scale, check_scaled
from ..scenario.model import Scenario
from ..scenario.scale import scale_scenario
from .background import BackgroundWriter
from .materialize import iter_blocks
from .plan import Plan, make_plan
from .tables import IdMaker, order_tables, static_tables


@dataclass(frozen=True)
class Progress:
    """What a progress callback receives after each shard."""

    shards_done: int
    shards_total: int
    orders: int


@dataclass(frozen=True)
class Summary:
    """What ``generate_to`` did."""

    out: Path
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
          progress: Callable[[Progress], None] | None) -> None:
    ids = IdMaker(plan.seed)
    orders = 0

    def tick(done: int) -> None:
        if progress is not None:
            progress(Progress(done, plan.n_shards, orders))

    for columns in iter_blocks(plan, workers, on_shard=tick):
        orders += len(columns)
        for name, table in order_tables(plan, columns, ids).items():
            write(name, table)
    for name, table in static_tables(plan, ids):
        write(name, table)


def generate_to(out: str | Path, scenario: Scenario, *, seed: int | None = None,
                scale: float = 1.0, fmt: str = "parquet", workers: int = 1,
                overwrite: bool = False, answer_key: bool = True,
                progress: Callable[[Progress], None] | None = None) -> Summary:
    """Generate ``scenario`` into the folder ``out``, written atomically.

    Parameters
    ----------
    out : path
        Destination folder; it appears only once complete.
    scenario : Scenario
        A validated scenario (see :func:`brushbench.scenario.load_scenario`).
    seed : int, optional
        Seed of the run; defaults to the scenario's own ``seed``. 0 is a seed like any other.
    scale : float
        Volume multiplier (:func:`scale_scenario`).
    fmt : {"parquet", "csv"}
    workers : int
        Processes materialising shards; the bytes do not depend on it.
    answer_key : bool
        Write ``labels``, ``entity_labels`` and ``campaigns`` too.
    """
    started = time.perf_counter()
    # Open the writer first: a refused destination fails before any work is done.
    writer = DatasetWriter(out, timezone=scenario.window.timezone, fmt=fmt, overwrite=overwrite,
                           answer_key=answer_key)
    with writer:
        scaled, seed, plan = _prepare(scenario, seed, scale)

        def write(name: str, table: pa.Table) -> None:
            if name in writer.tables:  # without the answer key, its tables are dropped here
                writer.write(name, table)

        background = BackgroundWriter(write)
        try:
            _emit(plan, workers, background, progress)
        finally:
            background.finish()
        manifest = writer.close(manifest_fields(scaled, seed, scale, plan))
    return Summary(Path(out), dict(writer.rows), time.perf_counter() - started, manifest)


def generate(scenario: Scenario, *, seed: int | None = None, scale: float = 1.0,
             workers: int = 1) -> Dataset:
    """Generate ``scenario`` in memory and return the :class:`~brushbench.dataset.Dataset`."""
    scaled, seed, plan = _prepare(scenario, seed, scale)
    parts: dict[str, list[pa.Table]] = {}
    _emit(plan, workers, lambda name, table: parts.setdefault(name, []).append(table), None)
    tables = {name: pa.concat_tables(chunks) for name, chunks in parts.items()}
    manifest = {**manifest_fields(scaled, seed, scale, plan), "has_answer_key": True}
    return Dataset(tables, manifest, timezone=scenario.window.timezone)
