"""Random quantities in a scenario: distributions named after ``scipy.stats``.

A scenario writes a varying number as ``{dist: lognorm, s: 0.6, scale: 700}``: any continuous or
discrete distribution of ``scipy.stats`` with its shape parameters plus ``loc``/``scale``.  Two
forms are ours: a plain number is a constant, and ``{dist: categorical, values: [...],
weights: [...]}`` draws from a finite table (for empirical figures such as items per order).

Every draw takes the ``numpy.random.Generator`` it must use; nothing here touches global state.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CONSTANT = "constant"
CATEGORICAL = "categorical"


class DistError(ValueError):
    """A distribution spec that cannot be used; the message says what was expected."""


def _stats() -> Any:
    """``scipy.stats``, imported on first use: it costs about half a second, and a scenario of
    constants, or code that only reads datasets, never needs it."""
    import scipy.stats

    return scipy.stats


def _ndtri(u: np.ndarray) -> np.ndarray:
    from scipy.special import ndtri

    return np.asarray(ndtri(u), dtype=np.float64)


@functools.cache
def _scipy_names() -> tuple[str, ...]:
    stats = _stats()
    laws = stats.rv_continuous | stats.rv_discrete
    names = [name for name in dir(stats) if isinstance(getattr(stats, name), laws)]
    return tuple(sorted(names))


# -- laws already checked ---------------------------------------------------------------------
# Checking a scipy.stats law (its name, its parameters, one draw) imports scipy.stats, about
# half a second to a second: most of what `brushbench eval` spends before its first run. The
# check's outcome depends only on the law, its parameters and the scipy version, so the laws
# that passed are remembered in the user's cache folder (one small JSON file per scipy and
# brushbench version) and a law found there is not checked again. Only laws that passed are
# kept: a bad one is checked, and reported, every time.

_VALIDATED: set[str] | None = None


def _validated_path() -> Path | None:
    from importlib.metadata import PackageNotFoundError, version

    from .._version import __version__
    from ..dataset.cache import cache_root

    try:
        scipy_version = version("scipy")
    except PackageNotFoundError:  # pragma: no cover - scipy is a dependency
        return None
    return cache_root() / "laws" / f"checked-scipy{scipy_version}-brushbench{__version__}.json"


def _law_key(name: Any, rest: Mapping[Any, Any]) -> str | None:
    """The memo's key of a scipy law spec, or None when it is not plainly numbers."""
    if not isinstance(name, str) or not all(isinstance(k, str) for k in rest):
        return None
    for value in rest.values():
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if not math.isfinite(value):
            return None
    return json.dumps([name, sorted((k, float(v)) for k, v in rest.items())])


def _validated() -> set[str]:
    global _VALIDATED
    if _VALIDATED is None:
        _VALIDATED = set()
        path = _validated_path()
        try:
            if path is not None:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                _VALIDATED = {k for k in loaded if isinstance(k, str)}
        except (OSError, ValueError):
            pass  # no memo yet, or an unreadable one: check every law
    return _VALIDATED


def _remember(key: str) -> None:
    known = _validated()
    if key in known:
        return
    known.add(key)
    path = _validated_path()
    if path is None:
        return
    from ..dataset._fs import write_file_atomic

    try:
        write_file_atomic(path, json.dumps(sorted(known)))
    except OSError:
        pass  # a cache that cannot be written only costs the check next time


def checked_before(spec: Any) -> Dist | None:
    """The :class:`Dist` of a scipy law spec that passed :meth:`Dist.from_spec` before (here or
    in an earlier process, under this scipy and brushbench), without importing scipy; else
    None."""
    if not isinstance(spec, Mapping) or spec.get("dist") in (None, CONSTANT, CATEGORICAL):
        return None
    rest = {k: v for k, v in spec.items() if k != "dist"}
    key = _law_key(spec["dist"], rest)
    if key is None or key not in _validated():
        return None
    return Dist(spec["dist"], tuple(sorted((k, float(v)) for k, v in rest.items())))


def scipy_distribution_names() -> tuple[str, ...]:
    """Names accepted after ``dist:`` (besides ``constant`` and ``categorical``)."""
    return _scipy_names()


