"""Validation for curators: SHACL shapes (ontology/shapes.ttl) over the store, findings
described from the store (labels, documents, sentences), and reports for people (HTML,
Markdown, JSON) and for tools (the standard SHACL report graph in Turtle)."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable

from rdflib import Graph, URIRef

from .. import sparql
from ..config import Settings
from ..model import ValidationReport
from ..sparql import bind
from ..store import Store
from .checks import Quiet, Steps, data_graph, document_graphs, document_nodes, load_shapes, run
from .describe import describe
from .report import FORMATS, render


class Bar:
    """Validation's steps as a bar on the terminal (tqdm): its length grows as steps are
    planned (a store validated in batches has each batch's), and it names the step under
    way."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=0, desc="validating", unit="step", file=sys.stderr)
        self.started = False

    def plan(self, steps: int) -> None:
        self.bar.total += steps
        self.bar.refresh()

    def begin(self, what: str) -> None:
        if self.started:
            self.bar.update(1)
        self.started = True
        self.bar.set_postfix_str(what)

    def close(self) -> None:
        if self.started:
            self.bar.update(1)
        self.bar.close()


def validate(store: Store, *, settings: Settings, graphs: Iterable[URIRef] | None = None,
             data: Graph | None = None, steps: Steps | None = None) -> tuple[ValidationReport, Graph]:
    """Findings about everything, or about the nodes of these documents' graphs;
    ``steps`` follows the work (``Bar`` on a terminal)."""
    graphs = None if graphs is None else list(graphs)
    steps = steps or Quiet()
    steps.plan(1)  # describing the findings
    report, shacl = run(store, settings.shapes_file, graphs=graphs, data=data,
                        max_triples=settings.validate_max_triples, steps=steps)
    steps.begin(f"describing {len(report.findings)} finding(s)")
    names = None if graphs is None else tuple(sorted(
        {str(r["name"]) for g in graphs for r in store.query(bind(sparql.text("build_same_graph"), {"g": g})).rows
         if "name" in r}))
    return dataclasses.replace(report, findings=describe(store, report.findings, graphs=graphs),
                               documents=names), shacl


__all__ = ["FORMATS", "Bar", "Steps", "data_graph", "document_graphs", "document_nodes", "load_shapes", "render",
           "validate"]
