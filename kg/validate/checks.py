"""Run the shapes of ontology/shapes.ttl over the store.

Core constraints go to pySHACL; the SPARQL-based constraints (``sh:sparql``) are run
here as plain queries by the store's own engine, once for the whole graph rather than
once per focus node as pySHACL would (about 5 ms per node each). Both kinds come out
as the same ``Finding`` records and in one standard SHACL report graph.

Checking one document passes pySHACL ``focus_nodes``: the nodes the document's named
graph describes; the SPARQL checks keep their findings about those nodes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, SH
from rdflib.term import Identifier, Node

from .. import iris, sparql
from ..errors import KgError
from ..iris import slug
from ..model import SEVERITIES, Finding, Severity, ValidationReport
from ..queries import bind
from ..sparql import bind_values
from ..store import Store
from ..vocab import GRAPHS_BASE, KG, ONTOLOGY_IRI, PREFIXES


@dataclass(frozen=True)
class SparqlCheck:
    shape: URIRef
    severity: Severity
    query: str  # with its PREFIX lines


@dataclass(frozen=True)
class Shapes:
    graph: Graph  # everything, for names, messages and paths
    core: Graph  # without the sh:sparql constraints, for pySHACL
    checks: tuple[SparqlCheck, ...]
    read: frozenset[URIRef]  # the properties whose values the shapes look at
    classes: frozenset[URIRef] = frozenset()  # the classes they name (sh:class, sh:targetClass)


# every IRI of every property path, and the properties others are compared with
_READ = ("SELECT DISTINCT ?p WHERE { { ?shape sh:path/(rdf:first|rdf:rest|sh:alternativePath|sh:inversePath"
         "|sh:zeroOrMorePath|sh:oneOrMorePath|sh:zeroOrOnePath)* ?p } UNION "
         "{ ?shape sh:lessThan|sh:lessThanOrEquals|sh:equals|sh:disjoint ?p } FILTER(isIRI(?p) && ?p != rdf:nil) }")


class Steps(Protocol):
    """Where a validation is, for a progress bar: ``plan`` announces steps to come,
    ``begin`` starts one, which ends the one before (reading the data, pySHACL, each
    SPARQL check, describing the findings)."""

    def plan(self, steps: int) -> None: ...

    def begin(self, what: str) -> None: ...


class Quiet:
    def plan(self, steps: int) -> None:
        pass

    def begin(self, what: str) -> None:
        pass


def _severity(node: Node | None) -> Severity:
    name = str(node or SH.Violation).rsplit("#", 1)[-1]
    if name not in SEVERITIES:
        raise KgError(f"shapes: unknown severity {node}")
    return name  # type: ignore[return-value]


@lru_cache(maxsize=4)
def load_shapes(path: Path) -> Shapes:
    try:
        graph = Graph().parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise KgError(f"{path}: the shapes cannot be read: {exc}") from exc
    # pySHACL reads the shapes once per value node: a store without named graphs spares
    # each read its context bookkeeping (whole-store validation of 100 reports: 12.9 s
    # against 10.3 s of CPU, the same findings)
    core = Graph(store="SimpleMemory")
    skip: set[Node] = set()
    checks: list[SparqlCheck] = []
    for shape, constraint in graph.subject_objects(SH.sparql):
        skip.add(constraint)
        prefixes = "".join(
            f"PREFIX {graph.value(d, SH.prefix)}: <{graph.value(d, SH.namespace)}>\n"
            for decl in graph.objects(constraint, SH.prefixes)
            for d in graph.objects(decl, SH.declare))
        select = graph.value(constraint, SH.select)
        if select is None:
            raise KgError(f"{path}: {shape} has an sh:sparql constraint with no sh:select")
        checks.append(SparqlCheck(shape, _severity(graph.value(shape, SH.severity)),  # type: ignore[arg-type]
                                  prefixes + str(select)))
    for s, p, o in graph:
        if p != SH.sparql and s not in skip:
            core.add((s, p, o))
    _hoist(core)
    read = frozenset(URIRef(str(row[0])) for row in core.query(_READ, initNs={"sh": SH, "rdf": RDF}))  # type: ignore[index]
    classes = frozenset(o for p in (SH["class"], SH.targetClass) for o in core.objects(None, p)
                        if isinstance(o, URIRef))
    return Shapes(graph, core, tuple(sorted(checks, key=lambda c: str(c.shape))), read, classes)


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def _hoist(core: Graph) -> None:
    """Each property shape that node shapes with targets hold (sh:property) is given their
    targets and let go of, in the graph pySHACL reads: the same results (each about a
    focus node, from the property shape, at its severity), for a fraction of the work.
    Held, pySHACL validates a property shape once per focus node, reading the shape anew
    each time (99,341 times for 100 reports); with targets of its own, once for all of
    them. A shape held by a deactivated node shape, by one without targets, or elsewhere
    too (sh:node, sh:or) stays as it is: validated there, it must not be on its own."""
    held: dict[Node, list[Node]] = {}
    for node, prop in core.subject_objects(SH.property):
        held.setdefault(prop, []).append(node)
    for prop, owners in held.items():
        if any((node, SH.deactivated, Literal(True)) in core for node in owners) or \
                any(True for s, p in core.subject_predicates(prop) if p != SH.property) or \
                not all(any(True for t in _TARGETS for _ in core.objects(node, t)) for node in owners):
            continue
        for node in owners:
            for t in _TARGETS:
                for o in list(core.objects(node, t)):
                    core.add((prop, t, o))
            core.remove((node, SH.property, prop))


def _texts(graph: Graph, node: Node, prop: URIRef) -> dict[str, str]:
    return {o.language or "en": str(o) for o in graph.objects(node, prop)  # type: ignore[arg-type]
            if isinstance(o, Literal)}


def _curie(term: Node) -> str:
    for prefix, ns in PREFIXES.items():
        if isinstance(term, URIRef) and str(term).startswith(ns) and prefix != "id":
            return f"{prefix}:{str(term)[len(ns):]}"
    return str(term)


def path_text(graph: Graph, path: Node | None) -> str | None:
    """A SHACL property path as people read it: kg:agent, sem:hasTime / kg:dateBasis,
    kg:claimedBy | kg:claimSource, ^kg:memberOf."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return _curie(path)
    if (path, RDF.first, None) in graph:
        return " / ".join(path_text(graph, p) or "?" for p in Collection(graph, path))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return " | ".join(path_text(graph, p) or "?" for p in Collection(graph, alternatives))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + (path_text(graph, inverse) or "?")
    return str(path)


