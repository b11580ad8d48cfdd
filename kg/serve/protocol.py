"""The SPARQL 1.1 Protocol's query operation, read before anything runs: which query,
which dataset, which result format, and what is refused (updates, LOAD, SERVICE, two
queries, the wrong media type, a body that is not UTF-8, a query that does not parse).
Plain functions over the request's parts, so the rules are tested without a server."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qs

from pyparsing import ParseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

from ..queries import reaches_network
from .engine import GRAPH_TYPES, RESULT_TYPES, Request

QUERY_FORMS = {"SelectQuery": "results", "AskQuery": "results",
               "ConstructQuery": "graph", "DescribeQuery": "graph"}
DEFAULT_FORMAT = {"results": "json", "graph": "turtle"}


class ProtocolError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _one(values: dict[str, list[str]], name: str) -> str | None:
    got = values.get(name, [])
    if len(got) > 1:
        raise ProtocolError(400, f"give one {name} parameter, not {len(got)}")
    return got[0] if got else None


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the request body is not UTF-8: {exc}") from None


def _contains(node: object, name: str) -> bool:
    """Whether rdflib's parse tree holds a part of this name (ServiceGraphPattern ...)."""
    if getattr(node, "name", None) == name:
        return True
    if isinstance(node, dict):  # rdflib's CompValue
        return any(_contains(v, name) for v in node.values())
    if isinstance(node, (list, tuple, ParseResults)):
        return any(_contains(v, name) for v in node)
    return False


@lru_cache(maxsize=1024)
def check_query(text: str) -> str:
    """The query form (SelectQuery ...) of a read-only query; ProtocolError otherwise.
    Kept per text: rdflib's parser takes 15-30 ms on a named query, more than Oxigraph
    takes to answer it on the seeds, and clients repeat their queries."""
    try:
        tree = parseQuery(text)
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            raise ProtocolError(400, f"the query is not valid SPARQL 1.1: {exc}") from None
        raise ProtocolError(403, "SPARQL Update (and LOAD) is refused: this endpoint is read-only") from None
    except Exception as exc:  # noqa: BLE001 -- rdflib's parser raises more than ParseException
        raise ProtocolError(400, f"the query is not valid SPARQL 1.1: {exc}") from None
    if _contains(tree, "ServiceGraphPattern") or reaches_network(text):
        raise ProtocolError(403, "SERVICE is refused: this endpoint does not query other endpoints")
    form = tree[1].name
    if form not in QUERY_FORMS:
        raise ProtocolError(400, f"unsupported query form {form}")
    return form  # type: ignore[no-any-return]


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
class Incoming:
    method: str
    query_string: str
    content_type: str | None
    body: bytes
    accept: str | None
    base: str | None = None  # the endpoint's URL


def parse_request(req: Incoming) -> Request:
    params = parse_qs(req.query_string, keep_blank_values=True)
    if req.method == "GET":
        if "update" in params:
            raise ProtocolError(400, "an update cannot be sent by GET (and this endpoint is read-only)")
        query = _one(params, "query")
        if query is None:
            raise ProtocolError(400, "give the query in a 'query' parameter")
    elif req.method == "POST":
        media = (req.content_type or "").split(";")[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            form = parse_qs(_utf8(req.body), keep_blank_values=True, errors="strict")
            if "update" in form:
                raise ProtocolError(403, "SPARQL Update is refused: this endpoint is read-only")
            query = _one(form, "query")
            if query is None:
                raise ProtocolError(400, "give the query in a 'query' form field")
            for key in ("default-graph-uri", "named-graph-uri"):
                params.setdefault(key, []).extend(form.get(key, []))
        elif media == "application/sparql-query":
            query = _utf8(req.body)
        elif media == "application/sparql-update":
            raise ProtocolError(403, "SPARQL Update is refused: this endpoint is read-only")
        elif not media:
            raise ProtocolError(415, "a POST needs a Content-Type: application/sparql-query or "
                                     "application/x-www-form-urlencoded")
        else:
            raise ProtocolError(415, f"unsupported media type {media!r}: use application/sparql-query "
                                     "or application/x-www-form-urlencoded")
        if "query" in params:
            raise ProtocolError(400, "give the query once: in the body, not also in the URL")
    else:
        raise ProtocolError(405, f"{req.method} is not a SPARQL query operation: use GET or POST")
    kind = QUERY_FORMS[check_query(query)]
    return Request(query=query, kind=kind, fmt=negotiate(req.accept, kind),
                   default_graphs=tuple(params.get("default-graph-uri", [])),
                   named_graphs=tuple(params.get("named-graph-uri", [])), base=req.base)
