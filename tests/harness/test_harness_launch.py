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


def _start_harness(tmp_path, data, detector, mode):
    """A harness in a process of its own running ``detector`` with a long timeout, and the pid
    file its detector (or the detector's own child) writes once running."""
    pid_file = tmp_path / "detector.pid"
    script = tmp_path / "harness.py"
    script.write_text(
        "from brushbench.harness import run_isolated\n"
        f"run_isolated({detector_file(detector)!r}, None, {str(data['test_dir'])!r}, "
        "timeout=600)\n", encoding="utf-8")
    env = {**os.environ, ISOLATION_ENV: mode, "BB_TEST_PIDFILE": str(pid_file)}
    harness = subprocess.Popen([sys.executable, str(script)], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (pid_file.is_file() and pid_file.read_text().strip()):
        assert harness.poll() is None, "the harness ended before its detector ran"
        assert time.monotonic() < deadline, "the detector never started"
        time.sleep(0.05)
    time.sleep(0.1)
    return harness, int(pid_file.read_text())


def _gone_soon(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


@pytest.mark.parametrize("mode", MODES)
def test_a_detector_dies_with_a_killed_harness(mode, data, tmp_path):
    """kill -9 of the harness: nobody is left to time the run out, so the run must die too."""
    harness, detector = _start_harness(tmp_path, data, "sleeps_with_pid", mode)
    harness.kill()
    harness.wait()
    assert _gone_soon(detector), f"the detector ({detector}) outlived its killed harness"


@pytest.mark.parametrize("mode", MODES)
def test_sigterm_to_the_harness_ends_the_runs_process_group(mode, data, tmp_path):
    """SIGTERM: the harness kills its runs' process groups, so even what the detector started
    is gone, and the harness still ends by SIGTERM."""
    harness, grandchild = _start_harness(tmp_path, data, "leaves_child", mode)
    harness.terminate()
    assert harness.wait(timeout=30) == -15
    assert _gone_soon(grandchild), f"the detector's child ({grandchild}) outlived the harness"


def test_the_death_signal_is_set_in_a_child():
    code = ("from brushbench._lifetime import die_with_parent, death_signal\n"
            "import os, signal\n"
            "assert death_signal() == 0\n"
            "die_with_parent(os.getppid())\n"
            "print(death_signal() == signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == ("True" if sys.platform.startswith("linux") else "False")
