"""The query engine behind ``kg serve``: worker processes, each with the store opened
read-only, one query at a time each. Everything a query costs happens in a worker and
is bounded there: parsing and running it (a time limit: pyoxigraph's ``Store.query``
has none, so a worker past its deadline is killed and replaced), its memory (a
watchdog on the worker's resident size, and RLIMIT_DATA as a backstop), its answer
(``max_rows`` rows or triples and ``max_bytes`` bytes), and its client (a request
whose client has gone is cancelled and its worker replaced).

Fairness: the workers form two lanes. A query starts in the fast lane with a short
budget; past it, the query is moved to the slow lane (and its text remembered as
heavy), so cheap queries never wait behind heavy ones for more than one budget.
"""

from __future__ import annotations

import csv
import io
import multiprocessing as mp
import os
import queue
import threading
import time
from collections import OrderedDict
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


DEFAULT_FORMAT = {"results": "json", "graph": "turtle"}


@dataclass(frozen=True)
class Request:
    query: str
    accept: str | None = None  # the Accept header: the format is chosen once the form is known
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base: str | None = None  # relative IRIs resolve against the endpoint's URL


@dataclass(frozen=True)
class Answer:
    status: int  # 200, or the HTTP status of the failure
    body: bytes
    media_type: str
    truncated: bool = False


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


