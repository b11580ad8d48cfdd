"""Curators' corrections (``curation/*.yaml``), applied to the store on every build.

A curation file is one curator's (or one topic's) list of corrections: reject a
statement, merge two nodes, split a wrong merge, correct a value, add a fact with its
source. Each file becomes its own named graph (``iris.curation``): the corrections with
who, when and why (PROV), the triples they add, and, as ``rdf:Statement``s they
invalidated, the triples they take out of documents' graphs. The union of the graphs is
then the curated graph, and the originals stay queryable.

The curation graphs are always a function of the files and of the documents' graphs as
extraction wrote them: ``unapply`` puts every original back and drops the curation
graphs (a build does so before it changes a document), ``apply`` reads the files and
works them out again. A correction whose node is gone is reported as stale, one that
changes nothing as unneeded; a file that cannot be read is named with its problem, and
the other files still apply.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, GEO, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Identifier

from . import iris, sparql
from .errors import KgError
from .ingest import TextDateLoader
from .mapping import time_triples
from .model import CORRECTION_KINDS, Correction, CorrectionResult, CurationReport, PartialDate
from .store import Store
from .text import fold
from .vocab import (
    ACTOR_TYPES,
    ENGAGEMENT_TYPES,
    INSTANCE_BASE,
    KG,
    PLACE_TYPES,
    RELATION_TERMS,
    SEM,
    SYMMETRIC_RELATIONS,
    WGS,
)

Triple = tuple[Identifier, Identifier, Identifier]
Graph = set[Triple]

# what each kind of correction may say besides its target, why, curator and date
FIELDS: dict[str, set[str]] = {
    "reject": set(),
    "merge": {"into"},
    "split": {"names", "label", "type", "into"},
    "correct": {"date", "start", "end", "type", "fatalities", "place", "agents", "targets", "subject", "object",
                "direction", "label", "coordinates"},
    "add": {"agents", "targets", "subject", "object", "place", "date", "start", "end", "fatalities", "source", "quote"},
}
COMMON = {"why", "curator", "when"}  # who made it, when and why
SHORT = re.compile(r"^(actor|person|place|engagement|relation|claim)/\S+$")
ROLES = (KG.agent, KG.target, KG.place, KG.subject, KG.object, KG.claimedBy)
# what makes a node the node it is: a merged node's are dropped (the node it goes into keeps its own)
IDENTITY = {RDF.type, SKOS.exactMatch, SKOS.notation, GEO.hasGeometry, WGS.lat, WGS.long, KG.coordinateSource,
            KG.country}
DEPENDENT = {KG.Evidence, KG.Time, GEO.Geometry}  # nodes that exist only as another's part
SHORTCUTS = {cls: (name, prop) for name, (cls, prop) in RELATION_TERMS.items()}


# ---------------------------------------------------------------- reading the files

def read(folder: Path | None) -> tuple[list[Correction], list[str]]:
    """The corrections of every ``*.yaml`` file of ``folder`` (in file-name order), and a
    message for each file that cannot be used (it is left out whole)."""
    corrections: list[Correction] = []
    errors: list[str] = []
    for path in sorted(folder.glob("*.yaml")) if folder and folder.is_dir() else []:
        try:
            corrections += read_file(path)
        except KgError as exc:
            errors.append(str(exc))
    return corrections, errors


def read_file(path: Path) -> list[Correction]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=TextDateLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KgError(f"{path}: cannot be read as YAML ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("corrections"), list):
        raise KgError(f"{path}: a curation file is a mapping with a list `corrections:` (see the README)")
    out = []
    for i, entry in enumerate(data["corrections"], 1):
        where = f"{path}, correction {i}"
        if not isinstance(entry, dict):
            raise KgError(f"{where}: a correction is a mapping (reject:, merge:, split:, correct: or add:)")
        kinds = [k for k in CORRECTION_KINDS if k in entry]
        if len(kinds) != 1:
            raise KgError(f"{where}: say exactly one of {', '.join(CORRECTION_KINDS)}")
        kind = kinds[0]
        unknown = set(entry) - {kind} - FIELDS[kind] - COMMON
        if unknown:
            raise KgError(f"{where}: {kind} does not take {', '.join(sorted(unknown))} "
                          f"(it takes {', '.join(sorted(FIELDS[kind] | COMMON))})")
        curator, when = entry.get("curator", data.get("curator")), entry.get("when", data.get("when"))
        why = entry.get("why")
        if not curator or not why:
            raise KgError(f"{where}: say who made it (curator:, for the file or the correction) and why (why:)")
        try:
            when = dt.date.fromisoformat(str(when))
        except ValueError:
            raise KgError(f"{where}: give the day it was made (when: YYYY-MM-DD, for the file or the correction)"
                          ) from None
        fields = {k: v for k, v in entry.items() if k not in COMMON and k != kind}
        if kind == "correct" and not fields:
            raise KgError(f"{where}: say what to correct ({', '.join(sorted(FIELDS['correct']))})")
        if kind == "merge" and "into" not in fields:
            raise KgError(f"{where}: say which node it merges into (into:)")
        if kind == "split" and ("names" not in fields or not ({"label", "into"} & set(fields))):
            raise KgError(f"{where}: say which names go (names:) and to what (label: and type:, or into:)")
        if kind == "add" and not {"source", "quote"} <= set(fields):
            raise KgError(f"{where}: a fact added by hand gives its source (source:) and its sentence (quote:)")
        for key in ("date", "start", "end"):
            if key in fields:
                _date(fields[key], where)
        out.append(Correction(path, i, kind, str(entry[kind]), fields, str(curator), when, str(why)))
    return out


def _date(value: object, where: str) -> PartialDate:
    """YYYY-MM-DD, YYYY-MM or YYYY."""
    text = str(value)
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text)
    if not m:
        raise KgError(f"{where}: {text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    y, mo, d = (int(g) if g else None for g in m.groups())
    try:
        dt.date(y, mo or 1, d or 1)  # type: ignore[arg-type]
    except ValueError as exc:
        raise KgError(f"{where}: {text!r} is not a date ({exc})") from exc
    return PartialDate(y, mo, d, "day" if d else "month" if mo else "year", "curated")


# ---------------------------------------------------------------- the store's side

def unapply(store: Store) -> None:
    """Put back into each document's graph what corrections took out of it, then drop
    the curation graphs: the store as extraction wrote it."""
    curated = [g for g in store.graphs() if str(g).startswith(iris.CURATION_GRAPHS)]
    if not curated:
        return
    existing = set(store.graphs())
    back: dict[URIRef, Graph] = {}
    for c in curated:
        triples = store.graph_triples(c)
        parts: dict[object, dict[object, object]] = {}
        for s, p, o in triples:
            if p in (RDF.subject, RDF.predicate, RDF.object, KG.originalGraph):
                parts.setdefault(s, {})[p] = o
        for part in parts.values():
            g = part.get(KG.originalGraph)
            if g in existing and len(part) == 4:
                back.setdefault(g, set()).add((part[RDF.subject], part[RDF.predicate], part[RDF.object]))  # type: ignore[arg-type]
    for g, restored in back.items():  # back first: a run stopped half way is undone by the next
        store.change(g, add=restored)  # a few triples: the rest of the graph is not rewritten
    for c in curated:
        store.replace_graph(c, [])


class _State:
    """The documents' graphs a run has touched, as the corrections so far leave them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.pristine: dict[URIRef, Graph] = {}
        self.current: dict[URIRef, Graph] = {}
        self.added: Graph = set()  # facts added by hand, in no document's graph
        self.by: dict[tuple[URIRef | None, Triple], URIRef] = {}  # the correction that took out / put in

    def graphs(self, node: URIRef) -> dict[URIRef, Graph]:
        """The documents' graphs that speak of ``node``."""
        rows = self.store.query(sparql.bind(sparql.text("curate_graphs"), {"node": node})).rows
        for g in (r["g"] for r in rows):
            if _is_document_graph(g) and g not in self.current:  # type: ignore[arg-type]
                triples = set(self.store.graph_triples(g))  # type: ignore[arg-type]
                self.pristine[g], self.current[g] = triples, set(triples)  # type: ignore[index]
        return {g: t for g, t in self.current.items() if any(node in (s, o) for s, _, o in t)}

    def known(self, node: URIRef) -> bool:
        return bool(self.graphs(node)) or any(node in (s, o) for s, _, o in self.added)

    def change(self, g: URIRef, new: Graph, correction: URIRef) -> bool:
        old = self.current[g]
        for t in old - new:
            self.by.setdefault((g, t), correction)
        for t in new - old:
            self.by.setdefault((g, t), correction)
        self.current[g] = new
        return old != new


