"""The store interface every back end implements, and the results it returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import Dataset, URIRef
from rdflib.term import Identifier

Triple = tuple[Identifier, Identifier, Identifier]

# W3C result formats by short name -> media type
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


@dataclass
class QueryResult:
    """A query's answer as rdflib terms: rows for SELECT, a boolean for ASK, triples
    for CONSTRUCT / DESCRIBE."""

    kind: str  # select | ask | graph
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Identifier]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)


class Store(Protocol):
    def replace_graph(self, graph: URIRef, triples: Iterable[Triple], *,
                      drop: Iterable[URIRef] = ()) -> None:
        """Replace one named graph's content (and drop others) in one atomic write."""

    def query(self, sparql: str) -> QueryResult:
        """Run a query over the union of the named graphs (kg's prefixes predeclared)."""

    def query_serialized(self, sparql: str, fmt: str) -> bytes:
        """Run a SELECT or ASK query and return it in a W3C result format (RESULT_FORMATS)."""

    def graphs(self) -> list[URIRef]:
        """The named graphs, sorted."""

    def graph_triples(self, graph: URIRef) -> list[Triple]:
        """The triples of one named graph."""

    def dataset(self) -> Dataset:
        """Everything, as an rdflib Dataset (for serialisation and small graphs)."""

    def dump(self, path: Path, fmt: str = "trig") -> None:
        """Write every named graph to a file (TriG or N-Quads)."""

    def __len__(self) -> int:
        """Number of quads."""

    def close(self) -> None: ...
