"""The embedded store: pyoxigraph's persistent ``Store`` in a folder.

A document's graph is written in one transaction: a new graph by one ``load`` (all
triples or none), a graph that exists by one SPARQL UPDATE (DROP + INSERT DATA), which
Oxigraph applies as a whole. A rebuild never duplicates or half-writes a graph. (The
oxrdflib adapter commits each add alone, so nothing is written through it.)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Identifier

from .. import files
from ..errors import QueryError, StoreError
from ..vocab import PREFIXES
from .base import RESULT_FORMATS, QueryResult, Triple, statement_lines

_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_RDF_FORMATS = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


def to_rdflib(term: object) -> Identifier:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    raise StoreError(f"unexpected term from the store: {term!r}")


class OxigraphStore:
    """A persistent Oxigraph store in ``path``; queries see the union of named graphs."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        if read_only and not (path / "CURRENT").is_file():
            what = "does not exist" if not path.exists() else "is not a kg store"
            raise StoreError(f"{path}: {what}; build one with `kg build DOCS --out FOLDER` "
                             f"(the store is FOLDER/store), or give --store")
        try:
            if read_only:
                self._store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            raise StoreError(
                f"{path}: the store cannot be opened ({exc}); is another kg process using it?"
            ) from exc

    # -- writing ---------------------------------------------------------------
    def replace_graph(self, graph: URIRef, triples: Iterable[Triple], *,
                      drop: Iterable[URIRef] = ()) -> None:
        stale = list(drop)
        if not stale and not self._store.contains_named_graph(ox.NamedNode(str(graph))):
            self._add_new(graph, triples)
        else:
            self._replace(graph, triples, stale)

    def _add_new(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        """A new graph: one transactional load of its triples as Turtle (Oxigraph's parser
        reads it faster than Python builds Oxigraph terms or INSERT DATA is parsed)."""
        data = "\n".join(statement_lines(triples)).encode("utf-8")
        try:
            self._store.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(str(graph)))
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.path}: writing graph {graph} failed: {exc}") from exc

    def _replace(self, graph: URIRef, triples: Iterable[Triple], stale: list[URIRef]) -> None:
        """An existing graph: DROP and INSERT DATA in one SPARQL UPDATE, one transaction."""
        ops = [f"DROP SILENT GRAPH {name.n3()}" for name in (graph, *stale)]
        body = "\n".join(statement_lines(triples))
        if body:
            ops.append(f"INSERT DATA {{ GRAPH {graph.n3()} {{\n{body}\n}} }}")
        try:
            self._store.update(" ;\n".join(ops))
        except (OSError, SyntaxError) as exc:
            raise StoreError(f"{self.path}: writing graph {graph} failed: {exc}") from exc

    # -- reading ---------------------------------------------------------------
    def _run(self, sparql: str) -> object:
        try:
            return self._store.query(sparql, use_default_graph_as_union=True, prefixes=PREFIXES)
        except SyntaxError as exc:
            raise QueryError(f"the query is not valid SPARQL: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"{self.path}: query failed: {exc}") from exc

    def query(self, sparql: str) -> QueryResult:
        res = self._run(sparql)
        try:  # results stream: a SERVICE call or a read can fail while they are read
            return self._collect(res)
        except OSError as exc:
            raise QueryError(f"the query failed while it ran: {type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _collect(res: object) -> QueryResult:
        if isinstance(res, ox.QueryBoolean):
            return QueryResult("ask", boolean=bool(res))
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            rows = [
                {n: to_rdflib(sol[n]) for n in names if sol[n] is not None}
                for sol in res
            ]
            return QueryResult("select", variables=names, rows=rows)
        triples = [(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                   for t in res]  # type: ignore[attr-defined]
        return QueryResult("graph", triples=triples)

    def query_serialized(self, sparql: str, fmt: str) -> bytes:
        if fmt not in RESULT_FORMATS:
            raise QueryError(f"unknown result format {fmt!r}: use one of {', '.join(RESULT_FORMATS)}")
        res = self._run(sparql)
        if not isinstance(res, (ox.QuerySolutions, ox.QueryBoolean)):
            raise QueryError("only SELECT and ASK queries have a result format; "
                             "CONSTRUCT gives RDF")
        try:
            data = res.serialize(format=_RESULT_FORMATS[fmt])
        except OSError as exc:
            raise QueryError(f"the query failed while it ran: {type(exc).__name__}: {exc}") from exc
        assert data is not None  # no output given: the bytes are returned
        return data

    def graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self._store.named_graphs()
                      if isinstance(g, ox.NamedNode))

    def graph_triples(self, graph: URIRef) -> list[Triple]:
        return [(to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(graph)))]

    def dump(self, path: Path, fmt: str = "trig") -> None:
        with files.replacing(path) as tmp:
            self._store.dump(str(tmp), format=_RDF_FORMATS[fmt], prefixes=PREFIXES)

    def dataset(self) -> Dataset:
        ds = Dataset()
        data = self._store.dump(format=ox.RdfFormat.N_QUADS)
        ds.parse(data=data, format="nquads")
        return ds

    def __len__(self) -> int:
        return len(self._store)

    def close(self) -> None:
        if not self.read_only:
            self._store.flush()
        del self._store