def _is_document_graph(g: object) -> bool:
    return str(g).startswith(str(iris.graph("")))


def apply(store: Store, folder: Path | None) -> CurationReport:
    """Undo what was applied, then apply the corrections of ``folder``'s files."""
    unapply(store)
    corrections, errors = read(folder)
    state = _State(store)
    results = [_apply_one(state, c) for c in corrections]
    graphs: dict[URIRef, Graph] = {}
    for r in results:
        graphs.setdefault(iris.curation(r.correction.file.name), set()).update(_describe(r))
    by_file = {URIRef(r.iri): iris.curation(r.correction.file.name) for r in results}
    for g in state.current:
        for t in state.pristine[g] - state.current[g]:  # taken out: kept as what the correction invalidated
            c = state.by[(g, t)]
            o = iris.statement("original", g, *(x.n3() for x in t))
            graphs[by_file[c]].update({(o, RDF.type, RDF.Statement), (o, RDF.subject, t[0]), (o, RDF.predicate, t[1]),
                                       (o, RDF.object, t[2]), (o, KG.originalGraph, g),
                                       (o, PROV.wasInvalidatedBy, c)})
        for t in state.current[g] - state.pristine[g]:
            graphs[by_file[state.by[(g, t)]]].add(t)
    for t in state.added:
        graphs[by_file[state.by[(None, t)]]].add(t)
    for c, triples in graphs.items():  # the record first, then the documents' graphs
        store.replace_graph(c, triples)  # type: ignore[arg-type]
    for g in state.current:  # what the corrections took out (what they put in is in their graph)
        if taken := state.pristine[g] - state.current[g]:
            store.change(g, remove=taken)  # type: ignore[arg-type]
    return CurationReport(tuple(results), tuple(errors))


