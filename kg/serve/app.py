"""The HTTP side of ``kg serve`` (Starlette, run by uvicorn): the SPARQL 1.1 Protocol
query operation at /sparql, named queries at /queries/NAME with safely bound
parameters, and the page at /. Read-only; the engine's workers do the querying
(kg/serve/engine.py).

Bounded at the door: a request body over ``max_body`` bytes is a 413, a body slower
than ``body_timeout`` a 408, a connection whose headers take longer than
``header_timeout`` is closed; a request whose client has gone is cancelled. The Host
header must name the server (DNS rebinding), and CORS admits loopback pages only
unless ``--cors`` names other origins."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import anyio
from anyio import to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .. import queries
from ..errors import QueryError
from ..pages import inline
from .engine import Answer, Engine, Request
from .protocol import Incoming, ProtocolError, parse_request

STATIC = resources.files("kg.serve") / "static"


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
LOOPBACK_ORIGINS = r"^https?://(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?$"


@dataclass(frozen=True)
class ServeOptions:
    store: str  # a store folder, or a SPARQL server's QUERY_URL[,UPDATE_URL]
    queries_dir: Path
    workers: int = 2
    timeout: float = 30.0  # seconds per query
    max_rows: int = 10_000  # rows (or triples) per answer
    max_bytes: int = 32 * 2**20  # bytes per answer
    max_memory: int = 2**30  # resident bytes per worker
    max_body: int = 2**20  # bytes per request body
    body_timeout: float = 10.0  # seconds to receive a request body
    header_timeout: float = 10.0  # seconds to receive a request's headers
    hosts: tuple[str, ...] = ()  # Host header values accepted besides loopback and the bound address
    cors: tuple[str, ...] = ()  # origins admitted besides loopback pages ("*": every origin)
    fast_budget: float = 0.5  # seconds a query may take before it moves to the slow lane


def _answer(a: Answer) -> Response:
    headers = {"X-KG-Truncated": "true"} if a.truncated else {}
    return Response(a.body, status_code=a.status, media_type=a.media_type, headers=headers)


class _TooLarge(Exception):
    pass


async def _body(request: HttpRequest, limit: int, seconds: float) -> bytes:
    """The request body, at most ``limit`` bytes, received within ``seconds``."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    with anyio.fail_after(seconds):
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
    return b"".join(chunks)


def create_app(options: ServeOptions, *, bound: str = "127.0.0.1") -> Starlette:
    engine = Engine(options.store, workers=options.workers, timeout=options.timeout,
                    max_rows=options.max_rows, max_bytes=options.max_bytes,
                    max_memory=options.max_memory, fast_budget=options.fast_budget)
    named = queries.registry(options.queries_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await to_thread.run_sync(engine.start)
        try:
            yield
        finally:
            engine.close()

    async def run(request: HttpRequest, req: Request) -> Response:
        # a thread waits for a worker process, the event loop stays free and watches the
        # client: when it goes, the query is cancelled and its worker replaced
        cancelled = threading.Event()

        async def watch() -> None:
            while not await request.is_disconnected():
                await asyncio.sleep(0.25)
            cancelled.set()

        watcher = asyncio.ensure_future(watch())
        try:
            answer = await to_thread.run_sync(engine.run, req, cancelled, abandon_on_cancel=True)
        finally:
            watcher.cancel()
        return _answer(answer)

    async def sparql(request: HttpRequest) -> Response:
        try:
            body = await _body(request, options.max_body, options.body_timeout) if request.method == "POST" else b""
        except _TooLarge:
            return PlainTextResponse(f"the request body is over {options.max_body} bytes\n", status_code=413)
        except TimeoutError:
            return PlainTextResponse(f"the request body took over {options.body_timeout:g} s\n", status_code=408)
        try:
            req = parse_request(Incoming(
                method=request.method, query_string=request.url.query,
                content_type=request.headers.get("content-type"),
                body=body, accept=request.headers.get("accept"),
                base=str(request.url.replace(query=""))))
        except ProtocolError as exc:
            return PlainTextResponse(exc.message + "\n", status_code=exc.status)
        return await run(request, req)

    async def query_list(request: HttpRequest) -> Response:
        return JSONResponse([{"name": q.name, "title": q.title, "description": q.description,
                              "params": [{"name": p.name, "type": p.type, "description": p.description}
                                         for p in q.params]} for q in named.values()])

    async def named_query(request: HttpRequest) -> Response:
        name = request.path_params["name"]
        if name not in named:
            return PlainTextResponse(f"no named query {name!r}; see /queries\n", status_code=404)
        query = named[name]
        try:
            text = queries.prepared(query, dict(request.query_params))
        except QueryError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=400)
        return await run(request, Request(query=text, accept=request.headers.get("accept")))

    the_page = inline((STATIC / "page.html").read_text(encoding="utf-8"))  # Leaflet and the map, inlined

    async def page(request: HttpRequest) -> Response:
        return HTMLResponse(the_page)

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/sparql/", sparql, methods=["GET", "POST"]),
        Route("/queries", query_list, methods=["GET"]),
        Route("/queries/{name}", named_query, methods=["GET"]),
    ]
    hosts = ["*"] if bound in ("0.0.0.0", "::") and not options.hosts else \
        [*LOOPBACK_HOSTS, bound, *options.hosts]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False),
        Middleware(CORSMiddleware, allow_origins=list(options.cors), allow_origin_regex=LOOPBACK_ORIGINS,
                   allow_methods=["GET", "POST"], allow_headers=["Accept", "Content-Type"],
                   expose_headers=["X-KG-Truncated"]),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.engine = engine
    return app


def _protocol(header_timeout: float) -> type:
    """uvicorn's h11 protocol with a deadline on each request's headers: uvicorn times
    out idle keep-alive connections, not a client that sends its headers a byte at a
    time (slowloris)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Bounded(H11Protocol):  # type: ignore[misc]
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._headers_deadline = self.loop.call_later(header_timeout, self._headers_late)

        def _headers_late(self) -> None:
            if self.cycle is None or self.cycle.response_complete:  # no request under way
                if not self.transport.is_closing():
                    self.transport.close()
                return
            self._headers_deadline = self.loop.call_later(header_timeout, self._headers_late)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._headers_deadline.cancel()
            self._headers_deadline = self.loop.call_later(header_timeout, self._headers_late)

        def connection_lost(self, exc: Exception | None) -> None:
            self._headers_deadline.cancel()
            super().connection_lost(exc)

    return Bounded


def serve(options: ServeOptions, *, host: str = "127.0.0.1", port: int = 7878) -> None:
    import uvicorn

    uvicorn.run(create_app(options, bound=host), host=host, port=port, log_level="warning",
                http=_protocol(options.header_timeout), timeout_keep_alive=5,
                h11_max_incomplete_event_size=64 * 1024)
