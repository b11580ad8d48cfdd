"""The query engine behind ``kg serve``: worker processes, each with the store opened
read-only through the store interface (a folder, or a SPARQL server), one query at a time
each. Everything a query costs happens in a worker and is bounded there: parsing and
running it (a time limit: pyoxigraph's ``Store.query`` has none, so a worker past its
deadline is killed and replaced), its memory (a
watchdog on the worker's resident size, and RLIMIT_DATA as a backstop), its answer
(``max_rows`` rows or triples and ``max_bytes`` bytes), and its client (a request
whose client has gone is cancelled and its worker replaced).

Fairness: the workers form two lanes. A query starts in the fast lane with a short
budget; past it, the query is moved to the slow lane (and its text remembered as
heavy), so cheap queries never wait behind heavy ones for more than one budget.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from ..sparql import reaches_network
from ..store import Store, open_store
from ..store.base import Served


@dataclass(frozen=True)
class Request:
    query: str
    accept: str | None = None  # the Accept header: the format is chosen once the form is known
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base: str | None = None  # relative IRIs resolve against the endpoint's URL


Answer = Served  # what a worker sends back: status, body, media type, truncated


def _refused_update(text: str) -> bool:
    """Whether a text Oxigraph would not take as a query is an update (403, not 400)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except (ParseException, RecursionError, ValueError, TypeError):
        return False
    return True


def answer(store: Store, req: Request, max_rows: int, max_bytes: int) -> Answer:
    """One request against an open store, through the store interface (a folder or a
    SPARQL server alike): SERVICE refused before anything runs, an update refused as such."""
    if reaches_network(req.query):
        return Answer(403, b"SERVICE is refused: this endpoint does not query other endpoints\n", "text/plain")
    served = store.respond(req.query, accept=req.accept, base=req.base, default_graphs=req.default_graphs,
                           named_graphs=req.named_graphs, max_rows=max_rows, max_bytes=max_bytes)
    if served.status == 400 and _refused_update(req.query):
        return Answer(403, b"SPARQL Update (and LOAD) is refused: this endpoint is read-only\n", "text/plain")
    return served


def backstop(max_memory: int) -> int:
    """The hard limit of a worker's memory (RLIMIT_DATA). The watchdog samples the
    resident size every 20 ms and stops a worker past 85% of ``max_memory``, but a
    query can allocate fast enough to pass the limit between two samples when the
    machine is busy; it never passes this."""
    return max_memory + max_memory // 4 + 64 * 2**20


def _worker(location: str, conn: Connection, max_rows: int, max_bytes: int, max_memory: int) -> None:
    """A worker's loop: ready, then one request in, one Answer out."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_DATA, (backstop(max_memory), backstop(max_memory)))
    except (ImportError, ValueError, OSError):  # not on this platform
        pass
    store = open_store(location, read_only=True)
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
    """A pool of query workers over one store (a folder, or a SPARQL server's URL), in two
    lanes (see the module)."""

    location: str
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
        p = ctx.Process(target=_worker, args=(self.location, child, self.max_rows, self.max_bytes,
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
