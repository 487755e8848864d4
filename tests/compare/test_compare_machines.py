"""Timings measured on another machine are not judged: ``other machine``, never a regression.

Quality metrics on generated data do not depend on the machine; time, memory and latency (the
registry's ``speed``, ``memory`` and ``latency`` kinds) do. A baseline committed from a laptop
and a run on a CI runner must not turn the runner's slowness into "worse".
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET

import pytest

from brushbench.cli import main
from brushbench.results.compare import (
    OTHER_MACHINE,
    compare_results,
    machine_bound,
    machine_differences,
)
from brushbench.results.model import Results, environment

from compare_helpers import golden

AP = "orders.average_precision"
SLOWER = "cost.score_seconds:+0%"


def on(doc, **env):
    """``doc`` as if measured on a machine with these environment keys."""
    doc = copy.deepcopy(doc)
    doc["environment"] = {**doc["environment"], **env}
    return doc


def test_timing_worse_on_another_machine_is_other_machine_not_a_regression():
    base, worse = golden("base"), golden("worse")
    same = compare_results(base, worse, fail_if=[SLOWER])
    assert same.row("flash_sale_ring", "cost.score_seconds").verdict == "worse"
    assert same.exit_code == 1                        # the gate catches it on one machine

    other = compare_results(base, on(worse, cpus=16, cpu="AMD EPYC 9654"), fail_if=[SLOWER])
    assert other.machines == ["cpus 2 vs 16"]   # the base records no CPU model: not compared
    for metric in ("cost.score_seconds", "cost.orders_per_second"):
        row = other.row("flash_sale_ring", metric)
        assert row.verdict == OTHER_MACHINE and not row.failed
        assert "cpus 2 vs 16" in row.reason
        assert row.base is not None and row.new is not None     # the numbers are still shown
    # Quality is judged as before; the timing gate cannot fail the job.
    assert other.row("mixed_naive", AP).verdict == "worse"
    assert other.regressions == [] and other.exit_code == 0
    assert other.counts()[OTHER_MACHINE] > 0 and other.counts()["worse"] == 1
    assert "time, memory and latency metrics are not judged" in other.render_text()
    assert "other machine" in other.render_markdown()
    skipped = ET.fromstring(other.to_junit_xml()).findall(".//skipped")
    assert any(s.get("message", "").startswith("other machine: cpus 2 vs 16") for s in skipped)


def test_an_explicit_option_judges_timings_across_machines():
    c = compare_results(golden("base"), on(golden("worse"), cpus=16), fail_if=[SLOWER],
                        timings_across_machines=True)
    assert c.row("flash_sale_ring", "cost.score_seconds").verdict == "worse"
    assert c.exit_code == 1 and "judged anyway" in c.render_text()


@pytest.mark.parametrize(("env", "words"), [
    ({"cpus": 8}, "cpus 2 vs 8"),
    ({"platform": "Darwin-23.1.0-arm64-arm-64bit"}, "os Linux vs Darwin"),
    ({"python": "3.12.1"}, "python 3.11 vs 3.12"),
])
def test_what_counts_as_another_machine(env, words):
    base = Results.from_json(golden("base"))
    assert machine_differences(base, Results.from_json(on(golden("base"), **env))) == [words]


def test_the_same_machine_with_another_kernel_or_library_is_the_same_machine():
    base = Results.from_json(golden("base"))
    new = Results.from_json(on(golden("base"), platform="Linux-6.9-x86_64-with-glibc2.39",
                               python="3.11.9", numpy="2.0.0"))
    assert machine_differences(base, new) == []
    gone = golden("base")
    del gone["environment"]
    assert machine_differences(base, Results.from_json(gone)) == ["new records no machine"]


def test_machine_bound_metrics_are_the_registrys_speed_memory_and_latency_kinds():
    assert machine_bound("cost.score_seconds") and machine_bound("cost.peak_memory_mb")
    assert machine_bound("cost.orders_per_second")
    assert machine_bound("stream.latency_p99_seconds")
    assert machine_bound("stream.time_to_detect.median_seconds")
    assert not machine_bound(AP) and not machine_bound("orders.n_orders")


def test_eval_records_the_cpu_model():
    env = environment()
    assert {"cpu", "cpus", "platform", "python"} <= set(env)


def test_the_command_line_option(tmp_path, capsys):
    base, new = tmp_path / "base.json", tmp_path / "new.json"
    base.write_text(json.dumps(golden("base")), encoding="utf-8")
    new.write_text(json.dumps(on(golden("worse"), cpus=16)), encoding="utf-8")
    assert main(["compare", str(base), str(new), "--fail-if", SLOWER]) == 0
    out = capsys.readouterr().out
    assert "# flash_sale_ring" in out and "other machine: cpus 2 vs 16" in out
    assert main(["compare", str(base), str(new), "--fail-if", SLOWER,
                 "--timings-across-machines"]) == 1