def _describe(r: CorrectionResult) -> Graph:
    c, corr = URIRef(r.iri), r.correction
    agent = iris.statement("curator", corr.curator)
    return {(c, RDF.type, KG.Correction), (c, KG.correctionKind, Literal(corr.kind)),
            (c, KG.correctionStatus, Literal(r.status)), (c, RDFS.comment, Literal(corr.why)),
            (c, PROV.wasAssociatedWith, agent), (agent, RDF.type, PROV.Agent),
            (agent, RDFS.label, Literal(corr.curator)),
            (c, DCTERMS.date, Literal(corr.date.isoformat(), datatype=XSD.date)),
            (c, DCTERMS.source, Literal(f"{corr.file.name}#{corr.index}")),
            *(((c, KG.corrects, URIRef(r.node)),) if r.node else ())}


# ---------------------------------------------------------------- one correction

class Stale(Exception):
    """What a correction is about is not in the store."""


def correction_iri(corr: Correction) -> URIRef:
    """Named from its file and what it says: the same correction keeps its IRI."""
    return iris.statement("correction", corr.file.name, corr.kind, corr.target, sorted(corr.fields.items(), key=str))


def _apply_one(state: _State, corr: Correction) -> CorrectionResult:
    c = correction_iri(corr)
    try:
        node, changed = _KINDS[corr.kind](state, corr, c)
    except Stale as exc:
        return CorrectionResult(corr, str(c), "stale", detail=str(exc))
    if not changed:
        return CorrectionResult(corr, str(c), "unneeded", detail="it would change nothing")
    if node is not None:
        _mark(state, node, c)
    return CorrectionResult(corr, str(c), "applied", node=str(node or ""))


