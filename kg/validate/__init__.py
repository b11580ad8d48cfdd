"""Validation for curators: SHACL shapes (ontology/shapes.ttl) over the store, findings
described from the store (labels, documents, sentences), and reports for people (HTML,
Markdown, JSON) and for tools (the standard SHACL report graph in Turtle)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from rdflib import Graph, URIRef

from .. import sparql
from ..config import Settings
from ..model import ValidationReport
from ..sparql import bind
from ..store import Store
from .checks import data_graph, document_graphs, document_nodes, load_shapes, run
from .describe import describe
from .report import FORMATS, render


def validate(store: Store, *, settings: Settings, graphs: Iterable[URIRef] | None = None,
             data: Graph | None = None) -> tuple[ValidationReport, Graph]:
    """Findings about everything, or about the nodes of these documents' graphs."""
    graphs = None if graphs is None else list(graphs)
    report, shacl = run(store, settings.shapes_file, graphs=graphs, data=data,
                        max_triples=settings.validate_max_triples)
    names = None if graphs is None else tuple(sorted(
        {str(r["name"]) for g in graphs for r in store.query(bind(sparql.text("build_same_graph"), {"g": g})).rows
         if "name" in r}))
    return dataclasses.replace(report, findings=describe(store, report.findings), documents=names), shacl


__all__ = ["FORMATS", "data_graph", "document_graphs", "document_nodes", "load_shapes", "render", "validate"]
