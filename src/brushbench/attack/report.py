"""What an attack writes: its results JSON, the robustness curve (JSON, HTML, PNG) and the best
evasions as scenario files.

The **robustness curve** answers "how much payoff must the attacker give up to get past this
detector?": for every payoff level ``x`` (extra legitimate orders earned through the
re-ranking), the lowest recall the detector had on any campaign tried that earned at least
``x``. It falls from right to left: a detector is robust where it stays high far to the right
(the campaigns that pay most are caught); a point at recall 0 on the right of the floor is a
campaign that pays and is never reviewed. The same frontier is drawn against the campaign's rank
gain, and every trial is kept with its cost (orders, accounts, hired share), so other curves
can be drawn from the JSON.

Every file is written whole (a temporary sibling, then a rename).
"""

from __future__ import annotations

import html
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ..dataset._fs import write_file_atomic
from ..scenario import to_plain
from .run import AttackResult, Trial, slug, versions

#: Schema of ``attack.json``.
SCHEMA = 1
#: Evasions written as scenario files, best first.
EVASIONS = 3


#: How each payoff measure reads in a sentence.
WORDS = {"rank_gain": "places climbed in the sales ranking",
         "extra_orders": "extra legitimate orders"}


def frontier(trials: Sequence[Trial], by: str = "rank_gain") -> list[dict[str, float]]:
    """The robustness curve: for each payoff level reached (``by``: ``extra_orders`` or
    ``rank_gain``), the lowest recall among scored campaigns that earned at least as much.

    Points run from the largest payoff down; recall only falls along them.
    """
    scored = [(float(getattr(t.payoff, by)), float(t.recall)) for t in trials
              if t.payoff is not None and t.recall is not None]
    scored.sort(key=lambda p: (-p[0], p[1]))
    out: list[dict[str, float]] = []
    lowest = math.inf
    for level, recall in scored:
        if recall < lowest:
            lowest = recall
            if out and out[-1][by] == level:
                out[-1]["recall"] = recall
            else:
                out.append({by: level, "recall": recall})
    return out


def summary(result: AttackResult) -> dict[str, Any]:
    """The headline figures: the reference campaign, the best paying evasion, the score."""
    ref, best = result.reference, result.best
    return {
        "reference": _headline(ref),
        "best": None if best is None else _headline(best),
        "robust_recall": result.robust_recall,
        "found": best is not None,
        "paying_trials": len(result.evasions()),
        "failed_trials": sum(t.status != "ok" for t in result.trials),
    }


def _headline(trial: Trial) -> dict[str, Any]:
    return {"index": trial.index, "knobs": trial.knobs, "recall": trial.recall,
            "pays": trial.pays, "status": trial.status,
            "payoff": None if trial.payoff is None else trial.payoff.to_json()}


def to_json(result: AttackResult) -> dict[str, Any]:
    """The whole attack as a JSON-able document (``attack.json``)."""
    return {
        "schema": SCHEMA,
        "versions": versions(),
        "detector": result.detector,
        "scenario": result.scenario.name,
        "pattern": result.pattern,
        "campaign_index": result.index,
        "scale": result.scale,
        "seed": result.seed,
        "budget": result.budget,
        "review_budget": result.review_budget,
        "floor": {"given": str(result.floor), "measure": result.floor.measure,
                  "value": result.floor_value},
        "knobs": [k.to_json() for k in result.knobs],
        "seconds": round(result.seconds, 3),
        "candidates_per_minute": (round(60.0 * len(result.trials) / result.seconds, 1)
                                  if result.seconds > 0 else None),
        "summary": summary(result),
        "curve": {"rank_gain": frontier(result.trials, "rank_gain"),
                  "extra_orders": frontier(result.trials, "extra_orders")},
        "trials": [t.to_json() for t in result.trials],
    }


def evasion_yaml(result: AttackResult, trial: Trial, name: str) -> str:
    """A scenario file of the attacked scenario with ``trial``'s campaign: generate it with
    ``brushbench generate FILE --scale S``, add it to a suite."""
    scenario = result.evasion_scenario(trial, name)
    recall = "n/a" if trial.recall is None else f"{trial.recall:.3f}"
    p = trial.payoff
    paid = ("n/a" if p is None else f"rank {p.rank_before:g} -> {p.rank_after:g} (+"
            f"{p.rank_gain:g} places), {p.extra_orders} extra legitimate orders")
    head = (f"# Found by `brushbench attack` (brushbench {versions()['brushbench']}, generator "
            f"{versions()['generator']}): the {result.pattern} campaign of\n"
            f"# {result.scenario.name}, tuned against {result.detector.get('name')}. At scale "
            f"{result.scale:g}, seed {result.seed}:\n# recall {recall} at a "
            f"{result.review_budget:g} review budget; the brushed shop: {paid}.\n"
            "# The tuned campaign is the last entry of `fraud`.\n")
    return head + yaml.safe_dump(to_plain(scenario), allow_unicode=True, sort_keys=False,
                                 width=100)


