"""Every distribution a default gives is one ``Dist.from_spec`` accepts (the model builds its
defaults without the check, so that importing it does not import scipy.stats)."""

from __future__ import annotations

import dataclasses

import pytest

from brushbench import patterns
from brushbench.scenario.distributions import Dist
from brushbench.scenario.model import Scenario
from brushbench.scenario.typeinfo import default_of, has_default


def _default_dists(cls: type, seen: set[type]) -> list[tuple[str, Dist]]:
    out: list[tuple[str, Dist]] = []
    if cls in seen:
        return out
    seen.add(cls)
    for f in dataclasses.fields(cls):
        if not has_default(f):
            continue
        value = default_of(f)
        values = value if isinstance(value, tuple | list) else [value]
        for v in values:
            if isinstance(v, Dist):
                out.append((f"{cls.__name__}.{f.name}", v))
            elif dataclasses.is_dataclass(v):
                out += _default_dists(type(v), seen)
    return out


DEFAULTS = _default_dists(Scenario, set()) + [
    pair for name in patterns.names() for pair in _default_dists(patterns.get(name).Spec, set())
]


def test_the_model_has_non_constant_defaults_to_check():
    assert any(d.name not in ("constant", "categorical") for _, d in DEFAULTS)


@pytest.mark.parametrize(("where", "dist"), DEFAULTS, ids=[w for w, _ in DEFAULTS])
def test_default_distribution_passes_the_check(where, dist):
    assert Dist.from_spec(dist.to_spec()) == dist, where
