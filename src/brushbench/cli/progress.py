"""A one-line progress bar on stderr, shown only on a terminal (never in CI logs)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ..generator.run import Progress


class ProgressBar:
    def __init__(self, stream: TextIO | None = None, min_interval: float = 0.2) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = 0.0
        self._started = time.perf_counter()
        self._min_interval = min_interval

    def __call__(self, p: Progress) -> None:
        now = time.perf_counter()
        if not self.enabled or (now - self._last < self._min_interval
                                and p.shards_done < p.shards_total):
            return
        self._last = now
        width = 30
        filled = int(width * p.shards_done / max(p.shards_total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                          f"{p.shards_done}/{p.shards_total} shards  {p.orders:,} orders  "
                          f"{now - self._started:5.1f}s")
        self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.flush()
