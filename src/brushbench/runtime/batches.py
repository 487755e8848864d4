"""Batch windows of streamed runs: ``"1h"``, ``"30m"``, ``"1d"``... as whole seconds.

Apart from :mod:`brushbench.runtime.streaming` so that checking a ``--batch`` option does not
import pandas.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta

#: The default batch window.
DEFAULT_BATCH = "1h"

_UNITS = (("d", 86400), ("h", 3600), ("m", 60), ("s", 1))
_UNIT_SECONDS = {**dict.fromkeys(("d", "day", "days"), 86400),
                 **dict.fromkeys(("h", "hr", "hour", "hours"), 3600),
                 **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
                 **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1)}
_UNIT_PATTERN = "|".join(sorted(_UNIT_SECONDS, key=len, reverse=True))
_DURATION_PART = re.compile(rf"(\d+(?:\.\d*)?)\s*({_UNIT_PATTERN})")
_DURATION = re.compile(rf"(?:\s*\d+(?:\.\d*)?\s*(?:{_UNIT_PATTERN})\s*)+")


def parse_batch(value: str | int | float | timedelta) -> int:
    """A batch window in whole seconds: ``"1h"``, ``"30m"``, ``"15min"``, ``"1d"``, ``"90s"``,
    ``"2h30m"``, a number of seconds, or a :class:`datetime.timedelta`.

    Raises
    ------
    ValueError
        Not a duration, not positive, or not a whole number of seconds.
    """
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        lowered = value.strip().lower()
        if re.fullmatch(r"\d+(\.\d*)?", lowered):
            seconds = float(lowered)
        elif lowered and _DURATION.fullmatch(lowered):
            seconds = sum(float(number) * _UNIT_SECONDS[unit]
                          for number, unit in _DURATION_PART.findall(lowered))
        else:
            raise ValueError(f"batch window {value!r} is not a duration (e.g. 1h, 30m, 1d, "
                             "90s)")
    else:
        raise ValueError(f"batch window {value!r} is not a duration (e.g. 1h, 30m, 1d, 90s)")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"batch window {value!r} must be positive")
    if seconds != int(seconds):
        raise ValueError(f"batch window {value!r} must be a whole number of seconds")
    return int(seconds)


def batch_label(seconds: int) -> str:
    """The short form of a window: 3600 -> ``"1h"``, 5400 -> ``"90m"``, 86400 -> ``"1d"``."""
    for unit, size in _UNITS:
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"  # pragma: no cover - every integer is a whole number of seconds
