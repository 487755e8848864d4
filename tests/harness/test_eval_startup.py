"""What ``brushbench eval`` pays for before its first run when the datasets are cached: no
generator, no scipy.stats (the laws of the suite's scenarios were checked before)."""

from __future__ import annotations

import json
import subprocess
import sys

from brushbench.harness.generated import generated_dataset
from brushbench.harness.suites import load_suite


def test_a_cached_suite_is_resolved_without_the_generator_or_scipy_stats(tmp_path):
    env_cache = str(tmp_path / "cache")
    code = f"""
import json, os, sys
os.environ["BRUSHBENCH_CACHE"] = {env_cache!r}
from brushbench.harness.generated import generated_dataset
from brushbench.harness.suites import load_suite
suite = load_suite("quick")
entry = suite.entries[-1]
folder = generated_dataset(entry.scenario, 0)
print(json.dumps({{"folder": str(folder),
                  "loaded": [m for m in ("brushbench.generator.run", "scipy.stats")
                             if m in sys.modules]}}))
"""
    def run() -> dict:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True)
        return json.loads(done.stdout)

    first = run()   # generates the dataset and checks the laws
    assert "brushbench.generator.run" in first["loaded"]
    second = run()  # all cached
    assert second == {"folder": first["folder"], "loaded": []}


def test_the_suite_is_the_same_whether_its_laws_were_checked_before(tmp_path, monkeypatch):
    from brushbench.scenario import distributions

    monkeypatch.setenv("BRUSHBENCH_CACHE", str(tmp_path / "fresh"))
    monkeypatch.setattr(distributions, "_VALIDATED", None)
    first = load_suite("quick")
    assert list((tmp_path / "fresh" / "laws").glob("checked-scipy*.json"))
    monkeypatch.setattr(distributions, "_VALIDATED", None)  # read back from the file
    again = load_suite("quick")
    assert [e.hash for e in again.entries] == [e.hash for e in first.entries]
    assert again.entries == first.entries
    assert generated_dataset  # the harness's import stays cheap (checked above)


def test_the_run_server_can_be_started_before_pandas_is_imported():
    """``brushbench eval`` starts the run processes' server first: importing what starts it
    imports no pandas, numpy or pyarrow, so the server's imports overlap the command's."""
    code = ("import sys; from brushbench.runtime import launch; "
            "print([m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_a_bad_isolation_setting_is_one_line(capsys, monkeypatch):
    from brushbench.cli import main

    monkeypatch.setenv("BRUSHBENCH_ISOLATION", "bogus")
    code = main(["eval", "baselines/null.py"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == ("brushbench: error: BRUSHBENCH_ISOLATION must be 'forkserver' or 'spawn', "
                   "got 'bogus'\n")
