"""What importing costs: ``import brushbench``, and the layers a detector's process reads with.

    pytest benchmarks/bench_import.py --benchmark-only

Each round is a fresh interpreter (``python -X importtime -c "import ..."``); ``import_ms`` in
the extra info is the module's own cumulative figure from ``-X importtime``, without the
interpreter's start-up, and the benchmark's time is the whole process. Target:
``import brushbench`` under 0.5 s.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

MODULES = ["brushbench", "brushbench.dataset.dataset", "brushbench.scenario",
           "brushbench.generator.run"]


def _import_ms(module: str) -> float:
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                         capture_output=True, text=True, check=True).stderr
    # "import time: self [us] | cumulative | imported package": the line naming the module.
    pattern = re.compile(rf"^import time:\s+\d+ \|\s+(\d+) \|\s*{re.escape(module)}$", re.M)
    return int(pattern.findall(err)[-1]) / 1000


@pytest.mark.parametrize("module", MODULES)
def test_import(benchmark, module):
    samples: list[float] = []
    benchmark.pedantic(lambda: samples.append(_import_ms(module)), rounds=5, iterations=1)
    benchmark.extra_info["import_ms"] = sorted(samples)[len(samples) // 2]
    if module == "brushbench":
        assert benchmark.extra_info["import_ms"] < 500
