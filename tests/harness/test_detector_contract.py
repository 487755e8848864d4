"""The typed detector contract agrees with what the loader finds, on every shipped detector."""

from __future__ import annotations

from pathlib import Path

import pytest

import brushbench
from brushbench.runtime.contract import (
    AlertingDetector,
    Detector,
    StreamingDetector,
    TrainableDetector,
)
from brushbench.runtime.detectors import load_detector

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([*ROOT.glob("baselines/*.py"), *ROOT.glob("examples/*.py")])


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_detectors_meet_the_contract_the_loader_sees(path):
    spec = load_detector(str(path))
    detector = spec.build()
    assert isinstance(detector, Detector | StreamingDetector)
    assert isinstance(detector, Detector) == spec.has_score
    assert isinstance(detector, TrainableDetector) == (spec.has_fit and spec.has_score)
    assert isinstance(detector, AlertingDetector) == (spec.has_predict and spec.has_score)
    assert isinstance(detector, StreamingDetector) == spec.has_score_stream


def test_an_object_without_score_is_no_detector():
    class Fits:
        def fit(self, train):
            return self

    assert not isinstance(Fits(), Detector)
    assert brushbench.Detector is Detector
