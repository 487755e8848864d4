"""The metric registry: every metric a results file carries is in it, once, with a direction;
docs/metrics.md's table is generated from it and must not drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from brushbench.metrics import registry
from brushbench.metrics.registry import REGISTRY, direction, lookup, spec

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "metrics.md"
STORED = [*sorted((ROOT / "leaderboard" / "results").glob("*.json")),
          *sorted((ROOT / "tests" / "compare" / "golden").glob("*.json")),
          *sorted((ROOT / "tests" / "leaderboard" / "fixtures").glob("*.json"))]


def _paths(tree, prefix=""):
    """Dotted paths of the numeric leaves and undefined markers of a run's section."""
    if not isinstance(tree, dict):
        return
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and "value" in value:
            yield path
        elif isinstance(value, dict):
            yield from _paths(value, path + ".")
        elif value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            yield path


def test_docs_metrics_md_has_the_registry_table_as_generated():
    text = DOCS.read_text(encoding="utf-8")
    assert registry.DOC_BEGIN in text and registry.DOC_END in text
    assert registry.replace_table(text) == text, (
        "docs/metrics.md's metric table drifted from brushbench.metrics.registry: run "
        "python -m brushbench.metrics.registry --write docs/metrics.md")
    for s in REGISTRY:
        assert f"`{s.name}`" in text


def test_the_check_command_fails_on_a_stale_table(tmp_path, capsys):
    stale = tmp_path / "metrics.md"
    stale.write_text(DOCS.read_text(encoding="utf-8").replace("| higher |", "| lower |", 1),
                     encoding="utf-8")
    assert registry.main(["--check", str(stale)]) == 1
    assert "--write" in capsys.readouterr().err
    assert registry.main(["--write", str(stale)]) == 0
    assert stale.read_text(encoding="utf-8") == DOCS.read_text(encoding="utf-8")
    assert registry.main(["--check", str(DOCS)]) == 0


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_metric_of_the_stored_results_is_in_the_registry_once(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    for run in doc["runs"]:
        sections = [(run.get("metrics"), ""), (run.get("cost"), "cost."),
                    (run.get("stream"), "stream.")]
        for tree, prefix in sections:
            for p in _paths(tree, prefix):
                matches = [s.name for s in REGISTRY if s.matches(p)]
                # A whole section may be one undefined marker (predictions not given).
                if not matches and "." not in p:
                    continue
                assert len(matches) == 1, (p, matches)


def test_streaming_metrics_are_in_the_registry():
    for p, want in [("stream.latency_p99_seconds", "lower"),
                    ("stream.time_to_detect.median_seconds", "lower"),
                    ("stream.time_to_detect.per_pattern.click_farm.median_seconds", "lower"),
                    ("stream.time_to_detect.per_campaign.c-001.seconds", "lower"),
                    ("stream.time_to_detect.n_alerted", "higher"),
                    ("stream.time_to_detect.n_campaigns", None),
                    ("stream.batches", None)]:
        assert lookup(p) is not None, p
        assert direction(p) == want, p
    assert spec("stream.latency_p99_seconds").relative_noise
    assert spec("stream.time_to_detect.per_campaign.c.1.seconds").kind == "latency"


def test_directions():
    higher = ["orders.average_precision", "orders.roc_auc", "orders.recall_at_1pct",
              "orders.precision_at_0p5pct", "orders.recall_at_0.01", "orders.recall_at_1pct_fpr",
              "per_pattern.click_farm.recall_at_1pct", "per_pattern.unspecified.average_precision",
              "campaigns.recall_at_1pct", "buyers.average_precision", "shops.roc_auc",
              "predictions.f1", "cost.orders_per_second"]
    lower = ["cost.score_seconds", "cost.fit_seconds", "cost.peak_memory_mb",
             "false_alarms.flash_sale.rate_at_1pct", "false_alarms.all.flagged_at_1pct"]
    neither = ["orders.n_orders", "orders.base_rate", "per_pattern.click_farm.n_orders",
               "false_alarms.bulk.n_orders", "buyers.n_unscored", "predictions.n_alerts",
               "per_camouflage.0p5.camouflage"]
    assert [direction(m) for m in higher] == ["higher"] * len(higher)
    assert [direction(m) for m in lower] == ["lower"] * len(lower)
    assert [direction(m) for m in neither] == [None] * len(neither)
    assert spec("orders.average_precision").higher_is_better is True
    assert spec("cost.peak_memory_mb").higher_is_better is False
    assert spec("orders.n_orders").higher_is_better is None
    # Not guessed from a name: an unknown path has no direction.
    assert lookup("legit.flash_sale.false_alarm_rate") is None
    assert direction("orders.average_precision_v2") is None
    with pytest.raises(KeyError, match="not a metric"):
        spec("orders.nothing")


def test_formats_and_kinds():
    assert spec("orders.average_precision").format(0.81234) == "0.812"
    assert spec("false_alarms.bulk.rate_at_1pct").format(0.00332) == "0.33%"
    assert spec("cost.orders_per_second").format(123456.7) == "123,457"
    assert {s.kind for s in REGISTRY} <= set(registry.KINDS)
    assert len({s.name for s in REGISTRY}) == len(REGISTRY)
    assert all(s.doc and "\n" not in s.doc for s in REGISTRY)
    with pytest.raises(ValueError, match="direction"):
        registry.MetricSpec("x.y", "up", "quality", "share", ".3f", "doc")  # type: ignore[arg-type]