def _finding(shapes: Shapes, shape: Node, focus: Identifier, *, severity: Severity,
             path: Node | None = None, value: Identifier | None = None,
             component: Node | None = None) -> Finding:
    g = shapes.graph
    # a property shape may leave its messages to the node shape that holds it
    owner = g.value(predicate=SH.property, object=shape)
    def text(prop: URIRef) -> dict[str, str]:
        return _texts(g, shape, prop) or (_texts(g, owner, prop) if owner is not None else {})
    name = text(SH.name)
    # a property shape is a blank node: named from its node shape and its own name
    ident = str(shape) if isinstance(shape, URIRef) else f"{owner}/{slug(name.get('en', str(shape)))}"
    return Finding(
        severity=severity, shape=ident, name=name, message=text(SH.message),
        action=text(KG.suggestedAction), focus=str(focus),
        path=path_text(g, path if path is not None else g.value(shape, SH.path)),
        value=None if value is None else str(value),
        component=None if component is None else str(component).rsplit("#", 1)[-1],
    )


class _Parameters(list):  # type: ignore[type-arg]
    """pySHACL's list of constraint parameters, looked up as a set. pySHACL validates a
    property shape once per value node, and each time it tests every predicate of the
    shape against this list, one ``URIRef.__eq__`` at a time: a quarter of a whole-store
    validation's time (20.0 s against 14.9 s of CPU for 100 reports, the same findings).
    It keeps the list in ``pyshacl.shape.CONSTRAINT_PARAMS`` once it has made it; set
    there first, this one is used. A list still (the SHACL-JS and advanced modes copy it
    and append to it)."""

    def __init__(self, items: Iterable[URIRef]) -> None:
        super().__init__(items)
        self._set = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._set


