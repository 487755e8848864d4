"""A partitioned run: the window cut into parts, each part's order tables built and written by
whichever worker runs it.

Part ``i`` holds the orders created in ``[t_i, t_{i+1})`` and their shipments, refunds,
reviews and labels. The cuts are laid out from the scenario alone (the rate curve's expected
orders), never from the time blocks, the shop blocks or the number of workers, so a part's rows
and bytes are the same however the work is divided: a worker materialises the plan's blocks
that overlap its part, narrowed to it.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..dataset.parts import PartWriter
from ..dataset.remote import RemoteFolder
from .background import BackgroundWriter
from .materialize import block_orders
from .plan import Block, Plan
from .tables import IdMaker, order_tables

#: Expected orders per part: about a million rows of ``orders``, eight row groups or so.
PART_ORDERS = 1_000_000
#: ``partition=None`` ("auto") writes parts when the scenario expects more orders than this.
AUTO_PARTITION_ORDERS = 2_000_000
#: The tables a part writes (the others are the marketplace's, written by rows).
ORDER_TABLES = ("orders", "shipments", "refunds", "reviews", "labels")


def auto_partition(expected_orders: float) -> bool:
    """Whether a run expecting ``expected_orders`` orders is written in parts by default."""
    return expected_orders > AUTO_PARTITION_ORDERS


def part_bounds(plan: Plan) -> tuple[tuple[int, int], ...]:
    """The ``[t0, t1)`` of every part, in time order, tiling the window.

    About :data:`PART_ORDERS` expected organic orders each, cut on whole minutes of the rate
    curve (the plan's own block layout is not used: it may change without the parts moving).
    """
    total = float(plan.scenario.traffic.orders)
    n_parts = max(int(np.ceil(total / PART_ORDERS)), 1)
    if n_parts == 1:
        return ((plan.start, plan.end),)
    grid = np.arange(plan.start, plan.end + 1, 60, dtype=np.int64)
    if grid[-1] != plan.end:
        grid = np.append(grid, plan.end)
    mass = plan.curve.mass(np.full(len(grid), plan.start), grid)
    targets = mass[-1] * np.arange(1, n_parts) / n_parts
    inner = grid[np.searchsorted(mass, targets)]
    cuts = sorted({plan.start, *map(int, inner), plan.end})
    return tuple(itertools.pairwise(cuts))


def part_blocks(plan: Plan, t0: int, t1: int) -> list[Block]:
    """The plan's blocks that overlap ``[t0, t1)``, narrowed to it."""
    return [Block(max(b.t0, t0), min(b.t1, t1), b.slice0, b.slice1) for b in plan.blocks
            if b.t1 > t0 and b.t0 < t1]


@dataclass(frozen=True)
class PartDone:
    """What writing one part gave: each table's part entry, and the orders in it."""

    index: int
    entries: dict[str, dict[str, Any]]
    orders: int


def write_part(plan: Plan, index: int, t0: int, t1: int, folder: str, fmt: str,
               tables: tuple[str, ...], upload_to: str | None = None) -> PartDone:
    """Materialise the orders of ``[t0, t1)`` and write part ``index`` of each order table in
    ``tables`` into the dataset folder ``folder`` (a task: runs in a worker).

    With ``upload_to`` (the URL of the run's dataset folder), the parts are written to a
    temporary folder of the worker's instead and uploaded there (:mod:`..dataset.remote`).
    """
    if upload_to is None:
        return _write_part(plan, index, t0, t1, folder, fmt, tables)
    local = tempfile.mkdtemp(prefix="brushbench-part-")
    try:
        done = _write_part(plan, index, t0, t1, local, fmt, tables)
        remote = RemoteFolder(upload_to, check=False)
        for name, entry in done.entries.items():
            remote.put(Path(local) / name / entry["file"], f"{name}/{entry['file']}")
    finally:
        shutil.rmtree(local, ignore_errors=True)
    return done


def _write_part(plan: Plan, index: int, t0: int, t1: int, folder: str, fmt: str,
                tables: tuple[str, ...]) -> PartDone:
    return write_parts_here(plan, [(index, t0, t1)], folder, fmt, tables)[0]


class _PartFiles:
    """The files of one part's order tables (used from the background writer's thread)."""

    def __init__(self, plan: Plan, index: int, folder: str, fmt: str,
                 tables: tuple[str, ...]) -> None:
        self.index = index
        self.orders = 0
        self.entries: dict[str, dict[str, Any]] = {}
        self._writers = {name: PartWriter(folder, name, index, fmt, plan.timezone)
                         for name in ORDER_TABLES if name in tables}

    def write(self, name: str, table: Any) -> None:
        if name in self._writers:
            self._writers[name].write(table)

    def close(self) -> None:
        self.entries = {name: writer.close() for name, writer in self._writers.items()}
        # A closed Parquet writer still holds its file's metadata: let it go now, not when
        # every part is done (at scale 30, 31 parts, that held 160 MiB of peak RSS).
        self._writers = {}

    def abort(self) -> None:
        for writer in self._writers.values():
            writer.abort()

    def done(self) -> PartDone:
        return PartDone(self.index, self.entries, self.orders)


def write_parts_here(plan: Plan, parts: list[tuple[int, int, int]], folder: str, fmt: str,
                     tables: tuple[str, ...],
                     on_part: Callable[[int, int], None] | None = None) -> list[PartDone]:
    """Write the parts ``(index, t0, t1)`` one after the other in this process.

    Their encoding, closing and hashing run on one background thread, in order, so building
    the next part never waits for the last one's files (:mod:`.background`). ``on_part(index,
    orders)`` is called as each part's orders are built.
    """
    ids = IdMaker(plan.seed)
    background = BackgroundWriter()  # each part queues its own files' writes
    opened: list[_PartFiles] = []
    try:
        for index, t0, t1 in parts:
            files = _PartFiles(plan, index, folder, fmt, tables)
            opened.append(files)
            for block in part_blocks(plan, t0, t1):
                columns = block_orders(plan, block)
                files.orders += len(columns)
                for name, table in order_tables(plan, columns, ids).items():
                    background.call(files.write, name, table)
            background.call(files.close)
            if on_part is not None:
                on_part(index, files.orders)
        background.finish()
    except BaseException:
        background.stop()
        for files in opened:
            files.abort()
        raise
    return [files.done() for files in opened]
