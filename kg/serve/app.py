"""The HTTP side of ``kg serve`` (Starlette, run by uvicorn): the SPARQL 1.1 Protocol
query operation at /sparql, named queries at /queries/NAME with safely bound
parameters, and the page at /. Read-only; CORS open for browser tools; the engine's
workers do the querying (kg/serve/engine.py)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from anyio import to_thread
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .. import queries
from ..errors import QueryError
from .engine import Answer, Engine, Request
from .protocol import QUERY_FORMS, Incoming, ProtocolError, check_query, negotiate, parse_request

STATIC = resources.files("kg.serve") / "static"


@dataclass(frozen=True)
class ServeOptions:
    store: Path
    queries_dir: Path
    workers: int = 2
    timeout: float = 30.0  # seconds per query
    max_rows: int = 10_000  # rows (or triples) per answer


def _answer(a: Answer) -> Response:
    headers = {"X-KG-Truncated": "true"} if a.truncated else {}
    return Response(a.body, status_code=a.status, media_type=a.media_type, headers=headers)


def create_app(options: ServeOptions) -> Starlette:
    engine = Engine(options.store, workers=options.workers, timeout=options.timeout,
                    max_rows=options.max_rows)
    named = queries.registry(options.queries_dir)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await to_thread.run_sync(engine.start)
        try:
            yield
        finally:
            engine.close()

    async def run(req: Request) -> Response:
        # a worker thread waits for a worker process; the event loop stays free
        return _answer(await to_thread.run_sync(engine.run, req))

    async def sparql(request: HttpRequest) -> Response:
        try:
            req = parse_request(Incoming(
                method=request.method, query_string=request.url.query,
                content_type=request.headers.get("content-type"),
                body=await request.body(), accept=request.headers.get("accept"),
                base=str(request.url.replace(query=""))))
        except ProtocolError as exc:
            return PlainTextResponse(exc.message + "\n", status_code=exc.status)
        return await run(req)

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
            text = queries.bind(query.text, queries.bindings(query, dict(request.query_params)))
            kind = QUERY_FORMS[check_query(text)]
            fmt = negotiate(request.headers.get("accept"), kind)
        except QueryError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=400)
        except ProtocolError as exc:
            return PlainTextResponse(exc.message + "\n", status_code=exc.status)
        return await run(Request(query=text, kind=kind, fmt=fmt))

    async def page(request: HttpRequest) -> Response:
        return HTMLResponse((STATIC / "page.html").read_text(encoding="utf-8"))

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/sparql/", sparql, methods=["GET", "POST"]),
        Route("/queries", query_list, methods=["GET"]),
        Route("/queries/{name}", named_query, methods=["GET"]),
    ]
    middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                             allow_headers=["Accept", "Content-Type"], expose_headers=["X-KG-Truncated"])]
    return Starlette(routes=routes, middleware=middleware, lifespan=lifespan)


def serve(options: ServeOptions, *, host: str = "127.0.0.1", port: int = 7878) -> None:
    import uvicorn

    uvicorn.run(create_app(options), host=host, port=port, log_level="warning")
