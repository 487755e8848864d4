"""The command line: what a user types, what they read, and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from brushbench.cli import main
from brushbench.dataset import load


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_scenarios_lists_every_bundled_scenario_with_a_description(capsys):
    code, out, _ = run(capsys, "scenarios")
    assert code == 0
    lines = out.strip().splitlines()
    names = [line.split()[0] for line in lines]
    assert {"double11", "flash_sale", "normal_week"} <= set(names)
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)


def test_generate_writes_a_dataset_and_prints_a_summary(tmp_path, capsys):
    out_dir = tmp_path / "fs"
    code, out, err = run(capsys, "generate", "flash_sale", "--out", str(out_dir), "--scale",
                         "0.02", "--seed", "0", "--format", "csv")
    assert code == 0, err
    data = load(out_dir)
    assert data.manifest["seed"] == 0 and data.manifest["format"] == "csv"
    assert f"{len(data.orders):,}" in out
    assert "orders/s" in out


def test_generate_refuses_to_overwrite_without_the_flag(tmp_path, capsys):
    out_dir = tmp_path / "d"
    assert run(capsys, "generate", "flash_sale", "--out", str(out_dir), "--scale", "0.01")[0] == 0
    before = (out_dir / "manifest.json").read_bytes()
    code, _, err = run(capsys, "generate", "flash_sale", "--out", str(out_dir), "--scale", "0.01",
                       "--seed", "5")
    assert code == 2 and "--overwrite" in err and "Traceback" not in err
    assert (out_dir / "manifest.json").read_bytes() == before
    code, _, _ = run(capsys, "generate", "flash_sale", "--out", str(out_dir), "--scale", "0.01",
                     "--seed", "5", "--overwrite")
    assert code == 0 and load(out_dir).manifest["seed"] == 5


def test_unknown_scenario_is_one_line_naming_the_bundled_ones(tmp_path, capsys):
    code, _, err = run(capsys, "generate", "dubble11", "--out", str(tmp_path / "x"))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "double11" in err and "Traceback" not in err
    assert not (tmp_path / "x").exists()


def test_invalid_scenario_gets_located_lines_and_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nwindow:\n  start: 2020-01-01T00:00:00\n  duraton: 24h\n"
                   "traffic:\n  orders: -5\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(bad))
    assert code == 2
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{bad}:4:3: window.duraton:") and "duration" in lines[0]
    assert lines[1].startswith(f"{bad}:6:11: traffic.orders:")
    code, _, err = run(capsys, "generate", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2 and f"{bad}:4:3" in err and "Traceback" not in err


def test_validate_accepts_the_bundled_files(capsys):
    from brushbench.scenario.bundled import bundled_dir, bundled_names

    files = [str(bundled_dir() / f"{n}.yaml") for n in bundled_names()]
    code, out, _ = run(capsys, "validate", *files)
    assert code == 0 and out.count(": ok") == len(files)


def test_schema_is_json_describing_the_top_level_keys(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert {"name", "window", "marketplace", "traffic", "fraud"} <= set(schema["properties"])


@pytest.mark.parametrize("argv", [["generate", "double11", "--out", "x", "--scale", "0"],
                                  ["generate", "double11", "--out", "x", "--seed", "-1"]])
def test_bad_options_are_user_errors(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_console_script_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "brushbench.cli", "--version"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "brushbench" in result.stdout
