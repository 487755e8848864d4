"""Paths and constants shared by the harness tests and their fixtures."""

from __future__ import annotations

from pathlib import Path

DETECTORS = Path(__file__).parent / "detectors"
#: Same scenario, scale and seeds as check_detector's own tiny dataset.
SCENARIO, SCALE, TRAIN_SEED, TEST_SEED = "mixed_naive", 0.003, 1, 2
#: Limit for the runs that should succeed: generous, the machine may be busy.
TIMEOUT = 60.0


def detector_file(name: str) -> str:
    """Path of a fixture detector file, e.g. ``detector_file("raising")``."""
    return str(DETECTORS / f"{name}.py")