def _constraint_lookup() -> None:
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    if not isinstance(getattr(pyshacl.shape, "CONSTRAINT_PARAMS", (None,))[0], _Parameters):
        pyshacl.shape.CONSTRAINT_PARAMS = (_Parameters(ALL_CONSTRAINT_PARAMETERS),  # type: ignore[attr-defined]
                                           CONSTRAINT_PARAMETERS_MAP)


def _core(shapes: Shapes, data: Graph, focus: list[URIRef] | None) -> tuple[list[Finding], Graph]:
    """pySHACL over ``data``; with ``focus``, the results about those nodes only. The
    data is then their neighbourhood, validated whole and its results kept for the focus
    (pySHACL's own focus_nodes option tests each target against a list: quadratic, 259 s
    for the 11,763 nodes of 100 reports)."""
    if focus is not None and not focus:
        return [], Graph()
    _constraint_lookup()
    _, results, _ = pyshacl.validate(
        data, shacl_graph=shapes.core, inference="none", allow_infos=True, allow_warnings=True)
    if focus is not None:
        results = _about(results, set(focus))
    findings = []
    for r in results.subjects(RDF.type, SH.ValidationResult):
        findings.append(_finding(
            shapes, results.value(r, SH.sourceShape), results.value(r, SH.focusNode),  # type: ignore[arg-type]
            severity=_severity(results.value(r, SH.resultSeverity)),
            path=results.value(r, SH.resultPath), value=results.value(r, SH.value),  # type: ignore[arg-type]
            component=results.value(r, SH.sourceConstraintComponent)))
    return findings, results


def _about(results: Graph, focus: set[URIRef]) -> Graph:
    """The SHACL report graph cut to the results whose focus node is one of ``focus``."""
    kept = Graph()
    root = BNode()
    kept.add((root, RDF.type, SH.ValidationReport))
    for r in results.subjects(RDF.type, SH.ValidationResult):
        if results.value(r, SH.focusNode) in focus:
            kept.add((root, SH.result, r))
            _copy(results, kept, r)
    return kept


def _sparql(shapes: Shapes, store: Store, focus: set[str] | None,
            report: Graph, steps: Steps) -> list[Finding]:
    findings = []
    root = report.value(predicate=RDF.type, object=SH.ValidationReport)
    for check in shapes.checks:
        steps.begin(f"SPARQL check {str(check.shape).rsplit('#', 1)[-1]}")
        # for some nodes, the check starts from them ($this bound), not from the whole store
        query = check.query if focus is None else bind_values(check.query, "this", [URIRef(n) for n in sorted(focus)])
        for row in store.query(query).rows if focus is None or focus else ():
            this = row.get("this")
            if this is None or (focus is not None and str(this) not in focus):
                continue
            value = row.get("value")
            f = _finding(shapes, check.shape, this, severity=check.severity, value=value,
                         component=SH.SPARQLConstraintComponent)
            findings.append(f)
            if root is not None:  # the same result in the standard report graph
                r = BNode()
                report.add((root, SH.result, r))
                for p, o in ((RDF.type, SH.ValidationResult), (SH.focusNode, this),
                             (SH.resultSeverity, SH[check.severity]),
                             (SH.sourceShape, check.shape),
                             (SH.sourceConstraintComponent, SH.SPARQLConstraintComponent)):
                    report.add((r, p, o))
                if value is not None:
                    report.add((r, SH.value, value))
                for lang, msg in f.message.items():
                    report.add((r, SH.resultMessage, Literal(msg, lang=lang)))
    return findings


def data_graph(store: Store) -> Graph:
    """The union of the store's graphs (documents and ontology, whose subclass axioms
    pySHACL follows for sh:targetClass and sh:class)."""
    g = Graph()
    for t in store.query(bind(sparql.text("validate_all_triples"), {"base": Literal(GRAPHS_BASE)})).triples:
        g.add(t)
    return g


