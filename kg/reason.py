"""OWL reasoning with owlready2 and HermiT, at owlready2's own boundary.

owlready2 reads N-Triples or RDF/XML, not Turtle, so the ontology and the facts are
handed to it as N-Triples, without owl:imports (which it would try to fetch). Only what
OWL reasons on goes in: the ontology's axioms and the class and object-property
assertions between IRIs; literals stay out (HermiT refuses xsd:gYear and the other
partial dates kg uses). HermiT (run by owlready2 on the system's Java) checks that the
graph is consistent (a Person is no organisation, a State no ArmedGroup ...) and infers
types and property values (commands -> commandedBy, symmetric alliedWith, transitive
subunitOf and locatedIn). The reasoner runs in a child process, in its own process
group, killed with its Java at the time limit. The inferred triples go to their own
named graph, described as the output of a prov:Activity, never mixed with extracted
facts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from . import iris, sparql
from .config import Settings
from .errors import KgError
from .queries import bind
from .store import Store
from .vocab import INSTANCE_BASE, KG, ONTOLOGY_IRI

INFERRED_GRAPH = iris.INFERRED_GRAPH
INFERENCES = "http://inferrences/"  # where owlready2 puts what the reasoner infers
REASONER = "HermiT (owlready2)"
ONTOLOGY_NS = str(KG._NS)


@dataclass(frozen=True)
class ReasonOutcome:
    consistent: bool
    inferred: int  # triples written to the inferred graph
    seconds: float
    input_triples: int
    problem: str | None = None

    def describe(self) -> str:
        if not self.consistent:
            return f"reasoner: the graph is INCONSISTENT ({self.problem}); {self.seconds:.1f} s"
        return (f"reasoner: consistent; {self.inferred} inferred triples in {INFERRED_GRAPH} "
                f"({self.input_triples} triples reasoned over, {self.seconds:.1f} s)")


def _owl_input(store: Store, settings: Settings, ontology_iri: str) -> Graph:
    onto = Graph().parse(settings.ontology_file, format="turtle")
    onto.remove((None, OWL.imports, None))
    # literal-valued axioms are labels, comments and notes: nothing to reason on
    g = Graph()
    g += ((s, p, o) for s, p, o in onto if not isinstance(o, Literal))
    facts = bind(sparql.text("reason_facts"), {"ontology": URIRef(ontology_iri), "inferred": INFERRED_GRAPH})
    for s, p, o in store.query(facts).triples:
        if not str(o if p == RDF.type else p).startswith(ONTOLOGY_NS):
            continue  # kg's classes and properties only
        g.add((s, p, o))
        for node in (s, o) if p != RDF.type else (s,):  # declared: owlready2 lists them then
            g.add((node, RDF.type, OWL.NamedIndividual))
    return g


def reason(store: Store, *, settings: Settings, timeout: float | None = None) -> ReasonOutcome:
    """Check consistency and replace the inferred graph; raise KgError past the time limit."""

    timeout = timeout if timeout is not None else settings.reasoner_timeout
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kg-reason-") as tmp:
        src, out, status = Path(tmp, "input.nt"), Path(tmp, "inferred.nt"), Path(tmp, "status.json")
        data = _owl_input(store, settings, ONTOLOGY_IRI)
        data.serialize(src, format="nt", encoding="utf-8")
        proc = subprocess.Popen([sys.executable, "-m", "kg.reason", str(src), str(out), str(status)],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            log, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the child and its Java
            proc.communicate()
            raise KgError(f"the reasoner did not finish within {timeout:g} s (settings.reasoner_timeout); "
                          "nothing was written") from None
        if not status.exists():
            raise KgError(f"the reasoner failed: {log.decode('utf-8', 'replace')[-2000:]}")
        result = json.loads(status.read_text(encoding="utf-8"))
        inferred = Graph()
        if result["consistent"]:
            inferred.parse(out, format="nt")
    triples = [(s, p, o) for s, p, o in inferred  # kg's own terms, about kg's instances
               if (s, p, o) not in data and str(s).startswith(INSTANCE_BASE)
               and str(o if p == RDF.type else p).startswith(ONTOLOGY_NS)]
    seconds = time.perf_counter() - t0
    if result["consistent"]:
        activity = iris.statement("reasoning", REASONER)
        now = Literal(dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)
        marks = [(URIRef(INFERRED_GRAPH), RDF.type, PROV.Bundle),
                 (URIRef(INFERRED_GRAPH), PROV.wasGeneratedBy, activity),
                 (activity, RDF.type, PROV.Activity),
                 (activity, RDFS.label, Literal(f"OWL reasoning by {REASONER}", lang="en")),
                 (activity, PROV.endedAtTime, now)]
        store.replace_graph(URIRef(INFERRED_GRAPH), [*triples, *marks])  # type: ignore[list-item]
    return ReasonOutcome(result["consistent"], len(triples) if result["consistent"] else 0,
                         seconds, len(data), result.get("problem"))


def _child(src: str, out: str, status: str) -> None:
    """In the child process: load, run HermiT, write the inferred triples and a status."""
    import owlready2

    world = owlready2.World()
    world.get_ontology(Path(src).resolve().as_uri()).load()
    outcome: dict[str, object] = {"consistent": True}
    try:
        with world.get_ontology(INFERENCES):
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
        world.get_ontology(INFERENCES).save(out, format="ntriples")
        # owlready2 keeps inverse and symmetric values implicit (it answers them on
        # access): ask it for every individual's values, the parent keeps the new ones
        lines = []
        props = [p for p in world.object_properties() if p.iri.startswith(ONTOLOGY_NS)]
        for ind in world.individuals():
            for prop in props:
                for value in getattr(ind, "INDIRECT_" + prop.python_name, []):
                    if hasattr(value, "iri"):
                        lines.append(f"<{ind.iri}> <{prop.iri}> <{value.iri}> .\n")
        with open(out, "a", encoding="utf-8") as fh:
            fh.writelines(lines)
    except owlready2.OwlReadyInconsistentOntologyError as exc:
        outcome = {"consistent": False, "problem": str(exc) or "HermiT found a contradiction"}
    Path(status).write_text(json.dumps(outcome), encoding="utf-8")


if __name__ == "__main__":
    _child(*sys.argv[1:4])
