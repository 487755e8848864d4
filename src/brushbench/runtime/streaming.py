"""Streaming detectors: time-ordered batches that never hold an event from the future.

The protocol
------------
A detector class may have a generator method ``score_stream(self, batches)``. ``batches``
is an iterator of :class:`Batch` (``index``, ``start``, ``end``, ``data``), one per time
window of ``--batch`` (default one hour), contiguous and in time order, from the window
holding the first order to the one holding the last (windows without orders included).
After each batch the detector yields the scores of that batch's orders, with the
conventions of ``score()`` (:mod:`brushbench.runtime.scores`): a Series indexed by
``order_id`` or an array aligned with ``batch.data.orders``, or ``Scores``/a dict to add
buyer and shop scores (those of the last batch that gave them are kept)::

    class Detector:
        def fit(self, train):                  # optional, as in batch mode
            return self

        def score_stream(self, batches):
            seen = {}                          # state is the detector's to keep
            for batch in batches:
                devices = batch.data.orders["device_id"]
                ...
                yield scores                   # one score per order of this batch

``batch.data`` is a :class:`~brushbench.Dataset` without the answer key holding what the
platform learnt during ``[start, end)``:

- ``orders`` created in ``[start, end)``: the orders to score, in time order. Their
  ``status`` (the order's final outcome: completed, refunded, cancelled) is null, since it
  is only known later; refunds and cancellations arrive as ``refunds`` rows.
- ``shipments``, ``refunds`` and ``reviews`` whose own time (``shipped_at``,
  ``requested_at``, ``created_at``) is in ``[start, end)``, about any order delivered so far
  (in this batch or an earlier one). A later time of the same row (``delivered_at``,
  ``refunded_at``) is null when it is ``>= end``: the parcel is still on its way.
- ``buyers`` registered in ``[start, end)``.
- ``shops`` and ``items``: the catalogue, as it is, in every batch.

The first batch also holds everything that happened before its ``start`` (all buyers
registered earlier). So every row of the dataset whose time is before the last batch's end
is delivered exactly once, in the first batch whose end is after it (an event about an order
is never delivered before that order), and no table of any batch holds a time ``>= end``.
Each batch carries only what is new: what the platform knows at ``end`` is the union of the
batches so far, and a detector that needs history keeps it (the cost of a batch does not
grow with the length of the stream). Rows whose own time is null are never delivered.

The harness enforces the order: ``batches`` refuses to hand out batch ``i + 1`` before
``score_stream`` has yielded the scores of batch ``i`` (:class:`StreamOrderError`), so a
detector cannot read ahead, e.g. with ``list(batches)``.

What is measured
----------------
The latency of a batch is the wall-clock time from handing the batch to the detector
(after the harness built it) to receiving its scores. ``score_seconds`` of a streaming run
is the detector's time over the whole stream (building the batches is not counted).
Latencies are summarised by :func:`latency_summary` (nearest-rank p50, p99, and the max).

Batches are built from each table's rows in time order (``searchsorted`` of the window ends
into each table's sorted time column), no per-row Python work. A table already in time order
(a generated dataset's orders) is cut into zero-copy Arrow slices; any other is not copied
sorted (that would hold the whole table in memory a second time, beside the memory-mapped
file): the plan keeps the sorting permutation only (4 bytes a row below 2**31 rows) and each
batch gathers its own rows (``take``). A stream's memory is then the tables' files (mapped,
paged in and out by the kernel), a few bytes of index per row, and one batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from brushbench.dataset import Dataset
from brushbench.runtime.batches import DEFAULT_BATCH, batch_label, parse_batch
from brushbench.runtime.scores import split_output, validate_entity_scores, validate_scores

#: More batches than this over one dataset is a mistake (``--batch 1s`` over a month).
MAX_BATCHES = 200_000
#: Table -> the column saying when the platform learns of a row.
EVENT_TIME = {"orders": "created_at", "shipments": "shipped_at", "refunds": "requested_at",
              "reviews": "created_at", "buyers": "registered_at"}
#: Later times of a row: null in a batch until they have happened (``< end``).
LATER_TIMES = {"shipments": ("delivered_at",), "refunds": ("refunded_at",)}
#: Columns holding an outcome only known later: null in every batch.
NOT_KNOWN_YET = {"orders": ("status",)}
#: Tables given whole in every batch.
CATALOGUE = ("shops", "items")
#: Tables whose rows are about an order (delivered no earlier than that order).
ABOUT_AN_ORDER = ("shipments", "refunds", "reviews")
_PROBLEM_BATCHES = 3

class StreamOrderError(RuntimeError):
    """``score_stream`` asked for the next batch before yielding the scores of the current one."""


@dataclass(frozen=True)
class Schedule:
    """The batch windows of a stream: ``n_batches`` windows of ``batch_seconds`` from ``start``.

    ``start`` is the first order's time rounded down to a multiple of the window on the
    dataset's local clock (so hourly batches start on the hour and daily ones at midnight);
    times are seconds since the epoch.
    """

    start: int
    batch_seconds: int
    n_batches: int

    @classmethod
    def from_times(cls, times: np.ndarray, batch_seconds: int, timezone: str) -> Schedule:
        """The windows covering ``times`` (epoch seconds of the orders, any order)."""
        times = np.asarray(times, dtype=np.int64)
        if len(times) == 0:
            return cls(0, batch_seconds, 0)
        first, last = int(times.min()), int(times.max())
        offset = pd.Timestamp(first, unit="s", tz="UTC").tz_convert(timezone).utcoffset()
        local = first + int(offset.total_seconds()) if offset is not None else first
        start = first - local % batch_seconds
        return cls(start, batch_seconds, (last - start) // batch_seconds + 1)

    @property
    def ends(self) -> np.ndarray:
        """The end of each window (exclusive), epoch seconds."""
        return self.start + self.batch_seconds * np.arange(1, self.n_batches + 1,
                                                           dtype=np.int64)

    def batch_of(self, times: np.ndarray) -> np.ndarray:
        """The window holding each time (int64); times before ``start`` go to window 0."""
        times = np.asarray(times, dtype=np.int64)
        return np.maximum((times - self.start) // self.batch_seconds, 0)

    def scored_at(self, times: np.ndarray) -> np.ndarray:
        """When an order created at each time is scored: the end of its window (epoch s)."""
        return self.start + (self.batch_of(times) + 1) * self.batch_seconds


def column_to_numpy(column: pa.ChunkedArray | pa.Array, dtype: Any) -> np.ndarray:
    """A column without nulls as one numpy array, filled chunk by chunk.

    ``ChunkedArray.to_numpy`` joins the chunks in an Arrow buffer first, allocated by Arrow's
    mimalloc pool, which reserves address space in 1 GiB segments: under a run's address-space
    limit (``--memory``) that reservation, not the data, would exhaust it.
    """
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    out = np.empty(len(column), dtype=dtype)
    at = 0
    for chunk in chunks:
        out[at:at + len(chunk)] = chunk.to_numpy(zero_copy_only=False)
        at += len(chunk)
    return out


def epoch_seconds(column: Any) -> np.ndarray:
    """A timestamp column (pandas Series or Arrow array, no nulls) as int64 epoch seconds."""
    if isinstance(column, pa.ChunkedArray | pa.Array):
        return column_to_numpy(column.cast(pa.timestamp("s", tz="UTC")).cast(pa.int64()), np.int64)
    return np.asarray(pd.DatetimeIndex(column).as_unit("s").asi8, dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# batches


@dataclass(frozen=True)
class Batch:
    """One window of a stream: what the platform learnt during ``[start, end)``.

    Attributes
    ----------
    index : int
        0 for the first batch.
    start, end : pandas.Timestamp
        The window, timezone-aware (the dataset's zone); ``end`` is exclusive.
    data : brushbench.Dataset
        Without the answer key; see :mod:`brushbench.runtime.streaming` for what it holds.
        ``data.orders`` are the orders to score.
    """

    index: int
    start: pd.Timestamp
    end: pd.Timestamp
    data: Dataset = field(repr=False)

    def __repr__(self) -> str:
        n = self.data.arrow("orders").num_rows
        return f"<Batch {self.index} [{self.start} .. {self.end}) {n:,} orders>"


@dataclass
class _Sliced:
    table: pa.Table
    bounds: np.ndarray  # rows [bounds[i], bounds[i + 1]) of the time order belong to batch i
    perm: np.ndarray | None = None  # row of ``table`` at each place of the time order (None:
    # the table is in time order already)


class StreamPlan:
    """A dataset cut into batches (see the module docs); batches are built on demand.

    Parameters
    ----------
    data : Dataset
        The dataset to stream (its answer key, if any, is never put in a batch).
    batch : str, int or timedelta
        The window (:func:`parse_batch`).
    """

    def __init__(self, data: Dataset, batch: str | int | float | timedelta = DEFAULT_BATCH):
        self.batch_seconds = parse_batch(batch)
        self.timezone = data.timezone
        orders = data.arrow("orders")
        missing = orders.column("created_at").null_count
        if missing:
            raise ValueError(f"{missing:,} orders have no created_at: a stream needs every "
                             "order's time")
        created = epoch_seconds(orders.column("created_at")) if orders.num_rows else \
            np.empty(0, dtype=np.int64)
        self.schedule = Schedule.from_times(created, self.batch_seconds, self.timezone)
        if self.schedule.n_batches > MAX_BATCHES:
            raise ValueError(f"a {batch_label(self.batch_seconds)} batch window cuts this "
                             f"dataset into {self.schedule.n_batches:,} batches (more than "
                             f"{MAX_BATCHES:,}): choose a longer window")
        ends = self.schedule.ends
        self._ends = ends
        # Orders: in time order (stable: equal times keep their row order).
        in_order = _is_sorted(created)
        perm = None if in_order else _time_order(created)
        self._orders = _Sliced(orders, _bounds(created if perm is None else created[perm],
                                               ends), perm)
        # Events: each delivered at its own time, but never before the order it is about.
        lookup = _OrderLookup(column_to_numpy(orders.column("order_id"), np.int64))
        self._events = {name: self._slice_events(data, name, lookup, created, ends)
                        for name in ("shipments", "refunds", "reviews", "buyers")}
        del lookup
        self._catalogue = {name: data.arrow(name) for name in CATALOGUE}
        manifest = data.manifest
        manifest.pop("tables", None)  # row counts of the whole dataset: the future's volume
        self._manifest = manifest

    def __len__(self) -> int:
        return self.schedule.n_batches

    @property
    def n_orders(self) -> int:
        return self._orders.table.num_rows

    def order_rows(self, i: int) -> np.ndarray:
        """Row positions in ``data.orders`` of batch ``i``'s orders, in the batch's row order."""
        b, perm = self._orders.bounds, self._orders.perm
        return np.arange(b[i], b[i + 1]) if perm is None else perm[b[i]:b[i + 1]]

    def order_ids(self, i: int) -> np.ndarray:
        """``order_id`` of batch ``i``'s orders, in the batch's row order."""
        ids = _rows(self._orders, i, ["order_id"]).column("order_id")
        return np.asarray(ids.to_numpy(), dtype=np.int64)

    def window(self, i: int) -> tuple[pd.Timestamp, pd.Timestamp]:
        """Batch ``i``'s ``[start, end)`` as timezone-aware timestamps."""
        end = int(self._ends[i])
        return (pd.Timestamp(end - self.batch_seconds, unit="s", tz="UTC").tz_convert(
                    self.timezone),
                pd.Timestamp(end, unit="s", tz="UTC").tz_convert(self.timezone))

    def batch(self, i: int) -> Batch:
        """Build batch ``i`` (zero-copy slices of the sorted tables)."""
        if not 0 <= i < len(self):
            raise IndexError(f"batch {i} out of range (0..{len(self) - 1})")
        end = int(self._ends[i])
        orders = _rows(self._orders, i)
        for column in NOT_KNOWN_YET["orders"]:
            at = orders.schema.get_field_index(column)
            orders = orders.set_column(at, column,
                                       pa.nulls(orders.num_rows, orders.schema.field(at).type))
        tables = {"orders": orders}
        for name, sliced in self._events.items():
            table = _rows(sliced, i)
            for column in LATER_TIMES.get(name, ()):
                values = table.column(column)
                end_ts = pa.scalar(end, values.type)
                if table.num_rows and pc.any(pc.greater_equal(values, end_ts)).as_py():
                    known = pc.if_else(pc.less(values, end_ts), values,
                                       pa.scalar(None, values.type))
                    table = table.set_column(table.schema.get_field_index(column), column,
                                             known)
            tables[name] = table
        tables.update(self._catalogue)
        manifest = {**self._manifest, "stream": {
            "batch": i, "batch_window": batch_label(self.batch_seconds),
            "start": end - self.batch_seconds, "end": end}}
        start, stop = self.window(i)
        return Batch(i, start, stop, Dataset(tables, manifest, timezone=self.timezone))

    def __iter__(self) -> Iterator[Batch]:
        for i in range(len(self)):
            yield self.batch(i)

    def _slice_events(self, data: Dataset, name: str, lookup: _OrderLookup,
                      created: np.ndarray, ends: np.ndarray) -> _Sliced:
        table = data.arrow(name)
        column = table.column(EVENT_TIME[name])
        # Rows without a time are never delivered; they are skipped by index rather than
        # filtered out, which would copy the rest of the table.
        valid = None
        if column.null_count:
            valid = np.flatnonzero(column_to_numpy(column.is_valid(), np.bool_)).astype(
                _index_type(table.num_rows))
            column = column.drop_null()
        times = epoch_seconds(column) if len(column) else np.empty(0, dtype=np.int64)
        if name in ABOUT_AN_ORDER and len(times) and len(lookup.ids) and lookup.unique:
            # An event is known no earlier than its order: a row timed before its order
            # (a log's clock skew) waits for the order's batch.
            ids = column_to_numpy(table.column("order_id"), np.int64)
            where = lookup.rows(ids if valid is None else ids[valid])
            del ids
            found = where >= 0
            times = times.copy()
            times[found] = np.maximum(times[found], created[where[found]])
        if _is_sorted(times):
            return _Sliced(table, _bounds(times, ends), valid)
        perm = _time_order(times)
        return _Sliced(table, _bounds(times[perm], ends), perm if valid is None else valid[perm])


class _OrderLookup:
    """The row of each order id, by binary search through the ids' sorting permutation.

    4 bytes a row beside the ids (8 while a search runs: numpy takes the sorter as ``intp``),
    where a hash index (``pandas.Index``) took about 34 (170 MB for 5.1M orders, measured
    while building a stream of ``double11`` at scale 5).
    """

    _CHUNK = 1 << 20

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = ids
        self.perm = _time_order(ids) if len(ids) else np.empty(0, dtype=np.int32)
        # Unique when strictly increasing in sorted order; checked a chunk at a time so that
        # the sorted ids are never held whole.
        self.unique = all(bool((np.diff(ids[self.perm[lo:lo + self._CHUNK + 1]]) > 0).all())
                          for lo in range(0, max(len(ids) - 1, 0), self._CHUNK))

    def rows(self, wanted: np.ndarray) -> np.ndarray:
        """The row of each of ``wanted`` (int64), -1 for an id that is not an order's."""
        pos = np.searchsorted(self.ids, wanted, sorter=self.perm)
        rows = self.perm[np.minimum(pos, len(self.ids) - 1)].astype(np.int64)
        rows[self.ids[rows] != wanted] = -1
        return rows


def _is_sorted(values: np.ndarray) -> bool:
    return bool(len(values) < 2 or (values[1:] >= values[:-1]).all())


def _index_type(n: int) -> type[np.signedinteger[Any]]:
    """The narrowest row index for ``n`` rows: a permutation of 100M rows in 400 MB, not 800."""
    return np.int32 if n < 2**31 else np.int64


def _time_order(times: np.ndarray) -> np.ndarray:
    """The stable sorting permutation of ``times``, as :func:`_index_type` integers."""
    return np.argsort(times, kind="stable").astype(_index_type(len(times)), copy=False)


def _bounds(sorted_times: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Row bounds of each batch: batch ``i`` holds rows ``[b[i], b[i+1])`` (times < end_i,
    not in an earlier batch); the first batch starts at row 0 (everything earlier)."""
    return np.concatenate([[0], np.searchsorted(sorted_times, ends, side="left")]).astype(
        np.int64)


def _rows(sliced: _Sliced, i: int, columns: list[str] | None = None) -> pa.Table:
    """Batch ``i``'s rows (of ``columns`` only, if given), in time order."""
    lo, hi = int(sliced.bounds[i]), int(sliced.bounds[i + 1])
    table = sliced.table if columns is None else sliced.table.select(columns)
    if sliced.perm is None:
        return table.slice(lo, hi - lo)
    return _gather(table, sliced.perm[lo:hi])


def _gather(table: pa.Table, rows: np.ndarray) -> pa.Table:
    """``table.take(rows)``, taking from each chunk that holds some of the rows.

    ``Table.take`` joins a column's chunks before taking from it: a copy of the whole column
    for every batch of a memory-mapped table (one chunk per record batch of the file). Here
    the rows are grouped by chunk (a loop over the chunks they touch, not over rows), taken
    from each, then put back in the order asked.
    """
    if len(rows) == 0 or table.num_rows == 0:
        return table.schema.empty_table()
    chunks = table.to_batches()
    starts = np.cumsum([0] + [len(c) for c in chunks])
    order = np.argsort(rows, kind="stable")
    wanted = np.asarray(rows, dtype=np.int64)[order]
    chunk = np.searchsorted(starts, wanted, side="right") - 1
    edges = np.searchsorted(chunk, np.arange(len(chunks) + 1), side="left")
    pieces = [chunks[c].take(pa.array(wanted[edges[c]:edges[c + 1]] - starts[c]))
              for c in np.flatnonzero(np.diff(edges))]
    gathered = pa.Table.from_batches(pieces, table.schema)
    if _is_sorted(np.asarray(rows)):
        return gathered
    back = np.empty(len(order), dtype=np.int64)
    back[order] = np.arange(len(order))
    return gathered.combine_chunks().take(pa.array(back))


# ---------------------------------------------------------------------------------------------
# running a stream


class _Feed:
    """The iterator ``score_stream`` receives: builds each batch when asked, refuses to run
    ahead of the scores, and notes when each batch was handed over."""

    def __init__(self, plan: StreamPlan):
        self.plan = plan
        self.handed = 0
        self.received = 0
        self.handed_at = 0.0
        self.build_seconds = 0.0

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> Batch:
        if self.handed > self.received:
            raise StreamOrderError(
                f"score_stream() asked for batch {self.handed} before yielding the scores of "
                f"batch {self.handed - 1}: it must yield each batch's scores before taking the "
                "next batch (for batch in batches: ...; yield scores), so that it never sees "
                "what happens later")
        if self.handed >= len(self.plan):
            raise StopIteration
        started = time.perf_counter()
        batch = self.plan.batch(self.handed)
        self.handed += 1
        self.handed_at = time.perf_counter()
        self.build_seconds += self.handed_at - started
        return batch


@dataclass
class StreamOutput:
    """What ``score_stream`` yielded, unchecked, with the latency of each batch.

    Attributes
    ----------
    plan : StreamPlan
    outputs : list
        One raw output per batch that got one, in batch order.
    latencies : numpy.ndarray
        Seconds from handing each batch over to receiving its scores.
    problems : list of str
        Breaches of the protocol that make the output invalid (too few or too many results).
    detector_seconds : float
        The detector's time over the whole stream (building batches not counted).
    build_seconds : float
        The harness's time building batches.
    """

    plan: StreamPlan
    outputs: list[Any] = field(default_factory=list)
    latencies: np.ndarray = field(default_factory=lambda: np.empty(0))
    problems: list[str] = field(default_factory=list)
    detector_seconds: float = 0.0
    build_seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The JSON-able description a run record carries (``RunRecord.stream``)."""
        empty = int(np.count_nonzero(np.diff(self.plan._orders.bounds) == 0))
        return {"batch": batch_label(self.plan.batch_seconds),
                "batch_seconds": self.plan.batch_seconds, "start": self.plan.schedule.start,
                "batches": len(self.plan), "empty_batches": empty,
                **latency_summary(self.latencies)}


_END = object()


def run_stream(detector: Any, plan: StreamPlan,
               call: Callable[..., Any]) -> StreamOutput:
    """Feed ``plan``'s batches to ``detector.score_stream`` and collect what it yields.

    ``call(phase, function, *args)`` runs the detector's code (it turns exceptions into the
    caller's failure type); it is given ``"stream"`` as the phase.
    """
    feed = _Feed(plan)
    out = StreamOutput(plan)
    latencies: list[float] = []
    started = time.perf_counter()
    stream = call("stream", detector.score_stream, feed)
    if not isinstance(stream, Iterator):
        kind = type(stream).__name__
        wrong = TypeError(f"score_stream() returned {'None' if stream is None else 'a ' + kind}"
                          ", not a generator: write it with yield, one result per batch "
                          "(for batch in batches: ...; yield scores)")
        call("stream", _raise, wrong)
    while True:
        value = call("stream", next, stream, _END)
        if value is _END:
            break
        arrived = time.perf_counter()
        if feed.received >= feed.handed:
            what = ("before taking the first batch" if feed.handed == 0 else
                    f"twice for batch {feed.handed - 1}")
            out.problems.append(f"score_stream() yielded a result {what}; it must yield "
                                "exactly one result per batch, after taking that batch")
            _close(stream)
            break
        latencies.append(arrived - feed.handed_at)
        out.outputs.append(value)
        feed.received += 1
    out.detector_seconds = max(time.perf_counter() - started - feed.build_seconds, 0.0)
    out.build_seconds = feed.build_seconds
    out.latencies = np.asarray(latencies, dtype=np.float64)
    if not out.problems and feed.received < len(plan):
        out.problems.append(f"score_stream() stopped after yielding {feed.received:,} "
                            f"result(s) for {len(plan):,} batches; it must yield one per batch "
                            "(an empty array for a batch without orders)")
    return out


def _raise(error: BaseException) -> None:
    raise error


def _close(stream: Iterator[Any]) -> None:
    close = getattr(stream, "close", None)
    if close is not None:
        try:
            close()
        except Exception:  # the detector's cleanup failing does not change the verdict
            pass


def latency_summary(latencies: np.ndarray) -> dict[str, Any]:
    """Nearest-rank p50 and p99 and the max of per-batch latencies, in seconds (None if none)."""
    values = np.asarray(latencies, dtype=np.float64)
    if len(values) == 0:
        return {"latency_p50_seconds": None, "latency_p99_seconds": None,
                "latency_max_seconds": None}
    p50, p99 = np.percentile(values, [50, 99], method="inverted_cdf")
    return {"latency_p50_seconds": float(p50), "latency_p99_seconds": float(p99),
            "latency_max_seconds": float(values.max())}


def check_stream(out: StreamOutput, test: Dataset
                 ) -> tuple[np.ndarray | None, pd.Series | None, pd.Series | None, list[str]]:
    """Validate each batch's output against that batch's orders and put them together.

    Returns
    -------
    scores : numpy.ndarray or None
        float64, aligned with the rows of ``test.orders`` (None when there is any problem).
    buyer_scores, shop_scores : pandas.Series or None
        From the last batch that gave them, checked against the buyers and shops of ``test``.
    problems : list of str
        Protocol breaches, then the problems of the first few batches with any (each named
        by its index and window), in plain words.
    """
    plan = out.plan
    problems = list(out.problems)
    scores = np.full(plan.n_orders, np.nan)
    buyers = shops = None
    bad_batches = 0
    for i, raw in enumerate(out.outputs):
        order_part, b, s, found = split_output(raw)
        values, more = validate_scores(order_part, plan.order_ids(i))
        found = found + more
        if b is not None:
            buyers = b
        if s is not None:
            shops = s
        if found:
            bad_batches += 1
            if bad_batches <= _PROBLEM_BATCHES:
                start, end = plan.window(i)
                problems += [f"batch {i} ({start:%Y-%m-%d %H:%M}..{end:%H:%M}, "
                             f"{len(plan.order_ids(i)):,} orders): {p}" for p in found]
            continue
        scores[plan.order_rows(i)] = values
    if bad_batches > _PROBLEM_BATCHES:
        problems.append(f"{bad_batches:,} of {len(out.outputs):,} batches had problems in all")
    orders = test.arrow("orders")
    results: list[pd.Series | None] = []
    for entity, raw_entity in (("buyer", buyers), ("shop", shops)):
        if raw_entity is None:
            results.append(None)
            continue
        known = np.concatenate([orders.column(f"{entity}_id").to_numpy(),
                                test.arrow(f"{entity}s").column(f"{entity}_id").to_numpy()])
        series, found = validate_entity_scores(raw_entity, known, entity)
        problems += [f"last {entity} scores given: {p}" for p in found]
        results.append(series)
    if problems:
        return None, None, None, problems
    return scores, results[0], results[1], []


__all__ = ["CATALOGUE", "DEFAULT_BATCH", "EVENT_TIME", "LATER_TIMES", "MAX_BATCHES",
           "NOT_KNOWN_YET", "Batch", "Schedule", "StreamOrderError", "StreamOutput",
           "StreamPlan", "batch_label", "check_stream", "epoch_seconds", "latency_summary",
           "parse_batch", "run_stream"]
