"""The terminal table ``brushbench eval`` prints at the end: one row per scenario."""

from __future__ import annotations

from typing import Any

from ..metrics.aggregate import mean, mean_sd

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
    spread = mean_sd(values)
    if spread.mean is None:
        return "-"
    if spread.sd is None:
        return f"{spread.mean:.3f}"
    return f"{spread.mean:.3f}±{spread.sd:.3f}"


def _mean(values: list[float], fmt: str) -> str:
    m = mean(values)
    return format(m, fmt) if m is not None else "-"


def _costs(ok: list[dict[str, Any]], key: str) -> list[float]:
    return [v for r in ok if (v := r["cost"].get(key)) is not None]


def _stream(ok: list[dict[str, Any]], key: str) -> list[float]:
    return [v * 1000 for r in ok if (v := (r.get("stream") or {}).get(key)) is not None]


def render_table(doc: dict[str, Any]) -> str:
    """Mean ± sample std over seeds; failed runs are counted in 'ok', never averaged.

    Costs are means over the ok runs: fit and score seconds, orders scored per second, the
    detector's peak memory (MiB, including the loaded data); streaming runs add the batch
    latency (p50 and p99, milliseconds).
    """
    scenarios: dict[str, list[dict[str, Any]]] = {}
    for run in doc["runs"]:
        scenarios.setdefault(run["scenario"], []).append(run)
    streaming = any(r.get("stream") for r in doc["runs"])
    header = ["scenario", "ok", *[c[0] for c in COLUMNS], "fit s", "score s", "orders/s",
              "peak MB", *(["p50 ms", "p99 ms"] if streaming else [])]
    rows = []
    for name, runs in scenarios.items():
        ok = [r for r in runs if r["status"] == "ok"]
        cells = [name, f"{len(ok)}/{len(runs)}"]
        for _, path in COLUMNS:
            cells.append(_mean_sd([v for r in ok if (v := leaf(r["metrics"], path)) is not None]))
        cells += [_mean(_costs(ok, "fit_seconds"), ".2f"),
                  _mean(_costs(ok, "score_seconds"), ".2f"),
                  _mean(_costs(ok, "orders_per_second"), ",.0f"),
                  _mean(_costs(ok, "peak_memory_mb"), ",.0f")]
        if streaming:
            cells += [_mean(_stream(ok, "latency_p50_seconds"), ",.1f"),
                      _mean(_stream(ok, "latency_p99_seconds"), ",.1f")]
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
