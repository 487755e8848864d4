"""What a detector's ``score()`` and ``predict()`` may return, and how it is checked.

The convention
--------------
``score(data)`` returns order scores, higher = more suspicious, in one of these forms:

- a :class:`pandas.Series` indexed by ``order_id`` (any row order; every order exactly once);
- a 1-D array, list or tuple of numbers (or a pyarrow array) with one score per row of
  ``data.orders``, in that row order;
- :class:`Scores` (``Scores(orders=..., buyers=..., shops=...)``) or a dict with the same keys,
  to add entity scores: ``buyers`` a Series indexed by ``buyer_id``, ``shops`` a Series indexed
  by ``shop_id``. Entity scores may cover only some buyers or shops; order scores must cover
  every order.

``predict(data)``, when a detector has it, is the detector's own alert decision: one
True/False (or 1/0) per order, in the same two per-order forms.

Booleans and integers count as numbers. Anything else (text, None, a DataFrame, a dict keyed
by ids, a 2-D array) is the wrong type, and NaN, missing (NA) or infinite values, missing,
duplicate or unknown ids and a wrong length are problems. Nothing is ever repaired: output
with a problem gives ``None`` plus the problems in plain words, never numbers that were
filled, truncated or re-aligned by guesswork.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

#: Keys of the dict form of a detector's output.
OUTPUT_KEYS = ("orders", "buyers", "shops")
_EXAMPLES = 3


@dataclass(frozen=True)
class Scores:
    """Order scores plus optional buyer and shop scores, as ``score()`` may return them.

    Parameters
    ----------
    orders : pandas.Series, array-like
        One score per order: a Series indexed by ``order_id``, or an array aligned with the
        rows of ``data.orders``. Higher = more suspicious.
    buyers : pandas.Series, optional
        Scores indexed by ``buyer_id`` (any subset of the buyers).
    shops : pandas.Series, optional
        Scores indexed by ``shop_id`` (any subset of the shops).

    Examples
    --------
    >>> def score(self, data):                                          # doctest: +SKIP
    ...     per_order = ...
    ...     per_shop = per_order.groupby(data.orders["shop_id"].to_numpy()).max()
    ...     return Scores(orders=per_order, shops=per_shop)
    """

    orders: Any
    buyers: pd.Series | None = None
    shops: pd.Series | None = None


def split_output(value: Any) -> tuple[Any, Any, Any, list[str]]:
    """Split what ``score()`` returned into order, buyer and shop parts.

    Returns
    -------
    orders, buyers, shops : object
        The parts as given (not checked yet); ``buyers`` and ``shops`` may be None.
    problems : list of str
        Problems with the container itself (a dict with unknown keys or without ``orders``).
    """
    if isinstance(value, Scores):
        return value.orders, value.buyers, value.shops, []
    if isinstance(value, Mapping) and not isinstance(value, pd.Series):
        keys = [str(k) for k in value]
        if "orders" in value:
            unknown = [k for k in keys if k not in OUTPUT_KEYS]
            problems = [f"score() returned a dict with unknown key(s) {_names(unknown)}; "
                        f"the keys are {_names(OUTPUT_KEYS)}"] if unknown else []
            return value["orders"], value.get("buyers"), value.get("shops"), problems
        # A dict keyed by order id is a plausible mistake: say how to say it instead.
        return value, None, None, []
    return value, None, None, []


def validate_scores(raw: Any, orders: Any) -> tuple[np.ndarray | None, list[str]]:
    """Check order scores and align them to the rows of ``orders``.

    Parameters
    ----------
    raw : object
        The order part of ``score()``'s output (see the module docs for the accepted forms).
    orders : pandas.DataFrame, pyarrow.Table or array of int
        ``data.orders`` (or its Arrow table, or its ``order_id`` column): the rows to align to.

    Returns
    -------
    scores : numpy.ndarray of float64 or None
        One score per row of ``orders``, in that order; None when there is any problem.
    problems : list of str
        What is wrong, in plain words (empty when the scores are valid).
    """
    values, problems = _per_order(raw, _order_ids(orders), "score()", "scores")
    return (None, problems) if problems else (values, [])


def validate_predictions(raw: Any, orders: Any) -> tuple[np.ndarray | None, list[str]]:
    """Check ``predict()``'s output: one True/False (or 1/0) per order, aligned like scores.

    Returns
    -------
    predictions : numpy.ndarray of bool or None
        Aligned to the rows of ``orders``; None when there is any problem.
    problems : list of str
    """
    values, problems = _per_order(raw, _order_ids(orders), "predict()", "predictions")
    if problems:
        return None, problems
    assert values is not None
    other = ~np.isin(values, (0.0, 1.0))
    if other.any():
        shown = ", ".join(f"{v:g}" for v in np.unique(values[other])[:_EXAMPLES])
        return None, [f"predict() must give True/False (or 1/0) per order; "
                      f"{_count(int(other.sum()), len(values))} predictions are other "
                      f"values (e.g. {shown})"]
    return values.astype(bool), []


def validate_entity_scores(
    raw: Any, known_ids: Any, entity: str
) -> tuple[pd.Series | None, list[str]]:
    """Check buyer or shop scores: a Series indexed by known ids, unique, numeric and finite.

    Parameters
    ----------
    raw : pandas.Series
        The ``buyers`` or ``shops`` part of ``score()``'s output.
    known_ids : array-like of int
        The ids of that entity in the dataset (e.g. ``buyers.buyer_id`` and ``orders.buyer_id``).
    entity : {"buyer", "shop"}
        Used in messages and for the index name (``buyer_id``).

    Returns
    -------
    scores : pandas.Series of float64 or None
        Indexed by ``<entity>_id`` (int64), in the order given; None when there is a problem.
    problems : list of str
    """
    noun = f"{entity} scores"
    if not isinstance(raw, pd.Series):
        return None, [f"{noun} must be a pandas Series indexed by {entity}_id; "
                      f"got {_describe(raw)}"]
    values, problems = _numbers(raw, noun)
    known = pd.Index(np.unique(np.asarray(known_ids, dtype=np.int64)))
    index_problems, ids = _check_index(raw.index, known, f"{entity}_id", noun,
                                       require_all=False)
    problems += index_problems
    if problems or values is None or ids is None:
        return None, problems
    return pd.Series(values, index=pd.Index(ids, name=f"{entity}_id"), name="score"), []


# ---------------------------------------------------------------------------------------------
# internals


def _order_ids(orders: Any) -> np.ndarray:
    if isinstance(orders, pd.DataFrame):
        column = orders["order_id"]
    elif isinstance(orders, pa.Table):
        column = orders.column("order_id").to_numpy()
    else:
        column = orders
    return np.asarray(column, dtype=np.int64)


def _per_order(raw: Any, ids: np.ndarray, what: str, noun: str
               ) -> tuple[np.ndarray | None, list[str]]:
    """Numbers aligned to ``ids`` from a Series (by id) or a 1-D array (by position)."""
    n = len(ids)
    if isinstance(raw, pd.Series):
        values, problems = _numbers(raw, noun)
        index_problems, positions = _align_index(raw.index, ids, noun)
        problems += index_problems
        if problems or values is None or positions is None:
            return None, problems
        aligned = np.empty(n, dtype=np.float64)
        aligned[positions] = values
        return aligned, []
    wrong = _wrong_container(raw, what, noun)
    if wrong:
        return None, [wrong]
    if isinstance(raw, pa.ChunkedArray | pa.Array):
        raw = raw.to_pandas()
    try:
        array = np.asarray(raw)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        return None, [f"{what} returned something that is not a flat list of numbers ({exc})"]
    if array.ndim != 1:
        shape = "a single number" if array.ndim == 0 else f"an array of shape {array.shape}"
        return None, [f"{what} returned {shape}; expected one value per order "
                      f"(a 1-D array of length {n:,} or a Series indexed by order_id)"]
    values, problems = _numbers(array, noun)
    if len(array) != n:
        problems.append(f"wrong length: {len(array):,} {noun} for {n:,} orders ({noun} given "
                        "by position must follow the rows of data.orders one for one; or "
                        "return a Series indexed by order_id)")
    return (None, problems) if problems else (values, [])


def _wrong_container(raw: Any, what: str, noun: str) -> str | None:
    """A plain-words reason why ``raw`` cannot be per-order values, or None."""
    if raw is None:
        return f"{what} returned None (a missing return statement?)"
    if isinstance(raw, str | bytes):
        return f"{what} returned a string ({_short(raw)}); expected numbers"
    if isinstance(raw, pd.DataFrame):
        return (f"{what} returned a DataFrame with columns {_names(raw.columns)}; return one "
                "column as a Series indexed by order_id (e.g. frame['score'])")
    if isinstance(raw, Scores | Mapping):
        keys = _names(raw) if isinstance(raw, Mapping) else "orders, buyers, shops"
        return (f"{what} returned a {type(raw).__name__} ({keys}) where {noun} were expected; "
                "per-order values keyed by id go in a pandas Series indexed by order_id, and "
                f"entity scores in a dict or Scores with the keys {_names(OUTPUT_KEYS)}")
    if isinstance(raw, numbers.Number | np.generic):
        return f"{what} returned a single number ({raw!r}); expected one value per order"
    if isinstance(raw, list | tuple) and any(_is_container(x) for x in raw[:10]):
        inner = ", ".join(type(x).__name__ for x in raw[:4])
        return (f"{what} returned a {type(raw).__name__} of {len(raw)} items ({inner}); to "
                "give buyer or shop scores return Scores(orders=..., buyers=..., shops=...) "
                f"or a dict with the keys {_names(OUTPUT_KEYS)}")
    if isinstance(raw, np.ndarray | list | tuple | pa.Array | pa.ChunkedArray):
        return None
    if isinstance(raw, Iterator):
        return (f"{what} returned an iterator ({type(raw).__name__}); return a list, "
                "a numpy array or a pandas Series")
    return (f"{what} returned {_describe(raw)}; expected a pandas Series indexed by order_id "
            "or an array with one value per order")


def _is_container(x: Any) -> bool:
    return isinstance(x, pd.Series | pd.DataFrame | np.ndarray | list | tuple | Mapping)


def _numbers(values: Any, noun: str) -> tuple[np.ndarray | None, list[str]]:
    """float64 values of a Series or 1-D array, or the reasons they are not valid numbers."""
    if isinstance(values, pd.Series):
        dtype = values.dtype
        if pd.api.types.is_complex_dtype(dtype):
            return None, [f"{noun} are complex numbers; expected real numbers"]
        if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
            array = values.to_numpy(dtype=np.float64, na_value=np.nan)
            return _finite(array, noun)
        if isinstance(dtype, pd.DatetimeTZDtype):
            return None, [f"{noun} are times (dtype {dtype}) instead of numbers"]
        # numpy dtypes are judged below; other extension types (text, categories) item by item
        values = values.to_numpy() if isinstance(dtype, np.dtype) else \
            values.to_numpy(dtype=object)
    array = np.asarray(values)
    kind = array.dtype.kind
    if kind in "biuf":
        return _finite(array.astype(np.float64, copy=False), noun)
    if kind in "US":
        return None, [f"{noun} are text (dtype {array.dtype}, e.g. {_short(array[0])}) "
                      "instead of numbers" if len(array) else f"{noun} are text"]
    if kind == "c":
        return None, [f"{noun} are complex numbers; expected real numbers"]
    if kind in "mM":
        return None, [f"{noun} are {'times' if kind == 'M' else 'durations'} "
                      f"(dtype {array.dtype}) instead of numbers"]
    if kind != "O":
        return None, [f"{noun} have dtype {array.dtype}; expected numbers"]
    return _object_numbers(array, noun)


def _object_numbers(array: np.ndarray, noun: str) -> tuple[np.ndarray | None, list[str]]:
    # Python-level pass: only reached for object arrays, which are already slow and rare.
    # Strings are rejected rather than parsed: "0.5" is a bug in the detector, not a score.
    missing = 0
    bad: dict[str, list[Any]] = {}
    out = np.empty(len(array), dtype=np.float64)
    for i, x in enumerate(array):
        if x is None or x is pd.NA or x is pd.NaT:
            missing += 1
            out[i] = np.nan
        elif isinstance(x, bool | int | float | np.bool_ | np.integer | np.floating):
            out[i] = float(x)
        else:
            bad.setdefault(type(x).__name__, []).append(x)
    if bad:
        parts = [f"{len(xs):,} {'text' if name == 'str' else name} "
                 f"(e.g. {_short(xs[0])})" for name, xs in bad.items()]
        return None, [f"{noun} include values that are not numbers: {', '.join(parts)}"]
    values, problems = _finite(out, noun)
    if missing and problems:
        problems[0] += f"; {missing:,} of them None or NA"
    return values, problems


def _finite(values: np.ndarray, noun: str) -> tuple[np.ndarray | None, list[str]]:
    finite = np.isfinite(values)
    if finite.all():
        return values, []
    nan = int(np.isnan(values).sum())
    pos = int(np.isposinf(values).sum())
    neg = int(np.isneginf(values).sum())
    kinds = ", ".join(f"{c:,} {k}" for c, k in ((nan, "NaN or missing"), (pos, "inf"),
                                                 (neg, "-inf")) if c)
    return None, [f"{_count(len(values) - int(finite.sum()), len(values))} {noun} are not "
                  f"finite ({kinds})"]


def _align_index(index: pd.Index, ids: np.ndarray, noun: str
                 ) -> tuple[list[str], np.ndarray | None]:
    """Row positions in ``ids`` of each index label, or the problems that prevent it."""
    order_index = pd.Index(ids)
    if not order_index.is_unique:
        return [f"the dataset has duplicate order ids, so {noun} cannot be matched by "
                "order_id: give them by position (an array following data.orders)"], None
    problems, labels = _check_index(index, order_index, "order_id", noun, require_all=True)
    if problems or labels is None:
        return problems, None
    return [], order_index.get_indexer(labels)


def _check_index(index: pd.Index, known: pd.Index, id_name: str, noun: str, *,
                 require_all: bool) -> tuple[list[str], np.ndarray | None]:
    if isinstance(index, pd.MultiIndex):
        return [f"the {noun} Series has a {index.nlevels}-level index; index it by {id_name} "
                "alone"], None
    problems: list[str] = []
    if len(index) and not pd.api.types.is_integer_dtype(index.dtype):
        hint = (f"float ids lose digits of 64-bit ids, keep {id_name} as int64"
                if pd.api.types.is_float_dtype(index.dtype)
                else f"{id_name} is an integer")
        problems.append(f"the {noun} Series is indexed by {index.dtype} values "
                        f"(e.g. {_short(index[0])}), not by {id_name}: {hint}")
        return problems, None
    labels = np.asarray(index, dtype=np.int64)
    duplicated = index.duplicated()
    if duplicated.any():
        twice = pd.unique(labels[duplicated])
        problems.append(f"{len(twice):,} {id_name}s appear more than once in the {noun} "
                        f"(e.g. {_ids(twice)})")
    found = known.get_indexer(pd.unique(labels)) >= 0
    unknown = pd.unique(labels)[~found]
    if len(unknown):
        hint = ""
        if isinstance(index, pd.RangeIndex) or (
                len(labels) and labels.min() == 0 and labels.max() == len(labels) - 1):
            hint = (f"; the index looks like row positions 0..{len(labels) - 1}, not "
                    f"{id_name}: index the Series by data's {id_name} column, or return "
                    "the values as an array in row order")
        problems.append(f"{len(unknown):,} {id_name}s in the {noun} are not in the data "
                        f"(e.g. {_ids(unknown)}){hint}")
    if require_all:
        missing = ~known.isin(labels)
        if missing.any():
            problems.append(f"{_count(int(missing.sum()), len(known))} orders are missing "
                            f"from the {noun} (e.g. order_id "
                            f"{_ids(np.asarray(known[missing]))})")
    return problems, (None if problems else labels)


def _count(part: int, whole: int) -> str:
    return f"{part:,} of {whole:,}"


def _ids(values: Any) -> str:
    shown = [str(int(v)) for v in list(values)[:_EXAMPLES]]
    more = len(values) - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _names(values: Any) -> str:
    return ", ".join(repr(str(v)) for v in values)


def _short(value: Any, width: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + "..."


def _describe(value: Any) -> str:
    kind = type(value)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    return f"a {name}" if value is not None else "None"
