"""The seams between the runtime, the harness and users' data: what each package pulls in, and
the public names that stayed where users find them."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys

import pytest

import brushbench.harness as harness
import brushbench.runtime as runtime
from brushbench.runtime import launch


def imported_after(module: str) -> set[str]:
    """The brushbench modules a fresh interpreter holds after ``import module``."""
    code = (f"import json, sys, {module}; "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('brushbench'))))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return set(json.loads(out))


def under(modules: set[str], *packages: str) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in packages))


@pytest.mark.parametrize("module", ["brushbench.runtime", "brushbench.runtime.child"])
def test_the_runtime_needs_neither_the_harness_nor_the_metrics(module):
    """What a detector's process loads: no suites, scoring, results or generator code."""
    loaded = imported_after(module)
    assert under(loaded, "brushbench.harness", "brushbench.metrics", "brushbench.generator",
                 "brushbench.leaderboard", "brushbench.teaching", "brushbench.cli") == []
    if module.endswith("child"):
        assert "brushbench.userdata.view" in loaded  # the child's view of an imported log


def test_users_data_import_stands_on_the_dataset_layer_alone():
    loaded = imported_after("brushbench.userdata")
    assert under(loaded, "brushbench.harness", "brushbench.runtime", "brushbench.metrics",
                 "brushbench.generator") == []
    assert "brushbench.dataset.table_files" in loaded


def test_the_dataset_cache_needs_neither_the_generator_nor_the_harness():
    loaded = imported_after("brushbench.dataset.cache")
    assert under(loaded, "brushbench.harness", "brushbench.runtime", "brushbench.generator") == []


def test_teaching_reads_submissions_without_the_harness():
    """Submissions are read by dataset.table_files, no longer through brushbench.harness."""
    loaded = imported_after("brushbench.teaching.submission")
    assert "brushbench.dataset.table_files" in loaded
    assert under(loaded, "brushbench.harness", "brushbench.runtime") == []


def test_harness_still_exports_the_runtime_names_as_the_same_objects():
    for name in runtime.__all__:
        assert name in harness.__all__
        assert getattr(harness, name) is getattr(runtime, name), name
    assert {"check_detector", "CheckReport"} <= set(harness.__all__)
    assert harness.ENTRY_POINT_GROUP == "brushbench.detectors"  # installed detectors' group
    assert harness.Scores.__module__ == "brushbench.runtime.scores"


def test_the_run_process_is_started_from_modules_that_exist():
    for name in launch.PRELOAD:
        assert importlib.util.find_spec(name) is not None, name
    # The spawn fallback runs ``python -m brushbench.runtime.child``.
    assert importlib.import_module("brushbench.runtime.child").main


@pytest.mark.parametrize("old", ["brushbench.harness.detectors", "brushbench.harness.runner",
                                 "brushbench.harness.external", "brushbench.harness.table_files",
                                 "brushbench.harness.cache"])
def test_moved_modules_are_not_left_behind_as_copies(old):
    assert importlib.util.find_spec(old) is None
