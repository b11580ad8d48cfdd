"""A SPARQL 1.1 server as the store: the Protocol for queries and updates, over HTTP
(httpx). Writing a document's graph is one SPARQL UPDATE request (DROP the graph and
the stale ones, INSERT DATA), which a server applies as one operation. Queries get
kg's prefixes prepended and ask for the union of the named graphs as the default graph
(the ``union-default-graph`` parameter of Oxigraph's server; Virtuoso's default graph is
already the union of its graphs).

Location form (``--store``): ``QUERY_URL[,UPDATE_URL[,GRAPH_STORE_URL]]``. With one URL
ending in ``/query``, the others follow Oxigraph's layout (``/update``, ``/store``);
otherwise the one URL serves queries and updates (Fuseki's ``/ds``, Virtuoso's
``/sparql``) and graphs are read by SPARQL. With a Graph Store Protocol URL, a graph is
read by ``GET ...?graph=IRI`` (N-Triples) instead of a CONSTRUCT.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import httpx
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.query import Result
from rdflib.term import Identifier

from .. import files, sparql
from ..errors import QueryError, StoreError
from ..sparql import bind, names_dataset, query_form
from ..vocab import GRAPHS_BASE, PREFIXES
from .base import (
    MEDIA,
    RESULT_FORMATS,
    QueryResult,
    Served,
    Triple,
    capped,
    change_ops,
    negotiate,
    results_body,
    take,
)

_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
# kg's graphs (documents, ontology, inferences) on a server that may hold others
# (Virtuoso keeps its own system graphs)


def _ours(name: str) -> str:
    """kg/sparql/NAME.rq over kg's graphs only (a server may hold others)."""
    return bind(sparql.text(name), {"base": Literal(GRAPHS_BASE)})
INSERT_CHUNK = 500  # triples per INSERT DATA operation
_ACCEPT_RESULTS = "application/sparql-results+json"
# asked for JSON, Virtuoso answers a CONSTRUCT as s/p/o bindings: ask each form for its own
_RDFLIB_GRAPH = {"turtle": "turtle", "nt": "nt", "json-ld": "json-ld", "xml": "xml"}
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9"


def _lines(chunks: Iterable[str]) -> Iterator[str]:
    """Text in chunks as lines that keep their ends, cut at "\n" only (what ``csv.reader``
    needs to read a quoted value over several lines; ``str.splitlines`` would also cut at
    a form feed or U+2028 that an unquoted value may hold)."""
    rest = ""
    for chunk in chunks:
        *lines, rest = (rest + chunk).split("\n")
        yield from (line + "\n" for line in lines)
    if rest:
        yield rest


def is_remote(location: object) -> bool:
    return isinstance(location, str) and location.startswith(("http://", "https://"))


def endpoints(location: str) -> tuple[str, str, str | None]:
    """The query, update and Graph Store Protocol URLs of a location."""
    parts = [p.strip() for p in location.split(",")]
    query = parts[0]
    oxigraph = query.endswith("/query")
    base = query[: -len("/query")]
    update = parts[1] if len(parts) > 1 else (base + "/update" if oxigraph else query)
    store = parts[2] if len(parts) > 2 else (base + "/store" if oxigraph and len(parts) == 1 else None)
    return query, update, store


