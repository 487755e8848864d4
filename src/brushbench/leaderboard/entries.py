"""The leaderboard's entries: the results files of a folder, checked to be comparable.

A leaderboard folder holds one results file per detector (``<name>.json``, as ``brushbench eval
--out`` writes it) and, optionally, ``entries.yaml``, which says which entries the maintainers
reproduced (``verified``) and describes them::

    ten_line:                          # results/ten_line.json
      status: verified                 # or self-reported, the default for an unlisted file
      description: Devices and addresses shared by many accounts
      link: examples/ten_line_detector.py

Only comparable results are ranked together (:func:`brushbench.results.model.comparability`:
the same suite hash, generator version and (scenario, scenario hash, seed) runs). The entries
are grouped by that identity; the largest group is the leaderboard (ties go to the group with
more verified entries, then to the one whose first file name sorts first) and every other file
is *refused*, listed with a one-line reason, never ranked and never dropped silently. A file
that is not a readable results file is refused the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import Any, Literal

from .. import patterns as pattern_registry
from ..results.io import read_results
from ..results.model import Results, ResultsError, Run, comparability
from ..scenario.build import Builder, suggest
from ..scenario.errors import Issue
from ..scenario.model import param
from ..scenario.yamlnodes import Map, parse
from .robustness import read_robustness

#: The optional file of the results folder that gives each entry's status and description.
ENTRIES_FILE = "entries.yaml"
VERIFIED, SELF_REPORTED = "verified", "self-reported"
STATUSES = (VERIFIED, SELF_REPORTED)


class LeaderboardError(ValueError):
    """Results that cannot be built into a leaderboard; one located line per problem."""


@dataclass(frozen=True)
class EntrySpec:
    """One entry of ``entries.yaml``."""

    status: Literal["verified", "self-reported"] = param(
        SELF_REPORTED, doc="`verified` when the maintainers reproduced the results file, "
                           "`self-reported` otherwise.")
    description: str = param("", doc="One line saying what the detector does.")
    link: str = param("", doc="Where its code lives (a path in the repository or a URL).")
    patterns: tuple[str, ...] = param((), doc="The fraud patterns the detector is made for "
                                      "(a baseline's `PATTERNS`); empty for a general one.")
    role: Literal["detector", "floor", "supervised"] = param(
        "detector", doc="`floor` for the reference floors read against the base rate (null, "
                        "random); `supervised` for a detector trained on labels, compared "
                        "apart from the unsupervised ones in the discrimination check.")


@dataclass(frozen=True)
class Entry:
    """A ranked detector: its results and what ``entries.yaml`` says about it."""

    name: str                   # the results file's name without .json
    file: str                   # the results file's name
    results: Results
    status: str = SELF_REPORTED
    description: str = ""
    link: str = ""
    patterns: tuple[str, ...] = ()
    role: str = "detector"
    #: ``robustness/<name>.json`` beside the results folder, when there is one
    #: (:mod:`brushbench.leaderboard.robustness`).
    robustness: Any = None

    @property
    def verified(self) -> bool:
        return self.status == VERIFIED

    @property
    def runs(self) -> tuple[Run, ...]:
        return self.results.runs


@dataclass(frozen=True)
class Refused:
    """A results file left out of the ranking, and why (one line)."""

    name: str
    file: str
    reason: str


@dataclass(frozen=True)
class Leaderboard:
    """Comparable entries (sorted by name) on one suite, and the refused files.

    ``scenarios`` are (name, scenario hash, scale) in the suite's order; ``seeds`` sorted.
    """

    suite_name: str
    suite_hash: str
    generator_version: str
    scenarios: tuple[tuple[str, str, Any], ...]
    seeds: tuple[int, ...]
    entries: tuple[Entry, ...]
    refused: tuple[Refused, ...]

    @property
    def scenario_names(self) -> tuple[str, ...]:
        return tuple(s[0] for s in self.scenarios)


def load_leaderboard(results_dir: str | os.PathLike[str]) -> Leaderboard:
    """Read every ``*.json`` of ``results_dir`` (and its ``entries.yaml``) into a leaderboard.

    Raises
    ------
    LeaderboardError
        When the folder does not exist, holds no results file, no file is a readable results
        file, or ``entries.yaml`` has a mistake (each problem located, one per line).
    """
    folder = Path(results_dir)
    if not folder.is_dir():
        raise LeaderboardError(f"{folder}: no such folder (expected the results files, one "
                               "<name>.json per detector)")
    files = sorted(folder.glob("*.json"))
    if not files:
        raise LeaderboardError(f"{folder}: no results files (*.json): add them with "
                               f"`brushbench eval DETECTOR --suite standard --out "
                               f"{folder}/<name>.json`")
    specs = read_entries(folder / ENTRIES_FILE, [f.stem for f in files])
    docs: dict[str, Results] = {}
    refused: list[Refused] = []
    for path in files:
        try:
            doc = read_results(path)
            _check_runs(doc, path.name)
        except ResultsError as exc:
            refused.append(Refused(path.stem, path.name, _strip(str(exc), path)))
            continue
        docs[path.stem] = doc
    if not docs:
        raise LeaderboardError(f"{folder}: no readable results file: "
                               + "; ".join(f"{r.reason}" for r in refused))
    groups: dict[tuple[Any, ...], list[str]] = {}
    for name, doc in docs.items():
        groups.setdefault(_identity(doc), []).append(name)

    def rank(names: list[str]) -> tuple[int, int, tuple[str, ...]]:
        verified = sum(specs.get(n, EntrySpec()).status == VERIFIED for n in names)
        return (-len(names), -verified, tuple(sorted(names)))

    chosen = min(groups.values(), key=rank)
    reference = docs[chosen[0]]
    label = (f"{reference.suite.name} {str(reference.suite.hash)[:12]}, "
             f"generator {reference.generator_version}")
    for name, doc in docs.items():
        if name not in chosen:
            why = "; ".join(comparability(reference, doc))
            refused.append(Refused(name, f"{name}.json",
                                   f"not comparable with the {len(chosen)} ranked "
                                   f"entr{'y' if len(chosen) == 1 else 'ies'} ({label}): {why}"))
    attacks = read_robustness(folder, chosen)
    entries = tuple(Entry(name, f"{name}.json", docs[name], **_spec_fields(specs.get(name)),
                          robustness=attacks.get(name))
                    for name in sorted(chosen))
    scenarios: dict[str, tuple[str, str, Any]] = {}
    for run in reference.runs:
        scenarios.setdefault(run.scenario, (run.scenario, run.scenario_hash, run.scale))
    return Leaderboard(
        suite_name=str(reference.suite.name),
        suite_hash=str(reference.suite.hash),
        generator_version=str(reference.generator_version),
        scenarios=tuple(scenarios.values()),
        seeds=tuple(sorted({r.seed for r in reference.runs})),
        entries=entries,
        refused=tuple(sorted(refused, key=lambda r: r.name)))


def read_entries(path: Path, names: Iterable[str]) -> dict[str, EntrySpec]:
    """``entries.yaml`` as {entry name: EntrySpec}; {} when the file does not exist.

    Every key must name a results file of the folder (``names``); a mistake raises
    :class:`LeaderboardError` with one ``file:line:col: key: message`` line per problem.
    """
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LeaderboardError(f"{path}: cannot read: {exc}") from None
    root, issues = parse(text, str(path))
    out: dict[str, EntrySpec] = {}
    known = sorted(names)
    if root is not None and not isinstance(root, Map):
        issues.append(Issue(root.loc, "(top level)", "expected a mapping of entry names (the "
                                                     "results files' names without .json)"))
    elif root is not None:
        builder = Builder(timezone.utc, root.loc)  # entries.yaml has no times
        for key, item in root.entries.items():
            if not isinstance(key, str):
                builder.report((str(key),), f"YAML reads this name as {key!r}, not as text: "
                               f"quote it (e.g. \"null\":)", item.key_loc)
                continue
            if key not in known:
                builder.report((str(key),), "names no results file of this folder (expected "
                               f"one of {', '.join(known)}){suggest(key, known)}", item.key_loc)
                continue
            spec = builder.build_dataclass(EntrySpec, item.value, (key,))
            if isinstance(spec, EntrySpec):
                known_patterns = list(pattern_registry.names())
                for name in spec.patterns:
                    if name not in known_patterns:
                        builder.report((key, "patterns"), f"unknown pattern {name!r} (expected "
                                       f"one of {', '.join(known_patterns)})"
                                       f"{suggest(name, known_patterns)}", item.key_loc)
                out[key] = spec
        issues = [*issues, *builder.issues]
    if issues:
        raise LeaderboardError("\n".join(str(i) for i in issues))
    return out


def _spec_fields(spec: EntrySpec | None) -> dict[str, Any]:
    spec = spec or EntrySpec()
    return {"status": spec.status, "description": spec.description, "link": spec.link,
            "patterns": tuple(spec.patterns), "role": spec.role}


def _identity(results: Results) -> tuple[Any, ...]:
    """What makes results comparable (the keys :func:`comparability` checks)."""
    return (results.suite.hash, results.generator_version, frozenset(results.run_keys()))


def _check_runs(results: Results, where: str) -> None:
    """Each (scenario, seed) at most once: a leaderboard cell is one run's number."""
    seen: set[tuple[str, int]] = set()
    for run in results.runs:
        key = (run.scenario, run.seed)
        if key in seen:
            raise ResultsError(f"{where}: scenario {key[0]} seed {key[1]} appears twice")
        seen.add(key)


def _strip(message: str, path: Path) -> str:
    """A results error names the file by its path; the leaderboard names it by file name."""
    return path.name + message[len(str(path)):] if message.startswith(str(path)) else message


__all__ = ["ENTRIES_FILE", "SELF_REPORTED", "STATUSES", "VERIFIED", "Entry", "EntrySpec",
           "Leaderboard", "LeaderboardError", "Refused", "load_leaderboard",
           "read_entries"]
