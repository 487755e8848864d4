"""The terminal table ``brushbench eval`` prints at the end: one row per scenario."""

from __future__ import annotations

import math
from typing import Any

COLUMNS = (("AP", ("orders", "average_precision")), ("ROC-AUC", ("orders", "roc_auc")),
           ("P@1%", ("orders", "precision_at_1pct")), ("R@1%", ("orders", "recall_at_1pct")))


def leaf(tree: Any, path: tuple[str, ...]) -> float | None:
    """A metric's value, or None when it is undefined or absent."""
    for key in path:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    if isinstance(tree, dict):
        tree = tree.get("value")
    return float(tree) if isinstance(tree, int | float) and not isinstance(tree, bool) else None


def _mean_sd(values: list[float]) -> str:
    if not values:
        return "-"
    mean = sum(values) / len(values)
    if len(values) < 2:
        return f"{mean:.3f}"
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    return f"{mean:.3f}±{sd:.3f}"


def render_table(doc: dict[str, Any]) -> str:
    """Mean ± sample std over seeds; failed runs are counted in 'ok', never averaged."""
    scenarios: dict[str, list[dict[str, Any]]] = {}
    for run in doc["runs"]:
        scenarios.setdefault(run["scenario"], []).append(run)
    header = ["scenario", "ok", *[c[0] for c in COLUMNS], "score s", "orders/s"]
    rows = []
    for name, runs in scenarios.items():
        ok = [r for r in runs if r["status"] == "ok"]
        cells = [name, f"{len(ok)}/{len(runs)}"]
        for _, path in COLUMNS:
            cells.append(_mean_sd([v for r in ok if (v := leaf(r["metrics"], path)) is not None]))
        seconds = [r["cost"]["score_seconds"] for r in ok if r["cost"]["score_seconds"]]
        rate = [r["cost"]["orders_per_second"] for r in ok if r["cost"]["orders_per_second"]]
        cells.append(f"{sum(seconds) / len(seconds):.2f}" if seconds else "-")
        cells.append(f"{sum(rate) / len(rate):,.0f}" if rate else "-")
        rows.append(cells)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    lines = ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                       for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in [header, *rows]]
    failures = [r for r in doc["runs"] if r["status"] != "ok"]
    title = (f"{doc['detector'].get('name')} on suite {doc['suite']['name']} "
             f"({len(doc['runs'])} runs, {len(failures)} not ok)")
    out = [title, *lines]
    for r in failures:
        out.append(f"  {r['scenario']} seed {r['seed']}: {r['status']}: "
                   f"{r.get('reason') or '; '.join(r.get('problems') or []) or ''}")
    return "\n".join(out)