def neighbourhood(store: Store, nodes: list[URIRef], graphs: list[URIRef], *, chunk: int = 400,
                  properties: Iterable[URIRef] = (), classes: Iterable[URIRef] = ()) -> Graph:
    """What validating ``nodes`` (those ``graphs`` describe) reads, not a copy of the
    whole store. Of each node: what ``graphs`` and the graphs beside the documents (shared,
    inferred, curation) state of it; its types; from every other graph, each
    property that the shapes look at (``properties``) or these graphs state, two values
    only (enough to count to two, as the shapes do: ``Store.some_values``; a value another
    document states that a shape refuses was found with that document, or is found when
    this one makes its node a target, if it is one of the two).
    Then its members, the type of every node it points at (for sh:class), the time points
    it points at, whole; and the ontology (for subclasses). A type is asked for class by
    class (``Store.stated``), of the ontology's classes and those the shapes name
    (``classes``): the only ones a shape can see; listed, a node's types would be read
    once per document that states them. An actor that thousands of documents name brings
    two of its sentences, not thousands: what another document says of it was checked
    with that document. Each step is index lookups from bound nodes (VALUES), in chunks."""
    g = Graph()
    for t in store.graph_triples(URIRef(ONTOLOGY_IRI)):
        g.add(t)
    # the graphs beside the documents: the shared one, the reasoner's, the curation files'
    curation = {URIRef(row["g"]) for row in store.query(sparql.text("validate_curation_graphs")).rows}
    beside = sorted({iris.SHARED_GRAPH, iris.INFERRED_GRAPH, *curation} - set(graphs))

    def each(text: str, terms: list[Identifier]) -> None:
        for i in range(0, len(terms), chunk):
            for t in store.query(sparql.scoped(text, "node", terms[i:i + chunk])).triples:
                g.add(t)

    focus = set(nodes)
    for graph in graphs:  # what they state (of their nodes), read whole: an index scan each
        for t in store.graph_triples(graph):
            g.add(t)
    kinds = sorted({c for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)} | set(classes))

    def typed(terms: Iterable[Identifier]) -> None:
        for t in store.stated([(n, RDF.type, c) for n in terms for c in kinds]):
            g.add(t)

    for graph in beside:  # one at a time, named: with ?g bound by VALUES, Oxigraph reads every graph
        each(sparql.bind(sparql.text("validate_describe_in"), {"g": graph}), list(nodes))
    typed(nodes)
    each(sparql.text("validate_members"), list(nodes))
    pairs = {(n, p) for n in focus for p in properties}
    pairs |= {(s, p) for s, p, _ in g if s in focus and p != RDF.type}  # type: ignore[misc]
    for t in store.some_values(sorted(pairs)):
        g.add(t)
    pointed = sorted({o for s, _, o in g if isinstance(o, URIRef) and s in focus} - focus)
    typed(pointed)
    each(sparql.text("validate_describe"), sorted(s for s in pointed if (s, RDF.type, KG.Time) in g))
    return g


def document_nodes(store: Store, graphs: Iterable[URIRef]) -> list[URIRef]:
    """The nodes that these named graphs describe: what a new document touched."""
    nodes: set[URIRef] = set()
    for graph in graphs:
        for row in store.query(bind(sparql.text("validate_graph_nodes"), {"g": graph})).rows:
            nodes.add(row["s"])  # type: ignore[arg-type]
    return sorted(nodes)


def document_graphs(store: Store, names: Iterable[str]) -> list[URIRef]:
    """The named graphs of documents given by file name (an unknown name is an error)."""
    graphs = []
    for name in names:
        rows = store.query(bind(sparql.text("validate_document_graph"), {"name": Literal(Path(name).name)})).rows
        if not rows:
            raise KgError(f"{name}: no document of that file name is in the store")
        graphs += [r["g"] for r in rows]  # type: ignore[misc]
    return graphs  # type: ignore[return-value]


