"""``build``: documents -> ingest -> extract -> resolve -> mapping -> store, then the
TriG dump and the counts. One bad document is reported and skipped; the others and
the store stay intact."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from . import files, ingest, iris, mapping
from .config import Settings
from .errors import ExtractionError, InputError
from .extract import extract
from .model import Document, ValidationReport
from .queries import bind
from .reason import INFERRED_GRAPH
from .resolve import resolve
from .store import Store, open_store
from .vocab import ONTOLOGY_IRI

ONTOLOGY_GRAPH = URIRef(ONTOLOGY_IRI)

COUNTS = """
SELECT (COUNT(DISTINCT ?a) AS ?actors) (COUNT(DISTINCT ?p) AS ?persons)
       (COUNT(DISTINCT ?l) AS ?places) (COUNT(DISTINCT ?d) AS ?documents) WHERE {
  { ?a a ?ac . ?ac rdfs:subClassOf* kg:Actor . }
  UNION { ?p a kg:Person . }
  UNION { ?l a ?lc . ?lc rdfs:subClassOf* kg:Place . }
  UNION { ?d a kg:Document . }
}"""
PREVIOUS = """
SELECT ?g ?ingested WHERE { GRAPH ?g { ?d a kg:Document ; kg:fileName ?name .
                                       OPTIONAL { ?d kg:ingestedAt ?ingested } } }"""


@dataclass
class Skipped:
    path: Path
    problem: str


@dataclass
class BuildReport:
    documents: int = 0  # built in this run
    skipped: list[Skipped] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # the whole store's
    trig: Path | None = None
    validation: ValidationReport | None = None  # of the whole store, after the build


def load_ontology(store: Store, settings: Settings) -> None:
    """The ontology lives in its own named graph, so queries can walk rdfs:subClassOf."""
    g = Graph().parse(settings.ontology_file, format="turtle").skolemize()  # no blank nodes
    store.replace_graph(ONTOLOGY_GRAPH, list(g))  # type: ignore[arg-type]


def _progress(items: list[Document], enabled: bool) -> Iterable[Document]:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc="building", unit="doc", file=sys.stderr)


def build(paths: Iterable[Path], *, settings: Settings, progress: bool = False,
          store: Store | None = None) -> BuildReport:
    report = BuildReport()
    docs: list[Document] = []
    for path in ingest.discover(paths):
        try:
            docs.append(ingest.read(path))
        except InputError as exc:
            report.skipped.append(Skipped(exc.path, exc.problem))
    own_store = store is None
    store = store or open_store(settings.store_location)
    try:
        load_ontology(store, settings)
        inferred = INFERRED_GRAPH in store.graphs()
        extractions = extract(_progress(docs, progress), settings=settings)
        for doc, extraction in zip(docs, extractions, strict=True):
            if isinstance(extraction, ExtractionError):
                report.skipped.append(Skipped(extraction.path, extraction.problem))
                continue
            try:
                resolution = resolve(extraction, settings=settings)
                graph = iris.graph(doc.id)
                ingested, stale = _previous(store, doc, graph)
                triples = mapping.to_triples(extraction, resolution, ingested_at=ingested)
                if stale or set(store.graph_triples(graph)) != triples:  # unchanged: no write
                    if inferred:  # what the reasoner inferred may no longer hold: dropped with it
                        stale, inferred = [*stale, INFERRED_GRAPH], False
                    store.replace_graph(graph, triples, drop=stale)  # type: ignore[arg-type]
                report.documents += 1
            except Exception as exc:  # noqa: BLE001 -- one bad document never stops the run
                report.skipped.append(Skipped(doc.path, f"{type(exc).__name__}: {exc}"))
        report.counts = counts(store)
        settings.out_dir.mkdir(parents=True, exist_ok=True)
        report.trig = settings.out_dir / "graph.trig"
        store.dump(report.trig)
        report.validation = write_validation(store, settings)
    finally:
        if own_store:
            store.close()
    return report


def write_validation(store: Store, settings: Settings) -> ValidationReport:
    """out/validation.html for curators and out/validation.ttl (the SHACL report graph)."""
    from .validate import render, validate

    result, shacl = validate(store, settings=settings)
    for fmt in ("html", "ttl"):
        files.write_text(settings.out_dir / f"validation.{fmt}", render(result, fmt, shacl))
    return result


def _previous(store: Store, doc: Document, graph: URIRef) -> tuple[dt.datetime, list[URIRef]]:
    """When this text was first ingested, and the stale graphs of the same file."""
    rows = store.query(bind(PREVIOUS, {"name": Literal(doc.name)})).rows
    ingested = dt.datetime.now(dt.UTC).replace(microsecond=0)
    stale = []
    for row in rows:
        if row["g"] == graph and "ingested" in row:
            value = row["ingested"]
            if isinstance(value, Literal) and isinstance(value.toPython(), dt.datetime):
                ingested = value.toPython()
        elif row["g"] != graph:
            stale.append(row["g"])  # the file's earlier text
    return ingested, stale  # type: ignore[return-value]


def counts(store: Store) -> dict[str, int]:
    row = store.query(COUNTS).rows[0]
    out = {k: int(v) for k, v in row.items()}  # type: ignore[call-overload]
    out["triples"] = len(store)
    out["graphs"] = len(store.graphs())
    return out


__all__ = ["BuildReport", "Skipped", "build", "counts"]
