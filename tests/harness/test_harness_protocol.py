"""run_protocol in this process: who sees which labels, what is timed, how failures surface."""

from __future__ import annotations

import numpy as np
import pytest

from brushbench.harness import (
    DetectorFailed,
    DetectorSkipped,
    check_output,
    load_detector,
    run_protocol,
)

from harness_helpers import detector_file

PROBE = '''
SEEN = {}


class Probe:
    def fit(self, train):
        SEEN["train_has_key"] = train.has_answer_key
        SEEN["train_labels"] = len(train.labels)
        return self

    def score(self, data):
        SEEN["test_has_key"] = data.has_answer_key
        SEEN["test_tables"] = data.table_names
        return data.orders["order_id"].to_numpy() % 97

    def predict(self, data):
        return data.orders["order_id"].to_numpy() % 2 == 0
'''


@pytest.fixture
def probe(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text(PROBE)
    spec = load_detector(str(path) + ":Probe")
    import sys

    return spec, sys.modules[spec.module].SEEN


def test_fit_sees_labels_and_score_never_does(probe, data):
    spec, seen = probe
    # The caller passes the labelled test set by mistake: the answer key is removed anyway.
    assert data["test"].has_answer_key
    raw = run_protocol(spec, data["train"], data["test"])
    assert seen["train_has_key"] and seen["train_labels"] == len(data["train"].orders)
    assert seen["test_has_key"] is False
    assert "labels" not in seen["test_tables"] and "campaigns" not in seen["test_tables"]
    assert raw.n_orders == len(data["test"].orders)


def test_each_step_is_timed(probe, data):
    spec, _ = probe
    raw = run_protocol(spec, data["train"], data["test"])
    assert raw.fit_seconds > 0 and raw.score_seconds > 0 and raw.predict_seconds > 0
    assert raw.orders_per_second == pytest.approx(raw.n_orders / raw.score_seconds)


def test_phases_are_reported_in_order(probe, data):
    phases = []
    run_protocol(probe[0], data["train"], data["test"], on_phase=phases.append)
    assert phases == ["build", "fit", "score", "predict"]


def test_check_output_aligns_scores_and_predictions(probe, data):
    raw = run_protocol(probe[0], data["train"], data["test"])
    checked = check_output(raw, data["test"])
    ids = data["test"].orders["order_id"].to_numpy()
    assert checked.problems == []
    np.testing.assert_array_equal(checked.scores, ids % 97)
    np.testing.assert_array_equal(checked.predictions, ids % 2 == 0)


def test_entity_scores_are_checked(data):
    spec = load_detector(detector_file("class_form") + ":ClassForm")
    checked = check_output(run_protocol(spec, data["train"], data["test"]), data["test"])
    assert checked.problems == []
    assert checked.buyer_scores.index.isin(data["test"].orders["buyer_id"]).all()
    assert len(checked.shop_scores) == data["test"].orders["shop_id"].nunique()


def test_invalid_output_keeps_nothing(data):
    raw = run_protocol(load_detector(detector_file("nan_scores")), None, data["test"])
    checked = check_output(raw, data["test"])
    assert checked.scores is None and "not finite" in checked.problems[0]


def test_reading_test_labels_fails_in_score(data):
    with pytest.raises(DetectorFailed) as info:
        run_protocol(load_detector(detector_file("reads_labels")), data["train"], data["test"])
    assert info.value.phase == "score" and isinstance(info.value.error, AttributeError)


def test_exceptions_carry_their_phase(data):
    with pytest.raises(DetectorFailed) as info:
        run_protocol(load_detector(detector_file("raising")), None, data["test"])
    assert info.value.phase == "score" and isinstance(info.value.__cause__, ValueError)


def test_sys_exit_is_a_failure_not_an_exit(tmp_path, data):
    path = tmp_path / "quitter.py"
    path.write_text("import sys\n\ndef score(data):\n    sys.exit(3)\n")
    with pytest.raises(DetectorFailed) as info:
        run_protocol(load_detector(str(path)), None, data["test"])
    assert isinstance(info.value.error, SystemExit)


def test_fit_without_training_data_is_skipped(data):
    with pytest.raises(DetectorSkipped, match="no training dataset"):
        run_protocol(load_detector(detector_file("oracle_train")), None, data["test"])


def test_stream_only_detector_is_skipped_in_batch_mode(tmp_path, data):
    # Without stream=False it is streamed (tests/streaming); batch mode needs score().
    path = tmp_path / "streamer.py"
    path.write_text("class Streamer:\n    def score_stream(self, batches):\n        yield 1\n")
    with pytest.raises(DetectorSkipped, match="only has score_stream"):
        run_protocol(load_detector(str(path)), None, data["test"], stream=False)