def run(store: Store, shapes_file: Path, *, graphs: Iterable[URIRef] | None = None,
        data: Graph | None = None, max_triples: int | None = None,
        steps: Steps | None = None) -> tuple[ValidationReport, Graph]:
    """Validate everything, or only the nodes of ``graphs`` (named graphs of documents)
    against everything; returns the findings (not yet described) and the SHACL report.
    Everything, in a store of more than ``max_triples``: in batches of graphs of about
    that many triples, each the nodes they describe (memory holds one batch's
    neighbourhood, not a copy of the store), the findings merged. ``steps`` follows it."""
    steps = steps or Quiet()
    shapes = load_shapes(shapes_file)
    per_pass = 2 + len(shapes.checks)  # the data read, pySHACL, each SPARQL check
    if graphs is None and data is None and max_triples and (total := len(store)) > max_triples:
        described = [g for g in store.graphs() if g != URIRef(ONTOLOGY_IRI)]
        batch = max(1, len(described) * max_triples // total)
        steps.plan(per_pass * -(-len(described) // batch))
        return _in_batches(store, shapes, described, batch, steps)
    steps.plan(per_pass)
    return _one_pass(store, shapes, None if graphs is None else list(graphs), data, steps)


def _one_pass(store: Store, shapes: Shapes, graphs: list[URIRef] | None, data: Graph | None,
              steps: Steps) -> tuple[ValidationReport, Graph]:
    t0 = time.perf_counter()
    steps.begin("reading the data" if graphs is None else f"reading what {len(graphs)} document(s) touch")
    focus = None if graphs is None else document_nodes(store, graphs)
    if data is None:
        data = data_graph(store) if focus is None else neighbourhood(store, focus, graphs or [],
                                                                     properties=shapes.read, classes=shapes.classes)
    steps.begin(f"SHACL on {len(data):,} triples")
    findings, report = _core(shapes, data, focus)
    if (None, RDF.type, SH.ValidationReport) not in report:
        report.add((BNode(), RDF.type, SH.ValidationReport))
    findings += _sparql(shapes, store, None if focus is None else {str(n) for n in focus}, report, steps)
    root = report.value(predicate=RDF.type, object=SH.ValidationReport)
    report.set((root, SH.conforms, Literal(not findings)))  # type: ignore[arg-type]
    report.bind("sh", SH)
    for prefix, ns in PREFIXES.items():
        report.bind(prefix, ns)
    elapsed = time.perf_counter() - t0
    return ValidationReport(tuple(findings), None if focus is None else len(focus), elapsed), report


def _in_batches(store: Store, shapes: Shapes, described: list[URIRef],
                batch: int, steps: Steps) -> tuple[ValidationReport, Graph]:
    """Every graph's nodes, ``batch`` graphs at a time; a node that several batches
    describe is found once (the same shape, node, path, value and severity)."""
    t0 = time.perf_counter()
    findings: dict[tuple[object, ...], Finding] = {}
    merged = Graph()
    root = BNode()
    merged.add((root, RDF.type, SH.ValidationReport))
    copied: set[tuple[object, ...]] = set()
    for i in range(0, len(described), batch):
        part, shacl = _one_pass(store, shapes, described[i:i + batch], None, steps)
        for f in part.findings:
            findings.setdefault(_key(f), f)
        for r in shacl.subjects(RDF.type, SH.ValidationResult):
            key = _key(_finding(
                shapes, shacl.value(r, SH.sourceShape), shacl.value(r, SH.focusNode),  # type: ignore[arg-type]
                severity=_severity(shacl.value(r, SH.resultSeverity)), path=shacl.value(r, SH.resultPath),
                value=shacl.value(r, SH.value), component=shacl.value(r, SH.sourceConstraintComponent)))  # type: ignore[arg-type]
            if key not in copied:
                copied.add(key)
                merged.add((root, SH.result, r))
                _copy(shacl, merged, r)
    merged.add((root, SH.conforms, Literal(not findings)))
    merged.bind("sh", SH)
    for prefix, ns in PREFIXES.items():
        merged.bind(prefix, ns)
    return ValidationReport(tuple(findings.values()), None, time.perf_counter() - t0), merged


def _key(f: Finding) -> tuple[object, ...]:
    return (f.shape, f.focus, f.path, f.value, f.severity, f.component)


def _copy(src: Graph, dst: Graph, node: Node) -> None:
    """A node's triples, and those of the blank nodes it leads to (a result's path)."""
    for p, o in src.predicate_objects(node):
        dst.add((node, p, o))
        if isinstance(o, BNode):
            _copy(src, dst, o)
