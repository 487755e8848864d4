"""The fraud patterns a scenario's ``fraud`` entries may name, found by name, imported on first use.

A pattern is a module (see :mod:`brushbench.patterns` for the contract) with a module-level
``Spec`` (the frozen dataclass of keys its scenario entry takes besides ``pattern``), a
``plan(spec, ctx)`` function and ``TRACES``. The six built-in patterns live in
:mod:`brushbench.patterns`; a package adds its own under the entry-point group
:data:`ENTRY_POINT_GROUP`, the same way detectors are installed::

    [project.entry-points."brushbench.patterns"]
    gift_card_farm = "mypkg.gift_card_farm"

The registry lives here, in the scenario layer, because the scenario language is what names
patterns: the loader resolves a ``pattern:`` key through it, and the pattern modules, which
are built from the scenario's vocabulary (``param``, ``Dist``, ``Probability``), plug into it
from above. Nothing is imported until a pattern is asked for, so listing names costs no
numpy-heavy import.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any

#: Installed packages register fraud patterns under this entry-point group.
ENTRY_POINT_GROUP = "brushbench.patterns"

#: The built-in patterns, by name: the module each is imported from when first asked for.
BUILTIN: dict[str, str] = {
    name: f"brushbench.patterns.{name}"
    for name in ("click_farm", "competitor_framing", "distributor_fake", "post_promo_return",
                 "self_purchase", "supplier_buyback")
}


@dataclass(frozen=True)
class Pattern:
    """One registered fraud pattern.

    Attributes
    ----------
    name : str
        What a scenario's ``pattern:`` key says.
    Spec : type
        The frozen dataclass of the entry's other keys.
    plan : callable
        ``plan(spec, ctx)`` adds the campaign's orders and labels to ``ctx``
        (a :class:`brushbench.patterns.base.CampaignContext`).
    traces : tuple of str
        The traces the pattern leaves, most telling first (names of
        :data:`brushbench.teaching.explain.TRACES`).
    module : module
        Where it was defined; its docstring is the pattern's documentation.
    origin : str
        ``"built-in"``, or the distribution and entry point that installed it.
    """

    name: str
    Spec: type
    plan: Callable[[Any, Any], None]
    traces: tuple[str, ...]
    module: ModuleType
    origin: str


class PatternLoadError(ImportError):
    """A registered pattern could not be imported, or breaks the contract."""


#: Patterns imported so far (and any added with :func:`add`), by name.
_LOADED: dict[str, Pattern] = {}


@cache
def _installed() -> dict[str, Any]:
    """Installed patterns' entry points by name (importlib.metadata is imported here: reading
    the installed distributions is the slow part, and a scenario without fraud never asks)."""
    from importlib import metadata

    points: dict[str, metadata.EntryPoint] = {}
    for point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        if point.name in BUILTIN:
            raise PatternLoadError(
                f"entry point {point.name} = {point.value!r} (group {ENTRY_POINT_GROUP!r}) "
                f"reuses the name of a built-in fraud pattern; rename it")
        points[point.name] = point
    return points


def names() -> tuple[str, ...]:
    """Every pattern a scenario may name, sorted (nothing is imported)."""
    return tuple(sorted({*BUILTIN, *_installed(), *_LOADED}))


def get(name: str) -> Pattern:
    """The pattern registered under ``name``, imported on first use.

    Raises
    ------
    KeyError
        ``name`` is not registered; the message lists the known names.
    PatternLoadError
        Its module fails to import or lacks ``Spec``/``plan``.
    """
    if name in _LOADED:
        return _LOADED[name]
    if name in BUILTIN:
        target, origin = BUILTIN[name], "built-in"
    elif name in _installed():
        point = _installed()[name]
        dist = getattr(point, "dist", None)
        target = point.value
        origin = (f"entry point {name} = {target!r} of "
                  f"{getattr(dist, 'name', '?')} {getattr(dist, 'version', '?')}")
    else:
        raise KeyError(f"unknown fraud pattern {name!r} (known: {', '.join(names())})")
    try:
        module = importlib.import_module(target.partition(":")[0].strip())
    except Exception as exc:
        raise PatternLoadError(f"fraud pattern {name!r}: importing {target!r} failed: "
                               f"{type(exc).__name__}: {exc}") from exc
    return add(name, module, origin=origin)


def spec(name: str) -> type:
    """The ``Spec`` of the pattern named ``name`` (the scenario builder's lookup)."""
    return get(name).Spec


def add(name: str, module: Any, *, origin: str = "added at run time") -> Pattern:
    """Register ``module`` (or any object with ``Spec``, ``plan`` and optionally ``TRACES``)
    under ``name`` for this process: for a pattern under development, before packaging it."""
    spec_cls = getattr(module, "Spec", None)
    plan = getattr(module, "plan", None)
    where = getattr(module, "__name__", repr(module))
    if not (isinstance(spec_cls, type) and dataclasses.is_dataclass(spec_cls)):
        raise PatternLoadError(f"fraud pattern {name!r} ({where}) has no module-level Spec "
                               f"dataclass")
    if not callable(plan):
        raise PatternLoadError(f"fraud pattern {name!r} ({where}) has no plan(spec, ctx) "
                               f"function")
    if name in _LOADED and _LOADED[name].Spec is not spec_cls:
        raise PatternLoadError(f"fraud pattern {name!r} is already registered "
                               f"({_LOADED[name].origin})")
    traces = tuple(getattr(module, "TRACES", ()))
    if not isinstance(module, ModuleType):
        module = importlib.import_module(module.__module__)
    pattern = Pattern(name, spec_cls, plan, traces, module, origin)
    _LOADED[name] = pattern
    return pattern


def name_of(spec_value: Any) -> str:
    """The name of the pattern whose ``Spec`` ``spec_value`` is an instance of.

    A ``Spec`` may carry its own ``pattern`` field; otherwise its class was loaded through
    this registry (the scenario was built from it), so the loaded patterns are searched.
    """
    own = getattr(spec_value, "pattern", None)
    if isinstance(own, str):
        return own
    for pattern in _LOADED.values():
        if pattern.Spec is type(spec_value):
            return pattern.name
    raise ValueError(f"{type(spec_value).__name__} is the Spec of no registered fraud pattern")

