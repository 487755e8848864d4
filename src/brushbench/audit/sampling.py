"""Read a dataset folder for the audit in bounded memory: every order, or a stated sample.

The audit's probes need whole columns in memory, a few hundred bytes an order (about 2 GB at
1M orders). A log of more than ``max_orders`` orders is audited on a **sample**: every order of
a share ``rate = max_orders / orders`` of the buyers, chosen by a keyed hash of ``buyer_id``
(SplitMix64 of the id XOR a key derived from the seed: the same sample on every run and every
machine, no global random state), with each sampled order's shipments, refunds, reviews and
labels, and the sampled buyers' rows of ``buyers``. The choice never looks at the labels, so
every probe compares brushing and legitimate orders picked alike; keeping a buyer's orders
together keeps per-account features (devices per account, one order per account) whole.

Every table is read batch by batch (:func:`brushbench.dataset.batches.iter_batches`) and only
the sampled rows are kept, so the memory is that of the sample, whatever the size of the log.
The labels are first read in full, one column pass, to count each pattern's orders and accounts
in the whole log: the report states how many of them the sample holds, and the probability
that it holds none of a pattern's accounts (``(1 - rate) ** accounts``).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from brushbench.dataset import Dataset, DatasetError
from brushbench.dataset.batches import iter_batches
from brushbench.dataset.reader import check_folder
from brushbench.dataset.tables import ANSWER_KEY_TABLES, OBSERVED_TABLES, table_schema
from brushbench.market.keyed import mix

#: Orders the audit holds in memory by default (about 1 GB); a larger log is sampled.
DEFAULT_MAX_ORDERS = 500_000
_BY_ORDER = ("labels", "shipments", "refunds", "reviews")
_WHOLE = ("shops", "items", "entity_labels", "campaigns")


def sample_key(seed: int) -> int:
    """The 64-bit key of the sample of seed ``seed``."""
    digest = hashlib.blake2b(f"audit-sample:{seed}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def keep_buyers(buyer_id: pa.Array | pa.ChunkedArray, rate: float, key: int) -> np.ndarray:
    """Per id: whether the buyer is in the sample of ``rate`` under ``key`` (null ids: no)."""
    if rate >= 1.0:
        return np.ones(len(buyer_id), dtype=bool)
    ids = np.asarray(buyer_id.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    cut = np.uint64(min(int(rate * 2.0**64), 2**64 - 1))
    keep = mix(ids.astype(np.uint64) ^ np.uint64(key)) < cut  # SplitMix64 of id XOR key
    if buyer_id.null_count:
        keep &= np.asarray(pc.is_valid(buyer_id).to_numpy(zero_copy_only=False), dtype=bool)
    return keep


@dataclass(frozen=True)
class Sample:
    """Which part of a log the audit read, and what the whole log holds.

    ``rate`` 1 means every order (no sampling). ``patterns`` maps each pattern to its
    (orders, accounts) in the whole log and in the sample.
    """

    rate: float
    seed: int
    max_orders: int
    orders: int
    orders_kept: int
    patterns: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def sampled(self) -> bool:
        return self.rate < 1.0

    def missed(self, pattern: str) -> float:
        """Chance that a sample of this rate holds none of the pattern's accounts."""
        return float((1.0 - self.rate) ** self.patterns[pattern]["accounts"])

    def lines(self) -> list[str]:
        """What the report says about the sample (nothing when every order was read)."""
        if not self.sampled:
            return []
        out = [f"sample: {self.orders_kept:,} of {self.orders:,} orders: every order of "
               f"{self.rate:.2%} of the buyers, chosen by a keyed hash of buyer_id (seed "
               f"{self.seed}; --sample-orders {self.max_orders:,}, 0 reads every order); "
               "probes, null and checks are computed on the sample"]
        for name, c in sorted(self.patterns.items()):
            out.append(f"sample: {name}: {c['orders_kept']:,} of {c['orders']:,} orders, "
                       f"{c['accounts_kept']:,} of {c['accounts']:,} accounts (chance the "
                       f"sample misses every account: {self.missed(name):.1e})")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"rate": self.rate, "seed": self.seed, "max_orders": self.max_orders,
                "orders": self.orders, "orders_kept": self.orders_kept,
                "patterns": {k: dict(v) for k, v in sorted(self.patterns.items())}}


Progress = Callable[[int, int], None]


class _Reader:
    def __init__(self, folder: Path, manifest: dict[str, Any], progress: Progress | None):
        self.folder, self.manifest, self.progress = folder, manifest, progress
        self.total = sum(int(e["rows"]) for e in manifest["tables"].values())
        self.total += int(manifest["tables"].get("labels", {}).get("rows", 0))  # read twice
        self.done = 0

    def batches(self, name: str, columns: list[str] | None = None) -> Any:
        for batch in iter_batches(self.folder, self.manifest, name, columns=columns):
            yield batch
            self.done += batch.num_rows
            if self.progress is not None:
                self.progress(self.done, self.total)

    def filtered(self, name: str, keep: Callable[[pa.Table], Any]) -> pa.Table:
        kept = [batch.filter(keep(batch)) for batch in self.batches(name)]
        if not kept:  # a file without rows may yield no batch
            return table_schema(name, self.manifest["timezone"]).empty_table()
        return pa.concat_tables(kept).combine_chunks()