def _mark(state: _State, node: URIRef, c: URIRef) -> None:
    t = (node, KG.curatedBy, c)
    state.added.add(t)
    state.by.setdefault((None, t), c)


def _node(state: _State, ref: object, where: Correction) -> URIRef:
    """An IRI, a short IRI (``actor/mndaa``) or a name the store knows."""
    text = str(ref).strip()
    if text.startswith(("http://", "https://")):
        node = URIRef(text)
    elif SHORT.match(text):
        node = URIRef(INSTANCE_BASE + text)
    else:
        rows = state.store.query(sparql.scoped(sparql.text("curate_find"), "name", [Literal(text)])).rows
        found = sorted({str(r["node"]) for r in rows})
        if len(found) > 1:
            raise KgError(f"{where.file}, correction {where.index}: {text!r} names {len(found)} nodes "
                          f"({', '.join(found)}); give one IRI")
        if not found:
            raise Stale(f"no node is named {text!r}")
        node = URIRef(found[0])
    if not state.known(node):
        raise Stale(f"{node} is not in the store")
    return node


def _nodes(state: _State, refs: object, where: Correction) -> list[URIRef]:
    return [_node(state, r, where) for r in (refs if isinstance(refs, list) else [refs])]


def _reject(state: _State, corr: Correction, c: URIRef) -> tuple[URIRef | None, bool]:
    node = _node(state, corr.target, corr)
    changed = False
    for g, t in state.graphs(node).items():
        claims = {s for s, p, o in t if p == KG.claimOf and o == node}
        new = {x for x in t if x[0] not in claims and node not in (x[0], x[2])}
        changed |= state.change(g, _tidy(new), c)
    return None, changed


def _merge(state: _State, corr: Correction, c: URIRef) -> tuple[URIRef | None, bool]:
    gone, into = _node(state, corr.target, corr), _node(state, corr.fields["into"], corr)
    changed = False
    for g, t in state.graphs(gone).items():
        new: Graph = set()
        for s, p, o in t:
            if s == gone and p == SKOS.prefLabel:
                new.add((into, SKOS.altLabel, o))
            elif s == gone and p in IDENTITY:
                continue
            else:
                new.add((into if s == gone else s, p, into if o == gone else o))
        loops = {s for s, p, o in new if p == KG.subject and (s, KG.object, o) in new}  # a relation to itself
        changed |= state.change(g, _tidy({x for x in new if x[0] not in loops}), c)
    return into, changed


def _split(state: _State, corr: Correction, c: URIRef) -> tuple[URIRef | None, bool]:
    node = _node(state, corr.target, corr)
    names = {fold(str(n)) for n in (corr.fields["names"] if isinstance(corr.fields["names"], list)
                                    else [corr.fields["names"]])}
    if "into" in corr.fields:
        new_node, described = _node(state, corr.fields["into"], corr), True
    else:
        kind = str(node)[len(INSTANCE_BASE):].split("/", 1)[0]
        new_node, described = iris.entity(kind, "curated-" + iris.slug(str(corr.fields["label"]))), False
    changed = False
    for g, t in state.graphs(node).items():
        quotes = {s: fold(str(o)) for s, p, o in t if p == KG.quote}
        sentences = {s: fold(str(o)) for s, p, o in t if p == KG.sentence}
        evidence: dict[Identifier, list[Identifier]] = {}
        for s, p, o in t:
            if p == KG.evidence:
                evidence.setdefault(s, []).append(o)

        def says(statement: Identifier, evidence: dict[Identifier, list[Identifier]] = evidence,
                 sentences: dict[Identifier, str] = sentences) -> bool:
            return any(n in sentences.get(ev, "") for ev in evidence.get(statement, ()) for n in names)

        new: Graph = set()
        for s, p, o in t:
            if s == node and p == KG.evidence and quotes.get(o) in names or \
                    s == node and p == SKOS.altLabel and fold(str(o)) in names:
                new.add((new_node, p, o))
            elif o == node and p in ROLES and says(s):
                new.add((s, p, new_node))
            else:
                new.add((s, p, o))
        if new == t:
            continue
        if not described:
            label = Literal(str(corr.fields["label"]), lang="fr")
            cls = {**ACTOR_TYPES, **PLACE_TYPES}.get(str(corr.fields.get("type", "")), None)
            kind_class = cls or next((o for s, p, o in t if s == node and p == RDF.type), KG.Actor)
            new |= {(new_node, RDF.type, kind_class), (new_node, SKOS.prefLabel, label)}
            new |= {(new_node, PROV.wasDerivedFrom, o) for s, p, o in t if s == node and p == PROV.wasDerivedFrom}
        if not any(s == node and p == KG.evidence for s, p, _ in new):  # no longer named in this document
            new = {x for x in new if x[0] != node}
        changed |= state.change(g, _tidy(new), c)
    return new_node, changed


