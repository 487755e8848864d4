"""Build typed scenario objects from located YAML nodes, guided by the dataclasses' type hints.

The builder knows nothing about particular scenario keys: it reads each dataclass's fields, their
type hints and their ``metadata`` bounds, so a fraud pattern's ``Spec`` is checked by the same code
as the model itself. It never stops at the first mistake: every problem becomes an
:class:`~brushbench.scenario.errors.Issue`, and a value that could not be built is replaced by
``None`` (or a :class:`Partial` for a mapping) so that the rest of the file is still checked.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from datetime import date, datetime, timezone, tzinfo
from types import MappingProxyType, SimpleNamespace
from typing import Any, Protocol

from .distributions import (
    CATEGORICAL,
    CONSTANT,
    Dist,
    DistError,
    checked_before,
    scipy_distribution_names,
)
from .durations import parse_duration
from .errors import Issue, KeyPath, Location, format_path
from .model import Probability, Seconds
from .typeinfo import (
    Kind,
    bounds,
    default_of,
    expectation,
    field_hints,
    has_default,
    init_fields,
    kind_of,
)
from .yamlnodes import INVALID, Map, Node, Scalar, Seq, describe, has_invalid, to_python


class PatternSpecs(Protocol):
    """Where the builder finds a fraud entry's ``Spec`` by the entry's ``pattern`` name."""

    def names(self) -> Sequence[str]:
        """Every name an entry may give."""

    def spec(self, name: str) -> type:
        """The ``Spec`` dataclass of ``name``; ``KeyError`` (naming the known ones) if unknown."""


class Partial(SimpleNamespace):
    """The valid fields of a mapping that had problems; lets cross-field checks still run."""


def closest(word: Any, choices: list[str] | tuple[str, ...]) -> str | None:
    """The choice ``word`` was most likely meant to be, if any is close enough (difflib)."""
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(word: Any, choices: list[str] | tuple[str, ...]) -> str:
    """``", did you mean 'x'?"`` for the closest choice, else the list of all choices."""
    close = closest(word, choices)
    if close is not None:
        return f", did you mean {close!r}?"
    return ", expected one of: " + ", ".join(choices) if choices else ""


def did_you_mean(word: Any, choices: list[str] | tuple[str, ...]) -> str:
    """``", did you mean 'x'?"`` or the empty string."""
    close = closest(word, choices)
    return "" if close is None else f", did you mean {close!r}?"


class Builder:
    """Builds values from nodes and collects issues.

    Parameters
    ----------
    zone : tzinfo or None
        Time zone given to timestamps written without an offset (the scenario's
        ``window.timezone``); None for files without timestamps (suites), where UTC is used.
    root_loc : Location
        Where issues go that have no better place (the start of the file).
    patterns : PatternSpecs, optional
        Resolves a fraud entry's ``pattern`` to its ``Spec``. The loader supplies the pattern
        registry (:mod:`brushbench.scenario.registry`); without it, a ``fraud`` entry is
        reported as unsupported (files that hold no scenario, such as suites, need none).
    """

    def __init__(self, zone: tzinfo | None, root_loc: Location,
                 patterns: PatternSpecs | None = None):
        self.zone = zone
        self.patterns = patterns
        self.issues: list[Issue] = []
        #: Location of every value built from the file, by key path (for cross-field checks).
        self.locations: dict[KeyPath, Location] = {(): root_loc}

    # -- reporting ----------------------------------------------------------------------------
    def report(self, path: KeyPath, message: str, loc: Location | None = None) -> None:
        """Record an issue at ``loc``, or where the value at ``path`` (or a parent) was written."""
        if loc is None:
            probe = path
            while probe not in self.locations:
                probe = probe[:-1]
            loc = self.locations[probe]
        self.issues.append(Issue(loc, format_path(path), message))

    def _mismatch(self, node: Node, path: KeyPath, expected: str) -> None:
        found = describe(node)
        if isinstance(node, Scalar) and isinstance(node.value, str) and _exponent_text(node.value):
            found += " (YAML 1.1 reads an exponent as text unless written like 1.0e-3 or 1.0e+3)"
        self.report(path, f"expected {expected}, found {found}", node.loc)

    # -- dispatch -----------------------------------------------------------------------------
    def build(self, tp: Any, node: Node, path: KeyPath, meta: Any = None) -> Any:
        """Build a value of type ``tp`` from ``node``; None (after reporting) when impossible."""
        self.locations[path] = node.loc
        kind = kind_of(tp)
        meta = meta or {}
        if isinstance(node, Scalar) and node.value is INVALID:
            return None  # the YAML layer reported it
        return getattr(self, f"_{kind.name}")(kind, tp, node, path, meta)

    def build_dataclass(self, cls: type, node: Node, path: KeyPath,
                        skip: frozenset[str] = frozenset()) -> Any:
        """Build dataclass ``cls`` from a mapping node; keys in ``skip`` are someone else's."""
        self.locations[path] = node.loc
        if not isinstance(node, Map):
            self._mismatch(node, path, "a mapping")
            return None
        fields = init_fields(cls)
        names = [f.name for f in fields]
        for key, entry in node.entries.items():
            if key in skip or key in names:
                continue
            sub = (*path, key if isinstance(key, str) else repr(key))
            self.report(sub, f"unknown key{suggest(key, names)}", entry.key_loc)
        before = len(self.issues)
        hints = field_hints(cls)
        values: dict[str, Any] = {}
        for f in fields:
            found = node.entries.get(f.name)
            if found is not None:
                values[f.name] = self.build(hints[f.name], found.value, (*path, f.name),
                                            f.metadata)
            elif has_default(f):
                values[f.name] = default_of(f)
            else:
                wanted = expectation(hints[f.name], f.metadata)
                self.report((*path, f.name), f"required key missing, expected {wanted}", node.loc)
        if len(self.issues) > before:
            return Partial(**values)
        try:
            return cls(**values)
        except (TypeError, ValueError) as exc:  # a Spec's own __post_init__ checks
            self.report(path, f"expected a consistent {cls.__name__}, found: {exc}", node.loc)
            return Partial(**values)

    # -- kinds --------------------------------------------------------------------------------
    def _dataclass(self, kind: Kind, tp: Any, node: Node, path: KeyPath, meta: Any) -> Any:
        return self.build_dataclass(kind.arg, node, path)

    def _number(self, kind: Kind, tp: Any, node: Node, path: KeyPath, meta: Any,
                integral: bool) -> float | None:
        value = node.value if isinstance(node, Scalar) else None
        accepted = (int,) if integral else (int, float)
        if isinstance(value, bool) or not isinstance(value, accepted) or (
                isinstance(value, float) and not math.isfinite(value)):
            self._mismatch(node, path, expectation(tp, meta))
            return None
        if not bounds(kind, meta).admits(value):
            self._mismatch(node, path, expectation(tp, meta))
            return None
        return value

    def _int(self, kind, tp, node, path, meta):
        return self._number(kind, tp, node, path, meta, integral=True)

    def _float(self, kind, tp, node, path, meta):
        value = self._number(kind, tp, node, path, meta, integral=False)
        return None if value is None else float(value)

    def _probability(self, kind, tp, node, path, meta):
        value = self._number(kind, tp, node, path, meta, integral=False)
        return None if value is None else Probability(value)

    def _seconds(self, kind, tp, node, path, meta):
        raw = node.value if isinstance(node, Scalar) else None
        value = parse_duration(raw) if isinstance(raw, str) else raw
        if isinstance(value, bool) or not isinstance(value, int):
            self._mismatch(node, path, expectation(tp, meta))
            return None
        if not bounds(kind, meta).admits(value):
            # Well formed but out of range: show it as written, not as "a string".
            self.report(path, f"expected {expectation(tp, meta)}, found {raw}", node.loc)
            return None
        return Seconds(value)

    def _bool(self, kind, tp, node, path, meta):
        if isinstance(node, Scalar) and isinstance(node.value, bool):
            return node.value
        self._mismatch(node, path, expectation(tp, meta))
        return None

    def _str(self, kind, tp, node, path, meta):
        if isinstance(node, Scalar) and isinstance(node.value, str):
            return node.value
        self._mismatch(node, path, expectation(tp, meta))
        return None

    def _literal(self, kind, tp, node, path, meta):
        if isinstance(node, Scalar) and any(node.value == c and type(node.value) is type(c)
                                            for c in kind.arg):
            return node.value
        extra = ""
        if isinstance(node, Scalar) and isinstance(node.value, str):
            extra = did_you_mean(node.value, [str(c) for c in kind.arg])
        self.report(path, f"expected {expectation(tp, meta)}, found {describe(node)}{extra}",
                    node.loc)
        return None

    def _datetime(self, kind, tp, node, path, meta):
        value = node.value if isinstance(node, Scalar) else None
        if isinstance(value, str):
            value = _parse_iso(value)
        elif isinstance(value, date) and not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)  # a date means its midnight
        if not isinstance(value, datetime):
            self._mismatch(node, path, expectation(tp, meta))
            return None
        try:
            return localize(value, self.zone or timezone.utc)
        except (OverflowError, ValueError):  # e.g. 0001-01-01 shifted to UTC leaves year 1
            self.report(path, f"expected {expectation(tp, meta)}, found {describe(node)}, "
                              "which is out of range", node.loc)
            return None

    def _dist(self, kind, tp, node, path, meta):
        if has_invalid(node):
            return None  # the YAML layer reported it
        known_law = checked_before(to_python(node))
        if known_law is not None:
            return known_law
        name_entry = node.entries.get("dist") if isinstance(node, Map) else None
        if name_entry is not None and isinstance(name_entry.value, Scalar):
            # Checked here rather than left to Dist.from_spec to point at the name and suggest one.
            name = name_entry.value.value
            known = (*scipy_distribution_names(), CONSTANT, CATEGORICAL)
            if isinstance(name, str) and name not in known:
                self.report((*path, "dist"), f"expected a scipy.stats distribution name, "
                            f"constant or categorical, found {name!r}{suggest(name, known)}",
                            name_entry.value.loc)
                return None
        try:
            return Dist.from_spec(to_python(node))
        except DistError as exc:
            self.report(path, f"invalid distribution: {exc}", node.loc)
        except Exception as exc:  # scipy fails in many ways on odd parameters: still a user error
            self.report(path, f"invalid distribution, scipy.stats rejects it: {exc}", node.loc)
        return None

    def _tuple(self, kind, tp, node, path, meta):
        if not isinstance(node, Seq):
            self._mismatch(node, path, expectation(tp, meta))
            return None
        items = tuple(self.build(kind.arg, item, (*path, i)) for i, item in enumerate(node.items))
        length = meta.get("length")
        if length is not None and len(items) != length:
            self.report(path, f"expected a list of exactly {length} items, found {len(items)}",
                        node.loc)
        return items

    def _mapping(self, kind, tp, node, path, meta):
        if not isinstance(node, Map):
            self._mismatch(node, path, expectation(tp, meta))
            return None
        out = {}
        for key, entry in node.entries.items():
            if not isinstance(key, str):
                self.report((*path, repr(key)), f"expected a name as key, found "
                            f"{describe(Scalar(key, entry.key_loc))}", entry.key_loc)
                continue
            out[key] = self.build(kind.arg, entry.value, (*path, key))
        # Sorted, so iteration order (and anything drawn in that order) depends on content only.
        return MappingProxyType(dict(sorted(out.items())))

    def _pattern(self, kind, tp, node, path, meta):
        if self.patterns is None:
            self._mismatch(node, path, "no fraud entry here")
            return None
        known = tuple(self.patterns.names())
        if not isinstance(node, Map):
            self._mismatch(node, path, "a mapping with a 'pattern' key")
            return None
        entry = node.entries.get("pattern")
        if entry is None:
            listing = ", ".join(known) or "none registered yet"
            self.report((*path, "pattern"), f"required key missing, expected the name of a "
                        f"fraud pattern ({listing})", node.loc)
            return None
        pattern_path = (*path, "pattern")
        self.locations[pattern_path] = entry.value.loc
        name = entry.value.value if isinstance(entry.value, Scalar) else None
        if not isinstance(name, str):
            self._mismatch(entry.value, (*path, "pattern"), "the name of a fraud pattern")
            return None
        try:
            spec_cls = self.patterns.spec(name)
        except KeyError as exc:
            # get()'s message already lists the known names.
            self.report((*path, "pattern"), f"{exc.args[0]}{did_you_mean(name, known)}",
                        entry.value.loc)
            return None
        # A Spec may declare `pattern` itself; otherwise the key is consumed here.
        own = {f.name for f in init_fields(spec_cls)}
        skip = frozenset() if "pattern" in own else frozenset({"pattern"})
        return self.build_dataclass(spec_cls, node, path, skip=skip)


def localize(value: datetime, zone: tzinfo) -> datetime:
    """``value`` as an aware datetime in ``zone``.

    A naive value is wall-clock time in ``zone``; a value with an offset keeps its instant. The
    round trip through UTC normalises wall-clock times that do not exist (skipped by a daylight
    saving change) to the time the clock actually showed.
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(timezone.utc).astimezone(zone)


def _parse_iso(text: str) -> datetime | None:
    text = text.strip()
    if text.endswith(("Z", "z")):  # fromisoformat accepts 'Z' only from Python 3.11
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value


def _exponent_text(text: str) -> bool:
    """True for numbers such as 1e-3 or 1.5e3, which YAML 1.1 reads as text."""
    if "e" not in text.lower():
        return False
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False
