"""Where buyers live and shops keep their warehouses: real cities, their sizes and distances.

The zh_CN and en_US locales use a bundled table of real cities (``data/cities_zh_CN.csv``:
China's prefecture-level cities and municipalities; ``data/cities_en_US.csv``: the largest US
places), with their coordinates and populations from GeoNames (``docs/sources.md#geography``;
``tools/build_cities.py`` rebuilds them). A scenario uses the ``marketplace.cities`` most
populous ones, and accounts live in a city in proportion to its population raised to
``marketplace.city_skew``.

Other locales have no table: their city names come from Faker (:mod:`brushbench.generator.pools`)
and :func:`invented_geography` gives them Zipf sizes (the n-th city 1/n of the first) and
invented positions, so that distances, and the transit times that grow with them, still exist.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np

#: Locales with a bundled city table.
TABLE_LOCALES = ("zh_CN", "en_US")
#: Mean radius of the Earth in km (IUGG).
EARTH_RADIUS_KM = 6371.0088
#: Radius in km of the disc an invented geography's cities are placed in (a country about the
#: size of France or Texas: an assumption).
INVENTED_RADIUS_KM = 600.0


@dataclass(frozen=True)
class Geography:
    """Cities by index: names, positions (degrees) and populations (relative weights).

    City 0 is the most populous; indices into it are what the marketplace stores.
    """

    names: tuple[str, ...]
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray  # float64, > 0

    def __len__(self) -> int:
        return len(self.names)

    def weights(self, skew: float) -> np.ndarray:
        """Share of accounts living in each city: population ** ``skew``, normalised (1 =
        proportional to population, 0 = every city alike, larger = the big cities more)."""
        # Scaled by the largest first, so a large skew cannot overflow to inf.
        w = (self.population / self.population.max()) ** skew
        return w / w.sum()

    def distance_km(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Great-circle distance in km between cities ``a`` and ``b`` (index arrays)."""
        lat1, lat2 = np.radians(self.lat[a]), np.radians(self.lat[b])
        dlon = np.radians(self.lon[b] - self.lon[a])
        h = (np.sin((lat2 - lat1) / 2) ** 2
             + np.cos(lat1) * np.cos(lat2) * np.sin(dlon / 2) ** 2)
        return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


@functools.cache
def city_table(locale: str) -> Geography | None:
    """The whole bundled table of ``locale``, most populous first; None when it has none."""
    if locale not in TABLE_LOCALES:
        return None
    text = resources.files(__package__).joinpath("data").joinpath(
        f"cities_{locale}.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(
        "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#")))))
    population = np.array([float(r["population"]) for r in rows])
    order = np.argsort(-population, kind="stable")
    return Geography(names=tuple(rows[i]["name"] for i in order),
                     lat=np.array([float(rows[i]["lat"]) for i in order]),
                     lon=np.array([float(rows[i]["lon"]) for i in order]),
                     population=population[order])


def table_geography(locale: str, n: int) -> Geography | None:
    """The ``n`` most populous cities of ``locale``'s table (all of them if it has fewer);
    None when the locale has no table."""
    table = city_table(locale)
    if table is None:
        return None
    k = min(n, len(table))
    return Geography(table.names[:k], table.lat[:k], table.lon[:k], table.population[:k])


def invented_geography(names: tuple[str, ...], rng: np.random.Generator) -> Geography:
    """Cities without a table (Faker's names): Zipf sizes, the first the largest, and
    positions uniform over a disc of radius :data:`INVENTED_RADIUS_KM` around 0°N 0°E."""
    n = len(names)
    r = INVENTED_RADIUS_KM * np.sqrt(rng.random(n))
    theta = 2 * np.pi * rng.random(n)
    km_per_degree = np.pi * EARTH_RADIUS_KM / 180
    return Geography(names=names, lat=r * np.sin(theta) / km_per_degree,
                     lon=r * np.cos(theta) / km_per_degree,
                     population=1.0 / np.arange(1, n + 1, dtype=np.float64))