def _correct(state: _State, corr: Correction, c: URIRef) -> tuple[URIRef | None, bool]:
    node = _node(state, corr.target, corr)
    f = corr.fields
    changed = False
    for g, t in state.graphs(node).items():
        if not any(s == node and p == RDF.type for s, p, _ in t):
            continue  # a graph that only points at it: its own statements are elsewhere
        new = set(t)

        def put(prop: URIRef, values: Iterable[Identifier], new: Graph = new) -> None:
            new.difference_update({x for x in new if x[0] == node and x[1] == prop})
            new.update((node, prop, v) for v in values)

        for key, prop in (("date", SEM.hasTime), ("start", KG.start), ("end", KG.end)):
            if key in f:
                time, triples = time_triples(_date(f[key], f"{corr.file}, correction {corr.index}"))
                put(prop, [time])
                new |= triples
        if "type" in f:
            put(RDF.type, [_class(t, node, str(f["type"]), corr)])
        if "fatalities" in f:
            put(KG.fatalities, [Literal(int(f["fatalities"]), datatype=XSD.integer)])  # type: ignore[call-overload]
        for key, prop in (("place", KG.place), ("subject", KG.subject), ("object", KG.object)):
            if key in f:
                put(prop, _nodes(state, f[key], corr))
        for key, prop in (("agents", KG.agent), ("targets", KG.target)):
            if key in f:
                put(prop, _nodes(state, f[key], corr))
        if f.get("direction") in ("reverse", "reversed"):
            swap: dict[Identifier, Identifier] = {KG.agent: KG.target, KG.target: KG.agent,
                                                  KG.subject: KG.object, KG.object: KG.subject}
            new = {(s, swap.get(p, p) if s == node else p, o) for s, p, o in new}
        if "label" in f:
            old = [o for s, p, o in new if s == node and p == SKOS.prefLabel and getattr(o, "language", None) == "fr"]
            put(SKOS.prefLabel, [Literal(str(f["label"]), lang="fr")])
            new |= {(node, SKOS.altLabel, o) for o in old if str(o) != str(f["label"])}
        if "coordinates" in f:
            lat, long = (float(x) for x in f["coordinates"])  # type: ignore[attr-defined]
            geom = next((o for s, p, o in new if s == node and p == GEO.hasGeometry), None) or \
                iris.statement("geometry", str(node))
            put(WGS.lat, [Literal(lat, datatype=XSD.decimal)])
            put(WGS.long, [Literal(long, datatype=XSD.decimal)])
            put(KG.coordinateSource, [Literal("curator")])
            put(GEO.hasGeometry, [geom])
            new.difference_update({x for x in new if x[0] == geom})
            new |= {(geom, RDF.type, GEO.Geometry),
                    (geom, GEO.asWKT, Literal(f"POINT({long} {lat})", datatype=GEO.wktLiteral))}  # type: ignore[arg-type]
        changed |= state.change(g, _tidy(new), c)
    return node, changed


