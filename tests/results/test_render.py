"""The terminal table of ``eval``: means over ok runs, failures listed, latency when streaming."""

from __future__ import annotations

import re

from brushbench.results import Results
from brushbench.results.render import render_table


def _run(scenario, seed, status="ok", ap=0.5, fit=None, score=2.0, peak=100.0, stream=None):
    return {"scenario": scenario, "scenario_hash": "h", "seed": seed, "status": status,
            "reason": "" if status == "ok" else "score() raised ValueError: boom",
            "metrics": {"orders": {"average_precision": ap, "roc_auc": 0.9,
                                   "precision_at_1pct": {"value": None, "reason": "x"},
                                   "recall_at_1pct": 0.25}} if status == "ok" else None,
            "cost": {"fit_seconds": fit, "score_seconds": score,
                     "orders_per_second": 1000.0 / score, "peak_memory_mb": peak},
            "stream": stream}


def _doc(runs):
    return Results.from_json({"schema_version": 1, "generator_version": "1",
                              "detector": {"name": "det"}, "suite": {"name": "quick"},
                              "runs": runs})


def _cells(line):
    return re.split(r"\s{2,}", line.strip())


def _rows(text):
    lines = text.splitlines()
    return _cells(lines[1]), {_cells(line)[0]: _cells(line) for line in lines[2:]
                              if line[:1] != " "}


def test_costs_are_means_over_ok_runs_and_failures_are_listed():
    text = render_table(_doc([_run("a", 0, ap=0.4, fit=1.0, score=2.0, peak=100.0),
                              _run("a", 1, ap=0.6, fit=3.0, score=4.0, peak=300.0),
                              _run("a", 2, status="error")]))
    header, rows = _rows(text)
    assert header[:2] == ["scenario", "ok"] and "p99" not in header
    cells = dict(zip(header, rows["a"], strict=True))
    assert cells["ok"] == "2/3"
    assert cells["AP"].startswith("0.500±")
    assert cells["P@1%"] == "-"  # undefined everywhere: no number invented
    assert (cells["fit s"], cells["score s"], cells["peak MB"]) == ("2.00", "3.00", "200")
    assert "a seed 2: error: score() raised ValueError: boom" in text
    assert "(3 runs, 1 not ok)" in text


def test_streaming_runs_add_latency_in_milliseconds():
    stream = {"latency_p50_seconds": 0.010, "latency_p99_seconds": 0.250}
    text = render_table(_doc([_run("a", 0, stream=stream)]))
    header, rows = _rows(text)
    cells = dict(zip(header, rows["a"], strict=True))
    assert (cells["p50 ms"], cells["p99 ms"]) == ("10.0", "250.0")


def test_streaming_runs_show_time_to_detect():
    """The time to detect was in the JSON only: the table shows campaigns alerted and hours."""
    def stream(alerted, median):
        return {"latency_p50_seconds": 0.010, "latency_p99_seconds": 0.250,
                "time_to_detect": {"n_campaigns": 4, "n_alerted": alerted,
                                   "median_seconds": median}}
    text = render_table(_doc([_run("a", 0, stream=stream(3, 2 * 3600.0)),
                              _run("a", 1, stream=stream(1, 4 * 3600.0)),
                              _run("b", 0, stream=stream(0, None))]))
    header, rows = _rows(text)
    a = dict(zip(header, rows["a"], strict=True))
    b = dict(zip(header, rows["b"], strict=True))
    assert (a["alerted"], a["TTD h"]) == ("4/8", "3.0")
    assert (b["alerted"], b["TTD h"]) == ("0/4", "-")   # nothing alerted: no time invented


def test_batch_runs_have_no_time_to_detect_column():
    header, _ = _rows(render_table(_doc([_run("a", 0)])))
    assert "TTD h" not in header and "alerted" not in header
