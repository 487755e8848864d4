"""check_detector: the plain-words report for each fixture detector."""

from __future__ import annotations

import pytest


def text(report) -> str:
    return str(report)


@pytest.mark.parametrize("name", ["oracle_train", "class_form"])
def test_good_detectors_pass(checks, name):
    report = checks[name]
    assert report.ok, text(report)
    assert report.warnings == []
    assert len(report.records) == 3          # two batch runs, the streaming one skipped
    assert "ok: deterministic" in text(report)
    assert "note: no score_stream(batches), so `eval --stream` skips it" in text(report)
    assert text(report).splitlines()[-1].endswith(": passed")


def test_report_describes_data_detector_and_costs(checks):
    lines = checks["class_form"].lines
    assert lines[0].startswith("checking ")
    assert "scenario mixed_naive at scale 0.003" in lines[1]
    assert "detector: ClassForm (class form, with fit, predict)" in lines[2]
    body = "\n".join(lines)
    assert "fit " in body and "orders/s" in body and "peak memory" in body
    assert "buyer scores" in body and "shop scores" in body and "orders flagged" in body


def test_a_detector_with_both_methods_gets_its_streaming_side_checked(checks):
    report = checks["both_modes"]
    assert report.ok, text(report)
    assert report.records[2].stream is not None
    streaming = [line for line in report.lines if line.startswith("  ok: streaming: ")]
    assert len(streaming) == 1
    assert "batches of 1h" in streaming[0] and "latency p50 " in streaming[0] \
        and " ms, p99 " in streaming[0]


def test_a_broken_score_stream_fails_the_check_even_with_a_good_score(checks):
    report = checks["broken_stream"]
    assert not report.ok
    assert "ok: deterministic" in text(report)
    assert "error: streaming run (score_stream) invalid_output: " in text(report)
    assert "wrong length" in text(report)


def test_nondeterminism_is_a_warning(checks):
    report = checks["nondeterministic"]
    assert report.ok and len(report.warnings) == 1
    n = report.records[0].n_orders
    assert report.warnings[0].startswith(f"not deterministic: {n:,} of {n:,} scores differ")
    assert "hint: seed every random generator" in text(report)
    assert text(report).splitlines()[-1].endswith("passed, 1 warning(s)")


def test_exception_with_last_traceback_line(checks):
    report = checks["raising"]
    assert not report.ok and len(report.records) == 1
    assert "  error: score() raised ValueError: this detector always fails" in text(report)
    assert "error: error:" not in text(report)
    assert "traceback ends with: ValueError: this detector always fails" in text(report)
    assert text(report).splitlines()[-1].endswith("FAILED: 1 error(s)")


def test_timeout(checks):
    report = text(checks["hanging"])
    assert "error: timeout: score() was still running when the 2 s limit" in report
    assert "timeout: timeout:" not in report


def test_nan_scores(checks):
    report = checks["nan_scores"]
    assert "error: invalid output (1 problem(s)):" in text(report)
    assert "scores are not finite" in text(report) and "NaN" in text(report)


def test_wrong_length(checks):
    assert "- wrong length: " in text(checks["wrong_length"])


def test_reading_labels_is_noted(checks):
    report = checks["reads_labels"]
    assert not report.ok
    assert "tried to read the answer key of the test data at reads_labels.py:5" in text(report)
    assert "note: the detector tried to read labels from the test data" in text(report)


def test_memory_limit(checks):
    assert "it hit the memory limit of 300 MB" in text(checks["memory_hog"])


def test_load_error(checks):
    report = checks["missing_file"]
    assert not report.ok
    assert "cannot load the detector" in text(report) and "file not found" in text(report)
