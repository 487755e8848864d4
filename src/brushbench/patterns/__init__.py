"""Fraud patterns, one module per pattern, found by name (like Faker's providers).

A pattern module defines, at module level:

``Spec``
    A frozen dataclass subclassing :class:`~brushbench.patterns.base.CampaignSpec`: the keys
    its scenario entry accepts besides ``pattern``, each declared with
    :func:`~brushbench.scenario.model.param` (default, bounds, doc).
``plan(spec, ctx)``
    Adds the campaign's orders and labels to the
    :class:`~brushbench.patterns.base.CampaignContext`, drawing only from ``ctx.rng``.
``TRACES``
    The traces it leaves, most telling first (names of
    :data:`brushbench.teaching.explain.TRACES`); ``brushbench explain`` groups them.

Its docstring is its documentation (``docs/patterns.md`` is generated from it). The built-in
modules are listed in :data:`brushbench.scenario.registry.BUILTIN`; an installed package adds
its own through the entry-point group ``brushbench.patterns``. Modules are imported the first
time a pattern is asked for (:func:`get`), not when this package is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..scenario.registry import ENTRY_POINT_GROUP, Pattern, PatternLoadError, add, get, names

__all__ = ["ENTRY_POINT_GROUP", "Pattern", "PatternLoadError", "add", "get", "names"]

if TYPE_CHECKING:
    # The type checker holds every built-in module to the contract; nothing runs here.
    from . import (
        click_farm,
        competitor_framing,
        distributor_fake,
        post_promo_return,
        self_purchase,
        supplier_buyback,
    )
    from .base import PatternModule

    _CHECKED: tuple[PatternModule, ...] = (click_farm, competitor_framing, distributor_fake,
                                           post_promo_return, self_purchase, supplier_buyback)
