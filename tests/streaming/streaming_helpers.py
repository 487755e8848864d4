"""Paths and constants shared by the streaming tests."""

from __future__ import annotations

from pathlib import Path

DETECTORS = Path(__file__).parent / "detectors"
SCENARIO, SCALE = "click_farm_naive", 0.05
TIMEOUT = 60.0


def detector_file(name: str) -> str:
    """Path of a fixture detector file, e.g. ``detector_file("device_counts")``."""
    return str(DETECTORS / f"{name}.py")
