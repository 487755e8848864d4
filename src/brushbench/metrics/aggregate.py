"""Results over seeds: mean and spread of every numeric leaf, and flat metric names.

:func:`mean_sd` is the one mean and sample standard deviation of brushbench: the summaries of
a results file (:func:`aggregate`), the table ``eval`` prints, ``compare``'s noise band and the
leaderboard's spread over seeds all call it, so they agree to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .values import is_undefined, number, undefined

__all__ = ["MeanSD", "aggregate", "flatten", "mean", "mean_sd"]


@dataclass(frozen=True)
class MeanSD:
    """The mean of ``n`` values (None when there are none) and their sample standard deviation
    (``ddof=1``; None below two values)."""

    mean: float | None
    sd: float | None
    n: int


def mean_sd(values: Iterable[float]) -> MeanSD:
    """Mean and sample standard deviation (``ddof=1``), both with :func:`math.fsum`.

    ``mean = fsum(x) / n`` and ``sd = sqrt(fsum((x - mean)^2) / (n - 1))``; the mean is None
    for no values and the standard deviation None for fewer than two. The values are used as
    given: drop undefined ones first.
    """
    xs = [float(x) for x in values]
    n = len(xs)
    if n == 0:
        return MeanSD(None, None, 0)
    m = math.fsum(xs) / n
    sd = math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (n - 1)) if n > 1 else None
    return MeanSD(m, sd, n)


def mean(values: Iterable[float]) -> float | None:
    """The :func:`mean_sd` mean alone: ``fsum(x) / n``, None for no values."""
    return mean_sd(values).mean


def _leaves(tree: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """(path, leaf) pairs of a result; an undefined marker is a leaf, other dicts are walked."""
    if isinstance(tree, dict) and not is_undefined(tree):
        for key, value in tree.items():
            yield from _leaves(value, (*path, str(key)))
    else:
        yield path, tree


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def flatten(result: dict[str, Any]) -> dict[str, Any]:
    """``{"orders.average_precision": 0.71, ...}``: each leaf under its dotted path.

    Undefined leaves become None (their reasons are dropped); strings are kept.
    """
    return {".".join(path): (None if is_undefined(leaf) else leaf)
            for path, leaf in _leaves(result)}


def aggregate(runs: list[dict[str, Any]]) -> dict[str, Any]:
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
    out: dict[str, Any] = {}
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
    spread = mean_sd(nums)
    assert spread.mean is not None
    std: Any = (number(spread.sd) if spread.sd is not None
                else undefined("fewer than two defined values"))
    out = {"mean": number(spread.mean), "std": std, "min": number(min(nums)),
           "max": number(max(nums)), "n": len(nums), "n_runs": n_runs}
    if reasons:
        out["undefined"] = reasons
    return out


def _put(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    if path:
        tree[path[-1]] = value
