"""``brushbench eval``: every run recorded with its status, metrics only for ok runs, results
comparable with themselves, exit codes as documented."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

import brushbench
from brushbench.cli import main
from brushbench.harness.evaluate import evaluate
from brushbench.harness.suites import SuiteError, load_suite
from brushbench.results import read_results, write_results
from brushbench.results.compare import compare_files

DETECTORS = Path(__file__).resolve().parents[1] / "harness" / "detectors"
SUITE = """\
name: tiny
description: two scenarios, two seeds
seeds: 2
scenarios:
  - {scenario: mixed_naive, scale: 0.004}
  - {scenario: click_farm_naive, scale: 0.05}
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    (root / "tiny.yaml").write_text(SUITE, encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("BRUSHBENCH_CACHE", str(root / "cache"))
    yield root
    mp.undo()


@pytest.fixture(scope="module")
def oracle(env):
    return evaluate(str(DETECTORS / "oracle_train.py"), load_suite(env / "tiny.yaml"),
                    timeout=60)


@pytest.fixture(scope="module")
def raising(env):
    # The top-level API, with the suite given as a file: the same function.
    return brushbench.evaluate(str(DETECTORS / "raising.py"), env / "tiny.yaml", timeout=60)


def test_every_run_is_recorded_with_metrics_and_cost(oracle):
    assert [(r.scenario, r.seed) for r in oracle.runs] == [
        ("mixed_naive", 0), ("mixed_naive", 1), ("click_farm_naive", 0), ("click_farm_naive", 1)]
    assert oracle.statuses["ok"] == 4
    for run in oracle.runs:
        assert run.train_seed != run.seed
        ap = run.metrics["orders"]["average_precision"]
        assert ap == run.value("orders.average_precision")
        base = run.value("orders.base_rate")
        assert ap > base  # a detector fitted on training labels beats chance
        assert run.cost.score_seconds is not None and run.cost.score_seconds >= 0
    assert "(all)" in oracle.summary and "mixed_naive" in oracle.summary


def test_failures_are_recorded_not_dropped_nor_scored(raising):
    assert raising.statuses["error"] == 4 and raising.statuses["ok"] == 0
    for run in raising.runs:
        assert run.metrics is None
        assert run.reason and run.traceback
    assert raising.summary == {}


def test_results_identify_suite_scenarios_and_generator(oracle, env):
    suite = load_suite(env / "tiny.yaml")
    assert oracle.suite.to_json() == {"name": "tiny", "hash": suite.hash}
    assert {r.scenario_hash for r in oracle.runs} == {e.hash for e in suite.entries}
    assert oracle.detector.name and oracle.generator_version


def test_a_detector_compared_with_itself_is_fine_and_a_failing_one_regresses(
        oracle, raising, tmp_path):

    base = write_results(oracle, tmp_path / "base.json")
    assert compare_files(base, base).exit_code == 0
    broken = write_results(replace(raising, detector=oracle.detector), tmp_path / "new.json")
    comparison = compare_files(base, broken)
    assert comparison.exit_code == 1 and comparison.regressions


def test_cli_writes_results_prints_a_table_and_exits_1_on_failed_runs(env, capsys):
    out = env / "results"
    code = main(["eval", str(DETECTORS / "random_scores.py"), str(DETECTORS / "nan_scores.py"),
                 "--suite", str(env / "tiny.yaml"), "--seeds", "1", "--out", str(out),
                 "--timeout", "60"])
    printed = capsys.readouterr().out
    assert code == 1  # nan_scores produces invalid output: recorded, and the exit says so
    files = sorted(p.name for p in out.glob("*.json"))
    assert len(files) == 2
    docs = {f: read_results(out / f) for f in files}
    statuses = {f: {r.status for r in d.runs} for f, d in docs.items()}
    assert {"ok"} in statuses.values() and {"invalid_output"} in statuses.values()
    assert "mixed_naive" in printed and "AP" in printed
    assert json.loads((out / files[0]).read_text())["schema_version"] == 1


def test_cli_compare_gates_in_one_step(env, capsys, tmp_path):
    base = tmp_path / "base.json"
    argv = ["eval", str(DETECTORS / "random_scores.py"), "--suite", str(env / "tiny.yaml"),
            "--seeds", "1", "--timeout", "60"]
    assert main([*argv, "--out", str(base)]) == 0
    code = main([*argv, "--out", str(tmp_path / "new.json"), "--compare", str(base),
                 "--fail-if", "orders.average_precision:-0.05",
                 "--markdown", str(tmp_path / "summary.md")])
    assert code == 0  # same detector, same data: nothing moved
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").strip()


def test_bad_targets_and_suites_are_one_line_errors(env, capsys):
    code = main(["eval", "no_such_detector_module_xyz", "--suite", str(env / "tiny.yaml")])
    err = capsys.readouterr().err
    assert code == 2 and "no_such_detector_module_xyz" in err and "Traceback" not in err
    with pytest.raises(SuiteError, match="no bundled suite"):
        load_suite("qiuck")


def test_bundled_suites_load():
    quick, standard = load_suite("quick"), load_suite("standard")
    assert quick.seeds >= 2 and len(standard.entries) == 10
    assert quick.hash != standard.hash


def test_the_document_has_the_layout_eval_always_wrote(oracle, tmp_path):
    """The typed model writes the keys a results file always had, in eval's order."""
    doc = oracle.to_json()
    assert list(doc) == ["schema_version", "brushbench_version", "generator_version", "suite",
                         "detector", "environment", "limits", "stream", "runs", "statuses",
                         "summary"]
    assert list(doc["runs"][0]) == ["scenario", "scenario_hash", "scale", "seed", "train_seed",
                                    "status", "reason", "phase", "problems", "traceback",
                                    "cost", "metrics", "curves", "stream"]
    assert list(doc["runs"][0]["cost"]) == ["fit_seconds", "score_seconds",
                                            "orders_per_second", "peak_memory_mb"]
    assert doc["stream"] == {"requested": False, "batch": "1h"}
    assert doc["limits"] == {"timeout_seconds": 60, "memory_mb": None}
    path = write_results(oracle, tmp_path / "r.json")
    assert json.loads(path.read_text(encoding="utf-8")) == doc
    assert read_results(path) == oracle
    assert read_results(path).to_text() == path.read_text(encoding="utf-8")


def test_a_default_memory_limit_applies_without_memory(env, monkeypatch, tmp_path):
    """With no --memory, eval runs under the default limit ($BRUSHBENCH_MEMORY_MB here, small):
    a detector allocating 1 GiB is an error naming the limit, never "ok"."""
    monkeypatch.setenv("BRUSHBENCH_MEMORY_MB", "300")
    out = tmp_path / "hog.json"
    code = main(["eval", str(DETECTORS / "memory_hog.py"), "--suite", str(env / "tiny.yaml"),
                 "--seeds", "1", "--timeout", "60", "--out", str(out)])
    assert code == 1
    runs = read_results(out).runs
    assert {r.status for r in runs} == {"error"}
    assert all("memory limit of 300 MB" in r.reason for r in runs), [r.reason for r in runs]
    assert json.loads(out.read_text())["limits"]["memory_mb"] == 300


def test_the_default_memory_limit_is_bounded_and_can_be_lifted(monkeypatch, capsys):
    from brushbench.runtime.runner import DEFAULT_MEMORY_CAP_MB, default_memory_mb, memory_option

    monkeypatch.delenv("BRUSHBENCH_MEMORY_MB", raising=False)
    assert 0 < default_memory_mb() <= DEFAULT_MEMORY_CAP_MB
    assert memory_option(None) == default_memory_mb()
    assert memory_option(0) is None and memory_option(500) == 500
    monkeypatch.setenv("BRUSHBENCH_MEMORY_MB", "0")
    assert memory_option(None) is None
    monkeypatch.setenv("BRUSHBENCH_MEMORY_MB", "lots")
    assert main(["eval", "x.py", "--suite", "quick"]) == 2
    assert "BRUSHBENCH_MEMORY_MB must be a whole number" in capsys.readouterr().err
    monkeypatch.delenv("BRUSHBENCH_MEMORY_MB")
    assert main(["eval", "x.py", "--suite", "quick", "--memory", "-5"]) == 2
    assert "--memory must be >= 0" in capsys.readouterr().err


def test_runs_are_reported_in_order_and_leave_no_private_copies(env, monkeypatch, tmp_path):
    # The harness scores one run and copies the next run's data while a detector works:
    # progress must still come once per run, in the suite's order, a finished run's private
    # folder must be gone by the time it is reported (only the next run's exists then), and
    # none afterwards.
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    seen, folders = [], []

    def tick(progress):
        seen.append(progress)
        folders.append(len(list(tmp_path.glob("brushbench-run-*"))))

    results = evaluate(str(DETECTORS / "oracle_train.py"), load_suite(env / "tiny.yaml"),
                       timeout=60, progress=tick)
    assert [(p.done, p.total, p.scenario, p.seed) for p in seen] == [
        (i + 1, 4, run.scenario, run.seed) for i, run in enumerate(results.runs)]
    assert [str(p.status) for p in seen] == ["ok"] * 4
    assert max(folders) <= 1
    assert not list(tmp_path.glob("brushbench-run-*"))
