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
from .iris import slug
from .model import Entity, Extraction, Mention, Origin, Resolution, StateBody
from .reference import RefEntry, Reference
from .reference import load as load_reference
from .text import fold

_NOISE = re.compile(r"[|\n•]|^[\W\d]*$")  # table debris, or no letter at all
_REGION_HEADS = ("état ", "etat ", "états ", "région ", "province ")
_GENERIC = {"etat", "etats", "region", "ville", "pays", "alliance", "parlement"}


class Lookup:
    """Everything resolve consults, behind one interface: the reference list (folded
    labels, contextual aliases, national roles, capitals) and the gazetteer (curated
    places first, then GeoNames), built once per reference list and settings."""

    def __init__(self, reference: Reference, settings: Settings) -> None:
        self.reference = reference
        self.entries = reference.entries
        self.min_population = settings.gazetteer_min_population
        self.labels: dict[str, list[RefEntry]] = {}
        self.contextual: dict[str, list[RefEntry]] = {}
        self.national: dict[tuple[str, str], RefEntry] = {}  # (country, role) -> entry
        for e in reference.entries.values():
            for role in e.national if e.country else ():
                self.national[(e.country, role)] = e  # type: ignore[index]
            for label in (*e.labels, *e.acronyms):
                self.labels.setdefault(fold(label), []).append(e)
            for alias in e.contextual:
                self.contextual.setdefault(fold(alias), []).append(e)

    def find(self, text: str, kind: str) -> RefEntry | None:
        for e in self.labels.get(fold(text), ()):
            if e.kind == kind:
                return e
        return None

    def entity(self, e: RefEntry) -> Entity:
        """A reference entry as an entity, its coordinates from the gazetteer if it names a record."""
        lat, long, source = e.lat, e.long, e.coordinate_source
        if e.gazetteer and lat is None:
            place = gazetteer.lookup(e.gazetteer, e.country, min_population=self.min_population)
            if place:
                lat, long, source = place.lat, place.long, place.source
        return Entity(
            key=e.key, kind=e.kind, type=e.type, label=e.labels[0] if e.labels else e.name,  # type: ignore[arg-type]
            label_en=e.name, wikidata=e.wikidata, country=e.country, lat=lat, long=long,
            coordinate_source=source,
        )

    def place(self, text: str, country: str | None, countries: set[str] | None = None) -> Entity | None:
        """A place: a curated entry of the reference list, else a GeoNames record in the
        document's country (or one of the countries it names)."""
        entry = self.find(text, "place")
        if entry is not None:
            return self.entity(entry)
        hit = gazetteer.lookup(text, country, min_population=self.min_population, within=countries)
        if hit is not None:
            return Entity(
                # the record's name, whichever spelling a text uses ("Rangoun", "Rangoon")
                key=f"geonames-{hit.geonameid}", kind="place", type="Town", label=hit.name,
                label_en=hit.name, country=hit.country, lat=hit.lat, long=hit.long,
                coordinate_source=hit.source,
            )
        return None

    def capital_state(self, text: str) -> RefEntry | None:
        """The State a capital's name speaks for ("Moscou annonce", "Washington a mis en place")."""
        iso = self.reference.capitals.get(fold(text))
        return self.entries.get("state-" + iso.lower()) if iso else None


_LOOKUPS: dict[tuple[int, int], Lookup] = {}


def lookup_for(reference: Reference, settings: Settings) -> Lookup:
    key = (id(reference), settings.gazetteer_min_population)
    if key not in _LOOKUPS:
        _LOOKUPS[key] = Lookup(reference, settings)
    return _LOOKUPS[key]


def document_country(mentions: tuple[Mention, ...], reference: Reference) -> str | None:
    """The country the document is about: the most mentioned, by reference entries."""
    votes: Counter[str] = Counter()
    for m in mentions:
        if m.ref and m.ref in reference.entries:
            country = reference.entries[m.ref].country
            if country:
                votes[country] += 1
    return votes.most_common(1)[0][0] if votes else None


def document_countries(mentions: tuple[Mention, ...], reference: Reference,
                       country: str | None) -> set[str]:
    """Every country the document names (as a country, a state body or an actor of the
    reference list): where its places may be."""
    out = {country} if country else set()
    for m in mentions:
        if m.ref and m.ref in reference.entries and reference.entries[m.ref].country:
            out.add(reference.entries[m.ref].country)  # type: ignore[arg-type]
        if m.state is not None and m.state.country:
            out.add(m.state.country)
    return out


