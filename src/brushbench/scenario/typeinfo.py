"""What the model's type hints mean to the loader, the JSON Schema and the docs.

The three readers of :mod:`brushbench.scenario.model` all dispatch on the same small set of kinds
(integer, duration, distribution, list, ...), so the mapping from a Python type hint to a kind, the
bounds a field allows and the words used to describe it live here, once.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .distributions import Dist
from .durations import EXAMPLES, format_duration
from .model import Probability, Seconds

#: Every kind a field can have. ``pattern`` is ``Any`` in the model: a fraud entry whose keys
#: are those of the named pattern's ``Spec``.
KINDS = ("dataclass", "seconds", "probability", "bool", "int", "float", "str", "datetime",
         "dist", "literal", "tuple", "mapping", "pattern")


@dataclass(frozen=True)
class Kind:
    """A classified type hint: ``name`` is one of :data:`KINDS`; ``arg`` is the dataclass, the
    element type of a tuple or mapping, or the choices of a ``Literal``."""

    name: str
    arg: Any = None


def kind_of(tp: Any) -> Kind:
    """Classify a resolved type hint.

    Parameters
    ----------
    tp : type
        A hint as returned by :func:`typing.get_type_hints`.

    Returns
    -------
    Kind

    Raises
    ------
    TypeError
        For a hint the scenario language has no YAML form for (a bug in a model, not in a file).
    """
    # Identity tests, so Seconds and Probability (subclasses of int and float) and Dist (itself a
    # dataclass, but one value in YAML) are told apart from what they derive from.
    simple = {Seconds: "seconds", Probability: "probability", bool: "bool", int: "int",
              float: "float", str: "str", datetime: "datetime", Dist: "dist", Any: "pattern"}
    for known, name in simple.items():
        if tp is known:
            return Kind(name)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return Kind("dataclass", tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Literal:
        return Kind("literal", args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return Kind("tuple", args[0])
    if origin in (collections.abc.Mapping, dict) and args and args[0] is str:
        return Kind("mapping", args[1])
    raise TypeError(f"no scenario form for type hint {tp!r}")


@functools.cache
def field_hints(cls: type) -> dict[str, Any]:
    """Resolved type hints of a dataclass (cached: resolving string annotations is slow)."""
    return typing.get_type_hints(cls)


def init_fields(cls: type) -> tuple[dataclasses.Field, ...]:
    """The fields a scenario file may set, in declaration order."""
    return tuple(f for f in dataclasses.fields(cls) if f.init)


def has_default(f: dataclasses.Field) -> bool:
    """True when the key may be left out."""
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


def default_of(f: dataclasses.Field) -> Any:
    """The value used when the key is left out."""
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return f.default


def class_doc(cls: type) -> str:
    """A dataclass's docstring on one line; empty when it is the signature dataclass made up."""
    doc = " ".join((cls.__doc__ or "").split())
    return "" if doc.startswith(f"{cls.__name__}(") else doc


@dataclass(frozen=True)
class Bounds:
    """The numeric range a field allows (from its metadata; probabilities are within [0, 1])."""

    min: float | None = None
    max: float | None = None
    exclusive_min: bool = False

    def admits(self, x: float) -> bool:
        """True when ``x`` lies in the range."""
        if self.min is not None and (x <= self.min if self.exclusive_min else x < self.min):
            return False
        return self.max is None or x <= self.max


def bounds(kind: Kind, meta: typing.Mapping[str, Any]) -> Bounds:
    """The range of a numeric field given its kind and its ``metadata``."""
    lo, hi = meta.get("min"), meta.get("max")
    excl = bool(meta.get("exclusive_min"))
    if kind.name == "probability":
        lo = 0 if lo is None else max(lo, 0)
        hi = 1 if hi is None else min(hi, 1)
    if kind.name == "seconds" and lo is None:
        lo, excl = 0, True  # a duration of zero seconds means nothing anywhere in the model
    return Bounds(lo, hi, excl)


def fmt_number(x: float, kind: Kind | None = None) -> str:
    """A bound or value for a message: ``60`` as ``1m`` for durations, ``0.95`` as is."""
    if kind is not None and kind.name == "seconds" and float(x).is_integer() and x > 0:
        return format_duration(int(x))
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return repr(x)


def range_text(kind: Kind, b: Bounds) -> str:
    """``>= 1``, ``> 0``, ``between 0 and 0.95`` or the empty string."""
    lo = None if b.min is None else fmt_number(b.min, kind)
    hi = None if b.max is None else fmt_number(b.max, kind)
    if lo is not None and hi is not None and not b.exclusive_min:
        return f"between {lo} and {hi}"
    parts = []
    if lo is not None:
        parts.append(f"{'>' if b.exclusive_min else '>='} {lo}")
    if hi is not None:
        parts.append(f"<= {hi}")
    return " and ".join(parts)


_NOUNS = {
    "seconds": f"a duration such as {EXAMPLES} (or whole seconds)",
    "probability": "a number",
    "bool": "true or false",
    "int": "an integer",
    "float": "a number",
    "str": "a string",
    "datetime": "a date and time such as 2024-11-11 00:00:00",
    "dist": "a number or a {dist: ...} mapping",
    "tuple": "a list",
    "mapping": "a mapping of names to values",
    "dataclass": "a mapping",
    "pattern": "a mapping with a 'pattern' key",
}


def expectation(tp: Any, meta: typing.Mapping[str, Any] | None = None) -> str:
    """What a field expects, for the "expected ..." half of a message.

    Parameters
    ----------
    tp : type
        The field's type hint.
    meta : mapping, optional
        The field's metadata (bounds, length).

    Returns
    -------
    str
        For example ``"an integer >= 1"`` or ``"a list of exactly 24 items"``.
    """
    meta = meta or {}
    kind = kind_of(tp)
    if kind.name == "literal":
        return "one of " + ", ".join(repr(c) for c in kind.arg)
    noun = _NOUNS[kind.name]
    if kind.name == "tuple" and meta.get("length") is not None:
        return f"a list of exactly {meta['length']} items"
    if kind.name == "seconds":
        b = bounds(kind, meta)
        extra = [] if not b.min else [f"at least {fmt_number(b.min, kind)}"]
        extra += [] if b.max is None else [f"at most {fmt_number(b.max, kind)}"]
        return ", ".join([noun, *extra])
    if kind.name in ("int", "float", "probability"):
        rng = range_text(kind, bounds(kind, meta))
        return f"{noun} {rng}" if rng else noun
    return noun


def type_label(tp: Any) -> str:
    """A short type name for the reference tables: ``integer``, ``list of number``, ..."""
    kind = kind_of(tp)
    labels = {"seconds": "duration", "probability": "probability", "bool": "boolean",
              "int": "integer", "float": "number", "str": "string", "datetime": "date-time",
              "dist": "distribution", "pattern": "fraud entry"}
    if kind.name in labels:
        return labels[kind.name]
    if kind.name == "literal":
        return " or ".join(repr(c) for c in kind.arg)
    if kind.name == "dataclass":
        return "mapping"
    if kind.name == "tuple":
        return f"list of {type_label(kind.arg)}"
    return f"map of name → {type_label(kind.arg)}"