def _brushing(reader: _Reader) -> tuple[np.ndarray, np.ndarray]:
    """Order ids of the brushing orders of the whole log (sorted) and their patterns."""
    ids, patterns = [], []
    for batch in reader.batches("labels", ["order_id", "is_brushing", "pattern"]):
        mask = batch["is_brushing"].fill_null(False)
        ids.append(np.asarray(batch["order_id"].filter(mask).to_numpy(), dtype=np.int64))
        patterns.append(np.asarray(batch["pattern"].filter(mask).fill_null("unknown")
                                   .to_numpy(zero_copy_only=False), dtype=object))
    if not ids:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=object)
    all_ids, all_patterns = np.concatenate(ids), np.concatenate(patterns)
    order = np.argsort(all_ids, kind="stable")
    return all_ids[order], all_patterns[order]


def _find(sorted_ids: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which ``ids`` are in ``sorted_ids``, and where."""
    if not len(sorted_ids):
        return np.zeros(len(ids), dtype=bool), np.zeros(len(ids), dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return sorted_ids[at] == ids, at


def _pattern_counts(patterns: np.ndarray, pairs: list[np.ndarray],
                    kept_pairs: list[np.ndarray]) -> dict[str, dict[str, int]]:
    """Orders and distinct accounts per pattern, in the log and in the sample."""
    out: dict[str, dict[str, int]] = {}
    for label, chunks in (("", pairs), ("_kept", kept_pairs)):
        rows = np.concatenate(chunks) if chunks else np.empty((0, 2), dtype=np.int64)
        for code, name in enumerate(np.unique(patterns)):
            mine = rows[rows[:, 0] == code]
            c = out.setdefault(str(name), {})
            c[f"orders{label}"] = len(mine)
            c[f"accounts{label}"] = len(np.unique(mine[:, 1]))
    return out


def read_for_audit(path: str | os.PathLike[str], *, max_orders: int = DEFAULT_MAX_ORDERS,
                   seed: int = 0, verify: bool = True,
                   progress: Progress | None = None) -> tuple[Dataset, Sample]:
    """The dataset folder ``path`` as the audit reads it: every order, or a sample of them.

    Parameters
    ----------
    path : path
        A dataset folder with its answer key.
    max_orders : int
        Above this many orders, sample the buyers at ``max_orders / orders`` (0: never).
    seed : int
        Key of the sample (the audit's ``--seed``).
    verify : bool
        Check the files' sizes and checksums first, as :func:`brushbench.dataset.load` does.
    progress : callable, optional
        ``progress(rows_read, rows_total)`` after each batch.

    Raises
    ------
    DatasetError
        As :func:`brushbench.dataset.load`, in one line.
    """
    folder = Path(path)
    manifest = check_folder(folder, verify=verify)
    entries = manifest["tables"]
    n_orders = int(entries["orders"]["rows"])
    rate = 1.0 if max_orders <= 0 or n_orders <= max_orders else max_orders / n_orders
    key = sample_key(seed)
    reader = _Reader(folder, manifest, progress)
    has_key = bool(manifest["has_answer_key"])
    brushing_ids, brushing_patterns = (_brushing(reader) if has_key
                                       else (np.empty(0, dtype=np.int64), np.empty(0, object)))
    codes = np.unique(brushing_patterns, return_inverse=True)[1] if len(brushing_patterns) \
        else np.empty(0, dtype=np.int64)

    tables: dict[str, pa.Table] = {}
    kept_orders, pairs, kept_pairs = [], [], []
    schema = table_schema("orders", manifest["timezone"])
    for batch in reader.batches("orders"):
        keep = keep_buyers(batch["buyer_id"], rate, key)
        ids = np.asarray(batch["order_id"].to_numpy(), dtype=np.int64)
        hit, at = _find(brushing_ids, ids)
        buyers = np.asarray(batch["buyer_id"].fill_null(-1).to_numpy(zero_copy_only=False),
                            dtype=np.int64)
        pair = np.column_stack([codes[at[hit]], buyers[hit]]) if hit.any() else \
            np.empty((0, 2), dtype=np.int64)
        pairs.append(pair)
        kept_pairs.append(pair[keep[hit]])
        kept_orders.append(batch.filter(pa.array(keep)))
    orders = pa.concat_tables(kept_orders).combine_chunks() if kept_orders \
        else schema.empty_table()
    tables["orders"] = orders
    value_set = pa.array(np.unique(np.asarray(orders["order_id"].to_numpy(), dtype=np.int64)))

    def by_order(batch: pa.Table) -> Any:
        return pc.is_in(batch["order_id"], value_set=value_set).fill_null(False)

    names = [n for n in (*OBSERVED_TABLES, *ANSWER_KEY_TABLES) if n in entries]
    for name in names:
        if name == "orders":
            continue
        if rate >= 1.0 or name in _WHOLE:
            tables[name] = reader.filtered(name, lambda b: pa.array(np.ones(b.num_rows, bool)))
        elif name in _BY_ORDER:
            tables[name] = reader.filtered(name, by_order)
        elif name == "buyers":
            tables[name] = reader.filtered(
                name, lambda b: pa.array(keep_buyers(b["buyer_id"], rate, key)))
        else:  # a table this reader does not know how to cut: refuse rather than guess
            raise DatasetError(f"{folder}: table {name}: the audit cannot sample it")
    data = Dataset(tables, manifest, timezone=manifest["timezone"])
    sample = Sample(rate=rate, seed=seed, max_orders=max_orders, orders=n_orders,
                    orders_kept=orders.num_rows,
                    patterns=_pattern_counts(brushing_patterns, pairs, kept_pairs))
    return data, sample
