"""Progress of long work on stderr: a live bar on a terminal, a line now and then elsewhere.

On a terminal the bar is redrawn in place (at most every ``min_interval`` seconds). Elsewhere
(a CI log, a file) one line is printed when the work has moved on by at least ``every_fraction``
of the total *and* at least ``every_seconds`` have passed since the last line, whichever is
rarer: a short job prints nothing, a long one a handful of lines, never a flood.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO


class ProgressBar:
    """``update(done, total, detail)`` as the work advances; ``finish()`` at the end.

    Called with a generator ``Progress`` (``shards_done``, ``shards_total``, ``orders``), it
    reports shards and orders, so it is the ``progress`` hook of ``generate_to``.
    """

    def __init__(self, stream: TextIO | None = None, *, label: str = "",
                 unit: str = "", min_interval: float = 0.2, every_fraction: float = 0.1,
                 every_seconds: float = 5.0, clock: Callable[[], float] = time.monotonic,
                 terminal: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.terminal = self._isatty() if terminal is None else terminal
        self.label = label
        self.unit = unit
        self._clock = clock
        self._started = clock()
        self._last = self._started
        self._last_fraction = 0.0
        self._min_interval = min_interval
        self._every_fraction = every_fraction
        self._every_seconds = every_seconds
        self._drawn = False

    def _isatty(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except (AttributeError, ValueError):
            return False

    def __call__(self, p: Any) -> None:
        """The generator's hook: a ``Progress`` of shards."""
        self.update(p.shards_done, p.shards_total, f"{p.orders:,} orders")

    def update(self, done: int, total: int, detail: str = "") -> None:
        now = self._clock()
        fraction = done / total if total > 0 else 1.0
        elapsed = now - self._started
        unit = f" {self.unit}" if self.unit else ""
        counts = f"{done}/{total}{unit}" + (f"  {detail}" if detail else "")
        if self.terminal:
            if now - self._last < self._min_interval and done < total and self._drawn:
                return
            width = 30
            filled = int(width * min(fraction, 1.0))
            prefix = f"{self.label} " if self.label else ""
            self.stream.write(f"\r{prefix}[{'#' * filled}{'.' * (width - filled)}] "
                              f"{counts}  {elapsed:5.1f}s")
            self.stream.flush()
            self._drawn = True
            self._last = now
            return
        # (a little slack: a clock or a fraction that adds up floats lands just below the mark)
        if (now - self._last >= self._every_seconds - 1e-6
                and fraction - self._last_fraction >= self._every_fraction - 1e-9):
            prefix = f"{self.label}: " if self.label else ""
            self.stream.write(f"{prefix}{fraction:4.0%} {counts}, {elapsed:.0f}s\n")
            self.stream.flush()
            self._last = now
            self._last_fraction = fraction

    def finish(self) -> None:
        """Clear the terminal's bar (a log keeps its lines)."""
        if self.terminal and self._drawn:
            self.stream.write("\r" + " " * 79 + "\r")
            self.stream.flush()
            self._drawn = False
