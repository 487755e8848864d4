"""Generator workers die with a killed `generate` instead of computing shards for minutes."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

SCRIPT = """\
import concurrent.futures as cf, os, time
from brushbench.generator.engines import _init_worker
with cf.ProcessPoolExecutor(max_workers=2, initializer=_init_worker,
                            initargs=(None, os.getpid())) as pool:
    for _ in range(2):
        pool.submit(time.sleep, 600)
    time.sleep(0.5)
    print(" ".join(str(pid) for pid in pool._processes), flush=True)
    time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_parent():
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "workers outlived their killed parent"
    assert os.getpid() not in workers