def _short_names(mentions: tuple[Mention, ...]) -> dict[int, int]:
    """One-word person names that are a longer name's surname in the same document
    ("Burhan" after "Abdel Fattah al-Burhane"): mention -> the longer one's mention."""
    longer = [(i, fold(m.text).split()) for i, m in enumerate(mentions)
              if m.kind == "person" and len(m.text.split()) >= 2]
    out: dict[int, int] = {}
    for i, m in enumerate(mentions):
        word = fold(m.text)
        if m.kind != "person" or len(word) < 4:
            continue
        if " " in word:  # "al-Assad" (folded "al assad") after "Bachar al-Assad": the name's end
            tail = word.split()
            owners = {j for j, words in longer if len(words) > len(tail) and words[-len(tail):] == tail}
        else:
            owners = {j for j, words in longer
                      if any(w.startswith(word) or (len(w) >= 4 and word.startswith(w)) for w in words[1:])}
        owners_text = {fold(mentions[j].text) for j in owners}
        if len(owners_text) == 1:  # one person only: an ambiguous surname stays apart
            out[i] = min(owners)
    return out


def _compatible(a: Mention, b: Mention) -> bool:
    """Whether two mentions of one name can be one person: not two fates ("prisonnier
    de guerre" and "†"), not two ranks where neither is the other's short form
    ("colonel" and "général de brigade"; "général" is short for "général de brigade")."""
    if a.fate and b.fate and a.fate != b.fate:
        return False
    if a.rank and b.rank:
        x, y = sorted((a.rank, b.rank), key=len)
        return y.startswith(x)
    return True


def _person_keys(mentions: tuple[Mention, ...]) -> dict[int, str]:
    """Persons no list knows, one key per person: mentions of one name share it unless
    their ranks or fates say they are two people (two Min Min Tun in one infobox)."""
    groups: dict[str, list[list[int]]] = {}
    keys: dict[int, str] = {}
    for i, m in enumerate(mentions):
        if m.kind != "person" or m.ref:
            continue
        people = groups.setdefault(fold(m.text), [])
        for n, person in enumerate(people):
            if all(_compatible(m, mentions[j]) for j in person):
                person.append(i)
                break
        else:
            n = len(people)
            people.append([i])
        key = slug(m.text)
        keys[i] = key if n == 0 else f"{key}-{slug(m.rank or m.fate or str(n + 1))}"
    return keys


def _parties(extraction: Extraction) -> set[int]:
    """The mentions that take part in a relation or an engagement (not as its place)."""
    out: set[int] = set()
    for r in extraction.relations:
        out.update((r.subject, r.object))
    for e in extraction.engagements:
        out.update(e.agents)
        out.update(e.targets)
        if isinstance(e.claimed_by, int):
            out.add(e.claimed_by)
    return out


def _state_entity(m: Mention, body: StateBody, country: str | None, lookup: Lookup) -> Entity | None:
    """A state's forces or government named by description: the reference entry that
    plays that role for the country, else one node per country and role."""
    iso = body.country or country
    if iso is None:
        return None
    for e in lookup.contextual.get(fold(m.text), ()):  # "la junte" in Myanmar: the seeds' convention
        if e.country == iso and not e.generic:
            return lookup.entity(e)
    entry = lookup.national.get((iso, body.role))
    if entry is not None:
        return lookup.entity(entry)
    state = lookup.entries.get("state-" + iso.lower())
    name = state.name if state else iso
    return Entity(key=f"{body.role}-{iso.lower()}", kind="actor", type=m.type,
                  label=" ".join(m.text.split()), label_en=f"{name} ({body.role.replace('-', ' ')})",
                  country=iso)