def allowed_parameters(name: str) -> tuple[str, ...]:
    """Parameter names the distribution ``name`` takes, shape parameters first."""
    if name == CONSTANT:
        return ("value",)
    if name == CATEGORICAL:
        return ("values", "weights")
    stats = _stats()
    rv = getattr(stats, name)
    shapes = tuple(s.strip() for s in (rv.shapes or "").split(",") if s.strip())
    if isinstance(rv, stats.rv_discrete):
        return (*shapes, "loc")
    return (*shapes, "loc", "scale")


@dataclass(frozen=True)
class Dist:
    """A frozen, hashable description of a random quantity.

    Parameters
    ----------
    name : str
        A ``scipy.stats`` distribution name, ``"constant"`` or ``"categorical"``.
    params : tuple of (str, float)
        Keyword parameters, sorted by name (so equal specs compare and hash equal).
    values, weights : tuple of float
        The table of a categorical distribution; weights need not sum to one.
    """

    name: str
    params: tuple[tuple[str, float], ...] = ()
    values: tuple[float, ...] = ()
    weights: tuple[float, ...] = ()

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def constant(cls, value: float) -> Dist:
        return cls(CONSTANT, (("value", float(value)),))

    @classmethod
    def of(cls, name: str, **params: float) -> Dist:
        """Build and check a spec in code: ``Dist.of("lognorm", s=0.6, scale=700)``."""
        return cls.from_spec({"dist": name, **params})

    @classmethod
    def from_spec(cls, spec: Any) -> Dist:
        """Parse what a YAML file holds (a number or a mapping); raise :class:`DistError`."""
        if isinstance(spec, bool):
            raise DistError(f"expected a number or a {{dist: ...}} mapping, found {spec!r}")
        if isinstance(spec, int | float):
            if not math.isfinite(spec):
                raise DistError(f"expected a finite number, found {spec!r}")
            return cls.constant(spec)
        if not isinstance(spec, Mapping):
            raise DistError(f"expected a number or a {{dist: ...}} mapping, found {spec!r}")
        if "dist" not in spec:
            raise DistError("a distribution mapping needs a 'dist' key naming a scipy.stats law")
        name = spec["dist"]
        rest = {k: v for k, v in spec.items() if k != "dist"}
        if name == CATEGORICAL:
            return cls._categorical(rest)
        if name == CONSTANT:
            if set(rest) != {"value"}:
                raise DistError("'constant' takes exactly one parameter, 'value'")
            return cls.from_spec(rest["value"])
        known = checked_before(spec)
        if known is not None:
            return known
        if not isinstance(name, str) or name not in _scipy_names():
            raise DistError(f"unknown distribution {name!r}; expected a scipy.stats name")
        allowed = allowed_parameters(name)
        # str(): YAML keys may be numbers, and sorting mixed types would raise TypeError.
        unknown = sorted(str(k) for k in set(rest) - set(allowed))
        if unknown:
            raise DistError(
                f"{name} takes parameters {', '.join(allowed)}; unknown: {', '.join(unknown)}"
            )
        shapes = allowed[: len(allowed) - (1 if name in _discrete_names() else 2)]
        missing = [s for s in shapes if s not in rest]
        if missing:
            raise DistError(f"{name} needs shape parameter(s) {', '.join(missing)}")
        params = []
        for key, value in rest.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise DistError(f"{name} parameter {key!r} must be a number, found {value!r}")
            if not math.isfinite(value):
                raise DistError(f"{name} parameter {key!r} must be finite, found {value!r}")
            params.append((key, float(value)))
        dist = cls(name, tuple(sorted(params)))
        try:
            # scipy checks parameter domains lazily; one draw makes it speak now.
            dist.sample(np.random.default_rng(0), 1)
        except Exception as exc:  # scipy raises ValueError or returns nan depending on law
            reason = str(exc).split(".")[0]
            raise DistError(f"{name} rejects parameters {dict(params)}: {reason}") from None
        mean = dist.mean()
        if math.isnan(mean) and not np.isfinite(dist.sample(np.random.default_rng(0), 1)).all():
            raise DistError(f"{name} rejects parameters {dict(params)}")
        key = _law_key(name, rest)
        if key is not None:
            _remember(key)
        return dist

    @classmethod
    def _categorical(cls, rest: Mapping[str, Any]) -> Dist:
        if set(rest) - {"values", "weights"} or "values" not in rest:
            raise DistError("categorical takes 'values' (a list) and optional 'weights'")
        values = rest["values"]
        weights = rest.get("weights", [1.0] * len(values) if isinstance(values, list) else None)
        if not isinstance(values, list) or not values:
            raise DistError("categorical 'values' must be a non-empty list of numbers")
        if not isinstance(weights, list) or len(weights) != len(values):
            raise DistError("categorical 'weights' must be a list as long as 'values'")
        for item in (*values, *weights):
            if (isinstance(item, bool) or not isinstance(item, int | float)
                    or not math.isfinite(item)):
                raise DistError(f"categorical values and weights must be numbers, found {item!r}")
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise DistError("categorical weights must be >= 0 with a positive sum")
        return cls(CATEGORICAL, (), tuple(float(v) for v in values),
                   tuple(float(w) for w in weights))

    # -- use ----------------------------------------------------------------------------------
    def _frozen(self):
        return _freeze(self.name, self.params)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` float64 values using ``rng`` (and nothing else).

        Common laws are drawn here, the others by ``scipy.stats``: the same values either way.
        """
        if self.name == CONSTANT:
            return np.full(size, self.params[0][1], dtype=np.float64)
        if self.name == CATEGORICAL:
            p = np.asarray(self.weights) / sum(self.weights)
            return np.asarray(self.values, dtype=np.float64)[rng.choice(len(p), size=size, p=p)]
        closed = closed_sample(self.name, dict(self.params), rng, size)
        if closed is not None:
            return closed
        return np.asarray(self._frozen().rvs(size=size, random_state=rng), dtype=np.float64)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantiles at ``u`` in [0, 1): a draw driven by given uniforms (inverse-CDF sampling).

        The generator draws per-order values this way, from uniforms keyed by the order's
        identity, so that an order's values do not depend on how many other orders there are.
        Common laws have closed forms here; the rest go through ``scipy.stats`` (slower).
        """
        u = np.asarray(u, dtype=np.float64)
        if self.name == CONSTANT:
            return np.full(u.shape, self.params[0][1])
        if self.name == CATEGORICAL:
            cdf = np.cumsum(self.weights) / sum(self.weights)
            idx = np.minimum(np.searchsorted(cdf, u, side="right"), len(cdf) - 1)
            return np.asarray(self.values)[idx]
        fast = _FAST_PPF.get(self.name)
        if fast is not None:
            return fast(u, dict(self.params))
        return np.asarray(self._frozen().ppf(u), dtype=np.float64)

    def mean(self) -> float:
        """The law's mean (``inf`` when it has none, ``nan`` for parameters out of its domain).

        Common laws have closed forms here; the rest go through ``scipy.stats``.
        """
        if self.name == CONSTANT:
            return self.params[0][1]
        if self.name == CATEGORICAL:
            return float(np.dot(self.values, self.weights) / sum(self.weights))
        closed = closed_mean(self.name, dict(self.params))
        if closed is not None:
            return closed
        return float(self._frozen().mean())

    def to_spec(self) -> float | dict[str, Any]:
        """The YAML form, inverse of :meth:`from_spec` (used for canonical hashing)."""
        if self.name == CONSTANT:
            return self.params[0][1]
        if self.name == CATEGORICAL:
            return {"dist": CATEGORICAL, "values": list(self.values), "weights": list(self.weights)}
        return {"dist": self.name, **dict(self.params)}

    def __str__(self) -> str:
        spec = self.to_spec()
        if isinstance(spec, float):
            return f"{spec:g}"
        return "{" + ", ".join(f"{k}: {v}" for k, v in spec.items()) + "}"


@functools.cache
def _discrete_names() -> frozenset[str]:
    stats = _stats()
    return frozenset(n for n in _scipy_names() if isinstance(getattr(stats, n), stats.rv_discrete))


@functools.lru_cache(maxsize=256)
def _freeze(name: str, params: tuple[tuple[str, float], ...]):
    return getattr(_stats(), name)(**dict(params))


def _loc_scale(p: dict[str, float]) -> tuple[float, float]:
    return p.get("loc", 0.0), p.get("scale", 1.0)


def _lognorm_ppf(u: np.ndarray, p: dict[str, float]) -> np.ndarray:
    loc, scale = _loc_scale(p)
    return loc + scale * np.exp(p["s"] * _ndtri(u))


def _norm_ppf(u: np.ndarray, p: dict[str, float]) -> np.ndarray:
    loc, scale = _loc_scale(p)
    return loc + scale * _ndtri(u)


def _uniform_ppf(u: np.ndarray, p: dict[str, float]) -> np.ndarray:
    loc, scale = _loc_scale(p)
    return loc + scale * u


def _expon_ppf(u: np.ndarray, p: dict[str, float]) -> np.ndarray:
    loc, scale = _loc_scale(p)
    return loc - scale * np.log1p(-u)


def _geom_ppf(u: np.ndarray, p: dict[str, float]) -> np.ndarray:
    # Smallest k >= 1 with 1 - (1-p)^k >= u; the max() guards u = 0.
    k = np.ceil(np.log1p(-u) / np.log1p(-p["p"]))
    return np.maximum(k, 1.0) + p.get("loc", 0.0)


_FAST_PPF = {"lognorm": _lognorm_ppf, "norm": _norm_ppf, "uniform": _uniform_ppf,
             "expon": _expon_ppf, "geom": _geom_ppf}


# -- closed forms -------------------------------------------------------------------------------
# A law's mean (wanted when a run is checked) and its draws (the marketplace's prices, weights,
# popularity) would otherwise freeze a scipy.stats law, and importing scipy.stats costs more
# than half a second of a run. For common laws they are computed here as scipy.stats computes
# them: the domain of the shape parameters (its _argcheck), the standard mean (its _stats or
# _munp(1)) and the standard draw (its _rvs, the same calls on the Generator), combined with
# loc and scale as rv_generic does. tests/scenario/test_closed_forms.py compares the two over
# drawn parameters. Parameters out of the domain are left to scipy.stats, to refuse them.

def _pareto_mu(b: float) -> float:
    return b / (b - 1.0) if b > 1 else math.inf


def _zipf_mu(a: float) -> float:
    if a <= 2:
        return math.inf
    from scipy.special import zeta  # the Riemann zeta has no closed form

    return float(zeta(a - 1.0, 1) / zeta(a, 1))


def _truncexpon_mu(b: float) -> float:
    return (1 - (b + 1) * math.exp(-b)) / -math.expm1(-b)


def _truncexpon(rng: np.random.Generator, size: int, b: float) -> np.ndarray:
    # scipy.stats' generic draw, its ppf at uniforms, with scipy's own log1p and expm1: numpy's
    # may differ in the last bit.
    from scipy.special import expm1, log1p

    return np.asarray(-log1p(rng.uniform(size=size) * expm1(-b)))


def _geometric(rng: np.random.Generator, size: int, p: float) -> np.ndarray:
    # scipy.stats' geom: a count beyond int64 wraps to negative on RandomState; it pins it.
    res = rng.geometric(p, size=size)
    return np.where(res < 0, np.iinfo(res.dtype).max, res)


def _no_shape() -> bool:
    return True


def _unit(p: float) -> bool:
    return 0 <= p <= 1


def _integral(x: float) -> bool:
    return x == math.floor(x)


_Domain = Callable[..., bool]
#: Continuous laws: the domain of their shapes and their standard mean.
_CONTINUOUS: dict[str, tuple[_Domain, Callable[..., float]]] = {
    "norm": (_no_shape, lambda: 0.0),
    "uniform": (_no_shape, lambda: 0.5),
    "expon": (_no_shape, lambda: 1.0),
    "halfnorm": (_no_shape, lambda: math.sqrt(2.0 / math.pi)),
    "logistic": (_no_shape, lambda: 0.0),
    "laplace": (_no_shape, lambda: 0.0),
    "lognorm": (lambda s: s > 0, lambda s: math.sqrt(math.exp(s * s))),
    "gamma": (lambda a: a > 0, lambda a: a),
    "pareto": (lambda b: b > 0, _pareto_mu),
    "lomax": (lambda c: c > 0, lambda c: _pareto_mu(c) - 1.0),
    "weibull_min": (lambda c: c > 0, lambda c: math.gamma(1.0 + 1.0 / c)),
    "beta": (lambda a, b: a > 0 and b > 0, lambda a, b: a / (a + b)),
    "truncexpon": (lambda b: b > 0, _truncexpon_mu),
    "triang": (lambda c: 0 <= c <= 1, lambda c: (c + 1.0) / 3.0),
}
#: Discrete laws (no scale).
_DISCRETE: dict[str, tuple[_Domain, Callable[..., float]]] = {
    "geom": (lambda p: 0 < p <= 1, lambda p: 1.0 / p),
    "poisson": (lambda mu: mu >= 0, lambda mu: mu),
    "bernoulli": (_unit, lambda p: p),
    "binom": (lambda n, p: n >= 0 and _integral(n) and _unit(p), lambda n, p: n * p),
    "nbinom": (lambda n, p: n > 0 and 0 < p <= 1, lambda n, p: n * (1.0 - p) / p),
    "randint": (lambda low, high: high > low and _integral(low) and _integral(high),
                lambda low, high: (high + low - 1.0) / 2),
    "zipf": (lambda a: a > 1, _zipf_mu),
}
#: Standard draws, ``fn(rng, size, **shapes)``.
_RVS: dict[str, Callable[..., np.ndarray]] = {
    "norm": lambda rng, size: rng.standard_normal(size),
    "uniform": lambda rng, size: rng.uniform(0.0, 1.0, size),
    "expon": lambda rng, size: rng.standard_exponential(size),
    "lognorm": lambda rng, size, s: np.exp(s * rng.standard_normal(size)),
    "gamma": lambda rng, size, a: rng.standard_gamma(a, size),
    "truncexpon": _truncexpon,
    "geom": _geometric,
    "poisson": lambda rng, size, mu: rng.poisson(mu, size),
}
#: The laws whose mean is computed here.
CLOSED_MEANS = frozenset(_CONTINUOUS) | frozenset(_DISCRETE)
#: The laws drawn here.
CLOSED_DRAWS = frozenset(_RVS)


def _shapes(name: str, params: Mapping[str, float]) -> dict[str, float] | None:
    """The shape parameters of ``params`` when this law is in the tables and they (and the
    scale) are in its domain; else None."""
    law = _CONTINUOUS.get(name) or _DISCRETE.get(name)
    scale = params.get("scale", 1.0)
    if law is None or not scale > 0 or (name in _DISCRETE and "scale" in params):
        return None
    shapes = {k: v for k, v in params.items() if k not in ("loc", "scale")}
    try:
        return shapes if law[0](**shapes) else None
    except TypeError:  # shapes this law does not take: left to scipy to say so
        return None


def closed_mean(name: str, params: Mapping[str, float]) -> float | None:
    """The mean of the scipy.stats law ``name`` without scipy.stats, or None when there is no
    closed form here for this law or these parameters."""
    shapes = _shapes(name, params)
    if shapes is None:
        return None
    mean = (_CONTINUOUS.get(name) or _DISCRETE[name])[1]
    try:
        standard = mean(**shapes)
    except OverflowError:  # exp or gamma beyond float64, where scipy's says inf
        standard = math.inf
    return float(standard * params.get("scale", 1.0) + params.get("loc", 0.0))


def closed_sample(name: str, params: Mapping[str, float], rng: np.random.Generator,
                  size: int) -> np.ndarray | None:
    """``size`` draws of the scipy.stats law ``name`` from ``rng``, the very values (and the
    very calls on ``rng``) of its ``rvs``; None when there is no closed form here."""
    draw = _RVS.get(name)
    shapes = _shapes(name, params)
    if draw is None or shapes is None:
        return None
    # rv_generic.rvs: loc and scale are 0 and 1 unless given (ints: an integer draw stays so).
    values = draw(rng, size, **shapes) * params.get("scale", 1) + params.get("loc", 0)
    if name in _DISCRETE:  # rv_discrete.rvs truncates a fractional loc
        values = values.astype(np.int64)
    return np.asarray(values, dtype=np.float64)
