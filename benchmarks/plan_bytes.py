"""Bytes of every numpy array a generation plan holds, largest first (docs/performance.md).

    python benchmarks/plan_bytes.py [SCENARIO] [SCALE]

What a worker keeps for the whole run besides the block it is on: the plan should grow with
the shops, items and planned events, never with the buyers.
"""

from __future__ import annotations

import dataclasses
import sys
import time

import numpy as np

import brushbench
from brushbench.generator.run import _prepare


def arrays(obj, path: str, seen: set[int]) -> list[tuple[int, str, tuple[int, ...]]]:
    """(bytes, path, shape) of each array reachable through dataclasses, tuples and lists."""
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return [(obj.nbytes, path, obj.shape)]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [row for f in dataclasses.fields(obj)
                for row in arrays(getattr(obj, f.name), f"{path}.{f.name}", seen)]
    if isinstance(obj, tuple | list):
        return [row for i, x in enumerate(obj) for row in arrays(x, f"{path}[{i}]", seen)]
    return []


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "double11"
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    started = time.perf_counter()
    _, _, plan = _prepare(brushbench.load_scenario(name), None, scale)
    rows = sorted(arrays(plan, "plan", set()), reverse=True)
    print(f"{name} at scale {scale:g}: planned in {time.perf_counter() - started:.1f} s")
    for size, path, shape in rows[:10]:
        print(f"{size / 2**20:9.1f} MiB  {path} {shape}")
    print(f"{sum(r[0] for r in rows) / 2**20:9.1f} MiB in all")


if __name__ == "__main__":
    main()
