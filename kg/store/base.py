"""The store interface every back end implements, and the results it returns."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from rdflib import BNode, Dataset, Literal, URIRef, Variable
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


def change_ops(graph: URIRef, remove: Iterable[Triple], add: Iterable[Triple], chunk: int) -> list[str]:
    """The SPARQL UPDATE operations that take ``remove`` out of one graph and put ``add``
    into it, ``chunk`` triples each (a server's parser may run out of stack on one block
    of thousands)."""
    ops = []
    for verb, triples in (("DELETE", remove), ("INSERT", add)):
        lines = statement_lines(triples)
        ops += [f"{verb} DATA {{ GRAPH {graph.n3()} {{\n" + "\n".join(lines[i:i + chunk]) + "\n} }"
                for i in range(0, len(lines), chunk)]
    return ops


# W3C result formats by short name -> media type
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


# media type -> short name, for results (SELECT, ASK) and for graphs (CONSTRUCT, DESCRIBE)
RESULT_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
    "application/trig": "trig", "application/rdf+xml": "xml", "application/n-quads": "nquads",
}
MEDIA = {("results", v): k for k, v in reversed(list(RESULT_TYPES.items()))} | \
        {("graph", v): k for k, v in reversed(list(GRAPH_TYPES.items()))}


DEFAULT_FORMAT = {"results": "json", "graph": "turtle"}


def negotiate(accept: str | None, kind: str) -> str:
    """The best result format for an Accept header (q-values honoured), else the default."""
    table = RESULT_TYPES if kind == "results" else GRAPH_TYPES
    if not accept:
        return DEFAULT_FORMAT[kind]
    choices = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        choices.append((-q, i, media))
    for negq, _, media in sorted(choices):
        if negq == 0:  # q=0: not acceptable
            continue
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            return DEFAULT_FORMAT[kind]
    # nothing acceptable: the default format rather than 406 (RFC 9110 allows either);
    # clients such as rdflib's SPARQLStore ask for result media types for CONSTRUCT too
    return DEFAULT_FORMAT[kind]


@dataclass(frozen=True)
class Served:
    """A query's answer for an HTTP client (``kg serve``): the status (200, or that of the
    failure), the body in the negotiated format, its media type, and whether the answer was
    cut to the row or byte limit."""

    status: int
    body: bytes
    media_type: str
    truncated: bool = False


def capped(items: list[Any], body: Any, max_bytes: int, truncated: bool) -> tuple[bytes, bool]:
    """The body of as many items as fit in ``max_bytes`` (halving until they do)."""
    data: bytes = body(items)
    while len(data) > max_bytes and items:
        items = items[: len(items) // 2]
        data, truncated = body(items), True
    return data, truncated


def take(res: Any, max_rows: int, max_bytes: int, size: Any) -> tuple[list[Any], bool]:
    """Up to ``max_rows`` items, stopping early once their estimated size passes the cap."""
    items: list[Any] = []
    estimate = 0
    for item in res:
        if len(items) == max_rows or estimate > max_bytes:
            return items, True
        items.append(item)
        estimate += size(item)
    return items, False


def results_body(names: list[str], rows: list[dict[str, Identifier]], fmt: str) -> bytes:
    """SELECT results (rdflib terms) in a W3C format: TSV with terms in N-Triples form, CSV
    with plain values, JSON or XML by rdflib."""
    if fmt == "tsv":
        lines = ["\t".join("?" + n for n in names)]
        lines += ["\t".join(row[n].n3() if n in row else "" for n in names) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    if fmt == "csv":
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(names)
        for row in rows:
            w.writerow([(f"_:{row[n]}" if isinstance(row[n], BNode) else str(row[n])) if n in row else ""
                        for n in names])
        return out.getvalue().encode("utf-8")
    from rdflib.query import Result

    r = Result("SELECT")
    r.vars = [Variable(n) for n in names]
    r.bindings = [{Variable(n): t for n, t in row.items()} for row in rows]
    return r.serialize(format=fmt) or b""


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

    def add(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """Add triples to a named graph (one a triple already in it is not repeated)."""

    def change(self, graph: URIRef, *, remove: Iterable[Triple] = (), add: Iterable[Triple] = ()) -> None:
        """Take some triples out of one named graph and put others in, in one atomic write
        (a curator's correction changes a few triples of a document's graph: the rest is
        not read or written again). No blank node: DELETE DATA refuses them."""

    def bulk_add(self, graphs: Sequence[tuple[URIRef, Iterable[Triple]]]) -> None:
        """Add triples to several named graphs at the store's bulk speed. Not atomic: a
        run stopped half way may leave part of them, so the caller writes what marks its
        work complete afterwards, with ``add``."""

    def query(self, sparql: str) -> QueryResult:
        """Run a query over the union of the named graphs (kg's prefixes predeclared)."""

    def write_results(self, sparql: str, fmt: str, output: BinaryIO) -> None:
        """Run a SELECT or ASK query and write its answer to ``output`` in a W3C result
        format (RESULT_FORMATS), as the engine serialises it: row by row, no row held."""

    def plain_rows(self, sparql: str) -> tuple[list[str], Iterator[list[str]]]:
        """Run a SELECT query: its variables, and its rows one at a time as plain values
        (an IRI, a literal's lexical form; "" when unbound), with no RDF term built."""

    def respond(self, sparql: str, *, accept: str | None, base: str | None = None,
                default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = (),
                max_rows: int, max_bytes: int) -> Served:
        """Answer a client's query as the SPARQL 1.1 Protocol asks: in the format its Accept
        header prefers (``negotiate``), over the dataset it names (else the query's FROM,
        else the union of the named graphs), cut to ``max_rows`` and ``max_bytes``; a query
        that is not valid SPARQL is a 400."""

    def graphs(self) -> list[URIRef]:
        """The named graphs, sorted."""

    def graph_triples(self, graph: URIRef) -> list[Triple]:
        """The triples of one named graph."""

    def some_values(self, pairs: Iterable[tuple[URIRef, URIRef]], most: int = 2) -> list[Triple]:
        """For each (node, property), up to ``most`` of its distinct values over every graph:
        enough to count to ``most`` (sh:minCount 2, sh:maxCount 1) without reading the
        thousands of values an actor named by thousands of documents has."""

    def stated(self, triples: Iterable[Triple]) -> list[Triple]:
        """Of these triples, those that some graph states: each a lookup that stops at the
        first graph stating it (an actor's type, stated once by each of thousands of
        documents, is not read thousands of times)."""

    def dataset(self) -> Dataset:
        """Everything, as an rdflib Dataset (for serialisation and small graphs)."""

    def dump(self, path: Path, fmt: str = "trig") -> None:
        """Write every named graph to a file (TriG or N-Quads)."""

    def __len__(self) -> int:
        """Number of quads."""

    def close(self) -> None: ...


def serialized(store: Store, sparql: str, fmt: str) -> bytes:
    """A SELECT or ASK query's whole answer in a W3C result format, as bytes."""
    out = io.BytesIO()
    store.write_results(sparql, fmt, out)
    return out.getvalue()
