"""The means and draws computed in closed form (no scipy.stats import) agree with scipy.stats'
own, for every law that has one, over drawn parameters: means to the last bits, draws bit for
bit (the generator's bytes depend on them), and out of a law's domain the closed form declines
where scipy refuses."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from brushbench.scenario import distributions
from brushbench.scenario.distributions import (
    CLOSED_DRAWS,
    CLOSED_MEANS,
    Dist,
    closed_mean,
    closed_sample,
)

# Shapes reach below their domains (0 and negatives) so the domains are compared too. No
# subnormals: at b = 5e-324 scipy's own truncexpon mean divides 0 by 0 (a CI run drew it), and
# no scenario writes a parameter of that size.


def _floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_subnormal=False)


_shape = _floats(-1.0, 30.0)
_prob = _floats(-0.2, 1.2)
_count = st.one_of(st.integers(-3, 1000).map(float), _floats(-3.0, 1000.0))
_continuous = {"loc": _floats(-1e4, 1e4), "scale": _floats(-1.0, 1e4)}
_discrete = {"loc": st.integers(-50, 50).map(float)}

SHAPES: dict[str, dict[str, st.SearchStrategy[float]]] = {
    "norm": {}, "uniform": {}, "expon": {}, "halfnorm": {}, "logistic": {}, "laplace": {},
    "lognorm": {"s": _shape}, "gamma": {"a": _shape}, "pareto": {"b": _shape},
    "lomax": {"c": _shape}, "weibull_min": {"c": _floats(-0.5, 30.0)},
    "beta": {"a": _shape, "b": _shape}, "triang": {"c": _prob}, "truncexpon": {"b": _shape},
    "geom": {"p": _prob}, "poisson": {"mu": _floats(-5.0, 1e6)}, "bernoulli": {"p": _prob},
    "binom": {"n": _count, "p": _prob}, "nbinom": {"n": _count, "p": _prob},
    "randint": {"low": _count, "high": _count}, "zipf": {"a": _floats(0.5, 30.0)},
}
DISCRETE = {"geom", "poisson", "bernoulli", "binom", "nbinom", "randint", "zipf"}


def _params(name: str) -> st.SearchStrategy[dict[str, float]]:
    extra = _discrete if name in DISCRETE else _continuous
    return st.fixed_dictionaries({**SHAPES[name]}, optional=extra)


def _scipy_mean(name: str, params: dict[str, float]) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(getattr(scipy.stats, name)(**params).mean())


def test_every_closed_form_is_compared():
    assert set(SHAPES) == CLOSED_MEANS
    assert CLOSED_DRAWS <= CLOSED_MEANS
    assert DISCRETE == {n for n in CLOSED_MEANS if isinstance(getattr(scipy.stats, n),
                                                             scipy.stats.rv_discrete)}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_closed_mean_is_scipys(name):
    @settings(max_examples=150, deadline=None)
    @given(_params(name))
    def check(params):
        ours, theirs = closed_mean(name, params), _scipy_mean(name, params)
        if ours is None:
            assert math.isnan(theirs), (params, theirs)
        elif math.isinf(theirs):
            assert ours == theirs, (params, ours, theirs)
        else:
            assert math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-12), (params, ours,
                                                                            theirs)

    check()


def _scipy_sample(name: str, params: dict[str, float], seed: int,
                  size: int) -> tuple[np.ndarray | None, float]:
    """scipy's draws (None when it refuses the parameters) and the generator's next uniform."""
    rng = np.random.default_rng(seed)
    try:
        drawn = getattr(scipy.stats, name)(**params).rvs(size=size, random_state=rng)
    except ValueError:
        return None, rng.random()
    return np.asarray(drawn, dtype=np.float64), rng.random()


@pytest.mark.parametrize("name", sorted(CLOSED_DRAWS))
def test_a_closed_draw_is_scipys_bit_for_bit(name):
    @settings(max_examples=60, deadline=None)
    @given(_params(name), st.integers(0, 2**32), st.integers(0, 300))
    def check(params, seed, size):
        rng = np.random.default_rng(seed)
        ours = closed_sample(name, params, rng, size)
        theirs, after = _scipy_sample(name, params, seed, size)
        if ours is None:
            assert theirs is None or params.get("scale") == 0, params
            return
        assert theirs is not None, params
        assert ours.dtype == np.float64
        assert ours.tobytes() == theirs.tobytes(), params
        assert rng.random() == after  # as many calls on the generator as scipy made

    check()


def test_a_law_out_of_the_table_or_its_parameters_goes_to_scipy():
    assert closed_mean("gumbel_r", {"loc": 1.0}) is None
    assert closed_mean("norm", {"sigma": 2.0}) is None  # a key norm does not take
    assert closed_mean("geom", {"p": 0.5, "scale": 2.0}) is None  # discrete: no scale
    assert Dist("gumbel_r", (("loc", 1.0),)).mean() == pytest.approx(1.0 + 0.5772156649)
    assert closed_sample("gumbel_r", {}, np.random.default_rng(0), 3) is None
    assert closed_sample("lognorm", {"s": -1.0}, np.random.default_rng(0), 3) is None


def test_the_means_and_draws_of_common_laws_freeze_no_scipy_law(monkeypatch):
    def refuse(*args):
        raise AssertionError("froze a scipy.stats law")

    monkeypatch.setattr(distributions, "_freeze", refuse)
    lognorm = Dist("lognorm", (("s", 0.6), ("scale", 18.0)))
    assert lognorm.mean() == pytest.approx(18 * math.exp(0.18))
    assert Dist("zipf", (("a", 1.1),)).mean() == math.inf
    assert Dist("pareto", (("b", 0.9), ("scale", 1.0))).mean() == math.inf
    assert lognorm.sample(np.random.default_rng(1), 4).shape == (4,)
    assert Dist("geom", (("p", 0.12),)).sample(np.random.default_rng(1), 4).min() >= 1