def write(result: AttackResult, out: str | Path) -> dict[str, Path]:
    """Write ``attack.json``, ``robustness.html``, ``robustness.png`` (when matplotlib is
    installed) and ``evasions/*.yaml`` under ``out``; returns what was written."""
    out = Path(out)
    written: dict[str, Path] = {}
    doc = to_json(result)
    written["json"] = write_file_atomic(out / "attack.json",
                                        json.dumps(doc, indent=1, sort_keys=False) + "\n")
    png = plot_png(result)
    if png is not None:
        written["png"] = write_file_atomic(out / "robustness.png", png)
    written["html"] = write_file_atomic(out / "robustness.html", page(result, doc))
    for rank, trial in enumerate(result.evasions()[:EVASIONS], start=1):
        name = slug(f"{result.scenario.name}_evades_{result.detector.get('name')}_{rank}")
        written[f"evasion{rank}"] = write_file_atomic(out / "evasions" / f"{name}.yaml",
                                                      evasion_yaml(result, trial, name))
    # An earlier attack into the same folder may have left evasions this one did not find:
    # left there, they would read as this attack's.
    kept = set(written.values())
    for old in sorted((out / "evasions").glob("*.yaml")):
        if old not in kept:
            old.unlink()
    return written


def plot_png(result: AttackResult) -> bytes | None:
    """Recall against payoff (extra orders, rank gain) and against cost (orders): every trial,
    the frontier and the floor. None without matplotlib (``pip install 'brushbench[leaderboard]'``).
    """
    try:
        import matplotlib.style
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        return None
    scored = [t for t in result.trials if t.payoff is not None and t.recall is not None]
    with matplotlib.style.context("default"):
        fig = Figure(figsize=(11, 3.6), dpi=100)
        axes = fig.subplots(1, 3, sharey=True)
        for ax, by, label in ((axes[0], "rank_gain", "places climbed in the sales ranking"),
                              (axes[1], "extra_orders", "extra legitimate orders"),
                              (axes[2], "orders", "brushing orders placed (cost)")):
            pays = [t for t in scored if t.pays]
            other = [t for t in scored if not t.pays]
            for group, colour, name in ((other, "0.6", "below the floor"),
                                        (pays, "tab:blue", "pays")):
                ax.scatter([getattr(t.payoff, by) for t in group], [t.recall for t in group],
                           s=14, color=colour, label=name)
            ref = result.reference
            if ref.payoff is not None and ref.recall is not None:
                ax.scatter([getattr(ref.payoff, by)], [ref.recall], s=60, marker="*",
                           color="tab:red", label="scenario's campaign", zorder=3)
            if by in ("extra_orders", "rank_gain"):
                curve = frontier(result.trials, by)
                if curve:
                    # Ascending payoff; between two levels the curve takes the higher one's
                    # recall (a campaign earning x must earn at least the next level up).
                    ax.step([p[by] for p in curve[::-1]], [p["recall"] for p in curve[::-1]],
                            where="pre", color="tab:blue", linewidth=1.0,
                            label="robustness curve")
            if by == result.floor.measure and math.isfinite(result.floor_value):
                ax.axvline(result.floor_value, color="tab:orange", linestyle="--",
                           linewidth=0.9, label=f"floor ({result.floor_value:g})")
            ax.set(xlabel=label, ylim=(-0.02, 1.02))
            ax.grid(True, linewidth=0.4, alpha=0.5)
        axes[0].set_ylabel(f"recall at {result.review_budget:g} of orders reviewed")
        axes[0].legend(fontsize=7, loc="best")
        fig.suptitle(f"{result.detector.get('name')} vs the {result.pattern} campaign of "
                     f"{result.scenario.name} (scale {result.scale:g}, seed {result.seed})",
                     fontsize=9)
        fig.tight_layout()
        canvas = FigureCanvasAgg(fig)
        buf = io.BytesIO()
        canvas.print_png(buf, metadata={"Software": None})
        return buf.getvalue()


