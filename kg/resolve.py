"""Mentions -> canonical entities: one node per real-world actor, person or place.

Order of trust: the reference list (names, aliases, acronyms), the document's own
acronym definitions, the curated places and the GeoNames gazetteer (checked against
the document's country), then a new entity named from the mention itself. Contextual
aliases ("la junte") resolve to the reference entry of the document's country, or to
nothing: the resolver never invents an entity the text and the lists do not support.
"""

from __future__ import annotations

import re
from collections import Counter

from . import gazetteer
from .config import Settings
from .iris import fold, slug
from .model import Entity, Extraction, Mention, Resolution
from .reference import RefEntry, Reference
from .reference import load as load_reference

_NOISE = re.compile(r"[|\n\d•]")
_REGION_HEADS = ("état ", "etat ", "états ", "région ", "province ")
_GENERIC = {"etat", "etats", "region", "ville", "pays", "alliance", "parlement"}


class _Index:
    """Folded label -> reference entries, built once per reference list."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        self.labels: dict[str, list[RefEntry]] = {}
        self.contextual: dict[str, list[RefEntry]] = {}
        for e in reference.entries.values():
            for label in (*e.labels, *e.acronyms):
                self.labels.setdefault(fold(label), []).append(e)
            for alias in e.contextual:
                self.contextual.setdefault(fold(alias), []).append(e)

    def find(self, text: str, kind: str) -> RefEntry | None:
        for e in self.labels.get(fold(text), ()):
            if e.kind == kind:
                return e
        return None


_INDEXES: dict[int, _Index] = {}


def _index(reference: Reference) -> _Index:
    if id(reference) not in _INDEXES:
        _INDEXES[id(reference)] = _Index(reference)
    return _INDEXES[id(reference)]


def document_country(mentions: tuple[Mention, ...], reference: Reference) -> str | None:
    """The country the document is about: the most mentioned, by reference entries."""
    votes: Counter[str] = Counter()
    for m in mentions:
        if m.ref and m.ref in reference.entries:
            country = reference.entries[m.ref].country
            if country:
                votes[country] += 1
    return votes.most_common(1)[0][0] if votes else None


def _from_ref(e: RefEntry, settings: Settings) -> Entity:
    lat, long, source = e.lat, e.long, e.coordinate_source
    if e.gazetteer and lat is None:
        place = gazetteer.lookup(e.gazetteer, e.country, min_population=settings.gazetteer_min_population)
        if place:
            lat, long, source = place.lat, place.long, place.source
    return Entity(
        key=e.key, kind=e.kind, type=e.type, label=e.labels[0] if e.labels else e.name,  # type: ignore[arg-type]
        label_en=e.name, wikidata=e.wikidata, country=e.country, lat=lat, long=long,
        coordinate_source=source,
    )


def _place(text: str, country: str | None, index: _Index, settings: Settings) -> Entity | None:
    entry = index.find(text, "place")
    if entry is not None:
        return _from_ref(entry, settings)
    hit = gazetteer.lookup(text, country, min_population=settings.gazetteer_min_population)
    if hit is not None:
        return Entity(
            key=f"geonames-{hit.geonameid}", kind="place", type="Town", label=text,
            label_en=hit.name, country=hit.country, lat=hit.lat, long=hit.long,
            coordinate_source=hit.source,
        )
    return None


def _capital_state(place: Entity, reference: Reference) -> RefEntry | None:
    if not place.country or place.label_en is None:
        return None
    if gazetteer.capital(place.country) != place.label_en:
        return None
    return reference.entries.get("state-" + place.country.lower())


def resolve(extraction: Extraction, *, settings: Settings) -> Resolution:
    reference = load_reference(settings.reference_dir)
    index = _index(reference)
    mentions = extraction.mentions
    country = document_country(mentions, reference)
    entities: dict[str, Entity] = {}
    pairs: list[tuple[int, str]] = []

    def link(i: int, entity: Entity) -> None:
        entities.setdefault(entity.key, entity)
        pairs.append((i, entity.key))

    # the document's own acronym definitions: long form and acronym name one actor
    defined: dict[str, Entity] = {}
    for m in mentions:
        if m.origin == "acronym" and m.long_form and fold(m.long_form) not in defined:
            acronym = next((a.text for a in mentions if a.long_form == m.long_form
                            and a.text != m.long_form), m.long_form)
            entry = index.find(m.long_form, "actor") or index.find(acronym, "actor")
            entity = _from_ref(entry, settings) if entry else Entity(
                key=slug(acronym), kind="actor", type=m.type, label=m.long_form, country=country)
            defined[fold(m.long_form)] = defined[fold(acronym)] = entity

    for i, m in enumerate(mentions):
        if m.origin == "contextual":
            alias = m.ref.split(":", 1)[1] if m.ref else m.text
            candidates = index.contextual.get(fold(alias), ())
            choices = [e for e in candidates if e.country == country and not e.generic]
            generic = [e for e in candidates if e.generic]
            if choices:
                link(i, _from_ref(choices[0], settings))
            elif generic:
                e = generic[0]
                link(i, Entity(key=f"{e.key}-{country.lower()}" if country else e.key,
                               kind="actor", type=e.type, label=" ".join(m.text.split()),
                               label_en=e.name, country=country))
            continue
        if m.origin == "unit":  # a numbered unit ("129e bataillon"): one per country
            number_and_noun = " ".join(m.text.split()[:2])
            link(i, Entity(key=f"{(country or 'xx').lower()}-{slug(number_and_noun)}", kind="actor",
                           type="StateForce", label=" ".join(m.text.split()), country=country))
            continue
        if m.origin == "alias" and m.long_form:  # "(dit ATT)": the person named just before
            owner = next((k for j, k in pairs if mentions[j].kind == "person"
                          and mentions[j].text == m.long_form), None)
            if owner is not None:
                link(i, entities[owner])
                continue
        if m.ref and m.ref in reference.entries:
            entry = reference.entries[m.ref]
            link(i, _from_ref(entry, settings))
            if entry.key.startswith("country-") and m.agentive:  # the country acting: its State
                link(i, _from_ref(reference.entries["state-" + entry.key.split("-", 1)[1]], settings))
            continue
        if m.origin == "acronym" and m.long_form:
            link(i, defined[fold(m.long_form)])
            continue
        if _NOISE.search(m.text) or fold(m.text) in _GENERIC:
            continue
        if fold(m.text) in defined:
            link(i, defined[fold(m.text)])
            continue
        place = _place(m.text, country, index, settings)
        if m.origin == "cue" and place is None:
            continue  # a capitalised word after "à" or "de" that no gazetteer knows
        if m.kind == "place" or (place is not None and m.origin == "ner"):
            if place is None:
                lowered = m.text.lower()
                kind = "Region" if lowered.startswith(_REGION_HEADS) else "Place"
                place = Entity(key=slug(m.text), kind="place", type=kind, label=m.text, country=country)
            link(i, place)
            state = _capital_state(place, reference) if m.agentive else None
            if state is not None:  # "Moscou annonce": the capital speaks for its State
                link(i, _from_ref(state, settings))
            continue
        entry = index.find(m.text, m.kind)
        if entry is not None:
            link(i, _from_ref(entry, settings))
        else:
            link(i, Entity(key=slug(m.text), kind=m.kind, type=m.type, label=m.text,
                           country=country if m.kind == "actor" else None))
    # the countries entities belong to, so that kg:country never points at an unknown node
    for code in {e.country for e in list(entities.values()) if e.country}:
        entry = reference.entries.get("country-" + code.lower())
        if entry is not None:
            entities.setdefault(entry.key, _from_ref(entry, settings))
    return Resolution(entities=entities, mention_entities=tuple(pairs), country=country)
