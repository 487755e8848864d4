"""Where a partitioned run's CPU goes: per thread with one worker, per process with two.

    python benchmarks/workers_cpu.py SCALE WORKERS OUT

Generates ``double11`` at ``SCALE`` with ``--partition yes`` into ``OUT`` (removed afterwards)
and prints one JSON line: wall seconds, the main thread's and the main process's CPU seconds,
and with several workers each worker process's CPU seconds for the parts it wrote. On a shared
machine the wall time follows the CPU share the session gets (Linux's autogroup scheduling
shares the cores between sessions, not processes); the CPU figures show the critical path an
idle machine would have: with two workers, the planning in the main process plus the busiest
worker, against the whole run in one process (see docs/performance.md).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from typing import Any

import brushbench
from brushbench.generator import run

_write_part = run.write_part


def _timed_part(plan: Any, *args: Any) -> tuple[Any, int, float]:
    # One task at a time per worker process, so the process's CPU clock is this part's.
    started = time.process_time()
    done = _write_part(plan, *args)
    return done, os.getpid(), time.process_time() - started


class _Timed:
    """An engine that runs ``_timed_part`` instead and adds up each worker's CPU."""

    def __init__(self, engine: Any, per_pid: dict[int, float]):
        self.engine, self.workers, self.per_pid = engine, engine.workers, per_pid

    def submit(self, fn: Any, *args: Any) -> Any:
        future = self.engine.submit(_timed_part, *args)
        per_pid = self.per_pid

        class Result:
            def result(self) -> Any:
                done, pid, cpu = future.result()
                per_pid[pid] = per_pid.get(pid, 0.0) + cpu
                return done

        return Result()


def main(scale: float, workers: int, out: str) -> None:
    per_pid: dict[int, float] = {}
    emit = run._emit_parts
    run._emit_parts = lambda plan, writer, engine, *rest: emit(  # type: ignore[assignment]
        plan, writer, None if engine is None else _Timed(engine, per_pid), *rest)
    started = time.perf_counter()
    summary = run.generate_to(out, brushbench.load_scenario("double11"), seed=1, scale=scale,
                              workers=workers, partition=True)
    wall = time.perf_counter() - started
    print(json.dumps({
        "workers": workers, "orders": summary.rows["orders"], "wall": round(wall, 1),
        "main_thread_cpu": round(time.thread_time(), 1),
        "main_process_cpu": round(time.process_time(), 1),
        "worker_cpu": sorted(round(v, 1) for v in per_pid.values()),
        "load_average": round(os.getloadavg()[0], 2),
    }))
    shutil.rmtree(out)


if __name__ == "__main__":
    main(float(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
