"""run_isolated: each fixture detector ends with the right status and reason, in its own process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from brushbench.harness import RunRecord, Status, run_isolated

from harness_helpers import detector_file


def test_ok_runs_have_aligned_scores_and_timings(records, data):
    n = len(data["test"].orders)
    for name in ("oracle_train", "random_scores", "function_form", "class_form", "entry_point"):
        record = records[name]
        assert record.status == Status.OK, (name, record.reason, record.log_tail)
        assert record.reason == "" and record.problems == []
        assert record.scores.shape == (n,) and record.scores.dtype == np.float64
        assert np.isfinite(record.scores).all()
        assert record.n_orders == n
        assert record.score_seconds > 0
        assert record.orders_per_second == pytest.approx(n / record.score_seconds)
        assert record.peak_memory_mb > 0 and record.baseline_memory_mb > 0
        assert record.wall_seconds > record.score_seconds


def test_oracle_learns_from_train_labels(records, data):
    record = records["oracle_train"]
    assert record.fit_seconds > 0 and record.memory_limit_mb == 2000
    # Shops with more brushing in train score higher in test: the scores carry the rate.
    labels = data["test"].labels.set_index("order_id").loc[data["test"].orders["order_id"]]
    brushing = labels["is_brushing"].to_numpy()
    assert record.scores[brushing].mean() > record.scores[~brushing].mean()


def test_function_form_scores_match_in_process(records, data):
    orders = data["test"].orders
    expected = orders.groupby("device_id")["order_id"].transform("size").to_numpy(float)
    np.testing.assert_array_equal(records["function_form"].scores, expected)
    assert records["function_form"].kind == "function"
    assert records["function_form"].fit_seconds is None


def test_class_form_gives_entities_and_predictions(records, data):
    record = records["class_form"]
    assert (record.kind, record.name, record.attr) == ("class", "ClassForm", "ClassForm")
    assert record.fit_seconds > 0 and record.predict_seconds > 0
    assert record.predictions.dtype == bool and len(record.predictions) == record.n_orders
    assert 0 < record.predictions.sum() < record.n_orders
    orders = data["test"].orders
    assert record.buyer_scores.index.name == "buyer_id"
    assert set(record.buyer_scores.index) == set(orders["buyer_id"])
    assert set(record.shop_scores.index) == set(orders["shop_id"])


def test_entry_point_run_names_the_installed_detector(records):
    record = records["entry_point"]
    assert (record.name, record.source, record.version) == ("fake-class", "entry_point", "1.0")


def test_identity_of_a_file_detector(records):
    record = records["oracle_train"]
    source = Path(detector_file("oracle_train"))
    assert record.file == str(source.resolve())
    import hashlib

    assert record.file_sha256 == hashlib.sha256(source.read_bytes()).hexdigest()


def test_raising_is_an_error_with_the_line(records):
    record = records["raising"]
    assert record.status == Status.ERROR and record.phase == "score"
    assert record.reason.startswith("score() raised ValueError: this detector always fails")
    assert "raising.py:5" in record.reason
    assert record.traceback.strip().endswith("ValueError: this detector always fails")
    assert "protocol.py" not in record.traceback  # the harness's frames are cut off
    assert record.scores is None


def test_hanging_is_killed_at_the_timeout(records):
    record = records["hanging"]
    assert record.status == Status.TIMEOUT and record.phase == "score"
    assert record.reason.startswith("score() was still running when the 2 s limit")  # no
    # "timeout: " in front: the eval table and the leaderboard print the status before it
    assert record.exit_code == -9 and record.scores is None
    assert record.name == "hanging"  # identity is known although the child never reported
    assert record.wall_seconds < 30


def test_nan_scores_are_invalid_not_zero(records):
    record = records["nan_scores"]
    assert record.status == Status.INVALID_OUTPUT and record.scores is None
    assert record.problems == [f"{record.n_orders // 10 + 1:,} of {record.n_orders:,} scores "
                               f"are not finite ({record.n_orders // 10 + 1:,} NaN or missing)"]
    assert record.reason == f"invalid output: {record.problems[0]}"


def test_wrong_length_is_invalid(records):
    record = records["wrong_length"]
    assert record.status == Status.INVALID_OUTPUT
    n = record.n_orders
    assert record.problems[0].startswith(f"wrong length: {n - 1:,} scores for {n:,} orders")


def test_reading_test_labels_is_reported(records):
    record = records["reads_labels"]
    assert record.status == Status.ERROR and record.reads_answer_key
    assert "score() tried to read the answer key of the test data" in record.reason
    assert "reads_labels.py:5 `truth = data.labels[\"is_brushing\"]`" in record.reason


def test_memory_hog_hits_the_limit(records):
    record = records["memory_hog"]
    assert record.status == Status.ERROR and record.phase == "score"
    assert "out of memory in score(): it hit the memory limit of 300 MB" in record.reason
    assert record.memory_limit_mb == 300
    assert record.peak_memory_mb < record.baseline_memory_mb + 300


def test_fit_needed_but_no_train_is_skipped(records):
    record = records["no_train"]
    assert record.status == Status.SKIPPED
    assert "no training dataset was given" in record.reason


def test_load_error_is_recorded(records):
    record = records["missing_module"]
    assert record.status == Status.ERROR and record.phase == "load"
    assert record.reason.startswith("cannot load the detector: no_such_detector_xyz: "
                                    "no module named 'no_such_detector_xyz'")
    assert record.name is None


def test_to_dict_is_json_and_leaves_arrays_out(records):
    for record in records.values():
        as_dict = json.loads(json.dumps(record.to_dict()))
        assert as_dict["status"] in {"ok", "error", "timeout", "invalid_output", "skipped"}
        assert "scores" not in as_dict and "predictions" not in as_dict
    outputs = records["class_form"].to_dict()["outputs"]
    assert outputs["scores"] == records["class_form"].n_orders
    assert outputs["buyer_scores"] > 0 and outputs["predictions"] > 0


def test_detector_output_goes_to_the_log(tmp_path, data, import_paths):
    path = tmp_path / "chatty_crash.py"
    path.write_text("import os\n\ndef score(data):\n    print('about to crash', flush=True)\n"
                    "    os._exit(7)\n")
    record = run_isolated(str(path), None, data["test_dir"], timeout=60)
    assert record.status == Status.ERROR and record.exit_code == 7
    assert "exited with code 7 during score()" in record.reason
    assert "about to crash" in record.reason and "about to crash" in record.log_tail


def test_missing_dataset_folder_is_the_callers_mistake(tmp_path):
    with pytest.raises(FileNotFoundError):
        run_isolated("random_scores", None, tmp_path / "nowhere", timeout=5)


def test_record_defaults():
    record = RunRecord(target="x", status=Status.SKIPPED, reason="why")
    assert not record.ok and record.to_dict()["outputs"]["scores"] is None
