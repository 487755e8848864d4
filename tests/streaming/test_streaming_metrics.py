"""time_to_detect: the alert rule, never-alerted campaigns, medians; the direction rule of
compare for streaming metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from brushbench.metrics import alerts_at_budget, is_undefined, time_to_detect
from brushbench.metrics.registry import direction
from brushbench.results.compare import compare_results, noise_floor

T0 = 1_600_000_000
HOUR = 3600


def _case(scores, campaign, created_hours, pattern=None):
    n = len(scores)
    orders = pd.DataFrame({
        "order_id": np.arange(100, 100 + n),
        "created_at": pd.to_datetime(T0 + np.asarray(created_hours) * HOUR, unit="s",
                                     utc=True).tz_convert("Asia/Singapore")})
    labels = pd.DataFrame({
        "order_id": orders["order_id"][::-1].to_numpy(),  # any row order
        "is_brushing": [c is not None for c in campaign][::-1],
        "campaign_id": list(campaign)[::-1],
        "pattern": (list(pattern) if pattern is not None
                    else ["click_farm" if c else None for c in campaign])[::-1]})
    created = T0 + np.asarray(created_hours, dtype=np.int64) * HOUR
    scored_at = T0 + (np.asarray(created_hours, dtype=np.int64) // 1 + 1) * HOUR
    return labels, np.asarray(scores, dtype=float), orders, scored_at, created


def test_alerts_are_the_top_1pct_and_ties_straddling_the_cut_are_not():
    s = np.arange(1000, dtype=float)
    assert np.flatnonzero(alerts_at_budget(s)).tolist() == list(range(990, 1000))
    assert not alerts_at_budget(np.ones(500)).any()  # a constant score alerts on nothing
    tied = np.r_[np.zeros(990), np.full(5, 7.0), np.full(5, 9.0)]
    assert alerts_at_budget(tied).sum() == 10  # the ties fit in k = 10: all alert
    straddle = np.r_[np.zeros(985), np.full(10, 7.0), np.full(5, 9.0)]
    assert np.flatnonzero(alerts_at_budget(straddle)).tolist() == list(range(995, 1000))


def test_time_from_first_fake_order_to_the_end_of_the_first_alerting_batch():
    # 200 orders: campaign A's first order at hour 3 (low score), its alert at hour 10;
    # campaign B never scores high.
    n = 200
    scores = np.zeros(n)
    campaign = [None] * n
    hours = np.arange(n) % 48
    campaign[0], campaign[1] = "A", "A"
    hours[0], hours[1] = 3, 10
    scores[1] = 5.0
    campaign[2] = "B"
    scores[3] = 4.0  # a legitimate order takes the second alert slot
    labels, s, orders, scored_at, _ = _case(scores, campaign, hours)
    result = time_to_detect(labels, s, orders=orders, scored_at=scored_at)
    a, b = result["per_campaign"]["A"], result["per_campaign"]["B"]
    assert a["seconds"] == (11 - 3) * HOUR and a["n_orders"] == 2
    assert a["first_order_at"].endswith("+08:00")
    assert is_undefined(b["seconds"]) and b["seconds"]["reason"] == "never alerted"
    assert result["alert_budget"] == "1pct"
    assert result["n_campaigns"] == 2 and result["n_alerted"] == 1
    # half the campaigns never alerted: the median is undefined, not the alerted one's time
    assert is_undefined(result["median_seconds"])
    assert result["per_pattern"]["click_farm"]["n_alerted"] == 1


def test_medians_count_never_alerted_campaigns_as_late():
    n = 1000
    scores = np.zeros(n)
    campaign: list = [None] * n
    hours = np.zeros(n, dtype=np.int64)
    for i, (cid, alert_hour) in enumerate((("A", 1), ("B", 2), ("C", 5))):
        campaign[10 * i] = cid
        campaign[10 * i + 1] = cid
        hours[10 * i + 1] = alert_hour
        scores[10 * i + 1] = 9.0
    campaign[50] = "D"  # never alerted
    pattern = [("kind_d" if c == "D" else "kind_abc") if c else None for c in campaign]
    labels, s, orders, scored_at, _ = _case(scores, campaign, hours, pattern)
    result = time_to_detect(labels, s, orders=orders, scored_at=scored_at)
    seconds = [result["per_campaign"][c]["seconds"] for c in "ABC"]
    assert seconds == [2 * HOUR, 3 * HOUR, 6 * HOUR]
    # A, B, C, never: the median of (2h, 3h, 6h, inf) is 4.5 h
    assert result["median_seconds"] == pytest.approx(4.5 * HOUR)
    assert result["per_pattern"]["kind_abc"]["median_seconds"] == 3 * HOUR
    assert is_undefined(result["per_pattern"]["kind_d"]["median_seconds"])
    with pytest.raises(ValueError, match="scored_at"):
        time_to_detect(labels, s, orders=orders, scored_at=scored_at[:-1])


def test_streaming_times_are_lower_is_better_with_a_relative_noise_floor():
    for metric in ("stream.latency_p99_seconds", "stream.latency_p50_seconds",
                   "stream.time_to_detect.median_seconds",
                   "stream.time_to_detect.per_pattern.click_farm.median_seconds",
                   "stream.time_to_detect.per_campaign.c-7.seconds"):
        assert direction(metric) == "lower"
        assert noise_floor(metric, 100.0) == pytest.approx(10.0)
    assert direction("stream.time_to_detect.n_alerted") == "higher"
    assert direction("orders.average_precision") == "higher"
    assert direction("stream.time_to_detect.n_campaigns") is None


def _doc(latency: float, ttd: float) -> dict:
    run = {"scenario": "s", "scenario_hash": "h", "seed": 0, "status": "ok",
           "metrics": {"orders": {"average_precision": 0.5}},
           "cost": {"score_seconds": 1.0},
           "stream": {"batches": 10, "latency_p99_seconds": latency,
                      "time_to_detect": {"median_seconds": ttd}}}
    return {"schema_version": 1, "generator_version": "1", "suite": {"name": "x", "hash": "y"},
            "detector": {"name": "d"}, "runs": [run]}


def test_compare_reads_the_stream_section_and_gates_on_it():
    base, slower = _doc(0.01, 3600.0), _doc(0.05, 7200.0)
    c = compare_results(base, slower, fail_if=["stream.latency_p99_seconds:+50%",
                                              "stream.time_to_detect.median_seconds:+10%"])
    assert c.row("s", "stream.latency_p99_seconds").verdict == "worse"
    assert c.row("s", "stream.time_to_detect.median_seconds").failed
    assert c.exit_code == 1
    assert compare_results(slower, base).row("s", "stream.latency_p99_seconds").verdict == \
        "improved"


def test_a_campaign_detected_sooner_is_an_improvement():
    # stream.time_to_detect.per_campaign.<id>.seconds does not end in "_seconds": the old
    # name rule judged it higher-is-better. The registry says lower.
    metric = "stream.time_to_detect.per_campaign.c-1.seconds"
    base, sooner = _doc(0.01, 3600.0), _doc(0.01, 3600.0)
    base["runs"][0]["stream"]["time_to_detect"]["per_campaign"] = {"c-1": {"seconds": 7200.0}}
    sooner["runs"][0]["stream"]["time_to_detect"]["per_campaign"] = {"c-1": {"seconds": 1800.0}}
    assert compare_results(base, sooner, metrics=[metric]).row("s", metric).verdict == "improved"
    c = compare_results(sooner, base, fail_if=[f"{metric}:+10%"])
    assert c.row("s", metric).verdict == "worse" and c.exit_code == 1