class RemoteStore:
    def __init__(self, location: str, *, read_only: bool = False, timeout: float = 300.0) -> None:
        self.location = location
        self.query_url, self.update_url, self.graph_store_url = endpoints(location)
        self.read_only = read_only
        self._http = httpx.Client(timeout=timeout)

    # -- HTTP --------------------------------------------------------------------
    def _post(self, url: str, form: dict[str, Any], accept: str | None = None,
              params: dict[str, str] | None = None, *, stream: bool = False) -> httpx.Response:
        """A URL-encoded form POST: the one way every SPARQL 1.1 server takes both queries
        and updates (Virtuoso 7.2 hangs on a direct application/sparql-query body). With
        ``stream``, the body is read as the caller iterates it (and closes it)."""
        headers = {"Accept": accept} if accept else {}
        try:
            request = self._http.build_request("POST", url, data=form, headers=headers, params=params)
            r = self._http.send(request, stream=stream)
            if r.status_code >= 300:
                r.read()
        except httpx.HTTPError as exc:
            raise StoreError(f"{url}: the SPARQL server cannot be reached: {exc}") from exc
        if r.status_code == 400:
            raise QueryError(f"{url} refused the request: {r.text.strip()[:500]}")
        if r.status_code >= 300:
            raise StoreError(f"{url} answered {r.status_code}: {r.text.strip()[:500]}")
        return r

    def _query(self, sparql: str, accept: str, *, stream: bool = False) -> httpx.Response:
        return self._post(self.query_url, {"query": _PROLOGUE + sparql}, accept,
                          params={"union-default-graph": "true"}, stream=stream)

    def update(self, sparql: str) -> None:
        if self.read_only:
            raise StoreError(f"{self.location}: opened read-only")
        self._post(self.update_url, {"update": sparql})

    # -- writing -----------------------------------------------------------------
    def replace_graph(self, graph: URIRef, triples: Iterable[Triple], *,
                      drop: Iterable[URIRef] = ()) -> None:
        # several INSERT DATA operations of the same request: Virtuoso's parser runs out
        # of stack ("memory exhausted") on one block of thousands of triples
        ops = [f"DROP SILENT GRAPH {name.n3()}" for name in (graph, *drop)]
        self.update(" ;\n".join(ops + change_ops(graph, (), triples, INSERT_CHUNK)))

    def add(self, graph: URIRef, triples: Iterable[Triple]) -> None:
        self.bulk_add([(graph, triples)])

    def change(self, graph: URIRef, *, remove: Iterable[Triple] = (), add: Iterable[Triple] = ()) -> None:
        if ops := change_ops(graph, remove, add, INSERT_CHUNK):  # one request: a server applies it whole
            self.update(" ;\n".join(ops))

    def bulk_add(self, graphs: Sequence[tuple[URIRef, Iterable[Triple]]]) -> None:
        """One request of INSERT DATA operations (a server applies an update as a whole)."""
        ops = [op for graph, triples in graphs for op in change_ops(graph, (), triples, INSERT_CHUNK)]
        if ops:
            self.update(" ;\n".join(ops))

    # -- reading -----------------------------------------------------------------
    def query(self, sparql: str) -> QueryResult:
        graph_form = query_form(sparql) in ("CONSTRUCT", "DESCRIBE")
        r = self._query(sparql, _ACCEPT_GRAPH if graph_form else _ACCEPT_RESULTS)
        media = r.headers.get("content-type", "").split(";")[0].strip()
        if graph_form:
            if media not in ("application/n-triples", "text/plain", "text/turtle"):
                raise StoreError(f"{self.query_url} answered a graph query with {media!r}, "
                                 "not N-Triples or Turtle")
            g = Graph().parse(data=r.text, format="turtle" if media == "text/turtle" else "nt")
            return QueryResult("graph", triples=list(g))  # type: ignore[arg-type]
        res = Result.parse(io.BytesIO(r.content), format="json")
        if res.type == "ASK":
            return QueryResult("ask", boolean=bool(res.askAnswer))
        names = [str(v) for v in res.vars or []]
        rows: list[dict[str, Identifier]] = []
        for b in res.bindings:
            rows.append({str(k): v for k, v in b.items() if v is not None})
        return QueryResult("select", variables=names, rows=rows)

    def write_results(self, sparql: str, fmt: str, output: BinaryIO) -> None:
        """The server's answer, written on as it arrives."""
        if fmt not in RESULT_FORMATS:
            raise QueryError(f"unknown result format {fmt!r}: use one of {', '.join(RESULT_FORMATS)}")
        r = self._query(sparql, RESULT_FORMATS[fmt], stream=True)
        try:
            output.writelines(r.iter_bytes())
        except httpx.HTTPError as exc:
            raise StoreError(f"{self.query_url}: the answer was cut: {exc}") from exc
        finally:
            r.close()

    def plain_rows(self, sparql: str) -> tuple[list[str], Iterator[list[str]]]:
        """The server's CSV answer (plain values, W3C), read a row at a time."""
        if query_form(sparql) != "SELECT":
            raise QueryError("only a SELECT query has rows")
        r = self._query(sparql, RESULT_FORMATS["csv"], stream=True)
        reader = csv.reader(_lines(r.iter_text()))
        try:
            names = next(reader, [])
        except BaseException:
            r.close()
            raise

        def rows() -> Iterator[list[str]]:
            try:  # a row of one unbound value is an empty line, which csv reads as []
                for row in reader:
                    yield row + [""] * (len(names) - len(row))
            except httpx.HTTPError as exc:
                raise StoreError(f"{self.query_url}: the answer was cut: {exc}") from exc
            finally:
                r.close()

        return names, rows()

    def respond(self, sparql: str, *, accept: str | None, base: str | None = None,
                default_graphs: tuple[str, ...] = (), named_graphs: tuple[str, ...] = (),
                max_rows: int, max_bytes: int) -> Served:
        """The server answers (JSON results or N-Triples); kg then caps the answer and writes
        it in the client's format, so a server back end answers as the embedded one does."""
        try:
            graph_form = query_form(sparql) in ("CONSTRUCT", "DESCRIBE")
        except QueryError as exc:
            return Served(400, f"the query is not valid SPARQL 1.1: {exc}\n".encode(), "text/plain")
        form: dict[str, Any] = {"query": (f"BASE <{base}>\n" if base else "") + _PROLOGUE + sparql}
        params: dict[str, str] = {}
        if default_graphs or named_graphs:  # the protocol's dataset, passed on
            form["default-graph-uri"] = list(default_graphs)
            form["named-graph-uri"] = list(named_graphs)
        elif not names_dataset(sparql):
            params["union-default-graph"] = "true"
        try:
            r = self._post(self.query_url, form, _ACCEPT_GRAPH if graph_form else _ACCEPT_RESULTS, params=params)
        except QueryError as exc:
            return Served(400, f"{exc}\n".encode(), "text/plain")
        except StoreError as exc:
            return Served(502, f"{exc}\n".encode(), "text/plain")
        if graph_form:
            media = r.headers.get("content-type", "").split(";")[0].strip()
            g = Graph().parse(data=r.text, format="turtle" if media == "text/turtle" else "nt")
            fmt = negotiate(accept, "graph")
            triples, truncated = take(iter(g), max_rows, max_bytes, lambda t: sum(len(x) for x in t))

            def graph_body(ts: list[Any]) -> bytes:
                out = Graph()
                for prefix, ns in PREFIXES.items():
                    out.bind(prefix, ns)
                for t in ts:
                    out.add(t)
                if fmt in ("trig", "nquads"):
                    ds = Dataset()
                    for t in ts:
                        ds.add(t)
                    return ds.serialize(format=fmt, encoding="utf-8")
                return out.serialize(format=_RDFLIB_GRAPH[fmt], encoding="utf-8")

            body, truncated = capped(triples, graph_body, max_bytes, truncated)
            return Served(200, body, MEDIA[("graph", fmt)], truncated)
        res = Result.parse(io.BytesIO(r.content), format="json")
        fmt = negotiate(accept, "results")
        if res.type == "ASK":
            if fmt in ("csv", "tsv"):
                return Served(200, b"_askResult\n" + (b"true" if res.askAnswer else b"false") + b"\n",
                              MEDIA[("results", fmt)])
            return Served(200, res.serialize(format=fmt) or b"", MEDIA[("results", fmt)])
        names = [str(v) for v in res.vars or []]
        rows, truncated = take((({str(k): v for k, v in b.items() if v is not None}) for b in res.bindings),
                               max_rows, max_bytes, lambda row: 24 + sum(len(t) + 16 for t in row.values()))
        body, truncated = capped(rows, lambda rs: results_body(names, rs, fmt), max_bytes, truncated)
        return Served(200, body, MEDIA[("results", fmt)], truncated)

    def graphs(self) -> list[URIRef]:
        rows = self.query(_ours("store_graphs")).rows
        return sorted(r["g"] for r in rows if isinstance(r.get("g"), URIRef))  # type: ignore[misc]

    def some_values(self, pairs: Iterable[tuple[URIRef, URIRef]], most: int = 2) -> list[Triple]:
        """Each property's least and greatest value (two at most, when it has two or more),
        one query per 400 nodes: a server has no index scan to stop early."""
        wanted = set(pairs)
        nodes = sorted({n for n, _ in wanted})
        out: list[Triple] = []
        for i in range(0, len(nodes), 400):
            text = sparql.scoped(sparql.text("validate_bounds"), "node", nodes[i:i + 400])
            out += [t for t in self.query(text).triples if (t[0], t[1]) in wanted]
        if most < 2:
            out = list({(s, p): (s, p, o) for s, p, o in out}.values())
        return out

    def stated(self, triples: Iterable[Triple]) -> list[Triple]:
        """FILTER EXISTS over each predicate's subjects (400 to a query) and objects asked
        for (a node's types: its nodes times the classes), the answer cut to the triples
        asked. kg writes no blank node (nor may VALUES hold one): a triple with one is
        not found."""
        wanted = {t for t in triples if not any(isinstance(x, BNode) for x in t)}
        by_predicate: dict[Identifier, tuple[set[Identifier], set[Identifier]]] = {}
        for s, p, o in wanted:
            subjects, objects = by_predicate.setdefault(p, (set(), set()))
            subjects.add(s)
            objects.add(o)
        out: list[Triple] = []
        for p, (subjects, objects) in sorted(by_predicate.items()):
            ordered = sorted(subjects)
            for i in range(0, len(ordered), 400):
                text = sparql.joined(sparql.text("validate_stated"), {
                    "s": " ".join(s.n3() for s in ordered[i:i + 400]), "p": p.n3(),
                    "o": " ".join(o.n3() for o in sorted(objects))})
                out += [t for t in self.query(text).triples if t in wanted]
        return out

    def graph_triples(self, graph: URIRef) -> list[Triple]:
        if self.graph_store_url is None:
            return self.query(bind(sparql.text("store_graph"), {"g": graph})).triples
        try:  # the Graph Store Protocol: GET the graph
            r = self._http.get(self.graph_store_url, params={"graph": str(graph)},
                               headers={"Accept": "application/n-triples"})
        except httpx.HTTPError as exc:
            raise StoreError(f"{self.graph_store_url}: the SPARQL server cannot be reached: {exc}") from exc
        if r.status_code == 404:
            return []
        if r.status_code >= 300:
            raise StoreError(f"{self.graph_store_url} answered {r.status_code}: {r.text.strip()[:500]}")
        return list(Graph().parse(data=r.text, format="nt"))  # type: ignore[arg-type]

    def dataset(self) -> Dataset:
        ds = Dataset()
        for row in self.query(_ours("store_quads")).rows:
            ds.add((row["s"], row["p"], row["o"], row["g"]))  # type: ignore[arg-type]
        return ds

    def dump(self, path: Path, fmt: str = "trig") -> None:
        with files.replacing(path) as tmp:
            self.dataset().serialize(tmp, format={"trig": "trig", "nquads": "nquads"}[fmt])

    def __len__(self) -> int:
        rows = self.query(_ours("store_count")).rows
        n = rows[0].get("n") if rows else None
        return int(n) if isinstance(n, Literal) else 0  # type: ignore[call-overload]

    def close(self) -> None:
        self._http.close()
