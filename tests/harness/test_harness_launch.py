"""How run processes start: forked from the warm server or spawned fresh, with the same outcome."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from brushbench.harness import Status, run_isolated
from brushbench.runtime.launch import ISOLATION_ENV, isolation

from harness_helpers import TIMEOUT, detector_file

MODES = ["forkserver", "spawn"]


@pytest.mark.parametrize(("value", "expected"), [("", "forkserver"), ("forkserver", "forkserver"),
                                                 ("SPAWN", "spawn")])
def test_isolation_follows_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(ISOLATION_ENV, value)
    assert isolation() == expected


def test_unknown_isolation_is_refused(monkeypatch):
    monkeypatch.setenv(ISOLATION_ENV, "threads")
    with pytest.raises(ValueError, match="forkserver' or 'spawn'"):
        isolation()


@pytest.mark.parametrize("mode", MODES)
def test_run_sees_the_callers_folder_and_environment_now(mode, data, monkeypatch, tmp_path):
    monkeypatch.setenv(ISOLATION_ENV, mode)
    # A first run starts the server; what changes afterwards must still reach the next run.
    monkeypatch.setenv("BB_TEST_SCORE", "1")
    run_isolated(detector_file("env_and_cwd"), None, data["test_dir"], timeout=TIMEOUT)
    monkeypatch.setenv("BB_TEST_SCORE", "7.5")
    monkeypatch.chdir(tmp_path)
    record = run_isolated(detector_file("env_and_cwd"), None, data["test_dir"], timeout=TIMEOUT)
    assert record.status == Status.OK, (record.reason, record.log_tail)
    assert (record.scores == 7.5).all()
    found = re.search(r"cwd=(\S+) sid=(\d+) pid=(\d+)", record.log_tail)
    assert found, record.log_tail
    assert os.path.samefile(found[1], tmp_path)
    # Its own session, so that killing the group reaches whatever it started.
    assert found[2] == found[3]
    assert int(found[3]) != os.getpid()


@pytest.mark.parametrize("mode", MODES)
def test_timeout_kills_what_the_detector_started(mode, data, monkeypatch, tmp_path):
    monkeypatch.setenv(ISOLATION_ENV, mode)
    pid_file = tmp_path / "grandchild.pid"
    monkeypatch.setenv("BB_TEST_PIDFILE", str(pid_file))
    record = run_isolated(detector_file("leaves_child"), None, data["test_dir"], timeout=3.0)
    assert record.status == Status.TIMEOUT
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


@pytest.mark.parametrize("mode", MODES)
def test_a_raising_detector_is_an_error_in_both_modes(mode, data, monkeypatch):
    monkeypatch.setenv(ISOLATION_ENV, mode)
    record = run_isolated(detector_file("raising"), None, data["test_dir"], timeout=TIMEOUT)
    assert record.status == Status.ERROR
    assert "raised ValueError: this detector always fails" in record.reason
    assert record.exit_code == 0  # the child reported the failure itself, then exited


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed process whose parent is gone is reaped by init; a zombie counts as dead.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def test_a_script_without_main_guard_is_not_re_run_by_its_runs(data, tmp_path):
    """multiprocessing re-runs the parent's main script in each child it starts; runs must not
    (a script calling brushbench at top level would start runs from inside runs)."""
    marker = tmp_path / "ran.txt"
    script = tmp_path / "unguarded.py"
    script.write_text(
        "from pathlib import Path\n"
        "from brushbench.harness import run_isolated\n"
        f"marker = Path({str(marker)!r})\n"
        "marker.write_text(marker.read_text() + 'x' if marker.exists() else 'x')\n"
        f"record = run_isolated({detector_file('function_form')!r}, None, "
        f"{str(data['test_dir'])!r}, timeout=60)\n"
        "print(record.status)\n", encoding="utf-8")
    env = {**os.environ, ISOLATION_ENV: "forkserver"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok", done.stderr
    assert marker.read_text() == "x"
