"""A dataset's profile against a reference: value, reference, ratio, distance, within tolerance.

Only the statistics the reference holds are compared. Per kind:

- ``scalar``: ratio = value / reference; distance = ``|ln ratio|``; within when the ratio is
  inside ``[1/R, R]`` (``tolerance.ratio``, default 1.3).
- ``quantiles``: the levels the reference stores; the ratio shown is the one furthest from 1,
  and every level must be inside ``[1/R, R]``; distance = the mean over those levels of
  ``|ln(1+q) - ln(1+q_ref)|``, the 1-Wasserstein distance between the two distributions of
  ``ln(1+x)`` read off the stored quantile levels.
- ``histogram``: shares over the same bins (each side normalised to 1); distance = the
  Kolmogorov-Smirnov distance ``max |cumulative share - reference's|``, within when at most
  ``tolerance.ks`` (default 0.05); the ratio shown is that of the first bin.

A statistic the dataset cannot compute (its log lacks the columns) is ``not computable``: it
is reported with the reason and neither passes nor fails the comparison.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any

from .profile import DEFAULT_TOLERANCE
from .stats import STATISTICS

__all__ = ["Comparison", "Row", "compare"]


@dataclass(frozen=True)
class Row:
    """One statistic compared."""

    name: str
    kind: str
    value: Any  # float, {level: q}, shares; None when not computable
    reference: Any
    ratio: float | None
    distance: float | None
    distance_name: str
    tolerance: dict[str, float]
    within: bool | None  # None: not computable
    note: str = ""
    #: for quantiles: the level whose ratio is shown (the one furthest from 1)
    ratio_at: str = ""

    @property
    def status(self) -> str:
        return {True: "ok", False: "OFF", None: "n/a"}[self.within]


@dataclass(frozen=True)
class Comparison:
    dataset: str
    reference: str
    rows: tuple[Row, ...]
    sources: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """No statistic beyond its tolerance (not computable ones do not count)."""
        return not any(r.within is False for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "reference": self.reference, "passed": self.passed,
                "sources": list(self.sources), "rows": [asdict(r) for r in self.rows]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def render(self) -> str:
        """The text table: one line per statistic."""
        head = ("statistic", "dataset", "reference", "ratio", "distance", "")
        lines = [head]
        for r in self.rows:
            lines.append((r.name, shown(r.kind, r.value, r.reference),
                          shown(r.kind, r.reference, r.reference),
                          ratio_text(r),
                          "-" if r.distance is None else f"{r.distance_name} {r.distance:.3f}",
                          r.status if r.within is not None else f"n/a: {r.note}"))
        widths = [max(len(line[i]) for line in lines) for i in range(5)]
        out = [f"realism of {self.dataset} against {self.reference}"]
        for line in lines:
            out.append("  ".join(c.ljust(w) for c, w in zip(line[:5], widths, strict=True))
                       + "  " + line[5])
        off = sum(r.within is False for r in self.rows)
        na = sum(r.within is None for r in self.rows)
        out.append(f"{len(self.rows) - off - na} within tolerance, {off} beyond it, {na} not "
                   "computable" + ("" if self.passed else " (exit 1)"))
        return "\n".join(out)


def _fmt(x: float) -> str:
    if x == 0 or 0.01 <= abs(x) < 1000:
        return f"{x:.3g}" if abs(x) < 1 else f"{x:,.4g}" if abs(x) < 100 else f"{x:,.0f}"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.2g}"


def shown(kind: str, value: Any, reference: Any) -> str:
    if value is None:
        return "-"
    if kind == "scalar":
        return _fmt(value)
    if kind == "quantiles":
        levels = list(reference) if isinstance(reference, dict) else list(value)
        # a line, not a page: the upper half of the distribution when all levels are stored
        levels = [k for k in levels if k in _SHOWN_LEVELS] or levels
        return " / ".join(_fmt(value[k]) for k in levels if k in value) + \
            f" (p{'/'.join(f'{float(k) * 100:g}' for k in levels)})"
    return f"{value[0]:.3f} first bin"


def ratio_text(row: Row) -> str:
    if row.ratio is None:
        return "-"
    return f"{row.ratio:.2f}" + (f" ({row.ratio_at})" if row.ratio_at else "")


_SHOWN_LEVELS = ("0.5", "0.75", "0.9", "0.95", "0.99")


def _ratio(value: float, reference: float) -> float | None:
    if reference == 0:
        return None if value else 1.0
    return value / reference


def _inside(ratio: float | None, bound: float) -> bool:
    return ratio is not None and 1 / bound <= ratio <= bound


def compare(profile: dict[str, Any], reference: dict[str, Any]) -> Comparison:
    """Compare ``profile`` (a dataset's) with ``reference`` statistic by statistic."""
    default = {**DEFAULT_TOLERANCE, **reference.get("tolerance", {})}
    rows = []
    for name, ref in reference["statistics"].items():
        if "not_computable" in ref:
            continue
        kind = ref["kind"]
        tol = {**default, **ref.get("tolerance", {})}
        mine = profile["statistics"].get(name) or {"not_computable": "not in the profile"}
        note = ref.get("note", "")
        if "not_computable" in mine:
            rows.append(Row(name, kind, None, _ref_value(ref), None, None, "", tol, None,
                            mine["not_computable"]))
            continue
        if kind == "scalar":
            ratio = _ratio(mine["value"], ref["value"])
            dist = None if ratio in (None, 0) else abs(math.log(ratio))
            rows.append(Row(name, kind, mine["value"], ref["value"], ratio, dist, "|ln r|",
                            tol, _inside(ratio, tol["ratio"]), note))
        elif kind == "quantiles":
            levels = [k for k in ref["quantiles"] if k in mine["quantiles"]]
            if not levels:
                rows.append(Row(name, kind, None, ref["quantiles"], None, None, "", tol, None,
                                "the profile stores none of the reference's quantile levels"))
                continue
            ratios = [_ratio(mine["quantiles"][k], ref["quantiles"][k]) for k in levels]
            at = max(range(len(levels)), key=lambda i: math.inf if ratios[i] in (None, 0)
                     else abs(math.log(ratios[i])))  # type: ignore[arg-type]
            dist = sum(abs(math.log1p(max(mine["quantiles"][k], 0))
                           - math.log1p(max(ref["quantiles"][k], 0))) for k in levels) / len(
                levels)
            within = all(_inside(r, tol["ratio"]) for r in ratios)
            rows.append(Row(name, kind, {k: mine["quantiles"][k] for k in levels},
                            ref["quantiles"], ratios[at], dist, "W1(ln)", tol, within, note,
                            f"p{float(levels[at]) * 100:g}"))
        else:
            a = _normalised(mine["shares"])
            b = _normalised(ref["shares"])
            cum_a = cum_b = ks = 0.0
            for x, y in zip(a, b, strict=True):
                cum_a += x
                cum_b += y
                ks = max(ks, abs(cum_a - cum_b))
            rows.append(Row(name, kind, a, b, _ratio(a[0], b[0]), ks, "KS", tol,
                            ks <= tol["ks"], note))
    order = {n: i for i, n in enumerate(STATISTICS)}
    rows.sort(key=lambda r: order[r.name])
    return Comparison(str(profile.get("name", "dataset")), str(reference.get("name", "reference")),
                      tuple(rows), tuple(reference.get("sources", ())))


def _normalised(shares: list[float]) -> list[float]:
    total = float(sum(shares))
    return [float(x) / total for x in shares]


def _ref_value(ref: dict[str, Any]) -> Any:
    return ref.get("value", ref.get("quantiles", ref.get("shares")))