def _class(t: Graph, node: URIRef, name: str, corr: Correction) -> URIRef:
    current = {o for s, p, o in t if s == node and p == RDF.type}
    tables: list[dict[str, URIRef]] = [ENGAGEMENT_TYPES, {k: v[0] for k, v in RELATION_TERMS.items()},
                                       ACTOR_TYPES, PLACE_TYPES]
    for table in tables:
        if current & set(table.values()):
            if name not in table:
                raise KgError(f"{corr.file}, correction {corr.index}: {name!r} is not one of {', '.join(table)}")
            return table[name]
    raise KgError(f"{corr.file}, correction {corr.index}: {corr.target} has no type a correction can change")


def _add(state: _State, corr: Correction, c: URIRef) -> tuple[URIRef | None, bool]:
    f, kind = corr.fields, corr.target
    where = f"{corr.file}, correction {corr.index}"
    quote, source = str(f["quote"]), str(f["source"])
    doc = iris.document(iris.digest("curated", source, quote)[:16])
    ev = iris.evidence(iris.digest("curated", source, quote)[:16], 0, len(quote))
    triples: Graph = {
        (doc, RDF.type, KG.Document), (doc, KG.fileName, Literal(source)), (doc, DCTERMS.source, Literal(source)),
        (doc, KG.contentHash, Literal(iris.digest(quote)[:16])),
        (doc, KG.charCount, Literal(len(quote), datatype=XSD.integer)),
        (doc, KG.ingestedAt, Literal(f"{corr.date.isoformat()}T00:00:00", datatype=XSD.dateTime)),
        (doc, DCTERMS.language, Literal("fr", datatype=XSD.language)),
        (ev, RDF.type, KG.Evidence), (ev, KG.inDocument, doc), (ev, KG.quote, Literal(quote)),
        (ev, KG.sentence, Literal(quote)), (ev, KG.startOffset, Literal(0, datatype=XSD.integer)),
        (ev, KG.endOffset, Literal(len(quote), datatype=XSD.integer)),
    }
    if kind in ENGAGEMENT_TYPES:
        agents, targets = _nodes(state, f.get("agents", []), corr), _nodes(state, f.get("targets", []), corr)
        place = _nodes(state, f["place"], corr) if "place" in f else []
        node = iris.statement("engagement", "curated", kind, sorted(agents), sorted(targets), place,
                              f.get("date"), source)
        triples |= {(node, RDF.type, ENGAGEMENT_TYPES[kind]), *((node, KG.agent, a) for a in agents),
                    *((node, KG.target, x) for x in targets), *((node, KG.place, p) for p in place)}
        if "fatalities" in f:
            triples.add((node, KG.fatalities, Literal(int(f["fatalities"]), datatype=XSD.integer)))  # type: ignore[call-overload]
        dated = [("date", SEM.hasTime)]
    elif kind in RELATION_TERMS:
        cls, shortcut = RELATION_TERMS[kind]
        s, o = _node(state, f.get("subject"), corr), _node(state, f.get("object"), corr)
        if kind in SYMMETRIC_RELATIONS and str(o) < str(s):
            s, o = o, s
        node = iris.statement("relation", "curated", kind, s, o, source)
        triples |= {(node, RDF.type, cls), (node, KG.subject, s), (node, KG.object, o), (s, shortcut, o)}
        dated = [("start", KG.start), ("end", KG.end)]
    else:
        raise KgError(f"{where}: {kind!r} is neither an engagement type ({', '.join(ENGAGEMENT_TYPES)}) "
                      f"nor a relation type ({', '.join(RELATION_TERMS)})")
    for key, prop in dated:
        if key in f:
            time, more = time_triples(_date(f[key], where))
            triples |= {(node, prop, time), *more}
    triples |= {(node, KG.evidence, ev), (node, PROV.wasDerivedFrom, doc),
                (node, KG.confidence, Literal(1.0, datatype=XSD.decimal))}
    for t in triples - state.added:
        state.added.add(t)
        state.by.setdefault((None, t), c)
    return node, True


