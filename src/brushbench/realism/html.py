"""The realism report as one self-contained HTML page: the table and inline SVG plots.

Every distribution the dataset's profile holds is drawn, with the reference's overlaid where
the reference has it: a histogram as shares per bin, a quantile statistic as its quantile
function (value at each level, on a log scale). No plotting library is needed.
"""

from __future__ import annotations

import html
import math
from typing import Any

from .compare import Comparison, ratio_text, shown
from .stats import STATISTICS

__all__ = ["render_html"]

_W, _H, _PAD = 420, 200, 36
_COLOURS = {"dataset": "#1f77b4", "reference": "#ff7f0e"}


def _polyline(points: list[tuple[float, float]], colour: str, dashed: bool) -> str:
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dash = ' stroke-dasharray="5,3"' if dashed else ""
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>'
                   for x, y in points)
    return (f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
            + dots)


def _plot(title: str, labels: list[str], series: dict[str, list[float | None]],
          log_y: bool) -> str:
    """A small line plot: one polyline per series over the same labelled x positions (None:
    the series has no value there). Shares start at 0; a log scale at the smallest value."""
    ys = [y for values in series.values() for y in values if y is not None]
    f = (lambda v: math.log10(1 + max(v, 0))) if log_y else (lambda v: v)
    lo, hi = (min(map(f, ys)) if log_y else 0.0), max(map(f, ys))
    hi = hi if hi > lo else lo + 1
    n = len(labels)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = _PAD + (_W - 2 * _PAD) * (i / max(n - 1, 1))
        return x, _H - _PAD - (_H - 2 * _PAD) * (f(v) - lo) / (hi - lo)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
             f'role="img" aria-label="{html.escape(title)}">',
             f'<text x="{_PAD}" y="16" font-size="13">{html.escape(title)}</text>',
             f'<line x1="{_PAD}" y1="{_H - _PAD}" x2="{_W - _PAD}" y2="{_H - _PAD}" '
             'stroke="#888"/>']
    step = max(1, n // 8)
    for i in range(0, n, step):
        x, _ = xy(i, 0)
        parts.append(f'<text x="{x:.1f}" y="{_H - _PAD + 14}" font-size="10" '
                     f'text-anchor="middle">{html.escape(labels[i])}</text>')
    top, bottom = ((10 ** hi - 1), (10 ** lo - 1)) if log_y else (hi, lo)
    parts.append(f'<text x="2" y="{_PAD}" font-size="10">{top:,.3g}</text>')
    parts.append(f'<text x="2" y="{_H - _PAD}" font-size="10">{bottom:,.3g}</text>')
    for name, values in series.items():
        parts.append(_polyline([xy(i, v) for i, v in enumerate(values) if v is not None],
                               _COLOURS[name], name == "reference"))
    parts.append("</svg>")
    return "".join(parts)


def _figures(profile: dict[str, Any], reference: dict[str, Any]) -> list[str]:
    out = []
    for name, stat in STATISTICS.items():
        mine = profile["statistics"].get(name, {})
        ref = reference["statistics"].get(name, {})
        if stat.kind == "histogram" and "shares" in mine:
            series = {"dataset": mine["shares"]}
            if "shares" in ref:
                total = sum(ref["shares"])
                series["reference"] = [x / total for x in ref["shares"]]
            out.append(_plot(f"{name} ({stat.unit})", list(stat.bins), series, False))
        elif stat.kind == "quantiles" and "quantiles" in mine:
            # the dataset's whole quantile function; the reference at the levels it stores
            levels = sorted({*mine["quantiles"], *ref.get("quantiles", {})}, key=float)
            series = {"dataset": [mine["quantiles"].get(k) for k in levels]}
            if "quantiles" in ref:
                series["reference"] = [ref["quantiles"].get(k) for k in levels]
            out.append(_plot(f"{name}: {stat.unit} at each quantile (log scale)",
                             [f"p{float(k) * 100:g}" for k in levels], series, True))
    return out


def render_html(report: Comparison, profile: dict[str, Any], reference: dict[str, Any]) -> str:
    """The page: the comparison table, then a plot per distribution."""
    rows = []
    for r in report.rows:
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in (
            r.name, shown(r.kind, r.value, r.reference), shown(r.kind, r.reference, r.reference),
            ratio_text(r),
            "-" if r.distance is None else f"{r.distance_name} {r.distance:.3f}",
            r.status, r.note)) + "</tr>")
    sources = "".join(f"<li>{html.escape(s)}</li>" for s in report.sources)
    verdict = "within tolerance" if report.passed else "beyond tolerance"
    legend = ('<p><span style="color:#1f77b4">solid: the dataset</span>, '
              '<span style="color:#ff7f0e">dashed: the reference</span></p>')
    return (
        "<!doctype html><html><head><meta charset=\"utf-8\">"
        f"<title>realism of {html.escape(report.dataset)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:2px 8px;"
        "border-bottom:1px solid #ddd;text-align:left}svg{margin:6px}</style></head><body>"
        f"<h1>Realism of {html.escape(report.dataset)} against "
        f"{html.escape(report.reference)}: {verdict}</h1>"
        "<table><tr><th>statistic</th><th>dataset</th><th>reference</th><th>ratio</th>"
        "<th>distance</th><th></th><th>note</th></tr>" + "".join(rows) + "</table>"
        f"<h2>Distributions</h2>{legend}<div>{''.join(_figures(profile, reference))}</div>"
        f"<h2>Sources of the reference</h2><ul>{sources}</ul></body></html>\n")
