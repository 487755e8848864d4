"""What a detector sees of an imported log, and how a run that needs what the log lacks ends.

The child process (:mod:`brushbench.runtime.child`) wraps its datasets with :func:`log_view`,
asks :func:`unmet_requirements` before running the detector and passes a failure through
:func:`skip_if_lacking`: a detector that needs a column or table the log lacks is reported as
``skipped``, naming it, instead of ``error``. Datasets that are not imported logs pass through
unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, overload

import pandas as pd

from ..dataset import Dataset, table_schema
from ..dataset.tables import OBSERVED_TABLES

__all__ = ["log_view", "skip_if_lacking", "unmet_requirements"]


class _LogView(Dataset):
    """An external log as a detector sees it: ``orders`` (pandas) without the columns the log
    lacks, so that asking for one raises KeyError; reading a table the log lacks is noted."""

    def __init__(self, base: Dataset, lacking_columns: tuple[str, ...],
                 lacking_tables: tuple[str, ...], touched: set[str]):
        super().__init__({name: base.arrow(name) for name in base.table_names}, base.manifest,
                         timezone=base.timezone)
        self.lacking_columns = lacking_columns
        self.lacking_tables = lacking_tables
        self.touched = touched

    def _frame(self, name: str) -> pd.DataFrame:
        if name in self.lacking_tables:
            self.touched.add(name)
        frame = self._frames.get(name)
        if frame is None:
            frame = super()._frame(name)
            if name == "orders" and self.lacking_columns:
                frame = self._frames[name] = frame.drop(columns=list(self.lacking_columns))
        return frame

    def without_answer_key(self) -> Dataset:
        return _LogView(Dataset.without_answer_key(self), self.lacking_columns,
                        self.lacking_tables, self.touched)


@overload
def log_view(data: Dataset) -> Dataset: ...


@overload
def log_view(data: None) -> None: ...


def log_view(data: Dataset | None) -> Dataset | None:
    """``data`` as a detector sees it: unchanged unless it is an imported log (see
    :class:`_LogView`)."""
    if data is None or isinstance(data, _LogView):
        return data
    manifest = data.manifest
    if not manifest.get("external"):
        return data
    lacking = manifest.get("lacking") or {}
    return _LogView(data, tuple(lacking.get("orders", ())), tuple(lacking.get("tables", ())),
                    set())


def _log_has(data: Dataset) -> str:
    columns = (data.manifest.get("log_columns") or {}).get("orders") or []
    return f"the log has orders columns {', '.join(columns)} and no other table"


def _requires_of(spec: Any) -> Any:
    obj = getattr(spec, "obj", None)
    found = getattr(obj, "requires", None)
    if found is None and getattr(spec, "kind", None) == "function":
        module = sys.modules.get(getattr(obj, "__module__", "") or "")
        found = getattr(module, "requires", None)
    return found


def unmet_requirements(spec: Any, data: Dataset) -> dict[str, Any] | None:
    """A ``skipped`` (or ``error``) result when the detector's ``requires`` names a column or
    table the imported log lacks; None when it has none, or the data has them all.

    ``requires`` is a class (or, for the function form, module) attribute:
    ``{"orders": ["device_id"], "shipments": ["weighed_weight_g"]}``, or a list of orders
    columns.
    """
    if not isinstance(data, _LogView):
        return None
    requires = _requires_of(spec)
    if requires is None:
        return None
    if isinstance(requires, list | tuple | set | frozenset):
        requires = {"orders": requires}
    if not isinstance(requires, Mapping) or not all(
            isinstance(cols, list | tuple | set | frozenset) and all(isinstance(c, str)
                                                                     for c in cols)
            for cols in requires.values()):
        return {"status": "error", "phase": "build",
                "reason": "requires must map table names to lists of column names, e.g. "
                          "{'orders': ['device_id']}; got " + repr(requires)[:120]}
    needed = []
    for table, cols in requires.items():
        if table not in OBSERVED_TABLES:
            return {"status": "error", "phase": "build",
                    "reason": f"requires names table {table!r}; the tables are "
                              f"{', '.join(OBSERVED_TABLES)}"}
        known = table_schema(table, "UTC").names
        unknown = [c for c in cols if c not in known]
        if unknown:
            return {"status": "error", "phase": "build",
                    "reason": f"requires names unknown column(s) {', '.join(unknown)} of "
                              f"{table}; its columns are {', '.join(known)}"}
        for col in sorted(cols):
            if table in data.lacking_tables or (table == "orders"
                                                and col in data.lacking_columns):
                needed.append(col if table == "orders" else f"{table}.{col}")
    if not needed:
        return None
    return {"status": "skipped", "phase": "skipped",
            "reason": f"needs column(s) {', '.join(needed)} that this log lacks (declared in "
                      f"requires); {_log_has(data)}"}


def _lacking_in(error: BaseException | None, columns: tuple[str, ...]) -> list[str]:
    """The lacking columns a KeyError/AttributeError (or one it came from) names."""
    found: list[str] = []
    seen = error
    while seen is not None:
        if isinstance(seen, KeyError | AttributeError):
            text = str(seen)
            names = {seen.args[0]} if isinstance(seen, KeyError) and seen.args else set()
            names.add(getattr(seen, "name", None))
            for col in columns:
                if col in names or f"'{col}'" in text or f'"{col}"' in text:
                    found.append(col)
        seen = seen.__cause__ or seen.__context__
    return sorted(set(found))


def skip_if_lacking(data: Dataset | None, failure: dict[str, Any],
                    error: BaseException | None = None) -> dict[str, Any]:
    """Turn a failure on an imported log into ``skipped`` when it comes from what the log lacks.

    An ``error`` whose exception is a KeyError/AttributeError naming an orders column the log
    lacks, or an ``error``/``invalid_output`` of a detector that read a table the log lacks
    (all of them but ``orders``: they are empty), becomes ``skipped`` with a reason naming the
    columns or tables; the original reason, traceback and problems are kept.
    """
    if not isinstance(data, _LogView) or failure.get("status") not in ("error",
                                                                       "invalid_output"):
        return failure
    if failure.get("reads_answer_key"):
        return failure
    columns = _lacking_in(error, data.lacking_columns) if failure["status"] == "error" else []
    tables = sorted(data.touched)
    if not columns and not tables:
        return failure
    what = []
    if columns:
        what.append(f"needs column(s) {', '.join(columns)} that this log lacks")
    if tables:
        what.append(f"read table(s) {', '.join(tables)}, which this log lacks (empty here)")
    reason = (f"{' and '.join(what)}; {_log_has(data)} (then: {failure.get('reason', '')})")
    return {**failure, "status": "skipped", "phase": "skipped", "reason": reason}