def _results_body(names: list[str], rows: list[dict[str, Any]], fmt: str) -> bytes:
    if fmt == "tsv":  # terms in their N-Triples form (the W3C TSV results format)
        lines = ["\t".join("?" + n for n in names)]
        lines += ["\t".join(str(row[n]) if n in row else "" for n in names) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    if fmt == "csv":  # plain values (the W3C CSV results format)
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(names)
        for row in rows:
            w.writerow([row[n].value if n in row else "" for n in names])
        return out.getvalue().encode("utf-8")
    from rdflib import Variable
    from rdflib.query import Result

    from ..store.embedded import to_rdflib

    r = Result("SELECT")
    r.vars = [Variable(n) for n in names]
    r.bindings = [{Variable(n): to_rdflib(t) for n, t in row.items()} for row in rows]
    return r.serialize(format=fmt) or b""


def _capped(items: list[Any], body: Any, max_bytes: int, truncated: bool) -> tuple[bytes, bool]:
    """The body of as many items as fit in ``max_bytes`` (halving until they do)."""
    data: bytes = body(items)
    while len(data) > max_bytes and items:
        items = items[: len(items) // 2]
        data, truncated = body(items), True
    return data, truncated


def _take(res: Any, max_rows: int, max_bytes: int, size: Any) -> tuple[list[Any], bool]:
    """Up to ``max_rows`` items, stopping early once their estimated size passes the cap."""
    items: list[Any] = []
    estimate = 0
    for item in res:
        if len(items) == max_rows or estimate > max_bytes:
            return items, True
        items.append(item)
        estimate += size(item)
    return items, False


def _serialize_results(res: object, fmt: str, max_rows: int, max_bytes: int) -> tuple[bytes, bool]:
    import pyoxigraph as ox

    if isinstance(res, ox.QueryBoolean):
        if fmt == "tsv" or fmt == "csv":
            return (b"_askResult\n" + (b"true" if bool(res) else b"false") + b"\n"), False
        from rdflib.query import Result

        r = Result("ASK")
        r.askAnswer = bool(res)
        return r.serialize(format=fmt) or b"", False
    assert isinstance(res, ox.QuerySolutions)
    names = [v.value for v in res.variables]
    rows, truncated = _take((({n: sol[n] for n in names if sol[n] is not None}) for sol in res),
                            max_rows, max_bytes, lambda row: 24 + sum(len(str(t)) + 16 for t in row.values()))
    return _capped(rows, lambda rs: _results_body(names, rs, fmt), max_bytes, truncated)


def _serialize_graph(res: object, fmt: str, max_rows: int, max_bytes: int) -> tuple[bytes, bool]:
    import pyoxigraph as ox

    from ..vocab import PREFIXES

    triples, truncated = _take(res, max_rows, max_bytes, lambda t: len(str(t)))
    formats = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "json-ld": ox.RdfFormat.JSON_LD,
               "xml": ox.RdfFormat.RDF_XML, "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}
    if fmt in ("trig", "nquads"):
        triples = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    prefixes = PREFIXES if fmt in ("turtle", "trig") else None
    return _capped(triples, lambda ts: ox.serialize(ts, format=formats[fmt], prefixes=prefixes) or b"",
                   max_bytes, truncated)


def _refused_update(text: str) -> bool:
    """Whether a text Oxigraph would not take as a query is an update (403, not 400)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except (ParseException, RecursionError, ValueError, TypeError):
        return False
    return True


def answer(store: Any, req: Request, max_rows: int, max_bytes: int) -> Answer:
    """Parse, run and serialise one request against an open pyoxigraph store."""
    import pyoxigraph as ox

    from ..queries import names_dataset, reaches_network
    from ..vocab import PREFIXES

    if reaches_network(req.query):
        return Answer(403, b"SERVICE is refused: this endpoint does not query other endpoints\n", "text/plain")
    kwargs: dict[str, object] = {"prefixes": PREFIXES}
    if req.base:
        kwargs["base_iri"] = req.base
    if req.default_graphs or req.named_graphs:  # the protocol's dataset overrides the query's
        kwargs["default_graph"] = [ox.NamedNode(g) for g in req.default_graphs]
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in req.named_graphs]
    elif not names_dataset(req.query):  # FROM / FROM NAMED are honoured; else the union
        kwargs["use_default_graph_as_union"] = True
    try:
        res = store.query(req.query, **kwargs)
        if isinstance(res, ox.QueryTriples):
            fmt = negotiate(req.accept, "graph")
            body, truncated = _serialize_graph(res, fmt, max_rows, max_bytes)
            return Answer(200, body, MEDIA[("graph", fmt)], truncated)
        fmt = negotiate(req.accept, "results")
        body, truncated = _serialize_results(res, fmt, max_rows, max_bytes)
        return Answer(200, body, MEDIA[("results", fmt)], truncated)
    except SyntaxError as exc:
        if _refused_update(req.query):
            return Answer(403, b"SPARQL Update (and LOAD) is refused: this endpoint is read-only\n", "text/plain")
        return Answer(400, f"the query is not valid SPARQL 1.1: {exc}\n".encode(), "text/plain")
    except (ValueError, TypeError) as exc:  # a graph IRI pyoxigraph refuses, a bad base
        return Answer(400, f"the request cannot be run: {exc}\n".encode(), "text/plain")
    except Exception as exc:  # noqa: BLE001 -- reported to the client, the worker goes on
        return Answer(500, f"the query failed: {type(exc).__name__}: {exc}\n".encode(), "text/plain")


def _worker(path: str, conn: Connection, max_rows: int, max_bytes: int, max_memory: int) -> None:
    """A worker's loop: ready, then one request in, one Answer out."""
    try:
        import resource

        backstop = max_memory + max_memory // 4 + 64 * 2**20  # the engine's watchdog acts first
        resource.setrlimit(resource.RLIMIT_DATA, (backstop, backstop))
    except (ImportError, ValueError, OSError):  # not on this platform
        pass
    import pyoxigraph as ox

    store = ox.Store.read_only(path)
    answer(store, Request("ASK {}"), 1, 1024)  # imports and caches warm before the first client
    conn.send("ready")
    while True:
        try:
            req: Request = conn.recv()
        except EOFError:
            return
        conn.send(answer(store, req, max_rows, max_bytes))


def resident(pid: int) -> int:
    """A process's resident size in bytes (Linux /proc), 0 where unknown."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def worker_pids(server_pid: int) -> list[int]:
    """The query workers of a ``kg serve`` process (Linux /proc): its spawned children,
    each the child of the thread that started it. For the load test and benchmark."""
    out = []
    for task in Path(f"/proc/{server_pid}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for pid in kids:
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    out.append(int(pid))
            except OSError:
                continue
    return out


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: Connection
    lane: str


class _Outcome(Exception):
    """How a run ended when it did not answer: the status and message for the client."""

    def __init__(self, status: int, message: str, *, heavy: bool = False) -> None:
        super().__init__(message)
        self.answer = Answer(status, (message + "\n").encode(), "text/plain")
        self.heavy = heavy


_HEAVY_REMEMBERED = 1024
# the watchdog samples every 20 ms and acts at this share of the limit, so that what a
# query allocates between two samples stays under the limit
_WATCH_AT = 0.85
_BUSY = "the slow lane is busy with other long queries; try again later"
_CRASHED = "the query worker stopped (out of memory, or an expression nested too deep); narrow the query"


@dataclass
class Engine:
    """A pool of query workers over one store folder, in two lanes (see the module)."""

    path: Path
    workers: int = 2
    timeout: float = 30.0
    max_rows: int = 10_000
    max_bytes: int = 32 * 1024 * 1024  # per answer
    max_memory: int = 1024 * 1024 * 1024  # per worker, resident
    fast_budget: float = 0.5  # seconds a query may take in the fast lane
    _idle: dict[str, queue.Queue[_Worker]] = field(default_factory=dict, init=False)
    _all: list[_Worker] = field(default_factory=list, init=False)
    _heavy: OrderedDict[int, None] = field(default_factory=OrderedDict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _slots: threading.BoundedSemaphore | None = field(default=None, init=False)
    _slow_size: int = field(default=0, init=False)

    @property
    def lanes(self) -> bool:
        return self.workers > 1

    def start(self) -> None:
        self._idle = {"fast": queue.Queue(), "slow": queue.Queue(), "spare": queue.Queue()}
        fast_n = max(1, self.workers // 2) if self.lanes else 1
        self._slow_size = self.workers - fast_n
        self._slots = threading.BoundedSemaphore(max(1, self._slow_size))  # heavy queries at once
        starting = [self._spawn("fast" if i < fast_n else "slow") for i in range(self.workers)]
        starting.append(self._spawn("spare"))  # ready to take a killed worker's place at once
        for w in starting:
            self._ready(w)

    def _spawn(self, lane: str) -> _Worker:
        ctx = mp.get_context("spawn")  # a clean interpreter: no threads of the server inherited
        parent, child = ctx.Pipe()
        p = ctx.Process(target=_worker, args=(str(self.path), child, self.max_rows, self.max_bytes,
                                              self.max_memory), daemon=True)
        p.start()
        child.close()
        w = _Worker(p, parent, lane)
        with self._lock:
            self._all.append(w)
        return w

    def _ready(self, w: _Worker) -> None:
        """Put a worker in its lane once it has opened the store (or replace it)."""
        try:
            if w.conn.poll(120) and w.conn.recv() == "ready":
                self._idle[w.lane].put(w)
                return
        except (EOFError, OSError):
            pass
        self._kill(w)
        self._replace(w.lane)

    def _replace(self, lane: str) -> None:
        """A new worker for a lane: the ready spare at once if there is one (and a new
        spare made ready in the background), else a new worker made ready in the
        background. The request that caused it goes on either way."""
        try:
            spare = self._idle["spare"].get_nowait()
        except (KeyError, queue.Empty):
            spare = None
        if spare is not None:
            spare.lane = lane
            self._idle[lane].put(spare)
            lane = "spare"
        threading.Thread(target=self._ready, args=(self._spawn(lane),), daemon=True).start()

    def _key(self, req: Request) -> int:
        from ..queries import canonical

        return hash((canonical(req.query), req.default_graphs, req.named_graphs))

    def _remember_heavy(self, key: int) -> None:
        with self._lock:
            self._heavy[key] = None
            self._heavy.move_to_end(key)
            while len(self._heavy) > _HEAVY_REMEMBERED:
                self._heavy.popitem(last=False)

    def run(self, req: Request, cancelled: threading.Event | None = None) -> Answer:
        """Blocking: run the query in a worker, within the time and memory limits, until
        it answers, fails, or its client goes (``cancelled``)."""
        key = self._key(req)
        deadline = time.monotonic() + self.timeout
        with self._lock:
            heavy = key in self._heavy
        try:
            if self.lanes and heavy:
                return self._run_heavy(req, deadline, cancelled)
            return self._run_fast(req, key, deadline, cancelled)
        except _Outcome as out:
            if out.heavy:
                self._remember_heavy(key)
            return out.answer

    def _take(self, lane: str, deadline: float, cancelled: threading.Event | None) -> _Worker:
        while True:  # wait for a free worker, for the deadline, or for the client to leave
            if cancelled is not None and cancelled.is_set():
                raise _Outcome(499, "the client closed the request")
            if time.monotonic() > deadline:
                raise _Outcome(503, f"no worker was free within the time limit of {self.timeout:g} s; try again")
            try:
                return self._idle[lane].get(timeout=0.1)
            except queue.Empty:
                continue

    def _run_fast(self, req: Request, key: int, deadline: float, cancelled: threading.Event | None) -> Answer:
        w = self._take("fast", deadline, cancelled)
        if self.lanes:
            with self._lock:  # found heavy while this one waited (the same query sent many times)
                heavy = key in self._heavy
            if heavy:
                self._idle["fast"].put(w)
                return self._run_heavy(req, deadline, cancelled)
        budget = min(deadline, time.monotonic() + self.fast_budget) if self.lanes else deadline
        self._send(w, req)
        if self._wait(w, budget, cancelled):
            return self._done(w)
        # past the fast lane's budget: the query goes on in the slow lane if it has room;
        # the fast lane gets a new worker at once
        assert self._slots is not None
        if not self._slots.acquire(blocking=False):
            self._drop(w)
            raise _Outcome(503, _BUSY, heavy=True)
        self._remember_heavy(key)
        w.lane = "slow"
        self._replace("fast")
        try:
            return self._finish(w, deadline, cancelled)
        finally:
            self._slots.release()

    def _run_heavy(self, req: Request, deadline: float, cancelled: threading.Event | None) -> Answer:
        assert self._slots is not None
        while not self._slots.acquire(timeout=0.1):
            if cancelled is not None and cancelled.is_set():
                raise _Outcome(499, "the client closed the request")
            if time.monotonic() > deadline:
                raise _Outcome(503, _BUSY)
        try:
            w = self._take("slow", deadline, cancelled)
            self._send(w, req)
            return self._finish(w, deadline, cancelled)
        finally:
            self._slots.release()

    def _finish(self, w: _Worker, deadline: float, cancelled: threading.Event | None) -> Answer:
        """The answer of a worker that runs a query, by the deadline (else it is replaced)."""
        if self._wait(w, deadline, cancelled):
            return self._done(w)
        self._drop(w)
        raise _Outcome(503, f"the query did not finish within the time limit of {self.timeout:g} s", heavy=True)

    def _send(self, w: _Worker, req: Request) -> None:
        try:
            w.conn.send(req)
        except OSError:  # it died while idle
            self._drop(w)
            raise _Outcome(503, _CRASHED) from None

    def _wait(self, w: _Worker, until: float, cancelled: threading.Event | None) -> bool:
        """True when the worker has answered; False at ``until``; an _Outcome (and the
        worker replaced) when the client goes, the memory limit is passed, or it dies."""
        try:
            while not w.conn.poll(0.02):
                if cancelled is not None and cancelled.is_set():
                    self._drop(w)
                    raise _Outcome(499, "the client closed the request")
                if resident(w.process.pid or 0) > self.max_memory * _WATCH_AT:
                    self._drop(w)
                    raise _Outcome(503, f"the query needed more than the memory limit of "
                                        f"{self.max_memory // 2**20} MiB; narrow it (LIMIT, fewer joins)",
                                   heavy=True)
                if time.monotonic() > until:
                    return False
            return True
        except (EOFError, OSError):  # the worker died (its memory backstop, a crash)
            self._drop(w)
            raise _Outcome(503, _CRASHED, heavy=True) from None

    def _done(self, w: _Worker) -> Answer:
        try:
            answer: Answer = w.conn.recv()
        except (EOFError, OSError):
            self._drop(w)
            raise _Outcome(503, _CRASHED, heavy=True) from None
        if w.lane == "slow" and self._alive("slow") > self._slow_size:
            self._kill(w)  # moved here from the fast lane, and the slow lane is full: retired
        else:
            self._idle[w.lane].put(w)
        return answer

    def _alive(self, lane: str) -> int:
        with self._lock:
            return sum(1 for w in self._all if w.lane == lane)

    def _drop(self, w: _Worker) -> None:
        """Kill a worker and keep its lane at its size (the fast lane was refilled when a
        worker moved from it to the slow lane)."""
        self._kill(w)
        if w.lane == "fast" or self._alive("slow") < self._slow_size:
            self._replace(w.lane)

    def _kill(self, w: _Worker) -> None:
        w.process.kill()
        w.process.join(5)
        w.conn.close()
        with self._lock:
            if w in self._all:
                self._all.remove(w)

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
        for w in workers:
            w.process.kill()
            w.process.join(5)
        self._all.clear()
