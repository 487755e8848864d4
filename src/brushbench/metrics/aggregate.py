"""Results over seeds: mean and spread of every numeric leaf, and flat metric names."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from .values import is_undefined, number, undefined

__all__ = ["aggregate", "flatten"]


def _leaves(tree: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, leaf) pairs of a result; an undefined marker is a leaf, other dicts are walked."""
    if isinstance(tree, dict) and not is_undefined(tree):
        for key, value in tree.items():
            yield from _leaves(value, (*path, str(key)))
    else:
        yield path, tree


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def flatten(result: dict) -> dict[str, Any]:
    """``{"orders.average_precision": 0.71, ...}``: each leaf under its dotted path.

    Undefined leaves become None (their reasons are dropped); strings are kept.
    """
    return {".".join(path): (None if is_undefined(leaf) else leaf)
            for path, leaf in _leaves(result)}


def aggregate(runs: list[dict]) -> dict:
    """Mean and spread over runs (seeds) of every numeric leaf, in the runs' nested layout.

    Each numeric leaf becomes ``{"mean", "std", "min", "max", "n", "n_runs"}``: ``n`` runs had
    it defined (undefined values and runs that lack the leaf are skipped, never counted as 0),
    ``std`` is the sample standard deviation (``ddof=1``; undefined below two values).
    When some runs did not define it, ``"undefined"`` maps each reason to how many runs gave
    it (a bare None counts as undefined, reason ``"null"``). A leaf defined in no run is itself
    undefined (``{"value": None, "reason": ...}``, plus ``n``, ``n_runs`` and ``undefined``).
    A string leaf is kept when every run agrees, else becomes the sorted list of its values.

    Parameters
    ----------
    runs : list of dict
        Results of :func:`score_orders` (or any nested dict of the same conventions).
    """
    if not runs:
        raise ValueError("no runs to aggregate")
    order: dict[tuple[str, ...], None] = {}
    per_run = []
    for run in runs:
        leaves = dict(_leaves(run))
        per_run.append(leaves)
        order.update(dict.fromkeys(leaves))
    prefixes = {path[:i] for path in order for i in range(1, len(path))}
    clash = next((path for path in order if path in prefixes), None)
    if clash is not None:
        raise ValueError(f"the runs differ in layout: {'.'.join(clash)} is a value in one run "
                         "and a section in another")
    out: dict = {}
    for path in order:
        values = [leaves.get(path, _ABSENT) for leaves in per_run]
        _put(out, path, _summary(values, len(runs)))
    return out


_ABSENT = undefined("absent from this run")


def _summary(values: list[Any], n_runs: int) -> Any:
    texts = sorted({v for v in values if isinstance(v, str)})
    if texts and all(isinstance(v, str) or is_undefined(v) for v in values):
        return texts[0] if len(texts) == 1 else texts
    nums = [float(v) for v in values if _is_number(v)]
    reasons: dict[str, int] = {}
    for v in values:
        if not _is_number(v):
            reason = (v["reason"] if is_undefined(v) else "null" if v is None
                      else f"not a number: {v!r}")
            reasons[reason] = reasons.get(reason, 0) + 1
    if not nums:
        return {**undefined("undefined in every run"), "n": 0, "n_runs": n_runs,
                "undefined": reasons}
    mean = math.fsum(nums) / len(nums)
    std = (number(math.sqrt(math.fsum((x - mean) ** 2 for x in nums) / (len(nums) - 1)))
           if len(nums) > 1 else undefined("fewer than two defined values"))
    out = {"mean": number(mean), "std": std, "min": number(min(nums)), "max": number(max(nums)),
           "n": len(nums), "n_runs": n_runs}
    if reasons:
        out["undefined"] = reasons
    return out


def _put(tree: dict, path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    if path:
        tree[path[-1]] = value
