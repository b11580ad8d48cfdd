"""Extraction + resolution -> the triples of one document's named graph.

The only module that makes triples. Every entity, relation and engagement carries
evidence (document, character offsets, quoted sentence) and ``prov:wasDerivedFrom``
the document; relations are nodes with their time span and attribution, and their
shortcut property (memberOf, alliedWith ...) is kept in step beside them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, GEO, PROV, RDF, SKOS, XSD

from . import iris
from .model import Engagement, Entity, Evidence, Extraction, PartialDate, Relation, Resolution
from .vocab import (
    ACTOR_TYPES,
    BASES,
    ENGAGEMENT_TYPES,
    FATES,
    KG,
    PLACE_TYPES,
    PRECISIONS,
    RELATION_TERMS,
    SEM,
    SYMMETRIC_RELATIONS,
    WD,
    WGS,
)

Triple = tuple[URIRef, URIRef, URIRef | Literal]


@lru_cache(maxsize=1 << 16)
def offset_literal(n: int) -> Literal:
    """A character offset; every document's offsets fall in the same small range, so
    each is made once (rdflib builds a typed literal in several microseconds).

    Counts and offsets are written as xsd:integer, the ontology's xsd:nonNegativeInteger
    ranges being checked by the shapes (>= 0): Oxigraph stores derived integer types as
    xsd:integer, and a graph must read back as it was written for an unchanged document
    to be recognised (and not rewritten)."""
    return Literal(n, datatype=XSD.integer)

# the terms written for every mention, looked up once (DefinedNamespace lookups are slow)
_EVIDENCE, _IN_DOCUMENT, _START, _END, _QUOTE, _SENTENCE = (
    KG.Evidence, KG.inDocument, KG.startOffset, KG.endOffset, KG.quote, KG.sentence)

SUPPORT_KINDS = {
    "weapons": KG.Weapons, "training": KG.Training, "troops": KG.Troops,
    "funding": KG.Funding, "diplomatic": KG.Diplomatic, "intelligence": KG.Intelligence,
}


def entity_iri(entity: Entity) -> URIRef:
    return iris.entity(entity.kind, entity.key)


def class_of(entity: Entity) -> URIRef:
    if entity.kind == "person":
        return KG.Person
    if entity.kind == "place":
        return PLACE_TYPES.get(entity.type, KG.Place)
    return ACTOR_TYPES.get(entity.type, KG.Actor)


def date_literal(date: PartialDate) -> Literal:
    """xsd:date, gYearMonth, gYear or gMonthDay, by what is known."""
    y, m, d = date.year, date.month, date.day
    if y is not None and m is not None and d is not None:
        return Literal(dt.date(y, m, d).isoformat(), datatype=XSD.date)
    if y is not None and m is not None:
        return Literal(f"{y:04d}-{m:02d}", datatype=XSD.gYearMonth)
    if y is not None:
        return Literal(f"{y:04d}", datatype=XSD.gYear)
    if m is not None and d is not None:
        return Literal(f"--{m:02d}-{d:02d}", datatype=XSD.gMonthDay)
    if m is not None:
        return Literal(f"--{m:02d}", datatype=XSD.gMonth)
    raise ValueError(f"a date needs at least a year or a month: {date}")


def time_triples(date: PartialDate) -> tuple[URIRef, set[Triple]]:
    """A time node (named from what it says) and its statements."""
    node = iris.statement("time", date.year, date.month, date.day, date.precision, date.basis)
    return node, {
        (node, RDF.type, KG.Time),
        (node, KG.date, date_literal(date)),
        (node, KG.datePrecision, PRECISIONS[date.precision]),
        (node, KG.dateBasis, BASES[date.basis]),
    }


class _Mapper:
    def __init__(self, extraction: Extraction, resolution: Resolution, key: str) -> None:
        self.ex = extraction
        self.res = resolution
        self.doc = extraction.document
        self.doc_iri = iris.document(self.doc.id)
        self.key = key  # names the document's statements (see to_triples)
        self.occurrences: dict[tuple[object, ...], list[int]] = {}
        self.shared: set[Triple] | None = None  # see to_triples
        self.emitted: set[URIRef] = set()
        self.sentence_literals: dict[int, Literal] = {}
        self.alt_literals: dict[str, Literal] = {}
        self.by_mention: dict[int, list[str]] = {}
        for i, entity_key in resolution.mention_entities:
            self.by_mention.setdefault(i, []).append(entity_key)

    def evidence(self, ev: Evidence) -> Iterator[Triple]:
        node = iris.evidence(self.doc.id, ev.start, ev.end)
        if node in self.emitted:  # a span shared by several statements is described once
            return
        self.emitted.add(node)
        sentence = self.ex.sentences[ev.sentence]
        yield node, RDF.type, _EVIDENCE
        yield node, _IN_DOCUMENT, self.doc_iri
        yield node, _START, offset_literal(ev.start)
        yield node, _END, offset_literal(ev.end)
        yield node, _QUOTE, Literal(self.doc.text[ev.start : ev.end])
        if ev.sentence not in self.sentence_literals:
            self.sentence_literals[ev.sentence] = Literal(sentence.text)
        yield node, _SENTENCE, self.sentence_literals[ev.sentence]

    def time(self, date: PartialDate) -> tuple[URIRef, set[Triple]]:
        node, triples = time_triples(date)
        if self.shared is not None:  # stated once, in the shared graph
            self.shared |= triples
            return node, set()
        return node, triples

    def document(self, ingested_at: dt.datetime, sources: Iterable[str], name: str,
                 extractor: str | None) -> Iterator[Triple]:
        d, node = self.doc, self.doc_iri
        if extractor:
            yield node, KG.extractor, Literal(extractor)
        yield node, RDF.type, KG.Document
        yield node, KG.fileName, Literal(name)
        for source in sources:
            yield node, KG.sourceFile, URIRef(source)
        yield node, KG.contentHash, Literal(d.id)
        yield node, KG.charCount, Literal(len(d.text), datatype=XSD.integer)
        yield node, DCTERMS.language, Literal(d.language, datatype=XSD.language)
        yield node, KG.ingestedAt, Literal(ingested_at.isoformat(timespec="seconds"), datatype=XSD.dateTime)
        if d.title:
            yield node, DCTERMS.title, Literal(d.title)
        if d.source:
            yield node, DCTERMS.source, Literal(d.source)
        if d.date:
            yield node, DCTERMS.issued, Literal(d.date.isoformat(), datatype=XSD.date)

    def names(self) -> Iterator[Triple]:
        """What every document says alike of its entities, for the shared graph
        (iris.SHARED_GRAPH): names, Wikidata id, ISO code, coordinates."""
        for entity in self.res.entities.values():
            node = entity_iri(entity)
            yield node, SKOS.prefLabel, Literal(entity.label, lang="fr")
            if entity.label_en:
                yield node, SKOS.prefLabel, Literal(entity.label_en, lang="en")
            if entity.wikidata:
                yield node, SKOS.exactMatch, WD[entity.wikidata]
            if entity.type == "Country" and entity.country:
                yield node, SKOS.notation, Literal(entity.country.upper())  # ISO 3166-1 alpha-2
            if entity.lat is not None and entity.long is not None:
                yield node, WGS.lat, Literal(entity.lat, datatype=XSD.decimal)
                yield node, WGS.long, Literal(entity.long, datatype=XSD.decimal)
                if entity.coordinate_source:
                    yield node, KG.coordinateSource, Literal(entity.coordinate_source)

    def entities(self) -> Iterator[Triple]:
        mentions = self.ex.mentions
        for entity in self.res.entities.values():
            node = entity_iri(entity)
            yield node, RDF.type, class_of(entity)
            yield node, PROV.wasDerivedFrom, self.doc_iri
            country_key = f"country-{entity.country}".lower()
            if entity.type != "Country" and country_key in self.res.entities:
                yield node, KG.country, iris.entity("place", country_key)
            if entity.lat is not None and entity.long is not None:
                geom = iris.statement("geometry", entity.key)
                yield node, GEO.hasGeometry, geom
                yield geom, RDF.type, GEO.Geometry
                wkt = f"POINT({entity.long} {entity.lat})"
                yield geom, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral)
        for i, key in self.res.mention_entities:
            m = mentions[i]
            entity = self.res.entities[key]
            node = entity_iri(entity)
            if m.text != entity.label:
                if m.text not in self.alt_literals:
                    self.alt_literals[m.text] = Literal(" ".join(m.text.split()), lang="fr")
                yield node, SKOS.altLabel, self.alt_literals[m.text]
            if entity.kind == "person":  # as this mention gives them: "le colonel X", "X †"
                if m.rank:
                    yield node, KG.rank, Literal(m.rank, lang="fr")
                if m.fate in FATES:
                    yield node, KG.fate, FATES[m.fate]
            ev = Evidence(m.doc_id, m.sentence, m.start, m.end)
            yield node, KG.evidence, iris.evidence(self.doc.id, m.start, m.end)
            yield from self.evidence(ev)

    def party(self, mention: int, *, place: bool = False) -> URIRef | None:
        """The entity a mention names: its place, or else its actor or person."""
        keys = self.by_mention.get(mention, [])
        for key in keys:
            if (self.res.entities[key].kind == "place") == place:
                return entity_iri(self.res.entities[key])
        return None

    def source(self, node: URIRef, source: int | str) -> Iterator[Triple]:
        if isinstance(source, str):
            yield node, KG.claimSource, Literal(source, lang="fr")
        else:
            iri = self.party(source)
            if iri is not None:
                yield node, KG.claimedBy, iri

    def relation(self, rel: Relation) -> Iterator[Triple]:
        cls, shortcut = RELATION_TERMS[rel.type]
        s, o = self.party(rel.subject), self.party(rel.object)
        if s is None or o is None or s == o:
            return
        if rel.type in SYMMETRIC_RELATIONS and str(o) < str(s):
            s, o = o, s  # "A allied with B" and "B allied with A" are one statement
        # one node per relation and document; each sentence that states it is evidence
        node = iris.statement("relation", rel.type, s, o, self.key)
        yield node, RDF.type, cls
        yield node, KG.subject, s
        yield node, KG.object, o
        yield s, shortcut, o
        yield node, KG.confidence, Literal(rel.confidence, datatype=XSD.decimal)
        yield node, PROV.wasDerivedFrom, self.doc_iri
        yield node, KG.evidence, iris.evidence(self.doc.id, rel.evidence.start, rel.evidence.end)
        yield from self.evidence(rel.evidence)
        if rel.kind and rel.type == "backedBy" and rel.kind in SUPPORT_KINDS:
            yield node, KG.supportKind, SUPPORT_KINDS[rel.kind]
        if rel.kind and rel.type == "commands":
            yield node, KG.rank, Literal(rel.kind, lang="fr")
        for prop, date in ((KG.start, rel.start), (KG.end, rel.end)):
            if date is not None:
                t, triples = self.time(date)
                yield node, prop, t
                yield from triples
        if rel.claimed_by is not None:
            yield from self.source(node, rel.claimed_by)

    def facts(self, eng: Engagement) -> tuple[list[URIRef], list[URIRef], URIRef | None, tuple[object, ...]]:
        """An engagement's parties and place, and the facts that name it: its document's
        key, type, parties, place and date (not its offsets, so an edit elsewhere in the
        text, or a new extractor that finds the same facts, keeps its IRI)."""
        agents = sorted(a for a in (self.party(m) for m in eng.agents) if a is not None)
        targets = sorted(t for t in (self.party(m) for m in eng.targets) if t is not None)
        place = self.party(eng.place, place=True) if eng.place is not None else None
        date = (eng.date.year, eng.date.month, eng.date.day) if eng.date else None
        return agents, targets, place, (self.key, eng.type, place, tuple(agents), tuple(targets), date)

    def count(self, engagements: Iterable[Engagement]) -> None:
        """Where the same facts are told in several places of one text, each place is its
        own engagement, numbered in the order of the text."""
        for eng in engagements:
            starts = self.occurrences.setdefault(self.facts(eng)[3], [])
            if eng.evidence.start not in starts:
                starts.append(eng.evidence.start)
        for starts in self.occurrences.values():
            starts.sort()

    def engagement(self, eng: Engagement) -> Iterator[Triple]:
        agents, targets, place, facts = self.facts(eng)
        node = iris.statement("engagement", *facts, self.occurrences[facts].index(eng.evidence.start))
        yield node, RDF.type, ENGAGEMENT_TYPES[eng.type]
        yield node, PROV.wasDerivedFrom, self.doc_iri
        yield node, KG.confidence, Literal(eng.confidence, datatype=XSD.decimal)
        yield node, KG.evidence, iris.evidence(self.doc.id, eng.evidence.start, eng.evidence.end)
        yield from self.evidence(eng.evidence)
        for a in agents:
            yield node, KG.agent, a
        for t in targets:
            yield node, KG.target, t
        if place is not None:
            yield node, KG.place, place
        if eng.date is not None:
            t, triples = self.time(eng.date)
            yield node, SEM.hasTime, t
            yield from triples
        if eng.fatalities is not None:
            yield node, KG.fatalities, Literal(eng.fatalities, datatype=XSD.integer)
        if eng.claimed_by is not None:
            yield from self.source(node, eng.claimed_by)
        for claim in eng.claims:
            c = iris.statement("claim", node, claim.source, claim.outcome)
            yield c, RDF.type, KG.Claim
            yield c, KG.claimOf, node
            yield from self.source(c, claim.source)
            yield from self.source(node, claim.source)
            if claim.outcome:
                yield c, KG.outcome, Literal(claim.outcome, lang="en")
            yield c, KG.evidence, iris.evidence(self.doc.id, claim.evidence.start, claim.evidence.end)
            yield from self.evidence(claim.evidence)


def source_iri(path: Path) -> str:
    """A file's identity as a document's source: the file: IRI of its absolute path, as
    named (a symbolic link is its own source, not the file it points at)."""
    return Path(os.path.abspath(path)).as_uri()


def to_triples(extraction: Extraction, resolution: Resolution, *, ingested_at: dt.datetime,
               sources: Iterable[str] = (), name: str | None = None, extractor: str | None = None,
               key: str | None = None, shared: set[Triple] | None = None) -> set[Triple]:
    """All the statements of one document, for its named graph (a set: no duplicates).
    ``sources``: the file: IRIs the text was read from (the document's own file if none);
    ``name``: the file name it is known by (its own file's if none); ``key``: what names
    its relations and engagements (that name if none), so that they keep their IRIs when
    the text is edited or extracted again (a curator's correction points at them);
    ``shared``: a set that receives what goes to the shared graph instead (iris.SHARED_GRAPH:
    the entities' names and coordinates, the time points); without it, the graph is whole."""
    m = _Mapper(extraction, resolution, key or name or extraction.document.name)
    m.count(extraction.engagements)
    m.shared = shared
    if shared is not None:  # what every document says alike, for the shared graph (iris.SHARED_GRAPH)
        shared |= set(m.names())
    triples: set[Triple] = set(m.document(ingested_at, sorted(set(sources)) or [source_iri(extraction.document.path)],
                                          name or extraction.document.name, extractor))
    triples.update(m.entities())
    if shared is None:
        triples.update(m.names())
    for rel in extraction.relations:
        triples.update(m.relation(rel))
    for eng in extraction.engagements:
        triples.update(m.engagement(eng))
    return _one_confidence(triples)


def _one_confidence(triples: set[Triple]) -> set[Triple]:
    """A statement made by several sentences of one document is one node: it keeps the
    highest of their confidences."""
    best: dict[URIRef, Triple] = {}
    confidence = KG.confidence  # looked up once: a namespace's attribute is a call
    for t in triples:
        if t[1] == confidence and (t[0] not in best or t[2].toPython() > best[t[0]][2].toPython()):  # type: ignore[union-attr,operator]
            best[t[0]] = t
    return {t for t in triples if t[1] != confidence or best[t[0]] is t}
