"""The query engine behind ``kg serve``: worker processes, each with the store opened
read-only, one query at a time each. pyoxigraph's ``Store.query`` has no time limit,
so a worker that passes the deadline is killed and replaced; the other workers go on
answering. Results are capped at ``max_rows`` rows (or triples) and serialised in the
worker (W3C result formats for SELECT and ASK, RDF syntaxes for CONSTRUCT and DESCRIBE).
"""

from __future__ import annotations

import csv
import io
import multiprocessing as mp
import queue
import threading
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class Request:
    query: str
    kind: str  # results | graph
    fmt: str  # a short name of RESULT_TYPES or GRAPH_TYPES
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base: str | None = None  # relative IRIs resolve against the endpoint's URL


@dataclass(frozen=True)
class Answer:
    status: int  # 200, or the HTTP status of the failure
    body: bytes
    media_type: str
    truncated: bool = False


class QueryTimeout(Exception):
    pass


def _serialize_results(res: object, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    import pyoxigraph as ox

    from ..store.embedded import to_rdflib

    if isinstance(res, ox.QueryBoolean):
        from rdflib.query import Result

        r = Result("ASK")
        r.askAnswer = bool(res)
        if fmt == "tsv" or fmt == "csv":
            return (b"_askResult\n" + (b"true" if bool(res) else b"false") + b"\n"), False
        return r.serialize(format=fmt) or b"", False
    assert isinstance(res, ox.QuerySolutions)
    names = [v.value for v in res.variables]
    rows: list[dict[str, Any]] = []
    truncated = False
    for sol in res:
        if len(rows) == max_rows:
            truncated = True
            break
        rows.append({n: sol[n] for n in names if sol[n] is not None})
    if fmt == "tsv":  # terms in their N-Triples form (the W3C TSV results format)
        lines = ["\t".join("?" + n for n in names)]
        lines += ["\t".join(str(row[n]) if n in row else "" for n in names) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8"), truncated
    if fmt == "csv":  # plain values (the W3C CSV results format)
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(names)
        for row in rows:
            w.writerow([row[n].value if n in row else "" for n in names])
        return out.getvalue().encode("utf-8"), truncated
    from rdflib import Variable
    from rdflib.query import Result

    r = Result("SELECT")
    r.vars = [Variable(n) for n in names]
    r.bindings = [{Variable(n): to_rdflib(t) for n, t in row.items()} for row in rows]
    return r.serialize(format=fmt) or b"", truncated


def _serialize_graph(res: object, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    import pyoxigraph as ox

    triples: list[Any] = []
    truncated = False
    for t in res:  # type: ignore[attr-defined]
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(t)
    formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD,
               "xml": ox.RdfFormat.RDF_XML, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
    if fmt in ("trig", "nquads"):
        triples = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    from ..vocab import PREFIXES

    prefixes = PREFIXES if fmt in ("turtle", "trig") else None
    return ox.serialize(triples, format=formats[fmt], prefixes=prefixes) or b"", truncated


def _worker(path: str, conn: Connection, max_rows: int) -> None:
    """A worker's loop: one request in, one Answer out."""
    import pyoxigraph as ox

    from ..vocab import PREFIXES

    store = ox.Store.read_only(path)
    while True:
        try:
            req: Request = conn.recv()
        except EOFError:
            return
        try:
            kwargs: dict[str, object] = {"prefixes": PREFIXES}
            if req.base:
                kwargs["base_iri"] = req.base
            if req.default_graphs or req.named_graphs:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in req.default_graphs]
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in req.named_graphs]
            else:
                kwargs["use_default_graph_as_union"] = True
            res = store.query(req.query, **kwargs)  # type: ignore[arg-type]
            if req.kind == "graph":
                body, truncated = _serialize_graph(res, req.fmt, max_rows)
            else:
                body, truncated = _serialize_results(res, req.fmt, max_rows)
            conn.send(Answer(200, body, MEDIA[(req.kind, req.fmt)], truncated))
        except SyntaxError as exc:
            conn.send(Answer(400, f"the query is not valid SPARQL: {exc}".encode(), "text/plain"))
        except Exception as exc:  # noqa: BLE001 -- reported to the client, the worker goes on
            conn.send(Answer(500, f"the query failed: {type(exc).__name__}: {exc}".encode(), "text/plain"))


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection


@dataclass
class Engine:
    """A pool of query workers over one store folder."""

    path: Path
    workers: int = 2
    timeout: float = 30.0
    max_rows: int = 10_000
    _idle: queue.Queue[_Worker] = field(default_factory=queue.Queue, init=False)
    _all: list[_Worker] = field(default_factory=list, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def start(self) -> None:
        for _ in range(self.workers):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        ctx = mp.get_context("spawn")  # a clean interpreter: no threads of the server inherited
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(str(self.path), child, self.max_rows), daemon=True)
        p.start()
        child.close()
        w = _Worker(p, parent)
        with self._lock:
            self._all.append(w)
        return w

    def run(self, req: Request) -> Answer:
        """Blocking: wait for a free worker, run the query within the time limit."""
        w = self._idle.get()
        try:
            w.conn.send(req)
            if not w.conn.poll(self.timeout):
                raise QueryTimeout
            answer: Answer = w.conn.recv()
        except QueryTimeout:
            self._kill(w)
            w = self._spawn()
            return Answer(503, f"the query did not finish within the time limit of {self.timeout:g} s".encode(),
                          "text/plain")
        except (EOFError, OSError):  # the worker died (out of memory ...): replaced
            self._kill(w)
            w = self._spawn()
            return Answer(500, b"the query worker stopped; try again", "text/plain")
        finally:
            self._idle.put(w)
        return answer

    def _kill(self, w: _Worker) -> None:
        w.process.kill()
        w.process.join(5)
        w.conn.close()
        with self._lock:
            self._all.remove(w)

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
        for w in workers:
            w.process.kill()
            w.process.join(5)
        self._all.clear()
