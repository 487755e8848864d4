"""Suites: named lists of (scenario, scale) that ``brushbench eval`` runs over several seeds.

A suite file is YAML, validated like a scenario (located one-line errors, did-you-mean)::

    name: quick
    description: For CI
    seeds: 2
    scenarios:
      - {scenario: mixed_naive, scale: 0.02}

The suite's hash covers each entry's scaled scenario, by content (the scenario hash), never by
name: editing a bundled scenario changes the hash, so old results stop being comparable.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..scenario import Scenario, ScenarioError, load_scenario, scenario_hash
from ..scenario.build import Builder
from ..scenario.bundled import bundled_dir, resolve
from ..scenario.model import param
from ..scenario.scale import scale_scenario
from ..scenario.yamlnodes import parse


@dataclass(frozen=True)
class SuiteEntry:
    """One scenario of a suite."""

    scenario: str = param(doc="A bundled scenario's name, or a scenario file (relative to the "
                              "suite file).")
    scale: float = param(1.0, doc="Volume multiplier of the scenario.", min=0,
                         exclusive_min=True)


@dataclass(frozen=True)
class SuiteSpec:
    """A suite file."""

    name: str = param(doc="Short identifier.")
    scenarios: tuple[SuiteEntry, ...] = param(doc="The scenarios, in order.")
    description: str = param("", doc="One line shown by `brushbench suites`.")
    seeds: int = param(3, doc="Seeds per scenario (`--seeds` overrides).", min=1)


@dataclass(frozen=True)
class ResolvedEntry:
    label: str            # the scenario's name as the suite wrote it
    scenario: Scenario    # scaled
    scale: float
    hash: str             # scenario_hash of the scaled scenario


@dataclass(frozen=True)
class Suite:
    name: str
    description: str
    seeds: int
    entries: tuple[ResolvedEntry, ...]

    @property
    def hash(self) -> str:
        plain = [{"scenario": e.label, "scale": e.scale, "hash": e.hash} for e in self.entries]
        blob = json.dumps({"name": self.name, "entries": plain}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


class SuiteError(ValueError):
    """A suite that cannot be used; each line of the message is one located problem."""


def suites_dir() -> Path:
    return bundled_dir() / "suites"


def suite_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in suites_dir().glob("*.yaml")))


def load_suite(name_or_path: str | Path) -> Suite:
    """A suite from a file path or the name of a bundled suite (``quick``, ``standard``)."""
    path = Path(name_or_path)
    if not path.is_file():
        candidate = suites_dir() / f"{path.stem}.yaml"
        if path.parent != Path(".") or not candidate.is_file():
            close = difflib.get_close_matches(path.stem, suite_names(), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise SuiteError(f"{name_or_path}: no such file and no bundled suite of that name"
                             f"{hint} (bundled: {', '.join(suite_names())})")
        path = candidate
    root, issues = parse(path.read_text(encoding="utf-8"), str(path))
    spec = None
    if root is not None:
        builder = Builder(None, root.loc)
        spec = builder.build_dataclass(SuiteSpec, root, ())
        issues = [*issues, *builder.issues]
    if issues or not isinstance(spec, SuiteSpec):
        raise SuiteError("\n".join(str(i) for i in issues) or f"{path}: empty suite file")
    return Suite(spec.name, spec.description, spec.seeds,
                 tuple(_resolve_entry(e, path.parent) for e in spec.scenarios))


def single_scenario_suite(path: str | Path, scale: float, seeds: int) -> Suite:
    """The implicit suite of ``eval --scenario FILE``."""
    entry = _resolve_entry(SuiteEntry(str(path), scale), Path("."))
    return Suite(f"scenario:{entry.label}", "", seeds, (entry,))


def _resolve_entry(entry: SuiteEntry, base: Path) -> ResolvedEntry:
    local = base / entry.scenario
    try:
        scenario = load_scenario(local if local.is_file() else resolve(entry.scenario))
    except FileNotFoundError as exc:
        raise SuiteError(str(exc).strip("'\"")) from None
    except ScenarioError as exc:
        raise SuiteError(str(exc)) from None
    scaled = scale_scenario(scenario, entry.scale)
    return ResolvedEntry(entry.scenario, scaled, entry.scale, scenario_hash(scaled))


__all__ = ["ResolvedEntry", "Suite", "SuiteEntry", "SuiteError", "SuiteSpec", "load_suite",
           "single_scenario_suite", "suite_names", "suites_dir"]
