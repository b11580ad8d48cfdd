"""The store interface every back end implements, and the results it returns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from rdflib import Dataset, Literal, URIRef
from rdflib.term import Identifier

from ..errors import StoreError

Triple = tuple[Identifier, Identifier, Identifier]

_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$')


def checked_term(term: object) -> str:
    """The term in SPARQL / N-Triples syntax; an IRI a store would take leniently (Oxigraph
    does) is refused here, before anything is written."""
    if isinstance(term, URIRef) and not _IRI.match(term):
        raise StoreError(f"refusing to write {term!r}: not an absolute IRI")
    if not isinstance(term, (URIRef, Literal)):
        raise StoreError(f"refusing to write {term!r}: only IRIs and literals are stored")
    return term.n3()


def statement_lines(triples: Iterable[Triple]) -> list[str]:
    """One ``s p o .`` line per triple, for a Turtle load or an INSERT DATA block; most
    terms recur, so each is checked and serialised once."""
    written: dict[object, str] = {}

    def term(t: object) -> str:
        if t not in written:
            written[t] = checked_term(t)
        return written[t]

    return [f"{term(s)} {term(p)} {term(o)} ." for s, p, o in triples]


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
