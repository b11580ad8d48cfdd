"""The SPARQL 1.1 Protocol's query operation, read before anything runs: which query,
which dataset, and what is refused at the door (updates sent as updates, the wrong
media type or charset, a body or a parameter that is not UTF-8, a graph IRI that is
not an absolute IRI, two queries). Nothing here parses SPARQL: parsing runs in a
worker, under the time limit (kg/serve/engine.py). Plain functions over the request's
parts, so the rules are tested without a server."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs

from .engine import Request

# an absolute IRI (RFC 3987): a scheme, then no space, control character or <>"{}|\^`
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`\x00-\x1f\x7f]*$")
_UTF8 = {"utf-8", "utf8"}


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


def _utf8(body: bytes, what: str = "the request body") -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} is not UTF-8: {exc}") from None


def _form(text: str, what: str) -> dict[str, list[str]]:
    """URL-encoded pairs; a percent-encoded byte sequence that is not UTF-8 is a 400."""
    try:
        return parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"{what} holds percent-encoded bytes that are not UTF-8: {exc}") from None


def _charset(content_type: str) -> None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in _UTF8:
            raise ProtocolError(415, f"charset {value.strip()!r} is not accepted: send the query in UTF-8")


def graph_iris(values: list[str], name: str) -> tuple[str, ...]:
    for v in values:
        if not _IRI.match(v):
            raise ProtocolError(400, f"{name} {v[:200]!r} is not an absolute IRI")
    return tuple(values)


@dataclass(frozen=True)
class Incoming:
    method: str
    query_string: str
    content_type: str | None
    body: bytes
    accept: str | None
    base: str | None = None  # the endpoint's URL


def parse_request(req: Incoming) -> Request:
    params = _form(req.query_string, "the URL")
    if req.method == "GET":
        if "update" in params:
            raise ProtocolError(400, "an update cannot be sent by GET (and this endpoint is read-only)")
        query = _one(params, "query")
        if query is None:
            raise ProtocolError(400, "give the query in a 'query' parameter")
    elif req.method == "POST":
        content_type = req.content_type or ""
        media = content_type.split(";")[0].strip().lower()
        if media == "application/x-www-form-urlencoded":
            _charset(content_type)
            form = _form(_utf8(req.body), "the form")
            if "update" in form:
                raise ProtocolError(403, "SPARQL Update is refused: this endpoint is read-only")
            query = _one(form, "query")
            if query is None:
                raise ProtocolError(400, "give the query in a 'query' form field")
            for key in ("default-graph-uri", "named-graph-uri"):
                params.setdefault(key, []).extend(form.get(key, []))
        elif media == "application/sparql-query":
            _charset(content_type)
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
    if not query.strip():
        raise ProtocolError(400, "the query is empty")
    return Request(query=query, accept=req.accept,
                   default_graphs=graph_iris(params.get("default-graph-uri", []), "default-graph-uri"),
                   named_graphs=graph_iris(params.get("named-graph-uri", []), "named-graph-uri"), base=req.base)
