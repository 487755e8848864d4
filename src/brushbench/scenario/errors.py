"""Located scenario errors: one line per problem, ``file:LINE:COL: key.path: message``.

Editors and CI logs recognise the ``file:line:col:`` prefix and jump to it, so every problem the
loader finds, whether a YAML syntax error, a wrong type or a cross-field rule, is reported in this
one shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: A key path: mapping keys (str) and list indexes (int) from the top of the file.
KeyPath = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

#: The most characters an issue's message (and its key path, and its file name) shows: fuzzed
#: files once gave messages of megabytes, quoting what they held.
MAX_TEXT = 600
#: The most issues a report lists; the rest are counted in one more line.
MAX_ISSUES = 50


def cap(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit:,} more characters)"


def cap_lines(lines: Iterable[str], limit: int = MAX_ISSUES) -> list[str]:
    """At most ``limit`` lines, and then one saying how many more there were."""
    lines = list(lines)
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"... and {len(lines) - limit} more issue(s)"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file, 1-based like an editor shows it."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


def format_path(path: KeyPath) -> str:
    """Render a key path as ``traffic.promotions[0].burst_tau``.

    Parameters
    ----------
    path : tuple of str or int
        Keys and list indexes from the top of the file; the empty path is the document itself.

    Returns
    -------
    str
        Dotted keys, ``[i]`` for indexes, ``['odd key']`` for keys that are not plain names, and
        ``(top level)`` for the empty path.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out or "(top level)"


@dataclass(frozen=True)
class Issue:
    """One problem in a scenario file.

    Attributes
    ----------
    location : Location
        Where the offending value (or key) starts.
    path : str
        The key path, e.g. ``traffic.promotions[0].burst_tau``, or a placeholder in parentheses
        such as ``(yaml)`` when the problem is not under a key.
    message : str
        What was expected and what was found.
    """

    location: Location
    path: str
    message: str

    def __str__(self) -> str:
        # Messages may quote user text; folding whitespace keeps the report one line per issue.
        message = cap(" ".join(self.message.split()))
        path = cap(" ".join(self.path.split()), 120)
        where = Location(cap(self.location.file, 200), self.location.line, self.location.column)
        return f"{where}: {path}: {message}"


class ScenarioError(Exception):
    """A scenario that cannot be loaded; ``issues`` holds every problem found, in file order."""

    def __init__(self, issues: Iterable[Issue]):
        self.issues: tuple[Issue, ...] = tuple(issues)
        super().__init__("\n".join(cap_lines(str(i) for i in self.issues)))


def sort_issues(issues: Iterable[Issue], first: str | None = None) -> list[Issue]:
    """Issues in reading order, duplicates removed.

    Parameters
    ----------
    issues : iterable of Issue
    first : str, optional
        A file whose issues come before those of other files (the file the user loaded, ahead
        of the files it extends).

    Returns
    -------
    list of Issue
        Sorted by file (``first``, then by name), line, column and key path.
    """
    unique = dict.fromkeys(issues)
    return sorted(unique, key=lambda i: (i.location.file != first, i.location, i.path))
