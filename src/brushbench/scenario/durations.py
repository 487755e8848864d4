"""Durations as people write them: ``90s``, ``3m``, ``24h``, ``7d``, ``1h30m``.

Units go from largest to smallest, each at most once, with whole numbers only, so that a value
has one obvious meaning (``1m30`` or ``1.5h`` are refused rather than guessed at).
"""

from __future__ import annotations

import re

_UNITS = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))
#: The accepted form, also used as the JSON Schema ``pattern`` (ECMA-262 compatible).
DURATION_PATTERN = r"^(?=\d)(\d+d)?(\d+h)?(\d+m)?(\d+s)?$"
_DURATION = re.compile(DURATION_PATTERN)
EXAMPLES = "90s, 3m, 24h, 7d or 1h30m"


def parse_duration(text: str) -> int | None:
    """Seconds in a duration string, or None when ``text`` is not one.

    Parameters
    ----------
    text : str
        A duration such as ``"1h30m"``.

    Returns
    -------
    int or None
        The number of seconds (may be 0 for ``"0s"``; callers check the bounds).
    """
    match = _DURATION.match(text)
    if match is None:
        return None
    pairs = zip(match.groups(), _UNITS, strict=True)
    return sum(int(group[:-1]) * size for group, (_, size) in pairs if group is not None)


def format_duration(seconds: int) -> str:
    """The shortest unit string for ``seconds``: 5400 -> ``"1h30m"``, 0 -> ``"0s"``.

    Parameters
    ----------
    seconds : int
        A non-negative whole number of seconds.

    Returns
    -------
    str
        A string :func:`parse_duration` reads back to ``seconds``.
    """
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in _UNITS:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts)
