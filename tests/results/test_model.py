"""The typed results model: JSON -> model -> JSON gives the same document (the same bytes for
files eval wrote), older and newer layouts included; metrics read by dotted path."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest

from brushbench.results import (
    Results,
    ResultsError,
    Run,
    Undefined,
    comparability,
    read_results,
    write_results,
)
from brushbench.results.model import count_statuses

ROOT = Path(__file__).resolve().parents[2]
WRITTEN_BY_EVAL = sorted((ROOT / "leaderboard" / "results").glob("*.json"))
HAND_MADE = [*sorted((ROOT / "tests" / "compare" / "golden").glob("*.json")),
             *sorted((ROOT / "tests" / "leaderboard" / "fixtures").glob("*.json"))]


def _id(path):
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("path", WRITTEN_BY_EVAL, ids=_id)
def test_a_stored_results_file_round_trips_byte_for_byte(path, tmp_path):
    text = path.read_text(encoding="utf-8")
    results = Results.from_json(json.loads(text), str(path))
    assert results.to_text() == text
    assert results.to_json() == json.loads(text)
    copy_path = write_results(read_results(path), tmp_path / path.name)
    assert copy_path.read_bytes() == path.read_bytes()
    assert read_results(copy_path) == results


@pytest.mark.parametrize("path", HAND_MADE, ids=_id)
def test_older_and_hand_made_layouts_round_trip_key_for_key(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    results = Results.from_json(doc)
    assert results.to_json() == doc
    # Written with sorted keys, as eval writes: the same text as the document's.
    assert results.to_text() == json.dumps(doc, indent=2, sort_keys=True) + "\n"
    assert Results.from_json(results.to_json()) == results


def test_keys_an_older_file_lacks_stay_absent():
    doc = json.loads((ROOT / "tests" / "compare" / "golden" / "base.json").read_text())
    assert "limits" not in doc and "reason" not in doc["runs"][0]
    results = Results.from_json(doc)
    assert results.limits is None and results.stream is None and results.statuses is None
    run = results.runs[0]
    assert run.reason is None and run.curves is None and "reason" in run.omitted
    out = results.to_json()
    assert "limits" not in out and "statuses" not in out and "data" not in out
    assert "reason" not in out["runs"][0] and "curves" not in out["runs"][0]


def test_keys_this_version_does_not_know_are_kept():
    doc = json.loads((ROOT / "tests" / "compare" / "golden" / "base.json").read_text())
    doc["provenance"] = {"ci": "job 17"}
    doc["runs"][0]["notes"] = ["rerun"]
    doc["runs"][0]["cost"]["gpu_seconds"] = 1.5
    doc["suite"]["label"] = "nightly"
    doc["data"] = None
    results = Results.from_json(doc)
    assert results.extra == {"provenance": {"ci": "job 17"}, "data": None}
    assert results.runs[0].extra == {"notes": ["rerun"]}
    assert results.to_json() == doc


def test_a_new_document_has_every_key_and_derives_its_counts():
    run = Run(scenario="s", scenario_hash="h", seed=0, status="error", problems=("boom",))
    assert run.to_json() == {"scenario": "s", "scenario_hash": "h", "scale": None, "seed": 0,
                             "train_seed": None, "status": "error", "reason": None,
                             "phase": None, "problems": ["boom"], "traceback": None,
                             "cost": None, "metrics": None, "curves": None, "stream": None}
    assert run.detail() == "boom" and not run.ok
    assert count_statuses([run, run])["error"] == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.status = "ok"  # type: ignore[misc]


def test_metrics_are_read_by_dotted_path():
    doc = json.loads((ROOT / "tests" / "compare" / "golden" / "undefined_metric.json").read_text())
    run = Results.from_json(doc).runs[0]
    assert run.value("orders.average_precision") == run.metrics["orders"]["average_precision"]
    assert run.value("cost.peak_memory_mb") == run.cost.peak_memory_mb
    assert run.get("orders.roc_auc") == Undefined("null") and run.value("orders.roc_auc") is None
    assert run.get("orders.nothing") is None
    values = run.values()
    assert values["per_pattern.click_farm.recall_at_1pct"] == run.value(
        "per_pattern.click_farm.recall_at_1pct")
    values.clear()  # a copy: the run's own values are untouched
    assert run.values()


@pytest.mark.parametrize(("edit", "words"), [
    (lambda d: d.update(suite="quick"), "'suite' must be a JSON object"),
    (lambda d: d["runs"][0].update(seed="1"), "runs[0].seed must be an integer"),
    (lambda d: d["runs"][1].update(problems="boom"), "runs[1].problems must be a list"),
    (lambda d: d["runs"][0].update(metrics=[0.5]), "metrics must be a JSON object"),
    (lambda d: d["runs"][0].update(status="crashed"), "runs[0].status 'crashed'"),
    (lambda d: d.update(schema_version=2), "results schema version 2"),
])
def test_documents_that_cannot_be_results_are_refused_in_one_line(edit, words):
    doc = json.loads((ROOT / "tests" / "compare" / "golden" / "base.json").read_text())
    edit(doc)
    with pytest.raises(ResultsError) as info:
        Results.from_json(doc, "x.json")
    assert words in str(info.value) and str(info.value).startswith("x.json")
    assert "\n" not in str(info.value)


def test_comparability_reads_the_model():
    golden = ROOT / "tests" / "compare" / "golden"
    base = read_results(golden / "base.json")
    assert comparability(base, base) == []
    other = read_results(golden / "other_generator.json")
    assert comparability(base, other) == ["different generator versions (1 vs 2)"]
    fewer = dataclasses.replace(base, runs=base.runs[:-1])
    assert "different scenario hashes or seeds" in comparability(base, fewer)[0]


def test_write_results_takes_a_document_too(tmp_path):
    doc = json.loads((ROOT / "tests" / "compare" / "golden" / "base.json").read_text())
    path = write_results(copy.deepcopy(doc), tmp_path / "r.json")
    assert json.loads(path.read_text()) == doc
    with pytest.raises(ResultsError, match="missing runs"):
        write_results({k: v for k, v in doc.items() if k != "runs"}, tmp_path / "bad.json")
