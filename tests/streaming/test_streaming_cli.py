"""``brushbench eval --stream``: the results JSON carries the stream section, with the time to
detect each campaign of a naive click farm."""

from __future__ import annotations

import pytest

from brushbench.cli import main
from brushbench.results import read_results

from streaming_helpers import SCALE, SCENARIO, detector_file

SUITE = f"""\
name: stream_tiny
description: one naive click farm, one seed
seeds: 1
scenarios:
  - {{scenario: {SCENARIO}, scale: {SCALE}}}
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("stream_eval")
    (root / "tiny.yaml").write_text(SUITE, encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("BRUSHBENCH_CACHE", str(root / "cache"))
    yield root
    mp.undo()


def _eval(env, name, *extra):
    out = env / f"{name}{'_'.join(extra).replace('-', '')}.json"
    code = main(["eval", detector_file(name), "--suite", str(env / "tiny.yaml"),
                 "--timeout", "60", "--out", str(out), *extra])
    return code, read_results(out)


def test_eval_stream_writes_the_stream_section(env, capsys):
    code, doc = _eval(env, "both_modes", "--stream", "--batch", "30m")
    assert code == 0, capsys.readouterr()
    assert doc.stream.to_json() == {"requested": True, "batch": "30m"}
    run = doc.runs[0]
    assert run.ok and run.metrics is not None
    assert run.value("stream.latency_p99_seconds") == run.stream["latency_p99_seconds"]
    stream = run.stream
    assert stream["batch"] == "30m" and stream["batches"] > 0
    assert 0 < stream["latency_p50_seconds"] <= stream["latency_p99_seconds"]
    ttd = stream["time_to_detect"]
    assert ttd["n_campaigns"] >= 1 and ttd["n_alerted"] >= 1
    detected = [c for c in ttd["per_campaign"].values() if isinstance(c["seconds"], float)]
    assert detected and all(0 < c["seconds"] for c in detected)
    farm = ttd["per_pattern"]["click_farm"]
    if 2 * farm["n_alerted"] > farm["n_campaigns"]:
        assert isinstance(farm["median_seconds"], float)
    else:  # never-alerted campaigns count as late: no median from the easy ones alone
        assert "never alerted" in farm["median_seconds"]["reason"]
    # the mean over seeds covers the stream section, without per-campaign details
    summary = doc.summary[SCENARIO]["stream"]
    assert "latency_p99_seconds" in summary and "per_campaign" not in summary["time_to_detect"]


def test_eval_without_stream_evaluates_score_and_a_bad_window_is_refused(env, capsys):
    code, doc = _eval(env, "both_modes")
    assert code == 0
    assert doc.stream.requested is False and doc.runs[0].stream is None
    assert main(["eval", detector_file("both_modes"), "--suite", str(env / "tiny.yaml"),
                 "--batch", "soon"]) == 2
    assert "--batch" in capsys.readouterr().err
