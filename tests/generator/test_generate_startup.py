"""What ``brushbench generate`` imports: no scipy.stats (half a second or more of a run) once
the scenario's laws were checked before. Means and draws of the laws the bundled scenarios
use are computed without it (scenario/distributions.py); a scenario naming a rarer law still
gets it, as the fallback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from brushbench.scenario.bundled import bundled_names

_LOAD_ALL = """
from brushbench.scenario import load_scenario
from brushbench.scenario.bundled import bundled_names
for name in bundled_names():
    load_scenario(name)
"""

_GENERATE = """
import json, sys
from brushbench.cli import main
from brushbench.generator.run import generate_to
from brushbench.scenario import load_scenario
from brushbench.scenario.bundled import bundled_names

out, names = sys.argv[1], sys.argv[2:]
main(["generate", names[0], "--scale", "0.01", "--out", out, "--overwrite"])
first = None if "scipy.stats" not in sys.modules else names[0]
for name in names[1:]:
    if first is None:
        generate_to(out, load_scenario(name), scale=0.005, overwrite=True)
        first = None if "scipy.stats" not in sys.modules else name
print(json.dumps(first))
"""


def _python(code: str, *args: str, cache: str) -> str:
    env = {**os.environ, "BRUSHBENCH_CACHE": cache}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=True, env=env)
    return done.stdout


def test_generating_a_bundled_scenario_imports_no_scipy_stats(tmp_path):
    cache = str(tmp_path / "cache")
    _python(_LOAD_ALL, cache=cache)  # checks the laws (with scipy.stats) and remembers them
    names = ["double11", *sorted(set(bundled_names()) - {"double11"})]
    last = _python(_GENERATE, str(tmp_path / "out"), *names, cache=cache).splitlines()[-1]
    assert json.loads(last) is None, f"generating {last} imported scipy.stats"