def page(result: AttackResult, doc: dict[str, Any]) -> str:
    """A self-contained HTML page: the summary, the curve as an inline SVG, every trial."""
    esc = html.escape
    s = doc["summary"]
    best = s["best"]
    head = (f"<h1>{esc(str(result.detector.get('name')))} vs the {esc(result.pattern)} campaign "
            f"of {esc(result.scenario.name)}</h1>")
    if best is None:
        verdict = (f"<p><b>No paying evasion found</b> in {len(result.trials)} candidates: no "
                   f"campaign earned the floor of {result.floor_value:g} "
                   f"{WORDS[result.floor.measure]}.</p>")
    else:
        verdict = (f"<p>Best paying evasion: recall <b>{best['recall']:.3f}</b> "
                   f"(the scenario's campaign: {_fmt(s['reference']['recall'])}), "
                   f"{best['payoff']['extra_orders']} extra legitimate orders, "
                   f"{best['payoff']['rank_gain']:g} places climbed.</p>")
    rows = "".join(
        f"<tr><td>{t.index}</td><td>{esc(t.phase)}</td><td>{esc(t.status)}</td>"
        f"<td>{_fmt(t.recall)}</td><td>{'' if t.payoff is None else t.payoff.extra_orders}</td>"
        f"<td>{'' if t.payoff is None else f'{t.payoff.rank_gain:g}'}</td>"
        f"<td>{'' if t.payoff is None else t.payoff.orders}</td>"
        f"<td>{'' if t.pays is None else ('yes' if t.pays else 'no')}</td>"
        f"<td><code>{esc(json.dumps(t.knobs))}</code></td></tr>" for t in result.trials)
    table = ("<table><tr><th>#</th><th>phase</th><th>status</th><th>recall</th>"
             "<th>extra orders</th><th>rank gain</th><th>orders</th><th>pays</th><th>knobs</th>"
             f"</tr>{rows}</table>")
    style = ("body{font-family:sans-serif;max-width:70em;margin:1em auto}"
             "table{border-collapse:collapse;font-size:0.8em}td,th{border:1px solid #ccc;"
             "padding:2px 5px}")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>brushbench attack"
            f"</title><style>{style}</style></head><body>{head}{verdict}"
            f"{_svg(result)}{table}</body></html>\n")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _svg(result: AttackResult, width: int = 560, height: int = 300) -> str:
    """Recall (y) against the floor's payoff measure (x): trials as dots, the frontier, the
    floor."""
    scored = [t for t in result.trials if t.payoff is not None and t.recall is not None]
    if not scored:
        return "<p>No scored candidate to draw.</p>"
    by = result.floor.measure
    xs = [result.floor.of(t.payoff) for t in scored]
    x0 = min(0.0, *xs)
    x1 = max(max(xs), result.floor_value if math.isfinite(result.floor_value) else 0.0, 1.0)
    pad = 40

    def px(x: float) -> float:
        return pad + (x - x0) / (x1 - x0) * (width - 2 * pad)

    def py(y: float) -> float:
        return height - pad - y * (height - 2 * pad)

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}'>",
             f"<line x1='{pad}' y1='{py(0)}' x2='{width - pad}' y2='{py(0)}' stroke='#888'/>",
             f"<line x1='{pad}' y1='{py(0)}' x2='{pad}' y2='{py(1)}' stroke='#888'/>",
             f"<text x='{width / 2}' y='{height - 8}' font-size='11' text-anchor='middle'>"
             f"{WORDS[by]}</text>",
             f"<text x='12' y='{height / 2}' font-size='11' transform='rotate(-90 12 "
             f"{height / 2})' text-anchor='middle'>recall at {result.review_budget:g}</text>",
             f"<text x='{pad - 4}' y='{py(1) + 4}' font-size='10' text-anchor='end'>1</text>",
             f"<text x='{pad - 4}' y='{py(0) + 4}' font-size='10' text-anchor='end'>0</text>",
             f"<text x='{px(x1)}' y='{py(0) + 14}' font-size='10' text-anchor='end'>{x1:g}"
             "</text>"]
    if math.isfinite(result.floor_value):
        fx = px(min(result.floor_value, x1))
        parts.append(f"<line x1='{fx}' y1='{py(0)}' x2='{fx}' y2='{py(1)}' stroke='orange' "
                     "stroke-dasharray='4 3'><title>floor</title></line>")
    curve = frontier(result.trials, by)
    if curve:
        steps = []  # drawn as a step: each level's recall holds down to the next level
        for here, lower in zip(curve, [*curve[1:], None], strict=True):
            steps.append((here[by], here["recall"]))
            if lower is not None:
                steps.append((lower[by], here["recall"]))
        points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in steps)
        parts.append(f"<polyline points='{points}' fill='none' stroke='steelblue'/>")
    for t in scored:
        assert t.payoff is not None and t.recall is not None
        colour = "red" if t.index == 0 else ("steelblue" if t.pays else "#aaa")
        parts.append(f"<circle cx='{px(result.floor.of(t.payoff)):.1f}' "
                     f"cy='{py(t.recall):.1f}' "
                     f"r='{5 if t.index == 0 else 3}' fill='{colour}'><title>#{t.index}: "
                     f"recall {t.recall:.3f}, {result.floor.of(t.payoff):g} {WORDS[by]}"
                     "</title>"
                     "</circle>")
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["EVASIONS", "SCHEMA", "evasion_yaml", "frontier", "page", "plot_png", "summary",
           "to_json", "write"]
