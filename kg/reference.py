"""The reference lists of ontology/reference/: who is who (names, aliases, types).

Identity only: the lists never carry a relation, an event or a date.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import files
from .errors import InputError
from .extract import lang
from .text import fold
from .vocab import ACTOR_TYPES, PLACE_TYPES


@dataclass(frozen=True)
class RefEntry:
    """One known actor, person, country or place."""

    key: str  # the entity key (also its IRI segment)
    kind: str  # actor | person | place
    type: str  # ontology local name (FORMAT.md name for actors)
    name: str  # English / canonical name
    labels: tuple[str, ...]  # French names, case-insensitive; first is preferred
    acronyms: tuple[str, ...] = ()  # case-sensitive
    contextual: tuple[str, ...] = ()  # valid only in a document about ``country``
    country: str | None = None
    wikidata: str | None = None
    lat: float | None = None
    long: float | None = None
    coordinate_source: str | None = None
    gazetteer: str | None = None  # GeoNames name to take coordinates from
    generic: bool = False  # a collective ("forces rebelles"): one node per country
    national: tuple[str, ...] = ()  # the state roles it plays for ``country`` ("armed-forces")


@dataclass(frozen=True)
class Reference:
    entries: dict[str, RefEntry]
    demonyms: dict[str, str]  # folded adjective -> ISO country code
    capitals: dict[str, str]  # folded capital name ("moscou", "washington") -> ISO country code


def _load_yaml(path: Path) -> list[dict[str, Any]]:
    try:
        data = files.read_yaml(path) or []
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(path, f"reference list cannot be read: {exc}") from exc
    if not isinstance(data, list):
        raise InputError(path, "a reference list must be a YAML list of entries")
    return data


def _tuple(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (value or ()))


@lru_cache(maxsize=4)
def load(reference_dir: Path, language: str = "fr") -> Reference:
    """Read the lists (``actors*.yaml``: the seeds' and the world's armed actors);
    raise InputError naming the file on a bad entry."""
    entries: dict[str, RefEntry] = {}
    demonyms: dict[str, str] = {}
    capitals: dict[str, str] = {}

    def add(path: Path, entry: RefEntry) -> None:
        if entry.key in entries:
            raise InputError(path, f"entry id {entry.key!r} is defined twice")
        entries[entry.key] = entry

    for path, row in ((p, r) for p in sorted(reference_dir.glob("actors*.yaml")) for r in _load_yaml(p)):
        if row.get("type") not in ACTOR_TYPES:
            raise InputError(path, f"actor {row.get('id')!r} has unknown type {row.get('type')!r}")
        add(path, RefEntry(
            key=str(row["id"]), kind="actor", type=row["type"], name=str(row["name"]),
            labels=_tuple(row.get("labels")), acronyms=_tuple(row.get("acronyms")),
            contextual=_tuple(row.get("contextual")), country=row.get("country"),
            wikidata=row.get("wikidata"), generic=bool(row.get("generic")),
            national=_tuple([row["national"]] if isinstance(row.get("national"), str)
                            else row.get("national")),
        ))
    path = reference_dir / "persons.yaml"
    for row in _load_yaml(path):
        add(path, RefEntry(
            key=str(row["id"]), kind="person", type="Person", name=str(row["name"]),
            labels=_tuple(row.get("aliases")) or (str(row["name"]),), wikidata=row.get("wikidata"),
        ))
    # every country of the world, named in the language pack; the curated list adds
    # Wikidata ids (where checked) and any further label
    path = reference_dir / "countries.yaml"
    curated = {str(row["iso"]): row for row in _load_yaml(path)}
    pack = lang.load(language)
    rows = {str(row["iso"]): row for row in pack.get("countries")}
    for iso, row in curated.items():
        rows.setdefault(iso, row)
    for iso, row in rows.items():
        extra = curated.get(iso, {})
        labels = tuple(dict.fromkeys((*_tuple(row.get("labels")), *_tuple(extra.get("labels")))))
        for adj in (*_tuple(row.get("demonyms")), *_tuple(extra.get("demonyms"))):
            demonyms[fold(adj)] = iso
        for capital in (*_tuple([row["capital"]] if row.get("capital") else []),
                        *_tuple(row.get("capital_aliases"))):
            capitals[fold(capital)] = iso
        for key, kind, type_ in (("state-", "actor", "State"), ("country-", "place", "Country")):
            add(path, RefEntry(key=key + iso.lower(), kind=kind, type=type_, name=str(row["name"]),
                               labels=labels, country=iso, wikidata=extra.get("wikidata")))
    path = reference_dir / "places.yaml"
    for row in _load_yaml(path):
        if row.get("kind") not in PLACE_TYPES:
            raise InputError(path, f"place {row.get('id')!r} has unknown kind {row.get('kind')!r}")
        add(path, RefEntry(
            key=str(row["id"]), kind="place", type=row["kind"], name=str(row["name"]),
            labels=_tuple(row.get("labels")) or (str(row["name"]),), country=row.get("country"),
            wikidata=row.get("wikidata"), lat=row.get("lat"), long=row.get("long"),
            coordinate_source=row.get("source"), gazetteer=row.get("gazetteer"),
        ))
    return Reference(entries=entries, demonyms=demonyms, capitals=capitals)