def resolve(extraction: Extraction, *, settings: Settings) -> Resolution:
    reference = load_reference(settings.reference_dir)
    lookup = lookup_for(reference, settings)
    mentions = extraction.mentions
    country = document_country(mentions, reference)
    countries = document_countries(mentions, reference, country)
    parties = _parties(extraction)
    short = _short_names(mentions)
    person_keys = _person_keys(mentions)
    index_person: dict[str, Entity] = {}
    entities: dict[str, Entity] = {}
    pairs: list[tuple[int, str]] = []

    def link(i: int, entity: Entity) -> None:
        entities.setdefault(entity.key, entity)
        if entity.kind == "person":
            index_person.setdefault(fold(mentions[i].text), entity)
        pairs.append((i, entity.key))

    # the document's own acronym definitions: long form and acronym name one actor
    defined: dict[str, Entity] = {}
    for m in mentions:
        if m.origin == "acronym" and m.long_form and fold(m.long_form) not in defined:
            acronym = next((a.text for a in mentions if a.long_form == m.long_form
                            and a.text != m.long_form), m.long_form)
            entry = lookup.find(m.long_form, "actor") or lookup.find(acronym, "actor")
            entity = lookup.entity(entry) if entry else Entity(
                key=slug(acronym), kind="actor", type=m.type, label=m.long_form, country=country)
            defined[fold(m.long_form)] = defined[fold(acronym)] = entity

    for i, m in enumerate(mentions):
        if m.refers_to is not None:  # "les rebelles", after "les rebelles du M23": the M23
            named = next((k for j, k in pairs if mentions[j].text == m.refers_to), None)
            if named is not None:
                link(i, entities[named])
                continue
        if m.state is not None:  # "l'armée soudanaise", "la junte": a state's body
            state_entity = _state_entity(m, m.state, country, lookup)
            if state_entity is not None:
                link(i, state_entity)
            continue
        if m.origin == Origin.COLLECTIVE:
            if i not in parties:
                continue  # "des rebelles" who do nothing in the text: no node
            head = slug(m.head or m.text)
            link(i, Entity(key=f"{head}-{country.lower()}" if country else head, kind="actor",
                           type=m.type, label=" ".join(m.text.split()), country=country))
            continue
        if m.origin == "contextual":
            alias = m.ref.split(":", 1)[1] if m.ref else m.text
            candidates = lookup.contextual.get(fold(alias), ())
            choices = [e for e in candidates if e.country == country and not e.generic]
            generic = [e for e in candidates if e.generic]
            if choices:
                link(i, lookup.entity(choices[0]))
            elif generic:
                e = generic[0]
                # one label whichever words a document uses ("rebelles", "forces
                # anti-junte"): the list's first; the text's own words are altLabels
                link(i, Entity(key=f"{e.key}-{country.lower()}" if country else e.key,
                               kind="actor", type=e.type, label=e.contextual[0] if e.contextual else e.name,
                               label_en=e.name, country=country))
            continue
        if m.origin == "unit":  # a numbered unit ("129e bataillon"): one per country
            words = m.text.split()  # a command named by its region keeps all its words
            number_and_noun = " ".join(words[:2] if words[0][:1].isdigit() else words)
            link(i, Entity(key=f"{(country or 'xx').lower()}-{slug(number_and_noun)}", kind="actor",
                           type="StateForce", label=number_and_noun, country=country))
            continue
        if i in short and m.ref is None:  # "Burhan": the "Abdel Fattah al-Burhane" named before
            owner_text = mentions[short[i]].text
            link(i, index_person.get(fold(owner_text)) or Entity(
                key=slug(owner_text), kind="person", type="Person", label=owner_text))
            continue
        if m.origin == "alias" and m.long_form:  # "(dit ATT)": the person named just before
            owner = next((k for j, k in pairs if mentions[j].kind == "person"
                          and mentions[j].text == m.long_form), None)
            if owner is not None:
                link(i, entities[owner])
                continue
        if m.ref and m.ref in lookup.entries:
            entry = lookup.entries[m.ref]
            link(i, lookup.entity(entry))
            if entry.key.startswith("country-") and (m.agentive or i in parties):  # acting: its State
                link(i, lookup.entity(lookup.entries["state-" + entry.key.split("-", 1)[1]]))
            continue
        if m.origin == "acronym" and m.long_form:
            link(i, defined[fold(m.long_form)])
            continue
        if _NOISE.search(m.text) or fold(m.text) in _GENERIC:
            continue
        if fold(m.text) in defined:
            link(i, defined[fold(m.text)])
            continue
        place = lookup.place(m.text, country, countries)
        if m.origin == "cue" and place is None:
            continue  # a capitalised word after "à" or "de" that no gazetteer knows
        if m.kind == "place" or (place is not None and m.origin == "ner"):
            if place is None and m.agentive and m.origin == Origin.NER and m.kind == "place" \
                    and re.search(r"\d|^[A-Z]{2,}\b", m.text):
                # an unknown code name that acts ("le M23 a pris"): an actor, not a place
                link(i, Entity(key=slug(m.text), kind="actor", type="Actor", label=m.text,
                               country=country))
                continue
            if place is None:
                lowered = m.text.lower()
                kind = "Region" if lowered.startswith(_REGION_HEADS) else "Place"
                place = Entity(key=slug(m.text), kind="place", type=kind, label=m.text, country=country)
            link(i, place)
            state = lookup.capital_state(m.text) if m.agentive else None
            if state is not None:  # "Moscou annonce": the capital speaks for its State
                link(i, lookup.entity(state))
            continue
        entry = lookup.find(m.text, m.kind)
        if entry is not None:
            link(i, lookup.entity(entry))
        else:
            link(i, Entity(key=person_keys.get(i) or slug(m.text), kind=m.kind, type=m.type,
                           label=m.text, country=country if m.kind == "actor" else None))
    # the countries entities belong to, so that kg:country never points at an unknown node
    for code in {e.country for e in list(entities.values()) if e.country}:
        entry = lookup.entries.get("country-" + code.lower())
        if entry is not None:
            entities.setdefault(entry.key, lookup.entity(entry))
    return Resolution(entities=entities, mention_entities=tuple(pairs), country=country)
