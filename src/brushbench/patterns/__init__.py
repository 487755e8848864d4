"""Fraud patterns, one module per pattern, registered by name (like Faker's providers).

A pattern module defines a frozen dataclass ``Spec`` (the keys its scenario entry accepts besides
``pattern``) and registers itself with :func:`register`. The scenario loader validates each
``fraud:`` entry against the named pattern's ``Spec``; the generator asks the pattern to turn a
planned campaign into rows and labels.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_REGISTRY: dict[str, Any] = {}


def register(name: str) -> Callable[[Any], Any]:
    """Class or module decorator: make a pattern available under ``name``."""

    def deco(obj: Any) -> Any:
        if name in _REGISTRY and _REGISTRY[name] is not obj:
            raise ValueError(f"pattern {name!r} is already registered")
        _REGISTRY[name] = obj
        return obj

    return deco


def names() -> tuple[str, ...]:
    """Registered pattern names, sorted."""
    return tuple(sorted(_REGISTRY))


def get(name: str) -> Any:
    """The pattern registered under ``name``; ``KeyError`` names the known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(names()) or "none registered yet"
        raise KeyError(f"unknown fraud pattern {name!r} (known: {known})") from None


def _load_builtin_patterns() -> None:
    # Imported here, at the end, so that every registered name is known as soon as
    # ``brushbench.patterns`` is: the loader, the schema and the docs all list them.
    from . import (
        click_farm,  # noqa: F401
        competitor_framing,  # noqa: F401
        distributor_fake,  # noqa: F401
        post_promo_return,  # noqa: F401
        self_purchase,  # noqa: F401
        supplier_buyback,  # noqa: F401
    )


_load_builtin_patterns()
