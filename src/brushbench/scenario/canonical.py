"""The canonical plain form of a scenario, and the hash that names it in results.

Two results are comparable exactly when their scenario hashes match, so the hash must depend on
the scenario's meaning only: not on key order, comments, ``extends`` or how a duration was written.
``to_plain`` gives that meaning as JSON-able data, which also loads back into an equal scenario.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from . import registry
from .build import localize
from .checks import valid_zone
from .distributions import Dist
from .model import Scenario


def to_plain(value: Any) -> Any:
    """A scenario (or any part of one) as JSON-able data.

    Datetimes become ISO 8601 strings with their offset (a naive datetime in a scenario built in
    Python is read as local time of ``window.timezone``, as the loader reads it, so that it
    hashes like the loaded equivalent), distributions their ``to_spec()`` form,
    durations and other integers ints, mappings dicts with sorted keys, dataclasses dicts of
    their fields, and fraud entries (``Spec`` instances) dicts that include their ``pattern``.

    Parameters
    ----------
    value : Scenario or part of one

    Returns
    -------
    dict, list, str, int, float, bool or None
    """
    return _plain(value, None)


def scenario_hash(scenario: Any) -> str:
    """The sha256 hex digest of the canonical JSON of ``to_plain(scenario)``.

    Parameters
    ----------
    scenario : Scenario

    Returns
    -------
    str
        64 hex digits; equal scenarios give equal hashes.
    """
    text = json.dumps(to_plain(scenario), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pattern_name(spec: Any) -> str:
    """The registered name of the fraud pattern whose ``Spec`` ``spec`` is an instance of."""
    return registry.name_of(spec)


def _plain(value: Any, zone: tzinfo | None) -> Any:
    if isinstance(value, Scenario):
        zone = valid_zone(getattr(value.window, "timezone", None))
    if isinstance(value, Dist):
        return _plain(value.to_spec(), zone)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)  # Seconds and other int subclasses serialise as plain ints
    if isinstance(value, float):
        return float(value) + 0.0  # -0.0 == 0.0, so both must hash alike
    if isinstance(value, datetime):
        if value.tzinfo is None and zone is not None:
            value = localize(value, zone)
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(value[k], zone) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [_plain(v, zone) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name), zone) for f in dataclasses.fields(value)}
        if isinstance(value, Scenario):
            out["fraud"] = [{"pattern": pattern_name(spec), **_plain(spec, zone)}
                            for spec in value.fraud]
        return out
    raise TypeError(f"no plain form for {type(value).__name__}")