def _tidy(t: Graph) -> Graph:
    """A graph after a correction: parts no statement points at any more (evidence, time,
    geometry) taken out, and the relations' shortcut triples as their nodes now say."""
    while True:
        used = {o for _, _, o in t}
        loose = {s for s, p, o in t if p == RDF.type and o in DEPENDENT and s not in used}
        if not loose:
            break
        t = {x for x in t if x[0] not in loose}
    relations = {s: SHORTCUTS[o] for s, p, o in t if p == RDF.type and o in SHORTCUTS}  # type: ignore[index]
    shortcut_props = {prop for _, prop in SHORTCUTS.values()}
    t = {x for x in t if x[1] not in shortcut_props}
    parties = {(x, p): o for x, p, o in t if p in (KG.subject, KG.object) and x in relations}  # one pass
    for r, (name, prop) in relations.items():
        s, o = parties.get((r, KG.subject)), parties.get((r, KG.object))
        if s is not None and o is not None and s != o:
            if name in SYMMETRIC_RELATIONS and str(o) < str(s):
                s, o = o, s
            t.add((s, prop, o))  # type: ignore[arg-type]
    return t


# ---------------------------------------------------------------- for the curator report

# shape (its local name's last part) -> the correction that would fix a finding of it:
# its kind and the lines under it (ready to edit: the placeholders say what to write)
SNIPPETS: dict[str, tuple[str, list[str]]] = {
    "engagement-with-no-agent": ("correct", ["agents: [NAME]  # who did it, as the sentence or its context says"]),
    "engagement-with-no-target": ("correct", ["targets: [NAME]  # against whom"]),
    "engagement-with-no-place": ("correct", ["place: NAME  # a place of the store, by name or IRI"]),
    "agreement-with-fewer-than-two-parties": ("correct", ["agents: [NAME, NAME]  # the parties"]),
    "engagement-of-inferred-year": ("correct", ["date: YYYY-MM-DD  # as the report establishes it"]),
    "engagement-of-unknown-year": ("correct", ["date: YYYY-MM-DD  # as the report establishes it"]),
    "place-with-no-coordinates": ("correct", ["coordinates: [LAT, LONG]  # WGS84 decimal degrees"]),
    "person-with-no-affiliation": ("add", ["subject: {focus}", "object: NAME  # the group they belong to",
                                           "source: SOURCE  # who says so: title, date, address",
                                           "quote: SENTENCE  # the sentence that says so"]),
    "ActorOnlyActorCheck": ("correct", ["type: TYPE  # " + " | ".join(ACTOR_TYPES)]),
    "SharedAliasCheck": ("merge", ["into: {value}  # if they are one actor; else leave it"]),
    "DisagreeingClaimsCheck": ("reject", []),
}


def short(iri: str) -> str:
    """``actor/mndaa`` for an instance IRI (what a curation file may write)."""
    return iri.removeprefix(INSTANCE_BASE)


def snippet(shape: str, focus: str, value: str | None) -> str | None:
    """A ready-to-edit correction for a finding: paste it under ``corrections:`` of a file
    of curation/, fill it in, and ``kg curate`` (or the next build) applies it. None for a
    finding about a correction itself (its file is what to edit)."""
    if short(focus).startswith("correction/"):
        return None
    key = shape.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    kind, lines = SNIPPETS.get(key, ("reject", []))
    target = focus
    if key == "DisagreeingClaimsCheck" and value:
        target = value  # the account a curator finds wrong
    head = "add: memberOf" if kind == "add" else f"{kind}: {short(target)}"
    body = [line.format(focus=short(focus), value=short(value or "NODE")) for line in lines]
    return "\n".join([f"- {head}", *(f"  {line}" for line in body), "  why: WHY  # what shows it"])


_KINDS = {"reject": _reject, "merge": _merge, "split": _split, "correct": _correct, "add": _add}

__all__ = ["apply", "read", "snippet", "unapply"]
